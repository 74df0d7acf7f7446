"""Tiny real files of each accepted type, and some that must be refused, made from bytes."""

import io
import struct
import zipfile
import zlib

PDF = (b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
       b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
       b"trailer <</Root 1 0 R>>\n%%EOF\n")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data)))


# One white pixel in greyscale.
PNG = (b"\x89PNG\r\n\x1a\n"
       + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
       + _png_chunk(b"IDAT", zlib.compress(b"\x00\xff"))
       + _png_chunk(b"IEND", b""))

# A JFIF header and the end-of-image marker.
JPEG = (b"\xff\xd8\xff\xe0" + struct.pack(">H", 16)
        + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\xff\xd9")

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"This program"
TEXT = b"Our accounts for 2024/25: income 12,000, spending 11,500.\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"

CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?>'
                 b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def zip_of(members: dict[str, bytes]) -> bytes:
    """A ZIP holding `members` in order; a `mimetype` member is stored uncompressed, as
    OpenDocument requires."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            kind = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=kind)
    return buffer.getvalue()


DOCX = zip_of({"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": b"<Relationships/>",
               "word/document.xml": b"<w:document/>"})
XLSX = zip_of({"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": b"<Relationships/>",
               "xl/workbook.xml": b"<workbook/>"})
ODT = zip_of({"mimetype": ODT_MIMETYPE, "content.xml": b"<office:document-content/>"})
ODS = zip_of({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
              "content.xml": b"<office:document-content/>"})
PLAIN_ZIP = zip_of({"photos/party.txt": b"not a document"})
OOXML_WITHOUT_DOCUMENT = zip_of({"[Content_Types].xml": CONTENT_TYPES,
                                 "ppt/presentation.xml": b"<p:presentation/>"})
BROKEN_ZIP = b"PK\x03\x04" + b"\x00" * 60


def encrypted(archive: bytes) -> bytes:
    """The same ZIP with every member marked as encrypted (Python cannot write real ones)."""
    data = bytearray(archive)
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = data.find(signature)
        while start != -1:
            data[start + flag_offset] |= 0x1
            start = data.find(signature, start + 4)
    return bytes(data)
