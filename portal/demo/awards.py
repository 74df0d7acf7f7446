"""Demo award offers: each approval of the decided Community Plus round is offered through the
awards service, its amount split across the 2024/25 pots by the scheme's policy (external
first, within each pot's restrictions) and committed in the ledger. An approval the pots
cannot cover is left without an offer, as it would be in life. Idempotent: approvals that
already have an award are skipped."""

from datetime import UTC, date, datetime

from sqlalchemy import select

from models import Application, Award, User
from models.enums import ApplicationStatus
from portal.awards import services as awards
from portal.extensions import db

OFFICER = "officer@demo.example.org"
OFFERED_ON = datetime(2024, 7, 25, 10, tzinfo=UTC)
ACCEPT_BY = date(2024, 8, 22)


def load_awards() -> int:
    """Offer every approved demo application that has no award yet; returns how many."""
    officer = db.session.scalar(select(User).where(User.email == OFFICER))
    approved = db.session.scalars(
        select(Application.id).where(Application.status == ApplicationStatus.APPROVED,
                                     ~Application.id.in_(select(Award.application_id)))
        .order_by(Application.reference)).all()
    offered = 0
    for application_id in approved:
        page = awards.offer_page(officer, application_id)
        if page.why_not or page.shortfall_pence:
            continue
        awards.make_offer(officer, application_id, awards.OfferDetails(
            allocations=page.proposal, standard_conditions=awards.standard_conditions(),
            special_conditions="", accept_by=ACCEPT_BY), OFFERED_ON)
        offered += 1
    return offered
