"""Admins invite staff, give and take away their roles, and find people in the user list."""

import pyotp
import pytest
from sqlalchemy import select

from models import AuditEvent, User
from models.base import db
from models.enums import Role
from tests.conftest import sign_in_as
from tests.factories import PASSWORD, UserFactory
from tests.html import error_messages, soup, summary_errors

STAFF_EMAIL = "new.officer@council.example.org"
GOOD_PASSWORD = "orchard velvet compass"


@pytest.fixture
def admin(client):
    person = UserFactory(roles=(Role.ADMIN,), full_name="Ada Admin")
    sign_in_as(client, person)
    return person


def invite(client, email=STAFF_EMAIL, roles=("assessor", "grants_officer"), name="Nia Officer"):
    return client.post("/admin/invitations/new",
                       data={"full_name": name, "email": email, "roles": list(roles)})


def user_by_email(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def table_rows(response) -> list[list[str]]:
    return [[cell.get_text(" ", strip=True) for cell in row.select("td, th")]
            for row in soup(response).select("table tbody tr")]


def test_invited_staff_member_sets_a_password_and_gets_the_roles(client, ctx, admin, outbox):
    """The emailed link shows the invitation; a password makes the account with those roles."""
    sent = invite(client)
    assert sent.status_code == 302
    assert sent.headers["Location"] == "/admin/users"
    message = outbox.to(STAFF_EMAIL)[-1]
    assert "invited" in message["Subject"]
    link = outbox.last_link(STAFF_EMAIL)

    invitee = ctx.test_client()
    page = invitee.get(link)
    assert page.status_code == 200
    assert soup(page).h1.text.strip() == "Accept your invitation"
    assert [li.text for li in soup(page).select("main ul.govuk-list li")] == [
        "Assessor", "Grants officer"]
    assert "Ada Admin" in soup(page).main.text

    accepted = invitee.post(link, data={"password": GOOD_PASSWORD})
    assert accepted.headers["Location"] == "/sign-in/set-up-authenticator"
    set_up = invitee.get("/sign-in/set-up-authenticator")
    secret = soup(set_up).select_one(".portal-setup-key").text.replace(" ", "")
    done = invitee.post("/sign-in/set-up-authenticator",
                        data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302
    assert "Welcome, Nia Officer" in soup(invitee.get("/")).h1.text

    user = user_by_email(STAFF_EMAIL)
    assert user.roles == {Role.ASSESSOR, Role.GRANTS_OFFICER}
    assert user.email_verified_at is not None
    assert user.password_hash != GOOD_PASSWORD

    again = ctx.test_client().get(link)
    assert again.status_code == 400
    assert "expired or has already been used" in soup(again).h1.text


def test_new_staff_password_must_follow_the_rules(client, ctx, admin, outbox):
    """A weak password for a new staff account is refused beside the field and nothing made."""
    invite(client)
    invitee = ctx.test_client()
    response = invitee.post(outbox.last_link(STAFF_EMAIL), data={"password": "short"})
    assert response.status_code == 200
    assert error_messages(response) == {"password": "Password must be 10 characters or more"}
    assert user_by_email(STAFF_EMAIL) is None


def test_invitation_to_an_applicant_adds_roles_after_their_password(client, ctx, admin, outbox):
    """An existing account keeps its password and gains the roles, once it proves it is theirs."""
    applicant = UserFactory(email=STAFF_EMAIL, roles=(Role.APPLICANT,))
    invite(client, roles=("assessor",))
    link = outbox.last_link(STAFF_EMAIL)
    invitee = ctx.test_client()

    wrong = invitee.post(link, data={"password": "not my password at all"})
    assert wrong.status_code == 200
    assert error_messages(wrong) == {
        "password": "Enter the password for your existing account"}
    assert user_by_email(STAFF_EMAIL).roles == {Role.APPLICANT}

    assert invitee.post(link, data={"password": PASSWORD}).status_code == 302
    user = user_by_email(STAFF_EMAIL)
    assert user.id == applicant.id
    assert user.roles == {Role.APPLICANT, Role.ASSESSOR}
    assert user.password_hash == applicant.password_hash


def test_invitation_form_errors_are_beside_the_fields_and_input_kept(client, admin, outbox):
    """No roles and a bad email are explained beside their fields; what was typed stays."""
    response = invite(client, email="not-an-email", roles=())
    assert response.status_code == 200
    assert error_messages(response) == {
        "email": "Enter an email address in the correct format, like name@example.com",
        "roles": "Select at least one role",
    }
    assert len(summary_errors(response)) == 2
    page = soup(response)
    assert page.find("input", {"name": "email"})["value"] == "not-an-email"
    assert page.find("input", {"name": "full_name"})["value"] == "Nia Officer"
    assert outbox.messages() == []


def test_admin_changes_roles_and_the_change_is_audited(client, admin):
    """Saving the roles form replaces staff roles and records what was added and removed."""
    person = UserFactory(roles=(Role.APPLICANT, Role.ASSESSOR))
    page = client.get(f"/admin/users/{person.id}")
    assert page.status_code == 200
    ticked = [box["value"] for box in soup(page).select("input[name=roles][checked]")]
    assert ticked == ["assessor"]

    saved = client.post(f"/admin/users/{person.id}",
                        data={"roles": ["grants_officer", "commissioner"]})
    assert saved.status_code == 302
    assert user_by_email(person.email).roles == {
        Role.APPLICANT, Role.GRANTS_OFFICER, Role.COMMISSIONER}

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "roles.changed"))
    assert event.actor_id == admin.id
    assert (event.object_type, event.object_id) == ("User", person.id)
    assert event.details == {"added": ["commissioner", "grants_officer"],
                             "removed": ["assessor"]}


