"""A PDF copy of an application, as the applicant sent it (or as the draft stands)."""

from typing import Any

from models import Application
from portal.applications.sections import answer_sections
from portal.dates import format_datetime
from portal.organisations.services import profile_snapshot
from portal.pdf import render_pdf


def application_pdf(application: Application) -> bytes:
    return render_pdf("applications/pdf/application.html", copy=application_copy(application))


def application_copy(application: Application) -> dict[str, Any]:
    """Everything the PDF shows, as plain data: the template never touches the database.
    The answers are the same ones the check-answers page shows."""
    round_ = application.round
    profile = application.organisation_snapshot or profile_snapshot(application.organisation)
    return {
        "reference": application.reference or "Draft (not submitted)",
        "status": application.status.label,
        "submitted": format_datetime(application.submitted_at),
        "scheme": round_.scheme.name,
        "round": round_.name,
        "financial_year": round_.financial_year,
        "sections": answer_sections(application, profile),
        "documents": [(document.requirement, document.original_filename)
                      for document in application.documents],
    }
