"""UK financial years run from 1 April to 31 March and are written 2024/25."""

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime

from portal.dates import LONDON

_LABEL = re.compile(r"^(\d{4})/(\d{2})$")


@dataclass(frozen=True, order=True)
class FinancialYear:
    start_year: int

    @classmethod
    def containing(cls, day: date | datetime) -> "FinancialYear":
        if isinstance(day, datetime):
            day = day.astimezone(LONDON).date()
        return cls(day.year if day.month >= 4 else day.year - 1)

    @classmethod
    def parse(cls, label: str) -> "FinancialYear":
        """'2024/25' -> FinancialYear(2024); anything else raises ValueError."""
        match = _LABEL.match(label.strip())
        if not match or (int(match[1]) + 1) % 100 != int(match[2]):
            raise ValueError(f"{label!r} is not a financial year like 2024/25")
        return cls(int(match[1]))

    @classmethod
    def from_slug(cls, slug: str) -> "FinancialYear":
        """'2024-25' (the year in a URL, where '/' cannot go) -> FinancialYear(2024)."""
        if "/" in slug:
            raise ValueError(f"{slug!r} is not a financial year like 2024-25")
        return cls.parse(slug.replace("-", "/", 1))

    @property
    def label(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def slug(self) -> str:
        """'2024-25': the label as a URL path segment."""
        return self.label.replace("/", "-")

    @property
    def code(self) -> str:
        """'2425', as used in references such as CPG-2425-0001."""
        return f"{self.start_year % 100:02d}{(self.start_year + 1) % 100:02d}"

    @property
    def starts_on(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def ends_on(self) -> date:
        return date(self.start_year + 1, 3, 31)

    def quarter(self, number: int) -> tuple[date, date]:
        """The first and last days of quarter `number` (1: April to June ... 4: January to
        March)."""
        if number not in (1, 2, 3, 4):
            raise ValueError(f"{number!r} is not a quarter from 1 to 4")
        starts_on = date(self.start_year + (number == 4), 3 * number % 12 + 1, 1)
        last_month = starts_on.month + 2
        return starts_on, date(starts_on.year, last_month,
                               calendar.monthrange(starts_on.year, last_month)[1])

    def previous(self, count: int = 1) -> "FinancialYear":
        return FinancialYear(self.start_year - count)

    def following(self, count: int = 1) -> "FinancialYear":
        return FinancialYear(self.start_year + count)

    def __str__(self) -> str:
        return self.label


def labels_spanning(starts_on: date, ends_on: date) -> list[str]:
    """The labels of the financial years that a period from `starts_on` to `ends_on` touches,
    in order: a contract from 1 April 2024 to 31 March 2027 spans 2024/25, 2025/26, 2026/27."""
    first, last = FinancialYear.containing(starts_on), FinancialYear.containing(ends_on)
    return [FinancialYear(start).label for start in range(first.start_year, last.start_year + 1)]
