"""The sections of an application (GOV.UK's "complete multiple tasks" pattern) and their status.

A section's status is kept in Application.sections: missing means not yet started; saving any
answer makes it in progress; the applicant marks it completed when its answers are complete.
"""

from dataclasses import dataclass
from datetime import date

from models import Application
from models.enums import LegalForm, SectionStatus
from portal.dates import format_date
from portal.money import format_pounds

# (key, title) in the order the task list shows them.
SECTIONS: list[tuple[str, str]] = [
    ("organisation", "Your organisation"),
    ("project", "Your project"),
    ("beneficiaries", "Who will benefit"),
    ("budget", "Budget"),
    ("declarations", "Declarations"),
    ("documents", "Documents"),
]
SECTION_KEYS = [key for key, _ in SECTIONS]


def section_status(application: Application, key: str) -> SectionStatus:
    return SectionStatus(application.sections.get(key, SectionStatus.NOT_STARTED.value))


def set_section_status(application: Application, key: str, status: SectionStatus) -> None:
    """Record a section's status (a new dict, so SQLAlchemy sees the JSON column change)."""
    if key not in SECTION_KEYS:
        raise KeyError(key)
    application.sections = {**application.sections, key: status.value}


def all_sections_completed(application: Application) -> bool:
    return all(section_status(application, key) is SectionStatus.COMPLETED
               for key in SECTION_KEYS)


# The answers as plain data, for Check your answers, the read-only view and the PDF -----------

# A value is text, a list of lines, or None (not answered).
Value = str | list[str] | None


@dataclass(frozen=True)
class Answer:
    label: str
    value: Value
    page: str  # the section page where it is answered (an `applications.` endpoint)


@dataclass(frozen=True)
class SectionAnswers:
    key: str
    title: str
    answers: list[Answer]


def _date(value: date | str | None) -> str | None:
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return format_date(value) if value else None


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("Yes" if value else "No")


def _lines(*parts: str | None) -> list[str]:
    return [part for part in parts if part]


def profile_answers(profile: dict) -> list[Answer]:
    """The organisation's profile, from profile_snapshot() (live, or as kept on submission)."""
    legal_form = profile.get("legal_form")
    safeguarding = _yes_no(profile.get("has_safeguarding_policy"))
    if profile.get("has_safeguarding_policy") and profile.get("safeguarding_review_date"):
        safeguarding += f", last reviewed {_date(profile['safeguarding_review_date'])}"
    rows = [
        ("Name", profile.get("name")),
        ("Legal name", profile.get("legal_name")),
        ("Legal form", LegalForm(legal_form).label if legal_form else None),
        ("Charity number", profile.get("charity_number")),
        ("Company number", profile.get("company_number")),
        ("Registered address", _lines(profile.get("address_line_1"),
                                      profile.get("address_line_2"), profile.get("town"),
                                      profile.get("postcode")) or None),
        ("Income in the last accounts", format_pounds(profile.get("annual_income_pence"))
         or None),
        ("Paid staff", _number(profile.get("paid_staff"))),
        ("Volunteers", _number(profile.get("volunteers"))),
        ("Wards served", profile.get("wards") or None),
        ("Main contact", _lines(profile.get("contact_name"), profile.get("contact_email"),
                                profile.get("contact_phone")) or None),
        ("Safeguarding policy", safeguarding),
    ]
    return [Answer(label, value, "organisation") for label, value in rows
            if value is not None or label not in {"Charity number", "Company number"}]


def _number(value: int | None) -> str | None:
    return None if value is None else f"{value:,}"


def answer_sections(application: Application, profile: dict) -> list[SectionAnswers]:
    """Every answer, section by section (documents are listed by their own area)."""
    project = [
        Answer("Project title", application.title, "project"),
        Answer("Summary", application.summary, "project"),
        Answer("Description", application.description, "project"),
        Answer("Start date", _date(application.start_date), "project"),
        Answer("End date", _date(application.end_date), "project"),
    ]
    beneficiaries = [
        Answer("Number of people", _number(application.beneficiaries), "beneficiaries"),
        Answer("Who will benefit", application.beneficiary_description, "beneficiaries"),
        Answer("Wards", [ward.name for ward in application.wards] or None, "beneficiaries"),
        Answer("Themes", [theme.name for theme in application.themes] or None,
               "beneficiaries"),
    ]
    budget = [
        Answer("Costs", [f"{line.description}: {format_pounds(line.amount_pence)}"
                         for line in application.cost_lines] or None, "costs"),
        Answer("Total cost", format_pounds(application.total_cost_pence), "costs"),
        Answer("Other funding", [f"{row.source}: {format_pounds(row.amount_pence)} "
                                 f"({row.status.label.lower()})"
                                 for row in application.other_funding] or "None",
               "other_funding"),
        Answer("Amount requested", format_pounds(application.amount_requested_pence) or None,
               "budget"),
    ]
    conflict = _yes_no(application.has_conflict_of_interest)
    declarations = [
        Answer("Other public funding", [
            f"{row.funder}, {row.financial_year}: {format_pounds(row.amount_pence)} "
            f"for {row.purpose}" for row in application.public_funding] or "None",
            "public_funding"),
        Answer("Connection to a councillor or council officer",
               _lines(conflict, application.conflict_of_interest_details) or None,
               "declarations"),
        Answer("Safeguarding", "Confirmed" if application.safeguarding_confirmed else None,
               "declarations"),
        Answer("Data protection", "Confirmed" if application.data_protection_confirmed
               else None, "declarations"),
    ]
    titles = dict(SECTIONS)
    return [SectionAnswers(key, titles[key], answers) for key, answers in (
        ("organisation", profile_answers(profile)), ("project", project),
        ("beneficiaries", beneficiaries), ("budget", budget),
        ("declarations", declarations))]
