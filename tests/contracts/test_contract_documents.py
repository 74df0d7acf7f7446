"""Documents kept with a contract: commissioners add and remove them; the provider's members
may download them; nobody else, whatever id they guess."""

import io

import pytest
from sqlalchemy import select

from models import ContractDocument
from models.base import db
from models.enums import ContractStatus, OrganisationRole, Role
from tests.conftest import FILE_STORES, sign_in_as
from tests.contracts.commissioning import audit_events
from tests.documents import samples
from tests.factories import ContractFactory, MembershipFactory, UserFactory
from tests.html import error_messages, soup


@pytest.fixture
def commissioner(client, store):
    user = UserFactory(roles=(Role.COMMISSIONER,))
    sign_in_as(client, user)
    return user


def add(client, contract, content=samples.PDF, name="contract.pdf", title="Signed contract"):
    return client.post(f"/contracts/{contract.id}/documents", data={
        "title": title, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data")


def fetched(client, url: str):
    """The response, its file closed (files are streamed)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def kept(contract) -> list[ContractDocument]:
    db.session.expire_all()
    return list(db.session.scalars(select(ContractDocument).where(
        ContractDocument.contract_id == contract.id)))


@pytest.mark.parametrize("store", FILE_STORES, indirect=True)
def test_a_commissioner_keeps_a_document_with_the_contract(client, commissioner, store):
    contract = ContractFactory()
    response = add(client, contract)
    assert response.status_code == 302
    (document,) = kept(contract)
    assert (document.title, document.original_filename) == ("Signed contract", "contract.pdf")
    assert store.read("uploads", document.stored_name) == samples.PDF
    page = soup(client.get(f"/contracts/{contract.id}/documents"))
    assert "Signed contract" in page.select_one("#documents").get_text()
    download = fetched(client, f"/contracts/{contract.id}/documents/{document.id}")
    assert download.data == samples.PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert [event.details["title"] for event in
            audit_events("contract.document_uploaded")] == ["Signed contract"]


@pytest.mark.parametrize(("content", "name", "title", "field", "message"), [
    (samples.EXE, "contract.pdf", "Signed contract", "file", "must be a PDF, Word document"),
    (b"", "contract.pdf", "Signed contract", "file", "The selected file is empty"),
    (samples.PDF, "contract.pdf", "", "title", "Enter what the document is"),
])
def test_a_bad_file_or_missing_title_is_refused_beside_its_field(
        client, commissioner, content, name, title, field, message):
    contract = ContractFactory()
    response = add(client, contract, content, name, title)
    assert response.status_code == 200
    assert message in error_messages(response)[field]
    assert kept(contract) == []


@pytest.mark.parametrize("store", FILE_STORES, indirect=True)
def test_removing_a_document_deletes_its_file(client, commissioner, store):
    contract = ContractFactory()
    add(client, contract)
    (document,) = kept(contract)
    assert store.names("uploads") == [document.stored_name]
    client.post(f"/contracts/{contract.id}/documents/{document.id}/remove")
    assert kept(contract) == []
    assert store.names("uploads") == []


def test_the_providers_members_may_download_and_nobody_else(client, commissioner):
    contract = ContractFactory()
    add(client, contract)
    (document,) = kept(contract)
    url = f"/contracts/{contract.id}/documents/{document.id}"
    member = MembershipFactory(organisation=contract.provider,
                               role=OrganisationRole.MEMBER).user
    elsewhere = MembershipFactory(role=OrganisationRole.ADMIN)
    stranger = elsewhere.user
    contract.status = ContractStatus.ACTIVE
    db.session.commit()
    sign_in_as(client, member)
    listed = soup(client.get(f"/monitoring/contracts/{contract.id}")).select_one("#documents")
    assert listed.a["href"] == url and listed.a.get_text() == "Signed contract"
    assert fetched(client, url).data == samples.PDF
    sign_in_as(client, stranger)
    assert client.get(url).status_code == 403
    # Another contract's id with this document's id is not found.
    other = ContractFactory(provider=elsewhere.organisation)
    assert client.get(f"/contracts/{other.id}/documents/{document.id}").status_code == 404
