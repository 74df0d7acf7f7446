"""Test fixtures. Every test that touches the app runs once on SQLite and, when
TEST_DATABASE_URL names a PostgreSQL database, once more on PostgreSQL. The schema is built by
the migrations, not by create_all, so the tests also prove the migrations."""

import os

os.environ["PORTAL_ENV"] = "testing"

import email
import email.policy
import re
from pathlib import Path

import flask_migrate
import psycopg
import pytest
import sqlalchemy as sa
from flask import current_app
from flask.testing import FlaskClient
from sqlalchemy import select

from models import StoredFile
from models.base import db
from portal import create_app, file_store
from portal.accounts import sessions
from portal.extensions import limiter
from tests.html import assert_page_is_sound

# Under pytest-xdist each worker ("gw0", "gw1", ...) has a PostgreSQL database of its own.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"


def _for_this_worker(url: str) -> str:
    """TEST_DATABASE_URL, or under xdist its database name with the worker's: portal_ci_gw0."""
    if not (url and WORKER):
        return url
    parsed = sa.make_url(url)
    return parsed.set(database=f"{parsed.database}_{WORKER}").render_as_string(
        hide_password=False)


TEST_DATABASE_URL = _for_this_worker(os.environ.get("TEST_DATABASE_URL", ""))

BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])


def pytest_configure(config):
    if REQUIRE_POSTGRES and not TEST_DATABASE_URL:
        raise pytest.UsageError("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")


def pytest_collection_modifyitems(config, items):
    """A test marked any_database runs once, on SQLite, rather than once a database."""
    repeated = {item.nodeid for item in items if item.get_closest_marker("any_database")
                and hasattr(item, "callspec")
                and item.callspec.params.get("backend") == "postgresql"}
    if repeated:
        config.hook.pytest_deselected(items=[item for item in items if item.nodeid in repeated])
        items[:] = [item for item in items if item.nodeid not in repeated]


def _on_postgres_server(url: sa.URL) -> psycopg.Connection:
    """A connection outside any transaction (for CREATE/DROP DATABASE) to the server's
    `postgres` database."""
    server = url.set(drivername="postgresql", database="postgres")
    return psycopg.connect(server.render_as_string(hide_password=False), autocommit=True)


def run_on_postgres_server(url: sa.URL, statement: str) -> None:
    with _on_postgres_server(url) as connection:
        connection.execute(statement)


def reset_postgresql(url: str) -> None:
    """Empty the PostgreSQL test database (creating a worker's the first time) so that the
    migrations build it from nothing."""
    name = sa.make_url(url).database
    with _on_postgres_server(sa.make_url(url)) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                  (name,)).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def database_url_for(backend: str, folder: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{folder / 'portal-test.db'}"
    from portal.config import sqlalchemy_url

    url = sqlalchemy_url(TEST_DATABASE_URL)
    reset_postgresql(url)
    return url


class HtmlCheckingClient(FlaskClient):
    """A test client that fails the test when any HTML response is not well-formed or shows
    our own markup as text.

    Each request runs in an application context of its own, as it would in production, so it
    gets a fresh database session instead of sharing the test's (and its cached rows).
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if response.mimetype == "text/html" and response.status_code != 304:
            assert_page_is_sound(response.get_data(as_text=True))
        return response


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def app(backend, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"portal-{backend}")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url_for(backend, folder),
            "MAIL_OUTBOX": str(folder / "outbox"),
            "UPLOAD_FOLDER": str(folder / "uploads"),
            "OPEN_DATA_FOLDER": str(folder / "open-data"),
            "WTF_CSRF_ENABLED": False,
            "PASSWORD_HASH_TIME_COST": 1,
        }
    )
    app.test_client_class = HtmlCheckingClient
    with app.app_context():
        flask_migrate.upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def empty_database() -> None:
    """Delete every row, children first. DELETE, not TRUNCATE: on PostgreSQL, truncating the
    60-odd tables took 160-500 ms a test, deleting their few rows takes a few."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


def leave_empty(app) -> None:
    """Leave the database, outbox and rate limits empty for the next test; call it inside the
    test's application context."""
    db.session.rollback()
    empty_database()
    for message in Path(app.config["MAIL_OUTBOX"]).glob("*.eml"):
        message.unlink()
    limiter.reset()


@pytest.fixture
def ctx(app):
    """An application context for the test, with an empty database, outbox and rate limits."""
    with app.app_context():
        yield app
        leave_empty(app)


@pytest.fixture
def client(ctx):
    return ctx.test_client()


class Outbox:
    """The mail the app has written to its outbox folder, oldest first."""

    def __init__(self, folder: str):
        self.folder = Path(folder)

    def messages(self) -> list[email.message.EmailMessage]:
        return [
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(self.folder.glob("*.eml"))
        ]

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages() if m["To"] == address]

    def last_link(self, address: str) -> str:
        """The last link in the last message to `address`, as a path on this site."""
        text = self.to(address)[-1].get_body(("plain",)).get_content()
        url = re.findall(r"https?://\S+", text)[-1]
        return re.sub(r"^https?://[^/]+", "", url)


