"""A contract's money: the core and external money of each year, the pots each year's money
comes from, and making a draft contract active."""

from flask import flash, redirect, render_template, request, url_for

from forms.contracts import ActivateForm, plan_years_form, year_funding_form
from models.enums import Role
from portal.auth import roles_required
from portal.contracts import money_view, years
from portal.contracts.routes import bp, contract_for, is_variation, show_broken
from portal.contracts.years import YearPlan
from portal.exceptions import RuleBroken
from portal.views import current_person


@bp.route("/<int:contract_id>/years", methods=["GET", "POST"])
@roles_required(Role.COMMISSIONER)
def plan_years(contract_id: int):
    """The core and external money of each year of the contract not yet over; for an active
    contract the change is a variation, kept as a version with its reason."""
    found = contract_for(contract_id)
    shown = money_view.contract_money(current_person(), found)
    if not shown.can_plan:
        flash(f"The money of contract {found.reference} can no longer change.", "important")
        return redirect(url_for("contracts.contract", contract_id=found.id))
    rows = {number: year.label for number, year in enumerate(shown.years) if not year.closed}
    data = None
    if request.method == "GET":
        data = {f"years-{number}-{part}": getattr(year, f"{part}_pence") if year.row else None
                for number, year in enumerate(shown.years) for part in ("core", "external")}
    form = plan_years_form(rows, is_variation(found), data=data)
    if form.validate_on_submit():
        try:
            years.plan_years(current_person(), found,
                             [YearPlan(*each) for each in form.year_money()],
                             form.reason.data or "")
        except RuleBroken as error:
            show_broken(form, error)
        else:
            flash(f"The money of contract {found.reference} has been saved.", "success")
            return redirect(url_for("contracts.contract", contract_id=found.id))
    return render_template("contracts/years_form.html", contract=found, money=shown, form=form,
                           variation=is_variation(found))


@bp.route("/<int:contract_id>/years/<year>/funding", methods=["GET", "POST"])
@roles_required(Role.COMMISSIONER)
def year_funding(contract_id: int, year: str):
    """Which of the year's pots the contract's money comes from (`year` like 2024-25)."""
    found = contract_for(contract_id)
    page = money_view.year_funding(current_person(), found, year)
    data = None
    if request.method == "GET":
        data = {f"pot_{each.pot_id}": each.amount_pence for each in page.year.funding}
    form = year_funding_form({choice.pot.id: choice.pot.name for choice in page.choices},
                             is_variation(found), data=data)
    if page.why_not is None and form.validate_on_submit():
        try:
            years.plan_years(current_person(), found, [YearPlan(
                page.year.label, page.year.core_pence, page.year.external_pence,
                form.allocations())], form.reason.data or "")
        except RuleBroken as error:
            show_broken(form, error)
            page = money_view.year_funding(current_person(), found, year)
        else:
            flash(f"The pots for {page.year.label} have been saved.", "success")
            return redirect(url_for("contracts.contract", contract_id=found.id))
    return render_template("contracts/year_funding.html", contract=found, page=page, form=form,
                           variation=is_variation(found))


@bp.route("/<int:contract_id>/activate", methods=["GET", "POST"])
@roles_required(Role.COMMISSIONER)
def activate(contract_id: int):
    """Check the contract's money, then make it active: its terms become version 1."""
    found = contract_for(contract_id)
    form = ActivateForm()
    if form.validate_on_submit():
        try:
            years.activate(current_person(), found)
        except RuleBroken as error:
            flash(error.message, "important")
        else:
            flash(f"Contract {found.reference} is now active.", "success")
        return redirect(url_for("contracts.contract", contract_id=found.id))
    return render_template("contracts/activate.html", contract=found,
                           money=money_view.contract_money(current_person(), found), form=form)
