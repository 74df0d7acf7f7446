"""The documents section of an application: upload, list, download, remove, complete, and who
may do each."""

import hashlib
import io
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from models import Application, AuditEvent, Document
from models.base import db
from models.enums import ApplicationStatus, OrganisationRole, Role, SectionStatus
from portal.applications.sections import section_status
from portal.documents import services
from portal.documents.routes import file_size
from tests.conftest import FILE_STORES, Store, sign_in_as
from tests.documents import samples
from tests.factories import ApplicationFactory, MembershipFactory, UserFactory
from tests.html import error_messages, soup, summary_errors

MB = 1024 * 1024
WRONG_TYPE = ("The selected file must be a PDF, Word document, Excel spreadsheet, "
              "OpenDocument text, JPG or PNG")


@pytest.fixture(autouse=True)
def uploads(store) -> Store:
    """Every test keeps its files in a store of its own."""
    return store


# The upload and download tests that matter most run on each file store.
each_store = pytest.mark.parametrize("store", FILE_STORES, indirect=True)


def stored_files(uploads: Store) -> list[str]:
    return uploads.names("uploads")


def draft_of_member(client) -> Application:
    """A draft application of an organisation whose admin is signed in. The round asks for a
    governing document, the latest accounts and a bank statement."""
    membership = MembershipFactory(role=OrganisationRole.ADMIN)
    application = ApplicationFactory(organisation=membership.organisation,
                                     created_by=membership.user)
    sign_in_as(client, membership.user)
    return application


def post_files(client, path: str, fields: dict, files: dict[str, tuple[bytes, str]]):
    """POST a multipart form encoded in memory: the test client would spool a large body to a
    temporary file that it never closes (a ResourceWarning, so an error here). The browser's
    content type is always text/html, which nothing may trust."""
    values = {**fields, **{name: FileStorage(io.BytesIO(content), filename=filename,
                                             content_type="text/html")
                           for name, (content, filename) in files.items()}}
    boundary, body = encode_multipart(values)
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def upload(client, application, content=samples.PDF, name="accounts.pdf",
           requirement="Latest accounts", **fields):
    if requirement is not None:
        fields["requirement"] = requirement
    return post_files(client, f"/documents/applications/{application.id}", fields,
                      {"file": (content, name)})


def documents_of(application) -> list[Document]:
    db.session.expire_all()
    return list(db.session.scalars(select(Document).where(
        Document.application_id == application.id).order_by(Document.id)))


def download(client, document_id: int):
    """GET a document; the response is read and closed (it streams from an open file)."""
    response = client.get(f"/documents/{document_id}")
    response.get_data()
    response.close()
    return response


def status_of(application) -> SectionStatus:
    db.session.expire_all()
    return section_status(db.session.get(Application, application.id), "documents")


def banners(response) -> list[str]:
    return [banner.get_text(strip=True)
            for banner in soup(response).select(".govuk-notification-banner__content")]


# Uploading, listing and downloading


@each_store
def test_upload_stores_the_bytes_under_a_random_name_with_their_sha256(client, uploads):
    """The file is written outside static/ under a random name; the row keeps the original name,
    the type found by content, the size and the sha256; the section is now in progress."""
    application = draft_of_member(client)
    response = upload(client, application)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/documents/applications/{application.id}"

    [document] = documents_of(application)
    assert stored_files(uploads) == [document.stored_name]
    assert len(document.stored_name) == 32 and int(document.stored_name, 16) >= 0
    assert uploads.read("uploads", document.stored_name) == samples.PDF
    assert document.sha256 == hashlib.sha256(samples.PDF).hexdigest()
    assert (document.original_filename, document.requirement, document.content_type,
            document.size_bytes) == ("accounts.pdf", "Latest accounts", "application/pdf",
                                     len(samples.PDF))
    assert document.uploaded_by_id == application.organisation.memberships[0].user_id
    assert status_of(application) is SectionStatus.IN_PROGRESS
    assert banners(client.get(response.headers["Location"])) == ["accounts.pdf has been uploaded."]


def test_upload_is_audited_with_name_requirement_and_sha256(client):
    application = draft_of_member(client)
    upload(client, application, name="Accounts 2024.pdf")
    [document] = documents_of(application)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "document.uploaded"))
    assert (event.object_type, event.object_id) == ("Document", document.id)
    assert event.details == {"application_id": application.id, "requirement": "Latest accounts",
                             "file_name": "Accounts 2024.pdf",
                             "sha256": hashlib.sha256(samples.PDF).hexdigest()}


