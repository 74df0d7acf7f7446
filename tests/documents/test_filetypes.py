"""The content sniffer and the file name cleaner: pure functions, no app needed."""

import io

import pytest

from portal.documents import filetypes
from portal.documents.filetypes import clean_filename, sniff
from tests.documents import samples


@pytest.mark.parametrize(("content", "expected"), [
    (samples.PDF, filetypes.PDF),
    (samples.PNG, filetypes.PNG),
    (samples.JPEG, filetypes.JPEG),
    (samples.DOCX, filetypes.DOCX),
    (samples.XLSX, filetypes.XLSX),
    (samples.ODT, filetypes.ODT),
], ids=["pdf", "png", "jpeg", "docx", "xlsx", "odt"])
def test_accepted_types_are_known_by_their_content(content, expected):
    assert sniff(io.BytesIO(content)) is expected


@pytest.mark.parametrize("content", [
    samples.EXE, samples.TEXT, samples.HTML, samples.GIF, b"",
    samples.PLAIN_ZIP, samples.OOXML_WITHOUT_DOCUMENT, samples.ODS, samples.BROKEN_ZIP,
    samples.encrypted(samples.DOCX), samples.encrypted(samples.ODT),
    samples.DOCX[:40],  # the start of a real DOCX, cut short
    b"%PD", b"\x89PNG",  # too short to be the signature
], ids=["exe", "text", "html", "gif", "empty", "plain-zip", "ooxml-without-document", "ods",
        "broken-zip", "encrypted-docx", "encrypted-odt", "truncated-docx", "half-pdf-signature",
        "half-png-signature"])
def test_anything_else_is_refused(content):
    assert sniff(io.BytesIO(content)) is None


def test_the_stream_is_left_at_its_start():
    """The service hashes and stores the file after sniffing it, from the first byte."""
    for content in (samples.PDF, samples.DOCX, samples.EXE):
        stream = io.BytesIO(content)
        stream.seek(5)
        sniff(stream)
        assert stream.tell() == 0


def test_each_type_has_the_content_type_it_is_stored_and_served_with():
    assert {t.name: t.content_type for t in (filetypes.PDF, filetypes.JPEG, filetypes.PNG,
                                             filetypes.DOCX, filetypes.XLSX, filetypes.ODT)} == {
        "PDF": "application/pdf",
        "JPEG": "image/jpeg",
        "PNG": "image/png",
        "DOCX": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ODT": "application/vnd.oasis.opendocument.text",
    }


@pytest.mark.parametrize(("name", "file_type", "expected"), [
    ("accounts.pdf", filetypes.PDF, "accounts.pdf"),
    ("Zoë’s accounts (2024) [final].pdf", filetypes.PDF, "Zoës accounts (2024) [final].pdf"),
    ("Bank_statement - March.PDF", filetypes.PDF, "Bank_statement - March.pdf"),
    ("photo.jpeg", filetypes.JPEG, "photo.jpeg"),
    ("photo.JPG", filetypes.JPEG, "photo.jpg"),
    ("Пожертвования.docx", filetypes.DOCX, "Пожертвования.docx"),
    ("../../etc/passwd.pdf", filetypes.PDF, "passwd.pdf"),
    ("C:\\Users\\Sam\\Documents\\constitution.odt", filetypes.ODT, "constitution.odt"),
    ("accounts.docx", filetypes.PDF, "accounts.docx.pdf"),  # a PDF misnamed: opens as a PDF
    ("scan", filetypes.PNG, "scan.png"),
    ("<img src=x onerror=alert(1)>.pdf", filetypes.PDF, "img srcx onerroralert(1).pdf"),
    ("tab\there\x00.pdf", filetypes.PDF, "tabhere.pdf"),
    ("   lots    of   spaces  .xlsx", filetypes.XLSX, "lots of spaces.xlsx"),
    ("...hidden.pdf", filetypes.PDF, "hidden.pdf"),
    ("accounts.pdf. ", filetypes.PDF, "accounts.pdf"),
    (".pdf", filetypes.PDF, "document.pdf"),
    ("", filetypes.PDF, "document.pdf"),
    ("%%%.pdf", filetypes.PDF, "document.pdf"),
    ("../", filetypes.JPEG, "document.jpg"),
])
def test_file_names_are_cleaned_but_stay_recognisable(name, file_type, expected):
    assert clean_filename(name, file_type) == expected


def test_long_names_are_cut_short_keeping_the_extension():
    name = clean_filename("minutes of the annual general meeting " * 10 + ".docx", filetypes.DOCX)
    assert len(name) <= filetypes.MAX_NAME_LENGTH
    assert name.startswith("minutes of the annual general meeting minutes of the")
    assert name.endswith(".docx")
    assert not name.removesuffix(".docx").endswith(" ")
