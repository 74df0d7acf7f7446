"""A competitive round takes decisions and award offers only once it has closed, so that every
application is compared with the others; a rolling round takes them while it is open."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from models import Award, Decision
from models.base import db, utcnow
from models.enums import DecisionAuthority, DecisionOutcome
from portal.awards import services as awards
from portal.decisions import services
from portal.exceptions import RuleBroken
from tests.awards.conftest import approved, pot
from tests.decisions.conftest import ALL_3, scored
from tests.factories import RoundFactory, community_plus_criteria
from tests.html import soup

WAIT = "This round is still open. Decisions and offers are made once it has closed"


@pytest.fixture
def open_round(ctx):
    """A competitive round open now, with the Community Plus criteria."""
    made = RoundFactory(budget_pence=10_000_00, min_award_pence=500_00, max_award_pence=5_000_00)
    community_plus_criteria(made)
    return made


def approval(amount_pence: int = 2_000_00) -> services.DecisionDetails:
    return services.DecisionDetails(outcome=DecisionOutcome.APPROVED,
                                    authority=DecisionAuthority.DELEGATED_OFFICER,
                                    decided_on=date.today(), amount_pence=amount_pence)


def decision_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Decision))


def test_an_open_competitive_round_refuses_decisions(officer, open_round):
    application = scored(open_round, ALL_3, requested=2_000_00)
    with pytest.raises(RuleBroken, match=WAIT):
        services.record_decision(officer, application.id, approval(), utcnow())
    with pytest.raises(RuleBroken, match=WAIT):
        services.decide_round(officer, open_round.id, DecisionAuthority.PANEL, date.today(),
                              "Panel", utcnow())
    assert decision_count() == 0


def test_the_same_round_takes_decisions_once_closed(officer, open_round):
    application = scored(open_round, ALL_3, requested=2_000_00)
    after_closing = open_round.closes_at + timedelta(seconds=1)
    services.record_decision(officer, application.id, approval(), after_closing)
    assert decision_count() == 1


def test_an_open_rolling_round_takes_decisions_and_offers(officer, open_round):
    open_round.rolling = True
    db.session.commit()
    application = scored(open_round, ALL_3, requested=2_000_00)
    services.record_decision(officer, application.id, approval(), utcnow())
    assert decision_count() == 1
    page = awards.offer_page(officer, application.id, utcnow())
    assert page.why_not is None


def test_an_open_competitive_round_refuses_offers(officer, open_round):
    application = approved(open_round)
    pot(10_000_00)
    page = awards.offer_page(officer, application.id, utcnow())
    assert page.why_not == f"{WAIT}, so that every application is compared with the others."
    with pytest.raises(RuleBroken, match=WAIT):
        awards.make_offer(officer, application.id, awards.OfferDetails(
            allocations={}, standard_conditions="Conditions", special_conditions="",
            accept_by=date.today() + timedelta(days=28), terms=page.terms), utcnow())
    assert db.session.scalar(select(func.count()).select_from(Award)) == 0


def test_the_decision_pages_say_why_they_wait(client, officer, open_round):
    application = scored(open_round, ALL_3, requested=2_000_00)
    for path in (f"/decisions/rounds/{open_round.id}",
                 f"/decisions/applications/{application.id}"):
        wait = soup(client.get(path)).select_one("#decisions-wait")
        assert wait is not None and wait.text.startswith(WAIT), path
    open_round.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert soup(client.get(f"/decisions/rounds/{open_round.id}")).select_one(
        "#decisions-wait") is None
