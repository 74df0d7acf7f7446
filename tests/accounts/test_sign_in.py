"""Signing in and out: the right password works, nothing reveals who has an account, repeated
guessing is stopped and every attempt is audited."""

import re

from sqlalchemy import select

from models import AuditEvent
from models.base import db
from tests.factories import PASSWORD, UserFactory
from tests.html import error_messages, soup, summary_errors

BAD_SIGN_IN = "Enter a correct email address and password"
REMOTE = {"REMOTE_ADDR": "203.0.113.7"}


def sign_in(client, email, password=PASSWORD, **extra):
    return client.post("/sign-in", data={"email": email, "password": password, **extra},
                       environ_base=REMOTE)


def events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def main_without(response, *texts: str) -> str:
    """The page's main content with the given texts and the per-request CSP nonce blanked."""
    markup = str(soup(response).main)
    for text in texts:
        markup = markup.replace(text, "")
    return re.sub(r'nonce="[^"]*"', "", markup)


def test_right_password_signs_in_and_is_audited(client):
    """The right password goes to the home page, signed in, and the audit log has the IP."""
    user = UserFactory(email="sam@example.org", full_name="Sam Signer")
    response = sign_in(client, "Sam@Example.org")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Welcome, Sam Signer" in soup(client.get("/")).h1.text

    [event] = events("sign_in")
    assert event.actor_id == user.id
    assert event.ip_address == "203.0.113.7"


def test_wrong_password_and_unknown_email_look_the_same(client):
    """Neither the page nor the message tells an attacker whether the address has an account."""
    UserFactory(email="known@example.org")
    wrong = sign_in(client, "known@example.org", "not the password at all")
    unknown = sign_in(client, "nobody@example.org", "not the password at all")

    assert wrong.status_code == unknown.status_code == 200
    assert error_messages(wrong) == error_messages(unknown) == {"email": BAD_SIGN_IN}
    assert summary_errors(wrong) == summary_errors(unknown) == [BAD_SIGN_IN]
    assert main_without(wrong, "known@example.org") == main_without(unknown, "nobody@example.org")

    failures = events("sign_in.failed")
    assert sorted(e.details["email"] for e in failures) == ["known@example.org",
                                                          "nobody@example.org"]
    assert all(e.ip_address == "203.0.113.7" for e in failures)
    assert events("sign_in") == []


def test_deactivated_user_cannot_sign_in(client):
    """A deactivated account gets the usual refusal, even with the right password."""
    UserFactory(email="gone@example.org", active=False)
    response = sign_in(client, "gone@example.org")
    assert response.status_code == 200
    assert error_messages(response) == {"email": BAD_SIGN_IN}
    assert client.get("/account").status_code == 302
    assert len(events("sign_in.failed")) == 1


def test_sign_in_is_rate_limited_per_ip(client):
    """The 11th attempt in a minute from one IP gets the 429 page; another IP is unaffected."""
    UserFactory(email="target@example.org")
    for _ in range(10):
        assert sign_in(client, "target@example.org", "guess guess guess").status_code == 200
    blocked = sign_in(client, "target@example.org")
    assert blocked.status_code == 429
    assert soup(blocked).h1.text.strip() == "You have tried too many times"
    assert events("sign_in") == []

    elsewhere = client.post("/sign-in", data={"email": "target@example.org",
                                              "password": PASSWORD},
                            environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert elsewhere.status_code == 302


def test_sign_out_is_post_only_ends_the_session_and_is_audited(client):
    """GET cannot sign anyone out; POST does, after which protected pages ask to sign in."""
    user = UserFactory()
    sign_in(client, user.email)
    assert client.get("/sign-out").status_code == 405
    assert client.get("/account").status_code == 200

    response = client.post("/sign-out")
    assert response.status_code == 302
    after = client.get("/account")
    assert after.status_code == 302
    assert after.headers["Location"].startswith("/sign-in")

    [event] = events("sign_out")
    assert event.actor_id == user.id


def test_keep_me_signed_in_sets_a_remember_cookie(client, ctx):
    """Ticking "Keep me signed in" sets the remember cookie; not ticking it does not."""
    user = UserFactory()
    sign_in(client, user.email)
    assert client.get_cookie("remember_token") is None

    other = ctx.test_client()
    sign_in(other, user.email, remember="y")
    cookie = other.get_cookie("remember_token")
    assert cookie is not None
    assert cookie.http_only


def test_a_signed_in_session_ends_after_the_idle_lifetime(client, ctx):
    """The session cookie expires SESSION_LIFETIME_MINUTES after the last request."""
    user = UserFactory()
    response = sign_in(client, user.email)
    session_cookie = next(c for c in response.headers.getlist("Set-Cookie")
                          if c.startswith("session="))
    assert "Expires=" in session_cookie
    assert ctx.config["PERMANENT_SESSION_LIFETIME"] == 120 * 60
