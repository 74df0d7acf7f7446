"""The list as an Excel workbook made by a background job (issue 15, item 4): run in-process
without Redis and by a worker with it, its page and progress, the download, who may see it
(only the officer who asked), a job that failed, could not be queued or was lost, and old
exports deleted by the daily run with their files."""

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from rq import SimpleWorker
from sqlalchemy import func, select

from models import ExportJob
from models.base import db, utcnow
from models.enums import JobStatus, Role
from portal import daily, exports, file_store, jobs
from portal.assessment import export_jobs, services
from tests.assessment.conftest import submitted
from tests.awards import test_bulk_letters
from tests.conftest import FILE_STORES, sign_in_as
from tests.factories import UserFactory
from tests.html import soup
from tests.querycount import count_queries

DEAD_REDIS = test_bulk_letters.DEAD_REDIS
redis_queue = test_bulk_letters.redis_queue  # jobs on a queue of the test's own


def references(response) -> list[str]:
    assert response.status_code == 200
    assert response.mimetype == exports.XLSX_TYPE
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    return [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]


def only_export() -> ExportJob:
    return db.session.scalar(select(ExportJob).execution_options(populate_existing=True))


@pytest.mark.parametrize("store", FILE_STORES, indirect=True)
def test_without_redis_the_export_is_made_at_once(ctx, officer, client, store):
    for number in range(3):
        submitted(reference=f"EXP-2425-{number:04d}", amount_requested_pence=1_000_00 + number)
    response = client.post("/assessment/exports?sort=amount&order=asc&q=EXP")
    export = only_export()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/assessment/exports/{export.id}"
    assert (export.status, export.done, export.total, export.job_id) == (JobStatus.DONE, 3, 3,
                                                                         "")
    assert export.requested_by_id == officer.id and export.finished_at is not None
    assert export.filters["sort"] == "amount" and export.filters["q"] == "EXP"
    assert file_store.exists(file_store.EXPORTS, export.file_name)

    page = soup(client.get(response.headers["Location"]))
    assert page.h1.text == "Excel export of applications"
    assert page.select_one("#export-progress").text == "3 of 3 applications written"
    assert page.select_one("#export-status").text == "Status: Done"
    assert page.select_one("#export")["aria-live"] == "polite"
    assert page.select_one("#export-error").has_attr("hidden")
    assert not page.select("script[src*=export_job]") and not page.select("#export-refresh")
    back = page.select_one(".govuk-back-link")["href"]
    assert back.startswith("/assessment/applications?") and "sort=amount" in back
    assert "q=EXP" in back and "order=asc" in back

    status = client.get(f"/assessment/exports/{export.id}/status.json").json
    download = f"/assessment/exports/{export.id}/applications.xlsx"
    assert (status["status"], status["done"], status["total"], status["download_url"]) == (
        "done", 3, 3, download)
    link = page.select_one("#export-download a")
    assert link["href"] == download and not page.select_one("#export-download").has_attr(
        "hidden")
    response = client.get(download)
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="applications-')
    assert response.cache_control.no_store
    assert references(response) == ["EXP-2425-0000", "EXP-2425-0001", "EXP-2425-0002"]


def test_the_list_has_the_button_with_the_filters(ctx, officer, client):
    page = soup(client.get("/assessment/applications?status=submitted&sort=amount"))
    form = page.select_one("#export-form")
    assert form["method"] == "post" and form.select_one("input[name=csrf_token]")
    assert form["action"].startswith("/assessment/exports?")
    assert "status=submitted" in form["action"] and "sort=amount" in form["action"]
    assert form.select_one("button").text.strip() == "Make an Excel (XLSX) file"
    assert page.select_one("#export-csv")["href"].startswith("/assessment/applications.csv?")


