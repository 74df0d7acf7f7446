"""Whose money paid for what: each pot's partners, and what each of them paid for.

A core pot is the council's; an external pot is its partner's (found by the funder's org-id);
a pooled pot's budget is its partners' contributions (budget entries naming them), and what it
commits and pays is attributed to them in proportion to their contributions as they stand,
item by item (each award's or contract's money from the pot is shared by largest remainder), so
that every share is exact pence, each item's shares add up to it, and a partner's figures are
the sums of its shares.

Every figure can be had as it stood at a moment (`before`: the entries made before it), for a
statement at a quarter's end.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from models import FundingPartner, FundingPot, LedgerEntry
from models.enums import LedgerKind
from portal.extensions import db
from portal.funding.largest_remainder import Key, largest_remainder
from portal.funding.ledger import Spend, budget_sum, committed_sum, paid_sum


@dataclass(frozen=True)
class Contribution:
    """What one partner has put into one pooled pot, net of anything taken back."""

    partner: FundingPartner
    amount_pence: int


def _made_before(before: datetime | None) -> list:
    """The condition for entries made before `before` (none: every entry)."""
    return [] if before is None else [LedgerEntry.created_at < before]


def contributions(pot_ids: Iterable[int],
                  before: datetime | None = None) -> dict[int, list[Contribution]]:
    """Each pooled pot's contributors with what they have put in (those who have taken it all
    back left out), largest first, in one query; a pot without any is missing."""
    ids = list(pot_ids)
    given = func.sum(LedgerEntry.amount_pence)
    rows = db.session.execute(
        select(LedgerEntry.pot_id, FundingPartner, given)
        .join(FundingPartner, FundingPartner.id == LedgerEntry.partner_id)
        .where(LedgerEntry.pot_id.in_(ids), *_made_before(before))
        .group_by(LedgerEntry.pot_id, FundingPartner.id)
        .having(given > 0)
        .order_by(LedgerEntry.pot_id, given.desc(), FundingPartner.name))
    found: dict[int, list[Contribution]] = defaultdict(list)
    for pot_id, partner, amount in rows:
        found[pot_id].append(Contribution(partner, amount))
    return dict(found)


def shares(pot: FundingPot, pooled: dict[int, list[Contribution]]) -> dict[int, int]:
    """The weights by partner id in which the pot's spending is attributed: a pooled pot's
    contributions (from `contributions`), all of it for an external pot's partner, nothing
    for the council's core pots."""
    if pot.pooled:
        return {c.partner.id: c.amount_pence for c in pooled.get(pot.id, [])}
    return {pot.partner_id: 1} if pot.partner_id is not None else {}


def attribute(spend: Spend, weights: Mapping[Key, int]) -> dict[Key, Spend]:
    """`spend` shared by `weights` (between partners, or an award's themes): committed and
    paid each shared by largest remainder, so both add up exactly."""
    if not weights:
        return {}
    committed = largest_remainder(spend.committed_pence, weights)
    paid = largest_remainder(spend.paid_pence, weights)
    return {key: Spend(committed[key], paid[key]) for key in weights}


def _for_items(pot_ids: Iterable[int]) -> list:
    """The condition for the pots' entries for an award or a contract."""
    return [LedgerEntry.pot_id.in_(list(pot_ids)),
            LedgerEntry.award_id.is_not(None) | LedgerEntry.contract_id.is_not(None)]


def _item_spends(pot_ids: Iterable[int], before: datetime | None = None):
    """(pot id, award id, contract id, Spend) for each award's and contract's money from the
    pots, in one query."""
    rows = db.session.execute(
        select(LedgerEntry.pot_id, LedgerEntry.award_id, LedgerEntry.contract_id,
               committed_sum(), paid_sum())
        .where(*_for_items(pot_ids), *_made_before(before))
        .group_by(LedgerEntry.pot_id, LedgerEntry.award_id, LedgerEntry.contract_id)
        .order_by(LedgerEntry.pot_id, LedgerEntry.award_id, LedgerEntry.contract_id))
    for pot_id, award_id, contract_id, committed, paid in rows:
        yield pot_id, award_id, contract_id, Spend(committed, paid)


def attributed(pot: FundingPot, pooled: dict[int, list[Contribution]]) -> dict[int, Spend]:
    """What the pot has committed and paid, by partner id: the sums of each partner's shares
    of the pot's items, so that they add up to the pot's figures."""
    weights = shares(pot, pooled)
    totals = {partner_id: Spend() for partner_id in weights}
    for _, _, _, spend in _item_spends([pot.id]):
        for partner_id, share in attribute(spend, weights).items():
            totals[partner_id] += share
    return totals


