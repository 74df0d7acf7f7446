"""Monitoring returns of awards: the organisation writes a return, adds evidence of spending,
checks its answers and sends it; a grants officer accepts or queries it, and lists the
returns to review, overdue or queried, and the closed awards."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from forms.awards import (
    ReturnReviewForm,
    SendReturnForm,
    evidence_form,
    grant_return_data,
    grant_return_form,
)
from models.base import utcnow
from models.enums import GrantReturnStatus, Role
from portal import policies
from portal.auth import roles_required
from portal.awards import lifecycle, returns
from portal.awards.routes import bp
from portal.dates import to_london
from portal.documents.services import max_file_bytes
from portal.exceptions import RuleBroken
from portal.views import (
    allow_room_for_the_form,
    current_person,
    page_number,
    send_upload,
    show_rule_broken,
)


@bp.url_value_preprocessor
def _allow_room_for_the_upload_form(endpoint: str | None, values: dict | None) -> None:
    if endpoint == "awards.return_evidence" and request.method == "POST":
        allow_room_for_the_form(max_file_bytes())


def _today():
    return to_london(utcnow()).date()


def _to_return(grant_return_id: int, message: str, category: str = "success"):
    flash(message, category)
    return redirect(url_for("awards.grant_return", grant_return_id=grant_return_id))


def _writable(grant_return_id: int):
    """The return, for a member of its organisation, if it may still be changed."""
    try:
        return returns.writable(current_person(), grant_return_id)
    except RuleBroken as error:
        abort(_to_return(grant_return_id, error.message, "important"))


def _return_page(found, form):
    return render_template(
        "awards/grant_return.html", found=found, form=form,
        row=returns.ReturnRow(found, lifecycle.is_overdue(found, _today())),
        queried=found.status is GrantReturnStatus.QUERIED,
        can_write=lifecycle.may_write(found)
        and policies.can_send_grant_return(current_person(), found.award),
        can_review=lifecycle.may_review_return(found)
        and policies.can_review_grant_returns(current_person()))


# The organisation's side ---------------------------------------------------------------------


@bp.get("/returns/<int:grant_return_id>")
@login_required
def grant_return(grant_return_id: int):
    """A return: its answers and evidence, its review, and what can be done next."""
    return _return_page(returns.get_return(current_person(), grant_return_id), ReturnReviewForm())


@bp.route("/returns/<int:grant_return_id>/answers", methods=["GET", "POST"])
@login_required
def write_return(grant_return_id: int):
    """The return's questions; saving them leads to checking the answers."""
    found = _writable(grant_return_id)
    form = (grant_return_form(found) if request.method == "POST"
            else grant_return_form(found, data=grant_return_data(found)))
    if form.validate_on_submit():
        try:
            returns.save_answers(current_person(), grant_return_id, form.answers(), utcnow())
        except RuleBroken as error:
            show_rule_broken(form, error, form.field_for(error.field))
        else:
            return redirect(url_for("awards.check_return", grant_return_id=grant_return_id))
    return render_template("awards/grant_return_form.html", found=found, form=form)


@bp.route("/returns/<int:grant_return_id>/check", methods=["GET", "POST"])
@login_required
def check_return(grant_return_id: int):
    """The answers to check, with links to change them, and sending the return."""
    found = _writable(grant_return_id)
    if not found.has_answers:
        return redirect(url_for("awards.write_return", grant_return_id=grant_return_id))
    form = SendReturnForm()
    if form.validate_on_submit():
        try:
            returns.submit(current_person(), grant_return_id, form.query_answer.data or "",
                           utcnow())
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            return _to_return(grant_return_id, f"Your return {found.title} has been sent.")
    return render_template("awards/check_grant_return.html", found=found, form=form)


@bp.route("/returns/<int:grant_return_id>/evidence", methods=["GET", "POST"])
@login_required
def return_evidence(grant_return_id: int):
    """The files of evidence of spending sent with the return, and adding one."""
    found = _writable(grant_return_id)
    form = evidence_form(found, max_file_bytes() // 2**20)
    if form.validate_on_submit():
        try:
            added = returns.upload_evidence(current_person(), grant_return_id, form.cost_line.data,
                                            form.file.data.filename or "", form.file.data.stream)
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"{added.original_filename} has been added.", "success")
            return redirect(url_for("awards.return_evidence", grant_return_id=grant_return_id))
    return render_template("awards/return_evidence.html", found=found, form=form)


@bp.post("/returns/<int:grant_return_id>/evidence/<int:evidence_id>/remove")
@login_required
def remove_evidence(grant_return_id: int, evidence_id: int):
    try:
        name = returns.remove_evidence(current_person(), grant_return_id, evidence_id)
    except RuleBroken as error:
        return _to_return(grant_return_id, error.message, "important")
    flash(f"{name} has been removed.", "success")
    return redirect(url_for("awards.return_evidence", grant_return_id=grant_return_id))


@bp.get("/returns/<int:grant_return_id>/evidence/<int:evidence_id>")
@login_required
def evidence_file(grant_return_id: int, evidence_id: int):
    """A file of evidence, for the organisation's members and the grants officers."""
    found, data = returns.get_evidence(current_person(), grant_return_id, evidence_id)
    return send_upload(data, found.content_type, found.original_filename,
                       f"return evidence {found.id}")


# The grants officers' side -------------------------------------------------------------------


@bp.post("/returns/<int:grant_return_id>/review")
@roles_required(Role.GRANTS_OFFICER)
def review_return(grant_return_id: int):
    """Accept the return, or query it with a note."""
    form = ReturnReviewForm()
    if form.validate_on_submit():
        try:
            reviewed = returns.review(current_person(), grant_return_id, form.review(), utcnow())
        except RuleBroken as error:
            if error.field is None:  # reviewed already: the form is no longer shown
                return _to_return(grant_return_id, error.message, "important")
            show_rule_broken(form, error)
        else:
            return _to_return(grant_return_id, f"The return has been {reviewed.status.value}.")
    return _return_page(returns.get_return(current_person(), grant_return_id), form)


@bp.get("/returns")
@roles_required(Role.GRANTS_OFFICER)
def grant_returns():
    """Returns to review, overdue or queried (?show=), 25 a page."""
    try:
        show = returns.Show(request.args.get("show", returns.Show.TO_REVIEW))
    except ValueError:
        show = returns.Show.TO_REVIEW
    found = returns.officers_list(current_person(), show, page_number(), _today())
    return render_template("awards/grant_returns.html", found=found, show=show,
                           counts=returns.counts(current_person(), _today()))


@bp.get("/closed")
@roles_required(Role.GRANTS_OFFICER)
def closed_awards():
    """Closed awards, the most recently closed first, 25 a page."""
    return render_template("awards/closed_awards.html", show="closed",
                           found=returns.closed_awards(current_person(), page_number()),
                           counts=returns.counts(current_person(), _today()))
