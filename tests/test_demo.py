"""`flask demo load` builds the Kirklees reference world of DESIGN.md, once, and never in
production."""

import os
import subprocess
import sys
import tomllib

from sqlalchemy import func, select

from models import Membership, User
from models.base import db
from models.enums import Role
from portal import PROJECT_ROOT
from portal.demo import DATA_FILE
from tests.html import soup

DEMO = tomllib.loads(DATA_FILE.read_text())


def load(app):
    return app.test_cli_runner().invoke(args=["demo", "load"])


def row_counts() -> dict[str, int]:
    db.session.expire_all()
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def test_demo_users_cover_every_role_and_sign_in(ctx):
    """There is a user for each role, and each signs in with the published demo password.
    (The organisations' own contacts share that password; they are not all tried here, to stay
    under the sign-in rate limit.)"""
    load(ctx)
    listed = {spec["email"] for spec in DEMO["users"]}
    users = list(db.session.scalars(select(User).where(User.email.in_(listed))))
    assert {role for user in users for role in user.roles} == set(Role)
    for user in users:
        client = ctx.test_client()
        response = client.post("/sign-in", data={"email": user.email,
                                                 "password": DEMO["password"]})
        assert response.status_code == 302, user.email
        if user.uses_authenticator:  # staff give the code that `flask demo code` prints
            assert response.headers["Location"] == "/sign-in/code"
            code = ctx.test_cli_runner().invoke(args=["demo", "code"]).output.strip()
            response = client.post("/sign-in/code", data={"code": code})
            assert response.status_code == 302, user.email
        home = client.get("/", follow_redirects=True)
        if user.partner:  # a partner's staff go straight to the partner's pages
            assert home.request.path == f"/partners/{user.partner.id}"
        else:
            assert f"Welcome, {user.full_name}" in soup(home).h1.text

    applicant = next(user for user in users if user.has_role(Role.APPLICANT))
    assert db.session.scalar(select(Membership).where(Membership.user_id == applicant.id))


def test_demo_load_twice_adds_nothing(ctx):
    """Loading again finds every row already there: each table keeps its count."""
    load(ctx)
    first = row_counts()
    assert first["wards"] == 23
    again = load(ctx)
    assert again.exit_code == 0
    assert "added 0 wards, 0 organisations, 0 users" in again.output
    assert row_counts() == first


def test_demo_load_is_refused_when_configured_for_production(ctx, monkeypatch):
    """An app configured for production refuses, with a message, and writes nothing."""
    monkeypatch.setitem(ctx.config, "PORTAL_ENV", "production")
    result = load(ctx)
    assert result.exit_code != 0
    assert "never loaded in production" in result.output
    assert set(row_counts().values()) == {0}


def test_demo_load_is_refused_with_portal_env_production(tmp_path):
    """`PORTAL_ENV=production flask demo load` exits non-zero and touches no database."""
    database = tmp_path / "production.db"
    env = {**os.environ, "PORTAL_ENV": "production", "SECRET_KEY": "x" * 64,
           "DATABASE_URL": f"sqlite:///{database}", "MAIL_OUTBOX": str(tmp_path / "outbox")}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "demo", "load"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode != 0
    assert "never loaded in production" in result.stderr
    assert not database.exists()

