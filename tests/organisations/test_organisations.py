"""Applicants create organisations and invite colleagues into them by email."""

from sqlalchemy import select

from models import AuditEvent, Membership, Organisation
from models.base import db
from models.enums import OrganisationRole, Role
from tests.conftest import sign_in_as
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.html import error_messages, soup, summary_errors

INVITEE = "colleague@example.org"


def org_admin(client, name="Calder Valley Food Bank"):
    """A signed-in applicant who is the admin of an organisation."""
    membership = MembershipFactory(organisation__name=name, role=OrganisationRole.ADMIN)
    sign_in_as(client, membership.user)
    return membership.organisation


def invite(client, organisation, email=INVITEE, role="member"):
    return client.post(f"/organisations/{organisation.id}/invite",
                       data={"email": email, "role": role})


def membership(organisation_id: int, user_id: int) -> Membership | None:
    db.session.expire_all()
    return db.session.scalar(select(Membership).where(Membership.organisation_id == organisation_id,
                                                      Membership.user_id == user_id))


def test_applicant_creates_an_organisation_and_becomes_its_admin(client):
    """Creating an organisation makes its creator the organisation admin, and is audited."""
    applicant = UserFactory()
    sign_in_as(client, applicant)
    response = client.post("/organisations/new", data={"name": "  Marsden Warm Welcome  "})
    assert response.status_code == 302

    organisation = db.session.scalar(select(Organisation))
    assert organisation.name == "Marsden Warm Welcome"
    assert response.headers["Location"] == f"/organisations/{organisation.id}"
    assert membership(organisation.id, applicant.id).role is OrganisationRole.ADMIN

    page = client.get(response.headers["Location"])
    assert soup(page).h1.text.strip() == "Marsden Warm Welcome"
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "organisation.created"))
    assert (event.actor_id, event.object_id) == (applicant.id, organisation.id)


def test_organisation_needs_a_name(client):
    """An empty name is explained beside the field and nothing is created."""
    sign_in_as(client, UserFactory())
    response = client.post("/organisations/new", data={"name": "   "})
    assert response.status_code == 200
    assert error_messages(response) == {"name": "Enter your organisation’s name"}
    assert summary_errors(response) == ["Enter your organisation’s name"]
    assert db.session.scalar(select(Organisation)) is None


def test_org_admin_invites_someone_by_email(client, outbox):
    """The invitation is emailed with a link and listed on the organisation's page."""
    organisation = org_admin(client)
    response = invite(client, organisation, email=" Colleague@Example.org ")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/organisations/{organisation.id}"

    message = outbox.to(INVITEE)[-1]
    assert "Calder Valley Food Bank" in message["Subject"]
    assert outbox.last_link(INVITEE).startswith("/organisations/invitations/")

    page = soup(client.get(f"/organisations/{organisation.id}"))
    pending = [li.text for li in page.select("main ul.govuk-list li")]
    assert len(pending) == 1
    assert pending[0].startswith(f"{INVITEE} (Member)")


def test_invited_person_accepts_and_joins_with_the_invited_role(client, ctx, outbox):
    """Signed in with the invited address, the person joins with the role they were given."""
    organisation = org_admin(client)
    invite(client, organisation, role="admin")
    link = outbox.last_link(INVITEE)

    invitee = UserFactory(email=INVITEE)
    their_client = ctx.test_client()
    sign_in_as(their_client, invitee)
    page = their_client.get(link)
    assert page.status_code == 200
    assert soup(page).h1.text.strip() == "Join Calder Valley Food Bank"

    joined = their_client.post(link)
    assert joined.status_code == 302
    assert joined.headers["Location"] == f"/organisations/{organisation.id}"
    assert membership(organisation.id, invitee.id).role is OrganisationRole.ADMIN
    assert "organisation.invitation_accepted" in db.session.scalars(
        select(AuditEvent.action)).all()

    listed = soup(client.get(f"/organisations/{organisation.id}"))
    assert INVITEE in listed.select_one("table").text
    assert listed.select("main ul.govuk-list li") == []


def test_invitation_cannot_be_used_by_a_different_email(client, ctx, outbox):
    """Someone signed in with another address is told why, and does not join."""
    organisation = org_admin(client)
    invite(client, organisation)
    link = outbox.last_link(INVITEE)

    stranger = UserFactory(email="stranger@example.org")
    their_client = ctx.test_client()
    sign_in_as(their_client, stranger)
    response = their_client.post(link)
    assert response.status_code == 200
    assert summary_errors(response) == [
        f"This invitation was sent to {INVITEE}. Sign in with that email address to accept it"]
    assert membership(organisation.id, stranger.id) is None

    # The invitation is still there for the right person.
    rightful = UserFactory(email=INVITEE)
    sign_in_as(their_client, rightful)
    assert their_client.post(link).status_code == 302


def test_invitation_link_cannot_be_reused(client, ctx, outbox):
    """Once accepted, the link shows the expired page, even to another invited address."""
    organisation = org_admin(client)
    invite(client, organisation)
    link = outbox.last_link(INVITEE)
    their_client = ctx.test_client()
    sign_in_as(their_client, UserFactory(email=INVITEE))
    assert their_client.post(link).status_code == 302

    again = their_client.post(link)
    assert again.status_code == 400
    assert "expired or has already been used" in soup(again).h1.text
    assert their_client.get(link).status_code == 400


def test_inviting_an_existing_member_is_refused_beside_the_email(client, outbox):
    """A person already in the organisation cannot be invited again."""
    organisation = org_admin(client)
    MembershipFactory(organisation=organisation, user__email=INVITEE)
    response = invite(client, organisation, email=INVITEE.upper())
    assert response.status_code == 200
    assert error_messages(response) == {
        "email": f"{INVITEE} is already a member of Calder Valley Food Bank"}
    assert soup(response).find("input", {"name": "email"})["value"] == INVITEE.upper()
    assert outbox.messages() == []


def test_member_who_is_not_an_admin_cannot_invite(client, outbox):
    """Ordinary members may see the organisation but not invite people into it."""
    member = MembershipFactory(role=OrganisationRole.MEMBER)
    sign_in_as(client, member.user)
    organisation_id = member.organisation.id
    assert client.get(f"/organisations/{organisation_id}").status_code == 200
    assert client.get(f"/organisations/{organisation_id}/invite").status_code == 403
    response = client.post(f"/organisations/{organisation_id}/invite",
                           data={"email": INVITEE, "role": "admin"})
    assert response.status_code == 403
    assert outbox.messages() == []


def test_your_organisations_lists_only_your_own(client):
    """The list shows the organisations the person belongs to, with their role, and no others."""
    applicant = UserFactory(roles=(Role.APPLICANT,))
    MembershipFactory(user=applicant, organisation__name="Birstall Men’s Shed",
                      role=OrganisationRole.ADMIN)
    MembershipFactory(user=applicant, organisation__name="Almondbury Memory Cafe")
    MembershipFactory(organisation__name="Someone Else’s Group")
    OrganisationFactory(name="Nobody’s Group")
    sign_in_as(client, applicant)

    page = soup(client.get("/organisations/"))
    listed = [li.a.text for li in page.select("main ul.govuk-list li")]
    assert listed == ["Almondbury Memory Cafe", "Birstall Men’s Shed"]
    assert "Organisation admin" in page.select("main ul.govuk-list li")[1].text
