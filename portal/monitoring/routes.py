"""Quarterly monitoring: providers send returns for their contracts; commissioners set KPIs,
review returns and benchmark anchors within a lot."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from forms.monitoring import (
    ReviewForm,
    kpi_form,
    kpi_form_data,
    return_form,
    return_form_data,
)
from models.base import utcnow
from models.enums import ContractLot, Role
from portal import exports
from portal.auth import roles_required
from portal.contracts import documents as contract_documents
from portal.exceptions import RuleBroken
from portal.financial_years import FinancialYear
from portal.monitoring import accountability, scrutiny, services
from portal.monitoring.benchmarking import format_figure, format_number
from portal.monitoring.quarters import MONTHS, Quarter
from portal.pdf import render_pdf
from portal.views import current_person, page_number, show_rule_broken

bp = Blueprint("monitoring", __name__, url_prefix="/monitoring")


@bp.context_processor
def figures() -> dict:
    return {"number": format_number, "figure": format_figure, "quarter_months": MONTHS,
            "history_labels": services.HISTORY_LABELS}


def _quarter(year: str | None, number: int | None) -> Quarter | None:
    """The quarter named by a year like 2024-25 and a number from 1 to 4; None otherwise."""
    try:
        return Quarter(FinancialYear.from_slug(year or ""), number or 0)
    except ValueError:
        return None


def _quarter_asked() -> Quarter | None:
    return _quarter(request.args.get("year"), request.args.get("quarter", type=int))


def _lot_asked() -> ContractLot:
    """The lot named by ?lot=, local anchors by default."""
    try:
        return ContractLot(request.args.get("lot", ""))
    except ValueError:
        return ContractLot.LOCAL_ANCHOR


# The provider's side ------------------------------------------------------------------------


@bp.get("/")
@roles_required(Role.APPLICANT)
def your_contracts():
    """The contracts of the organisations the user belongs to."""
    return render_template("monitoring/your_contracts.html",
                           contracts=services.provider_contracts(current_person()))


@bp.get("/contracts/<int:contract_id>")
@login_required
def contract(contract_id: int):
    """A contract's documents, KPIs and targets and its returns, for the provider and
    commissioners."""
    page = services.contract_page(current_person(), contract_id, utcnow())
    return render_template("monitoring/contract.html", page=page, contract=page.contract,
                           documents=contract_documents.documents(current_person(), page.contract))


@bp.route("/contracts/<int:contract_id>/returns/<year>/<int:quarter>",
          methods=["GET", "POST"])
@login_required
def submit_return(contract_id: int, year: str, quarter: int):
    """The provider's return for a quarter: the form, then a check of the answers, then
    send."""
    asked = _quarter(year, quarter)
    if asked is None:
        abort(404)
    try:
        page = services.return_form(current_person(), contract_id, asked, utcnow())
    except RuleBroken as error:
        flash(error.message, "important")
        return redirect(url_for("monitoring.contract", contract_id=contract_id))
    form = return_form(page.contract.kpis, page.targets, data=return_form_data(page.queried))
    if form.validate_on_submit() and "change" not in request.form:
        if "confirm" not in request.form:
            return render_template("monitoring/check_return.html", page=page, form=form)
        try:
            sent = services.submit_return(current_person(), page, form.answers(), utcnow())
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"Your return for {asked.label} has been sent.", "success")
            return redirect(url_for("monitoring.contract_return", return_id=sent.id))
    return render_template("monitoring/return_form.html", page=page, form=form)


@bp.get("/returns/<int:return_id>")
@login_required
def contract_return(return_id: int):
    """A return, its values against the targets, its review and history."""
    page = services.return_page(current_person(), return_id, utcnow())
    return _return_page(page, ReviewForm())


def _return_page(page, form):
    return render_template("monitoring/return.html", page=page, form=form,
                           contract=page.row.contract)


# The commissioner's side --------------------------------------------------------------------


@bp.post("/returns/<int:return_id>/review")
@roles_required(Role.COMMISSIONER)
def review_return(return_id: int):
    """Accept a return, or query it with a note."""
    page = services.return_page(current_person(), return_id, utcnow())
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            reviewed = services.review_return(current_person(), return_id, form.review(), utcnow())
        except RuleBroken as error:
            if error.field is None:  # reviewed already: the form is no longer shown
                flash(error.message, "important")
                return redirect(url_for("monitoring.contract_return", return_id=return_id))
            show_rule_broken(form, error)
        else:
            flash(f"The return has been {reviewed.status.value}.", "success")
            return redirect(url_for("monitoring.contract_return", return_id=return_id))
    return _return_page(page, form)


def _kpi_form_page(form, contract, kpi):
    return render_template("monitoring/kpi_form.html", form=form, contract=contract, kpi=kpi)


@bp.route("/contracts/<int:contract_id>/kpis/new", methods=["GET", "POST"])
@roles_required(Role.COMMISSIONER)
def new_kpi(contract_id: int):
    """Add a KPI with its quarterly targets."""
    found = services.monitored_contract(current_person(), contract_id)
    form = kpi_form(services.target_quarters(found))
    if form.validate_on_submit():
        try:
            kpi = services.add_kpi(current_person(), found, form.details())
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"{kpi.name} has been added.", "success")
            return redirect(url_for("monitoring.contract", contract_id=found.id))
    return _kpi_form_page(form, found, None)


@bp.post("/contracts/<int:contract_id>/kpis/standard")
@roles_required(Role.COMMISSIONER)
def standard_kpis(contract_id: int):
    """Add the standard anchor KPIs the contract does not have yet."""
    found = services.monitored_contract(current_person(), contract_id)
    added = services.add_standard_kpis(current_person(), found)
    if not added:
        flash("The contract has every standard KPI already.", "important")
    else:
        flash(f"{len(added)} standard KPI{'s have' if len(added) > 1 else ' has'} been added: "
              "set their targets.", "success")
    return redirect(url_for("monitoring.contract", contract_id=found.id))


@bp.route("/contracts/<int:contract_id>/kpis/<int:kpi_id>", methods=["GET", "POST"])
@roles_required(Role.COMMISSIONER)
def edit_kpi(contract_id: int, kpi_id: int):
    """Change a KPI's name, unit and targets."""
    found, kpi = services.contract_kpi(current_person(), contract_id, kpi_id)
    form = kpi_form(services.target_quarters(found), unit=kpi.unit, data=kpi_form_data(kpi))
    if form.validate_on_submit():
        try:
            services.change_kpi(current_person(), found, kpi, form.details())
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"{kpi.name} has been saved.", "success")
            return redirect(url_for("monitoring.contract", contract_id=found.id))
    return _kpi_form_page(form, found, kpi)