def test_the_page_lists_each_required_document_with_its_files(client):
    """Requirements in the round's order; each file with its size and date, linked for download;
    one upload form (multipart) whose radios offer the round's requirements."""
    application = draft_of_member(client)
    client.get(upload(client, application, name="accounts-p1.pdf").headers["Location"])
    upload(client, application, content=samples.PNG, name="accounts-p2.png")
    response = client.get(f"/documents/applications/{application.id}")
    assert response.status_code == 200
    page = soup(response)
    assert [h2.text for h2 in page.select("h2.govuk-heading-m")] == [
        "Governing document", "Latest accounts", "Bank statement", "Upload a document"]
    rows = [(row.select_one("a").text, row.select_one(".govuk-summary-list__value").text)
            for row in page.select(".govuk-summary-list__row")]
    assert [name for name, _ in rows] == ["accounts-p1.pdf", "accounts-p2.png"]
    assert rows[0][1].startswith(f"{len(samples.PDF)} bytes, uploaded ")
    links = [a["href"] for a in page.select(".govuk-summary-list__key a")]
    assert links == [f"/documents/{d.id}" for d in documents_of(application)]
    assert page.body.get_text().count("Not uploaded yet.") == 2
    form = page.select_one("form[enctype='multipart/form-data']")
    assert [radio["value"] for radio in form.select("input[name=requirement]")] == [
        "Governing document", "Latest accounts", "Bank statement"]
    assert form.select_one("input[type=file][name=file]") is not None
    assert len(page.select("form button")) >= 2  # a Remove button per file
    ids = [tag["id"] for tag in page.select("[id]")]
    assert len(ids) == len(set(ids))  # two forms on one page, and no id used twice


def test_download_is_an_attachment_that_is_never_sniffed_or_cached(client):
    application = draft_of_member(client)
    upload(client, application, name="Zoë’s accounts (2024).pdf")
    [document] = documents_of(application)
    response = client.get(f"/documents/{document.id}")
    body = response.get_data()
    response.close()
    assert response.status_code == 200
    assert body == samples.PDF
    assert response.headers["Content-Type"] == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Zo%C3%ABs%20accounts%20%282024%29.pdf" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers


