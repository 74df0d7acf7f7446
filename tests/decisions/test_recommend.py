"""Recommend within budget down the ranking, skipping or offering a partial award as the round
says, keeping the officer's adjusted amounts; and adjusting one recommendation."""

import pytest
from sqlalchemy import select

from models import AuditEvent, Recommendation
from models.base import db
from models.enums import ShortfallRule
from tests.decisions.conftest import ALL_1, ALL_2, ALL_3, EIGHTY, scored
from tests.html import error_messages, soup


def recommended() -> dict[int, int]:
    return {r.application_id: r.amount_pence for r in db.session.scalars(select(Recommendation))}


def summary(response) -> dict[str, str]:
    page = soup(response)
    return {row.select_one("dt").get_text(strip=True): row.select_one("dd").get_text(strip=True)
            for row in page.select(".govuk-summary-list__row")}


@pytest.fixture
def ranked(round_):
    """Four applications best first asking £4,000, £5,000, £3,000 and £1,000 of a £10,000
    budget, and one below the pass mark."""
    return [scored(round_, ALL_3, requested=4_000_00), scored(round_, EIGHTY, requested=5_000_00),
            scored(round_, ALL_2, requested=3_000_00),
            scored(round_, (2, 2, 2, 1, 1, 1), requested=1_000_00),  # 56.67
            scored(round_, ALL_1, requested=500_00)]


def test_skip_round_skips_what_does_not_fit_and_goes_on(client, officer, round_, ranked):
    response = client.post(f"/decisions/rounds/{round_.id}/recommend", follow_redirects=True)
    assert recommended() == {ranked[0].id: 4_000_00, ranked[1].id: 5_000_00,
                             ranked[2].id: 0, ranked[3].id: 1_000_00, ranked[4].id: 0}
    assert "£0.00 of the budget remains" in soup(response).get_text()
    assert summary(response)["Remaining budget"] == "£0.00"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.recommended"))


def test_partial_round_offers_what_is_left(client, officer, round_, ranked):
    round_.shortfall_rule = ShortfallRule.PARTIAL
    db.session.commit()
    client.post(f"/decisions/rounds/{round_.id}/recommend")
    assert recommended() == {ranked[0].id: 4_000_00, ranked[1].id: 5_000_00,
                             ranked[2].id: 1_000_00, ranked[3].id: 0, ranked[4].id: 0}


def test_adjusted_amounts_are_kept_and_the_rest_shared_around_them(client, officer, round_,
                                                                   ranked):
    response = client.post(f"/decisions/applications/{ranked[1].id}/recommendation",
                           data={"amount": "2,000", "note": "Year one only"})
    assert response.status_code == 302
    client.post(f"/decisions/rounds/{round_.id}/recommend")
    assert recommended() == {ranked[0].id: 4_000_00, ranked[1].id: 2_000_00,
                             ranked[2].id: 3_000_00, ranked[3].id: 1_000_00, ranked[4].id: 0}
    kept = db.session.scalar(select(Recommendation)
                             .where(Recommendation.application_id == ranked[1].id))
    assert kept.adjusted and kept.note == "Year one only"


def test_zero_is_allowed_as_not_recommended(client, officer, round_, ranked):
    client.post(f"/decisions/applications/{ranked[0].id}/recommendation",
                data={"amount": "0", "note": "Duplicate funding"})
    assert recommended() == {ranked[0].id: 0}


@pytest.mark.parametrize(("amount", "message"), [
    ("", "Enter the recommended amount"),
    ("lots", "Enter the recommended amount in pounds, like £5,000"),
    ("4,000.01", "The amount cannot be more than the £4,000.00 requested"),
])
def test_bad_adjustments_are_refused_beside_the_field(client, officer, round_, ranked, amount,
                                                      message):
    response = client.post(f"/decisions/applications/{ranked[0].id}/recommendation",
                           data={"amount": amount, "note": "Because"})
    assert response.status_code == 200
    assert error_messages(response)["amount"] == message
    assert soup(response).select_one("#note").get_text() == "Because"
    assert recommended() == {}


def test_an_adjustment_above_the_rounds_maximum_is_refused(client, officer, round_):
    big = scored(round_, ALL_3, requested=8_000_00)
    response = client.post(f"/decisions/applications/{big.id}/recommendation",
                           data={"amount": "6000", "note": "Because"})
    assert error_messages(response)["amount"] == ("The amount cannot be more than the round’s "
                                                  "maximum award of £5,000.00")
    assert recommended() == {}


def test_an_adjustment_needs_a_note(client, officer, round_, ranked):
    response = client.post(f"/decisions/applications/{ranked[0].id}/recommendation",
                           data={"amount": "100"})
    assert error_messages(response)["note"] == "Enter a note to say why you changed the amount"
