"""The portal with Redis down: people still sign in (rate limits kept in memory) and the health
check reports Redis apart from the database, as degraded rather than down."""

import pytest
from sqlalchemy.exc import OperationalError

from models.base import db
from portal.extensions import limiter
from tests.extra_apps import extra_app
from tests.factories import PASSWORD, UserFactory
from tests.html import soup

LIVE_REDIS = "redis://127.0.0.1:6379/0"
DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1
SHARED = ("SQLALCHEMY_DATABASE_URI", "MAIL_OUTBOX", "UPLOAD_FOLDER", "WTF_CSRF_ENABLED",
          "PASSWORD_HASH_TIME_COST")


@pytest.fixture
def redis_down(ctx, monkeypatch):
    """An app whose REDIS_URL names a Redis that is down, on the test database. The limiter is
    one object shared by every app, so it is put back as it was afterwards."""
    saved = dict(vars(limiter))
    monkeypatch.setenv("REDIS_URL", DEAD_REDIS)
    with extra_app({key: ctx.config[key] for key in SHARED}) as app:
        yield app
    vars(limiter).clear()
    vars(limiter).update(saved)


def sign_in(client, email: str, password: str = PASSWORD):
    return client.post("/sign-in", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": "203.0.113.7"})


def test_sign_in_works_when_redis_is_down(redis_down):
    UserFactory(email="sam@example.org", full_name="Sam Signer")
    client = redis_down.test_client()
    response = sign_in(client, "sam@example.org")
    assert response.status_code == 302
    assert "Welcome, Sam Signer" in soup(client.get("/")).h1.text


def test_sign_in_is_still_rate_limited_in_memory_when_redis_is_down(redis_down):
    UserFactory(email="target@example.org")
    client = redis_down.test_client()
    for _ in range(10):
        assert sign_in(client, "target@example.org", "guess guess guess").status_code == 200
    assert sign_in(client, "target@example.org").status_code == 429


def test_health_check_without_redis_configured_is_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok",
                                   "redis": "not configured"}


def test_health_check_with_redis_up_is_ok(ctx, client, monkeypatch):
    monkeypatch.setitem(ctx.config, "REDIS_URL", LIVE_REDIS)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_health_check_with_redis_down_is_degraded_not_down(redis_down):
    response = redis_down.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "degraded", "database": "ok",
                                   "redis": "unavailable"}


def test_health_check_with_the_database_down_is_an_error(redis_down, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    monkeypatch.setattr(db.session, "execute", unreachable)
    response = redis_down.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unavailable",
                                   "redis": "unavailable"}
