"""The outlier rule and the line charts' geometry: pure arithmetic."""

from decimal import Decimal

import pytest

from portal.monitoring import trend_chart
from portal.monitoring.outliers import flags
from portal.monitoring.trend_chart import LineKind, Series


def number(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


@pytest.mark.parametrize(("value", "target", "previous", "expected"), [
    ("50", "100", "60", ()),  # half its target is not below half
    ("49", "100", None, ("Below half of its target (49% of it)",)),
    ("40", "100", "100", ("Below half of its target (40% of it)", "Down 60% on Q2 2024/25")),
    ("150", None, "100", ()),  # half as much again is not more
    ("151", "0", "100", ("Up 51% on Q2 2024/25",)),
    ("5", None, "0", ()),  # nothing to compare with
    (None, "100", "100", ()),
])
def test_a_value_is_an_outlier_below_half_its_target_or_after_a_sharp_change(
        value, target, previous, expected):
    assert flags(number(value), number(target), number(previous), "Q2 2024/25") == expected


def test_a_line_breaks_where_a_figure_is_missing_and_the_names_do_not_overlap():
    chart = trend_chart.build("People supported", ["Q1 2024/25", "Q2 2024/25", "Q3 2024/25"], [
        Series("CA-LA-01", LineKind.VALUE, [Decimal(90), None, Decimal(40)]),
        Series("CA-LA-02", LineKind.VALUE, [Decimal(90), Decimal(95), Decimal(41)]),
        Series("Target", LineKind.TARGET, [Decimal(100)] * 3)], "people")

    first, second, target = chart.lines
    assert len(first.runs) == 2 and len(second.runs) == 1
    assert [marker.value for marker in first.markers] == [Decimal(90), Decimal(40)]
    assert abs(first.name_y - second.name_y) >= trend_chart.LABEL_GAP
    assert [tick.label for tick in chart.ticks] == ["0", "25", "50", "75", "100"]
    assert target.markers[0].y == trend_chart.TOP
    assert chart.description == (
        "Line chart of People supported by quarter. CA-LA-01: Q1 2024/25 90 people, "
        "Q2 2024/25 none, Q3 2024/25 40 people. CA-LA-02: Q1 2024/25 90 people, Q2 2024/25 "
        "95 people, Q3 2024/25 41 people. Target: Q1 2024/25 100 people, Q2 2024/25 100 "
        "people, Q3 2024/25 100 people.")
