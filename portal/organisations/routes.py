"""Applicants' organisations: create one, see its members, invite people, accept invitations."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from forms.accounts import ConfirmForm
from forms.organisations import InviteMemberForm, OrganisationForm
from models.enums import OrganisationRole, Role
from portal import policies
from portal.auth import roles_required
from portal.exceptions import NotAllowed, RuleBroken
from portal.organisations import services
from portal.views import show_rule_broken

bp = Blueprint("organisations", __name__, url_prefix="/organisations")


def _user():
    return current_user._get_current_object()


def _load(organisation_id: int):
    try:
        return services.get_organisation(_user(), organisation_id)
    except NotAllowed:
        abort(403)


@bp.get("/")
@roles_required(Role.APPLICANT)
def index():
    """The organisations the applicant belongs to."""
    return render_template("organisations/index.html",
                           memberships=services.organisations_of(_user()))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.APPLICANT)
def create():
    form = OrganisationForm()
    if form.validate_on_submit():
        organisation = services.create_organisation(_user(), form.name.data)
        flash(f"{organisation.name} has been created. You are its organisation admin.", "success")
        return redirect(url_for("organisations.show", organisation_id=organisation.id))
    return render_template("organisations/create.html", form=form)


@bp.get("/<int:organisation_id>")
@login_required
def show(organisation_id: int):
    organisation = _load(organisation_id)
    can_manage = policies.can_manage_organisation(_user(), organisation)
    return render_template(
        "organisations/show.html", organisation=organisation, can_manage=can_manage,
        invitations=services.pending_invitations(organisation) if can_manage else [])


@bp.route("/<int:organisation_id>/invite", methods=["GET", "POST"])
@login_required
def invite(organisation_id: int):
    organisation = _load(organisation_id)
    if not policies.can_manage_organisation(_user(), organisation):
        abort(403)
    form = InviteMemberForm()
    if form.validate_on_submit():
        try:
            services.invite_member(_user(), organisation, form.email.data,
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
            organisation = services.accept_invitation(_user(), token)
        except RuleBroken as error:
            error_message = error.message
        else:
            flash(f"You have joined {organisation.name}.", "success")
            return redirect(url_for("organisations.show", organisation_id=organisation.id))
    return render_template("organisations/accept_invitation.html", invitation=invitation,
                           form=form, error_message=error_message)
