"""Grants officers' view of the applications that have come in."""

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from werkzeug.routing import BuildError

from forms.assessment import ApplicationFilterForm, DueDiligenceForm, DueDiligenceOutcomeForm
from models.base import utcnow
from models.enums import DueDiligenceOutcome, Role
from portal import exports
from portal.assessment import due_diligence, export_jobs, services
from portal.auth import roles_required
from portal.dates import to_london
from portal.exceptions import RuleBroken
from portal.views import current_person, page_number, show_rule_broken

bp = Blueprint("assessment", __name__, url_prefix="/assessment")


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
    listing = services.applications_page(current_person(), filters, page_number(),
                                         after=request.args.get("after", ""),
                                         before=request.args.get("before", ""))
    # Only the filters travel to the export links: other arguments have no say in url_for.
    export_args = {key: value for key, value in request.args.items()
                   if key in form and key != "submit"}
    return render_template("assessment/applications.html", form=form, listing=listing,
                           export_args=export_args, numbered_pages=services.NUMBERED_PAGES,
                           count_limit=services.COUNT_LIMIT)


@bp.get("/applications.csv")
@roles_required(Role.GRANTS_OFFICER)
def applications_csv():
    """All matching applications (not only one page) as CSV, in the list's order, streamed a
    chunk of rows at a time: the heading leaves at once and memory stays flat."""
    _, filters = _filters()
    chunks = services.export_chunks(current_person(), filters)
    return exports.download(stream_with_context(
        exports.csv_stream(services.EXPORT_HEADINGS, chunks)), "text/csv", "applications", "csv")


@bp.post("/exports")
@roles_required(Role.GRANTS_OFFICER)
def start_export():
    """All matching applications as an Excel workbook, made by a background job; its page
    shows how far it has got. The filters come in the form's query string, as on the list."""
    _, filters = _filters()
    export = export_jobs.start(current_person(), filters)
    return redirect(url_for("assessment.export", export_id=export.id))


def _export(export_id: int):
    return export_jobs.export_for(current_person(), export_id)


@bp.get("/exports/<int:export_id>")
@roles_required(Role.GRANTS_OFFICER)
def export(export_id: int):
    """The officer's export: n of N rows written, then the workbook to download."""
    found = _export(export_id)
    return render_template("assessment/export.html", export=found,
                           running=export_jobs.is_unfinished(found),
                           ready=export_jobs.is_ready(found),
                           list_args=export_jobs.list_arguments(found),
                           keep_days=export_jobs.KEEP_FOR.days)


@bp.get("/exports/<int:export_id>/status.json")
@roles_required(Role.GRANTS_OFFICER)
def export_status(export_id: int):
    """The export's progress, for its page to update itself while the job runs."""
    found = _export(export_id)
    ready = export_jobs.is_ready(found)
    return jsonify(status=found.status.value, label=found.status.label, done=found.done,
                   total=found.total, error=found.error,
                   download_url=url_for("assessment.export_download", export_id=export_id)
                   if ready else None)


@bp.get("/exports/<int:export_id>/applications.xlsx")
@roles_required(Role.GRANTS_OFFICER)
def export_download(export_id: int):
    """The finished workbook, named for when it was made."""
    found, body = export_jobs.workbook(current_person(), export_id)
    return exports.download(body, exports.XLSX_TYPE, "applications", "xlsx",
                            made_at=found.finished_at)


@bp.get("/applications/<int:submitted_application_id>")
@roles_required(Role.GRANTS_OFFICER)
def application(submitted_application_id: int):
    """Everything the organisation sent. Drafts are not found: they are not sent yet."""
    found = services.application_for_officer(current_person(), submitted_application_id)
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


# The officer's pages about one application, in the order of the work.
APPLICATION_PAGES = [("assessment.application", "Application"),
                     ("assessment.due_diligence", "Eligibility and checks"),
                     ("scoring.assessors", "Assessors and scores"),
                     ("decisions.application", "Decision")]


@bp.app_template_global()
def application_pages(application) -> list[tuple[str, str, str]]:
    """(endpoint, text, url) of the officer's pages about `application`."""
    return [(endpoint, text, url_for(endpoint, submitted_application_id=application.id))
            for endpoint, text in APPLICATION_PAGES]


