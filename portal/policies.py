"""Named permission policies, used by services, route decorators and templates alike."""

from models import (
    Application,
    Assignment,
    Award,
    Contract,
    FundingPartner,
    Membership,
    Organisation,
    User,
)
from models.enums import ApplicationStatus, ConflictDeclaration, OrganisationRole, Role
from portal.exceptions import NotAllowed


def require(allowed: bool) -> None:
    """Refuse (the 403 page) unless a policy allows: `require(can_make_awards(user))`."""
    if not allowed:
        raise NotAllowed


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
    see only the applications assigned to them, in the scoring area (can_score)."""
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


# Assessment and decisions -----------------------------------------------------------------


def can_check_due_diligence(user: User | None) -> bool:
    """Grants officers check eligibility and due diligence and ask for clarification."""
    return _signed_in(user) and user.has_role(Role.GRANTS_OFFICER)


def can_assign_assessors(user: User | None) -> bool:
    return _signed_in(user) and user.has_role(Role.GRANTS_OFFICER)


def can_moderate(user: User | None) -> bool:
    return _signed_in(user) and user.has_role(Role.GRANTS_OFFICER)


def can_record_decision(user: User | None) -> bool:
    """Grants officers record decisions, including those a panel or Cabinet made; the
    decisions service refuses a key decision under an officer's delegated authority."""
    return _signed_in(user) and user.has_role(Role.GRANTS_OFFICER)


def is_assessor(user: User | None) -> bool:
    return _signed_in(user) and user.has_role(Role.ASSESSOR)


def is_assigned(user: User | None, assignment: Assignment) -> bool:
    """The assessor the assignment is for, while it stands (no declared conflict)."""
    return (_signed_in(user) and user.has_role(Role.ASSESSOR)
            and assignment.assessor_id == user.id and assignment.active)


def can_read_assigned_application(user: User | None, assignment: Assignment) -> bool:
    """An assessor sees the application in full only after declaring no conflict of interest."""
    return (is_assigned(user, assignment)
            and assignment.declaration is ConflictDeclaration.NO_CONFLICT)


def can_score(user: User | None, assignment: Assignment) -> bool:
    """Scoring is open while the application is being assessed."""
    return (can_read_assigned_application(user, assignment)
            and assignment.application.status is ApplicationStatus.UNDER_ASSESSMENT)


# Funding ----------------------------------------------------------------------------------


def can_view_funding(user: User | None) -> bool:
    """The council staff who spend from the pots, and admins, see pots and their ledgers."""
    return _signed_in(user) and user.has_role(Role.GRANTS_OFFICER, Role.COMMISSIONER, Role.ADMIN)


def can_manage_funding_pots(user: User | None) -> bool:
    """Admins and grants officers set up pots and change their budgets."""
    return _signed_in(user) and user.has_role(Role.GRANTS_OFFICER, Role.ADMIN)


def can_make_awards(user: User | None) -> bool:
    """Grants officers turn approved decisions into award offers paid from the pots."""
    return _signed_in(user) and user.has_role(Role.GRANTS_OFFICER)


def can_pay_awards(user: User | None) -> bool:
    """Grants officers record payments against awards and money recovered."""
    return can_make_awards(user)


def can_vary_awards(user: User | None) -> bool:
    """Grants officers vary an award's amount, dates, allocation or schedule."""
    return can_make_awards(user)


def can_read_award_letters(user: User | None, award: Award) -> bool:
    """An award's letters go to its organisation's members and to the grants officers and
    admins, and to no one else."""
    return (_signed_in(user) and user.has_role(Role.GRANTS_OFFICER, Role.ADMIN)) \
        or can_view_offer(user, award)


def can_answer_offer(user: User | None, award: Award) -> bool:
    """Only the organisation's admins accept or decline an award offer for it."""
    return can_manage_organisation(user, award.application.organisation)


def can_view_offer(user: User | None, award: Award) -> bool:
    """The organisation's members see its offers; officers see them in their own pages."""
    return membership_of(user, award.application.organisation) is not None


def can_send_grant_return(user: User | None, award: Award) -> bool:
    """The organisation's members write and send the monitoring returns of its awards."""
    return membership_of(user, award.application.organisation) is not None


def can_review_grant_returns(user: User | None) -> bool:
    """Grants officers accept or query the monitoring returns of awards."""
    return can_make_awards(user)


def can_view_grant_return(user: User | None, award: Award) -> bool:
    return can_review_grant_returns(user) or can_send_grant_return(user, award)


def can_view_reminders(user: User | None) -> bool:
    """The staff whose work the reminders chase see what was sent: grants officers,
    commissioners and admins."""
    return _signed_in(user) and user.has_role(Role.GRANTS_OFFICER, Role.COMMISSIONER,
                                              Role.ADMIN)


def can_commission(user: User | None) -> bool:
    """Commissioners run programmes and contracts: tapers, scenarios, payments, variations and
    the review of monitoring returns."""
    return _signed_in(user) and user.has_role(Role.COMMISSIONER)


def can_view_taper(user: User | None) -> bool:
    """The taper dashboards of grant schemes, and funding by place, are for the
    commissioners and grants officers who plan core and external money; an admin sees them
    only with one of those roles."""
    return _signed_in(user) and user.has_role(Role.COMMISSIONER, Role.GRANTS_OFFICER)


def can_view_contract(user: User | None, contract: Contract) -> bool:
    """A contract is seen by the commissioners and by its provider's members, no one else."""
    return can_commission(user) or membership_of(user, contract.provider) is not None


def can_submit_return(user: User | None, contract: Contract) -> bool:
    """The provider's members send its monitoring returns."""
    return membership_of(user, contract.provider) is not None


# Open data ----------------------------------------------------------------------------------


def can_publish_open_data(user: User | None) -> bool:
    """Grants officers review and approve what the council publishes about its grants, and
    withhold a grant from publication, with a reason."""
    return _signed_in(user) and user.has_role(Role.GRANTS_OFFICER)


# Funding partners ---------------------------------------------------------------------------


def is_partner_staff(user: User | None) -> bool:
    """A funding partner's member of staff, signed in, who works for a partner."""
    return (_signed_in(user) and user.has_role(Role.FUNDING_PARTNER)
            and user.partner_id is not None)


def can_view_partner(user: User | None, partner: FundingPartner) -> bool:
    """A partner's own staff see its pages, and no other partner's; the grants officers,
    commissioners and admins who spend and set up the pots see every partner's, read-only."""
    if is_partner_staff(user) and user.partner_id == partner.id:
        return True
    return can_view_funding(user)
