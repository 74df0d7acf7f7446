"""What the applicant sees of the assessment (issue 4, items 2 and 8): the grants team's
questions, answered in the portal; the status timeline; the reason an application is not
eligible; and the decision, with feedback only once an officer has approved it."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from models import ClarificationRequest, Decision, StatusChange
from models.base import db
from models.enums import (
    ApplicationStatus,
    DecisionAuthority,
    DecisionOutcome,
    DueDiligenceOutcome,
    RejectionReason,
    Role,
)
from portal.applications import services, workflow
from portal.assessment import due_diligence
from portal.dates import format_datetime
from portal.exceptions import NotAllowed, RuleBroken
from tests.applications.helpers import complete, fresh, now_plus
from tests.conftest import sign_in_as
from tests.factories import ApplicationFactory, MembershipFactory, UserFactory
from tests.html import error_messages, soup

QUESTION = "Which bank holds your organisation's account?"
ANSWER = "The Co-operative Bank, in the organisation's name."
ALL_CHECKS = due_diligence.Checks(
    register_checked_on=date(2024, 6, 3), register_note="", bank_details_verified_on=
    date(2024, 6, 4), governing_document_seen=True, accounts_seen=True,
    safeguarding_policy_seen=True, duplicate_funding_note="")


@pytest.fixture
def officer(ctx):
    return UserFactory(roles=(Role.GRANTS_OFFICER,))


@pytest.fixture
def sent(world):
    """The world's application, submitted now."""
    application = complete(world.application())
    return services.submit_application(world.applicant, application.id)


def ask(officer, application, question=QUESTION, now=None):
    due_diligence.record_outcome(officer, application.id,
                                 DueDiligenceOutcome.CLARIFICATION_REQUESTED, question, now=now)


def timeline_steps(page) -> list[tuple[str, str]]:
    return [(item.h3.get_text(strip=True), item.time.get_text(strip=True))
            for item in page.select("ol.portal-timeline > li")]


def test_the_applicant_answers_a_question_in_the_portal(applicant_client, world, sent, officer,
                                                      outbox):
    ask(officer, sent)
    _confirmation, message = outbox.to(world.applicant.email)
    assert message["Subject"] == "Application CPG-2425-0001: we have a question"
    body = message.get_body(("plain",)).get_content()
    assert QUESTION in body
    assert "Sign in to " in body  # no link: asked outside a request, with no server name

    page = soup(applicant_client.get(f"/applications/{sent.id}"))
    assert page.select_one("#question").get_text(strip=True) == "The grants team has a question"
    assert QUESTION in page.select_one(".govuk-summary-card").text
    form = page.find("form", action=f"/applications/{sent.id}/clarification")
    assert form.select_one("textarea[name=answer]") is not None
    assert page.select_one(".govuk-tag").get_text(strip=True) == "Clarification requested"

    page = soup(applicant_client.get(f"/applications/{sent.id}/clarification"))
    assert page.h1.get_text(strip=True) == "Answer the grants team’s question"
    assert QUESTION in page.select_one(".govuk-summary-card").text

    response = applicant_client.post(f"/applications/{sent.id}/clarification",
                                     data={"answer": "  "})
    assert error_messages(response) == {"answer": "Enter your answer"}
    assert QUESTION in soup(response).text
    assert fresh(sent).status is ApplicationStatus.CLARIFICATION_REQUESTED

    response = applicant_client.post(f"/applications/{sent.id}/clarification",
                                     data={"answer": ANSWER})
    assert response.headers["Location"] == f"/applications/{sent.id}"
    question = db.session.scalar(select(ClarificationRequest))
    assert (question.answer, question.answered_by_id) == (ANSWER, world.applicant.id)
    assert question.answered_at is not None
    assert fresh(sent).status is ApplicationStatus.SUBMITTED
    change = db.session.scalar(select(StatusChange).order_by(StatusChange.id.desc()))
    assert (change.from_status, change.to_status, change.by_id) == (
        ApplicationStatus.CLARIFICATION_REQUESTED, ApplicationStatus.SUBMITTED,
        world.applicant.id)

    page = soup(applicant_client.get(f"/applications/{sent.id}"))
    assert page.select_one("#question") is None
    assert ANSWER in page.select_one("#answered-questions ~ .govuk-summary-card").text
    # Nothing is left to answer.
    response = applicant_client.get(f"/applications/{sent.id}/clarification")
    assert response.headers["Location"] == f"/applications/{sent.id}"


