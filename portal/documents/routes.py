"""Documents uploaded with applications: checked by content, stored outside static/,
served only as attachments."""

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import login_required

from forms.documents import CompleteSectionForm, UploadDocumentForm
from models import Application
from models.enums import SectionStatus
from portal import policies
from portal.applications.sections import section_status
from portal.documents import services
from portal.exceptions import RuleBroken
from portal.views import allow_room_for_the_form, current_person, send_upload, show_rule_broken

bp = Blueprint("documents", __name__, url_prefix="/documents")

@bp.url_value_preprocessor
def _allow_room_for_the_form(endpoint: str | None, values: dict | None) -> None:
    """Let an upload be a little larger than the largest file, so that a file just over the
    limit gets the message beside the field rather than the 413 page. This runs before the CSRF
    check, which is the first thing to read the request body."""
    if endpoint == "documents.section" and request.method == "POST":
        allow_room_for_the_form(services.max_file_bytes())


@bp.app_template_filter("file_size")
def file_size(size_bytes: int) -> str:
    """'820 bytes', '12KB', '2.4MB', as the size limit is written."""
    if size_bytes < 1024:
        return f"{size_bytes} bytes"
    if size_bytes < 1024 * 1024:
        return f"{round(size_bytes / 1024)}KB"
    return f"{size_bytes / 2**20:.1f}".removesuffix(".0") + "MB"


def _render(application: Application, upload_form: UploadDocumentForm,
            complete_form: CompleteSectionForm, submitted=None):
    """The section page; `submitted` is the form just sent, whose errors the summary lists."""
    return render_template(
        "documents/section.html", application=application,
        requirements=services.requirements(application),
        can_edit=policies.can_edit_application(current_person(), application),
        upload_form=upload_form, complete_form=complete_form, form=submitted)


def _forms(application: Application) -> tuple[UploadDocumentForm, CompleteSectionForm]:
    completed = section_status(application, services.SECTION) is SectionStatus.COMPLETED
    return (UploadDocumentForm(application.round.required_documents,
                               services.max_file_bytes() // 2**20),
            CompleteSectionForm(completed="yes" if completed else None))


@bp.route("/applications/<int:application_id>", methods=["GET", "POST"])
@login_required
def section(application_id: int):
    """The application's documents section: the round's required documents, the files uploaded
    for each, and (POST) uploading another."""
    editing = request.method == "POST"
    application = services.get_application(current_person(), application_id, for_editing=editing)
    upload_form, complete_form = _forms(application)
    if not editing:
        return _render(application, upload_form, complete_form)
    if upload_form.validate_on_submit():
        upload = upload_form.file.data
        try:
            document = services.upload_document(current_person(), application,
                                                upload_form.requirement.data,
                                                upload.filename or "", upload.stream)
        except RuleBroken as error:
            show_rule_broken(upload_form, error)
        else:
            flash(f"{document.original_filename} has been uploaded.", "success")
            return redirect(url_for("documents.section", application_id=application.id))
    return _render(application, upload_form, complete_form, submitted=upload_form)


@bp.post("/applications/<int:application_id>/complete")
@login_required
def complete(application_id: int):
    """Mark the section completed (every required document uploaded) or not yet."""
    application = services.get_application(current_person(), application_id, for_editing=True)
    upload_form, complete_form = _forms(application)
    if complete_form.validate_on_submit():
        try:
            services.mark_section(current_person(), application,
                                  complete_form.completed.data == "yes")
        except RuleBroken as error:
            show_rule_broken(complete_form, error)
        else:
            return redirect(url_for("applications.show", application_id=application.id))
    return _render(application, upload_form, complete_form, submitted=complete_form)


@bp.post("/<int:document_id>/remove")
@login_required
def remove(document_id: int):
    """Remove a file from a draft application."""
    document = services.remove_document(current_person(), document_id)
    flash(f"{document.original_filename} has been removed.", "success")
    return redirect(url_for("documents.section", application_id=document.application_id))


@bp.get("/<int:document_id>")
@login_required
def download(document_id: int):
    """The file, always as an attachment with the type found by its content, so a browser never
    shows it as a page of this site."""
    document, data = services.get_document(current_person(), document_id)
    return send_upload(data, document.content_type, document.original_filename,
                       f"document {document.id}")
