"""Community Anchor programmes and their contracts, for commissioners."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from forms.contracts import (
    TAPER_FIELDS,
    ActivateForm,
    ApplyScenarioForm,
    ApplyTaperForm,
    CompareScenariosForm,
    ContractDocumentForm,
    ContractForm,
    DeleteScenarioForm,
    EndForm,
    ProgrammeForm,
    SaveScenarioForm,
    TaperForm,
    TerminateForm,
    contract_form_data,
    extend_form,
    plan_years_form,
    programme_form_data,
    taper_query,
    year_funding_form,
)
from forms.funding import payment_form
from models.base import utcnow
from models.enums import ContractStatus, Role
from portal.auth import roles_required
from portal.contracts import (
    documents,
    money_view,
    payments,
    programme_taper,
    scenarios,
    services,
    variations,
    years,
)
from portal.contracts.years import YearPlan
from portal.dates import format_date
from portal.documents.services import max_file_bytes
from portal.exceptions import RuleBroken
from portal.financial_years import labels_spanning
from portal.money import format_pounds
from portal.reporting import services as reporting
from portal.views import (
    allow_room_for_the_form,
    current_person,
    page_number,
    send_upload,
    show_rule_broken,
)

bp = Blueprint("contracts", __name__, url_prefix="/contracts")


def _programme(programme_id: int):
    return services.get_programme(current_person(), programme_id)


def _contract(contract_id: int):
    return services.get_contract(current_person(), contract_id)


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
    found = _programme(programme_id)
    return render_template("contracts/programme.html", programme=found,
                           contracts=services.contracts_page(current_person(), found,
                                                             page_number()))


@bp.route("/programmes/<int:programme_id>/edit", methods=["GET", "POST"])
@roles_required(Role.COMMISSIONER)
def edit_programme(programme_id: int):
    found = _programme(programme_id)
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
    found = _programme(programme_id)
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
    found = _contract(contract_id)
    return render_template("contracts/contract.html", contract=found,
                           years=labels_spanning(found.starts_on, found.ends_on),
                           changeable=services.is_changeable(found),
                           money=money_view.contract_money(current_person(), found),
                           end_form=EndForm())


@bp.route("/<int:contract_id>/edit", methods=["GET", "POST"])
@roles_required(Role.COMMISSIONER)
def edit_contract(contract_id: int):
    """Change a draft contract's details."""
    found = _contract(contract_id)
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


# Payments ------------------------------------------------------------------------------------


def _payments(contract_id: int) -> payments.PaymentsView:
    return payments.payments_view(current_person(), _contract(contract_id), utcnow())


@bp.get("/<int:contract_id>/payments", endpoint="payments")
@roles_required(Role.COMMISSIONER)
def contract_payments(contract_id: int):
    """The contract's quarterly schedule with what has been paid of each instalment, its
    payments and their pots, and the totals."""
    return render_template("contracts/payments.html", view=_payments(contract_id))


@bp.route("/<int:contract_id>/payments/new", methods=["GET", "POST"])
@roles_required(Role.COMMISSIONER)
def record_payment(contract_id: int):
    """Record a payment made against one of the contract's instalments; ?instalment=<id>
    chooses the instalment and fills in what is left of it."""
    view = _payments(contract_id)
    chosen = view.to_pay(request.args.get("instalment", type=int))
    form = payment_form([(row.instalment.id, row.choice) for row in view.unpaid_rows], data={
        "instalment": chosen and chosen.instalment.id, "paid_on": view.today,
        "amount": chosen and (chosen.payable_pence or chosen.left_pence)})
    if view.can_pay and form.validate_on_submit():
        try:
            payments.record_payment(current_person(), contract_id, payments.PaymentDetails(
                instalment_id=form.instalment.data, paid_on=form.paid_on.data,
                amount_pence=form.amount.data, reference=form.reference.data), utcnow())
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"The payment of {format_pounds(form.amount.data)} has been recorded.",
                  "success")
            return redirect(url_for("contracts.payments", contract_id=contract_id))
    return render_template("contracts/payment_form.html", view=view, form=form)


# Taper pages and what-if scenarios -----------------------------------------------------------


def _taper_years(programme) -> list[str]:
    """The programme's years a taper covers; none until it has its core targets."""
    try:
        return programme_taper.taper_years(programme)
    except RuleBroken:
        return []


def _taper_form_page(programme, form: TaperForm):
    return render_template("contracts/taper_form.html", programme=programme, form=form,
                           years=form.years)


