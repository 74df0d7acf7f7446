"""The admin area: people and their roles, staff invitations and the audit log."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from wtforms import SelectChoice

from forms.admin import (
    AuditFilterForm,
    PartnerStaffInvitationForm,
    StaffInvitationForm,
    StaffRolesForm,
)
from forms.base import ConfirmForm, without_control_characters
from models.enums import STAFF_ROLES, Role
from portal.admin import services
from portal.auth import roles_required
from portal.exceptions import RuleBroken
from portal.reminders import sent as sent_reminders
from portal.views import current_person, page_number, show_rule_broken

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
@roles_required(Role.ADMIN)
def users():
    search = without_control_characters(request.args.get("q", "")).strip()[:254]
    return render_template("admin/users.html", search=search,
                           pagination=services.users_page(page_number(), search=search))


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user(user_id: int):
    person = services.find_user(current_person(), user_id)
    form = StaffRolesForm(data={"roles": [r.value for r in STAFF_ROLES if r in person.roles]})
    if form.validate_on_submit():
        try:
            services.set_staff_roles(current_person(), person, [Role(v) for v in form.roles.data])
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"Roles saved for {person.full_name}.", "success")
            return redirect(url_for("admin.user", user_id=person.id))
    return render_template("admin/user.html", person=person, form=form)


@bp.post("/users/<int:user_id>/reset-authenticator")
@roles_required(Role.ADMIN)
def reset_authenticator(user_id: int):
    person = services.find_user(current_person(), user_id)
    if ConfirmForm().validate_on_submit():
        services.reset_authenticator(current_person(), person)
        flash(f"{person.full_name}’s authenticator app has been reset. They will set up a new "
              "one when they next sign in.", "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.route("/invitations/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def invite_staff():
    return _invitation_page(StaffInvitationForm(), "admin/invite_staff.html", lambda form: (
        services.invite_staff(current_person(), form.email.data, form.full_name.data,
                              [Role(value) for value in form.roles.data])))


@bp.route("/invitations/new-partner", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def invite_partner_staff():
    """Invite a funding partner's member of staff to read their partner's pages."""
    form = PartnerStaffInvitationForm()
    form.partner.choices = [SelectChoice(partner.id, partner.name)
                            for partner in services.partner_choices(current_person())]
    return _invitation_page(form, "admin/invite_partner_staff.html", lambda form: (
        services.invite_partner_staff(current_person(), form.email.data,
                                      form.full_name.data, form.partner.data)))


def _invitation_page(form, template: str, invite):
    """Send the invitation (`invite(form)`) once the form is valid; else show the form."""
    if form.validate_on_submit():
        try:
            invite(form)
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"Invitation sent to {form.email.data}.", "success")
            return redirect(url_for("admin.users"))
    return render_template(template, form=form)


@bp.get("/audit")
@roles_required(Role.ADMIN)
def audit_log():
    """The audit log, newest first, filtered by action, person and dates."""
    form = AuditFilterForm(request.args)
    form.action.choices = [SelectChoice("", "Any action")] + [
        SelectChoice(action) for action in services.audit_actions()]
    filters = {}
    if request.args and form.validate():
        filters = {"action": form.action.data or "", "actor_email": form.actor.data or "",
                   "date_from": form.date_from.data, "date_to": form.date_to.data}
    pagination = services.audit_page(current_person(), page=page_number(), **filters)
    return render_template("admin/audit.html", form=form, pagination=pagination)


@bp.get("/reminders")
@roles_required(Role.GRANTS_OFFICER, Role.COMMISSIONER, Role.ADMIN)
def reminders():
    """The reminders the daily run has sent: what, to whom and when, newest first."""
    return render_template("admin/reminders.html",
                           pagination=sent_reminders(current_person(), page_number()))

