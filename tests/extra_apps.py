"""Building extra apps in a test (another configuration, a temporary route, another database),
with their database connections closed afterwards."""

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, url_for

from models.base import db
from portal import create_app
from tests.conftest import HtmlCheckingClient


@contextmanager
def extra_app(overrides: dict | None = None) -> Iterator[Flask]:
    """A new app from the environment plus `overrides`; its engine is disposed at the end."""
    app = create_app(overrides)
    app.test_client_class = HtmlCheckingClient
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()


def sample_url(app: Flask, rule, samples: dict) -> str:
    """The URL of `rule` with its arguments taken from `samples` by name."""
    with app.test_request_context():
        return url_for(rule.endpoint, **{name: samples[name] for name in rule.arguments})
