"""Taper arithmetic for Community Anchor contracts: how the council's core money for a programme
falls year on year while external money takes its place, shared across the contracts.

Pure functions on integer pence (percentages are `Fraction`s, never floats); no app, no database.
`apply_taper(taper, contracts, years)` turns a `Taper` rule and each contract's first-year split
into a `TaperPlan`: per financial year, the programme's core and external money and each
contract's share. The first year is always the contracts' own figures; the rule shapes the years
after it. Programme amounts are exact values rounded half up to whole pounds; each year's core and
total are shared in proportion to the contracts' first-year core and total, by largest remainder
(`portal.funding.largest_remainder`; ties to the lower contract reference), within two bounds
that keep the rules true after rounding: a contract's core never rises in a year when the
programme's core does not, and its total never falls below its core. A rule that cannot be kept
raises `RuleBroken`, naming the year; `field` is the name of the `Taper` attribute concerned (or
"years", "contracts").

Checking a plan against the pots of each year is the service's job: `TaperPlan.programme_by_year`
gives the core and external money each year needs.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from itertools import pairwise
from math import floor

from portal.exceptions import NotFound, RuleBroken
from portal.financial_years import FinancialYear
from portal.funding.largest_remainder import largest_remainder
from portal.money import format_pounds

PENCE_PER_POUND = 100
HUNDRED = Fraction(100)


class CoreTaper(StrEnum):
    """How the programme's core money changes after the first year."""

    FIXED_AMOUNT = "fixed_amount"  # falls by `amount_pence` a year
    PERCENTAGE = "percentage"  # falls by `percentage` % of the previous year's, compounding
    TO_TARGET = "to_target"  # falls in equal steps to `target_pence` in the final year
    CUSTOM = "custom"  # `schedule_pence`: the programme's core for each year, first included


class TotalRule(StrEnum):
    """How the programme's total (core + external) changes after the first year."""

    FLAT = "flat"  # stays at the first year's: external replaces all the core lost
    WITH_CORE = "with_core"  # falls by what core loses: external stays at the first year's
    PERCENTAGE = "percentage"  # falls by `total_percentage` % a year, compounding
    TO_TARGET = "to_target"  # falls in equal steps to `total_target_pence` in the final year


