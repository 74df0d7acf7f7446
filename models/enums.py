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
