"""The sections of an application (GOV.UK's "complete multiple tasks" pattern) and their status.

A section's status is kept in Application.sections: missing means not yet started; saving any
answer makes it in progress; the applicant marks it completed when its answers are complete.
"""

from models import Application
from models.enums import SectionStatus

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
