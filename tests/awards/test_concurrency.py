"""Award offers and answers at the same moment cannot overspend a pot, make two awards for one
application or answer one offer twice.

On PostgreSQL the calls run at once from threads (tests/concurrency.py): the application's row
lock makes offers for one application take turns, the pots' row locks make offers from one pot
take turns, and the award's row lock makes answers take turns. On SQLite they run one after
another, and the outcome must be the same."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models import AuditEvent, Award, AwardVersion, LedgerEntry, User
from models.base import db, utcnow
from models.enums import AwardStatus, LedgerKind, OrganisationRole, Role
from portal.awards import services
from portal.awards.terms import default_terms
from portal.funding import ledger
from portal.funding.ledger import Balance
from tests.awards.conftest import approved, make, pot, today
from tests.concurrency import DONE, REFUSED, at_once
from tests.factories import MembershipFactory, UserFactory

THREADS = 20
AMOUNT = 1_000_00


def _offer(officer_id: int, application_id: int, pot_id: int):
    """A call making an offer of AMOUNT for the application, all from one pot, as the
    officer: what the offer page sends."""
    def call() -> Award:
        return services.make_offer(
            db.session.get(User, officer_id), application_id, services.OfferDetails(
                allocations={pot_id: AMOUNT}, standard_conditions="1. Spend it on the project.",
                special_conditions="", accept_by=today() + timedelta(days=28),
                terms=default_terms(AMOUNT, None, None, today())), utcnow())
    return call


def _audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_simultaneous_offers_from_one_pot_never_overspend_it(app, round_, backend):
    """20 officers each offer £1,000 for their own approved application from one pot of
    £6,500: six offers are made, the rest are refused and leave no trace."""
    funded = pot(6_500_00)
    applications = [approved(round_, AMOUNT) for _ in range(THREADS)]
    officers = [UserFactory(roles=(Role.GRANTS_OFFICER,)) for _ in range(THREADS)]

    outcomes = at_once(app, backend, [
        _offer(officer.id, application.id, funded.id)
        for officer, application in zip(officers, applications, strict=True)])

    # Only made or refused: no thread met a deadlock, serialisation or other database error.
    assert sorted(set(outcomes)) == [DONE, REFUSED]
    assert outcomes.count(DONE) == 6
    db.session.expire_all()
    assert ledger.balances([funded.id])[funded.id] == Balance(6_500_00, 6_000_00, 0)
    made = {application.reference for application, outcome in
            zip(applications, outcomes, strict=True) if outcome == DONE}
    awards = db.session.scalars(select(Award)).all()
    assert {award.reference for award in awards} == made
    # Refused offers left no award, ledger entry, version or audit event behind.
    commitments = db.session.scalars(select(LedgerEntry).where(
        LedgerEntry.kind == LedgerKind.COMMITMENT)).all()
    assert sorted(entry.reason for entry in commitments) == sorted(
        f"Award {reference}" for reference in made)
    assert {entry.award_id for entry in commitments} == {award.id for award in awards}
    assert db.session.scalar(select(func.count()).select_from(AwardVersion)) == 6
    assert {event.object_id for event in _audit("award.offered")} == {a.id for a in awards}
    assert len(_audit("award.offered")) == 6
    assert sorted(event.details["reason"] for event in _audit("ledger.posted")) == sorted(
        ["Budget set", *(f"Award {reference}" for reference in made)])


def test_two_officers_offering_for_one_application_make_one_award(app, round_, backend):
    """The pot could pay for both: the application's lock, not the money, stops the second."""
    funded = pot(5_000_00)
    application = approved(round_, AMOUNT)
    officers = [UserFactory(roles=(Role.GRANTS_OFFICER,)) for _ in range(2)]

    outcomes = at_once(app, backend, [_offer(officer.id, application.id, funded.id)
                                      for officer in officers])

    assert sorted(outcomes) == [DONE, REFUSED]
    db.session.expire_all()
    awards = db.session.scalars(select(Award)).all()
    assert [award.application_id for award in awards] == [application.id]
    assert awards[0].offered_by_id == officers[outcomes.index(DONE)].id
    assert ledger.balances([funded.id])[funded.id] == Balance(5_000_00, AMOUNT, 0)
    assert len(_audit("award.offered")) == 1


@pytest.mark.parametrize("first", ["accept", "decline"])
def test_two_admins_answering_one_offer_give_one_answer(app, round_, backend, first):
    """One admin accepts as the other declines: one answer wins and the other is refused;
    the money stays committed if it was accepted and goes back to the pot if declined. On
    SQLite `first` answers first; on PostgreSQL either may win."""
    offered = make(round_)
    other_admin = MembershipFactory(organisation=offered.award.application.organisation,
                                    role=OrganisationRole.ADMIN).user
    award_id, admins = offered.award.id, {"accept": offered.admin.id, "decline": other_admin.id}

    def accept() -> Award:
        return services.accept(db.session.get(User, admins["accept"]), award_id,
                               services.Acceptance("Sam Signer", "Chair", True, "192.0.2.1"),
                               utcnow())

    def decline() -> Award:
        return services.decline(db.session.get(User, admins["decline"]), award_id,
                                "We have found other funding", utcnow())

    answers = {"accept": accept, "decline": decline}
    order = [first, *(answer for answer in answers if answer != first)]
    outcomes = at_once(app, backend, [answers[answer] for answer in order])

    assert sorted(outcomes) == [DONE, REFUSED]
    winner = order[outcomes.index(DONE)]
    if backend != "postgresql":
        assert winner == first
    db.session.expire_all()
    award = db.session.get(Award, award_id)
    releases = db.session.scalars(select(LedgerEntry).where(
        LedgerEntry.award_id == award_id, LedgerEntry.kind == LedgerKind.RELEASE)).all()
    figures = ledger.balances([offered.pot.id])[offered.pot.id]
    if winner == "accept":
        assert award.status is AwardStatus.ACCEPTED
        assert award.answered_by_id == admins["accept"]
        assert (figures.committed_pence, releases) == (AMOUNT, [])
    else:
        assert award.status is AwardStatus.DECLINED
        assert award.answered_by_id == admins["decline"]
        assert figures.committed_pence == 0
        assert [entry.amount_pence for entry in releases] == [AMOUNT]
    assert len(_audit("award.accepted")) + len(_audit("award.declined")) == 1
