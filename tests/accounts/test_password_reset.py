"""Resetting a forgotten password by an emailed, single-use, time-limited link."""

from datetime import timedelta

from sqlalchemy import select, update

from models import AccountToken, AuditEvent
from models.base import db, utcnow
from tests.conftest import sign_in_as
from tests.factories import PASSWORD, UserFactory
from tests.html import error_messages, soup

NEW_PASSWORD = "lantern meadow biscuit"
EMAIL = "reset@example.org"


def request_reset(client, email=EMAIL):
    return client.post("/forgot-password", data={"email": email})


def sign_in(client, password, email=EMAIL):
    return client.post("/sign-in", data={"email": email, "password": password})


def assert_link_refused(response):
    assert response.status_code == 400
    assert "expired or has already been used" in soup(response).h1.text


def test_full_reset_flow(client, outbox):
    """The emailed link lets the person choose a new password; only the new one then works."""
    UserFactory(email=EMAIL)
    sent = request_reset(client)
    assert sent.status_code == 200
    assert soup(sent).h1.text.strip() == "Check your email"
    message = outbox.to(EMAIL)[-1]
    assert message["Subject"] == "Reset your password"

    link = outbox.last_link(EMAIL)
    page = client.get(link)
    assert page.status_code == 200
    assert soup(page).h1.text.strip() == "Choose a new password"

    saved = client.post(link, data={"password": NEW_PASSWORD})
    assert saved.status_code == 302
    assert saved.headers["Location"] == "/sign-in"

    assert "Enter a correct email" in error_messages(sign_in(client, PASSWORD))["email"]
    assert sign_in(client, NEW_PASSWORD).status_code == 302
    assert client.get("/account").status_code == 200


def test_unknown_email_gets_the_same_page_and_no_email(client, outbox):
    """Asking for a reset does not reveal whether the address has an account."""
    UserFactory(email=EMAIL)
    known = request_reset(client)
    unknown = request_reset(client, "stranger@example.org")
    assert known.status_code == unknown.status_code == 200
    assert soup(known).h1.text == soup(unknown).h1.text
    assert "stranger@example.org" in soup(unknown).main.text
    assert outbox.to("stranger@example.org") == []
    assert len(outbox.messages()) == 1


def test_reset_link_works_once(client, outbox):
    """After a password has been set, the same link is refused."""
    UserFactory(email=EMAIL)
    request_reset(client)
    link = outbox.last_link(EMAIL)
    assert client.post(link, data={"password": NEW_PASSWORD}).status_code == 302
    assert_link_refused(client.get(link))
    assert_link_refused(client.post(link, data={"password": "another fine password"}))


def test_expired_link_is_refused(client, outbox):
    """A link past its expiry time shows the expired page and changes nothing."""
    user = UserFactory(email=EMAIL)
    request_reset(client)
    link = outbox.last_link(EMAIL)
    db.session.execute(update(AccountToken).where(AccountToken.user_id == user.id)
                       .values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()

    assert_link_refused(client.get(link))
    assert_link_refused(client.post(link, data={"password": NEW_PASSWORD}))
    assert sign_in(client, PASSWORD).status_code == 302


def test_an_earlier_link_stops_working_after_a_reset(client, outbox):
    """Using the newest link also cancels any other reset link sent before it."""
    UserFactory(email=EMAIL)
    request_reset(client)
    first = outbox.last_link(EMAIL)
    request_reset(client)
    second = outbox.last_link(EMAIL)
    assert first != second

    assert client.post(second, data={"password": NEW_PASSWORD}).status_code == 302
    assert_link_refused(client.get(first))


def test_reset_ends_existing_sessions(client, ctx, outbox):
    """A browser signed in before the reset is signed out by it."""
    user = UserFactory(email=EMAIL)
    elsewhere = ctx.test_client()
    sign_in_as(elsewhere, user)
    assert elsewhere.get("/account").status_code == 200

    request_reset(client)
    client.post(outbox.last_link(EMAIL), data={"password": NEW_PASSWORD})

    after = elsewhere.get("/account")
    assert after.status_code == 302
    assert after.headers["Location"].startswith("/sign-in")


def test_weak_new_password_is_explained_beside_the_field(client, outbox):
    """Too short or too common a password is refused beside the field; the link still works."""
    UserFactory(email=EMAIL)
    request_reset(client)
    link = outbox.last_link(EMAIL)

    short = client.post(link, data={"password": "short"})
    assert short.status_code == 200
    assert error_messages(short) == {"password": "Password must be 10 characters or more"}
    common = client.post(link, data={"password": "password123"})
    assert "too easy to guess" in error_messages(common)["password"]

    assert client.post(link, data={"password": NEW_PASSWORD}).status_code == 302


def test_reset_requests_are_rate_limited(client, outbox):
    """The 6th request in a minute from one IP gets the 429 page and sends nothing."""
    UserFactory(email=EMAIL)
    for _ in range(5):
        assert request_reset(client).status_code == 200
    blocked = request_reset(client)
    assert blocked.status_code == 429
    assert soup(blocked).h1.text.strip() == "You have tried too many times"
    assert len(outbox.to(EMAIL)) == 5


def test_reset_is_audited(client, outbox):
    """The request and the reset itself are both in the audit log against the account."""
    user = UserFactory(email=EMAIL)
    request_reset(client)
    client.post(outbox.last_link(EMAIL), data={"password": NEW_PASSWORD})
    db.session.expire_all()
    logged = db.session.execute(
        select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.object_id)
        .order_by(AuditEvent.id)).all()
    assert [tuple(row) for row in logged] == [
        ("password.reset_requested", user.id, user.id),
        ("password.reset", user.id, user.id),
    ]
