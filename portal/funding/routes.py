"""Funding pots and the funding dashboard, for the council staff who spend from the pots."""

from flask import Blueprint, flash, redirect, render_template, request, url_for

from forms.funding import (
    BudgetForm,
    CreatePotForm,
    EditPotForm,
    PartnerForm,
    TransferForm,
    edit_pot_data,
    next_year_pot_data,
)
from models import FundingPot
from models.enums import FundingSource, PotStatus, Role
from portal import exports
from portal.auth import roles_required
from portal.exceptions import RuleBroken
from portal.funding import partners, services
from portal.money import format_pounds
from portal.views import current_person, page_number, show_rule_broken

bp = Blueprint("funding", __name__, url_prefix="/funding")

# Who may reach these pages at all; the services check the finer rules (portal.policies).
VIEWERS = (Role.GRANTS_OFFICER, Role.COMMISSIONER, Role.ADMIN)
MANAGERS = (Role.GRANTS_OFFICER, Role.ADMIN)

def _pot(pot_id: int):
    return services.get_pot(current_person(), pot_id)


def _year() -> str | None:
    return request.args.get("year") or None


@bp.get("/")
@roles_required(*VIEWERS)
def index():
    """Every pot's figures by financial year, with core and external totals."""
    return render_template("funding/index.html",
                           dashboard=services.dashboard(current_person(), _year()),
                           FundingSource=FundingSource)



@bp.get("/pots.csv")
@roles_required(*VIEWERS)
def index_csv():
    """The dashboard's pots (for the chosen year) as CSV."""
    rows = services.export_rows(current_person(), _year())
    return exports.download(exports.to_csv(services.EXPORT_HEADINGS, rows), "text/csv",
                            "funding-pots", "csv")


@bp.get("/pots.xlsx")
@roles_required(*VIEWERS)
def index_xlsx():
    """The dashboard (for the chosen year) as an Excel workbook: a sheet of pots and a sheet
    of schemes' core and external money."""
    workbook = exports.workbook([
        exports.Sheet("Funding pots", services.EXPORT_HEADINGS,
                      services.export_rows(current_person(), _year()), services.MONEY_COLUMNS),
        exports.Sheet("Schemes", services.SCHEME_EXPORT_HEADINGS,
                      services.scheme_export_rows(current_person(), _year()),
                      services.SCHEME_MONEY_COLUMNS)])
    return exports.download(workbook, exports.XLSX_TYPE, "funding-pots", "xlsx")


@bp.get("/schemes.csv")
@roles_required(*VIEWERS)
def schemes_csv():
    """The dashboard's schemes table (for the chosen year) as CSV."""
    rows = services.scheme_export_rows(current_person(), _year())
    return exports.download(exports.to_csv(services.SCHEME_EXPORT_HEADINGS, rows), "text/csv",
                            "funding-schemes", "csv")


@bp.get("/schemes/<int:scheme_id>/<year>")
@roles_required(*VIEWERS)
def scheme_year(scheme_id: int, year: str):
    """The drill-down from a scheme's row of the dashboard: the ledger entries of its awards
    against the pots of one financial year (written 2024-25 here)."""
    found = services.scheme_year(current_person(), scheme_id, year, page_number())
    return render_template("funding/scheme_year.html", page=found,
                           FundingSource=FundingSource)


def _create_pot(form: CreatePotForm, set_up_from: FundingPot | None = None):
    if form.validate_on_submit():
        try:
            pot = services.create_pot(
                current_person(), services.PotDetails(**form.details()), form.financial_year.data,
                form.funding_source, form.budget.data, form.reason.data, set_up_from,
                form.contributor_id)
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"{pot.name} has been created with a budget of "
                  f"{format_pounds(form.budget.data)}.", "success")
            return redirect(url_for("funding.pot", pot_id=pot.id))
    return render_template("funding/pot_form.html", form=form, pot=None,
                           set_up_from=set_up_from)


