"""A PDF copy of an application, as the applicant sent it (or as the draft stands)."""

from typing import Any

from models import Application
from models.enums import LegalForm
from portal.dates import format_date, format_datetime
from portal.money import format_pounds
from portal.pdf import render_pdf

# The organisation's details in the order a reader expects them: (label, snapshot key).
ORGANISATION_FIELDS = [
    ("Name", "name"),
    ("Legal name", "legal_name"),
    ("Legal form", "legal_form"),
    ("Charity number", "charity_number"),
    ("Company number", "company_number"),
    ("Address", "address"),
    ("Income in the last accounts", "annual_income"),
    ("Paid staff", "paid_staff"),
    ("Volunteers", "volunteers"),
    ("Wards served", "wards"),
    ("Main contact", "contact"),
    ("Safeguarding policy", "safeguarding"),
]


def application_pdf(application: Application) -> bytes:
    return render_pdf("applications/pdf/application.html", copy=application_copy(application))


def application_copy(application: Application) -> dict[str, Any]:
    """Everything the PDF shows, as plain text: the template never touches the database."""
    round_ = application.round
    return {
        "reference": application.reference or "Draft (not submitted)",
        "status": application.status.label,
        "submitted": format_datetime(application.submitted_at),
        "scheme": round_.scheme.name,
        "round": round_.name,
        "financial_year": round_.financial_year,
        "organisation": _organisation_rows(application),
        "project": [
            ("Title", application.title or ""),
            ("Summary", application.summary or ""),
            ("Description", application.description or ""),
            ("Start date", format_date(application.start_date)),
            ("End date", format_date(application.end_date)),
        ],
        "beneficiaries": [
            ("Number of people", "" if application.beneficiaries is None
             else f"{application.beneficiaries:,}"),
            ("Who they are", application.beneficiary_description or ""),
            ("Wards", ", ".join(ward.name for ward in application.wards)),
            ("Themes", ", ".join(theme.name for theme in application.themes)),
        ],
        "cost_lines": [(line.description, format_pounds(line.amount_pence))
                       for line in application.cost_lines],
        "total_cost": format_pounds(application.total_cost_pence),
        "amount_requested": format_pounds(application.amount_requested_pence),
        "other_funding": [(row.source, row.status.label, format_pounds(row.amount_pence))
                          for row in application.other_funding],
        "public_funding": [(row.funder, row.purpose, row.financial_year,
                            format_pounds(row.amount_pence))
                           for row in application.public_funding],
        "declarations": [
            ("Connection to a councillor or council officer",
             _yes_no(application.has_conflict_of_interest)
             + (f": {application.conflict_of_interest_details}"
                if application.has_conflict_of_interest else "")),
            ("Safeguarding confirmed", _yes_no(application.safeguarding_confirmed)),
            ("Data protection confirmed", _yes_no(application.data_protection_confirmed)),
        ],
        "documents": [(document.requirement, document.original_filename)
                      for document in getattr(application, "documents", [])],
    }


def _yes_no(value: bool | None) -> str:
    return {True: "Yes", False: "No", None: "Not answered"}[value]


def _organisation_rows(application: Application) -> list[tuple[str, str]]:
    details = application.organisation_snapshot or _live_profile(application)
    return [(label, str(details[key])) for label, key in ORGANISATION_FIELDS
            if details.get(key) not in (None, "", [])]


def _live_profile(application: Application) -> dict[str, Any]:
    """The organisation's profile now, in the snapshot's shape, for drafts."""
    organisation = application.organisation
    address = [organisation.address_line_1, organisation.address_line_2, organisation.town,
               organisation.postcode]
    return {
        "name": organisation.name,
        "legal_name": organisation.legal_name,
        "legal_form": LegalForm(organisation.legal_form).label if organisation.legal_form
        else None,
        "charity_number": organisation.charity_number,
        "company_number": organisation.company_number,
        "address": ", ".join(part for part in address if part),
        "annual_income": format_pounds(organisation.annual_income_pence),
        "paid_staff": organisation.paid_staff,
        "volunteers": organisation.volunteers,
        "wards": ", ".join(ward.name for ward in organisation.wards),
        "contact": organisation.contact_name,
        "safeguarding": _yes_no(organisation.has_safeguarding_policy),
    }
