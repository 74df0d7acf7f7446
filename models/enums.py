"""Enumerations used across the models. Values are stored as their lower-case strings."""

import enum


class Role(enum.StrEnum):
    APPLICANT = "applicant"
    ASSESSOR = "assessor"
    GRANTS_OFFICER = "grants_officer"
    COMMISSIONER = "commissioner"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


STAFF_ROLES = (Role.ASSESSOR, Role.GRANTS_OFFICER, Role.COMMISSIONER, Role.ADMIN)


class TokenPurpose(enum.StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"  # noqa: S105 (a purpose, not a password)


class OrganisationRole(enum.StrEnum):
    ADMIN = "admin"
    MEMBER = "member"

    @property
    def label(self) -> str:
        return "Organisation admin" if self is OrganisationRole.ADMIN else "Member"


class LegalForm(enum.StrEnum):
    CHARITY = "charity"
    CIO = "cio"
    CIC = "cic"
    COMPANY_LIMITED_BY_GUARANTEE = "company_limited_by_guarantee"
    COMMUNITY_BENEFIT_SOCIETY = "community_benefit_society"
    CONSTITUTED_GROUP = "constituted_group"
    FAITH_GROUP = "faith_group"
    TOWN_OR_PARISH_COUNCIL = "town_or_parish_council"

    @property
    def label(self) -> str:
        return LEGAL_FORM_LABELS[self]


LEGAL_FORM_LABELS = {
    LegalForm.CHARITY: "Registered charity (unincorporated or trust)",
    LegalForm.CIO: "Charitable incorporated organisation (CIO)",
    LegalForm.CIC: "Community interest company (CIC)",
    LegalForm.COMPANY_LIMITED_BY_GUARANTEE: "Company limited by guarantee",
    LegalForm.COMMUNITY_BENEFIT_SOCIETY: "Community benefit society",
    LegalForm.CONSTITUTED_GROUP: "Constituted community group",
    LegalForm.FAITH_GROUP: "Faith group",
    LegalForm.TOWN_OR_PARISH_COUNCIL: "Town or parish council",
}


class RoundStatus(enum.StrEnum):
    """What an officer has done with a round. Whether a published round is open or closed
    follows from its times (see Round.state), so no job has to close it."""

    DRAFT = "draft"
    PUBLISHED = "published"
    DECIDED = "decided"


class RoundState(enum.StrEnum):
    DRAFT = "draft"
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"
    DECIDED = "decided"

    @property
    def label(self) -> str:
        return "Opening soon" if self is RoundState.UPCOMING else self.value.capitalize()


class ApplicationStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class SectionStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return {"not_started": "Not yet started", "in_progress": "In progress",
                "completed": "Completed"}[self.value]


class FundingStatus(enum.StrEnum):
    SECURED = "secured"
    APPLIED_FOR = "applied_for"

    @property
    def label(self) -> str:
        return "Secured" if self is FundingStatus.SECURED else "Applied for"
