"""The bytes of the portal's files, by kind and name, on a store that every app server and
worker shares: uploaded documents ("uploads"), award letters ("letters"), exports
("exports") and published open data ("open-data"). The rows that own a file (a document, a
letter) keep its name; this module keeps only bytes.

FILE_STORE picks where they live:
- `folder` (the default, for one machine): UPLOAD_FOLDER, LETTER_FOLDER and EXPORT_FOLDER, each
  outside static/, written atomically (a reader sees the old file or the new, never half).
- `database`: the `stored_files` table. A save is part of the caller's transaction, so a
  document's row and its bytes are committed, or rolled back, together.
- `s3`: an S3-compatible bucket (S3_BUCKET, S3_ENDPOINT_URL, S3_PREFIX), through boto3, which
  reads its credentials from the environment.

Deleting is never part of the caller's transaction, on any store: callers delete a file once
the row that refers to it has gone (a file left behind is harmless, a row without its file is
not), so on the database store it is committed at once, on a connection of its own.
"""

import io
import os
import re
import tempfile
from pathlib import Path
from typing import IO, Protocol

from flask import current_app
from sqlalchemy import delete as delete_rows
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from models import StoredFile
from models.base import utcnow
from portal.extensions import db

UPLOADS, LETTERS, EXPORTS, OPEN_DATA = "uploads", "letters", "exports", "open-data"
FOLDER_SETTINGS = {UPLOADS: "UPLOAD_FOLDER", LETTERS: "LETTER_FOLDER", EXPORTS: "EXPORT_FOLDER",
                   OPEN_DATA: "OPEN_DATA_FOLDER"}
# Names are made by the portal (random hex, a sha256), never by users; this refuses anything
# that could climb out of a folder or an S3 prefix all the same.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")
CHUNK = 1024 * 1024

Data = bytes | IO[bytes]


class Store(Protocol):
    def save(self, kind: str, name: str, data: Data) -> None: ...
    def read(self, kind: str, name: str) -> bytes | None: ...
    def delete(self, kind: str, name: str) -> None: ...
    def exists(self, kind: str, name: str) -> bool: ...


# The interface ------------------------------------------------------------------------------


def save(kind: str, name: str, data: Data) -> None:
    """Keep `data` (bytes, or a binary stream read from its start) as the file `name` of
    `kind`, replacing any file of that name. On the database store the caller commits."""
    _store().save(*_checked(kind, name), data)


def read(kind: str, name: str) -> bytes | None:
    """The file's bytes, or None when there is no such file."""
    return _store().read(*_checked(kind, name))


def delete(kind: str, name: str) -> None:
    """Remove the file, at once and for good (see above); no such file is no error."""
    _store().delete(*_checked(kind, name))


def exists(kind: str, name: str) -> bool:
    return _store().exists(*_checked(kind, name))


def _checked(kind: str, name: str) -> tuple[str, str]:
    if kind not in FOLDER_SETTINGS:
        raise ValueError(f"No kind of file called {kind!r}")
    if not NAME.fullmatch(name):
        raise ValueError(f"{name!r} is not a stored file's name")
    return kind, name


def _store() -> Store:
    choice = current_app.config["FILE_STORE"]
    if choice == "folder":
        return FolderStore()
    if choice == "database":
        return DatabaseStore()
    return _s3_store()


def _stream(data: Data) -> IO[bytes]:
    if isinstance(data, bytes):
        return io.BytesIO(data)
    data.seek(0)
    return data


# Folders on this machine --------------------------------------------------------------------


def folder(kind: str) -> Path:
    """The folder holding files of `kind`, created when first needed. It must not be inside
    static/, where anyone could fetch a file without a permission check."""
    setting = FOLDER_SETTINGS[kind]
    path = Path(current_app.config[setting]).resolve()
    if path.is_relative_to(Path(current_app.static_folder).resolve()):
        raise RuntimeError(f"{setting} must not be inside the static folder")
    path.mkdir(parents=True, exist_ok=True)
    return path


class FolderStore:
    def save(self, kind: str, name: str, data: Data) -> None:
        """Write a temporary file beside the target and rename it over the target: atomic, so
        a reader never sees half a file."""
        target = folder(kind) / name
        source = _stream(data)
        with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".", suffix=".part",
                                         delete=False) as temporary:
            try:
                while chunk := source.read(CHUNK):
                    temporary.write(chunk)
            except BaseException:
                temporary.close()
                os.unlink(temporary.name)
                raise
        os.replace(temporary.name, target)

    def read(self, kind: str, name: str) -> bytes | None:
        try:
            return (folder(kind) / name).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, kind: str, name: str) -> None:
        (folder(kind) / name).unlink(missing_ok=True)

    def exists(self, kind: str, name: str) -> bool:
        return (folder(kind) / name).is_file()


