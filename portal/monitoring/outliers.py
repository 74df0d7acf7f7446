"""Which KPI figures are flagged for scrutiny: the one rule that the trends, the lot's
benchmarks over time and the councillors' scrutiny pack share.

A value a contract reported for a quarter is an outlier when

- it is below half of its target for the quarter (BELOW_TARGET), or
- it is more than half as much again, or less than half, of what the same contract reported
  for the KPI the quarter before (SHARP_CHANGE): a fall may mean delivery is in trouble, a
  jump that the figure needs checking.

There is nothing to compare without a target, or with a previous value of 0 or none (the
quarter before had no return, or its return is queried). Pure arithmetic on Decimals.
"""

from decimal import ROUND_HALF_UP, Decimal

from portal.monitoring.benchmarking import format_number, percent_of_target

BELOW_TARGET = Decimal("0.5")  # a share of the target
SHARP_CHANGE = Decimal("0.5")  # a share of the previous quarter's value, up or down


def flags(value: Decimal | None, target: Decimal | None, previous: Decimal | None,
          previous_label: str) -> tuple[str, ...]:
    """Why the value is an outlier, in words, e.g. ("Below half of its target (40% of it)",
    "Down 55% on Q2 2025/26"); empty when it is not one."""
    if value is None:
        return ()
    found = []
    if target and value < target * BELOW_TARGET:
        found.append(f"Below half of its target ({format_number(percent_of_target(value, target))}"
                     "% of it)")
    if previous:
        change = (value - previous) / previous
        if abs(change) > SHARP_CHANGE:
            percent = (abs(change) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            found.append(f"{'Up' if change > 0 else 'Down'} {format_number(percent)}% on "
                         f"{previous_label}")
    return tuple(found)