def _preview_page(programme, taper_form: TaperForm, *, apply_form=None, scenario_form=None):
    """The preview of the taper in `taper_form`, with the forms to apply it or save it as a
    scenario (one may carry a refusal); the taper form when the rule itself is refused."""
    try:
        result = programme_taper.preview(current_person(), programme, taper_form.taper())
    except RuleBroken as error:
        taper_form.show_rule_broken(error)
        return _taper_form_page(programme, taper_form)
    years = taper_form.years
    apply_form = apply_form or ApplyTaperForm(formdata=None, years=years)
    scenario_form = scenario_form or SaveScenarioForm(formdata=None, years=years)
    shown = next((each for each in (apply_form, scenario_form) if each.errors), None)
    return render_template("contracts/taper_preview.html", programme=programme, preview=result,
                           targets=scenarios.core_targets(programme),
                           description=scenarios.described(result.taper),
                           carried=taper_form.carried(), apply_form=apply_form,
                           scenario_form=scenario_form, form=shown)


@bp.route("/programmes/<int:programme_id>/taper", methods=["GET", "POST"])
@roles_required(Role.COMMISSIONER)
def taper(programme_id: int):
    """Choose how the programme's core and total funding fall, then preview the effect on every
    year and contract. A GET may carry a taper in its query to fill the form in again; neither
    writes anything."""
    found = _programme(programme_id)
    posted = request.method == "POST"
    form = TaperForm(formdata=request.form if posted else (request.args or None),
                     years=_taper_years(found))
    if posted and form.years and form.validate():
        return _preview_page(found, form)
    return _taper_form_page(found, form)


def _show_refusal(form: TaperForm, error: RuleBroken, beside: str) -> None:
    """A refusal of the preview's next step: beside the taper's own box when it is about the
    rule, otherwise beside the step's box (`beside`)."""
    if error.field in TAPER_FIELDS:
        form.show_rule_broken(error)
    else:
        show_rule_broken(form, error, beside)


def _next_step_refused(programme, form: TaperForm, **forms):
    """The taper form when the carried taper is refused; the preview otherwise."""
    if form.taper_refused():
        return _taper_form_page(programme, form)
    return _preview_page(programme, form, **forms)


def _how_many_contracts(count: int) -> str:
    return f"{count} contract{'' if count == 1 else 's'}"


@bp.post("/programmes/<int:programme_id>/taper/apply")
@roles_required(Role.COMMISSIONER)
def apply_taper(programme_id: int):
    """Apply the previewed taper to every contract taking part, all or nothing."""
    found = _programme(programme_id)
    form = ApplyTaperForm(years=_taper_years(found))
    if form.validate_on_submit():
        try:
            result = programme_taper.apply(current_person(), found, form.taper(), form.reason.data)
        except RuleBroken as error:
            _show_refusal(form, error, "reason")
        else:
            flash(f"The taper has been applied to {_how_many_contracts(len(result.contracts))}.",
                  "success")
            return redirect(url_for("contracts.programme", programme_id=found.id))
    return _next_step_refused(found, form, apply_form=form)


@bp.post("/programmes/<int:programme_id>/scenarios/new")
@roles_required(Role.COMMISSIONER)
def save_scenario(programme_id: int):
    """Save the previewed taper as a named what-if scenario."""
    found = _programme(programme_id)
    form = SaveScenarioForm(years=_taper_years(found))
    if form.validate_on_submit():
        try:
            scenario = scenarios.save(current_person(), found, form.name.data, form.taper())
        except RuleBroken as error:
            _show_refusal(form, error, "name")
        else:
            flash(f"The scenario {scenario.name} has been saved.", "success")
            return redirect(url_for("contracts.scenario", programme_id=found.id,
                                    scenario_id=scenario.id))
    return _next_step_refused(found, form, scenario_form=form)


def _scenario(programme, scenario_id: int):
    return scenarios.get_scenario(current_person(), programme, scenario_id)


def _scenarios_page(programme, form: CompareScenariosForm, saved):
    rows = [(each, scenarios.described(scenarios.taper_of(each))) for each in saved]
    return render_template("contracts/scenarios.html", programme=programme, rows=rows,
                           compare_form=form, form=form if form.errors else None)


@bp.get("/programmes/<int:programme_id>/scenarios", endpoint="scenarios")
@roles_required(Role.COMMISSIONER)
def scenarios_list(programme_id: int):
    """The programme's saved scenarios, and a choice of two to compare."""
    found = _programme(programme_id)
    saved = scenarios.scenarios(current_person(), found)
    return _scenarios_page(found, CompareScenariosForm(formdata=None, scenarios=saved), saved)


