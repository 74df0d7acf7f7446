"""SQLAlchemy models, one module per area. Importing this package registers them all."""

from models.accounts import AccountToken, StaffInvitation, User, UserRole
from models.audit import AuditEvent
from models.base import db
from models.organisations import Membership, Organisation, OrganisationInvitation
from models.places import Locality, Ward

__all__ = [
    "AccountToken",
    "AuditEvent",
    "Locality",
    "Membership",
    "Organisation",
    "OrganisationInvitation",
    "StaffInvitation",
    "User",
    "UserRole",
    "Ward",
    "db",
]
