"""The file store's contract, the same on every store: folders on this machine, the database
(SQLite and PostgreSQL) and an S3 bucket (mocked by moto). Folders and S3 do not depend on the
database, so they run once."""

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models import StoredFile
from models.base import db
from portal import file_store
from portal.config import ConfigurationError, load_config
from tests.concurrency import DONE, at_once

EVERY_STORE = [pytest.param("folder", marks=pytest.mark.any_database), "database",
               pytest.param("s3", marks=pytest.mark.any_database)]
each_store = pytest.mark.parametrize("store", EVERY_STORE, indirect=True)
NAME = "0123456789abcdef0123456789abcdef"


@each_store
def test_a_saved_file_is_read_back_and_exists(store):
    assert file_store.read("uploads", NAME) is None
    assert not file_store.exists("uploads", NAME)
    file_store.save("uploads", NAME, b"%PDF-1.7 one")
    db.session.commit()
    assert file_store.read("uploads", NAME) == b"%PDF-1.7 one"
    assert file_store.exists("uploads", NAME)
    assert store.names("uploads") == [NAME]


@each_store
def test_saving_again_replaces_the_file(store):
    file_store.save("letters", "a.pdf", b"first")
    file_store.save("letters", "a.pdf", b"second")
    db.session.commit()
    assert file_store.read("letters", "a.pdf") == b"second"
    assert store.names("letters") == ["a.pdf"]


@each_store
def test_a_stream_is_saved_from_its_start_wherever_it_was_left(store):
    stream = io.BytesIO(b"x" * (3 * file_store.CHUNK + 5))
    stream.seek(0, io.SEEK_END)
    file_store.save("exports", "report.xlsx", stream)
    db.session.commit()
    assert file_store.read("exports", "report.xlsx") == b"x" * (3 * file_store.CHUNK + 5)


@each_store
def test_each_kind_has_names_of_its_own(store):
    file_store.save("uploads", NAME, b"upload")
    file_store.save("exports", NAME, b"export")
    db.session.commit()
    assert (file_store.read("uploads", NAME), file_store.read("exports", NAME),
            file_store.read("letters", NAME)) == (b"upload", b"export", None)


@each_store
def test_delete_removes_the_file_and_a_missing_one_is_no_error(store):
    file_store.save("uploads", NAME, b"bytes")
    file_store.save("uploads", "other", b"kept")
    db.session.commit()
    file_store.delete("uploads", NAME)
    file_store.delete("uploads", NAME)
    file_store.delete("letters", "never-saved.pdf")
    assert file_store.read("uploads", NAME) is None
    assert store.names("uploads") == ["other"]


@pytest.mark.any_database
@pytest.mark.parametrize("name", ["", "../secret", "a/b", "/etc/passwd", ".hidden", "a\\b",
                                  "x" * 201, "a b", "a\nb", "café"])
def test_a_name_that_could_leave_its_place_is_refused(store, name):
    for call in (lambda: file_store.save("uploads", name, b"x"),
                 lambda: file_store.read("uploads", name),
                 lambda: file_store.delete("uploads", name),
                 lambda: file_store.exists("uploads", name)):
        with pytest.raises(ValueError, match="name"):
            call()


@pytest.mark.any_database
def test_an_unknown_kind_is_refused(store):
    with pytest.raises(ValueError, match="kind"):
        file_store.save("static", NAME, b"x")


# The database: in the caller's transaction ---------------------------------------------------


@pytest.mark.parametrize("store", ["database"], indirect=True)
def test_on_the_database_a_save_is_kept_only_if_the_caller_commits(store):
    file_store.save("uploads", NAME, b"rolled back")
    assert file_store.read("uploads", NAME) == b"rolled back"  # seen in its own transaction
    db.session.rollback()
    assert file_store.read("uploads", NAME) is None
    file_store.save("uploads", NAME, b"committed")
    db.session.commit()
    found = db.session.scalars(select(StoredFile)).one()
    assert (found.kind, found.name, found.bytes, found.size) == ("uploads", NAME,
                                                                 b"committed", 9)


@pytest.mark.parametrize("store", ["database"], indirect=True)
def test_on_the_database_a_delete_is_committed_at_once(store):
    file_store.save("uploads", NAME, b"bytes")
    db.session.commit()
    file_store.delete("uploads", NAME)
    db.session.rollback()
    assert db.session.scalar(select(func.count(StoredFile.id))) == 0


@pytest.mark.parametrize("store", ["database"], indirect=True)
def test_on_the_database_the_same_file_saved_at_once_by_many_is_kept_once(store, ctx, backend):
    """As when workers render the same letter at the same moment: on PostgreSQL the inserts
    meet at the unique key, and each later one waits and replaces the file, never fails."""
    def save_and_commit() -> None:
        file_store.save("letters", "a.pdf", b"%PDF same letter")
        db.session.commit()

    assert at_once(ctx, backend, [save_and_commit] * 8) == [DONE] * 8
    assert db.session.scalars(select(StoredFile.name)).all() == ["a.pdf"]


