"""UK dates and times: Europe/London, across the clock changes."""

from datetime import UTC, date, datetime

from portal.dates import format_date, format_datetime, london_midnight_utc


def test_times_are_shown_in_uk_time_gov_uk_style():
    assert format_datetime(datetime(2026, 7, 1, 15, 5, tzinfo=UTC)) == "1 July 2026 at 4:05pm"
    assert format_datetime(datetime(2026, 12, 1, 0, 30, tzinfo=UTC)) == "1 December 2026 at 12:30am"
    assert format_datetime(None) == ""


def test_dates_of_instants_are_uk_dates():
    # 11:30pm UTC on 30 June is already 1 July in BST.
    assert format_date(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == "1 July 2026"
    assert format_date(date(2027, 3, 31)) == "31 March 2027"


def test_uk_midnight_follows_british_summer_time():
    assert london_midnight_utc(date(2026, 1, 15)) == datetime(2026, 1, 15, 0, 0, tzinfo=UTC)
    assert london_midnight_utc(date(2026, 7, 15)) == datetime(2026, 7, 14, 23, 0, tzinfo=UTC)