def _scenario_page(programme, scenario, apply_form: ApplyScenarioForm):
    """The scenario worked out afresh from live data; a message instead when its rule can no
    longer be kept with the contracts as they are now."""
    try:
        result, broken = scenarios.preview(current_person(), scenario), None
    except RuleBroken as error:
        result, broken = None, error.message
    return render_template("contracts/scenario.html", programme=programme, scenario=scenario,
                           preview=result, broken=broken,
                           description=scenarios.described(scenarios.taper_of(scenario)),
                           start_from=taper_query(scenarios.taper_of(scenario)),
                           targets=scenarios.core_targets(programme),
                           apply_form=apply_form, delete_form=DeleteScenarioForm(formdata=None),
                           form=apply_form if apply_form.errors else None)


@bp.get("/programmes/<int:programme_id>/scenarios/<int:scenario_id>")
@roles_required(Role.COMMISSIONER)
def scenario(programme_id: int, scenario_id: int):
    """A scenario's effect on every year and contract, computed from live data without
    changing it."""
    found = _programme(programme_id)
    return _scenario_page(found, _scenario(found, scenario_id),
                          ApplyScenarioForm(formdata=None))


@bp.post("/programmes/<int:programme_id>/scenarios/<int:scenario_id>/apply")
@roles_required(Role.COMMISSIONER)
def apply_scenario(programme_id: int, scenario_id: int):
    """Apply a scenario to live data through the taper service, with all its checks."""
    found = _programme(programme_id)
    chosen = _scenario(found, scenario_id)
    form = ApplyScenarioForm()
    if form.validate_on_submit():
        try:
            result = scenarios.apply(current_person(), chosen, form.reason.data)
        except RuleBroken as error:
            show_rule_broken(form, error, "reason")
        else:
            flash(f"The scenario {chosen.name} has been applied to "
                  f"{_how_many_contracts(len(result.contracts))}.", "success")
            return redirect(url_for("contracts.programme", programme_id=found.id))
    return _scenario_page(found, chosen, form)


@bp.post("/programmes/<int:programme_id>/scenarios/<int:scenario_id>/delete")
@roles_required(Role.COMMISSIONER)
def delete_scenario(programme_id: int, scenario_id: int):
    """Delete a saved scenario; no contract changes."""
    found = _programme(programme_id)
    chosen = _scenario(found, scenario_id)
    if DeleteScenarioForm().validate_on_submit():
        name = chosen.name
        scenarios.delete(current_person(), chosen)
        flash(f"The scenario {name} has been deleted.", "success")
    return redirect(url_for("contracts.scenarios", programme_id=found.id))


@bp.get("/programmes/<int:programme_id>/scenarios/compare")
@roles_required(Role.COMMISSIONER)
def compare_scenarios(programme_id: int):
    """Two scenarios side by side, ?first=<id>&second=<id>: the programme's money each year
    under each and the difference, and each contract's."""
    found = _programme(programme_id)
    saved = scenarios.scenarios(current_person(), found)
    form = CompareScenariosForm(formdata=request.args, scenarios=saved)
    if not form.validate():
        return _scenarios_page(found, form, saved)
    first, second = _scenario(found, form.first.data), _scenario(found, form.second.data)
    try:
        comparison, broken = scenarios.compare(current_person(), first, second), None
    except RuleBroken as error:
        comparison, broken = None, error.message
    return render_template("contracts/scenario_compare.html", programme=found, first=first,
                           second=second, comparison=comparison, broken=broken)


# Contract money: planning its years, choosing pots, making it active, variations -------------


def _show_broken(form, error: RuleBroken) -> None:
    """A service's broken rule beside the box it is about (the form knows its boxes' names)."""
    show_rule_broken(form, error, form.field_for(error.field))


def _is_variation(contract) -> bool:
    return contract.status is ContractStatus.ACTIVE


@bp.route("/<int:contract_id>/years", methods=["GET", "POST"])
@roles_required(Role.COMMISSIONER)
def plan_years(contract_id: int):
    """The core and external money of each year of the contract not yet over; for an active
    contract the change is a variation, kept as a version with its reason."""
    found = _contract(contract_id)
    shown = money_view.contract_money(current_person(), found)
    if not shown.can_plan:
        flash(f"The money of contract {found.reference} can no longer change.", "important")
        return redirect(url_for("contracts.contract", contract_id=found.id))
    rows = {number: year.label for number, year in enumerate(shown.years) if not year.closed}
    data = None
    if request.method == "GET":
        data = {f"years-{number}-{part}": getattr(year, f"{part}_pence") if year.row else None
                for number, year in enumerate(shown.years) for part in ("core", "external")}
    form = plan_years_form(rows, _is_variation(found), data=data)
    if form.validate_on_submit():
        try:
            years.plan_years(current_person(), found,
                             [YearPlan(*each) for each in form.year_money()],
                             form.reason.data or "")
        except RuleBroken as error:
            _show_broken(form, error)
        else:
            flash(f"The money of contract {found.reference} has been saved.", "success")
            return redirect(url_for("contracts.contract", contract_id=found.id))
    return render_template("contracts/years_form.html", contract=found, money=shown, form=form,
                           variation=_is_variation(found))


