"""Command-line tools: `flask demo load`, `flask demo code`, `flask daily`, `flask awards
expire`, `flask awards letter`, `flask jobs worker`, `flask jobs scheduler`, `flask taper
report`, `flask files copy-from-folders`, `flask funding check`, `flask opendata
ward-codes` and `flask places populations`."""

import csv
import re

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from portal.exceptions import NotFound, RuleBroken

demo_cli = AppGroup("demo", help="Demo data for development.")


@demo_cli.command("load")
def load_command() -> None:
    """Load the reference world (idempotent). Refused in production: it has known passwords."""
    if current_app.config["PORTAL_ENV"] == "production":
        raise click.ClickException(
            "Demo data has published passwords; it is never loaded in production."
        )
    from portal.demo import load_demo

    added = load_demo()
    summary = ", ".join(f"{count} {kind}" for kind, count in added.items())
    click.echo(f"Demo data loaded: added {summary}.")


@demo_cli.command("code")
def code_command() -> None:
    """Print the current authenticator code of the demo staff accounts (development only)."""
    if current_app.config["PORTAL_ENV"] == "production":
        raise click.ClickException("There are no demo accounts in production.")
    from portal.demo import demo_code

    click.echo(demo_code())


@click.command("daily")
def daily_command() -> None:
    """Do the day's work: expire lapsed offers and send the reminders due (each only once).
    Run it daily from cron, or let `flask jobs scheduler` queue it when REDIS_URL is set."""
    from models.base import utcnow
    from portal.daily import run

    click.echo(run(utcnow()).summary())


awards_cli = AppGroup("awards", help="Award offers.")


@awards_cli.command("expire")
def expire_command() -> None:
    """Close the offers not accepted by their date, releasing their money. Run it daily."""
    from models.base import utcnow
    from portal.awards.services import expire_offers

    click.echo(f"Expired {expire_offers(utcnow())} award offers.")


@awards_cli.command("letter")
@click.argument("reference")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, writable=True),
              help="The PDF file to write.")
def letter_command(reference: str, output: str) -> None:
    """Write the current letter of the award REFERENCE to a PDF file (stored as a new
    version only if its data changed)."""
    from pathlib import Path

    from portal.awards.letters import system_letter

    try:
        stored, pdf = system_letter(reference)
    except NotFound:
        raise click.ClickException(
            f"There is no award with the reference {reference}.") from None
    Path(output).write_bytes(pdf)
    click.echo(f"Wrote version {stored.number} of the letter for {reference} to {output} "
               f"({stored.size} bytes, sha256 {stored.sha256}).")


taper_cli = AppGroup("taper", help="Taper tables of programmes and grant schemes.")


@taper_cli.command("report")
@click.argument("code")
@click.option("--format", "output_format", type=click.Choice(["csv", "json"]), default="csv",
              show_default=True, help="CSV has a last row for the totals; JSON has them apart.")
def taper_report_command(code: str, output_format: str) -> None:
    """Print the taper table of the programme with the code CODE (like ANCHORS) or of the
    grant scheme with the reference prefix CODE (like CPG): a row for each financial year
    with the core target, planned core, external and total, committed and paid, in pounds
    and pence. A programme's code is looked for first."""
    import json

    from portal.exports import to_csv
    from portal.reporting import services

    try:
        taper = services.report(code)
    except NotFound:
        raise click.ClickException(
            f"There is no programme with the code {code} and no grant scheme with the "
            f"reference prefix {code}.") from None
    *years, total = services.report_rows(taper)
    if output_format == "json":
        click.echo(json.dumps({"kind": taper.kind.value, "code": taper.code,
                               "name": taper.name, "years": years, "total": total},
                              indent=2, ensure_ascii=False))
        return
    rows = [[row[column] for column in services.REPORT_COLUMNS] for row in [*years, total]]
    click.echo(to_csv(services.REPORT_COLUMNS, rows), nl=False)


jobs_cli = AppGroup("jobs", help="Background jobs (RQ on Redis).")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst: bool) -> None:
    """Run an RQ worker for the portal's queue, inside the app's context. Needs REDIS_URL."""
    if not current_app.config["REDIS_URL"]:
        raise click.ClickException("Set REDIS_URL: without it jobs run in-process.")
    from portal.jobs import worker

    worker().work(burst=burst)


@jobs_cli.command("scheduler")
def scheduler_command() -> None:
    """Run RQ's cron scheduler, queueing the daily run at DAILY_CRON (default 6am); a worker
    (`flask jobs worker`) runs it. Needs REDIS_URL."""
    if not current_app.config["REDIS_URL"]:
        raise click.ClickException("Set REDIS_URL, or run `flask daily` from cron instead.")
    from portal.daily import JOB
    from portal.jobs import cron_scheduler

    cron_scheduler(JOB, current_app.config["DAILY_CRON"]).start()


files_cli = AppGroup("files", help="The file store (FILE_STORE).")


