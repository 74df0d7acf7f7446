"""Changing an active contract's terms: extending it, terminating it early, marking it ended,
and the versions of its terms those changes leave."""

from flask import flash, redirect, render_template, request, url_for

from forms.contracts import EndForm, TerminateForm, extend_form
from models.enums import Role
from portal.auth import roles_required
from portal.contracts import variations
from portal.contracts.routes import bp, contract_for, is_variation, show_broken
from portal.contracts.years import YearPlan
from portal.dates import format_date
from portal.exceptions import RuleBroken
from portal.money import format_pounds
from portal.views import current_person, show_rule_broken


@bp.post("/<int:contract_id>/end")
@roles_required(Role.COMMISSIONER)
def end(contract_id: int):
    """Mark an active contract ended once its end date has passed."""
    found = contract_for(contract_id)
    if EndForm().validate_on_submit():
        try:
            variations.end(current_person(), found)
        except RuleBroken as error:
            flash(error.message, "important")
        else:
            flash(f"Contract {found.reference} has ended.", "success")
    return redirect(url_for("contracts.contract", contract_id=found.id))


@bp.route("/<int:contract_id>/extend", methods=["GET", "POST"])
@roles_required(Role.COMMISSIONER)
def extend(contract_id: int):
    """A later end date, the money of each financial year it adds, and why."""
    found = contract_for(contract_id)
    ends_on = extend_form({}).ends_on.data if request.method == "POST" else None
    if ends_on is None:  # until a date is typed, offer a year more
        ends_on = variations.a_year_more(found)
    form = extend_form(dict(enumerate(variations.new_years(found, ends_on))),
                       data={"ends_on": ends_on} if request.method == "GET" else None)
    if is_variation(found) and form.validate_on_submit():
        try:
            variations.extend(current_person(), found, form.ends_on.data,
                              [YearPlan(*each) for each in form.year_money()],
                              form.reason.data)
        except RuleBroken as error:
            show_broken(form, error)
        else:
            flash(f"Contract {found.reference} has been extended to "
                  f"{format_date(form.ends_on.data)}.", "success")
            return redirect(url_for("contracts.contract", contract_id=found.id))
    return render_template("contracts/extend.html", contract=found, form=form)


@bp.route("/<int:contract_id>/terminate", methods=["GET", "POST"])
@roles_required(Role.COMMISSIONER)
def terminate(contract_id: int):
    """End an active contract early: the date and reason, then what it releases to the pots
    to confirm."""
    found = contract_for(contract_id)
    form, releases = TerminateForm(), None
    if is_variation(found) and form.validate_on_submit():
        try:
            if form.confirmed.data == "yes":
                released = variations.terminate(current_person(), found,
                                                 form.terminated_on.data, form.reason.data)
                flash(f"Contract {found.reference} has been terminated early and "
                      f"{format_pounds(sum(each.released_pence for each in released))} "
                      "released to the funding pots.", "success")
                return redirect(url_for("contracts.contract", contract_id=found.id))
            if form.confirmed.data != "change":  # "change" goes back to the first step
                releases = variations.termination_preview(current_person(), found,
                                                          form.terminated_on.data)
        except RuleBroken as error:
            show_rule_broken(form, error)
    return render_template("contracts/terminate.html", contract=found, form=form,
                           releases=releases)


@bp.get("/<int:contract_id>/versions")
@roles_required(Role.COMMISSIONER)
def versions(contract_id: int):
    """Each version of the contract's terms, newest first, with what it changed."""
    found = contract_for(contract_id)
    return render_template("contracts/versions.html", contract=found,
                           versions=variations.versions(current_person(), found))