@pytest.mark.parametrize(("content", "name", "content_type", "download_name"), [
    (samples.PDF, "constitution.pdf", "application/pdf", "constitution.pdf"),
    (samples.JPEG, "photo.jpeg", "image/jpeg", "photo.jpeg"),
    (samples.PNG, "scan.png", "image/png", "scan.png"),
    (samples.DOCX, "policy.docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "policy.docx"),
    (samples.XLSX, "budget.xlsx",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "budget.xlsx"),
    (samples.ODT, "minutes.odt", "application/vnd.oasis.opendocument.text", "minutes.odt"),
    (samples.PDF, "statement.docx", "application/pdf", "statement.docx.pdf"),
], ids=["pdf", "jpeg", "png", "docx", "xlsx", "odt", "pdf-named-docx"])
def test_the_type_found_by_content_is_stored_and_served(client, content, name, content_type,
                                                        download_name):
    """Whatever the browser claims, the stored and served type is the one the bytes show, and
    the download name ends with its extension."""
    application = draft_of_member(client)
    response = upload(client, application, content=content, name=name,
                      requirement="Bank statement")
    assert response.status_code == 302
    [document] = documents_of(application)
    assert (document.content_type, document.original_filename) == (content_type, download_name)
    served = download(client, document.id)
    assert served.headers["Content-Type"] == content_type
    assert served.headers["Content-Disposition"] == f"attachment; filename={download_name}"


@each_store
def test_a_missing_file_is_not_found_not_a_server_error(client, uploads, caplog):
    application = draft_of_member(client)
    upload(client, application)
    [document] = documents_of(application)
    uploads.lose("uploads", document.stored_name)
    assert download(client, document.id).status_code == 404
    assert f"The file of document {document.id} is missing" in caplog.text


# Bad files


@pytest.mark.parametrize(("content", "name"), [
    (samples.EXE, "accounts.pdf"),
    (samples.TEXT, "accounts.pdf"),
    (samples.HTML, "accounts.pdf"),
    (samples.PLAIN_ZIP, "accounts.docx"),
    (samples.encrypted(samples.DOCX), "accounts.docx"),
], ids=["exe", "text", "html", "plain-zip", "encrypted-docx"])
def test_a_file_of_the_wrong_type_is_refused_beside_the_field(client, uploads, content,
                                                              name):
    application = draft_of_member(client)
    response = upload(client, application, content=content, name=name)
    assert response.status_code == 200
    assert error_messages(response) == {"file": WRONG_TYPE}
    assert summary_errors(response) == [WRONG_TYPE]
    assert soup(response).title.text.startswith("Error: ")
    assert documents_of(application) == []
    assert stored_files(uploads) == []
    # the applicant's choice of requirement is kept
    assert soup(response).select_one("input[name=requirement][checked]")["value"] == (
        "Latest accounts")


@pytest.mark.parametrize(("fields", "files", "errors"), [
    ({"requirement": "Latest accounts"}, {}, {"file": "Select a file"}),
    ({"requirement": "Latest accounts"}, {"file": (b"", "")}, {"file": "Select a file"}),
    ({"requirement": "Latest accounts"}, {"file": (b"", "empty.pdf")},
     {"file": "The selected file is empty"}),
    ({}, {"file": (samples.PDF, "accounts.pdf")},
     {"requirement": "Select which document you are uploading"}),
    ({"requirement": "Our favourite recipe"}, {"file": (samples.PDF, "a.pdf")},
     {"requirement": "Select which document you are uploading"}),
], ids=["no-file", "empty-file-input", "empty-file", "no-requirement", "unknown-requirement"])
def test_missing_choices_are_explained(client, uploads, fields, files, errors):
    application = draft_of_member(client)
    response = post_files(client, f"/documents/applications/{application.id}", fields, files)
    assert response.status_code == 200
    assert error_messages(response) == errors
    assert documents_of(application) == []
    assert stored_files(uploads) == []


def test_a_file_over_the_default_limit_gets_a_message_beside_the_field(client, uploads):
    """10MB is the default limit; a file one byte over it is refused with a message, not 413."""
    application = draft_of_member(client)
    response = upload(client, application, content=samples.PDF.ljust(10 * MB + 1, b" "))
    assert response.status_code == 200
    assert error_messages(response) == {"file": "The selected file must be smaller than 10MB"}
    assert stored_files(uploads) == []


def test_a_file_of_exactly_the_limit_is_accepted(client, monkeypatch):
    monkeypatch.setitem(client.application.config, "MAX_CONTENT_LENGTH", MB)
    application = draft_of_member(client)
    assert upload(client, application, content=samples.PDF.ljust(MB, b" ")).status_code == 302
    assert documents_of(application)[0].size_bytes == MB


def test_the_limit_follows_max_upload_mb(client, uploads, monkeypatch):
    """MAX_UPLOAD_MB sets MAX_CONTENT_LENGTH; the message and the hint follow it. A request far
    beyond the limit still gets the 413 page."""
    monkeypatch.setitem(client.application.config, "MAX_CONTENT_LENGTH", 2 * MB)
    application = draft_of_member(client)
    page = soup(client.get(f"/documents/applications/{application.id}"))
    assert page.select_one("#file-hint").text.strip().endswith("smaller than 2MB")

    response = upload(client, application, content=samples.PDF.ljust(2 * MB + 1, b" "))
    assert error_messages(response) == {"file": "The selected file must be smaller than 2MB"}

    response = upload(client, application, content=samples.PDF.ljust(4 * MB, b" "))
    assert response.status_code == 413
    assert stored_files(uploads) == []


def test_the_size_message_is_shown_with_csrf_protection_on(client, monkeypatch):
    """The CSRF check is the first to read the request body, so the larger request allowance
    for uploads must already be in place by then."""
    monkeypatch.setitem(client.application.config, "WTF_CSRF_ENABLED", True)
    monkeypatch.setitem(client.application.config, "MAX_CONTENT_LENGTH", MB)
    application = draft_of_member(client)
    page = soup(client.get(f"/documents/applications/{application.id}"))
    token = page.select_one("form[enctype] input[name=csrf_token]")["value"]
    response = upload(client, application, content=samples.PDF.ljust(MB + 1, b" "),
                      csrf_token=token)
    assert response.status_code == 200
    assert error_messages(response) == {"file": "The selected file must be smaller than 1MB"}


def test_files_per_requirement_are_limited(client, monkeypatch):
    monkeypatch.setattr(services, "MAX_FILES_PER_REQUIREMENT", 2)
    application = draft_of_member(client)
    upload(client, application)
    upload(client, application)
    response = upload(client, application)
    assert error_messages(response) == {
        "file": "You can upload up to 2 files for the latest accounts. Remove one to add another"}
    assert upload(client, application, requirement="Bank statement").status_code == 302


@each_store
def test_a_failed_save_leaves_no_file_behind(ctx, uploads, monkeypatch):
    """The file is written before the row; if the row cannot be saved, the file goes too."""
    membership = MembershipFactory(role=OrganisationRole.ADMIN)
    application = ApplicationFactory(organisation=membership.organisation,
                                     created_by=membership.user)

    def commit_fails():
        raise OperationalError("COMMIT", {}, Exception("the database went away"))

    monkeypatch.setattr(db.session, "commit", commit_fails)
    with pytest.raises(OperationalError):
        services.upload_document(membership.user, application, "Latest accounts", "a.pdf",
                                 io.BytesIO(samples.PDF))
    assert stored_files(uploads) == []
    monkeypatch.undo()
    assert documents_of(application) == []


@pytest.mark.parametrize("store", ["folder"], indirect=True)
def test_the_upload_folder_may_not_be_inside_static(ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "UPLOAD_FOLDER", str(Path(ctx.static_folder) / "uploads"))
    with pytest.raises(RuntimeError, match="static"):
        services.store_file(io.BytesIO(samples.PDF), "a.pdf")


# Removing


@each_store
def test_remove_deletes_the_row_and_the_file_and_is_audited(client, uploads):
    application = draft_of_member(client)
    upload(client, application, name="old accounts.pdf")
    upload(client, application, name="new accounts.pdf")
    old, new = documents_of(application)
    old_id, old_sha256, new_id, new_path = old.id, old.sha256, new.id, new.stored_name

    response = client.post(f"/documents/{old_id}/remove")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/documents/applications/{application.id}"
    assert "old accounts.pdf has been removed." in banners(client.get(response.headers["Location"]))
    assert [d.id for d in documents_of(application)] == [new_id]
    assert stored_files(uploads) == [new_path]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "document.removed"))
    assert (event.object_id, event.details["file_name"], event.details["requirement"],
            event.details["sha256"]) == (old_id, "old accounts.pdf", "Latest accounts",
                                         old_sha256)
    assert status_of(application) is SectionStatus.IN_PROGRESS


