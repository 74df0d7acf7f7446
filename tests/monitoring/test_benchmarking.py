"""The benchmarking arithmetic: percentages of target, ranks, the lot's total and median."""

from decimal import Decimal

import pytest

from portal.monitoring.benchmarking import (
    Figure,
    benchmark,
    format_figure,
    percent_of_target,
    ranks,
)


def figure(reference: str, value: str | None, target: str | None = "100",
           name: str = "People supported") -> Figure:
    return Figure(contract_id=int(reference[-1]), contract_reference=reference,
                  provider_name=f"Trust {reference}", kpi_name=name, unit="people",
                  target=None if target is None else Decimal(target),
                  value=None if value is None else Decimal(value))


@pytest.mark.parametrize(("value", "target", "percent"), [
    ("90", "100", Decimal("90.0")), ("1", "3", Decimal("33.3")), ("2", "3", Decimal("66.7")),
    ("0.05", "1000", Decimal("0.0")), ("10", "0", None), (None, "10", None), ("10", None, None),
])
def test_percent_of_target(value, target, percent):
    def as_decimal(text: str | None) -> Decimal | None:
        return None if text is None else Decimal(text)

    assert percent_of_target(as_decimal(value), as_decimal(target)) == percent


def test_equal_values_share_a_rank_and_the_next_is_skipped():
    assert ranks([Decimal(5), Decimal(9), Decimal(5), Decimal(1)]) == {
        Decimal(9): "1", Decimal(5): "2=", Decimal(1): "4"}


def test_a_kpi_is_benchmarked_across_contracts_by_name():
    figures = [figure("CA-1", "80"), figure("CA-2", "120", target="150"),
               figure("CA-3", None), figure("CA-4", "80"),
               figure("CA-1", "5", name="Volunteers"), figure("CA-2", "7", name=" volunteers ")]
    people, volunteers = benchmark(figures)
    assert [(row.figure.contract_reference, row.rank, row.percent_of_target)
            for row in people.rows] == [("CA-2", "1", Decimal("80.0")),
                                        ("CA-1", "2=", Decimal("80.0")),
                                        ("CA-4", "2=", Decimal("80.0")),
                                        ("CA-3", "", None)]
    assert (people.total, people.median, people.reported) == (Decimal(280), Decimal(80), 3)
    assert volunteers.total == Decimal(12) and volunteers.median == Decimal(6)
    assert len(volunteers.rows) == 2


def test_a_kpi_nobody_reported_has_no_median():
    (only,) = benchmark([figure("CA-1", None)])
    assert (only.total, only.median, only.reported) == (Decimal(0), None, 0)


@pytest.mark.parametrize(("value", "unit", "shown"), [
    (Decimal("1250.50"), "£", "£1,250.5"), (Decimal("120.00"), "people", "120 people"),
    (Decimal("12.5"), "", "12.5"), (None, "people", "None"),
])
def test_figures_are_shown_with_their_unit(value, unit, shown):
    assert format_figure(value, unit) == shown
