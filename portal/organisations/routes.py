"""Applicants' organisations: create one, see its members and profile, invite people, accept
invitations, and edit the profile."""

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import login_required

from forms.base import ConfirmForm
from forms.organisations import (
    InviteMemberForm,
    OrganisationForm,
    ProfileAddressForm,
    ProfileContactForm,
    ProfileForm,
    ProfileNamesForm,
    ProfileRegistrationForm,
    ProfileSafeguardingForm,
    ProfileSizeForm,
    ProfileWardsForm,
)
from models import Organisation
from models.enums import OrganisationRole, Role
from portal import policies
from portal.auth import roles_required
from portal.exceptions import NotAllowed, RuleBroken
from portal.organisations import services
from portal.views import current_person, show_rule_broken

bp = Blueprint("organisations", __name__, url_prefix="/organisations")


def _load(organisation_id: int):
    try:
        return services.get_organisation(current_person(), organisation_id)
    except NotAllowed:
        abort(403)


@bp.get("/")
@roles_required(Role.APPLICANT)
def index():
    """The organisations the applicant belongs to."""
    return render_template("organisations/index.html",
                           memberships=services.organisations_of(current_person()))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.APPLICANT)
def create():
    form = OrganisationForm()
    if form.validate_on_submit():
        organisation = services.create_organisation(current_person(), form.name.data)
        flash(f"{organisation.name} has been created. You are its organisation admin.", "success")
        return redirect(url_for("organisations.show", organisation_id=organisation.id))
    return render_template("organisations/create.html", form=form)


@bp.get("/<int:organisation_id>")
@login_required
def show(organisation_id: int):
    organisation = _load(organisation_id)
    can_manage = policies.can_manage_organisation(current_person(), organisation)
    return render_template(
        "organisations/show.html", organisation=organisation, can_manage=can_manage,
        invitations=services.pending_invitations(organisation) if can_manage else [],
        gaps=services.profile_gaps(organisation))


@bp.route("/<int:organisation_id>/invite", methods=["GET", "POST"])
@login_required
def invite(organisation_id: int):
    organisation = _load(organisation_id)
    if not policies.can_manage_organisation(current_person(), organisation):
        abort(403)
    form = InviteMemberForm()
    if form.validate_on_submit():
        try:
            services.invite_member(current_person(), organisation, form.email.data,
                                   OrganisationRole(form.role.data))
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"Invitation sent to {form.email.data}.", "success")
            return redirect(url_for("organisations.show", organisation_id=organisation.id))
    return render_template("organisations/invite.html", form=form, organisation=organisation)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@login_required
def accept_invitation(token: str):
    """The invited person, signed in with the invited address, joins the organisation."""
    try:
        invitation = services.open_invitation(token)
    except RuleBroken as error:
        return render_template("accounts/link_invalid.html", message=error.message), 400
    form = ConfirmForm()
    error_message = None
    if form.validate_on_submit():
        try:
            organisation = services.accept_invitation(current_person(), token)
        except RuleBroken as error:
            error_message = error.message
        else:
            flash(f"You have joined {organisation.name}.", "success")
            return redirect(url_for("organisations.show", organisation_id=organisation.id))
    return render_template("organisations/accept_invitation.html", invitation=invitation,
                           form=form, error_message=error_message)


# The organisation profile: a short page for each part, each saved on its own -------------


def _edit_profile(organisation_id: int, form_class: type[ProfileForm], template: str,
                  context: Callable[[Organisation], dict] = lambda organisation: {}):
    """Show one profile page filled from the organisation; save it and return to the
    organisation's page. Only its organisation admins may. `context` gives the page more."""
    organisation = _load(organisation_id)
    if not policies.can_manage_organisation(current_person(), organisation):
        abort(403)
    extra = context(organisation)
    form = form_class(data=form_class.initial(organisation))
    if "wards" in extra:
        form.wards.choices = [(ward.id, ward.name) for ward in extra["wards"]]
    if form.validate_on_submit():
        try:
            changed = services.update_profile(current_person(), organisation, form.changes())
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            if changed:
                flash("Your organisation’s profile has been updated.", "success")
            return redirect(url_for("organisations.show", organisation_id=organisation.id))
    return render_template(f"organisations/profile/{template}", form=form,
                           organisation=organisation, **extra)


@bp.route("/<int:organisation_id>/profile/names", methods=["GET", "POST"])
@login_required
def profile_names(organisation_id: int):
    """Legal name, the name it is known by, and legal form."""
    return _edit_profile(organisation_id, ProfileNamesForm, "names.html")


@bp.route("/<int:organisation_id>/profile/registration", methods=["GET", "POST"])
@login_required
def profile_registration(organisation_id: int):
    """Charity and company numbers; the page says which the legal form must give."""
    return _edit_profile(
        organisation_id, ProfileRegistrationForm, "registration.html",
        lambda organisation: {"required": services.required_numbers(organisation.legal_form)})


@bp.route("/<int:organisation_id>/profile/address", methods=["GET", "POST"])
@login_required
def profile_address(organisation_id: int):
    """The registered address."""
    return _edit_profile(organisation_id, ProfileAddressForm, "address.html")


@bp.route("/<int:organisation_id>/profile/size", methods=["GET", "POST"])
@login_required
def profile_size(organisation_id: int):
    """Income in the last accounts, paid staff and volunteers."""
    return _edit_profile(organisation_id, ProfileSizeForm, "size.html")


@bp.route("/<int:organisation_id>/profile/wards", methods=["GET", "POST"])
@login_required
def profile_wards(organisation_id: int):
    """The wards it serves, as checkboxes grouped by locality."""
    return _edit_profile(organisation_id, ProfileWardsForm, "wards.html",
                         lambda organisation: {"wards": services.all_wards()})


@bp.route("/<int:organisation_id>/profile/contact", methods=["GET", "POST"])
@login_required
def profile_contact(organisation_id: int):
    """The main contact: name, email address, telephone number."""
    return _edit_profile(organisation_id, ProfileContactForm, "contact.html")


@bp.route("/<int:organisation_id>/profile/safeguarding", methods=["GET", "POST"])
@login_required
def profile_safeguarding(organisation_id: int):
    """Whether it has a safeguarding policy, and when it was last reviewed."""
    return _edit_profile(organisation_id, ProfileSafeguardingForm, "safeguarding.html")
