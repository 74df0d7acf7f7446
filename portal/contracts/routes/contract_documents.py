"""The documents kept with a contract: listing, adding, removing and downloading them."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from forms.contracts import ContractDocumentForm
from models.enums import Role
from portal.auth import roles_required
from portal.contracts import documents
from portal.contracts.routes import bp, contract_for
from portal.documents.services import max_file_bytes
from portal.exceptions import RuleBroken
from portal.views import allow_room_for_the_form, current_person, send_upload, show_rule_broken


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
    found = contract_for(contract_id)
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
    found = contract_for(contract_id)
    title = documents.remove(current_person(), found, contract_document_id)
    flash(f"{title} has been removed.", "success")
    return redirect(url_for("contracts.documents", contract_id=found.id))


@bp.get("/<int:contract_id>/documents/<int:contract_document_id>")
@login_required
def document(contract_id: int, contract_document_id: int):
    """A document's file, for commissioners and the provider's members."""
    found, data = documents.get(current_person(), contract_id, contract_document_id)
    return send_upload(data, found.content_type, found.original_filename,
                       f"contract document {found.id}")
