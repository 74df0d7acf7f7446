"""Quarters of the financial year and when monitoring returns are due: pure date rules, with no
database, so they can be tested for any date.

Q1 is April to June, Q2 July to September, Q3 October to December and Q4 January to March.
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from portal.dates import to_london
from portal.financial_years import FinancialYear

MONTHS = {1: "April to June", 2: "July to September", 3: "October to December",
          4: "January to March"}


@dataclass(frozen=True, order=True)
class Quarter:
    year: FinancialYear
    number: int

    def __post_init__(self) -> None:
        if self.number not in MONTHS:
            raise ValueError(f"{self.number!r} is not a quarter from 1 to 4")

    @classmethod
    def of(cls, financial_year: str, number: int) -> "Quarter":
        """('2024/25', 1) -> Quarter; ValueError for a year or number that is not one."""
        return cls(FinancialYear.parse(financial_year), number)

    @classmethod
    def containing(cls, day: date) -> "Quarter":
        year = FinancialYear.containing(day)
        return cls(year, (day.month - 4) % 12 // 3 + 1)

    @property
    def financial_year(self) -> str:
        return self.year.label

    @property
    def starts_on(self) -> date:
        return self.year.quarter(self.number)[0]

    @property
    def ends_on(self) -> date:
        return self.year.quarter(self.number)[1]

    @property
    def label(self) -> str:
        """'Q1 2024/25'."""
        return f"Q{self.number} {self.year.label}"

    @property
    def months(self) -> str:
        return MONTHS[self.number]

    def next(self) -> "Quarter":
        if self.number == 4:
            return Quarter(self.year.following(), 1)
        return Quarter(self.year, self.number + 1)

    def previous(self) -> "Quarter":
        if self.number == 1:
            return Quarter(self.year.previous(), 4)
        return Quarter(self.year, self.number - 1)


def due_on(quarter: Quarter) -> date:
    """The day a quarter's return is due: the last day of the month after the quarter ends
    (Q1, April to June, is due on 31 July; Q4, January to March, on 30 April). A return sent
    on that day is on time."""
    after = quarter.ends_on + timedelta(days=1)
    return after.replace(day=calendar.monthrange(after.year, after.month)[1])


def today_in_uk(now: datetime) -> date:
    """Quarters end and returns fall due by the UK's calendar, not UTC's."""
    return to_london(now).date()


def has_ended(quarter: Quarter, now: datetime) -> bool:
    return today_in_uk(now) > quarter.ends_on


def last_ended(now: datetime) -> Quarter:
    """The most recent quarter that has ended: the one whose returns are being sent in."""
    return Quarter.containing(today_in_uk(now)).previous()


def contract_quarters(starts_on: date, ends_on: date,
                      terminated_on: date | None = None) -> list[Quarter]:
    """The quarters a contract runs in: those overlapping its start and end dates and, when it
    was terminated early, starting before the day it was terminated."""
    last = ends_on if terminated_on is None else min(ends_on, terminated_on - timedelta(days=1))
    quarters = []
    quarter = Quarter.containing(starts_on)
    while quarter.starts_on <= last:
        quarters.append(quarter)
        quarter = quarter.next()
    return quarters


def is_late(quarter: Quarter, submitted_at: datetime | None, now: datetime) -> bool:
    """Late: not sent in by the due date (and that date has passed), or sent in after it."""
    when = today_in_uk(submitted_at if submitted_at is not None else now)
    return when > due_on(quarter)
