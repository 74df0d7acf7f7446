"""Proposing how money is split across funding pots (an award's, or a contract year's), and
which pots may fund an award.

Pure functions over plain values, so that the rules can be tested exhaustively: the awards and
contracts services read the pots and their balances, ask for a proposal, let the officer change
it, and post the allocations through the funding ledger, which has the last word on whether the
money is there.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from models.enums import FundingSource, SplitPolicy
from portal.funding.largest_remainder import largest_remainder


@dataclass(frozen=True)
class PotOption:
    """A pot that could fund the award, with what it has available now."""

    pot_id: int
    source: FundingSource
    available_pence: int
    spend_by: date | None = None


@dataclass(frozen=True)
class Restrictions:
    """What a pot may fund; an empty set means no restriction of that kind."""

    scheme_ids: frozenset[int] = frozenset()
    theme_ids: frozenset[int] = frozenset()
    ward_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Purpose:
    """What the award is for: its scheme, and the themes and wards of the application."""

    scheme_id: int
    theme_ids: frozenset[int]
    ward_ids: frozenset[int]


class ShortOfFunds(ValueError):
    """The pots together have less available than the award needs."""

    def __init__(self, shortfall_pence: int):
        super().__init__(f"short by {shortfall_pence} pence")
        self.shortfall_pence = shortfall_pence


def may_fund(restrictions: Restrictions, purpose: Purpose) -> bool:
    """A pot may fund an award when the award's scheme is among its schemes, and it shares at
    least one theme and one ward with the application, for each kind it is restricted by."""
    return ((not restrictions.scheme_ids or purpose.scheme_id in restrictions.scheme_ids)
            and (not restrictions.theme_ids or bool(restrictions.theme_ids & purpose.theme_ids))
            and (not restrictions.ward_ids or bool(restrictions.ward_ids & purpose.ward_ids)))


def _in_order(pots: Sequence[PotOption], first: FundingSource) -> list[PotOption]:
    """`first`'s pots before the others; within each, the money that must be spent soonest
    first, then the pot created first."""
    return sorted(pots, key=lambda pot: (pot.source is not first,
                                         pot.spend_by or date.max, pot.pot_id))


def _filled_in_order(amount_pence: int, pots: list[PotOption]) -> dict[int, int]:
    allocations, left = {}, amount_pence
    for pot in pots:
        take = min(left, pot.available_pence)
        if take > 0:
            allocations[pot.pot_id] = take
            left -= take
    return allocations


def pro_rata(amount_pence: int, weights: Mapping[int, int]) -> dict[int, int]:
    """`amount_pence` shared in proportion to each pot's weight (pot id -> pence; pots
    weighing nothing get nothing, and nothing is shared when none weighs anything), in whole
    pence by largest remainder (ties to the lower pot id), so the shares add up exactly; no
    zero entries. Also used to split a payment or a recovery across an award's pots, and a
    contract's payment across its year's pots."""
    funded = {pot_id: weight for pot_id, weight in weights.items() if weight > 0}
    if not funded:
        return {}
    return {pot_id: pence for pot_id, pence in largest_remainder(amount_pence, funded).items()
            if pence > 0}


def propose(amount_pence: int, pots: Sequence[PotOption],
            policy: SplitPolicy) -> dict[int, int]:
    """Pence from each pot (pot id -> pence, no zero entries) adding up exactly to
    `amount_pence`, never more than a pot has available. ShortOfFunds when the pots cannot
    cover it between them."""
    if amount_pence <= 0:
        raise ValueError("an award is more than nothing")
    available = sum(max(pot.available_pence, 0) for pot in pots)
    if available < amount_pence:
        raise ShortOfFunds(amount_pence - available)
    if policy is SplitPolicy.PRO_RATA:
        return pro_rata(amount_pence, {pot.pot_id: pot.available_pence for pot in pots})
    first = FundingSource.CORE if policy is SplitPolicy.CORE_FIRST else FundingSource.EXTERNAL
    return _filled_in_order(amount_pence, _in_order(pots, first))
