"""Word, Excel and OpenDocument files are ZIPs: one that unzips to far more than any real
document (a "zip bomb") or holds thousands of parts is refused beside the file field, for
applications and contracts alike, and nothing is stored."""

import functools
import io
import struct
import zipfile
import zlib

import pytest

from models.enums import Role
from tests.conftest import Store, sign_in_as
from tests.contracts.test_contract_documents import kept
from tests.documents import samples
from tests.documents.test_documents import (
    documents_of,
    draft_of_member,
    post_files,
    stored_files,
    upload,
)
from tests.factories import ContractFactory, UserFactory
from tests.html import error_messages

GiB = 2**30
MiB = 2**20
TOO_BIG = "The selected file must be smaller than 100MB when unzipped"
TOO_MANY_PARTS = "The selected file must have no more than 1,000 parts when unzipped"


def zip_of_deflated(parts: dict[str, tuple[bytes, int, int]]) -> bytes:
    """A ZIP written by hand from parts already deflated: name -> (deflated bytes, size
    unzipped, CRC-32). zipfile can only write a part by deflating all of it, which for a
    gigabyte would take seconds."""
    out, directory = io.BytesIO(), []
    for name, (deflated, size, crc) in parts.items():
        offset, encoded = out.tell(), name.encode()
        # version 2.0, no flags, deflated, 1 January 1980
        fields = struct.pack("<HHHHHIII", 20, 0, 8, 0, 0x21, crc, len(deflated), size)
        out.write(b"PK\x03\x04" + fields + struct.pack("<HH", len(encoded), 0) + encoded
                  + deflated)
        directory.append(b"PK\x01\x02" + struct.pack("<H", 20) + fields
                         + struct.pack("<HHHHHII", len(encoded), 0, 0, 0, 0, 0, offset)
                         + encoded)
    start, listing = out.tell(), b"".join(directory)
    out.write(listing + b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(parts), len(parts),
                                                    len(listing), start, 0))
    return out.getvalue()


def deflated(data: bytes) -> tuple[bytes, int, int]:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(), len(data), zlib.crc32(data)


def deflated_zeros(size: int) -> tuple[bytes, int, int]:
    """`size` zero bytes deflated, built in a moment: a compressor restarted by a full flush
    makes the same bytes for each MiB, so one MiB's worth is repeated."""
    compressor, zeros = zlib.compressobj(9, zlib.DEFLATED, -15), bytes(MiB)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = functools.reduce(lambda crc, _: zlib.crc32(zeros, crc), range(size // MiB), 0)
    return block * (size // MiB) + compressor.flush(), size, crc


@functools.cache
def docx_bomb() -> bytes:
    """A Word document of about 1MB whose document part unzips to 1GiB of zeros."""
    return zip_of_deflated({"[Content_Types].xml": deflated(samples.CONTENT_TYPES),
                            "_rels/.rels": deflated(b"<Relationships/>"),
                            "word/document.xml": deflated_zeros(GiB)})


def test_the_bomb_is_a_real_zip_of_that_many_zeros():
    """Checked on 8MiB, the same blocks fewer times: zipfile unzips it and checks its CRC."""
    with zipfile.ZipFile(io.BytesIO(zip_of_deflated({"zeros": deflated_zeros(8 * MiB)}))) as zip_:
        assert zip_.read("zeros") == bytes(8 * MiB)
    with zipfile.ZipFile(io.BytesIO(docx_bomb())) as zip_:
        assert zip_.getinfo("word/document.xml").file_size == GiB
    assert len(docx_bomb()) < 2 * MiB


def spreadsheet_of(parts: int) -> bytes:
    return samples.zip_of({"[Content_Types].xml": samples.CONTENT_TYPES,
                           "xl/workbook.xml": b"<workbook/>",
                           **{f"xl/worksheets/sheet{n}.xml": b"<worksheet/>"
                              for n in range(parts - 2)}})


@pytest.fixture(autouse=True)
def uploads(store) -> Store:
    return store


@pytest.mark.parametrize(("content", "name", "message"), [
    (docx_bomb, "report.docx", TOO_BIG),
    (lambda: spreadsheet_of(1001), "budget.xlsx", TOO_MANY_PARTS),
])
def test_a_zip_bomb_is_refused_and_nothing_is_stored(client, uploads, content, name,
                                                     message):
    application = draft_of_member(client)
    response = upload(client, application, content(), name)
    assert response.status_code == 200
    assert error_messages(response)["file"] == message
    assert documents_of(application) == []
    assert stored_files(uploads) == []


def test_a_document_with_as_many_parts_as_allowed_is_kept(client):
    application = draft_of_member(client)
    assert upload(client, application, spreadsheet_of(1000), "budget.xlsx").status_code == 302
    assert [document.original_filename for document in documents_of(application)] == [
        "budget.xlsx"]


def test_the_limit_is_the_configured_size_unzipped(client, ctx, monkeypatch):
    """MAX_UNCOMPRESSED_MB sets it: a file that unzips to just over 1MB fails a limit of 1MB,
    and one that unzips to exactly 1MB passes."""
    monkeypatch.setitem(ctx.config, "MAX_UNCOMPRESSED_BYTES", MiB)
    application = draft_of_member(client)

    def odt_of(size: int) -> bytes:
        return samples.zip_of({"mimetype": samples.ODT_MIMETYPE,
                               "content.xml": bytes(size - len(samples.ODT_MIMETYPE))})

    refused = upload(client, application, odt_of(MiB + 1), "plan.odt")
    assert error_messages(refused)["file"] == (
        "The selected file must be smaller than 1MB when unzipped")
    assert upload(client, application, odt_of(MiB), "plan.odt").status_code == 302
    assert len(documents_of(application)) == 1


def test_a_damaged_zip_is_refused(client):
    application = draft_of_member(client)
    truncated = samples.DOCX[: len(samples.DOCX) // 2]
    response = upload(client, application, truncated, "report.docx")
    assert "must be a PDF, Word document" in error_messages(response)["file"]
    assert documents_of(application) == []


def test_a_zip_bomb_is_refused_for_a_contract_too(client, uploads):
    sign_in_as(client, UserFactory(roles=(Role.COMMISSIONER,)))
    contract = ContractFactory()
    response = post_files(client, f"/contracts/{contract.id}/documents",
                          {"title": "Signed contract"}, {"file": (docx_bomb(), "contract.docx")})
    assert error_messages(response)["file"] == TOO_BIG
    assert kept(contract) == []
    assert stored_files(uploads) == []
