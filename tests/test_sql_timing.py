"""SQL_TIMING: a Server-Timing header with each response's SQL time and count, only when on."""

import re

import sqlalchemy as sa

from models.base import db
from tests.extra_apps import extra_app


def test_header_gives_each_requests_sql_time_and_count_when_on(ctx):
    with extra_app({"SQLALCHEMY_DATABASE_URI": ctx.config["SQLALCHEMY_DATABASE_URI"],
                    "SQL_TIMING": True}) as app:

        @app.get("/test-only/two-queries")
        def two_queries():
            db.session.execute(sa.text("SELECT 1"))
            db.session.execute(sa.text("SELECT 2"))
            return "done", {"Content-Type": "text/plain"}

        client = app.test_client()
        first = client.get("/test-only/two-queries")
        second = client.get("/test-only/two-queries")
    for response in (first, second):
        match = re.fullmatch(r'sql;dur=(\d+\.\d);desc="(\d+) queries"',
                             response.headers["Server-Timing"])
        assert match, response.headers["Server-Timing"]
        assert float(match[1]) >= 0
        assert match[2] == "2"


def test_no_header_when_off(ctx):
    with extra_app({"SQLALCHEMY_DATABASE_URI": ctx.config["SQLALCHEMY_DATABASE_URI"]}) as app:
        assert app.config["SQL_TIMING"] is False

        @app.get("/test-only/two-queries")
        def two_queries():
            db.session.execute(sa.text("SELECT 1"))
            return "done", {"Content-Type": "text/plain"}

        response = app.test_client().get("/test-only/two-queries")
    assert response.status_code == 200
    assert "Server-Timing" not in response.headers