@files_cli.command("copy-from-folders")
def copy_from_folders_command() -> None:
    """Copy the files kept in UPLOAD_FOLDER, LETTER_FOLDER, EXPORT_FOLDER and OPEN_DATA_FOLDER
    into the store FILE_STORE names (database or s3), skipping those it has: run it once when
    moving from one machine to several. The folders are left as they are."""
    from portal import file_store

    try:
        copied = file_store.copy_from_folders()
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    summary = ", ".join(f"{count} {kind}" for kind, count in copied.items())
    click.echo(f"Copied to the {current_app.config['FILE_STORE']} store: {summary}.")


funding_cli = AppGroup("funding", help="Funding pots and their ledger.")


@funding_cli.command("check")
def funding_check_command() -> None:
    """Check that every pot's stored budget, committed and paid figures, and what each
    scheme's awards have committed and been paid from each pot, are the sums of the ledger
    entries. Lists each figure that disagrees and exits 1; exits 0 when all agree."""
    from portal.funding import ledger, ledger_check
    from portal.money import format_pounds

    def spent(figures: ledger.Spend | ledger.Balance) -> str:
        return (f"committed {format_pounds(figures.committed_pence)}, paid "
                f"{format_pounds(figures.paid_pence)}")

    def balance(figures: ledger.Balance) -> str:
        return f"budget {format_pounds(figures.budget_pence)}, {spent(figures)}"

    result = ledger_check.check()
    if result.agrees:
        click.echo(f"All {result.pots} pots agree with their ledger entries, and so do the "
                   f"{result.scheme_spends} sums of a scheme's awards from a pot.")
        return
    for mismatch in result.mismatches:
        pot = mismatch.pot
        click.echo(f"Pot {pot.id}, {pot.name} ({pot.financial_year}): stored "
                   f"{balance(mismatch.stored)}; its entries sum to {balance(mismatch.summed)}")
    for found in result.scheme_mismatches:
        pot = found.pot
        click.echo(f"{found.scheme.name}'s awards from pot {pot.id}, {pot.name} "
                   f"({pot.financial_year}): stored {spent(found.stored)}; their entries sum "
                   f"to {spent(found.summed)}")
    wrong = len(result.mismatches) + len(result.scheme_mismatches)
    click.echo(f"{wrong} stored figures disagree with the ledger entries "
               f"({result.pots} pots checked).", err=True)
    raise SystemExit(1)


opendata_cli = AppGroup("opendata", help="Open data about the council's grants.")


@opendata_cli.command("ward-codes")
@click.argument("lookup", type=click.File(encoding="utf-8-sig"))
def ward_codes_command(lookup) -> None:
    """Set the wards' ONS codes, published with each grant's beneficiary wards, from a CSV
    LOOKUP: the ONS's ward lookup (its WDyyCD and WDyyNM columns) or one with `code` and
    `ward` columns. Rows for other councils' wards are counted and left alone."""
    from portal.opendata import services

    rows = list(csv.DictReader(lookup))
    code, name = _ward_columns(rows[0].keys() if rows else [])
    try:
        result = services.set_ward_codes({row[name]: row[code].strip() for row in rows})
    except RuleBroken as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Set the ONS code of {len(result.set)} wards; {len(result.unknown)} rows name "
               "none of this council's wards.")


def _ward_columns(headings) -> tuple[str, str]:
    """The names of the code and ward name columns of a lookup."""
    headings = list(headings)
    code = next((h for h in headings if re.fullmatch(r"WD\d\dCD|code", h.strip())), None)
    name = next((h for h in headings if re.fullmatch(r"WD\d\dNM|ward", h.strip())), None)
    if code is None or name is None:
        raise click.ClickException("The lookup needs a ward code column (WD24CD or code) and "
                                   "a ward name column (WD24NM or ward)")
    return code, name


places_cli = AppGroup("places", help="The council's wards and localities.")


@places_cli.command("populations")
@click.argument("lookup", type=click.File(encoding="utf-8-sig"))
def populations_command(lookup) -> None:
    """Set the wards' populations, for the per head figures of funding by place, from a CSV
    LOOKUP with `ward` and `population` columns, wards named in any case. A population that
    is not a whole number changes nothing."""
    from portal.reporting import places

    rows = csv.DictReader(lookup)
    if not {"ward", "population"} <= set(rows.fieldnames or []):
        raise click.ClickException("The lookup needs a ward column and a population column")
    try:
        result = places.set_populations({row["ward"]: row["population"] or ""
                                         for row in rows})
    except RuleBroken as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Set the population of {len(result.set)} wards.")
    if result.unknown:
        click.echo(f"These name none of this council's wards: {', '.join(result.unknown)}")


def init_app(app: Flask) -> None:
    app.cli.add_command(demo_cli)
    app.cli.add_command(daily_command)
    app.cli.add_command(awards_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(taper_cli)
    app.cli.add_command(files_cli)
    app.cli.add_command(funding_cli)
    app.cli.add_command(opendata_cli)
    app.cli.add_command(places_cli)
