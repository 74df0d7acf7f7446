"""Organisations: creating one, inviting people into it, and its profile. Every change is
audited here."""

import enum
from datetime import date, timedelta
from typing import Any

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from models import Locality, Membership, Organisation, OrganisationInvitation, User, Ward
from models.base import utcnow
from models.enums import LegalForm, OrganisationRole
from portal import audit, policies
from portal.accounts.services import INVALID_LINK, normalise_email
from portal.exceptions import NotAllowed, RuleBroken
from portal.extensions import db
from portal.mail import send_email
from portal.organisations import identifiers
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
    policies.require(policies.can_create_organisation(user))
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
    policies.require(policies.can_manage_organisation(actor, organisation))
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


# The organisation profile ------------------------------------------------------------------

PROFILE_FIELDS = (
    "name", "legal_name", "legal_form", "charity_number", "company_number",
    "address_line_1", "address_line_2", "town", "postcode", "annual_income_pence",
    "paid_staff", "volunteers", "wards", "contact_name", "contact_email", "contact_phone",
    "has_safeguarding_policy", "safeguarding_review_date",
)
# Registered charities and CIOs are on a charity register; CICs and companies limited by
# guarantee are at Companies House. Community benefit societies register with the FCA, so a
# Companies House number is optional for them (checked like any other when given).
NUMBER_REQUIRED_BY = {
    "charity_number": frozenset({LegalForm.CHARITY, LegalForm.CIO}),
    "company_number": frozenset({LegalForm.CIC, LegalForm.COMPANY_LIMITED_BY_GUARANTEE}),
}
NUMBER_NAMES = {"charity_number": "charity number", "company_number": "company number"}
# Identifiers are stored in their normalised form, whoever calls update_profile.
_NORMALISE = {
    "charity_number": identifiers.normalise_charity_number,
    "company_number": identifiers.normalise_company_number,
    "postcode": identifiers.normalise_postcode,
}


def required_numbers(legal_form: LegalForm | None) -> list[str]:
    """The registration numbers ("charity_number", "company_number") a legal form must give."""
    return [field for field, forms in NUMBER_REQUIRED_BY.items() if legal_form in forms]


def all_wards() -> list[Ward]:
    """Every ward, by locality and then name (for the wards page's grouped checkboxes)."""
    return list(db.session.scalars(
        select(Ward).join(Ward.locality).options(contains_eager(Ward.locality))
        .order_by(Locality.name, Ward.name)))


def update_profile(user: User, organisation: Organisation, changes: dict[str, Any]) -> bool:
    """Save some of the profile (one edit page's worth) and audit what changed.

    `changes` maps PROFILE_FIELDS to new values: money in pence, "wards" as ward ids, empty
    text as None. Returns whether anything changed; an unchanged save writes nothing.
    """
    policies.require(policies.can_manage_organisation(user, organisation))
    if unknown := changes.keys() - set(PROFILE_FIELDS):
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    changes = {field: (value.strip() or None) if isinstance(value, str) else value
               for field, value in changes.items()}
    if "name" in changes and changes["name"] is None:
        raise RuleBroken("Enter the name your organisation is known by", field="name")
    for field, normalise in _NORMALISE.items():
        if changes.get(field) is not None:
            try:
                changes[field] = normalise(changes[field])
            except ValueError as error:
                raise RuleBroken(str(error), field=field) from error
    # A required number may not be removed; a legal form chosen before its number is entered
    # is allowed, and shows as a gap in the profile until the number is given.
    legal_form = changes.get("legal_form", organisation.legal_form)
    for field in required_numbers(legal_form):
        if field in changes and changes[field] is None:
            raise RuleBroken(f"Enter your {NUMBER_NAMES[field]}", field=field)
    if "wards" in changes:
        changes["wards"] = list(db.session.scalars(
            select(Ward).where(Ward.id.in_(changes["wards"])).order_by(Ward.name)))

    changed = {}
    for field, new in changes.items():
        old = _json_safe(getattr(organisation, field))
        if old != _json_safe(new):
            changed[field] = [old, _json_safe(new)]
            setattr(organisation, field, new)
    if not changed:
        return False
    organisation.updated_at = utcnow()
    audit.record("organisation.profile_changed", actor=user, subject=organisation,
                 details={"changed": changed})
    db.session.commit()
    return True


def profile_gaps(organisation: Organisation) -> list[str]:
    """What the profile still lacks, in plain English, in the order the profile shows it.
    An empty list means the profile is complete (an answer of "no" or 0 counts as given)."""
    needed = [
        ("Legal name", organisation.legal_name),
        ("Legal form", organisation.legal_form),
        *((NUMBER_NAMES[field].capitalize(), getattr(organisation, field))
          for field in required_numbers(organisation.legal_form)),
        ("Registered address", organisation.address_line_1 and organisation.town
         and organisation.postcode),
        ("Income in the last accounts", organisation.annual_income_pence is not None),
        ("Number of paid staff", organisation.paid_staff is not None),
        ("Number of volunteers", organisation.volunteers is not None),
        ("Wards served", organisation.wards),
        ("Main contact", organisation.contact_name and organisation.contact_email),
        ("Whether it has a safeguarding policy",
         organisation.has_safeguarding_policy is not None),
    ]
    if organisation.has_safeguarding_policy:
        needed.append(("Date the safeguarding policy was last reviewed",
                       organisation.safeguarding_review_date))
    return [gap for gap, given in needed if not given]


def profile_snapshot(organisation: Organisation) -> dict[str, Any]:
    """The profile as plain JSON (kept with a submitted application): keys are the
    Organisation's column names; money in pence, the legal form's value, dates as ISO strings
    and wards as a list of names."""
    return {field: _json_safe(getattr(organisation, field)) for field in PROFILE_FIELDS}


def _json_safe(value: Any) -> Any:
    """A profile value as the audit log and the snapshot keep it."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list):  # the profile's only list is its wards
        return [ward.name for ward in value]
    return value
