"""Command-line tools: `flask demo load` and `flask demo code`."""

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


def init_app(app: Flask) -> None:
    app.cli.add_command(demo_cli)
