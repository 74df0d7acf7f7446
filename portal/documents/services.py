"""Documents uploaded with applications: checked by content, kept in the file store
(portal.file_store, never under static/), served only as attachments."""

import hashlib
import logging
import os
import secrets
from dataclasses import asdict, dataclass
from typing import IO

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from models import Application, Document, Organisation, User
from models.base import utcnow
from models.enums import SectionStatus
from portal import audit, file_store, policies
from portal.applications.sections import set_section_status
from portal.documents.filetypes import ZIP_BASED, clean_filename, sniff, unzipped
from portal.exceptions import NotAllowed, RuleBroken
from portal.extensions import db

SECTION = "documents"
MAX_FILES_PER_REQUIREMENT = 10
WRONG_TYPE = ("The selected file must be a PDF, Word document, Excel spreadsheet, "
              "OpenDocument text, JPG or PNG")
# Word, Excel and OpenDocument files are ZIPs of a few dozen parts; a few hundred at most.
MAX_ZIP_PARTS = 1000
CHUNK = 1024 * 1024

log = logging.getLogger(__name__)


@dataclass
class Requirement:
    """One of the round's required documents and the files uploaded for it."""

    name: str
    documents: list[Document]


def max_file_bytes() -> int:
    """The largest file accepted: MAX_UPLOAD_MB, which is also the request limit elsewhere."""
    return current_app.config["MAX_CONTENT_LENGTH"]


def max_unzipped_bytes() -> int:
    """The most a Word, Excel or OpenDocument file may unzip to: MAX_UNCOMPRESSED_MB."""
    return current_app.config["MAX_UNCOMPRESSED_BYTES"]


def get_application(user: User, application_id: int, for_editing: bool = False) -> Application:
    """Load an application for its documents section, which belongs to the applicant's pages:
    the organisation's members only, and only while it is a draft `for_editing` (staff download
    the documents from their own pages). An unknown id is refused the same way as someone
    else's, so ids cannot be probed."""
    application = db.session.scalar(
        select(Application).where(Application.id == application_id)
        .options(joinedload(Application.round),
                 joinedload(Application.organisation).selectinload(Organisation.memberships)))
    if application is None or policies.membership_of(user, application.organisation) is None:
        raise NotAllowed
    if for_editing and not policies.can_edit_application(user, application):
        raise NotAllowed
    return application


def requirements(application: Application) -> list[Requirement]:
    """The round's required documents in its order, each with its files, oldest first. Files
    for a requirement the round no longer lists are shown after them, never hidden."""
    documents = db.session.scalars(
        select(Document).where(Document.application_id == application.id)
        .order_by(Document.uploaded_at, Document.id)).all()
    names = list(application.round.required_documents)
    names += sorted({d.requirement for d in documents} - set(names))
    return [Requirement(name, [d for d in documents if d.requirement == name]) for name in names]


def missing_requirements(application: Application) -> list[str]:
    """The required documents with no file yet (the section cannot be completed without them)."""
    return [r.name for r in requirements(application)
            if not r.documents and r.name in application.round.required_documents]


def upload_document(user: User, application: Application, requirement: str, filename: str,
                    stream: IO[bytes]) -> Document:
    """Check the file by its size and content, store it under a random name and record it.

    The bytes are written first and the row second; if the row cannot be saved the file is
    removed again, so there is never a row without its file. (On the database file store both
    are in the one transaction.)
    """
    policies.require(policies.can_edit_application(user, application))
    if requirement not in application.round.required_documents:
        raise RuleBroken("Select which document you are uploading", field="requirement")
    uploaded = db.session.scalar(
        select(func.count()).select_from(Document)
        .where(Document.application_id == application.id, Document.requirement == requirement))
    if uploaded >= MAX_FILES_PER_REQUIREMENT:
        raise RuleBroken(f"You can upload up to {MAX_FILES_PER_REQUIREMENT} files for "
                         f"{_the(requirement)}. Remove one to add another", field="file")
    stored = store_file(stream, filename)
    document = Document(application=application, requirement=requirement,
                        uploaded_by=user, **stored.columns())
    try:
        db.session.add(document)
        set_section_status(application, SECTION, SectionStatus.IN_PROGRESS)
        application.updated_at = utcnow()
        db.session.flush()
        audit.record("document.uploaded", actor=user, subject=document,
                     details=_audit_details(document))
        db.session.commit()
    except Exception:
        db.session.rollback()
        remove_file(stored.stored_name)
        raise
    return document


