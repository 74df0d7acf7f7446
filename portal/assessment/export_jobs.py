"""The officers' list as an Excel workbook, built by a background job (like a round's letters):
a workbook of tens of thousands of rows takes longer than a web request may, so asking for one
starts a job and opens its page, which shows how far it has got and then the download.

The job reads the matching applications a chunk at a time (`services.export_chunks`), writes
them to a write-only workbook in a temporary file, committing its progress after each chunk,
and keeps the file in the file store ("exports"). Only the officer who asked sees the export;
any other id, known or not, is NotFound. The daily run deletes exports, and their files, a few
days old.
"""

import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, fields
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, select

from models import ExportJob, User
from models.base import utcnow
from models.enums import JobStatus
from portal import exports, file_store, jobs, policies
from portal.assessment import services
from portal.exceptions import NotFound
from portal.extensions import db
from portal.lifecycle import background_job

QUEUED, RUNNING = JobStatus.QUEUED, JobStatus.RUNNING
DONE, FAILED = JobStatus.DONE, JobStatus.FAILED
# An export changes nothing, so none of its steps is audited.
EXPORT_JOB = background_job("Export")
UNFINISHED = EXPORT_JOB.sources(FAILED)
# Long enough to download the file again the next working day or after a weekend; the
# filters are still on the list's page to make it again.
KEEP_FOR = timedelta(days=3)
JOB = "portal.assessment.export_jobs.run"
NOT_QUEUED = ("The background job service could not be reached, so the export was not "
              "started. Wait a few minutes, then export the list again. If this keeps "
              "happening, tell the portal’s administrators.")
JOB_LOST = ("The background job making the export stopped before it finished. Export the "
            "list again. If this keeps happening, tell the portal’s administrators.")


def is_unfinished(export: ExportJob) -> bool:
    return export.status in UNFINISHED


def is_ready(export: ExportJob) -> bool:
    """Whether the workbook can be downloaded: the job is done and stored it."""
    return export.status is DONE and bool(export.file_name)


def filters_of(export: ExportJob) -> services.ApplicationFilters:
    """The filters the export was asked with (any a later version no longer has ignored)."""
    known = {field.name for field in fields(services.ApplicationFilters)}
    return services.ApplicationFilters(**{key: value for key, value in export.filters.items()
                                          if key in known})


def list_arguments(export: ExportJob) -> dict[str, Any]:
    """The query arguments of the list filtered as it was for the export (defaults left out),
    for the way back to it."""
    default = asdict(services.ApplicationFilters())
    return {key: value for key, value in asdict(filters_of(export)).items()
            if value != default[key]}


def start(officer: User, filters: services.ApplicationFilters) -> ExportJob:
    """Ask for the list matching `filters` as a workbook: an export to follow, made by a job
    (on a worker when Redis is configured, otherwise here and now). When Redis cannot be
    reached the export comes back failed, saying so."""
    policies.require(policies.can_view_submitted_applications(officer))
    started = ExportJob(requested_by=officer, requested_at=utcnow(), filters=asdict(filters),
                        status=QUEUED)
    db.session.add(started)
    db.session.commit()
    export_id = started.id
    try:
        job_id = jobs.enqueue(JOB, export_id)
    except jobs.JobsUnavailable:
        current_app.logger.exception("Export %s could not be queued", export_id)
        _fail_unfinished(export_id, NOT_QUEUED)
        job_id = ""
    started = db.session.get(ExportJob, export_id, populate_existing=True)
    if job_id:
        started.job_id = job_id
        db.session.commit()
    return started


def _fail_unfinished(export_id: int, error: str) -> None:
    """Mark the export failed unless it has finished meanwhile (committed). The row is locked
    first, so a job finishing at this moment either finishes first or waits."""
    found = db.session.get(ExportJob, export_id, with_for_update=True, populate_existing=True)
    if EXPORT_JOB.may_move(found, FAILED):
        EXPORT_JOB.move(found, FAILED, quietly=True)
        found.error, found.finished_at = error, utcnow()
    db.session.commit()


def run(export_id: int) -> None:
    """The job: write every matching row to a workbook, committing how many are written
    after each chunk so the page can show how far it has got, then store the file. A failure
    is kept on the export, not raised."""
    running = db.session.get(ExportJob, export_id)
    if running is None or not EXPORT_JOB.may_move(running, RUNNING):
        return
    filters = filters_of(running)
    EXPORT_JOB.move(running, RUNNING, quietly=True)
    running.total, running.done = services.export_count(filters), 0
    db.session.commit()
    name = f"applications-{secrets.token_hex(16)}.xlsx"
    try:
        chunks = services.export_chunks(running.requested_by, filters)
        with tempfile.TemporaryFile() as workbook:
            exports.save_workbook([exports.Sheet(
                "Applications", services.EXPORT_HEADINGS, _counted(running, chunks),
                services.MONEY_COLUMNS)], workbook)
            file_store.save(file_store.EXPORTS, name, workbook)
        running.file_name = name
        db.session.commit()  # on the database file store, the file is a row
    except Exception as error:
        # Kept on the export for the officer to see.
        db.session.rollback()
        current_app.logger.exception("Export %s failed", export_id)
        outcome, running.error = FAILED, str(error) or type(error).__name__
    else:
        outcome = DONE
    # The officer's page may have marked it failed meanwhile (its job seemed lost): that stays.
    if EXPORT_JOB.may_move(running, outcome):
        EXPORT_JOB.move(running, outcome, quietly=True)
    running.finished_at = utcnow()
    db.session.commit()


def _counted(running: ExportJob,
             chunks: Iterator[list[list[Any]]]) -> Iterator[list[Any]]:
    """The rows of `chunks`, one at a time, counting each chunk as written (committed) once
    the workbook asks for the next."""
    for chunk in chunks:
        yield from chunk
        running.done += len(chunk)
        db.session.commit()


def export_for(officer: User, export_id: int) -> ExportJob:
    """The officer's own export; anyone else's, like an unknown id, is NotFound. An
    unfinished export whose job has died is marked failed first."""
    policies.require(policies.can_view_submitted_applications(officer))
    found = db.session.scalar(
        select(ExportJob).where(ExportJob.id == export_id,
                                ExportJob.requested_by_id == officer.id)
        .execution_options(populate_existing=True))
    if found is None:
        raise NotFound(export_id)
    job_ids = [found.job_id] if found.job_id else []
    if is_unfinished(found) and (reason := jobs.lost_reason(found.requested_at, job_ids)):
        current_app.logger.warning("Export %s lost its job (%s)", export_id, reason)
        _fail_unfinished(export_id, JOB_LOST)
    return found


def workbook(officer: User, export_id: int) -> tuple[ExportJob, bytes]:
    """The officer's finished export and its file; NotFound before it is ready, or when its
    file has gone."""
    found = export_for(officer, export_id)
    body = file_store.read(file_store.EXPORTS, found.file_name) if is_ready(found) else None
    if body is None:
        if is_ready(found):
            current_app.logger.error("The file of export %s is missing", export_id)
        raise NotFound(export_id)
    return found, body


def delete_old(now: datetime) -> int:
    """Delete the exports asked for more than KEEP_FOR before `now`, then their files (once
    no row refers to them: see portal.file_store); how many (committed)."""
    old = ExportJob.requested_at < now - KEEP_FOR
    names = list(db.session.scalars(select(ExportJob.file_name).where(old)))
    db.session.execute(delete(ExportJob).where(old))
    db.session.commit()
    for name in names:
        if name:
            file_store.delete(file_store.EXPORTS, name)
    return len(names)

