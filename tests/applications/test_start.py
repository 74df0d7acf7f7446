"""Your applications, and starting an application from there or from the organisation page."""

from datetime import timedelta

from sqlalchemy import func, select

from models import Application, AuditEvent
from models.base import db, utcnow
from models.enums import ApplicationStatus, OrganisationRole, Role, RoundStatus
from tests.applications.helpers import complete
from tests.conftest import sign_in_as
from tests.factories import MembershipFactory, RoundFactory, UserFactory
from tests.html import error_messages, soup


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Application))


def test_your_applications_lists_each_organisations_applications_and_open_rounds(
        applicant_client, world):
    draft = world.application(title="Lunch club")
    sent = complete(world.application())  # titled "Warm welcome lunch club"
    sent.status, sent.reference = ApplicationStatus.SUBMITTED, "CPG-2425-0007"
    withdrawn = world.application(title="Choir", status=ApplicationStatus.WITHDRAWN)
    db.session.commit()
    RoundFactory(name="Not yet open", opens_at=utcnow() + timedelta(days=3))
    RoundFactory(name="Still a draft", status=RoundStatus.DRAFT)

    page = soup(applicant_client.get("/applications/"))
    assert page.h1.text == "Your applications"
    rows = {row.select("td")[0].text: [cell.get_text(strip=True) for cell in row.select("td")]
            for row in page.select("tbody tr")}
    assert rows == {
        "Choir": ["Choir", "Spring 2025", "Not submitted yet", "Withdrawn"],
        "Warm welcome lunch club": ["Warm welcome lunch club", "Spring 2025", "CPG-2425-0007",
                                    "Submitted"],
        "Lunch club": ["Lunch club", "Spring 2025", "Not submitted yet", "Draft"],
    }
    tags = {tag.text.strip(): tag["class"] for tag in page.select("tbody .govuk-tag")}
    assert "govuk-tag--blue" in tags["Submitted"] and "govuk-tag--grey" in tags["Draft"]
    assert page.find("a", string="Lunch club")["href"] == f"/applications/{draft.id}"
    assert page.find("a", string="Choir")["href"] == f"/applications/{withdrawn.id}"
    open_rounds = [link.text for link in page.select("main ul.govuk-list a")]
    assert open_rounds == ["Community Plus Grants: Spring 2025"]
    assert "Closes" in page.select_one("main ul.govuk-list li").text


def test_someone_without_an_organisation_is_told_to_set_one_up(client, world):
    sign_in_as(client, UserFactory())
    page = soup(client.get("/applications/"))
    assert "you need to be part of an organisation" in page.select_one("main p").text
    assert page.find("a", string="Set up your organisation")["href"] == "/organisations/new"
    start = soup(client.get("/applications/start"))
    assert start.select_one("main form") is None


def test_starting_with_one_organisation_asks_only_for_the_round(applicant_client, world):
    page = soup(applicant_client.get(f"/applications/start?round_id={world.round.id}"))
    assert page.find("input", {"name": "organisation_id", "type": "hidden"})["value"] == \
        str(world.organisation.id)
    assert "You are applying for Good Neighbours." in page.text
    assert page.find("input", {"name": "round_id", "value": str(world.round.id)}).has_attr(
        "checked")

    response = applicant_client.post("/applications/start", data={
        "organisation_id": world.organisation.id, "round_id": world.round.id})
    application = db.session.scalar(select(Application))
    assert response.headers["Location"] == f"/applications/{application.id}"
    assert application.status is ApplicationStatus.DRAFT
    assert application.created_by_id == world.applicant.id
    assert application.sections == {}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "application.started"))
    assert event.object_id == application.id and event.actor_id == world.applicant.id


def test_an_applicant_in_several_organisations_chooses_one(client, world):
    other = MembershipFactory(user=world.applicant, role=OrganisationRole.MEMBER).organisation
    sign_in_as(client, world.applicant)
    page = soup(client.get(f"/applications/start?organisation_id={other.id}"))
    choices = page.select("input[name=organisation_id]")
    assert {c["value"] for c in choices} == {str(world.organisation.id), str(other.id)}
    assert page.find("input", {"name": "organisation_id", "value": str(other.id)}).has_attr(
        "checked")

    missing = client.post("/applications/start", data={})
    assert error_messages(missing) == {"organisation_id": "Select the organisation",
                                       "round_id": "Select the funding round"}
    client.post("/applications/start", data={"organisation_id": other.id,
                                              "round_id": world.round.id})
    assert db.session.scalar(select(Application.organisation_id)) == other.id


def test_one_application_per_round_takes_the_applicant_to_the_existing_one(
        applicant_client, world):
    existing = world.application()
    response = applicant_client.post("/applications/start", data={
        "organisation_id": world.organisation.id, "round_id": world.round.id})
    assert response.headers["Location"] == f"/applications/{existing.id}"
    assert _count() == 1
    banner = soup(applicant_client.get(response.headers["Location"])).select_one(
        ".govuk-notification-banner")
    assert "already has an application to this round" in banner.text


def test_a_withdrawn_application_does_not_stop_a_new_one(applicant_client, world):
    world.application(status=ApplicationStatus.WITHDRAWN)
    applicant_client.post("/applications/start", data={
        "organisation_id": world.organisation.id, "round_id": world.round.id})
    assert _count() == 2


def test_rounds_that_allow_several_applications_start_a_new_one(applicant_client, world):
    world.round.one_application_per_organisation = False
    db.session.commit()
    world.application()
    applicant_client.post("/applications/start", data={
        "organisation_id": world.organisation.id, "round_id": world.round.id})
    assert _count() == 2


def test_a_round_that_is_not_open_cannot_be_applied_to(applicant_client, world):
    closed = RoundFactory(scheme=world.scheme, opens_at=utcnow() - timedelta(days=9),
                          closes_at=utcnow() - timedelta(seconds=1))
    response = applicant_client.post("/applications/start", data={
        "organisation_id": world.organisation.id, "round_id": closed.id})
    assert error_messages(response) == {"round_id": "This round is not open for applications"}
    assert _count() == 0


def test_an_organisation_the_applicant_is_not_in_is_refused(applicant_client, world):
    stranger = MembershipFactory().organisation
    response = applicant_client.post("/applications/start", data={
        "organisation_id": stranger.id, "round_id": world.round.id})
    assert response.status_code == 403
    assert _count() == 0


def test_the_organisation_page_lists_applications_and_offers_to_apply(applicant_client, world):
    world.application(title="Lunch club")
    page = soup(applicant_client.get(f"/organisations/{world.organisation.id}"))
    assert page.find("a", string="Apply for funding")["href"] == \
        f"/applications/start?organisation_id={world.organisation.id}"
    assert page.find("a", string="Lunch club") is not None


def test_staff_see_the_organisation_page_without_the_applicant_panel(client, world):
    world.application(title="Lunch club")
    sign_in_as(client, UserFactory(roles=(Role.GRANTS_OFFICER,)))
    page = soup(client.get(f"/organisations/{world.organisation.id}"))
    assert page.find("a", string="Apply for funding") is None
    assert page.find("a", string="Lunch club") is None