def test_admin_cannot_remove_their_own_admin_role(client, admin):
    """Removing one's own admin role is refused beside the field and the role is kept."""
    response = client.post(f"/admin/users/{admin.id}", data={"roles": ["assessor"]})
    assert response.status_code == 200
    assert error_messages(response) == {"roles": "You cannot remove your own admin role"}
    assert user_by_email(admin.email).roles == {Role.ADMIN}
    db.session.expire_all()
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "roles.changed")) is None


def test_users_list_is_paginated(client, admin):
    """25 people a page: with 31 people, page 1 shows 25 and page 2 the other 6."""
    UserFactory.create_batch(30)
    first = client.get("/admin/users")
    second = client.get("/admin/users?page=2")
    first_emails = {row[1] for row in table_rows(first)}
    second_emails = {row[1] for row in table_rows(second)}
    assert len(first_emails) == 25
    assert len(second_emails) == 6
    assert not first_emails & second_emails
    assert soup(first).select_one(".govuk-pagination__next a")["href"] == "/admin/users?page=2"


def test_users_list_is_searchable_by_name_and_email(client, admin):
    """Search matches part of a name or an email address, ignoring case."""
    UserFactory(full_name="Bernadette Quarry", email="bq@example.org")
    UserFactory(full_name="Someone Else", email="zebra.crossing@example.org")
    UserFactory(full_name="Third Person", email="third@example.org")

    by_name = table_rows(client.get("/admin/users?q=quarry"))
    assert [row[0] for row in by_name] == ["Bernadette Quarry"]
    by_email = table_rows(client.get("/admin/users?q=ZEBRA"))
    assert [row[1] for row in by_email] == ["zebra.crossing@example.org"]
    nothing = client.get("/admin/users?q=nobody-matches")
    assert table_rows(nothing) == []
    assert "No people match your search" in soup(nothing).main.text


def test_users_list_links_each_name_to_the_person_safely(client, admin):
    """Each name links to the person's page, and markup in a name is shown as text."""
    person = UserFactory(full_name="Bea <b>Bold</b>", email="bea@example.org")
    page = soup(client.get("/admin/users?q=bea@"))
    link = page.select_one("table tbody a.govuk-link")
    assert link["href"] == f"/admin/users/{person.id}"
    assert link.text == "Bea <b>Bold</b>"
    assert page.select("table b") == []


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.ASSESSOR, Role.GRANTS_OFFICER,
                                  Role.COMMISSIONER])
def test_only_admins_may_manage_staff(client, outbox, role):
    """Every admin page and action is refused with 403 to people without the admin role."""
    person = UserFactory(roles=(role,))
    other = UserFactory(roles=(Role.ASSESSOR,))
    sign_in_as(client, person)

    requests = [
        ("get", "/admin/users", None),
        ("get", f"/admin/users/{other.id}", None),
        ("post", f"/admin/users/{other.id}", {"roles": ["admin"]}),
        ("post", f"/admin/users/{person.id}", {"roles": ["admin"]}),
        ("get", "/admin/invitations/new", None),
        ("post", "/admin/invitations/new",
         {"full_name": "X", "email": "x@example.org", "roles": ["admin"]}),
        ("get", "/admin/audit", None),
    ]
    for method, path, data in requests:
        response = getattr(client, method)(path, data=data)
        assert response.status_code == 403, (method, path)

    assert user_by_email(other.email).roles == {Role.ASSESSOR}
    assert user_by_email(person.email).roles == {role}
    assert outbox.messages() == []
