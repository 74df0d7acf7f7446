"""Closing an award after its end-of-grant report: the money not paid goes back to the pots,
the declared underspend is recovered through the ledger, the closure letter gives the final
figures, and a closed award is listed and counted. Closing is refused, changing nothing, until
the report is accepted."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models import AwardVersion, Recovery
from models.base import db, utcnow
from models.enums import AwardChange, AwardStatus, RecoveryKind
from portal.awards import closure, letters, payments, returns, variations
from portal.awards.closure import ClosureDetails
from portal.awards.return_details import Review
from portal.awards.terms import ScheduledPayment, terms_of
from portal.exceptions import RuleBroken
from portal.funding import ledger
from portal.funding.payments import PaymentDetails
from tests.awards.conftest import Offered, accepted_grant, today
from tests.awards.test_grant_returns import answers, officer, sent
from tests.awards.test_letters import letter_store, text_of  # noqa: F401 (a fixture)
from tests.conftest import sign_in_as
from tests.html import error_messages, soup


@pytest.fixture
def grant(round_) -> Offered:
    return accepted_grant(round_)


def split_in_two(made: Offered) -> None:
    """Pay £600 now and £400 later instead of £1,000 at once."""
    current = terms_of(made.award)
    first = current.instalments[0]
    variations.vary(officer(), made.award.id, variations.Variation(
        amount_pence=made.award.amount_pence,
        allocations={each.pot_id: each.amount_pence for each in made.award.allocations},
        terms=current.__class__(current.start_date, current.end_date, current.payment_timing,
                                (ScheduledPayment(first.due_on, 600_00),
                                 ScheduledPayment(current.end_date, 400_00)),
                                current.monitoring_returns),
        reason="Two payments"), utcnow())


def pay(made: Offered, number: int, pence: int) -> None:
    instalment = made.award.instalments[number - 1]
    payments.record_payment(officer(), made.award.id, PaymentDetails(
        instalment.id, today(), pence, f"BACS-{number}"), utcnow())


def reported(made: Offered, underspend_pence: int) -> None:
    """The end-of-grant report sent with `underspend_pence` unspent, and accepted."""
    report = sent(made, underspend_pence=underspend_pence)
    returns.review(officer(), report.id, Review(accept=True), utcnow())


def pot_figures(made: Offered) -> tuple[int, int, int]:
    """(committed, paid, available) of the award's pot, from the ledger."""
    balance = ledger.balances([made.pot.id])[made.pot.id]
    return balance.committed_pence, balance.paid_pence, balance.available_pence


def test_closing_after_full_payment_recovers_the_declared_underspend(grant, outbox):
    pay(grant, 1, 1_000_00)
    reported(grant, 50_00)
    committed, paid, available = pot_figures(grant)
    closure.close(officer(), grant.award.id, ClosureDetails(today(), "Thank you."), utcnow())
    assert grant.award.status is AwardStatus.CLOSED
    recovery = db.session.scalars(select(Recovery)).one()
    assert (recovery.kind, recovery.amount_pence) == (RecoveryKind.REPAYMENT, 50_00)
    assert pot_figures(grant) == (committed - 50_00, paid - 50_00, available + 50_00)
    version = db.session.scalars(select(AwardVersion).where(
        AwardVersion.change == AwardChange.CLOSURE)).one()
    assert version.terms["closure"] == {
        "paid_pence": 1_000_00, "released_pence": 0, "underspend_pence": 50_00,
        "recovered_pence": 50_00, "net_grant_pence": 950_00}
    assert any("has been closed" in message["Subject"] for message in outbox.to(
        grant.admin.email))


