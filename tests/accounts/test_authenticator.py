"""Staff give a code from an authenticator app after their password; applicants do not."""

from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select, update

from models import AuditEvent, User
from models.base import db, utcnow
from models.enums import Role
from portal.accounts.services import PENDING_KEY
from tests.conftest import sign_in_as
from tests.factories import PASSWORD, UserFactory, authenticator_code
from tests.html import error_messages, soup


def give_password(client, user, next_url: str = ""):
    query = f"?next={next_url}" if next_url else ""
    return client.post(f"/sign-in{query}", data={"email": user.email, "password": PASSWORD})


def is_signed_in(client) -> bool:
    return client.get("/account").status_code == 200


@pytest.mark.parametrize("role", [Role.ASSESSOR, Role.GRANTS_OFFICER, Role.COMMISSIONER,
                                  Role.ADMIN])
def test_staff_need_a_code_after_their_password(client, role):
    """The right password alone does not sign a member of staff in; the right code does."""
    user = UserFactory(roles=(role,))
    response = give_password(client, user)
    assert response.headers["Location"] == "/sign-in/code"
    assert not is_signed_in(client)
    page = client.get("/sign-in/code")
    assert soup(page).h1.text == "Enter the code from your authenticator app"
    assert client.post("/sign-in/code", data={"code": authenticator_code(user)}).status_code == 302
    assert is_signed_in(client)


def test_applicants_need_no_code(client):
    assert give_password(client, UserFactory()).headers["Location"] == "/"
    assert is_signed_in(client)


def test_a_wrong_code_is_explained_and_audited(client):
    user = UserFactory(roles=(Role.GRANTS_OFFICER,))
    give_password(client, user)
    wrong = client.post("/sign-in/code", data={"code": "000000"})
    assert error_messages(wrong) == {
        "code": "Enter the 6-digit code your authenticator app shows now"}
    assert not is_signed_in(client)
    assert db.session.scalar(select(AuditEvent.details).where(
        AuditEvent.action == "sign_in.failed")) == {"reason": "authenticator code"}


@pytest.mark.parametrize(("code", "message"), [
    ("", "Enter the code from your authenticator app"),
    ("12345", "The code must be 6 digits"),
    ("abcdef", "The code must be 6 digits"),
])
def test_malformed_codes_are_refused_beside_the_field(client, code, message):
    give_password(client, UserFactory(roles=(Role.ASSESSOR,)))
    response = client.post("/sign-in/code", data={"code": code})
    assert error_messages(response) == {"code": message}
    assert soup(response).find("input", {"name": "code"}).get("value", "") == code


def test_a_code_works_only_once(ctx, client):
    """A code seen over someone's shoulder cannot be used again in the same 30 seconds."""
    user = UserFactory(roles=(Role.ADMIN,))
    code = authenticator_code(user)
    give_password(client, user)
    client.post("/sign-in/code", data={"code": code})
    other = ctx.test_client()
    give_password(other, user)
    assert "code" in error_messages(other.post("/sign-in/code", data={"code": code}))


def test_the_code_step_needs_a_password_first_and_times_out(client):
    user = UserFactory(roles=(Role.ASSESSOR,))
    assert client.get("/sign-in/code").headers["Location"] == "/sign-in"
    give_password(client, user)
    with client.session_transaction() as session:
        eleven_minutes_ago = (utcnow() - timedelta(minutes=11)).timestamp()
        session[PENDING_KEY] = {**session[PENDING_KEY], "since": eleven_minutes_ago}
    response = client.post("/sign-in/code", data={"code": authenticator_code(user)})
    assert response.headers["Location"] == "/sign-in"
    assert not is_signed_in(client)


def test_next_survives_the_code_step(client):
    user = UserFactory(roles=(Role.ADMIN,))
    give_password(client, user, next_url="/admin/audit")
    done = client.post("/sign-in/code", data={"code": authenticator_code(user)})
    assert done.headers["Location"] == "/admin/audit"


