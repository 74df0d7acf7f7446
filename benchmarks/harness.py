"""What every benchmark script shares: an empty migrated database (SQLite in a temporary folder,
or BENCH_DATABASE_URL), a client signed in with a role, and timing pages."""

import os
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from tempfile import TemporaryDirectory

import flask_migrate
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from models import User, UserRole
from models.base import db
from models.enums import Role
from portal import create_app
from portal.accounts import sessions
from portal.config import sqlalchemy_url


@contextmanager
def bench_app() -> Iterator[tuple[Flask, str]]:
    """A migrated, empty database and an app on it; yields (app, database kind)."""
    with TemporaryDirectory() as folder:
        url = sqlalchemy_url(os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/b.db")
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
        with app.app_context():
            if url.startswith("postgresql"):
                db.session.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
                db.session.commit()
            flask_migrate.upgrade()
        yield app, url.split(":")[0].split("+")[0]


def signed_in_client(app: Flask, role: Role) -> FlaskClient:
    """A client signed in as the first person holding `role` (staff skip the code step)."""
    with app.app_context():
        user_id = db.session.scalar(
            sa.select(UserRole.user_id).where(UserRole.role == role).limit(1))
        user = db.session.get(User, user_id)
        sessions.start(user, remember=False)
        db.session.commit()
        session_id = user.get_id()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
    return client


def time_pages(client: FlaskClient, paths: list[str], repeat: int) -> None:
    """Request each path `repeat` times and print the median and 95th percentile."""
    width = max(len(path) for path in paths)
    for path in paths:
        timings = []
        for _ in range(repeat):
            start = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        timings.sort()
        p95 = timings[max(int(len(timings) * 0.95) - 1, 0)]
        print(f"  {path:{width}}  median {statistics.median(timings):7.1f} ms   "
              f"p95 {p95:7.1f} ms")
