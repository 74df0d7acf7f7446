"""Command-line tools: `flask demo load`, `flask demo code` and `flask awards expire`."""

import click
from flask import Flask, current_app
from flask.cli import AppGroup

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


awards_cli = AppGroup("awards", help="Award offers.")


@awards_cli.command("expire")
def expire_command() -> None:
    """Close the offers not accepted by their date, releasing their money. Run it daily."""
    from models.base import utcnow
    from portal.awards.services import expire_offers

    click.echo(f"Expired {expire_offers(utcnow())} award offers.")


def init_app(app: Flask) -> None:
    app.cli.add_command(demo_cli)
    app.cli.add_command(awards_cli)
