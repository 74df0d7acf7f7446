"""What an uploaded file really is, judged by its bytes, and a safe name to keep for it.

Neither the file's name nor the browser's content type is trusted: both are chosen by whoever
sends the file. PDF, JPEG and PNG are known by their first bytes; DOCX, XLSX and ODT are ZIP
files, told apart by the parts inside them.
"""

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO


@dataclass(frozen=True)
class FileType:
    name: str
    content_type: str  # stored with the document and sent when it is downloaded
    extensions: tuple[str, ...]  # the first is added to a name that has none of them


PDF = FileType("PDF", "application/pdf", (".pdf",))
JPEG = FileType("JPEG", "image/jpeg", (".jpg", ".jpeg"))
PNG = FileType("PNG", "image/png", (".png",))
DOCX = FileType("DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                (".docx",))
XLSX = FileType("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                (".xlsx",))
ODT = FileType("ODT", "application/vnd.oasis.opendocument.text", (".odt",))

SIGNATURES = [(b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG)]
ZIP_BASED = frozenset({DOCX, XLSX, ODT})
ZIP_SIGNATURE = b"PK\x03\x04"
# Errors zipfile raises for damaged, truncated or unusual archives.
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError,
              NotImplementedError, RuntimeError)


def sniff(stream: IO[bytes]) -> FileType | None:
    """The type of the file in `stream` (which must be seekable), or None if it is not one of
    the accepted types. The stream is left at its start."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    try:
        for signature, file_type in SIGNATURES:
            if head.startswith(signature):
                return file_type
        return _zip_type(stream) if head.startswith(ZIP_SIGNATURE) else None
    finally:
        stream.seek(0)


def _zip_type(stream: IO[bytes]) -> FileType | None:
    """DOCX, XLSX or ODT by the parts inside the ZIP. Encrypted or damaged archives are refused:
    nobody at the council could open them. Only the small `mimetype` part is ever decompressed."""
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
            if any(member.flag_bits & 0x1 for member in members):  # encrypted
                return None
            names = {member.filename for member in members}
            if "[Content_Types].xml" in names:  # Office Open XML
                if "word/document.xml" in names:
                    return DOCX
                if "xl/workbook.xml" in names:
                    return XLSX
                return None
            if "mimetype" in names:
                with archive.open("mimetype") as part:
                    if part.read(100) == ODT.content_type.encode():
                        return ODT
            return None
    except ZIP_ERRORS:
        return None


@dataclass(frozen=True)
class Unzipped:
    """What a ZIP's directory says it holds: how many parts, and their size once unzipped."""

    parts: int
    size: int


def unzipped(stream: IO[bytes]) -> Unzipped:
    """The parts of a ZIP-based file that `sniff` has accepted, read from its directory
    without unzipping anything. The stream is left at its start."""
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    finally:
        stream.seek(0)
    return Unzipped(len(members), sum(member.file_size for member in members))


MAX_NAME_LENGTH = 120
NOT_ALLOWED_IN_NAMES = re.compile(r"[^\w .\-()\[\]]")  # \w is letters, digits and _
EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,10}$")


def clean_filename(filename: str, file_type: FileType) -> str:
    """The name a person gave their file, safe to show and to offer as the download name.

    Names keep letters of any alphabet, digits, spaces, dots, dashes, underscores and brackets
    (werkzeug's secure_filename would turn "Zoë's accounts (2024).pdf" into
    "Zos_accounts_2024.pdf"). Any folder is dropped, the length is capped with the extension
    kept, and a name whose extension does not match the content gets the right one added, so
    that the file opens in the right program.
    """
    name = unicodedata.normalize("NFC", filename).replace("\\", "/").rsplit("/", 1)[-1]
    name = name.strip().rstrip(".")
    match = EXTENSION.search(name)
    extension = match.group().lower() if match else ""
    stem = name[: match.start()] if match else name
    if extension not in file_type.extensions:
        stem, extension = name, file_type.extensions[0]
    stem = " ".join(NOT_ALLOWED_IN_NAMES.sub("", stem).split()).strip(" .")
    return (stem[: MAX_NAME_LENGTH - len(extension)].rstrip(" .") or "document") + extension