@pytest.fixture
def outbox(ctx) -> Outbox:
    return Outbox(ctx.config["MAIL_OUTBOX"])


def sign_in_as(client: FlaskClient, user, remember: bool = False) -> None:
    """Start a signed-in session for `user` without the cost of a password check."""
    sessions.start(user, remember)
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


class Store:
    """The file store a test keeps its files in (portal/file_store.py), and what is in it."""

    def __init__(self, name: str):
        self.name = name

    def names(self, kind: str) -> list[str]:
        """The names of the files of `kind`, sorted."""
        if self.name == "folder":
            folder = Path(current_app.config[file_store.FOLDER_SETTINGS[kind]])
            return sorted(path.name for path in folder.iterdir()) if folder.exists() else []
        if self.name == "database":
            return list(db.session.scalars(select(StoredFile.name)
                                           .where(StoredFile.kind == kind)
                                           .order_by(StoredFile.name)))
        s3 = file_store._s3_store()
        listed = s3.client.list_objects_v2(Bucket=s3.bucket, Prefix=f"{s3.prefix}{kind}/")
        return sorted(item["Key"].rsplit("/", 1)[1] for item in listed.get("Contents", []))

    def read(self, kind: str, name: str) -> bytes | None:
        return file_store.read(kind, name)

    def put(self, kind: str, name: str, data: bytes) -> None:
        """Put bytes in the store behind the portal's back (a damaged file, say)."""
        file_store.save(kind, name, data)
        db.session.commit()

    def lose(self, kind: str, name: str) -> None:
        """A file gone missing behind the portal's back."""
        file_store.delete(kind, name)


FILE_STORES = ["folder", "database", "s3"]


@pytest.fixture
def store(request, ctx, tmp_path, monkeypatch) -> Store:
    """Every test that asks for it keeps its files in a store of its own: the FILE_STORE the
    suite runs with (folders under tmp_path by default), or each of FILE_STORES with
    `@pytest.mark.parametrize("store", FILE_STORES, indirect=True)`."""
    name = getattr(request, "param", None) or ctx.config["FILE_STORE"]
    monkeypatch.setitem(ctx.config, "FILE_STORE", name)
    for kind, setting in file_store.FOLDER_SETTINGS.items():
        monkeypatch.setitem(ctx.config, setting, str(tmp_path / kind))
    if name == "s3":
        request.getfixturevalue("s3_bucket")
    return Store(name)


@pytest.fixture
def s3_bucket(ctx, monkeypatch):
    """An S3 bucket mocked by moto, with fake credentials so no real AWS can be reached."""
    import boto3
    from moto import mock_aws

    for variable in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE",
                     "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setitem(ctx.config, "S3_BUCKET", "portal-test")
    monkeypatch.setitem(ctx.config, "S3_ENDPOINT_URL", None)
    monkeypatch.setitem(ctx.config, "S3_PREFIX", "council/")
    with mock_aws():
        boto3.client("s3").create_bucket(Bucket="portal-test")
        ctx.extensions.pop("file_store.s3", None)
        yield "portal-test"
        ctx.extensions.pop("file_store.s3", None)
