"""An applicant registers, confirms their email address and signs in."""

from sqlalchemy import select

from models import AuditEvent, User
from models.base import db
from models.enums import Role
from tests.factories import PASSWORD, UserFactory
from tests.html import error_messages, soup, summary_errors

GOOD_PASSWORD = "kettle purple harbour"


def register(client, email="volunteer@example.org", password=GOOD_PASSWORD, name="Sam Volunteer"):
    return client.post("/register", data={"full_name": name, "email": email, "password": password})


def test_registration_verification_and_sign_in(client, outbox):
    response = register(client, email="  Volunteer@Example.org ")
    assert response.status_code == 302
    assert "/register/check-your-email" in response.headers["Location"]

    user = db.session.scalar(select(User).where(User.email == "volunteer@example.org"))
    assert user.roles == {Role.APPLICANT}
    assert user.email_verified_at is None
    assert user.password_hash != GOOD_PASSWORD

    message = outbox.to("volunteer@example.org")[-1]
    assert message["Subject"] == "Confirm your email address"
    assert message.get_body(("html",)) is not None

    signed_in = client.post("/sign-in", data={"email": "volunteer@example.org",
                                              "password": GOOD_PASSWORD})
    assert "confirm your email address" in error_messages(signed_in)["email"]

    confirmed = client.get(outbox.last_link("volunteer@example.org"))
    assert confirmed.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).email_verified_at is not None

    signed_in = client.post("/sign-in", data={"email": "volunteer@example.org",
                                              "password": GOOD_PASSWORD})
    assert signed_in.status_code == 302
    home = client.get("/")
    assert "Welcome, Sam Volunteer" in soup(home).h1.text


def test_verification_link_works_once(client, outbox):
    register(client)
    link = outbox.last_link("volunteer@example.org")
    assert client.get(link).status_code == 302
    again = client.get(link)
    assert again.status_code == 400
    assert "expired or has already been used" in soup(again).h1.text


def test_registering_a_known_email_reveals_nothing(client, outbox):
    existing = UserFactory(email="taken@example.org")
    new = register(client, email="new@example.org")
    known = register(client, email="taken@example.org")
    assert known.status_code == new.status_code == 302
    assert known.headers["Location"].split("?")[0] == new.headers["Location"].split("?")[0]
    assert outbox.to("taken@example.org")[-1]["Subject"] == "You already have an account"
    db.session.expire_all()
    assert db.session.scalar(select(User.full_name).where(User.email == "taken@example.org")) \
        == existing.full_name


def test_bad_input_is_explained_beside_each_field_and_kept(client):
    response = client.post("/register", data={"full_name": "", "email": "not-an-email",
                                              "password": "short"})
    assert response.status_code == 200
    messages = error_messages(response)
    assert messages == {
        "full_name": "Enter your full name",
        "email": "Enter an email address in the correct format, like name@example.com",
        "password": "Password must be 10 characters or more",
    }
    assert len(summary_errors(response)) == 3
    page = soup(response)
    assert page.title.text.startswith("Error:")
    assert page.find("input", {"name": "email"})["value"] == "not-an-email"
    assert not page.find("input", {"name": "password"}).get("value")


def test_common_passwords_are_refused_without_composition_rules(client):
    common = client.post("/register", data={"full_name": "Sam", "email": "sam@example.org",
                                            "password": "password123"})
    assert "too easy to guess" in error_messages(common)["password"]
    # No rule about digits, capitals or symbols: a long lower-case phrase is fine.
    assert register(client, email="sam@example.org", password=PASSWORD).status_code == 302


def test_registration_is_audited(client):
    register(client)
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "account.registered" in actions


def test_registering_is_rate_limited_per_address_of_the_sender(client):
    """The 6th registration in a minute from one IP gets the 429 page; another IP does not."""
    here = {"REMOTE_ADDR": "203.0.113.20"}
    for n in range(5):
        response = client.post("/register", environ_base=here, data={
            "full_name": "Sam", "email": f"sam{n}@example.org", "password": GOOD_PASSWORD})
        assert response.status_code == 302
    blocked = client.post("/register", environ_base=here, data={
        "full_name": "Sam", "email": "sam9@example.org", "password": GOOD_PASSWORD})
    assert blocked.status_code == 429
    assert soup(blocked).h1.text.strip() == "You have tried too many times"
    assert db.session.scalar(select(User).where(User.email == "sam9@example.org")) is None
    assert register(client, email="sam9@example.org").status_code == 302


def test_registering_is_rate_limited_per_email_address_from_any_ip(client, outbox):
    """An address gets at most 3 registration emails an hour, wherever the requests come from;
    a form sent back with mistakes does not count."""
    for n in range(3):
        client.post("/register", data={"full_name": "Sam", "email": "sam@example.org",
                                       "password": "short"},
                    environ_base={"REMOTE_ADDR": f"198.51.100.{n + 100}"})
    for n in range(3):
        response = client.post("/register", environ_base={"REMOTE_ADDR": f"198.51.100.{n}"},
                               data={"full_name": "Sam", "email": "Sam@Example.org ",
                                     "password": GOOD_PASSWORD})
        assert response.status_code == 302
    blocked = client.post("/register", environ_base={"REMOTE_ADDR": "198.51.100.50"}, data={
        "full_name": "Sam", "email": "sam@example.org", "password": GOOD_PASSWORD})
    assert blocked.status_code == 429
    assert len(outbox.to("sam@example.org")) == 3


def test_registering_a_known_or_new_address_does_the_same_work(client, outbox, monkeypatch):
    """Both hash the password once and send one email, so timing reveals nothing either
    (benchmarks/registration.py measures it)."""
    from portal.accounts import services

    hashed = []
    real_hash = services.hash_password
    monkeypatch.setattr(services, "hash_password",
                        lambda password: hashed.append(password) or real_hash(password))
    UserFactory(email="taken@example.org")
    register(client, email="taken@example.org")
    register(client, email="new@example.org")
    assert len(hashed) == 2
    assert len(outbox.to("taken@example.org")) == len(outbox.to("new@example.org")) == 1