def test_after_submission_files_can_be_downloaded_but_not_changed(client, uploads):
    """Once submitted, uploads, removals and the section's status are refused (403), the page
    shows no forms, and the files can still be downloaded."""
    application = draft_of_member(client)
    upload(client, application)
    [document] = documents_of(application)
    application.status = ApplicationStatus.SUBMITTED
    db.session.commit()

    assert upload(client, application, name="late.pdf").status_code == 403
    assert client.post(f"/documents/{document.id}/remove").status_code == 403
    assert client.post(f"/documents/applications/{application.id}/complete",
                       data={"completed": "yes"}).status_code == 403
    assert [d.id for d in documents_of(application)] == [document.id]
    assert len(stored_files(uploads)) == 1

    page = soup(client.get(f"/documents/applications/{application.id}"))
    assert page.select("form[action^='/documents']") == []
    assert page.select_one(".govuk-summary-list a").text == "accounts.pdf"
    assert download(client, document.id).status_code == 200


# Completing the section


def complete(client, application, answer):
    return client.post(f"/documents/applications/{application.id}/complete",
                       data={} if answer is None else {"completed": answer})


def test_the_section_cannot_be_completed_while_a_document_is_missing(client):
    application = draft_of_member(client)
    response = complete(client, application, "yes")
    assert error_messages(response) == {"completed": "Upload the governing document, the latest "
                                                     "accounts and the bank statement"}
    upload(client, application, requirement="Governing document")
    upload(client, application, requirement="Bank statement")
    response = complete(client, application, "yes")
    assert response.status_code == 200
    assert error_messages(response) == {"completed": "Upload the latest accounts"}
    assert summary_errors(response) == ["Upload the latest accounts"]
    assert status_of(application) is SectionStatus.IN_PROGRESS


def test_the_section_is_completed_with_every_document(client):
    application = draft_of_member(client)
    for requirement in ("Governing document", "Latest accounts", "Bank statement"):
        upload(client, application, requirement=requirement)
    response = complete(client, application, "yes")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/applications/{application.id}"  # the task list
    assert status_of(application) is SectionStatus.COMPLETED
    page = soup(client.get(f"/documents/applications/{application.id}"))
    assert page.select_one("input[name=completed][checked]")["value"] == "yes"

    # Another upload (or a removal) means the section needs checking again.
    upload(client, application, content=samples.PNG, name="page 2.png")
    assert status_of(application) is SectionStatus.IN_PROGRESS


