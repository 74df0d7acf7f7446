"""Organisations: creating one, and inviting people into it. Every change is audited here."""

from datetime import timedelta

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import Membership, Organisation, OrganisationInvitation, User
from models.base import utcnow
from models.enums import OrganisationRole
from portal import audit, policies
from portal.accounts.services import INVALID_LINK, normalise_email
from portal.exceptions import NotAllowed, RuleBroken
from portal.extensions import db
from portal.mail import send_email
from portal.tokens import hash_token, link_is_usable, new_token


def organisations_of(user: User) -> list[Membership]:
    """The user's memberships with their organisations, by organisation name."""
    return list(db.session.scalars(
        select(Membership).join(Membership.organisation)
        .options(selectinload(Membership.organisation))
        .where(Membership.user_id == user.id).order_by(Organisation.name)))


def get_organisation(user: User, organisation_id: int) -> Organisation:
    """Load an organisation the user may see; anything else is refused the same way."""
    organisation = db.session.scalar(
        select(Organisation).where(Organisation.id == organisation_id)
        .options(selectinload(Organisation.memberships).selectinload(Membership.user)))
    if organisation is None or not policies.can_view_organisation(user, organisation):
        raise NotAllowed
    return organisation


def create_organisation(user: User, name: str) -> Organisation:
    """Create an organisation with its creator as organisation admin."""
    if not policies.can_create_organisation(user):
        raise NotAllowed
    organisation = Organisation(name=name.strip())
    organisation.memberships.append(Membership(user=user, role=OrganisationRole.ADMIN))
    db.session.add(organisation)
    db.session.flush()
    audit.record("organisation.created", actor=user, subject=organisation,
                 details={"name": organisation.name})
    db.session.commit()
    return organisation


def pending_invitations(organisation: Organisation) -> list[OrganisationInvitation]:
    return list(db.session.scalars(
        select(OrganisationInvitation)
        .where(OrganisationInvitation.organisation_id == organisation.id,
               OrganisationInvitation.accepted_at.is_(None),
               OrganisationInvitation.expires_at > utcnow())
        .order_by(OrganisationInvitation.created_at)))


def invite_member(actor: User, organisation: Organisation, email: str,
                  role: OrganisationRole) -> OrganisationInvitation:
    """Email someone a link to join the organisation; only its admins may do this."""
    if not policies.can_manage_organisation(actor, organisation):
        raise NotAllowed
    email = normalise_email(email)
    if any(m.user.email == email for m in organisation.memberships):
        raise RuleBroken(f"{email} is already a member of {organisation.name}", field="email")
    token, token_hash = new_token()
    days = current_app.config["INVITATION_DAYS"]
    invitation = OrganisationInvitation(
        organisation=organisation, email=email, role=role, token_hash=token_hash,
        invited_by=actor, expires_at=utcnow() + timedelta(days=days))
    db.session.add(invitation)
    db.session.flush()
    audit.record("organisation.member_invited", actor=actor, subject=invitation,
                 details={"organisation_id": organisation.id, "email": email, "role": role})
    send_email(email, f"Join {organisation.name} on {current_app.config['SERVICE_NAME']}",
               "organisations/invitation", invitation=invitation, days=days,
               link=url_for("organisations.accept_invitation", token=token, _external=True))
    db.session.commit()
    return invitation


def open_invitation(token: str) -> OrganisationInvitation:
    invitation = db.session.scalar(
        select(OrganisationInvitation)
        .where(OrganisationInvitation.token_hash == hash_token(token)))
    if invitation is None or not link_is_usable(invitation.accepted_at, invitation.expires_at):
        raise RuleBroken(INVALID_LINK)
    return invitation


def accept_invitation(user: User, token: str) -> Organisation:
    """Join the organisation. The invitation is for one email address: only its owner may use it."""
    invitation = open_invitation(token)
    if normalise_email(user.email) != invitation.email:
        raise RuleBroken(
            f"This invitation was sent to {invitation.email}. "
            "Sign in with that email address to accept it")
    organisation = invitation.organisation
    invitation.accepted_at = utcnow()
    if policies.membership_of(user, organisation) is None:
        organisation.memberships.append(Membership(user=user, role=invitation.role))
    audit.record("organisation.invitation_accepted", actor=user, subject=invitation,
                 details={"organisation_id": organisation.id, "role": invitation.role})
    db.session.commit()
    return organisation
