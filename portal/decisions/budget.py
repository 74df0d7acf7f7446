"""Recommend awards within a round's budget, going down the ranking best first.

Money is integer pence throughout. The recommendation is advice for the panel, which may change
it; it is greedy on purpose, because a panel can explain "we funded down the ranking until the
money ran out" and cannot explain an optimiser that skips a better application to fit two worse
ones.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Reason(StrEnum):
    """Why a candidate got the amount it did, shown beside it on the panel's list."""

    FULL = "full"
    PARTIAL = "partial"
    DOES_NOT_FIT = "does not fit"
    BELOW_THRESHOLD = "below threshold"
    BUDGET_USED = "budget used"


@dataclass(frozen=True)
class Candidate:
    """An application in ranked order; unfundable ones failed a threshold or the pass mark."""

    key: int
    requested_pence: int
    fundable: bool


@dataclass(frozen=True)
class Recommendation:
    """Pence recommended for every candidate (0 = not recommended), with the reason for each."""

    amounts: dict[int, int]
    reasons: dict[int, Reason]
    remaining_pence: int


def recommend(candidates: Sequence[Candidate], budget_pence: int, *, partial: bool,
              minimum_award_pence: int) -> Recommendation:
    """Fund candidates in ranked order while the money lasts.

    A candidate whose request does not fit is skipped, and smaller requests further down may
    still be funded. With `partial`, the first candidate that does not fit is instead offered
    whatever remains, unless that is below the round's minimum award (too small to be a grant).
    """
    if budget_pence < 0 or minimum_award_pence < 0:
        raise ValueError("budget and minimum award cannot be negative")
    if len({candidate.key for candidate in candidates}) != len(candidates):
        raise ValueError("each candidate must appear once")
    if any(candidate.requested_pence <= 0 for candidate in candidates):
        raise ValueError("every request must be for some money")
    remaining = budget_pence
    amounts: dict[int, int] = {}
    reasons: dict[int, Reason] = {}
    for candidate in candidates:
        amount, reason = 0, Reason.DOES_NOT_FIT
        if not candidate.fundable:
            reason = Reason.BELOW_THRESHOLD
        elif remaining == 0:
            reason = Reason.BUDGET_USED
        elif candidate.requested_pence <= remaining:
            amount, reason = candidate.requested_pence, Reason.FULL
        elif partial and remaining >= minimum_award_pence:
            amount, reason = remaining, Reason.PARTIAL
        remaining -= amount
        amounts[candidate.key], reasons[candidate.key] = amount, reason
    return Recommendation(amounts=amounts, reasons=reasons, remaining_pence=remaining)


def remaining_after(budget_pence: int, amounts: Mapping[int, int]) -> int:
    """What is left of the budget after the amounts the panel has settled on; negative means
    the panel has gone over budget, which the page shows rather than hides."""
    return budget_pence - sum(amounts.values())
