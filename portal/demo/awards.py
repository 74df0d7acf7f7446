"""Demo award offers: each approval of the decided Community Plus round is offered through the
awards service, its amount split across the 2024/25 pots by the scheme's policy (external
first, within each pot's restrictions) and committed in the ledger. An approval the pots
cannot cover is left without an offer, as it would be in life. The organisations accept all
but two: one declines and one lets its offer expire, and their money goes back to the pots.
Idempotent: approvals that already have an award are skipped."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from models import Application, Award, User
from models.enums import ApplicationStatus
from portal.awards import services as awards
from portal.extensions import db

OFFICER = "officer@demo.example.org"
OFFERED_ON = datetime(2024, 7, 25, 10, tzinfo=UTC)
ACCEPT_BY = date(2024, 8, 22)
ANSWERED_ON = datetime(2024, 8, 1, 14, tzinfo=UTC)
DEMO_IP = "192.0.2.10"  # an address reserved for documentation


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
            special_conditions="", accept_by=ACCEPT_BY, terms=page.terms), OFFERED_ON))
    _answer(offers)
    return len(offers)


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