def test_with_redis_the_export_is_made_by_a_worker(ctx, officer, client, store, redis_queue):
    for _ in range(3):
        submitted()
    response = client.post("/assessment/exports")
    export = only_export()
    assert (export.status, export.done) == (JobStatus.QUEUED, 0)
    assert export.job_id in redis_queue.get_job_ids()

    page = soup(client.get(response.headers["Location"]))
    assert page.select_one("#export-status").text == "Status: Waiting to start"
    assert page.select_one("#export-download").has_attr("hidden")
    assert page.select_one("#export-refresh a")["href"] == response.headers["Location"]
    assert page.select_one("#export")["data-status-url"].endswith("/status.json")
    assert page.select_one("script[src$='js/export_job.mjs']")["type"] == "module"
    download = f"/assessment/exports/{export.id}/applications.xlsx"
    assert client.get(download).status_code == 404  # not made yet
    assert client.get(f"/assessment/exports/{export.id}/status.json").json[
        "download_url"] is None

    SimpleWorker([redis_queue], connection=redis_queue.connection,
                 name=f"{redis_queue.name}-worker").work(burst=True)

    export = only_export()
    assert (export.status, export.done, export.total) == (JobStatus.DONE, 3, 3)
    page = soup(client.get(response.headers["Location"]))
    assert page.select_one("#export-progress").text == "3 of 3 applications written"
    assert len(references(client.get(download))) == 3


def test_progress_is_committed_after_each_chunk(ctx, officer, client, store, monkeypatch):
    """The page can say how far the job has got: after each chunk, `done` is committed."""
    for _ in range(5):
        submitted()
    monkeypatch.setattr(services, "EXPORT_CHUNK", 2)
    seen = []
    made = services._export_chunk

    def chunk(rows):
        # Another connection sees only what is committed.
        with db.engine.connect() as connection:
            seen.append(connection.execute(select(ExportJob.done, ExportJob.total)).one())
        return made(rows)

    monkeypatch.setattr(services, "_export_chunk", chunk)
    client.post("/assessment/exports")
    assert seen == [(0, 5), (2, 5), (4, 5)]
    assert (only_export().status, only_export().done) == (JobStatus.DONE, 5)


def test_a_failure_is_kept_on_the_export(ctx, officer, client, store, monkeypatch):
    submitted()

    def broken(sheets, target):
        raise OSError("No space left on device")

    monkeypatch.setattr(exports, "save_workbook", broken)
    response = client.post("/assessment/exports")
    export = only_export()
    assert (export.status, export.error, export.file_name) == (
        JobStatus.FAILED, "No space left on device", "")
    page = soup(client.get(response.headers["Location"]))
    assert page.select_one("#export-status").text == "Status: Failed"
    assert not page.select_one("#export-error").has_attr("hidden")
    assert page.select_one("#export-error-text").text == "No space left on device"
    assert client.get(f"/assessment/exports/{export.id}/applications.xlsx").status_code == 404


def test_with_redis_down_the_export_fails_plainly(ctx, officer, client, monkeypatch):
    monkeypatch.setitem(ctx.config, "REDIS_URL", DEAD_REDIS)
    response = client.post("/assessment/exports")
    export = only_export()
    assert response.headers["Location"] == f"/assessment/exports/{export.id}"
    assert (export.status, export.job_id, export.error) == (JobStatus.FAILED, "",
                                                            export_jobs.NOT_QUEUED)
    page = soup(client.get(response.headers["Location"]))
    assert page.select_one("#export-error-text").text == export_jobs.NOT_QUEUED
    assert not page.select("script[src*=export_job]")


def test_an_export_whose_job_was_lost_is_failed_when_next_looked_at(ctx, officer, client):
    stuck = ExportJob(requested_by=officer, status=JobStatus.RUNNING, job_id="a-lost-job",
                      requested_at=utcnow() - jobs.STALE_AFTER - timedelta(minutes=1))
    db.session.add(stuck)
    db.session.commit()
    status = client.get(f"/assessment/exports/{stuck.id}/status.json").json
    assert (status["status"], status["error"]) == ("failed", export_jobs.JOB_LOST)
    page = soup(client.get(f"/assessment/exports/{stuck.id}"))
    assert page.select_one("#export-error-text").text == export_jobs.JOB_LOST


