"""Demo award offers: each approval of the decided Community Plus round is offered through the
awards service, its amount split across the 2024/25 pots by the scheme's policy (external
first, within each pot's restrictions) and committed in the ledger. An approval the pots
cannot cover is left without an offer, as it would be in life. Awards of £4,000 or more are
paid in two instalments, the rest in one. The organisations accept all but two: one declines
and one lets its offer expire, and their money goes back to the pots. Most accepted awards
have their first payment recorded, and one is varied: £500 more, paid in a new instalment.
Idempotent: approvals that already have an award are skipped."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from models import Application, Award, User
from models.enums import ApplicationStatus, AwardStatus
from portal.awards import payments, variations
from portal.awards import services as awards
from portal.awards.terms import ScheduledPayment, Terms, terms_of
from portal.extensions import db

OFFICER = "officer@demo.example.org"
OFFERED_ON = datetime(2024, 7, 25, 10, tzinfo=UTC)
ACCEPT_BY = date(2024, 8, 22)
ANSWERED_ON = datetime(2024, 8, 1, 14, tzinfo=UTC)
DEMO_IP = "192.0.2.10"  # an address reserved for documentation
TWO_INSTALMENTS_FROM = 4_000_00
PAID_BY = datetime(2024, 10, 1, 10, tzinfo=UTC)
UNPAID = 5  # accepted awards left without a payment, so officers have some to record
VARIED_ON = datetime(2024, 10, 10, 11, tzinfo=UTC)
VARIATION_PENCE = 500_00


def load_awards() -> int:
    """Offer every approved demo application that has no award yet; returns how many."""
    officer = db.session.scalar(select(User).where(User.email == OFFICER))
    approved = db.session.scalars(
        select(Application.id).where(Application.status == ApplicationStatus.APPROVED,
                                     ~Application.id.in_(select(Award.application_id)))
        .order_by(Application.reference)).all()
    offers = []
    for application_id in approved:
        page = awards.offer_page(officer, application_id, OFFERED_ON)
        if page.why_not or page.shortfall_pence:
            continue
        offers.append(awards.make_offer(officer, application_id, awards.OfferDetails(
            allocations=page.proposal, standard_conditions=awards.standard_conditions(),
            special_conditions="", accept_by=ACCEPT_BY, terms=_schedule(page.terms)),
            OFFERED_ON))
    _answer(offers)
    accepted = [award for award in offers if award.status is AwardStatus.ACCEPTED]
    _pay(officer, accepted[:-UNPAID])
    if accepted:
        _vary(officer, accepted[0])
    return len(offers)


def _schedule(terms: Terms) -> Terms:
    """Large awards in two instalments, the second three months after the first."""
    (only,) = terms.instalments
    if only.amount_pence < TWO_INSTALMENTS_FROM:
        return terms
    second = only.amount_pence // 2
    return replace(terms, instalments=(
        ScheduledPayment(only.due_on, only.amount_pence - second),
        ScheduledPayment(only.due_on + timedelta(days=91), second)))


def _pay(officer: User, accepted: list[Award]) -> None:
    """Record each award's first instalment as paid on its due date (or just after it was
    accepted, if that was later)."""
    for number, award in enumerate(accepted, 1):
        first = award.instalments[0]
        payments.record_payment(officer, award.id, payments.PaymentDetails(
            instalment_id=first.id, paid_on=max(first.due_on, date(2024, 8, 5)),
            amount_pence=first.amount_pence, reference=f"BACS-2024-{number:04d}"), PAID_BY)


def _vary(officer: User, award: Award) -> None:
    """£500 more for rising venue costs, from the pot that pays most of it, paid in a new
    instalment in the new year."""
    allocations = {allocation.pot_id: allocation.amount_pence
                   for allocation in award.allocations}
    largest = max(allocations, key=allocations.get)
    allocations[largest] += VARIATION_PENCE
    current = terms_of(award)
    terms = replace(current, instalments=(
        *current.instalments, ScheduledPayment(date(2025, 1, 15), VARIATION_PENCE)))
    variations.vary(officer, award.id, variations.Variation(
        amount_pence=award.amount_pence + VARIATION_PENCE, allocations=allocations,
        terms=terms, reason="The hall's hire charge rose after the offer; the panel agreed "
                            "a further £500 on 9 October 2024."), VARIED_ON)


def _answer(offers: list) -> None:
    """The organisations' admins accept all but the last two offers; the first of those is
    declined and the other expires."""
    for award in offers[:-2]:
        admin = award.application.created_by
        awards.accept(admin, award.id, awards.Acceptance(
            signatory_name=admin.full_name, signatory_position="Chair of trustees",
            confirmed=True, ip=DEMO_IP), ANSWERED_ON)
    if len(offers) >= 2:
        declined = offers[-2]
        awards.decline(declined.application.created_by, declined.id,
                       "Another funder has now paid for the whole project.", ANSWERED_ON)
        awards.expire_offers(datetime.combine(ACCEPT_BY + timedelta(days=1),
                                              datetime.min.time(), UTC))
