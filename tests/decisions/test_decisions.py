"""Recording a decision on one application: the amount rules, one final decision only,
deferral first, the key-decision rule, email to the applicant and feedback approval."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from models import AuditEvent, Decision, Recommendation, StatusChange
from models.base import db, utcnow
from models.enums import ApplicationStatus, DecisionAuthority, DecisionOutcome
from portal.config import ConfigurationError, load_config
from portal.decisions import services
from portal.exceptions import RuleBroken
from tests.assessment.conftest import submitted
from tests.decisions.conftest import ALL_2, ALL_3, scored
from tests.factories import RoundFactory, community_plus_criteria
from tests.html import error_messages, soup

TODAY = date.today()


def decide(client, application, **fields):
    data = {"outcome": "approved", "amount": "", "reason": "", "authority": "delegated_officer",
            "decided_on": [str(TODAY.day), str(TODAY.month), str(TODAY.year)], "feedback": ""}
    data.update(fields)
    return client.post(f"/decisions/applications/{application.id}", data=data)


def banner(response) -> str:
    return " ".join(banner.get_text(" ", strip=True)
                    for banner in soup(response).select(".govuk-notification-banner"))


def decisions() -> list[Decision]:
    return db.session.scalars(select(Decision).order_by(Decision.id)).all()


def test_approving_records_the_decision_moves_the_status_and_emails(client, officer, round_,
                                                                    outbox):
    application = scored(round_, ALL_3, requested=2_000_00)
    response = decide(client, application, amount="2,000")
    assert response.status_code == 302
    [decision] = decisions()
    assert (decision.outcome, decision.amount_pence, decision.recorded_by_id) == (
        DecisionOutcome.APPROVED, 2_000_00, officer.id)
    db.session.refresh(application)
    assert application.status is ApplicationStatus.APPROVED
    change = db.session.scalar(select(StatusChange))
    assert change.to_status is ApplicationStatus.APPROVED
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action ==
                                                      "application.approved"))
    [message] = outbox.to(application.created_by.email)
    assert message["Subject"] == f"Your application {application.reference} has been approved"
    body = message.get_body(("plain",)).get_content()
    assert "Amount awarded: £2,000.00" in body and "What happens next" in body


def test_the_amount_defaults_to_the_recommendation_or_else_the_request(client, officer,
                                                                       round_):
    application = scored(round_, ALL_3, requested=2_000_00)
    page = soup(client.get(f"/decisions/applications/{application.id}"))
    assert page.select_one("#amount")["value"] == "2,000"
    db.session.add(Recommendation(application=application, amount_pence=1_500_00,
                                  updated_by=officer))
    db.session.commit()
    page = soup(client.get(f"/decisions/applications/{application.id}"))
    assert page.select_one("#amount")["value"] == "1,500"


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"amount": "2,000.01"}, "amount", "The amount cannot be more than the £2,000.00 requested"),
    ({"amount": "0"}, "amount", "The amount to award must be more than £0"),
    ({"amount": ""}, "amount", "Enter the amount"),
    ({"amount": "1,000"}, "reason", "Enter a reason for awarding a different amount from the "
                                    "request"),
    ({"outcome": "rejected", "reason": "Weak"}, "rejection_reason",
     "Select a reason for rejecting"),
    ({"outcome": "rejected", "rejection_reason": "other"}, "reason",
     "Enter the reason for rejecting"),
    ({"outcome": "deferred"}, "reason", "Enter a reason for deferring"),
    ({"outcome": ""}, "outcome", "Select a decision"),
    ({"outcome": "maybe"}, "outcome", "Select a decision"),
    ({"authority": ""}, "authority", "Select who made the decision"),
    ({"decided_on": ["", "", ""]}, "decided_on", "Enter the date of the decision"),
])
def test_bad_decisions_are_refused_beside_the_field(client, officer, round_, fields, field,
                                                    message):
    application = scored(round_, ALL_3, requested=2_000_00)
    response = decide(client, application, **{"amount": "2,000", **fields})
    assert response.status_code == 200
    assert error_messages(response)[field] == message
    assert decisions() == []
    db.session.refresh(application)
    assert application.status is ApplicationStatus.UNDER_ASSESSMENT


def test_an_amount_above_the_rounds_maximum_is_refused(client, officer, round_):
    application = scored(round_, ALL_3, requested=6_000_00)
    response = decide(client, application, amount="5,000.01", reason="Capped")
    assert error_messages(response)["amount"] == ("The amount cannot be more than the round’s "
                                                  "maximum award of £5,000.00")
    assert decisions() == []


def test_a_date_in_the_future_is_refused(client, officer, round_):
    application = scored(round_, ALL_3, requested=2_000_00)
    tomorrow = TODAY + timedelta(days=2)
    response = decide(client, application, amount="2,000",
                      decided_on=[str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)])
    assert error_messages(response)["decided_on"] == ("The date of the decision must be today "
                                                      "or in the past")
    assert decisions() == []


def test_a_second_decision_is_refused_and_nothing_changes(client, officer, round_, outbox):
    application = scored(round_, ALL_3, requested=2_000_00)
    decide(client, application, amount="2,000")
    again = decide(client, application, outcome="rejected", rejection_reason="other",
                   reason="Changed our minds")
    assert again.status_code == 200
    assert "has not been found eligible" not in soup(again).get_text()
    assert len(decisions()) == 1
    db.session.refresh(application)
    assert application.status is ApplicationStatus.APPROVED
    assert len(outbox.messages()) == 1


def test_the_service_refuses_a_second_decision_with_a_clear_message(ctx, officer, round_):
    application = scored(round_, ALL_3, requested=2_000_00, status=ApplicationStatus.REJECTED)
    with pytest.raises(RuleBroken, match="A decision has already been recorded"):
        services.record_decision(officer, application.id, services.DecisionDetails(
            outcome=DecisionOutcome.APPROVED, authority=DecisionAuthority.CABINET,
            decided_on=TODAY, amount_pence=2_000_00), utcnow())


def test_defer_then_approve(client, officer, round_, outbox):
    application = scored(round_, ALL_3, requested=2_000_00)
    assert decide(client, application, outcome="deferred",
                  reason="Waiting for accounts").status_code == 302
    db.session.refresh(application)
    assert application.status is ApplicationStatus.DEFERRED
    assert "deferred" in outbox.messages()[-1]["Subject"]
    twice = decide(client, application, outcome="deferred", reason="Still waiting")
    assert error_messages(twice)["outcome"].startswith("The decision on this application is "
                                                       "already deferred")
    assert decide(client, application, amount="2,000").status_code == 302
    assert [d.outcome for d in decisions()] == [DecisionOutcome.DEFERRED,
                                                DecisionOutcome.APPROVED]
    page = soup(client.get(f"/decisions/applications/{application.id}")).get_text(" ")
    assert "Waiting for accounts" in page


def test_rejecting_emails_the_reason_and_feedback_follows_once_approved(client, officer,
                                                                        round_, outbox):
    application = scored(round_, ALL_2, requested=2_000_00)
    decide(client, application, outcome="rejected", rejection_reason="budget_exhausted",
           reason="Ranked below the line", feedback="Draft feedback")
    [decision] = decisions()
    assert decision.feedback == "Draft feedback" and decision.feedback_approved_at is None
    body = outbox.messages()[-1].get_body(("plain",)).get_content()
    assert "Higher-scoring applications used the round's budget" in body.replace("’", "'")
    assert "feedback on your application once it has been approved" in body
    assert "Draft feedback" not in body

    page = soup(client.get(f"/decisions/applications/{application.id}"))
    assert page.select_one("#feedback").get_text() == "Draft feedback"
    approve_form = "form[action$='/feedback']"
    assert page.select_one(approve_form) is not None
    empty = client.post(f"/decisions/applications/{application.id}/feedback",
                        data={"feedback": " "})
    assert error_messages(empty)["feedback"] == "Enter the feedback for the applicant"
    response = client.post(f"/decisions/applications/{application.id}/feedback",
                           data={"feedback": "Show more about need."})
    assert response.status_code == 302
    db.session.refresh(decision)
    assert decision.feedback == "Show more about need."
    assert decision.feedback_approved_by_id == officer.id
    assert soup(client.get(f"/decisions/applications/{application.id}")).select_one(
        approve_form) is None
    message = outbox.messages()[-1]
    assert message["Subject"] == f"Feedback on application {application.reference}"
    assert "Show more about need." in message.get_body(("plain",)).get_content()
    again = client.post(f"/decisions/applications/{application.id}/feedback",
                        data={"feedback": "Other"}, follow_redirects=True)
    assert "This feedback has already been approved and sent" in banner(again)
    db.session.refresh(decision)
    assert decision.feedback == "Show more about need."


def test_feedback_cannot_be_approved_before_a_rejection(client, officer, round_):
    application = scored(round_, ALL_2)
    response = client.post(f"/decisions/applications/{application.id}/feedback",
                           data={"feedback": "Too soon"}, follow_redirects=True)
    assert response.status_code == 200
    assert "Feedback can be approved only once the application has been rejected" in banner(
        response)
    assert decisions() == []


def test_an_application_not_yet_assessed_gets_a_message(client, officer, round_):
    application = submitted(round=round_, status=ApplicationStatus.SUBMITTED)
    response = client.get(f"/decisions/applications/{application.id}")
    assert response.status_code == 200
    assert "not been found eligible for assessment yet" in soup(response).get_text()
    assert decide(client, application, amount="1,500").status_code == 200
    assert decisions() == []


# The key-decision rule ------------------------------------------------------------------------


@pytest.fixture
def big_round(ctx):
    """A round able to make awards over the default £500,000 threshold."""
    made = RoundFactory(closed=True, budget_pence=2_000_000_00, min_award_pence=500_00,
                        max_award_pence=1_000_000_00)
    community_plus_criteria(made)
    return made


@pytest.mark.parametrize("authority", ["delegated_officer", "panel"])
def test_a_single_award_over_the_threshold_needs_cabinet(client, officer, big_round,
                                                         authority):
    application = scored(big_round, ALL_3, requested=500_000_01)
    response = decide(client, application, amount="500,000.01", authority=authority)
    assert error_messages(response)["authority"].startswith(
        "This is a key decision: it needs Cabinet approval")
    assert decisions() == []
    assert decide(client, application, amount="500,000.01",
                  authority="cabinet").status_code == 302
    assert decisions()[0].authority.value == "cabinet"


def test_an_award_at_the_threshold_is_not_a_key_decision(client, officer, big_round):
    application = scored(big_round, ALL_3, requested=500_000_00)
    assert decide(client, application, amount="500,000").status_code == 302


def test_the_round_total_crossing_the_threshold_needs_cabinet(client, officer, big_round):
    first = scored(big_round, ALL_3, requested=300_000_00)
    second = scored(big_round, ALL_3, requested=250_000_00)
    assert decide(client, first, amount="300,000", authority="panel").status_code == 302
    response = decide(client, second, amount="250,000", authority="panel")
    assert "£550,000.00, over £500,000" in error_messages(response)["authority"]
    assert len(decisions()) == 1
    # Rejections and deferrals are never key decisions.
    assert decide(client, second, outcome="deferred", reason="Cabinet next month",
                  authority="panel").status_code == 302
    assert decide(client, second, amount="250,000", authority="cabinet").status_code == 302


def test_the_threshold_comes_from_configuration(client, officer, round_, monkeypatch):
    monkeypatch.setitem(client.application.config, "KEY_DECISION_THRESHOLD_PENCE", 1_000_00)
    application = scored(round_, ALL_3, requested=1_000_01)
    response = decide(client, application, amount="1,000.01")
    assert "an award over £1,000 is a key decision" in error_messages(response)["authority"]
    page = soup(response).get_text(" ")
    assert "An award over £1,000" in page
    assert db.session.scalar(select(func.count(Decision.id))) == 0


def test_the_threshold_is_read_from_the_environment_in_pounds(monkeypatch, tmp_path):
    monkeypatch.setenv("KEY_DECISION_THRESHOLD", "£250,000")
    assert load_config(tmp_path)["KEY_DECISION_THRESHOLD_PENCE"] == 250_000_00
    monkeypatch.delenv("KEY_DECISION_THRESHOLD")
    assert load_config(tmp_path)["KEY_DECISION_THRESHOLD_PENCE"] == 500_000_00
    monkeypatch.setenv("KEY_DECISION_THRESHOLD", "half a million")
    with pytest.raises(ConfigurationError):
        load_config(tmp_path)