def test_the_officer_sees_the_question_and_answer_with_dates(app, world, sent, officer):
    asked_at = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    ask(officer, sent, now=asked_at)
    answered_at = datetime(2026, 7, 2, 14, 30, tzinfo=UTC)
    services.answer_clarification(world.applicant, sent.id, ANSWER, now=answered_at)
    officer_client = app.test_client()
    sign_in_as(officer_client, officer)
    page = soup(officer_client.get(f"/assessment/applications/{sent.id}/due-diligence"))
    card = page.select_one("#clarifications ~ .govuk-summary-card")
    rows = {row.dt.get_text(strip=True): row.dd.get_text(" ", strip=True)
            for row in card.select(".govuk-summary-list__row")}
    assert rows == {"Asked": f"1 July 2026 at 10:00am by {officer.full_name}",
                    "Question": QUESTION,
                    "Answered": f"2 July 2026 at 3:30pm by {world.applicant.full_name}",
                    "Answer": ANSWER}
    # Answered, the application can now be found eligible.
    due_diligence.save_checks(officer, sent.id, ALL_CHECKS)
    due_diligence.record_outcome(officer, sent.id, DueDiligenceOutcome.ELIGIBLE)
    assert fresh(sent).status is ApplicationStatus.UNDER_ASSESSMENT


def test_another_organisations_member_cannot_answer(client, world, sent, officer):
    ask(officer, sent)
    stranger = MembershipFactory().user
    sign_in_as(client, stranger)
    assert client.get(f"/applications/{sent.id}/clarification").status_code == 403
    assert client.post(f"/applications/{sent.id}/clarification",
                       data={"answer": "Mine now"}).status_code == 403
    with pytest.raises(NotAllowed):
        services.answer_clarification(stranger, sent.id, "Mine now")
    sign_in_as(client, officer)
    assert client.post(f"/applications/{sent.id}/clarification",
                       data={"answer": "Staff"}).status_code == 403
    assert db.session.scalar(select(ClarificationRequest)).answer is None
    assert fresh(sent).status is ApplicationStatus.CLARIFICATION_REQUESTED


def test_one_answer_answers_every_open_question(world, sent, officer):
    ask(officer, sent, "Which bank?")
    ask(officer, sent, "And who signs the cheques?")
    services.answer_clarification(world.applicant, sent.id, ANSWER)
    questions = db.session.scalars(select(ClarificationRequest)).all()
    assert [(q.question, q.answer) for q in questions] == [
        ("Which bank?", ANSWER), ("And who signs the cheques?", ANSWER)]
    assert fresh(sent).status is ApplicationStatus.SUBMITTED


def test_nothing_to_answer_is_refused(world, sent):
    with pytest.raises(RuleBroken, match="There is no question waiting for your answer"):
        services.answer_clarification(world.applicant, sent.id, ANSWER)
    assert fresh(sent).status is ApplicationStatus.SUBMITTED


def test_the_timeline_shows_each_step_with_its_date(applicant_client, world, sent, officer):
    start = sent.submitted_at
    ask(officer, sent, now=start + timedelta(days=1))
    services.answer_clarification(world.applicant, sent.id, ANSWER,
                                  now=start + timedelta(days=2))
    due_diligence.save_checks(officer, sent.id, ALL_CHECKS)
    due_diligence.record_outcome(officer, sent.id, DueDiligenceOutcome.ELIGIBLE,
                                 now=start + timedelta(days=3))
    application = fresh(sent)
    workflow.move(officer, application, "application.deferred", start + timedelta(days=4))
    db.session.commit()
    page = soup(applicant_client.get(f"/applications/{sent.id}"))
    assert timeline_steps(page) == [
        ("Submitted", format_datetime(start)),
        ("Clarification requested", format_datetime(start + timedelta(days=1))),
        ("Clarification answered", format_datetime(start + timedelta(days=2))),
        ("Being assessed", format_datetime(start + timedelta(days=3))),
        ("Decision deferred", format_datetime(start + timedelta(days=4))),
    ]
    assert page.select_one("ol.portal-timeline time")["datetime"] == start.isoformat()
    assert "The panel has deferred its decision." in page.select_one("#decision ~ p").text