@dataclass(frozen=True)
class Taper:
    """A taper rule. Only the parameters its kinds use matter; the others are ignored."""

    core: CoreTaper
    total: TotalRule = TotalRule.FLAT
    amount_pence: int | None = None
    percentage: Fraction | None = None
    target_pence: int | None = None
    schedule_pence: tuple[int, ...] = ()
    total_percentage: Fraction | None = None
    total_target_pence: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "core", CoreTaper(self.core))
        object.__setattr__(self, "total", TotalRule(self.total))
        object.__setattr__(self, "schedule_pence", tuple(self.schedule_pence))
        for name in ("percentage", "total_percentage"):
            object.__setattr__(self, name, _fraction(getattr(self, name)))

    @property
    def falling(self) -> bool:
        """True when core never rises: every kind but a custom schedule that rises somewhere."""
        if self.core is not CoreTaper.CUSTOM:
            return True
        return all(later <= earlier
                   for earlier, later in pairwise(self.schedule_pence))

    def as_dict(self) -> dict:
        """Plain JSON-ready data for saving a scenario; percentages as exact strings ("12.5")."""
        return {
            "core": self.core.value, "total": self.total.value,
            "amount_pence": self.amount_pence, "percentage": _text(self.percentage),
            "target_pence": self.target_pence, "schedule_pence": list(self.schedule_pence),
            "total_percentage": _text(self.total_percentage),
            "total_target_pence": self.total_target_pence,
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> "Taper":
        return cls(**data)


def _fraction(value: Fraction | Decimal | int | str | None) -> Fraction | None:
    if value is None:
        return None
    if isinstance(value, float):
        raise TypeError("give a percentage as a Fraction, Decimal, int or str, never a float")
    return Fraction(value)


def _text(value: Fraction | None) -> str | None:
    """A percentage as a short exact string: '20', '12.5', or '100/3' when no decimal is exact."""
    if value is None:
        return None
    if value.denominator == 1:
        return str(value.numerator)
    decimal = Decimal(value.numerator) / Decimal(value.denominator)
    return str(decimal) if Fraction(decimal) == value else str(value)


@dataclass(frozen=True)
class Split:
    """Money for one year, split by source (in a difference, either part may be negative)."""

    core_pence: int
    external_pence: int

    @property
    def total_pence(self) -> int:
        return self.core_pence + self.external_pence

    def minus(self, other: "Split") -> "Split":
        return Split(self.core_pence - other.core_pence,
                     self.external_pence - other.external_pence)


NOTHING = Split(0, 0)


@dataclass(frozen=True)
class ContractPlan:
    """One contract's splits, one for each of the plan's years in order."""

    reference: str
    splits: tuple[Split, ...]


@dataclass(frozen=True)
class TaperPlan:
    """A preview table: per year, the programme's split and each contract's (by reference)."""

    years: tuple[str, ...]
    programme: tuple[Split, ...]
    contracts: tuple[ContractPlan, ...] = ()

    def programme_by_year(self) -> dict[str, Split]:
        """The core and external money each year needs: what the pots of that year must hold."""
        return dict(zip(self.years, self.programme, strict=True))

    def contract(self, reference: str) -> ContractPlan:
        """The contract's plan; NotFound when it is not in this plan."""
        for plan in self.contracts:
            if plan.reference == reference:
                return plan
        raise NotFound(reference)

    def split(self, reference: str, year: str) -> Split:
        """One contract's split for one year; NotFound when either is not in this plan."""
        splits = self.contract(reference).splits
        if year not in self.years:
            raise NotFound(year)
        return splits[self.years.index(year)]


def apply_taper(taper: Taper, contracts: Mapping[str, Split], years: Sequence[str]) -> TaperPlan:
    """Plan `years` (consecutive labels like "2024/25", the first being the contracts' first
    year) for `contracts` (reference → first-year split, in whole pounds) under `taper`."""
    labels = _checked_years(years)
    _check_contracts(contracts)
    references = sorted(contracts)
    first_core = sum(contracts[ref].core_pence for ref in references)
    first_total = sum(contracts[ref].total_pence for ref in references)
    exact_core = _programme_core(taper, first_core, labels)
    exact_total = _programme_total(taper, first_total, first_core, exact_core, labels)
    _check_total_covers_core(taper, exact_core, exact_total, labels)

    core_weights = {ref: contracts[ref].core_pence for ref in references}
    total_weights = {ref: contracts[ref].total_pence for ref in references}
    columns: list[dict[str, Split]] = []
    programme: list[Split] = []
    for index, label in enumerate(labels):
        _check_contract_totals_cover_core(
            taper, label, core_weights, total_weights, exact_core[index], exact_total[index])
        core, total = _whole_pounds(exact_core[index]), _whole_pounds(exact_total[index])
        # Largest remainder can hand a contract an extra pound in a year when the programme's
        # core falls (the Alabama paradox), so no contract may go above its core of the year
        # before while the programme's core does not rise.
        ceiling = None
        if index and core <= programme[-1].core_pence:
            ceiling = {ref: split.core_pence for ref, split in columns[-1].items()}
        cores = _share(core, core_weights, f"core funding for {label}", upper=ceiling)
        totals = _share(total, total_weights, f"total funding for {label}", lower=cores)
        columns.append({ref: Split(cores[ref], totals[ref] - cores[ref]) for ref in references})
        programme.append(Split(core, total - core))
    return TaperPlan(
        years=labels,
        programme=tuple(programme),
        contracts=tuple(ContractPlan(ref, tuple(column[ref] for column in columns))
                        for ref in references),
    )


def difference(before: TaperPlan, after: TaperPlan) -> TaperPlan:
    """`after` − `before` for every year and contract in either (one missing counts as nothing):
    how a scenario changes a plan. Amounts may be negative."""
    years = tuple(sorted(set(before.years) | set(after.years)))
    references = sorted({plan.reference for plan in (*before.contracts, *after.contracts)})
    return TaperPlan(
        years=years,
        programme=_changes(years, before.programme_by_year(), after.programme_by_year()),
        contracts=tuple(
            ContractPlan(ref, _changes(years, _contract_by_year(before, ref),
                                       _contract_by_year(after, ref)))
            for ref in references),
    )


def _changes(years: tuple[str, ...], before: dict[str, Split],
             after: dict[str, Split]) -> tuple[Split, ...]:
    return tuple(after.get(year, NOTHING).minus(before.get(year, NOTHING)) for year in years)


def _contract_by_year(plan: TaperPlan, reference: str) -> dict[str, Split]:
    try:
        return dict(zip(plan.years, plan.contract(reference).splits, strict=True))
    except NotFound:
        return {}


# Checks on the input


def _checked_years(years: Sequence[str]) -> tuple[str, ...]:
    try:
        parsed = [FinancialYear.parse(label) for label in years]
    except ValueError as error:
        raise RuleBroken("Enter financial years like 2024/25", field="years") from error
    if not parsed:
        raise RuleBroken("Enter at least one financial year", field="years")
    if any(later.start_year != earlier.start_year + 1
           for earlier, later in pairwise(parsed)):
        raise RuleBroken("Enter financial years in order with none missing, like 2024/25, "
                         "2025/26, 2026/27", field="years")
    return tuple(year.label for year in parsed)


def _check_contracts(contracts: Mapping[str, Split]) -> None:
    if not contracts:
        raise RuleBroken("Add at least one contract to the programme", field="contracts")
    for reference, split in sorted(contracts.items()):
        for source, pence in (("core", split.core_pence), ("external", split.external_pence)):
            _check_amount(pence, f"The first-year {source} funding for {reference}", "contracts")


def _check_amount(pence: int | None, what: str, field_name: str) -> int:
    """Return the amount when it is whole pounds and not negative; refuse it otherwise."""
    if pence is None:
        raise RuleBroken(f"Enter {what[0].lower()}{what[1:]}", field=field_name)
    if pence < 0:
        raise RuleBroken(f"{what} must be £0 or more", field=field_name)
    if pence % PENCE_PER_POUND:
        raise RuleBroken(f"{what} must be in whole pounds", field=field_name)
    return pence


def _check_percentage(value: Fraction | None, what: str, field_name: str) -> Fraction:
    if value is None:
        raise RuleBroken(f"Enter {what}", field=field_name)
    if not 0 <= value <= HUNDRED:
        raise RuleBroken(f"{what[0].upper()}{what[1:]} must be between 0 and 100",
                         field=field_name)
    return value


# The programme's exact amounts (pence as Fractions), one per year


def _programme_core(taper: Taper, first: int, labels: tuple[str, ...]) -> list[Fraction]:
    steps = range(len(labels))
    match taper.core:
        case CoreTaper.FIXED_AMOUNT:
            fall = _check_amount(taper.amount_pence, "The yearly fall in core funding",
                                 "amount_pence")
            core = [Fraction(first - fall * step) for step in steps]
            for label, amount in zip(labels, core, strict=True):
                if amount < 0:
                    raise RuleBroken(
                        f"A fall of {format_pounds(fall, whole=True)} a year would make core "
                        f"funding negative in {label} ({format_pounds(int(amount), whole=True)})."
                        " Enter a smaller fall", field="amount_pence")
            return core
        case CoreTaper.PERCENTAGE:
            rate = _check_percentage(taper.percentage, "the yearly fall in core funding as a "
                                     "percentage", "percentage")
            return _compound(first, rate, steps)
        case CoreTaper.TO_TARGET:
            target = _check_amount(taper.target_pence, f"The core funding target for "
                                   f"{labels[-1]}", "target_pence")
            _check_target(target, first, labels, "core funding", "target_pence")
            return _even_steps(first, target, len(labels))
        case CoreTaper.CUSTOM:
            return _custom(taper.schedule_pence, first, labels)


def _programme_total(taper: Taper, first: int, first_core: int, core: list[Fraction],
                     labels: tuple[str, ...]) -> list[Fraction]:
    steps = range(len(labels))
    match taper.total:
        case TotalRule.FLAT:
            return [Fraction(first)] * len(labels)
        case TotalRule.WITH_CORE:
            return [first - first_core + amount for amount in core]
        case TotalRule.PERCENTAGE:
            rate = _check_percentage(taper.total_percentage, "the yearly fall in total funding "
                                     "as a percentage", "total_percentage")
            return _compound(first, rate, steps)
        case TotalRule.TO_TARGET:
            target = _check_amount(taper.total_target_pence, f"The total funding target for "
                                   f"{labels[-1]}", "total_target_pence")
            _check_target(target, first, labels, "total funding", "total_target_pence")
            return _even_steps(first, target, len(labels))


def _compound(first: int, rate: Fraction, steps: Iterable[int]) -> list[Fraction]:
    kept = 1 - rate / HUNDRED
    return [first * kept**step for step in steps]


def _even_steps(first: int, target: int, count: int) -> list[Fraction]:
    if count == 1:
        return [Fraction(first)]
    return [first - Fraction((first - target) * step, count - 1) for step in range(count)]


def _check_target(target: int, first: int, labels: tuple[str, ...], what: str,
                  field_name: str) -> None:
    if target > first:
        raise RuleBroken(f"The {what} target for {labels[-1]} must not be more than the "
                         f"first year’s {what}, {format_pounds(first, whole=True)}",
                         field=field_name)
    if len(labels) == 1 and target != first:
        raise RuleBroken(f"With only one year, the {what} target for {labels[0]} must be the "
                         f"first year’s {what}, {format_pounds(first, whole=True)}",
                         field=field_name)


def _custom(schedule: tuple[int, ...], first: int, labels: tuple[str, ...]) -> list[Fraction]:
    if len(schedule) != len(labels):
        raise RuleBroken(f"Enter the core funding for each of the {len(labels)} years, "
                         f"{labels[0]} to {labels[-1]}", field="schedule_pence")
    for label, pence in zip(labels, schedule, strict=True):
        _check_amount(pence, f"The core funding for {label}", "schedule_pence")
    if schedule[0] != first:
        raise RuleBroken(f"The core funding for {labels[0]} must be the contracts’ first-year "
                         f"core funding, {format_pounds(first, whole=True)}",
                         field="schedule_pence")
    return [Fraction(pence) for pence in schedule]


def _total_field(taper: Taper) -> str:
    return {TotalRule.PERCENTAGE: "total_percentage",
            TotalRule.TO_TARGET: "total_target_pence"}.get(taper.total, "total")


def _check_total_covers_core(taper: Taper, core: list[Fraction], total: list[Fraction],
                             labels: tuple[str, ...]) -> None:
    for label, core_pence, total_pence in zip(labels, core, total, strict=True):
        if total_pence < core_pence:
            raise RuleBroken(
                f"In {label} the total funding ({_pounds(total_pence)}) would be less than the "
                f"core funding ({_pounds(core_pence)}), so external funding would be negative. "
                "Choose a total that falls no faster than core", field=_total_field(taper))


def _check_contract_totals_cover_core(taper: Taper, label: str, core_weights: dict[str, int],
                                      total_weights: dict[str, int], core: Fraction,
                                      total: Fraction) -> None:
    """Refuse when a contract's exact share of the total is below its exact share of core:
    it would need negative external money, which no rounding may hide."""
    first_core, first_total = sum(core_weights.values()), sum(total_weights.values())
    for reference in core_weights:
        core_share = _exact_share(core, core_weights[reference], first_core)
        total_share = _exact_share(total, total_weights[reference], first_total)
        if total_share < core_share:
            raise RuleBroken(
                f"In {label} the total funding for {reference} ({_pounds(total_share)}) would be "
                f"less than its core funding ({_pounds(core_share)}), so its external funding "
                "would be negative. Choose a total that falls no faster than core",
                field=_total_field(taper))


def _exact_share(amount: Fraction, weight: int, total_weight: int) -> Fraction:
    return amount * weight / total_weight if total_weight else Fraction(0)


def _pounds(pence: Fraction) -> str:
    return format_pounds(_whole_pounds(pence), whole=True)


# Rounding and sharing


def _whole_pounds(pence: Fraction) -> int:
    """Round half up to a whole number of pounds, in pence."""
    return floor(pence / PENCE_PER_POUND + Fraction(1, 2)) * PENCE_PER_POUND


def _share(amount: int, weights: dict[str, int], what: str, *,
           lower: dict[str, int] | None = None,
           upper: dict[str, int] | None = None) -> dict[str, int]:
    """Share `amount` (whole pounds, in pence) in proportion to `weights`, in whole pounds, by
    largest remainder with ties to the lower key, keeping each share within its bounds.

    Callers pass bounds that leave room for the amount (their sums lie either side of it)."""
    if amount and not sum(weights.values()):
        raise RuleBroken(f"No contract has any of this kind of funding in its first year, so "
                         f"the {format_pounds(amount, whole=True)} of {what} cannot be shared "
                         "between them", field="contracts")
    shares = largest_remainder(amount // PENCE_PER_POUND, weights,
                               lower=_in_pounds(lower or {}), upper=_in_pounds(upper or {}))
    return {key: pounds * PENCE_PER_POUND for key, pounds in shares.items()}


def _in_pounds(pence: dict[str, int]) -> dict[str, int]:
    return {key: amount // PENCE_PER_POUND for key, amount in pence.items()}
