"""Documents kept with a contract: the signed contract, its specification, variation letters.
Commissioners add and remove them; the provider's members may read them. Files are checked
and stored as applications' documents are (portal.documents.services)."""

from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from models import Contract, ContractDocument, User
from portal import audit, policies
from portal.documents.services import remove_file, store_file, stored_bytes
from portal.exceptions import NotFound, RuleBroken
from portal.extensions import db

MAX_DOCUMENTS = 50


def documents(user: User, contract: Contract) -> list[ContractDocument]:
    """The contract's documents, newest first, with who uploaded them: one query."""
    policies.require(policies.can_view_contract(user, contract))
    return list(db.session.scalars(
        select(ContractDocument).where(ContractDocument.contract_id == contract.id)
        .options(joinedload(ContractDocument.uploaded_by))
        .order_by(ContractDocument.uploaded_at.desc(), ContractDocument.id.desc())))


def _details(document: ContractDocument) -> dict:
    return {"contract_id": document.contract_id, "title": document.title,
            "file_name": document.original_filename, "sha256": document.sha256}


def upload(user: User, contract: Contract, title: str, filename: str,
           stream: IO[bytes]) -> ContractDocument:
    """Check and keep a file with the contract under `title`. The file is written first and
    removed again if its row cannot be saved."""
    policies.require(policies.can_commission(user))
    title = title.strip()
    if not title:
        raise RuleBroken("Enter what the document is, for example Signed contract",
                         field="title")
    if len(documents(user, contract)) >= MAX_DOCUMENTS:
        raise RuleBroken(f"A contract can keep up to {MAX_DOCUMENTS} documents. Remove one to "
                         "add another", field="file")
    stored = store_file(stream, filename)
    document = ContractDocument(contract=contract, title=title, uploaded_by=user,
                                **stored.columns())
    try:
        db.session.add(document)
        db.session.flush()
        audit.record("contract.document_uploaded", actor=user, subject=contract,
                     details=_details(document))
        db.session.commit()
    except Exception:
        db.session.rollback()
        remove_file(stored.stored_name)
        raise
    return document


def _document(contract: Contract, document_id: int) -> ContractDocument:
    """The contract's document `document_id`; another contract's is not found, so no id can
    be guessed across contracts."""
    document = db.session.scalar(select(ContractDocument).where(
        ContractDocument.id == document_id, ContractDocument.contract_id == contract.id))
    if document is None:
        raise NotFound(document_id)
    return document


def get(user: User, contract_id: int,
        document_id: int) -> tuple[ContractDocument, bytes | None]:
    """A document of contract `contract_id` the user may read (a commissioner, or a member of
    the provider), and its bytes (None when they are missing); NotFound when the contract has
    no such document."""
    document = db.session.scalar(
        select(ContractDocument).where(ContractDocument.id == document_id,
                                       ContractDocument.contract_id == contract_id)
        .options(joinedload(ContractDocument.contract)))
    if document is None:
        raise NotFound(document_id)
    policies.require(policies.can_view_contract(user, document.contract))
    return document, stored_bytes(document.stored_name)


def remove(user: User, contract: Contract, document_id: int) -> str:
    """Delete a document and return its title: the row first, then the file (a file left
    behind is harmless, a row without its file is not)."""
    policies.require(policies.can_commission(user))
    document = _document(contract, document_id)
    title, stored_name = document.title, document.stored_name
    audit.record("contract.document_removed", actor=user, subject=contract,
                 details=_details(document))
    db.session.delete(document)
    db.session.commit()
    remove_file(stored_name)
    return title
