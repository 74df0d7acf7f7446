"""Funding partners' pages: a partner's staff see their own partner's; grants officers,
commissioners and admins see any partner's. Read-only: the only forms are GET filters."""

from flask import Blueprint, redirect, render_template, request, url_for

from models.base import utcnow
from models.enums import Role
from portal import exports, pdf
from portal.auth import roles_required
from portal.partners import services
from portal.views import current_person, page_number

bp = Blueprint("partners", __name__, url_prefix="/partners")

# Who may reach the pages at all; the services check which partner (portal.policies).
VIEWERS = (Role.FUNDING_PARTNER, Role.GRANTS_OFFICER, Role.COMMISSIONER, Role.ADMIN)


@bp.get("/")
@roles_required(Role.FUNDING_PARTNER)
def index():
    """A partner's member of staff goes to their own partner's overview."""
    return redirect(url_for("partners.overview",
                            partner_id=services.own_partner_id(current_person())))


@bp.get("/<int:partner_id>")
@roles_required(*VIEWERS)
def overview(partner_id: int):
    """What the partner put in, year by year, and its share of what was committed and paid."""
    return render_template("partners/overview.html",
                           overview=services.overview(current_person(), partner_id))


@bp.get("/<int:partner_id>/paid-for")
@roles_required(*VIEWERS)
def paid_for(partner_id: int):
    """A year's awards and contracts paid for by the partner's money, by ward and theme."""
    page = services.paid_for(current_person(), partner_id, request.args.get("year"),
                             page_number())
    return render_template("partners/paid_for.html", page=page, choice=page.choice)


@bp.get("/<int:partner_id>/payments")
@roles_required(*VIEWERS)
def payments(partner_id: int):
    """The partner's share of a year's payments, with their dates."""
    page = services.payments(current_person(), partner_id, request.args.get("year"),
                             page_number())
    return render_template("partners/payments.html", page=page, choice=page.choice)


@bp.get("/<int:partner_id>/kpis")
@roles_required(*VIEWERS)
def kpis(partner_id: int):
    """The KPIs of the contracts the partner's money pays for, quarter by quarter."""
    page = services.kpis(current_person(), partner_id, request.args.get("year"))
    return render_template("partners/kpis.html", page=page, choice=page.choice)


def _statement(partner_id: int) -> services.Statement:
    return services.statement(current_person(), partner_id, request.args.get("year"),
                              request.args.get("quarter", type=int), utcnow())


@bp.get("/<int:partner_id>/statement")
@roles_required(*VIEWERS)
def statement(partner_id: int):
    """The quarterly partner statement, with its PDF and workbook."""
    return render_template("partners/statement.html", statement=_statement(partner_id))


@bp.get("/<int:partner_id>/statement.pdf")
@roles_required(*VIEWERS)
def statement_pdf(partner_id: int):
    shown = _statement(partner_id)
    return exports.download(pdf.render_pdf("pdf/partner_statement.html", statement=shown),
                            "application/pdf", shown.file_name, "pdf")


@bp.get("/<int:partner_id>/statement.xlsx")
@roles_required(*VIEWERS)
def statement_xlsx(partner_id: int):
    shown = _statement(partner_id)
    return exports.download(exports.workbook(services.statement_sheets(shown)),
                            exports.XLSX_TYPE, shown.file_name, "xlsx")
