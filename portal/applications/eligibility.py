"""Eligibility rules, evaluated from a round's settings before an application is submitted.

Every rule is a pure function of plain values: it returns None when the application passes, or
a plain-English message saying what is wrong and what the round allows. A rule says nothing
about an answer that has not been given yet: whether a section is complete is the section's
business, so an applicant is never told they are ineligible for something they left blank.
`check` runs every rule over an application and its round (already loaded by the caller: no
database access here).
"""

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from models.enums import LegalForm
from portal.dates import format_date, to_london
from portal.money import format_pounds

if TYPE_CHECKING:  # only for the annotation: the rules import no database code
    from models import Application

# A project must start within this many months of the round closing: long enough for the
# decision and the award, short enough that the round's money is spent on time.
LATEST_START_MONTHS_AFTER_CLOSING = 6


@dataclass(frozen=True)
class Failure:
    """A broken rule, and the application section where it can be put right."""

    section: str
    message: str


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter (31 Jan + 1)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def latest_end_date(start: date, max_months: int) -> date:
    """A project of up to `max_months` ends the day before the same date that many months on:
    1 April 2025 for 12 months may end on 31 March 2026 at the latest."""
    return add_months(start, max_months) - timedelta(days=1)


def latest_start_date(closes_on: date) -> date:
    return add_months(closes_on, LATEST_START_MONTHS_AFTER_CLOSING)


def _join(names: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _lower_first(label: str) -> str:
    """'Community interest company (CIC)' -> 'community interest company (CIC)'."""
    return label[:1].lower() + label[1:]


def legal_form_problem(legal_form: LegalForm | None,
                       eligible: Sequence[LegalForm]) -> str | None:
    """An empty list of eligible legal forms means the round takes every legal form."""
    if legal_form is None or not eligible or legal_form in eligible:
        return None
    return (f"Your organisation is a {_lower_first(legal_form.label)}. This round is open to: "
            f"{_join([_lower_first(form.label) for form in eligible])}.")


def income_problem(income_pence: int | None, max_income_pence: int | None) -> str | None:
    """'Under' the maximum is strict: an income of exactly the maximum is not under it."""
    if income_pence is None or max_income_pence is None or income_pence < max_income_pence:
        return None
    return (f"Your organisation’s income is {format_pounds(income_pence, whole=True)}. "
            "This round is for organisations with an income under "
            f"{format_pounds(max_income_pence, whole=True)}.")


def amount_problem(amount_pence: int | None, min_award_pence: int,
                   max_award_pence: int) -> str | None:
    """The minimum and maximum awards themselves are allowed."""
    if amount_pence is None or min_award_pence <= amount_pence <= max_award_pence:
        return None
    return (f"You have asked for {format_pounds(amount_pence, whole=True)}. This round gives "
            f"awards from {format_pounds(min_award_pence, whole=True)} to "
            f"{format_pounds(max_award_pence, whole=True)}.")


def wards_problem(chosen: Sequence[str], round_wards: Sequence[str],
                  any_ward: bool) -> str | None:
    """When the round is for some wards only, every ward the project serves must be one."""
    if any_ward:
        return None
    outside = [name for name in chosen if name not in set(round_wards)]
    if not outside:
        return None
    verb = "is" if len(outside) == 1 else "are"
    return (f"{_join(outside)} {verb} not in the area this round covers. "
            f"This round is for projects in {_join(list(round_wards)) or 'no wards yet'}.")


def start_date_problem(start: date | None, today: date, latest_start: date) -> str | None:
    if start is None:
        return None
    if start < today:
        return "Project start date must be today or in the future"
    if start > latest_start:
        return (f"Project start date must be on or before {format_date(latest_start)}, "
                f"within {LATEST_START_MONTHS_AFTER_CLOSING} months of the round closing")
    return None


def end_date_problem(start: date | None, end: date | None, max_months: int) -> str | None:
    if start is None or end is None:
        return None
    if end <= start:
        return "Project end date must be after the start date"
    latest = latest_end_date(start, max_months)
    if end > latest:
        return (f"Project end date must be on or before {format_date(latest)}. This round "
                f"funds projects lasting up to {max_months} months")
    return None


def project_dates_problem(start: date | None, end: date | None, *, max_months: int,
                          today: date, latest_start: date) -> str | None:
    return (start_date_problem(start, today, latest_start)
            or end_date_problem(start, end, max_months))


def one_application_problem(enforced: bool, other_submitted: int) -> str | None:
    """`other_submitted`: the organisation's other submitted applications to the round."""
    if not enforced or other_submitted == 0:
        return None
    return ("Your organisation has already submitted an application to this round. "
            "Organisations can make only one application to each round.")


def check(application: "Application", *, today: date, other_submitted: int) -> list[Failure]:
    """Every rule over the application and its round: the failures, in task-list order."""
    round_ = application.round
    organisation = application.organisation
    results = [
        ("organisation", legal_form_problem(organisation.legal_form, round_.legal_forms)),
        ("organisation", income_problem(organisation.annual_income_pence,
                                        round_.max_annual_income_pence)),
        ("organisation", one_application_problem(round_.one_application_per_organisation,
                                                 other_submitted)),
        ("project", project_dates_problem(
            application.start_date, application.end_date, max_months=round_.max_project_months,
            today=today, latest_start=latest_start_date(to_london(round_.closes_at).date()))),
        ("beneficiaries", wards_problem([ward.name for ward in application.wards],
                                        [ward.name for ward in round_.wards], round_.any_ward)),
        ("budget", amount_problem(application.amount_requested_pence, round_.min_award_pence,
                                  round_.max_award_pence)),
    ]
    return [Failure(section, message) for section, message in results if message]
