"""The taper dashboards: a commissioning programme's (for commissioners) and a grant scheme's
(for commissioners and grants officers), each with its CSV and XLSX downloads; and funding by
place (for both), with its downloads."""


from flask import Blueprint, render_template, request

from models.enums import Role
from portal import exports
from portal.auth import roles_required
from portal.reporting import chart, places, services
from portal.views import current_person

bp = Blueprint("reporting", __name__, url_prefix="/reporting")

# Who may reach the pages at all; the services check the policies (portal.policies).
SCHEME_VIEWERS = (Role.COMMISSIONER, Role.GRANTS_OFFICER)


def _page(taper: services.Taper, download_endpoint: str, **ids):
    return render_template("reporting/taper.html", taper=taper, chart=chart.build(taper),
                           download_endpoint=download_endpoint, ids=ids, Kind=services.Kind)


def _download(taper: services.Taper, format: str):
    """The taper table as CSV, or as a workbook with a programme's breakdowns too."""
    name = services.export_name(taper)
    if format == "csv":
        body = exports.to_csv(services.EXPORT_HEADINGS, services.export_rows(taper))
        return exports.download(body, "text/csv", name, "csv")
    return exports.download(exports.workbook(services.export_sheets(taper)),
                            exports.XLSX_TYPE, name, "xlsx")


@bp.get("/programmes/<int:programme_id>/taper")
@roles_required(Role.COMMISSIONER)
def programme_taper(programme_id: int):
    """A programme's core and external money by financial year against its core targets,
    as a chart and tables, with breakdowns by locality and by lot."""
    taper = services.programme_taper(current_person(), programme_id)
    return _page(taper, "reporting.programme_taper_download", programme_id=programme_id)


@bp.get("/programmes/<int:programme_id>/taper.<any(csv, xlsx):format>")
@roles_required(Role.COMMISSIONER)
def programme_taper_download(programme_id: int, format: str):
    return _download(services.programme_taper(current_person(), programme_id), format)


@bp.get("/schemes/<int:scheme_id>/taper")
@roles_required(*SCHEME_VIEWERS)
def scheme_taper(scheme_id: int):
    """A grant scheme's core and external money by financial year, from its awards."""
    taper = services.scheme_taper(current_person(), scheme_id)
    return _page(taper, "reporting.scheme_taper_download", scheme_id=scheme_id)


@bp.get("/schemes/<int:scheme_id>/taper.<any(csv, xlsx):format>")
@roles_required(*SCHEME_VIEWERS)
def scheme_taper_download(scheme_id: int, format: str):
    return _download(services.scheme_taper(current_person(), scheme_id), format)


@bp.get("/places")
@roles_required(*SCHEME_VIEWERS)
def funding_by_place():
    """A financial year's grant and contract money by ward and locality, with per head
    figures where the wards' populations are configured."""
    report = places.funding_by_place(current_person(), request.args.get("year"))
    return render_template("reporting/places.html", report=report, RowKind=places.RowKind)


@bp.get("/places.<any(csv, xlsx):format>")
@roles_required(*SCHEME_VIEWERS)
def funding_by_place_download(format: str):
    report = places.funding_by_place(current_person(), request.args.get("year"))
    rows = places.export_rows(report)
    name = places.export_name(report)
    if format == "csv":
        return exports.download(exports.to_csv(places.EXPORT_HEADINGS, rows), "text/csv",
                                name, "csv")
    return exports.download(exports.workbook([exports.Sheet(
        "Funding by place", places.EXPORT_HEADINGS, rows, places.MONEY_COLUMNS)]),
        exports.XLSX_TYPE, name, "xlsx")
