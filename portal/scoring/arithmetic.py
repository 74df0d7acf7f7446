"""Weighted scoring arithmetic for assessment, kept exact.

Each criterion has a weight in whole percent (a round's weights total 100) and a scale given by
its lowest and highest score (0–3, 1–5, or pass/fail as 0 fail / 1 pass). A score earns its share
of the weight in proportion to how far up the scale it is, so the bottom of any scale earns 0 and
the top earns the full weight; a total is therefore a percentage from 0 to 100.

Totals and means are kept as exact fractions. Comparisons with pass marks, divergence checks and
ranking use the exact value, so two applications that differ by less than a penny's worth of
score are never tied or reordered by rounding. Only display and storage round, once, at the end,
to 2 decimal places with ROUND_HALF_UP (12.345 shows as 12.35, two thirds of 100 as 66.67).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import floor


@dataclass(frozen=True)
class CriterionRule:
    """How one criterion is scored; a pass/fail criterion's minimum is normally 1 (a pass)."""

    weight: int
    lowest: int
    highest: int
    minimum: int | None = None


def weights_total_100(weights: Sequence[int]) -> bool:
    """A round can only open when its weights make a percentage, so totals run from 0 to 100."""
    return sum(weights) == 100


def criterion_points(rule: CriterionRule, score: int) -> Fraction:
    """The share of the criterion's weight that this score earns: weight × position on the scale.

    A score outside the scale is refused rather than clamped: it means a form or import is wrong.
    """
    if not rule.lowest <= score <= rule.highest:
        raise ValueError(f"score {score} is outside the scale {rule.lowest}–{rule.highest}")
    return Fraction(rule.weight * (score - rule.lowest), rule.highest - rule.lowest)


def weighted_total(rules: Sequence[CriterionRule], scores: Sequence[int]) -> Fraction:
    """An assessor's total percentage for one application: the sum of its criterion points.

    A missing or extra score is refused so that a partly scored form can never look complete.
    """
    if len(rules) != len(scores):
        raise ValueError(f"{len(scores)} scores given for {len(rules)} criteria")
    return sum((criterion_points(rule, score) for rule, score in zip(rules, scores, strict=True)),
               Fraction(0))


def below_minimum(rules: Sequence[CriterionRule], scores: Sequence[int]) -> list[int]:
    """Indexes of criteria scored under their minimum: threshold failures that make an
    application unfundable whatever its total."""
    if len(rules) != len(scores):
        raise ValueError(f"{len(scores)} scores given for {len(rules)} criteria")
    return [index for index, (rule, score) in enumerate(zip(rules, scores, strict=True))
            if rule.minimum is not None and score < rule.minimum]


def mean(totals: Sequence[Fraction]) -> Fraction:
    """The exact mean of assessors' totals; there is no mean of nobody's scores."""
    if not totals:
        raise ValueError("no totals to average")
    return sum(totals, Fraction(0)) / len(totals)


def spread(totals: Sequence[Fraction]) -> Fraction:
    """How far apart the assessors are: the highest total minus the lowest."""
    if not totals:
        raise ValueError("no totals to compare")
    return max(totals) - min(totals)


def diverges(totals: Sequence[Fraction], margin_percent: int) -> bool:
    """Whether the assessors disagree enough to need moderation: a spread strictly over the
    margin, so a spread exactly at the margin is accepted."""
    return spread(totals) > margin_percent


def meets_pass_mark(total: Fraction, pass_mark_percent: int) -> bool:
    """Whether a total reaches the pass mark, compared exactly so 59.996 never passes a 60."""
    return total >= pass_mark_percent


def for_display(value: Fraction) -> Decimal:
    """The value rounded once to 2 decimal places, half up (away from zero), for pages and storage.

    The rounding is done in integers on the exact fraction: dividing into a Decimal first would
    round twice and could tip a value just under a half-penny over it.
    """
    hundredths = abs(value) * 100
    rounded = floor(hundredths + Fraction(1, 2))
    return Decimal(-rounded if value < 0 else rounded).scaleb(-2)
