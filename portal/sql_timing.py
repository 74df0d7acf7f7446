"""Opt-in SQL timing (SQL_TIMING=1, off by default): each response carries a header
`Server-Timing: sql;dur=<ms>;desc="<n> queries"` with the time its SQL statements took and how
many there were, which benchmarks/scale.py reads to set a page's time against its SQL time.
Off by default because it is a measuring tool: the header tells any visitor how much work the
database did."""

import time

from flask import Flask, Response, g, has_app_context
from sqlalchemy import event

from portal.extensions import db


def init_app(app: Flask) -> None:
    if not app.config["SQL_TIMING"]:
        return
    with app.app_context():
        for engine in db.engines.values():
            event.listen(engine, "before_cursor_execute", _started)
            event.listen(engine, "after_cursor_execute", _finished)
    app.before_request(_start_counting)
    app.after_request(_add_header)


def _start_counting() -> None:
    # A request usually has an application context (and so a g) of its own, but not when one
    # was already open, as in the tests: each request counts only its own statements.
    g.sql_seconds = 0.0
    g.sql_queries = 0


def _started(conn, cursor, statement, parameters, context, executemany) -> None:
    conn.info.setdefault("sql_timing_starts", []).append(time.perf_counter())


def _finished(conn, cursor, statement, parameters, context, executemany) -> None:
    took = time.perf_counter() - conn.info["sql_timing_starts"].pop()
    # Statements outside a request or CLI command (none today) have nowhere to be added up.
    if has_app_context():
        g.sql_seconds = g.get("sql_seconds", 0.0) + took
        g.sql_queries = g.get("sql_queries", 0) + 1


def _add_header(response: Response) -> Response:
    milliseconds = g.get("sql_seconds", 0.0) * 1000
    response.headers["Server-Timing"] = (
        f'sql;dur={milliseconds:.1f};desc="{g.get("sql_queries", 0)} queries"')
    return response
