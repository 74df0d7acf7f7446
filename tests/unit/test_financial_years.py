"""UK financial years (1 April – 31 March, written 2024/25) and UK wall-clock times in UTC."""

from datetime import UTC, date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.dates import london_to_utc
from portal.financial_years import FinancialYear, labels_spanning

# london_to_utc


def test_winter_times_are_greenwich_mean_time():
    assert london_to_utc(date(2026, 1, 15), time(9)) == datetime(2026, 1, 15, 9, tzinfo=UTC)


def test_summer_times_are_british_summer_time():
    """5pm on 1 July is 4pm UTC."""
    utc = london_to_utc(date(2026, 7, 1), time(17))
    assert utc == datetime(2026, 7, 1, 16, tzinfo=UTC)
    assert utc.tzinfo is UTC


def test_uk_midnight_in_summer_is_the_previous_day_in_utc():
    assert london_to_utc(date(2026, 4, 1), time(0)) == datetime(2026, 3, 31, 23, tzinfo=UTC)


def test_the_day_the_clocks_go_forward():
    """29 March 2026: at 1am GMT the clocks jump to 2am BST."""
    day = date(2026, 3, 29)
    assert london_to_utc(day, time(0, 30)) == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert london_to_utc(day, time(3)) == datetime(2026, 3, 29, 2, tzinfo=UTC)
    # 1:30am never happens that day; it is read with the offset before the change (GMT).
    assert london_to_utc(day, time(1, 30)) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_the_day_the_clocks_go_back():
    """25 October 2026: at 2am BST the clocks go back to 1am GMT, so 1:30am happens twice;
    the first (BST) is meant."""
    day = date(2026, 10, 25)
    assert london_to_utc(day, time(1, 30)) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert london_to_utc(day, time(2, 30)) == datetime(2026, 10, 25, 2, 30, tzinfo=UTC)


# FinancialYear


@pytest.mark.parametrize(("label", "start_year"), [
    ("2024/25", 2024), (" 2024/25 ", 2024), ("1999/00", 1999), ("2099/00", 2099)])
def test_financial_years_are_read_from_their_labels(label, start_year):
    assert FinancialYear.parse(label) == FinancialYear(start_year)


@pytest.mark.parametrize("label", [
    "2024/26", "2024/24", "2024-25", "24/25", "2024/2025", "2024", "", "abcd/ef", "2024/25x"])
def test_anything_else_is_not_a_financial_year(label):
    with pytest.raises(ValueError, match="is not a financial year like 2024/25"):
        FinancialYear.parse(label)


@given(st.integers(min_value=1000, max_value=9998))
def test_label_and_parse_agree(start_year):
    year = FinancialYear(start_year)
    assert FinancialYear.parse(year.label) == year
    assert str(year) == year.label


@given(st.integers(min_value=1900, max_value=2200))
def test_slug_and_from_slug_agree(start_year):
    """The year as a URL has it: 2024-25."""
    year = FinancialYear(start_year)
    assert year.slug == year.label.replace("/", "-")
    assert FinancialYear.from_slug(year.slug) == year


@pytest.mark.parametrize("slug", ["2024/25", "2024-26", "2024", "24-25", "2024-25-", ""])
def test_anything_else_is_not_a_financial_year_slug(slug):
    with pytest.raises(ValueError):
        FinancialYear.from_slug(slug)


def test_label_code_and_dates():
    year = FinancialYear(2024)
    assert (year.label, year.code) == ("2024/25", "2425")
    assert (year.starts_on, year.ends_on) == (date(2024, 4, 1), date(2025, 3, 31))
    assert (FinancialYear(1999).label, FinancialYear(1999).code) == ("1999/00", "9900")


@pytest.mark.parametrize(("day", "start_year"), [
    (date(2025, 3, 31), 2024),
    (date(2025, 4, 1), 2025),
    (date(2026, 1, 1), 2025),
    # BST began on 30 March 2025: 11:30pm UTC on 31 March is already 1 April in the UK.
    (datetime(2025, 3, 31, 22, 59, tzinfo=UTC), 2024),
    (datetime(2025, 3, 31, 23, 30, tzinfo=UTC), 2025),
])
def test_the_financial_year_containing_a_day_or_instant(day, start_year):
    assert FinancialYear.containing(day) == FinancialYear(start_year)


def test_previous_years_and_order():
    year = FinancialYear(2024)
    assert year.previous() == FinancialYear(2023)
    assert year.previous(2).label == "2022/23"
    assert sorted([year, year.previous(2), year.previous()]) == [
        FinancialYear(2022), FinancialYear(2023), FinancialYear(2024)]
    assert len({FinancialYear(2024), FinancialYear.parse("2024/25")}) == 1


@pytest.mark.parametrize(("number", "first", "last"), [
    (1, date(2024, 4, 1), date(2024, 6, 30)),
    (2, date(2024, 7, 1), date(2024, 9, 30)),
    (3, date(2024, 10, 1), date(2024, 12, 31)),
    (4, date(2025, 1, 1), date(2025, 3, 31)),
])
def test_a_quarter_runs_from_its_first_to_its_last_day(number, first, last):
    assert FinancialYear(2024).quarter(number) == (first, last)


@pytest.mark.parametrize("number", [0, 5])
def test_there_are_four_quarters(number):
    with pytest.raises(ValueError):
        FinancialYear(2024).quarter(number)


def test_a_period_spans_the_financial_years_it_touches():
    assert labels_spanning(date(2024, 4, 1), date(2027, 3, 31)) == [
        "2024/25", "2025/26", "2026/27"]
    assert labels_spanning(date(2024, 3, 31), date(2024, 4, 1)) == [
        "2023/24", "2024/25"]