@dataclass(frozen=True)
class Item:
    """A partner's share of what one pot committed and paid for one award or contract."""

    pot: FundingPot
    award_id: int | None
    contract_id: int | None
    spend: Spend


def partner_pots(partner_id: int, years: Iterable[str] | None) -> dict[int, FundingPot]:
    """The pots the partner funds or contributed to (of the financial years given, or all),
    by id, in one query."""
    query = select(FundingPot).where(
        (FundingPot.partner_id == partner_id)
        | FundingPot.id.in_(select(LedgerEntry.pot_id).where(LedgerEntry.partner_id == partner_id)))
    if years is not None:
        query = query.where(FundingPot.financial_year.in_(list(years)))
    return {pot.id: pot for pot in db.session.scalars(query.order_by(FundingPot.id))}


def given(partner_id: int, pots: Iterable[FundingPot],
          before: datetime | None = None) -> dict[int, int]:
    """What the partner has put into each of `pots`, by pot id, in one query: its net
    contributions to a pooled pot; the whole budget of a pot that is its own."""
    pots = list(pots)
    own = [pot.id for pot in pots if not pot.pooled and pot.partner_id == partner_id]
    rows = db.session.execute(
        select(LedgerEntry.pot_id, budget_sum())
        .where(LedgerEntry.pot_id.in_([pot.id for pot in pots]), *_made_before(before),
               (LedgerEntry.partner_id == partner_id) | LedgerEntry.pot_id.in_(own))
        .group_by(LedgerEntry.pot_id))
    return dict(rows.all())


def _weights(partner_id: int, years: Iterable[str] | None,
             before: datetime | None) -> tuple[dict[int, FundingPot], dict[int, dict[int, int]]]:
    """The partner's pots, and each one's weights (`shares`) as they stood `before`."""
    pots = partner_pots(partner_id, years)
    pooled = contributions((pot.id for pot in pots.values() if pot.pooled), before)
    return pots, {pot_id: shares(pot, pooled) for pot_id, pot in pots.items()}


def partner_items(partner_id: int, years: Iterable[str] | None = None,
                  before: datetime | None = None) -> list[Item]:
    """What the partner's money paid for: its share of each award's and contract's money from
    each pot it funds or contributed to (of the financial years given, or all), in three
    queries whatever the number of pots and items."""
    pots, weights = _weights(partner_id, years, before)
    items = []
    for pot_id, award_id, contract_id, spend in _item_spends(pots, before):
        share = attribute(spend, weights[pot_id]).get(partner_id)
        if share and (share.committed_pence or share.paid_pence):
            items.append(Item(pots[pot_id], award_id, contract_id, share))
    return items


@dataclass(frozen=True)
class PaymentShare:
    """A partner's share of one payment (or, negative, one clawback) from a pot for an award
    or contract."""

    pot: FundingPot
    award_id: int | None
    contract_id: int | None
    kind: LedgerKind
    made_at: datetime
    amount_pence: int


def partner_payments(partner_id: int, years: Iterable[str] | None = None,
                     before: datetime | None = None) -> list[PaymentShare]:
    """The partner's share of each payment and clawback from its pots, oldest first within
    each item. An item's paid money as it stood after each entry is attributed as
    `partner_items` attributes it, and an entry's share is the change in the partner's part:
    so an item's shares add up exactly to its share of what was paid. Three queries."""
    pots, weights = _weights(partner_id, years, before)
    rows = db.session.execute(
        select(LedgerEntry.pot_id, LedgerEntry.award_id, LedgerEntry.contract_id,
               LedgerEntry.kind, LedgerEntry.created_at, LedgerEntry.amount_pence)
        .where(*_for_items(pots), *_made_before(before),
               LedgerEntry.kind.in_([LedgerKind.PAYMENT, LedgerKind.CLAWBACK]))
        .order_by(LedgerEntry.pot_id, LedgerEntry.award_id, LedgerEntry.contract_id,
                  LedgerEntry.created_at, LedgerEntry.id))
    paid: dict[tuple, int] = {}
    found = []
    for pot_id, award_id, contract_id, kind, made_at, amount in rows:
        key = (pot_id, award_id, contract_id)
        was = paid.get(key, 0)
        paid[key] = was + (amount if kind is LedgerKind.PAYMENT else -amount)
        share = _part(paid[key], weights[pot_id], partner_id) - _part(
            was, weights[pot_id], partner_id)
        if share:
            found.append(PaymentShare(pots[pot_id], award_id, contract_id, kind, made_at,
                                      share))
    return found


def _part(paid_pence: int, weights: dict[int, int], partner_id: int) -> int:
    return attribute(Spend(0, paid_pence), weights).get(partner_id, Spend()).paid_pence