def test_first_sign_in_sets_up_the_app(client):
    """Staff without an app see a QR code and a setup key; a first code confirms the app."""
    user = UserFactory(roles=(Role.COMMISSIONER,), totp_secret=None, totp_confirmed_at=None)
    assert give_password(client, user).headers["Location"] == "/sign-in/set-up-authenticator"
    page = soup(client.get("/sign-in/set-up-authenticator"))
    assert page.find("img", src=lambda src: src.startswith("data:image/svg+xml"))["alt"]
    secret = page.select_one(".portal-setup-key").text.replace(" ", "")
    assert soup(client.get("/sign-in/set-up-authenticator")).select_one(
        ".portal-setup-key").text.replace(" ", "") == secret  # a reload keeps the key

    wrong = client.post("/sign-in/set-up-authenticator", data={"code": "000000"})
    assert "code" in error_messages(wrong)
    assert client.post("/sign-in/set-up-authenticator",
                       data={"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert is_signed_in(client)
    db.session.expire_all()
    saved = db.session.get(User, user.id)
    assert saved.totp_secret == secret
    assert saved.totp_confirmed_at is not None


def test_admin_resets_a_lost_authenticator(ctx, client):
    """The person is signed out everywhere and sets up a new app at their next sign-in."""
    admin = UserFactory(roles=(Role.ADMIN,))
    officer = UserFactory(roles=(Role.GRANTS_OFFICER,))
    officer_client = ctx.test_client()
    sign_in_as(officer_client, officer)
    assert is_signed_in(officer_client)

    sign_in_as(client, admin)
    assert "Reset authenticator app" in soup(client.get(f"/admin/users/{officer.id}")).text
    client.post(f"/admin/users/{officer.id}/reset-authenticator")

    assert not is_signed_in(officer_client)
    assert give_password(officer_client, officer).headers["Location"] == \
        "/sign-in/set-up-authenticator"
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.action == "second_factor.reset")) == "second_factor.reset"


def test_the_second_factor_can_be_switched_off_by_configuration(ctx, client):
    ctx.config["STAFF_TWO_FACTOR"] = False
    try:
        assert give_password(client, UserFactory(roles=(Role.ADMIN,))).headers["Location"] == "/"
    finally:
        ctx.config["STAFF_TWO_FACTOR"] = True


def test_wrong_codes_are_capped_per_account_whatever_the_address(ctx, client, outbox):
    """Five wrong codes in a row, each from a different address, and the account takes no code
    (not even the right one) for 15 minutes; its owner is emailed, and the right code works
    once the time is up."""
    user = UserFactory(roles=(Role.GRANTS_OFFICER,))
    for n in range(5):
        guesser = ctx.test_client()
        address = {"REMOTE_ADDR": f"198.51.100.{n + 1}"}
        guesser.post("/sign-in", data={"email": user.email, "password": PASSWORD},
                     environ_base=address)
        guesser.post("/sign-in/code", data={"code": "000000"}, environ_base=address)
    assert outbox.to(user.email)[-1]["Subject"] == "Wrong codes were entered for your account"

    give_password(client, user)
    refused = client.post("/sign-in/code", data={"code": authenticator_code(user)})
    assert error_messages(refused)["code"].startswith("You have entered too many wrong codes")
    assert not is_signed_in(client)

    db.session.execute(update(User).values(codes_refused_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert client.post("/sign-in/code",
                       data={"code": authenticator_code(user)}).status_code == 302
    assert is_signed_in(client)


def test_a_right_code_starts_the_count_of_wrong_ones_again(ctx, client):
    user = UserFactory(roles=(Role.GRANTS_OFFICER,))
    give_password(client, user)
    for _ in range(4):
        client.post("/sign-in/code", data={"code": "000000"})
    client.post("/sign-in/code", data={"code": authenticator_code(user)})
    db.session.expire_all()
    assert db.session.get(User, user.id).wrong_codes == 0
