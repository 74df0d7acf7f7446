"""Award letters: how fast the portal's pipeline (letter_data + render + store) makes letters,
against WeasyPrint rendering the same final HTML directly, and the bulk job's throughput with
one and two RQ worker processes (`flask jobs worker --burst`) on the local Redis.

Usage: python benchmarks/letters.py [--letters 200] [--rounds 4] [--database URL]
       [--redis redis://127.0.0.1:6379/0]

The database is a temporary SQLite file, or the PostgreSQL database named by --database (or
BENCH_DATABASE_URL), which is emptied first. The letters go to a temporary folder.
"""

import argparse
import os
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PORTAL_ENV", "testing")

from redis import Redis  # noqa: E402
from rq import Queue  # noqa: E402
from sqlalchemy import delete, select  # noqa: E402
from weasyprint import HTML  # noqa: E402

from benchmarks.harness import bench_app  # noqa: E402
from models import (  # noqa: E402
    Allocation,
    Application,
    Award,
    AwardLetter,
    AwardVersion,
    Decision,
    FundingPot,
    Instalment,
    LetterBatch,
    MonitoringReturn,
    Organisation,
    Round,
    Scheme,
    User,
)
from models.base import db, utcnow  # noqa: E402
from models.enums import (  # noqa: E402
    ApplicationStatus,
    AwardChange,
    AwardStatus,
    DecisionAuthority,
    DecisionOutcome,
    FundingSource,
    JobStatus,
    PaymentTiming,
    RoundStatus,
)
from portal import jobs  # noqa: E402
from portal.awards import letters  # noqa: E402
from portal.awards.terms import snapshot  # noqa: E402
from portal.pdf import STATIC, LocalFilesOnly  # noqa: E402


def build_awards(count: int, rounds: int) -> list[int]:
    """`count` offered awards spread over `rounds` rounds, each paid from two pots in two
    instalments, with two monitoring returns and its first version of the terms."""
    now = utcnow()
    officer = User(email="officer@bench.example.org", full_name="Bench Officer",
                   email_verified_at=now)
    scheme = Scheme(name="Bench grants", reference_prefix="BEN")
    round_rows = [Round(scheme=scheme, name=f"Bench round {n}", financial_year="2024/25",
                        opens_at=now - timedelta(days=90), closes_at=now - timedelta(days=30),
                        budget_pence=5_000_000_00, min_award_pence=100_00,
                        max_award_pence=10_000_00, max_project_months=12,
                        status=RoundStatus.DECIDED) for n in range(rounds)]
    pots = [FundingPot(name=name, financial_year="2024/25", source=source, funder_name=funder,
                       acknowledgement=f"Funded by {funder}.")
            for name, source, funder in [("Core 2024/25", FundingSource.CORE, "Bench Council"),
                                         ("ICB 2024/25", FundingSource.EXTERNAL,
                                          "NHS Bench Integrated Care Board")]]
    db.session.add_all([officer, *round_rows, *pots])
    start = date.today() + timedelta(days=14)
    for n in range(count):
        organisation = Organisation(name=f"Bench organisation {n}",
                                    address_line_1=f"{n + 1} High Street", town="Benchford",
                                    postcode="HD1 1AA")
        amount = 1_000_00 + 37 * n
        application = Application(
            round=round_rows[n % rounds], organisation=organisation, created_by=officer,
            reference=f"BEN-2425-{n + 1:04d}", status=ApplicationStatus.APPROVED, sections={},
            title=f"Community project {n}", amount_requested_pence=amount, submitted_at=now)
        decision = Decision(application=application, outcome=DecisionOutcome.APPROVED,
                            amount_pence=amount, authority=DecisionAuthority.DELEGATED_OFFICER,
                            decided_on=date.today(), recorded_by=officer)
        award = Award(
            application=application, decision=decision, reference=application.reference,
            amount_pence=amount, status=AwardStatus.OFFERED,
            standard_conditions="1. Spend the grant on the project.\n2. Keep receipts.",
            special_conditions="Send photographs of the sessions.", offered_by=officer,
            accept_by=date.today() + timedelta(days=28), start_date=start,
            end_date=start + timedelta(days=364), payment_timing=PaymentTiming.IN_ADVANCE,
            subsidy_total_pence=amount, subsidy_statement="This grant is given as Minimal "
            "Financial Assistance under section 36 of the Subsidy Control Act 2022.",
            allocations=[Allocation(pot=pots[0], amount_pence=amount - 500_00),
                         Allocation(pot=pots[1], amount_pence=500_00)],
            instalments=[Instalment(number=1, due_on=start, amount_pence=amount - 400_00),
                         Instalment(number=2, due_on=start + timedelta(days=180),
                                    amount_pence=400_00)],
            monitoring_returns=[
                MonitoringReturn(title="Interim report", due_on=start + timedelta(days=180)),
                MonitoringReturn(title="End of grant report",
                                 due_on=start + timedelta(days=394))])
        db.session.add(award)
        db.session.flush()
        db.session.add(AwardVersion(award_id=award.id, number=1, change=AwardChange.OFFER,
                                    reason="Offer made", terms=snapshot(award),
                                    created_by=officer, created_at=now))
    db.session.commit()
    return list(db.session.scalars(select(Award.id).order_by(Award.id)))


def forget_letters(folder: Path) -> None:
    """Remove every stored letter and batch, so the next run renders all of them again."""
    db.session.execute(delete(AwardLetter))
    db.session.execute(delete(LetterBatch))
    db.session.commit()
    for path in folder.glob("*.pdf"):
        path.unlink()


