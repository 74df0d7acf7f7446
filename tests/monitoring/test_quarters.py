"""When quarters start and end, when their returns are due and when a return is late."""

from datetime import UTC, date, datetime

import pytest

from portal.financial_years import FinancialYear
from portal.monitoring.quarters import (
    Quarter,
    contract_quarters,
    due_on,
    has_ended,
    is_late,
    last_ended,
)

FY = FinancialYear(2024)


@pytest.mark.parametrize(("number", "starts_on", "ends_on", "due"), [
    (1, date(2024, 4, 1), date(2024, 6, 30), date(2024, 7, 31)),
    (2, date(2024, 7, 1), date(2024, 9, 30), date(2024, 10, 31)),
    (3, date(2024, 10, 1), date(2024, 12, 31), date(2025, 1, 31)),
    (4, date(2025, 1, 1), date(2025, 3, 31), date(2025, 4, 30)),
])
def test_quarters_of_the_financial_year_and_their_due_dates(number, starts_on, ends_on, due):
    quarter = Quarter(FY, number)
    assert (quarter.starts_on, quarter.ends_on, due_on(quarter)) == (starts_on, ends_on, due)
    assert Quarter.containing(starts_on) == Quarter.containing(ends_on) == quarter


def test_a_quarter_is_named_and_parsed_by_its_financial_year():
    assert Quarter.of("2024/25", 3).label == "Q3 2024/25"
    assert Quarter(FY, 4).next() == Quarter(FinancialYear(2025), 1)
    assert Quarter(FinancialYear(2025), 1).previous() == Quarter(FY, 4)
    with pytest.raises(ValueError, match="quarter"):
        Quarter(FY, 5)
    with pytest.raises(ValueError, match="financial year"):
        Quarter.of("2024", 1)


@pytest.mark.parametrize(("now", "ended"), [
    (datetime(2024, 6, 30, 22, 59, tzinfo=UTC), False),  # 11:59pm on 30 June in the UK (BST)
    (datetime(2024, 6, 30, 23, 0, tzinfo=UTC), True),  # midnight in the UK: 1 July
])
def test_a_quarter_ends_at_midnight_uk_time(now, ended):
    assert has_ended(Quarter(FY, 1), now) is ended


@pytest.mark.parametrize(("submitted_at", "now", "late"), [
    (None, datetime(2024, 7, 31, 12, tzinfo=UTC), False),  # due today, not sent yet
    (None, datetime(2024, 8, 1, 12, tzinfo=UTC), True),  # not sent by its due date
    # sent at midnight UK time (BST): 1 August, a day late; a minute before, on time
    (datetime(2024, 7, 31, 23, 0, tzinfo=UTC), datetime(2024, 9, 1, tzinfo=UTC), True),
    (datetime(2024, 7, 31, 22, 59, tzinfo=UTC), datetime(2024, 9, 1, tzinfo=UTC), False),
    (datetime(2024, 7, 2, 9, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC), False),  # on time
])
def test_late_is_not_sent_by_the_due_date_or_sent_after_it(submitted_at, now, late):
    assert is_late(Quarter(FY, 1), submitted_at, now) is late


def test_the_last_quarter_to_have_ended():
    assert last_ended(datetime(2024, 11, 10, tzinfo=UTC)) == Quarter(FY, 2)
    assert last_ended(datetime(2024, 4, 1, tzinfo=UTC)) == Quarter(FinancialYear(2023), 4)


@pytest.mark.parametrize(("starts_on", "ends_on", "terminated_on", "labels"), [
    (date(2024, 4, 1), date(2025, 3, 31), None, ["Q1 2024/25", "Q2 2024/25", "Q3 2024/25",
                                                   "Q4 2024/25"]),
    (date(2024, 5, 15), date(2024, 10, 1), None, ["Q1 2024/25", "Q2 2024/25", "Q3 2024/25"]),
    (date(2024, 4, 1), date(2027, 3, 31), date(2024, 10, 1), ["Q1 2024/25", "Q2 2024/25"]),
    (date(2024, 4, 1), date(2027, 3, 31), date(2024, 10, 2), ["Q1 2024/25", "Q2 2024/25",
                                                               "Q3 2024/25"]),
])
def test_a_contract_runs_in_the_quarters_overlapping_its_dates(starts_on, ends_on,
                                                               terminated_on, labels):
    quarters = contract_quarters(starts_on, ends_on, terminated_on)
    assert [quarter.label for quarter in quarters] == labels
