"""Benchmarking anchors against each other, KPI by KPI, within a lot for one quarter: pure
arithmetic over plain figures, as the Kirklees community hubs' accountability framework compares
hubs.

KPIs are matched across contracts by name, ignoring case and spaces at the ends (each contract
has its own KPI rows). A contract counts towards the lot's total and median, and is ranked, only
when it has reported a value for the quarter. Ranks go from the highest value down; equal values
share a rank ("2=") and the next rank is skipped, as in a league table.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal


@dataclass(frozen=True)
class Figure:
    """One contract's KPI for the quarter: its target and what it reported (None when it has
    set no target or sent no value)."""

    contract_id: int
    contract_reference: str
    provider_name: str
    kpi_name: str
    unit: str
    target: Decimal | None
    value: Decimal | None


@dataclass(frozen=True)
class BenchmarkRow:
    figure: Figure
    percent_of_target: Decimal | None  # one decimal place; None without a value or a target
    rank: str  # "1", "2=", or "" without a value


@dataclass(frozen=True)
class KpiBenchmark:
    name: str
    unit: str
    rows: list[BenchmarkRow]
    total: Decimal
    median: Decimal | None
    reported: int  # how many contracts reported a value


def format_number(value: Decimal, grouping: bool = True) -> str:
    """1250.50 -> '1,250.5', 120.00 -> '120': a KPI's figure as people read it."""
    return format_decimal(value, format=None if grouping else "0.##", locale="en_GB")


def format_figure(value: Decimal | None, unit: str) -> str:
    """A KPI's figure with its unit: '£1,250', '120 people', '12.5' (no unit), 'None'."""
    if value is None:
        return "None"
    if unit == "£":
        return f"£{format_number(value)}"
    return f"{format_number(value)} {unit}".strip()


def kpi_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def percent_of_target(value: Decimal | None, target: Decimal | None) -> Decimal | None:
    """value / target as a percentage to one decimal place (half up); none for a zero target,
    which no value can be a share of."""
    if value is None or not target:
        return None
    return (value * 100 / target).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def ranks(values: list[Decimal]) -> dict[Decimal, str]:
    """Each value's rank from the highest: {10: "1", 7: "2=", ...}."""
    ordered = sorted(values, reverse=True)
    shared = {value for value in ordered if ordered.count(value) > 1}
    return {value: f"{ordered.index(value) + 1}{'=' if value in shared else ''}"
            for value in ordered}


def benchmark(figures: list[Figure]) -> list[KpiBenchmark]:
    """The figures grouped by KPI (in the order each KPI first appears), each contract's row in
    order of rank, then those without a value by reference."""
    groups: dict[str, list[Figure]] = defaultdict(list)
    for figure in figures:
        groups[kpi_key(figure.kpi_name)].append(figure)
    benchmarks = []
    for group in groups.values():
        reported = [figure.value for figure in group if figure.value is not None]
        rank_of = ranks(reported)
        group.sort(key=lambda figure: (figure.value is None, -(figure.value or 0),
                                       figure.contract_reference))
        rows = [BenchmarkRow(figure, percent_of_target(figure.value, figure.target),
                             rank_of.get(figure.value, "") if figure.value is not None else "")
                for figure in group]
        benchmarks.append(KpiBenchmark(
            name=group[0].kpi_name, unit=group[0].unit, rows=rows,
            total=sum(reported, Decimal(0)),
            median=statistics.median(reported) if reported else None,
            reported=len(reported)))
    return benchmarks