def time_side_by_side(references: list[str], pages: list[str]) -> tuple[float, float]:
    """Seconds for the portal's pipeline and for WeasyPrint alone, letter by letter in turn,
    so that a change in the machine's load weighs on both alike."""
    pipeline = direct = 0.0
    for reference, html in zip(references, pages, strict=True):
        start = time.perf_counter()
        letters.system_letter(reference)
        middle = time.perf_counter()
        HTML(string=html, base_url=STATIC.as_uri() + "/",
             url_fetcher=LocalFilesOnly()).write_pdf()
        pipeline, direct = pipeline + middle - start, direct + time.perf_counter() - middle
    return pipeline, direct


def time_reuse(references: list[str]) -> float:
    start = time.perf_counter()
    for reference in references:
        letters.system_letter(reference)
    return time.perf_counter() - start


def wait_for(batch_ids: list[int], processes: list[subprocess.Popen]) -> None:
    """Poll the batches until each is done; fail if one failed or the workers all stopped."""
    while True:
        statuses = set(db.session.scalars(
            select(LetterBatch.status).where(LetterBatch.id.in_(batch_ids))
            .execution_options(populate_existing=True)))
        db.session.rollback()
        if JobStatus.FAILED in statuses:
            raise RuntimeError("A batch failed")
        if statuses == {JobStatus.DONE}:
            return
        if all(process.poll() is not None for process in processes):
            raise RuntimeError("The workers stopped before the batches were done")
        time.sleep(0.05)


def time_workers(app, workers: int, database_url: str, folder: Path, redis_url: str) -> float:
    """Queue one batch per round, start `workers` burst workers, and time until every batch
    is done (the workers' start-up included). BENCH_WORKER_LOG names a file for their logs."""
    queue_name = f"bench-letters-{uuid.uuid4().hex}"
    app.config.update(REDIS_URL=redis_url, JOB_QUEUE=queue_name)
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url,
           "JOB_QUEUE": queue_name, "LETTER_FOLDER": str(folder), "FLASK_APP": "wsgi.py"}
    try:
        officer = db.session.scalar(select(User).where(User.email.like("officer@%")))
        batch_ids = [letters_batch(officer, round_id)
                     for round_id in db.session.scalars(select(Round.id).order_by(Round.id))]
        with open(os.environ.get("BENCH_WORKER_LOG", os.devnull), "a") as log:
            start = time.perf_counter()
            processes = [subprocess.Popen([sys.executable, "-m", "flask", "jobs", "worker",
                                           "--burst"], cwd=ROOT, env=env, stdout=log,
                                          stderr=log)
                         for _ in range(workers)]
            wait_for(batch_ids, processes)
            elapsed = time.perf_counter() - start
            for process in processes:
                process.wait(timeout=60)
        return elapsed
    finally:
        connection = Redis.from_url(redis_url)
        Queue(queue_name, connection=connection).delete(delete_jobs=True)
        for key in connection.scan_iter(f"rq:*{queue_name}*"):
            connection.delete(key)
        app.config.update(REDIS_URL=None)


def letters_batch(officer: User, round_id: int) -> int:
    """Queue a round's batch as the system would for an officer (the policy check is the
    route's business, not the benchmark's)."""
    batch = LetterBatch(round_id=round_id, requested_by=officer, status=JobStatus.QUEUED)
    db.session.add(batch)
    db.session.commit()
    jobs.enqueue("portal.awards.letters.run_batch", batch.id)
    return batch.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--letters", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=4,
                        help="rounds to spread the awards over: one batch (job) each")
    parser.add_argument("--database", help="a PostgreSQL URL (emptied first)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    if args.database:
        os.environ["BENCH_DATABASE_URL"] = args.database

    with bench_app() as (app, kind), TemporaryDirectory() as folder:
        app.config["LETTER_FOLDER"] = folder
        with app.app_context():
            award_ids = build_awards(args.letters, args.rounds)
            references = list(db.session.scalars(select(Award.reference).order_by(Award.id)))
            # Warm up WeasyPrint (fonts, CSS) so neither side pays for it.
            letters.render(letters.letter_data(db.session.get(Award, award_ids[0])))
            pages = [letters.render_html(letters.letter_data(db.session.get(Award, award_id)))
                     for award_id in award_ids]
            db.session.expire_all()
            pipeline, direct = time_side_by_side(references, pages)
            reused = time_reuse(references)
            n = len(references)
            load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
            print(f"{kind}: {n} letters over {args.rounds} rounds; {os.cpu_count()} CPUs, "
                  f"load average {load} at the start")
            print(f"  portal pipeline (data + render + store)  {n / pipeline:6.1f} letters/s")
            print(f"  WeasyPrint on the same HTML              {n / direct:6.1f} letters/s")
            print(f"  ratio pipeline / WeasyPrint              {direct / pipeline:6.2f}")
            print(f"  unchanged letters reused                 {n / reused:6.1f} letters/s")
            database_url = str(db.engine.url.render_as_string(hide_password=False))
            for workers in (1, 2):
                forget_letters(Path(folder))
                elapsed = time_workers(app, workers, database_url, Path(folder), args.redis)
                print(f"  bulk job, {workers} worker{'s' if workers > 1 else ' '} "
                      f"({args.rounds} batches)     {n / elapsed:6.1f} letters/s "
                      f"({elapsed:.1f} s, worker start-up included)")


if __name__ == "__main__":
    main()
