"""Funding partners: the bodies whose money the external pots are, and who contribute to pooled
pots. Officers keep the list; a pot's funder org-id links an external pot to its partner."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from models import FundingPartner, FundingPot, User
from models.enums import FundingSource
from portal import audit, policies
from portal.exceptions import NotFound, RuleBroken
from portal.extensions import db
from portal.funding import attribution
from portal.funding.ledger import Spend

DUPLICATE_ORG_ID = "There is already a partner with the organisation identifier {org_id}"


@dataclass(frozen=True)
class PartnerDetails:
    name: str
    org_id: str
    acknowledgement: str = ""


def all_partners(user: User) -> list[FundingPartner]:
    policies.require(policies.can_view_funding(user))
    return list(db.session.scalars(select(FundingPartner).order_by(FundingPartner.name)))


def get_partner(user: User, partner_id: int) -> FundingPartner:
    policies.require(policies.can_view_funding(user))
    partner = db.session.get(FundingPartner, partner_id)
    if partner is None:
        raise NotFound(partner_id)
    return partner


def _org_id_taken(org_id: str, partner: FundingPartner | None) -> bool:
    query = select(FundingPartner.id).where(func.upper(FundingPartner.org_id) == org_id.upper())
    if partner is not None:
        query = query.where(FundingPartner.id != partner.id)
    return db.session.scalar(query) is not None


def save_partner(user: User, details: PartnerDetails,
                 partner: FundingPartner | None = None) -> FundingPartner:
    """A new partner, or `partner` changed; an org-id is one partner's only."""
    policies.require(policies.can_manage_funding_pots(user))
    if _org_id_taken(details.org_id, partner):
        raise RuleBroken(DUPLICATE_ORG_ID.format(org_id=details.org_id), field="org_id")
    before = partner and _snapshot(partner)
    partner = partner or FundingPartner()
    partner.name, partner.org_id = details.name, details.org_id
    partner.acknowledgement = details.acknowledgement
    db.session.add(partner)
    try:
        db.session.flush()
    except IntegrityError as error:  # another officer saved the same org-id meanwhile
        db.session.rollback()
        raise RuleBroken(DUPLICATE_ORG_ID.format(org_id=details.org_id),
                         field="org_id") from error
    audit.record("funding_partner.saved", actor=user, subject=partner,
                 details={"before": before, "after": _snapshot(partner)})
    db.session.commit()
    return partner


def _snapshot(partner: FundingPartner) -> dict:
    return {"name": partner.name, "org_id": partner.org_id,
            "acknowledgement": partner.acknowledgement}


def partner_of(source: FundingSource, pooled: bool, funder_name: str,
               funder_org_id: str) -> FundingPartner | None:
    """The partner whose money an external, unpooled pot is: the one with the funder's
    org-id, added to the list (by the funder's name) the first time a pot names it. Core and
    pooled pots have none."""
    if source is not FundingSource.EXTERNAL or pooled or not funder_org_id:
        return None
    partner = db.session.scalar(select(FundingPartner).where(
        func.upper(FundingPartner.org_id) == funder_org_id.upper()))
    if partner is None:
        partner = FundingPartner(name=funder_name, org_id=funder_org_id)
        db.session.add(partner)
    return partner


@dataclass(frozen=True)
class ContributionRow:
    """A pooled pot's contributor: what it put in, its share, and the part of what the pot has
    committed and paid that is attributed to it."""

    contribution: attribution.Contribution
    share_percent: str
    spend: Spend


def contribution_rows(user: User, pot: FundingPot) -> list[ContributionRow]:
    """The pot's contributors, largest first (none for a pot that is not pooled)."""
    policies.require(policies.can_view_funding(user))
    if not pot.pooled:
        return []
    pooled = attribution.contributions([pot.id])
    spends = attribution.attributed(pot, pooled)
    given = pooled.get(pot.id, [])
    total = sum(c.amount_pence for c in given)
    return [ContributionRow(c, f"{(Decimal(100 * c.amount_pence) / total):.1f}%",
                            spends.get(c.partner.id, Spend()))
            for c in given]