@dataclass(frozen=True)
class CheckedFile:
    """A checked file kept in the file store, as its row records it."""

    stored_name: str
    original_filename: str
    content_type: str
    size_bytes: int
    sha256: str

    def columns(self) -> dict:
        return asdict(self)


def store_file(stream: IO[bytes], filename: str) -> CheckedFile:
    """Check the file by its size and content (RuleBroken beside the "file" field) and keep
    it under a random name. The caller records it, and removes the file again (`remove_file`)
    if the row cannot be saved."""
    size = stream.seek(0, os.SEEK_END)
    if size == 0:
        raise RuleBroken("The selected file is empty", field="file")
    if size > max_file_bytes():
        raise RuleBroken(f"The selected file must be smaller than {max_file_bytes() // 2**20}MB",
                         field="file")
    file_type = sniff(stream)
    if file_type is None:
        raise RuleBroken(WRONG_TYPE, field="file")
    if file_type in ZIP_BASED:
        _check_unzipped(stream)
    stored_name = secrets.token_hex(16)
    sha256 = _sha256(stream)
    file_store.save(file_store.UPLOADS, stored_name, stream)
    return CheckedFile(stored_name, clean_filename(filename, file_type), file_type.content_type,
                      size, sha256)


def _check_unzipped(stream: IO[bytes]) -> None:
    """Refuse a "zip bomb": a small file that unzips to enough to fill the memory or disk of
    whoever opens it (an officer's laptop, a virus scanner). The sizes come from the ZIP's
    directory, so nothing is unzipped to check them."""
    contents = unzipped(stream)
    if contents.size > max_unzipped_bytes():
        raise RuleBroken("The selected file must be smaller than "
                         f"{max_unzipped_bytes() // 2**20}MB when unzipped", field="file")
    if contents.parts > MAX_ZIP_PARTS:
        raise RuleBroken(f"The selected file must have no more than {MAX_ZIP_PARTS:,} parts "
                         "when unzipped", field="file")


def remove_file(stored_name: str) -> None:
    """Delete a stored file once its row is gone; a file left behind is logged, not fatal."""
    try:
        file_store.delete(file_store.UPLOADS, stored_name)
    except Exception:
        # Whatever the store's error (a disk's, the database's, S3's), the row is gone and the
        # person's request succeeded: an orphaned file is only wasted space.
        log.exception("Could not delete the stored file %s", stored_name)


def _sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    stream.seek(0)
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def stored_bytes(stored_name: str) -> bytes | None:
    """An uploaded file's bytes, or None when they are missing."""
    return file_store.read(file_store.UPLOADS, stored_name)


def get_document(user: User, document_id: int) -> tuple[Document, bytes | None]:
    """A document the user may download, and its bytes (None when they are missing)."""
    document = db.session.get(Document, document_id)
    if document is None or not policies.can_view_application(user, document.application):
        raise NotAllowed
    return document, stored_bytes(document.stored_name)


def remove_document(user: User, document_id: int) -> Document:
    """Delete a document of a draft application. The row goes first: a file left behind by a
    failure is harmless, a row whose file is gone is not."""
    document = db.session.get(Document, document_id)
    if document is None or not policies.can_edit_application(user, document.application):
        raise NotAllowed
    application = document.application
    audit.record("document.removed", actor=user, subject=document,
                 details=_audit_details(document))
    db.session.delete(document)
    set_section_status(application, SECTION, SectionStatus.IN_PROGRESS)
    application.updated_at = utcnow()
    db.session.commit()
    remove_file(document.stored_name)
    return document


def mark_section(user: User, application: Application, completed: bool) -> None:
    """Mark the documents section completed (only with every required document uploaded)
    or still in progress."""
    policies.require(policies.can_edit_application(user, application))
    if completed:
        missing = missing_requirements(application)
        if missing:
            raise RuleBroken("Upload " + _and(map(_the, missing)), field="completed")
    status = SectionStatus.COMPLETED if completed else SectionStatus.IN_PROGRESS
    set_section_status(application, SECTION, status)
    application.updated_at = utcnow()
    db.session.commit()


def _audit_details(document: Document) -> dict:
    return {"application_id": document.application_id, "requirement": document.requirement,
            "file_name": document.original_filename, "sha256": document.sha256}


def _the(requirement: str) -> str:
    """'Latest accounts' -> 'the latest accounts'; an acronym such as 'DBS check' keeps its case."""
    if len(requirement) > 1 and requirement[1].isupper():
        return f"the {requirement}"
    return f"the {requirement[:1].lower()}{requirement[1:]}"


def _and(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