def test_the_timeline_is_in_uk_time_and_covers_withdrawal(ctx):
    application = ApplicationFactory(status=ApplicationStatus.WITHDRAWN,
                                     submitted_at=datetime(2024, 7, 1, 11, 0, tzinfo=UTC))
    application.status_changes.append(StatusChange(
        from_status=ApplicationStatus.SUBMITTED, to_status=ApplicationStatus.WITHDRAWN,
        at=datetime(2024, 12, 1, 11, 0, tzinfo=UTC)))
    db.session.commit()
    steps = services.timeline(application)
    # Sent before status changes were recorded, it still shows when it was submitted.
    assert [(step.title, format_datetime(step.at)) for step in steps] == [
        ("Submitted", "1 July 2024 at 12:00pm"), ("Withdrawn", "1 December 2024 at 11:00am")]


def test_not_eligible_shows_the_reason(applicant_client, sent, officer):
    due_diligence.record_outcome(officer, sent.id, DueDiligenceOutcome.INELIGIBLE,
                                 "Your project is outside the council's area.")
    page = soup(applicant_client.get(f"/applications/{sent.id}"))
    assert page.select_one("#not-eligible ~ p").get_text(strip=True) == \
        "Your project is outside the council's area."
    assert timeline_steps(page)[-1][0] == "Not eligible"
    assert page.select_one(".govuk-tag").get_text(strip=True) == "Not eligible"


def decide(application, officer, outcome, **fields):
    db.session.add(Decision(application=application, outcome=outcome,
                            authority=DecisionAuthority.PANEL, decided_on=date(2026, 9, 1),
                            recorded_by=officer, **fields))
    workflow.move(officer, application, f"application.{outcome.value}", now_plus(days=10))
    db.session.commit()


def assessed(world, sent, officer):
    due_diligence.save_checks(officer, sent.id, ALL_CHECKS)
    due_diligence.record_outcome(officer, sent.id, DueDiligenceOutcome.ELIGIBLE)
    return fresh(sent)


def test_an_approval_shows_the_amount(applicant_client, world, sent, officer):
    decide(assessed(world, sent, officer), officer, DecisionOutcome.APPROVED,
           amount_pence=2_750_00, reason="Strong case")
    page = soup(applicant_client.get(f"/applications/{sent.id}"))
    assert page.select_one("#decision ~ p").get_text(strip=True) == \
        "Your application has been approved. The amount approved is £2,750.00."
    assert timeline_steps(page)[-1][0] == "Decision made: approved"
    assert page.select_one(".govuk-tag.govuk-tag--green").get_text(strip=True) == "Approved"


def test_rejection_feedback_appears_only_once_approved(applicant_client, world, sent, officer):
    decide(assessed(world, sent, officer), officer, DecisionOutcome.REJECTED,
           rejection_reason=RejectionReason.BUDGET_EXHAUSTED, reason="Ranked below the line",
           feedback="Tell us more about who will come to the lunch club.")
    page = soup(applicant_client.get(f"/applications/{sent.id}"))
    decision = page.select_one("#decision").find_next_siblings("p")
    assert decision[0].get_text(strip=True) == \
        "We are sorry, but your application has not been approved."
    assert decision[1].get_text(strip=True) == \
        f"Reason: {RejectionReason.BUDGET_EXHAUSTED.label}"
    assert "Tell us more about who will come" not in page.text
    assert "Ranked below the line" not in page.text  # the panel's own reason stays internal
    assert timeline_steps(page)[-1][0] == "Decision made: not approved"

    row = db.session.scalar(select(Decision))
    row.feedback_approved_by, row.feedback_approved_at = officer, now_plus(days=11)
    db.session.commit()
    page = soup(applicant_client.get(f"/applications/{sent.id}"))
    assert "Feedback from the grants team" in page.text
    assert "Tell us more about who will come to the lunch club." in page.text


def test_the_dashboard_tags_the_new_statuses(applicant_client, world, sent, officer):
    ask(officer, sent)
    page = soup(applicant_client.get("/applications/"))
    tag = page.select_one(".govuk-tag.govuk-tag--yellow")
    assert tag.get_text(strip=True) == "Clarification requested"