def _due_diligence_page(application_id: int):
    return due_diligence.due_diligence_page(current_person(), application_id)


def _saved_checks_form(page: due_diligence.DueDiligencePage) -> DueDiligenceForm:
    """The form filled from the saved checks; a date not yet given defaults to today."""
    check = page.check
    today = to_london(utcnow()).date()
    seen = {"governing_document": check and check.governing_document_seen,
            "accounts": check and check.accounts_seen,
            "safeguarding_policy": check and check.safeguarding_policy_seen}
    return DueDiligenceForm(
        formdata=None,
        register_checked=bool(check and check.register_checked_on),
        register_checked_on=(check and check.register_checked_on) or today,
        register_note=check.register_note if check else "",
        bank_details_verified=bool(check and check.bank_details_verified_on),
        bank_details_verified_on=(check and check.bank_details_verified_on) or today,
        documents_seen=[name for name, ok in seen.items() if ok],
        duplicate_funding_note=check.duplicate_funding_note if check else "")


def _render_due_diligence(page, checks_form, outcome_form, posted=None):
    # The form sent is the one whose errors the layout's error summary lists.
    return render_template("assessment/due_diligence.html", page=page,
                           application=page.application, checks_form=checks_form,
                           outcome_form=outcome_form, form=posted)


@bp.route("/applications/<int:submitted_application_id>/due-diligence", methods=["GET", "POST"],
          endpoint="due_diligence")
@roles_required(Role.GRANTS_OFFICER)
def due_diligence_checks(submitted_application_id: int):
    """The eligibility and due-diligence checks, with the organisation's other applications for
    the duplicate-funding check, the questions asked and the outcome form. Posting saves the
    checks only: the outcome is a form of its own."""
    page = _due_diligence_page(submitted_application_id)
    form = DueDiligenceForm() if request.method == "POST" else _saved_checks_form(page)
    outcome_form = DueDiligenceOutcomeForm(formdata=None)
    if form.validate_on_submit():
        seen = set(form.documents_seen.data or [])
        checks = due_diligence.Checks(
            register_checked_on=form.register_checked_on.data if form.register_checked.data
            else None,
            register_note=form.register_note.data or "",
            bank_details_verified_on=form.bank_details_verified_on.data
            if form.bank_details_verified.data else None,
            governing_document_seen="governing_document" in seen,
            accounts_seen="accounts" in seen,
            safeguarding_policy_seen="safeguarding_policy" in seen,
            duplicate_funding_note=form.duplicate_funding_note.data or "")
        try:
            due_diligence.save_checks(current_person(), submitted_application_id, checks)
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash("Checks saved.", "success")
            return redirect(url_for("assessment.due_diligence",
                                    submitted_application_id=submitted_application_id))
    return _render_due_diligence(page, form, outcome_form,
                                 form if request.method == "POST" else None)


@bp.post("/applications/<int:submitted_application_id>/due-diligence/outcome")
@roles_required(Role.GRANTS_OFFICER)
def due_diligence_outcome(submitted_application_id: int):
    """Record the outcome of the checks: eligible, not eligible, or a question first."""
    page = _due_diligence_page(submitted_application_id)
    form = DueDiligenceOutcomeForm()
    if form.validate_on_submit():
        outcome = DueDiligenceOutcome(form.outcome.data)
        text = {DueDiligenceOutcome.INELIGIBLE: form.ineligible_reason.data,
                DueDiligenceOutcome.CLARIFICATION_REQUESTED: form.question.data}.get(outcome)
        try:
            due_diligence.record_outcome(current_person(), submitted_application_id, outcome,
                                         text or "")
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash({DueDiligenceOutcome.ELIGIBLE: "The application is eligible and goes on "
                                                 "to assessment.",
                   DueDiligenceOutcome.INELIGIBLE: "The application is not eligible. We have "
                                                   "emailed the reason to the applicant.",
                   DueDiligenceOutcome.CLARIFICATION_REQUESTED: "We have emailed your "
                   "question to the applicant."}[outcome], "success")
            return redirect(url_for("assessment.due_diligence",
                                    submitted_application_id=submitted_application_id))
    return _render_due_diligence(page, _saved_checks_form(page), form, form)