def test_closing_a_part_paid_award_releases_what_was_not_paid(grant):
    split_in_two(grant)
    pay(grant, 1, 600_00)
    reported(grant, 450_00)  # £400 was never paid, so £50 of the £600 paid is unspent
    committed, paid, available = pot_figures(grant)
    plan = closure.closure(officer(), grant.award.id)
    assert (plan.unpaid_pence, plan.recover_pence, plan.net_grant_pence) == (
        400_00, 50_00, 550_00)
    closure.close(officer(), grant.award.id, ClosureDetails(today()), utcnow())
    assert pot_figures(grant) == (committed - 450_00, paid - 50_00, available + 450_00)


def test_the_closure_letter_gives_the_final_figures(grant):
    pay(grant, 1, 1_000_00)
    reported(grant, 0)
    closure.close(officer(), grant.award.id, ClosureDetails(None, "Well done."), utcnow())
    stored, pdf = letters.letter(officer(), grant.award.id)
    text = text_of(pdf)
    assert stored.change is AwardChange.CLOSURE
    assert f"Closure of your grant {grant.award.reference}" in text
    assert "Final grant £1,000.00" in text
    assert "Well done." in text
    assert "How to accept" not in text


def test_closing_is_refused_until_the_report_is_accepted_and_changes_nothing(grant):
    pay(grant, 1, 1_000_00)
    with pytest.raises(RuleBroken, match=r"must be accepted before the award is closed\. It "
                                         r"is not sent"):
        closure.close(officer(), grant.award.id, ClosureDetails(today()), utcnow())
    sent(grant, underspend_pence=50_00)
    with pytest.raises(RuleBroken, match="It is sent"):
        closure.close(officer(), grant.award.id, ClosureDetails(today()), utcnow())
    returns.review(officer(), grant.award.monitoring_returns[0].id, Review(accept=True),
                   utcnow())
    with pytest.raises(RuleBroken) as refused:
        closure.close(officer(), grant.award.id, ClosureDetails(None), utcnow())
    assert refused.value.field == "received_on"
    db.session.rollback()
    assert grant.award.status is AwardStatus.ACCEPTED
    assert db.session.scalar(select(func.count(Recovery.id))) == 0


def test_a_closed_award_takes_no_payment_variation_or_change_to_its_returns(grant):
    split_in_two(grant)
    pay(grant, 1, 600_00)
    reported(grant, 400_00)
    closure.close(officer(), grant.award.id, ClosureDetails(None), utcnow())
    with pytest.raises(RuleBroken, match="once the organisation has accepted"):
        pay(grant, 2, 400_00)
    db.session.rollback()
    assert variations.variation_page(officer(), grant.award.id).why_not
    with pytest.raises(RuleBroken, match="cannot be changed"):
        returns.save_answers(grant.member, grant.award.monitoring_returns[0].id, answers(grant),
                             utcnow())
    db.session.rollback()
    with pytest.raises(RuleBroken, match="closed, so it cannot be closed"):
        closure.close(officer(), grant.award.id, ClosureDetails(None), utcnow())


def test_an_officer_closes_an_award_through_its_page_and_finds_it_listed(client, grant):
    pay(grant, 1, 1_000_00)
    person = officer()
    sign_in_as(client, person)
    page = soup(client.get(f"/awards/{grant.award.id}/close"))
    assert "must be accepted" in page.select_one("#why-not").text
    reported(grant, 25_00)
    refused = client.post(f"/awards/{grant.award.id}/close", data={
        "received_on": ["", "", ""], "note": "Thanks"})
    assert error_messages(refused) == {
        "received_on": "Enter the date the organisation repaid the £25.00 unspent"}
    when = today() - timedelta(days=1)
    closed = client.post(f"/awards/{grant.award.id}/close", data={
        "received_on": [str(when.day), str(when.month), str(when.year)], "note": "Thanks"},
        follow_redirects=True)
    assert "has been closed" in soup(closed).select_one(".govuk-notification-banner").text
    listed = soup(client.get("/awards/closed"))
    assert grant.award.reference in listed.select_one("#closed-awards").text
    assert "Closed awards: 1" in listed.select_one("#dashboard").text