@bp.route("/<int:contract_id>/years/<year>/funding", methods=["GET", "POST"])
@roles_required(Role.COMMISSIONER)
def year_funding(contract_id: int, year: str):
    """Which of the year's pots the contract's money comes from (`year` like 2024-25)."""
    found = _contract(contract_id)
    page = money_view.year_funding(current_person(), found, year)
    data = None
    if request.method == "GET":
        data = {f"pot_{each.pot_id}": each.amount_pence for each in page.year.funding}
    form = year_funding_form({choice.pot.id: choice.pot.name for choice in page.choices},
                             _is_variation(found), data=data)
    if page.why_not is None and form.validate_on_submit():
        try:
            years.plan_years(current_person(), found, [YearPlan(
                page.year.label, page.year.core_pence, page.year.external_pence,
                form.allocations())], form.reason.data or "")
        except RuleBroken as error:
            _show_broken(form, error)
            page = money_view.year_funding(current_person(), found, year)
        else:
            flash(f"The pots for {page.year.label} have been saved.", "success")
            return redirect(url_for("contracts.contract", contract_id=found.id))
    return render_template("contracts/year_funding.html", contract=found, page=page, form=form,
                           variation=_is_variation(found))


@bp.route("/<int:contract_id>/activate", methods=["GET", "POST"])
@roles_required(Role.COMMISSIONER)
def activate(contract_id: int):
    """Check the contract's money, then make it active: its terms become version 1."""
    found = _contract(contract_id)
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


@bp.post("/<int:contract_id>/end")
@roles_required(Role.COMMISSIONER)
def end(contract_id: int):
    """Mark an active contract ended once its end date has passed."""
    found = _contract(contract_id)
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
    found = _contract(contract_id)
    ends_on = extend_form({}).ends_on.data if request.method == "POST" else None
    if ends_on is None:  # until a date is typed, offer a year more
        ends_on = variations.a_year_more(found)
    form = extend_form(dict(enumerate(variations.new_years(found, ends_on))),
                       data={"ends_on": ends_on} if request.method == "GET" else None)
    if _is_variation(found) and form.validate_on_submit():
        try:
            variations.extend(current_person(), found, form.ends_on.data,
                              [YearPlan(*each) for each in form.year_money()],
                              form.reason.data)
        except RuleBroken as error:
            _show_broken(form, error)
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
    found = _contract(contract_id)
    form, releases = TerminateForm(), None
    if _is_variation(found) and form.validate_on_submit():
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
    found = _contract(contract_id)
    return render_template("contracts/versions.html", contract=found,
                           versions=variations.versions(current_person(), found))


# Documents --------------------------------------------------------------------------------


@bp.url_value_preprocessor
def _allow_room_for_the_upload_form(endpoint: str | None, values: dict | None) -> None:
    if endpoint == "contracts.documents" and request.method == "POST":
        allow_room_for_the_form(max_file_bytes())


def _documents_page(found, form):
    return render_template("contracts/documents.html", contract=found, form=form,
                           documents=documents.documents(current_person(), found))


@bp.route("/<int:contract_id>/documents", methods=["GET", "POST"], endpoint="documents")
@roles_required(Role.COMMISSIONER)
def documents_page(contract_id: int):
    """The documents kept with the contract, and (POST) adding one."""
    found = _contract(contract_id)
    form = ContractDocumentForm(max_file_bytes() // 2**20)
    if form.validate_on_submit():
        try:
            document = documents.upload(current_person(), found, form.title.data,
                                        form.file.data.filename or "", form.file.data.stream)
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"{document.title} has been added.", "success")
            return redirect(url_for("contracts.documents", contract_id=found.id))
    return _documents_page(found, form)


@bp.post("/<int:contract_id>/documents/<int:contract_document_id>/remove")
@roles_required(Role.COMMISSIONER)
def remove_document(contract_id: int, contract_document_id: int):
    found = _contract(contract_id)
    title = documents.remove(current_person(), found, contract_document_id)
    flash(f"{title} has been removed.", "success")
    return redirect(url_for("contracts.documents", contract_id=found.id))


@bp.get("/<int:contract_id>/documents/<int:contract_document_id>")
@login_required
def document(contract_id: int, contract_document_id: int):
    """A document's file, for commissioners and the provider's members."""
    found, path = documents.get(current_person(), contract_id,
                                contract_document_id)
    return send_upload(path, found.content_type, found.original_filename,
                       f"contract document {found.id}")
