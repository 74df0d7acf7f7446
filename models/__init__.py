"""SQLAlchemy models, one module per area. Importing this package registers them all."""

from models.accounts import AccountToken, StaffInvitation, User, UserRole
from models.applications import (
    Application,
    CostLine,
    OtherFunding,
    PublicFunding,
    ReferenceSequence,
)
from models.audit import AuditEvent
from models.base import db
from models.documents import Document
from models.organisations import Membership, Organisation, OrganisationInvitation
from models.places import Locality, Ward
from models.schemes import Round, Scheme, Theme

__all__ = [
    "AccountToken",
    "Application",
    "AuditEvent",
    "CostLine",
    "Document",
    "Locality",
    "Membership",
    "Organisation",
    "OrganisationInvitation",
    "OtherFunding",
    "PublicFunding",
    "ReferenceSequence",
    "Round",
    "Scheme",
    "StaffInvitation",
    "Theme",
    "User",
    "UserRole",
    "Ward",
    "db",
]
