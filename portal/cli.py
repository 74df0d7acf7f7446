"""Command-line tools: `flask demo load`."""

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


def init_app(app: Flask) -> None:
    app.cli.add_command(demo_cli)
