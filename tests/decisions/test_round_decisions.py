"""Decisions for a whole round at once: previewed, then all recorded or none."""

from datetime import date

import pytest
from sqlalchemy import select

from models import Decision, Recommendation
from models.base import db
from models.enums import ApplicationStatus, DecisionOutcome, RejectionReason
from tests.decisions.conftest import ALL_1, ALL_2, ALL_3, EIGHTY, scored
from tests.factories import RoundFactory, community_plus_criteria
from tests.html import error_messages, soup

TODAY = date.today()
WHEN = [str(TODAY.day), str(TODAY.month), str(TODAY.year)]


def recommend(application, pence: int, officer) -> None:
    db.session.add(Recommendation(application=application, amount_pence=pence,
                                  updated_by=officer))
    db.session.commit()


@pytest.fixture
def world(round_, officer):
    round_.criteria[0].minimum_score = 2
    db.session.commit()
    funded = scored(round_, ALL_3, requested=4_000_00)
    partly = scored(round_, EIGHTY, requested=5_000_00)
    unfunded = scored(round_, ALL_2, requested=3_000_00)
    failed_pass = scored(round_, (2, 1, 1, 1, 1, 1), requested=1_000_00)  # 41.67%, need 2
    failed_minimum = scored(round_, (1, 3, 3, 3, 3, 3), requested=1_000_00)  # 91.67%, need 1
    unscored = scored(round_, requested=1_000_00)
    not_recommended_yet = scored(round_, ALL_2, requested=700_00)
    recommend(funded, 4_000_00, officer)
    recommend(partly, 2_500_00, officer)
    recommend(unfunded, 0, officer)
    recommend(failed_pass, 0, officer)
    return {"funded": funded, "partly": partly, "unfunded": unfunded,
            "failed_pass": failed_pass, "failed_minimum": failed_minimum,
            "unscored": unscored, "not_recommended_yet": not_recommended_yet}


def test_the_preview_lists_what_will_be_decided(client, world, round_):
    page = soup(client.get(f"/decisions/rounds/{round_.id}/decide"))
    planned = {row["id"]: row.select("td")[2].get_text(" ", strip=True)
               for row in page.select("tbody tr")}
    assert planned[f"planned-{world['funded'].id}"] == "Approved"
    assert planned[f"planned-{world['unfunded'].id}"] == (
        "Rejected: higher-scoring applications used the round's budget")
    assert planned[f"planned-{world['failed_pass'].id}"] == (
        "Rejected: the score was below the round's pass mark")
    assert planned[f"planned-{world['failed_minimum'].id}"] == (
        "Rejected: a criterion's minimum score was not met")
    assert planned[f"planned-{world['unscored'].id}"] == "Left undecided: not scored yet"
    assert planned[f"planned-{world['not_recommended_yet'].id}"] == (
        "Left undecided: no recommendation yet")


def test_deciding_the_round_records_every_decision_and_emails(client, world, round_, outbox):
    response = client.post(f"/decisions/rounds/{round_.id}/decide", data={
        "authority": "panel", "decided_on": WHEN, "reason": "Panel meeting of 1 March"})
    assert response.status_code == 302
    made = {d.application_id: d for d in db.session.scalars(select(Decision))}
    assert made[world["funded"].id].amount_pence == 4_000_00
    assert made[world["partly"].id].amount_pence == 2_500_00
    assert made[world["unfunded"].id].rejection_reason is RejectionReason.BUDGET_EXHAUSTED
    assert made[world["failed_pass"].id].rejection_reason is RejectionReason.BELOW_PASS_MARK
    assert (made[world["failed_minimum"].id].rejection_reason
            is RejectionReason.CRITERION_NOT_MET)
    assert world["unscored"].id not in made and world["not_recommended_yet"].id not in made
    assert {d.reason for d in made.values()} == {"Panel meeting of 1 March"}
    for key, status in (("funded", ApplicationStatus.APPROVED),
                        ("unfunded", ApplicationStatus.REJECTED),
                        ("unscored", ApplicationStatus.UNDER_ASSESSMENT)):
        db.session.refresh(world[key])
        assert world[key].status is status
    assert len(outbox.messages()) == 5
    # Done once: what was decided is not decided again.
    again = client.post(f"/decisions/rounds/{round_.id}/decide", data={
        "authority": "panel", "decided_on": WHEN, "reason": "Again"})
    assert error_messages(again)["authority"] == ("There are no scored applications waiting "
                                                  "for a decision")


def test_a_round_total_over_the_threshold_is_refused_entirely(client, officer, outbox,
                                                              monkeypatch):
    round_ = RoundFactory(closed=True, budget_pence=2_000_000_00, max_award_pence=400_000_00)
    community_plus_criteria(round_)
    first = scored(round_, ALL_3, requested=300_000_00)
    second = scored(round_, ALL_2, requested=300_000_00)
    rejected = scored(round_, ALL_1, requested=1_000_00)
    recommend(first, 300_000_00, officer)
    recommend(second, 300_000_00, officer)
    data = {"authority": "delegated_officer", "decided_on": WHEN, "reason": "Panel"}
    response = client.post(f"/decisions/rounds/{round_.id}/decide", data=data)
    assert response.status_code == 200
    assert error_messages(response)["authority"].startswith(
        "This is a key decision: it needs Cabinet approval")
    assert "£600,000.00" in error_messages(response)["authority"]
    assert db.session.scalars(select(Decision)).all() == []
    for application in (first, second, rejected):
        db.session.refresh(application)
        assert application.status is ApplicationStatus.UNDER_ASSESSMENT
    assert outbox.messages() == []
    assert client.post(f"/decisions/rounds/{round_.id}/decide",
                       data={**data, "authority": "cabinet"}).status_code == 302
    assert {d.outcome for d in db.session.scalars(select(Decision))} == {
        DecisionOutcome.APPROVED, DecisionOutcome.REJECTED}


def test_the_form_needs_authority_date_and_reason(client, world, round_):
    response = client.post(f"/decisions/rounds/{round_.id}/decide",
                           data={"decided_on": ["", "", ""]})
    assert error_messages(response) == {
        "authority": "Select who made the decision",
        "decided_on": "Enter the date of the decision",
        "reason": "Enter the reason for these decisions"}
    assert db.session.scalars(select(Decision)).all() == []


def test_a_recommendation_no_longer_within_the_rules_stops_everything(client, world, round_):
    round_.max_award_pence = 3_000_00  # lowered after the £4,000 recommendation was made
    db.session.commit()
    response = client.post(f"/decisions/rounds/{round_.id}/decide", data={
        "authority": "panel", "decided_on": WHEN, "reason": "Panel"})
    assert error_messages(response)["authority"] == (
        f"{world['funded'].reference}: The amount cannot be more than the round’s maximum "
        "award of £3,000.00. Change its recommendation first")
    assert db.session.scalars(select(Decision)).all() == []
