"""The migrations build the models' schema exactly, from an empty database, and can be undone
and redone. Runs on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set."""

import warnings
from collections.abc import Iterator

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import current_app

from models.base import db
from portal.config import sqlalchemy_url
from tests.conftest import TEST_DATABASE_URL, run_on_postgres_server
from tests.extra_apps import extra_app

BACKENDS = [pytest.param("sqlite", id="sqlite")]
if TEST_DATABASE_URL:
    BACKENDS.append(pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres))


@pytest.fixture(params=BACKENDS)
def empty_database_url(request, tmp_path) -> Iterator[str]:
    """The URL of a database with nothing in it, removed after the test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    url = sa.make_url(sqlalchemy_url(TEST_DATABASE_URL))
    url = url.set(database=f"{url.database}_migrations")
    run_on_postgres_server(url, f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
    run_on_postgres_server(url, f'CREATE DATABASE "{url.database}"')
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        run_on_postgres_server(url, f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')


def schema_differences() -> list:
    """What `flask db migrate` would write: the differences between the models and the schema,
    compared with the options the app gives Alembic."""
    options = {**current_app.extensions["migrate"].configure_args, "compare_type": True}
    with db.engine.connect() as connection, warnings.catch_warnings():
        # SQLite cannot reflect an index on an expression (lower(name)), so Alembic says it
        # skips it there; the PostgreSQL run compares it.
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified "
                                "expression-based index", UserWarning)
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based "
                                "index", sa.exc.SAWarning)
        context = MigrationContext.configure(connection, opts=options)
        return compare_metadata(context, db.metadata)


def table_names() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def test_migrations_build_the_models_schema_and_can_be_undone(empty_database_url):
    """upgrade → no difference from the models → downgrade to base → upgrade again."""
    with extra_app({"SQLALCHEMY_DATABASE_URI": empty_database_url}) as app, app.app_context():
        assert table_names() == set()
        assert schema_differences() != []  # the comparison does see missing tables

        flask_migrate.upgrade()
        assert table_names() >= {table.name for table in db.metadata.sorted_tables}
        assert schema_differences() == []

        flask_migrate.downgrade(revision="base")
        assert table_names() <= {"alembic_version"}

        flask_migrate.upgrade()
        assert schema_differences() == []


def test_pots_stored_figures_are_filled_in_from_their_entries(empty_database_url):
    """The migration that gives pots their stored figures sums the entries already there."""
    from datetime import UTC, datetime
    from uuid import uuid4

    from models import LedgerEntry, User
    from portal.funding import ledger_check

    with extra_app({"SQLALCHEMY_DATABASE_URI": empty_database_url}) as app, app.app_context():
        flask_migrate.upgrade(revision="b71c4bb74fa6")
        now = datetime(2024, 4, 1, tzinfo=UTC)
        actor_id = db.session.execute(sa.insert(User).values(
            email="officer@example.org", full_name="Officer", created_at=now)
            .returning(User.id)).scalar_one()
        for name in ("Funded", "Empty"):
            db.session.execute(sa.text(
                "INSERT INTO funding_pots (name, financial_year, source, funder_name, "
                "funder_org_id, acknowledgement, status, created_at) VALUES "
                "(:name, '2024/25', 'core', 'Council', '', '', 'open', :now)"),
                {"name": name, "now": now})
        pot_id = db.session.scalar(sa.text("SELECT id FROM funding_pots WHERE name = 'Funded'"))
        db.session.execute(sa.insert(LedgerEntry), [
            {"pot_id": pot_id, "kind": kind, "amount_pence": pence, "reason": "Before",
             "actor_id": actor_id, "created_at": now, "batch": uuid4()}
            for kind, pence in (("budget", 5_000_00), ("transfer", -1_000_00),
                                ("commitment", 3_000_00), ("release", 500_00),
                                ("payment", 1_200_00), ("clawback", 200_00))])
        db.session.commit()

        flask_migrate.upgrade()

        assert db.session.execute(sa.text(
            "SELECT name, budget_pence, committed_pence, paid_pence FROM funding_pots "
            "ORDER BY name")).all() == [("Empty", 0, 0, 0),
                                        ("Funded", 4_000_00, 2_500_00, 1_000_00)]
        assert ledger_check.check().agrees
        db.session.remove()
