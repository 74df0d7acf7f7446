"""Tapering a programme's funding: choosing and previewing a taper, applying it, and saving,
comparing, applying and deleting what-if scenarios."""

from flask import flash, redirect, render_template, request, url_for

from forms.contracts import (
    TAPER_FIELDS,
    ApplyScenarioForm,
    ApplyTaperForm,
    CompareScenariosForm,
    DeleteScenarioForm,
    SaveScenarioForm,
    TaperForm,
    taper_query,
)
from models.enums import Role
from portal.auth import roles_required
from portal.contracts import programme_taper, scenarios
from portal.contracts.routes import bp, programme_for
from portal.exceptions import RuleBroken
from portal.views import current_person, show_rule_broken


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
    found = programme_for(programme_id)
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
    found = programme_for(programme_id)
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
    found = programme_for(programme_id)
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
    found = programme_for(programme_id)
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
    found = programme_for(programme_id)
    return _scenario_page(found, _scenario(found, scenario_id),
                          ApplyScenarioForm(formdata=None))


@bp.post("/programmes/<int:programme_id>/scenarios/<int:scenario_id>/apply")
@roles_required(Role.COMMISSIONER)
def apply_scenario(programme_id: int, scenario_id: int):
    """Apply a scenario to live data through the taper service, with all its checks."""
    found = programme_for(programme_id)
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
    found = programme_for(programme_id)
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
    found = programme_for(programme_id)
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
