"""Named permission policies, used by services, route decorators and templates alike."""

from models import Application, Membership, Organisation, User
from models.enums import ApplicationStatus, OrganisationRole, Role


def _signed_in(user: User | None) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def can_manage_staff(user: User | None) -> bool:
    return _signed_in(user) and user.has_role(Role.ADMIN)


def can_view_audit_log(user: User | None) -> bool:
    return _signed_in(user) and user.has_role(Role.ADMIN)


def can_create_organisation(user: User | None) -> bool:
    return _signed_in(user) and user.has_role(Role.APPLICANT)


def membership_of(user: User | None, organisation: Organisation) -> Membership | None:
    if not _signed_in(user):
        return None
    return next((m for m in organisation.memberships if m.user_id == user.id), None)


def can_view_organisation(user: User | None, organisation: Organisation) -> bool:
    """Members, and the council staff who deal with organisations (not assessors, who see only
    the applications assigned to them)."""
    if membership_of(user, organisation) is not None:
        return True
    return _signed_in(user) and user.has_role(Role.GRANTS_OFFICER, Role.COMMISSIONER, Role.ADMIN)


def can_manage_organisation(user: User | None, organisation: Organisation) -> bool:
    membership = membership_of(user, organisation)
    return membership is not None and membership.role is OrganisationRole.ADMIN


def can_view_application(user: User | None, application: Application) -> bool:
    """The organisation's members, and grants officers, commissioners and admins. Assessors
    will see only the applications assigned to them (a later issue)."""
    return can_view_organisation(user, application.organisation)


def can_edit_application(user: User | None, application: Application) -> bool:
    """The organisation's members, while the application is a draft: once submitted it is kept
    as it was sent."""
    return (application.status is ApplicationStatus.DRAFT
            and membership_of(user, application.organisation) is not None)


def can_manage_schemes(user: User | None) -> bool:
    """Grants officers run schemes and rounds; an admin does only if also a grants officer."""
    return _signed_in(user) and user.has_role(Role.GRANTS_OFFICER)


def can_view_submitted_applications(user: User | None) -> bool:
    """Grants officers see every application that has been sent in, in the officers' area."""
    return _signed_in(user) and user.has_role(Role.GRANTS_OFFICER)
