"""Grants officers' view of the applications that have come in."""

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_login import current_user
from werkzeug.routing import BuildError

from forms.assessment import ApplicationFilterForm
from models.base import utcnow
from models.enums import Role
from portal.assessment import exports, services
from portal.auth import roles_required
from portal.dates import to_london
from portal.views import page_number

bp = Blueprint("assessment", __name__, url_prefix="/assessment")


def _officer():
    return current_user._get_current_object()


def _filters() -> tuple[ApplicationFilterForm, services.ApplicationFilters]:
    """The filter form from the query string. Values that are not among the options are
    ignored by the filtering and explained beside their field."""
    form = ApplicationFilterForm(request.args)
    form.offer(services.filter_choices())
    if request.args:
        form.validate()
    return form, services.ApplicationFilters(**form.filter_values())


@bp.get("/applications")
@roles_required(Role.GRANTS_OFFICER)
def applications():
    """Every application sent in, filtered, searched, sorted and 25 a page, with the count and
    total requested of all that match."""
    form, filters = _filters()
    listing = services.applications_page(_officer(), filters, page=page_number())
    # Only the filters travel to the export links: other arguments have no say in url_for.
    export_args = {key: value for key, value in request.args.items()
                   if key in form and key != "submit"}
    return render_template("assessment/applications.html", form=form, listing=listing,
                           export_args=export_args)


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(body: str | bytes, mimetype: str, extension: str) -> Response:
    """An attachment named after the time it was made; like the pages, not kept in caches."""
    filename = f"applications-{to_london(utcnow()):%Y-%m-%d-%H%M}.{extension}"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store"})


@bp.get("/applications.csv")
@roles_required(Role.GRANTS_OFFICER)
def applications_csv():
    """All matching applications (not only one page) as CSV, in the list's order."""
    _, filters = _filters()
    rows = services.export_rows(_officer(), filters)
    return _download(exports.to_csv(services.EXPORT_HEADINGS, rows), "text/csv", "csv")


@bp.get("/applications.xlsx")
@roles_required(Role.GRANTS_OFFICER)
def applications_xlsx():
    """All matching applications as an Excel workbook."""
    _, filters = _filters()
    rows = services.export_rows(_officer(), filters)
    workbook = exports.to_xlsx(services.EXPORT_HEADINGS, rows, services.MONEY_COLUMNS)
    return _download(workbook, XLSX_TYPE, "xlsx")


@bp.get("/applications/<int:submitted_application_id>")
@roles_required(Role.GRANTS_OFFICER)
def application(submitted_application_id: int):
    """Everything the organisation sent. Drafts are not found: they are not sent yet."""
    try:
        found = services.application_for_officer(_officer(), submitted_application_id)
    except LookupError:
        abort(404)
    organisation_rows, from_snapshot = services.organisation_details(found)
    documents = [(document, _download_url(document)) for document in services.documents_of(found)]
    return render_template("assessment/application.html", application=found,
                           organisation_rows=organisation_rows, from_snapshot=from_snapshot,
                           documents=documents)


def _download_url(document) -> str | None:
    """The documents area serves the files; until its download page exists, or if it takes
    other arguments, the document is listed without a link rather than breaking this page."""
    if "documents.download" not in current_app.view_functions:
        return None
    try:
        return url_for("documents.download", document_id=document.id)
    except BuildError:
        return None
