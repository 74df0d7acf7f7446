"""Sign-in sessions end on the server: signing out, a changed password or an expired session
stops the browser's cookies working, even copies of them."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from models import AuditEvent, SignInSession
from models.base import db, utcnow
from tests.accounts.test_sign_in import sign_in
from tests.factories import PASSWORD, UserFactory
from tests.html import error_messages, soup

NEW_PASSWORD = "lantern walnut gravel"


def is_signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def cookies_of(client) -> dict[str, str]:
    return {name: client.get_cookie(name).value for name in ("session", "remember_token")
            if client.get_cookie(name) is not None}


def client_with(app, cookies: dict[str, str]):
    """A different browser holding copies of the given cookies."""
    copy = app.test_client()
    for name, value in cookies.items():
        copy.set_cookie(name, value)
    return copy


def test_signing_out_deletes_the_remember_cookie(client):
    user = UserFactory()
    sign_in(client, user.email, remember="y")
    assert client.get_cookie("remember_token") is not None

    response = client.post("/sign-out")
    removed = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")]
    assert removed and ("Max-Age=0" in removed[0] or "1970" in removed[0])
    assert client.get_cookie("remember_token") is None
    assert not is_signed_in(client)


@pytest.mark.parametrize("copied", [{"session"}, {"remember_token"}, {"session", "remember_token"}])
def test_copied_cookies_sign_nobody_in_after_sign_out(ctx, client, copied):
    user = UserFactory()
    sign_in(client, user.email, remember="y")
    stolen = {name: value for name, value in cookies_of(client).items() if name in copied}
    assert is_signed_in(client_with(ctx, stolen))

    client.post("/sign-out")
    assert not is_signed_in(client_with(ctx, stolen))


def test_only_the_browser_that_signs_out_is_signed_out(ctx, client):
    user = UserFactory()
    sign_in(client, user.email)
    elsewhere = ctx.test_client()
    sign_in(elsewhere, user.email)
    client.post("/sign-out")
    assert not is_signed_in(client)
    assert is_signed_in(elsewhere)


@pytest.mark.parametrize(("remember", "lifetime"), [
    ("", timedelta(hours=12)),
    ("y", timedelta(days=30)),
])
def test_sessions_end_on_the_server_when_their_time_is_up(ctx, client, remember, lifetime):
    """Whatever a copied cookie claims, the session row decides: 12 hours from signing in, or
    30 days with "Keep me signed in" (the remember cookie carries no expiry of its own)."""
    user = UserFactory()
    before = utcnow()
    sign_in(client, user.email, remember=remember)
    [started] = db.session.scalars(select(SignInSession).where(SignInSession.user_id == user.id))
    assert before + lifetime <= started.expires_at <= utcnow() + lifetime
    copy = client_with(ctx, cookies_of(client))

    db.session.execute(update(SignInSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert not is_signed_in(copy)


def test_a_password_reset_signs_out_every_session(ctx, client, outbox):
    user = UserFactory()
    sign_in(client, user.email, remember="y")
    remembered = client_with(ctx, {"remember_token": client.get_cookie("remember_token").value})
    client.post("/forgot-password", data={"email": user.email})
    reset = ctx.test_client()
    reset.post(outbox.last_link(user.email), data={"password": NEW_PASSWORD})
    assert not is_signed_in(client)
    assert not is_signed_in(remembered)


# Changing a password while signed in.


def change(client, current=PASSWORD, new=NEW_PASSWORD):
    return client.post("/account/password",
                       data={"current_password": current, "new_password": new})


def test_the_account_page_links_to_change_your_password(client):
    sign_in(client, UserFactory().email)
    link = soup(client.get("/account")).find("a", string="Change your password")
    assert link["href"] == "/account/password"
    page = soup(client.get("/account/password"))
    assert page.h1.text == "Change your password"
    assert page.find("input", id="current_password")["autocomplete"] == "current-password"
    assert page.find("input", id="new_password")["autocomplete"] == "new-password"


def test_changing_the_password_ends_every_other_session(ctx, client, outbox):
    user = UserFactory()
    sign_in(client, user.email)
    elsewhere = ctx.test_client()
    sign_in(elsewhere, user.email, remember="y")
    copied = client_with(ctx, cookies_of(elsewhere))

    response = change(client)
    assert response.headers["Location"] == "/account"
    assert "Any other device" in soup(client.get("/account")).text
    assert is_signed_in(client)
    assert not is_signed_in(elsewhere)
    assert not is_signed_in(copied)

    assert outbox.to(user.email)[-1]["Subject"] == "Your password has been changed"
    assert db.session.scalar(select(AuditEvent.actor_id).where(
        AuditEvent.action == "password.changed")) == user.id
    client.post("/sign-out")
    assert sign_in(client, user.email).status_code == 200  # the old password is refused
    assert sign_in(client, user.email, NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(("current", "new", "errors"), [
    ("not my password", NEW_PASSWORD,
     {"current_password": "Your current password is not right. Enter it again"}),
    ("", "", {"current_password": "Enter your current password",
              "new_password": "Enter a password"}),
    (PASSWORD, "Password1!", {"new_password": "Password is too easy to guess. This is similar "
                              "to a commonly used password. Try three random words, for "
                              "example ‘kettle purple harbour’"}),
    (PASSWORD, PASSWORD,
     {"new_password": "Enter a new password that is different from your current one"}),
])
def test_a_refused_change_is_explained_beside_its_field_and_changes_nothing(
        ctx, client, current, new, errors):
    user = UserFactory()
    sign_in(client, user.email)
    elsewhere = ctx.test_client()
    sign_in(elsewhere, user.email)
    old_hash = user.password_hash

    response = change(client, current, new)
    assert response.status_code == 200
    assert error_messages(response) == errors
    db.session.expire_all()
    assert user.password_hash == old_hash
    assert is_signed_in(elsewhere)
