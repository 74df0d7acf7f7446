"""Counting the SQL statements a request runs, to keep each page's count constant as data grows."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from models.base import db


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """Collect every statement the app's engine runs inside the block."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