def test_an_export_whose_rq_job_ended_is_failed(ctx, officer, client, monkeypatch):
    running = ExportJob(requested_by=officer, status=JobStatus.RUNNING, job_id="a-job",
                        requested_at=utcnow())
    db.session.add(running)
    db.session.commit()
    monkeypatch.setattr(jobs, "all_ended", lambda job_ids: job_ids == ["a-job"])
    assert client.get(f"/assessment/exports/{running.id}/status.json").json[
        "status"] == "failed"


def test_another_officer_cannot_see_or_download_it(ctx, officer, client, store):
    submitted()
    client.post("/assessment/exports")
    export = only_export()
    sign_in_as(client, UserFactory(roles=(Role.GRANTS_OFFICER,)))
    for suffix in ["", "/status.json", "/applications.xlsx"]:
        assert client.get(f"/assessment/exports/{export.id}{suffix}").status_code == 404
        assert client.get(f"/assessment/exports/{export.id + 9}{suffix}").status_code == 404


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.ASSESSOR, Role.COMMISSIONER, Role.ADMIN])
def test_only_grants_officers_export(ctx, client, store, role):
    export = export_jobs.start(UserFactory(roles=(Role.GRANTS_OFFICER,)),
                               services.ApplicationFilters())
    sign_in_as(client, UserFactory(roles=(role,)))
    assert client.post("/assessment/exports").status_code == 403
    for suffix in ["", "/status.json", "/applications.xlsx"]:
        assert client.get(f"/assessment/exports/{export.id}{suffix}").status_code == 403
    assert client.get("/assessment/applications.csv").status_code == 403
    assert db.session.scalar(select(func.count(ExportJob.id))) == 1


def test_the_export_page_runs_the_same_number_of_queries_for_any_size(ctx, officer, client):
    counts = []
    for size in (1, 50_000):
        export = ExportJob(requested_by=officer, status=JobStatus.DONE, total=size, done=size,
                           file_name="applications-x.xlsx", filters={"q": "x"})
        db.session.add(export)
        db.session.commit()
        for path in (f"/assessment/exports/{export.id}",
                     f"/assessment/exports/{export.id}/status.json"):
            client.get(path)
            with count_queries() as statements:
                assert client.get(path).status_code == 200
            counts.append(len(statements))
    assert counts[:2] == counts[2:]


def test_the_daily_run_deletes_old_exports_and_their_files(ctx, officer, client, store):
    submitted()
    client.post("/assessment/exports")
    old = only_export()
    old.requested_at = utcnow() - export_jobs.KEEP_FOR - timedelta(hours=1)
    db.session.commit()
    client.post("/assessment/exports")
    recent = db.session.scalar(select(ExportJob).where(ExportJob.id != old.id))
    old_id, old_file = old.id, old.file_name

    run = daily.run(utcnow())
    assert run.deleted_exports == 1 and "Old exports deleted: 1." in run.summary()
    assert db.session.scalars(select(ExportJob.id)).all() == [recent.id]
    assert not file_store.exists(file_store.EXPORTS, old_file)
    assert file_store.exists(file_store.EXPORTS, recent.file_name)
    assert client.get(f"/assessment/exports/{old_id}").status_code == 404
    assert daily.run(utcnow()).deleted_exports == 0


def test_a_failure_half_way_is_kept_and_no_file_is_stored(ctx, officer, client, store,
                                                          monkeypatch):
    """The rows written so far are counted; no file is kept."""
    for _ in range(5):
        submitted()
    monkeypatch.setattr(services, "EXPORT_CHUNK", 2)
    made = services._export_chunk

    def chunk(rows):
        if only_export().done:
            raise ConnectionError("The database went away")
        return made(rows)

    monkeypatch.setattr(services, "_export_chunk", chunk)
    client.post("/assessment/exports")
    export = only_export()
    assert (export.status, export.done, export.error, export.file_name) == (
        JobStatus.FAILED, 2, "The database went away", "")
