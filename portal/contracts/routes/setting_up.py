"""Setting up: the programmes, a programme's contracts, and creating and changing both."""

from flask import flash, redirect, render_template, request, url_for

from forms.contracts import (
    ContractForm,
    EndForm,
    ProgrammeForm,
    contract_form_data,
    programme_form_data,
)
from models.enums import Role
from portal.auth import roles_required
from portal.contracts import money_view, services
from portal.contracts.routes import bp, contract_for, programme_for
from portal.exceptions import RuleBroken
from portal.financial_years import labels_spanning
from portal.reporting import services as reporting
from portal.views import current_person, page_number, show_rule_broken


@bp.get("/")
@roles_required(Role.COMMISSIONER)
def programmes():
    return render_template("contracts/programmes.html",
                           rows=services.programmes(current_person()),
                           schemes=reporting.schemes(current_person()))


def _programme_form_page(form: ProgrammeForm, programme):
    return render_template("contracts/programme_form.html", form=form, programme=programme)


@bp.route("/programmes/new", methods=["GET", "POST"])
@roles_required(Role.COMMISSIONER)
def new_programme():
    form = ProgrammeForm(data=programme_form_data(None))
    if form.validate_on_submit():
        try:
            programme = services.create_programme(current_person(), form.details())
        except RuleBroken as error:
            form.show_rule_broken(error)
        else:
            flash(f"{programme.name} has been created.", "success")
            return redirect(url_for("contracts.programme", programme_id=programme.id))
    return _programme_form_page(form, None)


@bp.get("/programmes/<int:programme_id>")
@roles_required(Role.COMMISSIONER)
def programme(programme_id: int):
    """The programme's yearly core targets and its contracts, 25 a page."""
    found = programme_for(programme_id)
    return render_template("contracts/programme.html", programme=found,
                           contracts=services.contracts_page(current_person(), found,
                                                             page_number()))


@bp.route("/programmes/<int:programme_id>/edit", methods=["GET", "POST"])
@roles_required(Role.COMMISSIONER)
def edit_programme(programme_id: int):
    found = programme_for(programme_id)
    form = ProgrammeForm(data=programme_form_data(found))
    if form.validate_on_submit():
        try:
            services.update_programme(current_person(), found, form.details())
        except RuleBroken as error:
            form.show_rule_broken(error)
        else:
            flash(f"{found.name} has been saved.", "success")
            return redirect(url_for("contracts.programme", programme_id=found.id))
    return _programme_form_page(form, found)


def _contract_form_page(form: ContractForm, programme, contract):
    return render_template("contracts/contract_form.html", form=form, programme=programme,
                           contract=contract)


@bp.route("/programmes/<int:programme_id>/contracts/new", methods=["GET", "POST"])
@roles_required(Role.COMMISSIONER)
def new_contract(programme_id: int):
    """A draft contract in the programme."""
    found = programme_for(programme_id)
    form = ContractForm(choices=services.contract_choices(current_person()))
    if form.validate_on_submit():
        try:
            contract = services.create_contract(current_person(), found, form.details())
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"Contract {contract.reference} has been created as a draft.", "success")
            return redirect(url_for("contracts.contract", contract_id=contract.id))
    return _contract_form_page(form, found, None)


@bp.get("/<int:contract_id>")
@roles_required(Role.COMMISSIONER)
def contract(contract_id: int):
    found = contract_for(contract_id)
    return render_template("contracts/contract.html", contract=found,
                           years=labels_spanning(found.starts_on, found.ends_on),
                           changeable=services.is_changeable(found),
                           money=money_view.contract_money(current_person(), found),
                           end_form=EndForm())


@bp.route("/<int:contract_id>/edit", methods=["GET", "POST"])
@roles_required(Role.COMMISSIONER)
def edit_contract(contract_id: int):
    """Change a draft contract's details."""
    found = contract_for(contract_id)
    if request.method == "GET" and not services.is_changeable(found):
        flash(services.not_changeable_message(found), "important")
        return redirect(url_for("contracts.contract", contract_id=found.id))
    form = ContractForm(choices=services.contract_choices(current_person()),
                        data=contract_form_data(found))
    if form.validate_on_submit():
        try:
            services.update_contract(current_person(), found, form.details())
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"Contract {found.reference} has been saved.", "success")
            return redirect(url_for("contracts.contract", contract_id=found.id))
    return _contract_form_page(form, found.programme, found)