def copy_from_folders() -> dict[str, int]:
    """Copy the files in the folders of FOLDER_SETTINGS into the store in use,
    leaving any it has already (so it may be run again after a failure): for moving one
    machine's files to a store that several share. How many were copied, by kind."""
    if current_app.config["FILE_STORE"] == "folder":
        raise ValueError("Set FILE_STORE to the store to copy the files into")
    target, copied = _store(), {}
    for kind in FOLDER_SETTINGS:
        copied[kind] = 0
        for path in sorted(folder(kind).iterdir()):
            # Temporary files (".….part") and anything else the portal did not name stay.
            named = NAME.fullmatch(path.name) and path.is_file()
            if not named or target.exists(kind, path.name):
                continue
            with path.open("rb") as stream:
                target.save(kind, path.name, stream)
            db.session.commit()
            copied[kind] += 1
    return copied


# The database -------------------------------------------------------------------------------


def _where(kind: str, name: str):
    return (StoredFile.kind == kind) & (StoredFile.name == name)


class DatabaseStore:
    def save(self, kind: str, name: str, data: Data) -> None:
        """An insert that replaces the file of the same name: two workers storing the same
        letter at once both succeed (the second waits for the first to commit)."""
        content = data if isinstance(data, bytes) else _stream(data).read()
        dialect = db.session.get_bind().dialect.name
        insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
        statement = insert(StoredFile).values(kind=kind, name=name, bytes=content,
                                              size=len(content), created_at=utcnow())
        db.session.execute(statement.on_conflict_do_update(
            index_elements=["kind", "name"],
            set_={column: statement.excluded[column] for column in ("bytes", "size",
                                                                   "created_at")}))

    def read(self, kind: str, name: str) -> bytes | None:
        connection = db.session.connection()
        if connection.dialect.name != "postgresql":
            return db.session.scalar(select(StoredFile.bytes).where(_where(kind, name)))
        # psycopg receives bytea as hex text unless asked for binary, which reads a 5 MB file
        # in a quarter of the time (benchmarks/file_store.py). Same connection, same
        # transaction: a file saved and not yet committed is read back.
        with connection.connection.driver_connection.cursor(binary=True) as cursor:
            cursor.execute("SELECT bytes FROM stored_files WHERE kind = %s AND name = %s",
                           (kind, name))
            row = cursor.fetchone()
        return row[0] if row else None

    def delete(self, kind: str, name: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(delete_rows(StoredFile).where(_where(kind, name)))

    def exists(self, kind: str, name: str) -> bool:
        return db.session.scalar(select(StoredFile.id).where(_where(kind, name))) is not None


# An S3-compatible bucket --------------------------------------------------------------------


def _s3_store() -> "S3Store":
    """One S3 client per process and settings (creating one takes a while; they are safe to
    share between threads)."""
    config = current_app.config
    settings = (config["S3_BUCKET"], config["S3_ENDPOINT_URL"], config["S3_PREFIX"])
    found = current_app.extensions.get("file_store.s3")
    if found is None or found.settings != settings:
        found = current_app.extensions["file_store.s3"] = S3Store(*settings)
    return found


class S3Store:
    def __init__(self, bucket: str, endpoint_url: str | None, prefix: str):
        import boto3  # an optional dependency (`pip install '.[s3]'`); config checks it is there

        self.settings = (bucket, endpoint_url, prefix)
        self.bucket, self.prefix = bucket, prefix
        self.client = boto3.client("s3", endpoint_url=endpoint_url)

    def _key(self, kind: str, name: str) -> str:
        return f"{self.prefix}{kind}/{name}"

    def save(self, kind: str, name: str, data: Data) -> None:
        # One PUT (or a multipart upload for large files): S3 shows the whole object or none.
        self.client.upload_fileobj(_stream(data), self.bucket, self._key(kind, name))

    def read(self, kind: str, name: str) -> bytes | None:
        try:
            found = self.client.get_object(Bucket=self.bucket, Key=self._key(kind, name))
        except self.client.exceptions.NoSuchKey:
            return None
        return found["Body"].read()

    def delete(self, kind: str, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(kind, name))

    def exists(self, kind: str, name: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(kind, name))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True
