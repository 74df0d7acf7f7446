"""A submitted application is shown read-only; drafts and submitted applications can be
withdrawn, with a reason, until the round is decided."""

from sqlalchemy import select

from models import AuditEvent
from models.base import db
from models.enums import ApplicationStatus, RoundStatus
from portal.applications import services
from tests.applications.helpers import complete, fresh
from tests.html import error_messages, soup

REASON = "Our volunteer coordinator has left, so we cannot run the project this year."


def _submitted(world):
    application = complete(world.application())
    return services.submit_application(world.applicant, application.id)


def test_a_submitted_application_is_shown_read_only(applicant_client, world):
    application = _submitted(world)
    page = soup(applicant_client.get(f"/applications/{application.id}"))
    assert page.h1.text == "Warm welcome lunch club"
    rows = {row.dt.get_text(strip=True): row.select_one(".govuk-summary-list__value")
            .get_text(" ", strip=True) for row in page.select(".govuk-summary-list__row")}
    assert rows["Status"] == "Submitted"
    assert rows["Reference"] == "CPG-2425-0001"
    assert rows["Amount requested"] == "£3,000.00"
    assert page.select(".govuk-summary-list__actions") == []  # no Change links
    assert page.select_one(".govuk-task-list") is None
    assert page.find("a", string="Withdraw this application")["href"] == \
        f"/applications/{application.id}/withdraw"


def test_the_read_only_view_shows_the_profile_as_it_was_sent(applicant_client, world):
    application = _submitted(world)
    world.organisation.legal_name = "A New Name CIO"
    db.session.commit()
    page = soup(applicant_client.get(f"/applications/{application.id}"))
    assert "Good Neighbours of the Valley CIO" in page.text
    assert "A New Name CIO" not in page.text


def test_a_submitted_application_can_no_longer_be_changed(applicant_client, world):
    application = _submitted(world)
    for page in ("project", "budget", "declarations", "check-answers"):
        response = applicant_client.get(f"/applications/{application.id}/{page}")
        assert response.headers["Location"] == f"/applications/{application.id}", page
    response = applicant_client.post(f"/applications/{application.id}/project",
                                     data={"title": "Changed", "completed": "no"})
    assert response.status_code == 302
    assert fresh(application).title == "Warm welcome lunch club"
    banner = soup(applicant_client.get(f"/applications/{application.id}")).select_one(
        ".govuk-notification-banner")
    assert "This application has been submitted. You can no longer change it" in banner.text


def test_withdrawing_needs_a_reason(applicant_client, world):
    application = _submitted(world)
    page = soup(applicant_client.get(f"/applications/{application.id}/withdraw"))
    assert page.h1.text == "Withdraw your application"
    assert "CPG-2425-0001" in page.text
    response = applicant_client.post(f"/applications/{application.id}/withdraw",
                                     data={"reason": "  "})
    assert error_messages(response) == {
        "reason": "Enter why you are withdrawing this application"}
    long = applicant_client.post(f"/applications/{application.id}/withdraw",
                                 data={"reason": "x" * 1001})
    assert error_messages(long) == {"reason": "Your reason must be 1,000 characters or fewer"}
    assert fresh(application).status is ApplicationStatus.SUBMITTED


def test_a_submitted_application_is_withdrawn(applicant_client, world):
    application = _submitted(world)
    response = applicant_client.post(f"/applications/{application.id}/withdraw",
                                     data={"reason": REASON})
    assert response.headers["Location"] == f"/applications/{application.id}"
    saved = fresh(application)
    assert saved.status is ApplicationStatus.WITHDRAWN
    assert saved.withdrawal_reason == REASON
    assert saved.withdrawn_at is not None
    assert saved.reference == "CPG-2425-0001"  # the reference stays taken
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "application.withdrawn"))
    assert event.details == {"reference": "CPG-2425-0001", "previous_status": "submitted",
                             "reason": REASON}
    page = soup(applicant_client.get(f"/applications/{application.id}"))
    assert "Your application has been withdrawn." in page.text
    assert REASON in page.text
    assert page.find("a", string="Withdraw this application") is None


def test_a_draft_is_withdrawn_rather_than_deleted(applicant_client, world):
    application = world.application(title="Lunch club")
    page = soup(applicant_client.get(f"/applications/{application.id}"))
    assert page.find("a", string="Withdraw this application") is not None
    applicant_client.post(f"/applications/{application.id}/withdraw", data={"reason": REASON})
    saved = fresh(application)
    assert saved.status is ApplicationStatus.WITHDRAWN and saved.title == "Lunch club"


def test_nothing_is_withdrawn_twice_or_after_the_round_is_decided(applicant_client, world):
    application = _submitted(world)
    world.round.status = RoundStatus.DECIDED
    db.session.commit()
    response = applicant_client.get(f"/applications/{application.id}/withdraw")
    assert response.headers["Location"] == f"/applications/{application.id}"
    applicant_client.post(f"/applications/{application.id}/withdraw", data={"reason": REASON})
    assert fresh(application).status is ApplicationStatus.SUBMITTED

    world.round.status = RoundStatus.PUBLISHED
    db.session.commit()
    applicant_client.post(f"/applications/{application.id}/withdraw", data={"reason": REASON})
    first = fresh(application).withdrawn_at
    again = applicant_client.post(f"/applications/{application.id}/withdraw",
                                  data={"reason": "Again"})
    assert again.status_code == 302
    saved = fresh(application)
    assert (saved.withdrawn_at, saved.withdrawal_reason) == (first, REASON)


def test_a_pdf_copy_is_downloaded_as_an_attachment(applicant_client, world):
    application = _submitted(world)
    page = soup(applicant_client.get(f"/applications/{application.id}"))
    link = page.find("a", string="Download a copy of this application (PDF)")
    response = applicant_client.get(link["href"])
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == \
        "attachment; filename=CPG-2425-0001.pdf"
    assert response.data.startswith(b"%PDF")
