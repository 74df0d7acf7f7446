"""Administration: staff invitations, people's roles, and the audit log."""

from datetime import date, timedelta

from flask import current_app, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from models import AuditEvent, FundingPartner, StaffInvitation, User, UserRole
from models.base import utcnow
from models.enums import STAFF_ROLES, Role
from portal import audit, policies
from portal.accounts import sessions
from portal.accounts.services import normalise_email
from portal.dates import london_midnight_utc
from portal.exceptions import NotFound, RuleBroken
from portal.extensions import db
from portal.mail import send_email
from portal.tokens import new_token


def invite_staff(admin: User, email: str, full_name: str, roles: list[Role]) -> StaffInvitation:
    policies.require(policies.can_manage_staff(admin))
    if not roles or not set(roles) <= set(STAFF_ROLES):
        raise RuleBroken("Select at least one staff role", field="roles")
    return _invite(admin, email, full_name, roles)


def partner_choices(admin: User) -> list[FundingPartner]:
    """The partners whose staff may be invited, by name."""
    policies.require(policies.can_manage_staff(admin))
    return list(db.session.scalars(select(FundingPartner).order_by(FundingPartner.name)))


def invite_partner_staff(admin: User, email: str, full_name: str,
                         partner_id: int) -> StaffInvitation:
    """Invite a funding partner's member of staff: read-only, to their partner's pages."""
    policies.require(policies.can_manage_staff(admin))
    partner = db.session.get(FundingPartner, partner_id)
    if partner is None:
        raise RuleBroken("Select the funding partner they work for", field="partner")
    return _invite(admin, email, full_name, [Role.FUNDING_PARTNER], partner)


def _invite(admin: User, email: str, full_name: str, roles: list[Role],
            partner: FundingPartner | None = None) -> StaffInvitation:
    email = normalise_email(email)
    token, token_hash = new_token()
    days = current_app.config["INVITATION_DAYS"]
    invitation = StaffInvitation(
        email=email, full_name=full_name.strip(), roles=[role.value for role in roles],
        token_hash=token_hash, invited_by=admin, partner=partner,
        expires_at=utcnow() + timedelta(days=days))
    db.session.add(invitation)
    db.session.flush()
    audit.record("staff.invited", actor=admin, subject=invitation,
                 details={"email": email, "roles": invitation.roles,
                          "partner_id": invitation.partner_id})
    send_email(email, f"You have been invited to {current_app.config['SERVICE_NAME']}",
               "accounts/staff_invitation", invitation=invitation, days=days,
               link=url_for("accounts.accept_invitation", token=token, _external=True))
    db.session.commit()
    return invitation


def set_staff_roles(admin: User, user: User, roles: list[Role]) -> None:
    """Replace a person's staff roles (their applicant role, if any, is kept)."""
    policies.require(policies.can_manage_staff(admin))
    wanted = set(roles) & set(STAFF_ROLES)
    if user.id == admin.id and Role.ADMIN not in wanted:
        raise RuleBroken("You cannot remove your own admin role", field="roles")
    current = user.roles & set(STAFF_ROLES)
    added, removed = wanted - current, current - wanted
    if not (added or removed):
        return
    user.role_grants = [g for g in user.role_grants if g.role not in removed]
    user.role_grants.extend(UserRole(role=role) for role in sorted(added))
    audit.record("roles.changed", actor=admin, subject=user,
                 details={"added": sorted(added), "removed": sorted(removed)})
    db.session.commit()


def users_page(page: int, per_page: int = 25, search: str = ""):
    """One page of people, newest first, for the admin's user list."""
    query = select(User).order_by(User.created_at.desc(), User.id.desc())
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(func.lower(User.email).like(pattern)
                            | func.lower(User.full_name).like(pattern))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def find_user(admin: User, user_id: int) -> User:
    policies.require(policies.can_manage_staff(admin))
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(user_id)
    return user


def reset_authenticator(admin: User, user: User) -> None:
    """For a lost phone: remove the person's authenticator app and sign them out everywhere.
    They set up a new one the next time they sign in."""
    policies.require(policies.can_manage_staff(admin))
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    sessions.end_all(user)
    audit.record("second_factor.reset", actor=admin, subject=user)
    db.session.commit()


def audit_actions() -> list[str]:
    """The actions that appear in the log, for the filter's choices."""
    actions = select(AuditEvent.action).distinct().order_by(AuditEvent.action)
    return list(db.session.scalars(actions))


def audit_page(admin: User, *, page: int, action: str = "", actor_email: str = "",
               date_from: date | None = None, date_to: date | None = None,
               per_page: int = 50):
    """One page of the audit log, newest first, filtered by action, actor and day (UK time)."""
    policies.require(policies.can_view_audit_log(admin))
    query = (select(AuditEvent).options(joinedload(AuditEvent.actor))
             .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()))
    if action:
        query = query.where(AuditEvent.action == action)
    if actor_email:
        query = query.join(AuditEvent.actor).where(User.email == normalise_email(actor_email))
    if date_from:
        query = query.where(AuditEvent.created_at >= london_midnight_utc(date_from))
    if date_to:
        day_after = london_midnight_utc(date_to + timedelta(days=1))
        query = query.where(AuditEvent.created_at < day_after)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