# Folders ------------------------------------------------------------------------------------


@pytest.mark.any_database
@pytest.mark.parametrize("store", ["folder"], indirect=True)
@pytest.mark.parametrize("setting", ["UPLOAD_FOLDER", "LETTER_FOLDER", "EXPORT_FOLDER",
                                     "OPEN_DATA_FOLDER"])
def test_no_folder_may_be_inside_static(store, ctx, monkeypatch, setting):
    monkeypatch.setitem(ctx.config, setting, str(Path(ctx.static_folder) / "files"))
    kind = {v: k for k, v in file_store.FOLDER_SETTINGS.items()}[setting]
    with pytest.raises(RuntimeError, match=f"{setting} must not be inside the static folder"):
        file_store.save(kind, NAME, b"x")


@pytest.mark.any_database
@pytest.mark.parametrize("store", ["folder"], indirect=True)
def test_a_write_that_fails_leaves_the_old_file_and_nothing_else(store, ctx):
    file_store.save("letters", "a.pdf", b"old")

    class Broken(io.BytesIO):
        def read(self, size=-1):
            raise OSError("the disk is full")

    with pytest.raises(OSError, match="disk is full"):
        file_store.save("letters", "a.pdf", Broken(b"new"))
    assert file_store.read("letters", "a.pdf") == b"old"
    assert store.names("letters") == ["a.pdf"]  # no temporary file left behind


# S3 -----------------------------------------------------------------------------------------


@pytest.mark.any_database
@pytest.mark.parametrize("store", ["s3"], indirect=True)
def test_on_s3_files_are_kept_under_the_prefix_and_their_kind(store):
    file_store.save("letters", "a.pdf", b"%PDF")
    s3 = file_store._s3_store()
    keys = [item["Key"] for item in
            s3.client.list_objects_v2(Bucket="portal-test")["Contents"]]
    assert keys == ["council/letters/a.pdf"]


# Configuration ------------------------------------------------------------------------------


@pytest.mark.parametrize(("environment", "message"), [
    ({"FILE_STORE": "disk"}, "FILE_STORE must be folder, database or s3, not 'disk'"),
    ({"FILE_STORE": "s3"}, "S3_BUCKET must be set when FILE_STORE is s3"),
])
def test_a_file_store_that_cannot_work_is_refused_at_start_up(monkeypatch, tmp_path,
                                                               environment, message):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("S3_BUCKET", raising=False)
    with pytest.raises(ConfigurationError, match=message):
        load_config(tmp_path)


def test_the_folder_store_is_the_default(monkeypatch, tmp_path):
    monkeypatch.delenv("FILE_STORE", raising=False)
    config = load_config(tmp_path)
    assert (config["FILE_STORE"], config["EXPORT_FOLDER"]) == ("folder",
                                                               str(tmp_path / "exports"))


# Moving one machine's files to a shared store ------------------------------------------------


@pytest.mark.parametrize("store", ["database", pytest.param("s3", marks=pytest.mark.any_database)],
                         indirect=True)
def test_the_folders_files_are_copied_into_the_store_in_use(store, ctx, monkeypatch):
    shared = store.name
    monkeypatch.setitem(ctx.config, "FILE_STORE", "folder")
    file_store.save("uploads", NAME, b"an upload")
    file_store.save("letters", "a.pdf", b"a letter")
    file_store.save("letters", "b.pdf", b"the folder's copy")
    (file_store.folder("letters") / ".tmp123.part").write_bytes(b"half")
    monkeypatch.setitem(ctx.config, "FILE_STORE", shared)
    store.put("letters", "b.pdf", b"already there")

    result = ctx.test_cli_runner().invoke(args=["files", "copy-from-folders"])
    assert result.exit_code == 0, result.output
    assert result.output == (f"Copied to the {shared} store: 1 uploads, 1 letters, 0 exports, "
                             "0 open-data.\n")
    assert (store.names("uploads"), store.names("letters")) == ([NAME], ["a.pdf", "b.pdf"])
    assert (file_store.read("uploads", NAME), file_store.read("letters", "b.pdf")) == (
        b"an upload", b"already there")
    again = ctx.test_cli_runner().invoke(args=["files", "copy-from-folders"])
    assert again.output.endswith(": 0 uploads, 0 letters, 0 exports, 0 open-data.\n")


@pytest.mark.any_database
@pytest.mark.parametrize("store", ["folder"], indirect=True)
def test_copying_needs_a_store_to_copy_into(store, ctx):
    result = ctx.test_cli_runner().invoke(args=["files", "copy-from-folders"])
    assert result.exit_code == 1
    assert "Set FILE_STORE to the store to copy the files into" in result.output