@bp.route("/pots/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def create_pot():
    return _create_pot(CreatePotForm(choices=services.restriction_choices(current_person()),
                                     partners=partners.all_partners(current_person())))


@bp.route("/pots/<int:pot_id>/next-year", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def next_year_pot(pot_id: int):
    """A new pot for the following year, starting from this one's details and budget."""
    found = _pot(pot_id)
    budget = services.balance_of(current_person(), found).budget_pence
    return _create_pot(CreatePotForm(choices=services.restriction_choices(current_person()),
                                     partners=partners.all_partners(current_person()),
                                     data=next_year_pot_data(found, budget)), found)


@bp.get("/pots/<int:pot_id>")
@roles_required(*VIEWERS)
def pot(pot_id: int):
    """A pot's details and figures, and its ledger entries newest first: the drill-down."""
    found = _pot(pot_id)
    return render_template("funding/pot.html", pot=found,
                           balance=services.balance_of(current_person(), found),
                           contributions=partners.contribution_rows(current_person(), found),
                           ledger=services.entries_page(current_person(), found, page_number()))


@bp.route("/pots/<int:pot_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit_pot(pot_id: int):
    """Everything about a pot but its year, source and budget; closing and reopening it."""
    found = _pot(pot_id)
    form = EditPotForm(choices=services.restriction_choices(current_person()),
                       data=edit_pot_data(found))
    if form.validate_on_submit():
        try:
            services.update_pot(current_person(), found, services.PotDetails(**form.details()),
                                PotStatus(form.status.data))
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"{found.name} has been saved.", "success")
            return redirect(url_for("funding.pot", pot_id=found.id))
    return render_template("funding/pot_form.html", form=form, pot=found)


@bp.route("/pots/<int:pot_id>/budget", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def change_budget(pot_id: int):
    """Increase or reduce the budget: one ledger entry with its reason."""
    found = _pot(pot_id)
    form = BudgetForm(partners=partners.all_partners(current_person()) if found.pooled else None)
    if form.validate_on_submit():
        try:
            services.change_budget(current_person(), found, form.increase, form.amount.data,
                                   form.reason.data, form.partner_id)
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"The budget of {found.name} has been "
                  f"{'increased' if form.increase else 'reduced'} by "
                  f"{format_pounds(form.amount.data)}.", "success")
            return redirect(url_for("funding.pot", pot_id=found.id))
    return render_template("funding/budget.html", form=form, pot=found,
                           balance=services.balance_of(current_person(), found))


@bp.route("/pots/<int:pot_id>/transfer", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def transfer(pot_id: int):
    """Move budget to another pot of the same financial year."""
    found = _pot(pot_id)
    form = TransferForm(targets=services.transfer_targets(current_person(), found))
    if form.validate_on_submit():
        try:
            to_pot = services.transfer(current_person(), found, form.to_pot.data, form.amount.data,
                                       form.reason.data)
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"{format_pounds(form.amount.data)} has been transferred from {found.name} "
                  f"to {to_pot.name}.", "success")
            return redirect(url_for("funding.pot", pot_id=found.id))
    return render_template("funding/transfer.html", form=form, pot=found,
                           balance=services.balance_of(current_person(), found))


@bp.get("/partners")
@roles_required(*VIEWERS)
def partner_list():
    """The bodies whose money external and pooled pots are."""
    return render_template("funding/partners.html",
                           partners=partners.all_partners(current_person()))


def _partner_form_page(form: PartnerForm, partner=None):
    if form.validate_on_submit():
        try:
            saved = partners.save_partner(current_person(),
                                          partners.PartnerDetails(**form.details()), partner)
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"{saved.name} has been saved.", "success")
            return redirect(url_for("funding.partner_list"))
    return render_template("funding/partner_form.html", form=form, partner=partner)


@bp.route("/partners/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def new_partner():
    return _partner_form_page(PartnerForm())


@bp.route("/partners/<int:partner_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit_partner(partner_id: int):
    partner = partners.get_partner(current_person(), partner_id)
    return _partner_form_page(PartnerForm(obj=partner), partner)