def test_answering_no_leaves_the_section_in_progress(client):
    application = draft_of_member(client)
    assert complete(client, application, "no").status_code == 302
    assert status_of(application) is SectionStatus.IN_PROGRESS


@pytest.mark.parametrize("answer", [None, "maybe"])
def test_the_question_must_be_answered(client, answer):
    application = draft_of_member(client)
    response = complete(client, application, answer)
    assert error_messages(response) == {
        "completed": "Select whether you have completed this section"}
    assert status_of(application) is SectionStatus.NOT_STARTED


def test_a_round_without_required_documents_can_be_completed_at_once(client):
    application = draft_of_member(client)
    application.round.required_documents = []
    db.session.commit()
    page = soup(client.get(f"/documents/applications/{application.id}"))
    assert "This round does not ask for any documents." in page.text
    assert page.select("input[type=file]") == []
    assert complete(client, application, "yes").status_code == 302
    assert status_of(application) is SectionStatus.COMPLETED


# Who may do what


@pytest.fixture
def stored_document(ctx) -> Document:
    """A document of an organisation's draft application, stored through the service."""
    membership = MembershipFactory(role=OrganisationRole.ADMIN)
    application = ApplicationFactory(organisation=membership.organisation,
                                     created_by=membership.user)
    return services.upload_document(membership.user, application, "Latest accounts",
                                    "accounts.pdf", io.BytesIO(samples.PDF))


def attempts(document: Document) -> dict[str, tuple[str, str, dict]]:
    application_id = document.application_id
    return {
        "page": ("GET", f"/documents/applications/{application_id}", {}),
        "upload": ("POST", f"/documents/applications/{application_id}",
                   {"requirement": "Latest accounts",
                    "file": (io.BytesIO(samples.PDF), "mine.pdf")}),
        "complete": ("POST", f"/documents/applications/{application_id}/complete",
                     {"completed": "no"}),
        "remove": ("POST", f"/documents/{document.id}/remove", {}),
        "download": ("GET", f"/documents/{document.id}", {}),
    }


def answers(client, document) -> dict[str, int]:
    result = {}
    for name, (method, path, data) in attempts(document).items():
        response = client.open(path, method=method, data=data)
        response.get_data()
        response.close()
        result[name] = response.status_code
    return result


def test_another_organisation_is_refused_everything(client, stored_document, uploads):
    other = MembershipFactory(role=OrganisationRole.ADMIN)
    ApplicationFactory(organisation=other.organisation, created_by=other.user)
    sign_in_as(client, other.user)
    assert answers(client, stored_document) == dict.fromkeys(attempts(stored_document), 403)
    assert documents_of(stored_document.application) != []
    assert len(stored_files(uploads)) == 1


@pytest.mark.parametrize("role", [Role.GRANTS_OFFICER, Role.COMMISSIONER, Role.ADMIN])
def test_staff_may_download_but_not_use_the_applicants_page(client, stored_document, role):
    """Staff download documents (from their own pages); the section page is the applicant's."""
    sign_in_as(client, UserFactory(roles=(role,)))
    assert answers(client, stored_document) == {
        "page": 403, "upload": 403, "complete": 403, "remove": 403, "download": 200}


def test_assessors_are_refused_for_now(client, stored_document):
    """Assessors will see the applications assigned to them in a later issue."""
    sign_in_as(client, UserFactory(roles=(Role.ASSESSOR,)))
    assert answers(client, stored_document) == dict.fromkeys(attempts(stored_document), 403)


def test_unknown_ids_look_the_same_as_forbidden_ones(client):
    draft_of_member(client)
    for method, path in (("GET", "/documents/applications/987654"),
                         ("POST", "/documents/applications/987654"),
                         ("POST", "/documents/applications/987654/complete"),
                         ("POST", "/documents/987654/remove"),
                         ("GET", "/documents/987654")):
        response = client.open(path, method=method)
        assert response.status_code == 403
        assert soup(response).h1.text == "You do not have permission to see this page"


def test_file_sizes_are_written_as_the_limit_is():
    assert [file_size(n) for n in (0, 1023, 1024, 12_800, MB, 2_516_582, 10 * MB)] == [
        "0 bytes", "1023 bytes", "1KB", "12KB", "1MB", "2.4MB", "10MB"]
