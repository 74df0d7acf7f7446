"""Check your answers, then submit: everything is re-checked in one transaction at the moment of
submission; the reference comes from a sequence per scheme and financial year; a confirmation
page and email carry it. A refusal keeps the draft exactly as it was."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models import AuditEvent, ReferenceSequence
from models.base import db
from models.enums import ApplicationStatus
from portal.applications import services
from portal.organisations.services import profile_snapshot
from tests.applications.helpers import complete, fresh, make_world
from tests.factories import RoundFactory
from tests.html import error_messages, soup

DECLARATION = "Confirm that the information is correct and you are authorised to apply"


def _sequence(world, year="2024/25") -> int | None:
    db.session.expire_all()
    return db.session.scalar(select(ReferenceSequence.last_number).where(
        ReferenceSequence.scheme_id == world.scheme.id,
        ReferenceSequence.financial_year == year))


# Check your answers


def test_check_answers_needs_every_section_completed(applicant_client, world):
    application = world.application()
    response = applicant_client.get(f"/applications/{application.id}/check-answers")
    assert response.headers["Location"] == f"/applications/{application.id}"


def test_check_answers_shows_every_answer_with_change_links(applicant_client, world):
    application = complete(world.application())
    page = soup(applicant_client.get(f"/applications/{application.id}/check-answers"))
    assert page.h1.text == "Check your answers before submitting your application"
    assert [h.text for h in page.select("main h2.govuk-heading-m")][:5] == [
        "Your organisation", "Your project", "Who will benefit", "Budget", "Declarations"]
    rows = {row.dt.get_text(strip=True): row for row in page.select(".govuk-summary-list__row")}
    assert rows["Project title"].select_one(".govuk-summary-list__value").text.strip() == \
        "Warm welcome lunch club"
    assert rows["Costs"].select_one(".govuk-summary-list__value").get_text("|", strip=True) \
        == "Hall hire: £1,200.00|Food: £2,000.00"
    assert rows["Total cost"].select_one(".govuk-summary-list__value").text.strip() == \
        "£3,200.00"
    assert rows["Amount requested"].select_one(".govuk-summary-list__value").text.strip() == \
        "£3,000.00"
    assert rows["Connection to a councillor or council officer"].dd.text.strip() == "No"
    change = {name: row.select_one(".govuk-summary-list__actions a")["href"]
              for name, row in rows.items()}
    base = f"/applications/{application.id}"
    assert change["Project title"] == f"{base}/project"
    assert change["Wards"] == f"{base}/beneficiaries"
    assert change["Costs"] == f"{base}/budget"
    assert change["Other funding"] == f"{base}/budget/other-funding"
    assert change["Amount requested"] == f"{base}/budget/amount"
    assert change["Other public funding"] == f"{base}/declarations/public-funding"
    assert change["Safeguarding"] == f"{base}/declarations"
    assert change["Legal form"] == f"{base}/organisation"
    declaration = page.find("input", {"name": "declaration"}).find_next("label").text.strip()
    assert declaration == ("I confirm the information is correct and I am authorised to "
                           "apply on behalf of Good Neighbours")
    assert page.select_one(".govuk-error-summary") is None


def test_the_declaration_must_be_ticked(applicant_client, world):
    application = complete(world.application())
    response = applicant_client.post(f"/applications/{application.id}/check-answers", data={})
    assert error_messages(response) == {"declaration": DECLARATION}
    assert fresh(application).status is ApplicationStatus.DRAFT


# Submitting


def test_submission_gives_a_reference_snapshot_audit_and_email(applicant_client, world, outbox):
    application = complete(world.application())
    response = applicant_client.post(f"/applications/{application.id}/check-answers",
                                     data={"declaration": "y"})
    assert response.headers["Location"] == f"/applications/{application.id}/submitted"

    saved = fresh(application)
    assert saved.status is ApplicationStatus.SUBMITTED
    assert saved.reference == "CPG-2425-0001"
    assert saved.submitted_by_id == world.applicant.id
    assert saved.submitted_at is not None
    assert saved.organisation_snapshot == profile_snapshot(saved.organisation)
    assert saved.organisation_snapshot["legal_form"] == "cio"
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "application.submitted"))
    assert (event.actor_id, event.object_id) == (world.applicant.id, application.id)
    assert event.details["reference"] == "CPG-2425-0001"

    message = outbox.to(world.applicant.email)[-1]
    assert message["Subject"] == "Application CPG-2425-0001 received"
    body = message.get_body(("plain",)).get_content()
    assert "Your reference number is CPG-2425-0001" in body
    assert "Amount requested: £3,000.00" in body

    panel = soup(applicant_client.get(response.headers["Location"])).select_one(".govuk-panel")
    assert panel.h1.text.strip() == "Application submitted"
    assert panel.strong.text == "CPG-2425-0001"


def test_a_section_not_completed_stops_submission(applicant_client, world, outbox):
    application = complete(world.application())
    application.sections = {**application.sections, "documents": "in_progress"}
    db.session.commit()
    # Check your answers is not offered...
    response = applicant_client.get(f"/applications/{application.id}/check-answers")
    assert response.status_code == 302
    # ...and the service refuses even if asked directly.
    with pytest.raises(services.SubmissionRefused) as refused:
        services.submit_application(world.applicant, application.id)
    assert [f.message for f in refused.value.failures] == ["Complete the section ‘Documents’"]
    assert fresh(application).status is ApplicationStatus.DRAFT
    assert outbox.messages() == []


def test_a_completed_section_whose_answers_no_longer_hold_stops_submission(world):
    application = complete(world.application())
    world.organisation.legal_name = None  # the profile changed after it was confirmed
    db.session.commit()
    with pytest.raises(services.SubmissionRefused) as refused:
        services.submit_application(world.applicant, application.id)
    assert refused.value.failures[0].section == "organisation"
    assert "Complete your organisation’s profile" in refused.value.failures[0].message


def test_eligibility_failures_stop_submission_and_are_shown(applicant_client, world):
    application = complete(world.application())
    world.organisation.annual_income_pence = 250_000_00
    db.session.commit()
    page = soup(applicant_client.get(f"/applications/{application.id}/check-answers"))
    summary = page.select_one(".govuk-error-summary")
    assert summary.select_one("h2").text.strip() == "You cannot submit this application yet"
    assert [a.text for a in summary.select("a")] == [
        "Your organisation’s income is £250,000. This round is for organisations with an "
        "income under £250,000."]
    assert page.title.text.startswith("Error:")

    response = applicant_client.post(f"/applications/{application.id}/check-answers",
                                     data={"declaration": "y"})
    assert response.status_code == 200
    assert "income under £250,000" in soup(response).select_one(".govuk-error-summary").text
    assert fresh(application).status is ApplicationStatus.DRAFT
    assert _sequence(world) is None


def test_another_submitted_application_to_the_round_stops_a_second(world):
    first = complete(world.application())
    second = complete(world.application())
    services.submit_application(world.applicant, first.id)
    with pytest.raises(services.SubmissionRefused) as refused:
        services.submit_application(world.applicant, second.id)
    assert refused.value.failures[0].message.startswith(
        "Your organisation has already submitted an application to this round.")


def test_an_application_cannot_be_submitted_twice(world):
    application = complete(world.application())
    services.submit_application(world.applicant, application.id)
    with pytest.raises(services.SubmissionRefused) as refused:
        services.submit_application(world.applicant, application.id)
    assert refused.value.failures[0].message == "This application has already been submitted"
    assert _sequence(world) == 1


# The closing time, in GMT and in BST


@pytest.mark.parametrize(("closes_at", "message"), [
    (datetime(2027, 1, 31, 17, 0, tzinfo=UTC),
     "This round closed at 5pm on 31 January 2027. Your application has been saved as a "
     "draft."),
    (datetime(2027, 7, 15, 16, 0, tzinfo=UTC),  # 5pm British Summer Time
     "This round closed at 5pm on 15 July 2027. Your application has been saved as a draft."),
])
def test_submission_is_accepted_until_the_closing_instant(ctx, closes_at, message):
    world = make_world(closes_at=closes_at)
    world.round.one_application_per_organisation = False
    db.session.commit()
    in_time, too_late = complete(world.application()), complete(world.application())

    services.submit_application(world.applicant, in_time.id,
                                now=closes_at - timedelta(seconds=1))
    assert fresh(in_time).status is ApplicationStatus.SUBMITTED

    with pytest.raises(services.SubmissionRefused) as refused:
        services.submit_application(world.applicant, too_late.id, now=closes_at)
    assert [f.message for f in refused.value.failures] == [message]
    kept = fresh(too_late)
    assert kept.status is ApplicationStatus.DRAFT and kept.reference is None
    assert kept.title == "Warm welcome lunch club"
    assert _sequence(world) == 1


def test_after_closing_the_page_says_so_and_keeps_the_draft(applicant_client, world,
                                                           monkeypatch):
    application = complete(world.application())
    after_closing = world.round.closes_at + timedelta(minutes=1)
    monkeypatch.setattr(services, "utcnow", lambda: after_closing)
    response = applicant_client.post(f"/applications/{application.id}/check-answers",
                                     data={"declaration": "y"})
    summary = soup(response).select_one(".govuk-error-summary")
    assert "This round closed at" in summary.text
    assert "Your application has been saved as a draft." in summary.text
    assert fresh(application).status is ApplicationStatus.DRAFT


# Atomicity


def test_a_failure_after_the_reference_is_taken_changes_nothing(world, monkeypatch):
    # Three applications to the scheme in 2024/25 have been submitted before.
    db.session.add(ReferenceSequence(scheme_id=world.scheme.id, financial_year="2024/25",
                                     last_number=3))
    db.session.commit()
    application = complete(world.application())

    def broken_snapshot(organisation):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.organisation_services, "profile_snapshot", broken_snapshot)
    with pytest.raises(RuntimeError):
        services.submit_application(world.applicant, application.id)
    kept = fresh(application)
    assert (kept.status, kept.reference, kept.submitted_at) == (
        ApplicationStatus.DRAFT, None, None)
    assert _sequence(world) == 3
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "application.submitted")) is None


def test_a_failure_on_the_first_submission_of_a_year_leaves_no_sequence(world, monkeypatch):
    application = complete(world.application())
    monkeypatch.setattr(services.audit, "record", lambda *args, **kwargs: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        services.submit_application(world.applicant, application.id)
    assert _sequence(world) is None
    assert fresh(application).status is ApplicationStatus.DRAFT


def test_the_email_is_sent_after_the_commit_and_its_failure_undoes_nothing(
        applicant_client, world, monkeypatch, caplog):
    application = complete(world.application())

    def broken_mail(*args, **kwargs):
        raise ConnectionRefusedError("SMTP server down")

    monkeypatch.setattr(services, "send_email", broken_mail)
    response = applicant_client.post(f"/applications/{application.id}/check-answers",
                                     data={"declaration": "y"})
    assert response.headers["Location"] == f"/applications/{application.id}/submitted"
    assert fresh(application).reference == "CPG-2425-0001"
    assert "Could not send the confirmation of CPG-2425-0001" in caplog.text


# References


def test_references_follow_on_per_scheme_and_financial_year(ctx):
    world = make_world()
    world.round.one_application_per_organisation = False
    next_year = RoundFactory(scheme=world.scheme, financial_year="2025/26",
                             one_application_per_organisation=False)
    db.session.commit()
    references = []
    for round_ in (world.round, world.round, next_year, world.round):
        application = complete(world.application(round=round_))
        references.append(services.submit_application(world.applicant, application.id)
                          .reference)
    assert references == ["CPG-2425-0001", "CPG-2425-0002", "CPG-2526-0001", "CPG-2425-0003"]
    assert _sequence(world, "2024/25") == 3 and _sequence(world, "2025/26") == 1


def test_a_submitted_application_shows_its_confirmation_only_once_submitted(applicant_client,
                                                                           world):
    application = world.application()
    response = applicant_client.get(f"/applications/{application.id}/submitted")
    assert response.headers["Location"] == f"/applications/{application.id}"