@bp.post("/contracts/<int:contract_id>/kpis/<int:kpi_id>/remove")
@roles_required(Role.COMMISSIONER)
def remove_kpi(contract_id: int, kpi_id: int):
    """Remove a KPI no return has reported."""
    found, kpi = services.contract_kpi(current_person(), contract_id, kpi_id)
    name = kpi.name
    try:
        services.remove_kpi(current_person(), found, kpi)
    except RuleBroken as error:
        flash(error.message, "important")
    else:
        flash(f"{name} has been removed.", "success")
    return redirect(url_for("monitoring.contract", contract_id=found.id))


@bp.get("/programmes/<int:programme_id>/returns")
@roles_required(Role.COMMISSIONER)
def programme_returns(programme_id: int):
    """Every contract's return for a quarter (?year=2024-25&quarter=1), 25 contracts a page."""
    page = services.programme_returns(current_person(), programme_id, _quarter_asked(),
                                      page_number(), utcnow())
    return render_template("monitoring/programme_returns.html", page=page,
                           programme=page.programme)


@bp.get("/programmes/<int:programme_id>/benchmark")
@roles_required(Role.COMMISSIONER)
def benchmark(programme_id: int):
    """The lot's contracts compared on each KPI for a quarter (?lot=&year=&quarter=)."""
    page = services.benchmark_page(current_person(), programme_id, _lot_asked(),
                                   _quarter_asked(), utcnow())
    return render_template("monitoring/benchmark.html", page=page, programme=page.programme,
                           lots=list(ContractLot))


# Accountability across quarters (commissioners) ---------------------------------------------


@bp.get("/contracts/<int:contract_id>/trends")
@roles_required(Role.COMMISSIONER)
def contract_trends(contract_id: int):
    """A contract's KPIs against their targets and its RAG over its last quarters."""
    page = accountability.contract_trends(current_person(), contract_id, utcnow())
    return render_template("monitoring/contract_trends.html", page=page,
                           contract=page.contract)


@bp.get("/programmes/<int:programme_id>/trends")
@roles_required(Role.COMMISSIONER)
def lot_trends(programme_id: int):
    """The lot's contracts compared on each KPI quarter by quarter, up to the quarter asked
    (?lot=&year=&quarter=)."""
    page = accountability.lot_trends(current_person(), programme_id, _lot_asked(),
                                     _quarter_asked(), utcnow())
    return render_template("monitoring/lot_trends.html", page=page, programme=page.programme,
                           lots=list(ContractLot))


@bp.get("/programmes/<int:programme_id>/pathways")
@roles_required(Role.COMMISSIONER)
def pathway_rollup(programme_id: int):
    """The pathways' KPIs added up across the district and by locality, quarter by
    quarter (?year=&quarter=)."""
    page = accountability.pathway_rollup(current_person(), programme_id, _quarter_asked(),
                                         utcnow())
    return render_template("monitoring/pathways.html", page=page, programme=page.programme)


@bp.get("/programmes/<int:programme_id>/scrutiny")
@roles_required(Role.COMMISSIONER)
def scrutiny_pack(programme_id: int):
    """The councillors' scrutiny pack for a quarter (?year=&quarter=), with its PDF and
    workbook."""
    pack = scrutiny.scrutiny_pack(current_person(), programme_id, _quarter_asked(), utcnow())
    return render_template("monitoring/scrutiny_pack.html", pack=pack)


@bp.get("/programmes/<int:programme_id>/scrutiny.<any(pdf, xlsx):format>")
@roles_required(Role.COMMISSIONER)
def scrutiny_pack_download(programme_id: int, format: str):
    pack = scrutiny.scrutiny_pack(current_person(), programme_id, _quarter_asked(), utcnow())
    name = scrutiny.export_name(pack)
    if format == "pdf":
        return exports.download(render_pdf("pdf/scrutiny_pack.html", pack=pack),
                                "application/pdf", name, "pdf")
    return exports.download(exports.workbook(scrutiny.export_sheets(pack)), exports.XLSX_TYPE,
                            name, "xlsx")
