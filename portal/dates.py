"""Dates and times as people in the UK read them: Europe/London (GMT or BST), GOV.UK style."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from babel import dates as babel_dates

LONDON = ZoneInfo("Europe/London")


def london_midnight_utc(day: date) -> datetime:
    """The UTC instant at which `day` starts in the UK."""
    return datetime.combine(day, time.min, tzinfo=LONDON).astimezone(UTC)


def format_datetime(value: datetime | None) -> str:
    """'1 July 2026 at 4:05pm' in UK time."""
    if value is None:
        return ""
    return babel_dates.format_datetime(value, "d MMMM y 'at' h:mma", tzinfo=LONDON, locale="en_GB")


def format_date(value: date | datetime | None) -> str:
    """'1 July 2026'; a datetime is first converted to UK time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LONDON).date()
    return babel_dates.format_date(value, "d MMMM y", locale="en_GB")


def london_to_utc(day: date, at: time) -> datetime:
    """The UTC instant of a UK wall-clock time on `day` (GMT or BST, whichever applies)."""
    return datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC)


def to_london(value: datetime) -> datetime:
    return value.astimezone(LONDON)
