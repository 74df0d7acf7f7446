"""A grants officer produces a round's award letters on an RQ worker: the batch's page follows
the job's progress without a reload (its live region says n of N), then offers the ZIP; the
organisation's admin downloads their letter from the offer page; a batch whose job dies says so
without a reload. axe-core checks each page."""

import uuid

import pytest
from playwright.sync_api import expect
from redis import Redis
from rq import Queue, SimpleWorker
from rq.job import Job
from rq.job import JobStatus as RQStatus
from sqlalchemy import select

from models import LetterBatch
from models.base import db
from models.enums import Role
from tests.awards.conftest import make
from tests.browser.helpers import heading, sign_in, sign_in_staff
from tests.factories import RoundFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def worker_queue(ctx, monkeypatch, tmp_path):
    """Jobs on a Redis queue of this test's own (removed afterwards); letters in tmp_path."""
    name = f"portal-test-{uuid.uuid4().hex}"
    monkeypatch.setitem(ctx.config, "REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setitem(ctx.config, "JOB_QUEUE", name)
    monkeypatch.setitem(ctx.config, "LETTER_FOLDER", str(tmp_path / "letters"))
    queue = Queue(name, connection=Redis.from_url("redis://127.0.0.1:6379/0"))
    yield queue
    job_ids = queue.finished_job_registry.get_job_ids() + queue.failed_job_registry.get_job_ids()
    queue.delete(delete_jobs=True)
    for key in queue.connection.scan_iter(f"rq:*{name}*"):
        queue.connection.delete(key)
    for job_id in job_ids:
        queue.connection.delete(f"rq:job:{job_id}", f"rq:results:{job_id}")


def test_an_officer_produces_a_rounds_letters_and_the_organisation_downloads_one(
        page, worker_queue, assert_accessible):
    round_ = RoundFactory(closed=True, name="Spring round", budget_pence=50_000_00,
                          min_award_pence=500_00, max_award_pence=5_000_00)
    offers = [make(round_) for _ in range(2)]
    officer = UserFactory(full_name="Olive Officer", roles=(Role.GRANTS_OFFICER,))

    sign_in_staff(page, officer)
    page.goto(f"/awards/rounds/{round_.id}")
    assert_accessible(page)
    page.get_by_role("button", name="Produce the award letters").click()
    expect(heading(page)).to_have_text("Letters for Spring round")
    expect(page.locator("#batch-progress")).to_have_text("0 of 2 letters produced")
    expect(page.get_by_role("link", name="Refresh the page")).to_be_visible()
    expect(page.locator("#batch-zip")).to_be_hidden()
    expect(page.get_by_role("button", name="Produce the letters again")).to_be_hidden()
    assert_accessible(page)

    SimpleWorker([worker_queue], connection=worker_queue.connection,
                 name=f"{worker_queue.name}-worker").work(burst=True)

    # No reload: the page's module polls the status and updates the live region.
    expect(page.locator("#batch-progress")).to_have_text("2 of 2 letters produced")
    expect(page.locator("#batch-status")).to_have_text("Status: Done")
    expect(page.get_by_role("link", name="Refresh the page")).to_have_count(0)
    zip_link = page.get_by_role("link", name="Download the round’s letters (ZIP)")
    expect(zip_link).to_be_visible()
    expect(page.get_by_role("button", name="Produce the letters again")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        zip_link.click()
    assert download.value.suggested_filename.endswith(".zip")

    page.context.clear_cookies()
    offered = offers[0]
    sign_in(page, offered.admin.email)
    page.goto(f"/awards/offers/{offered.award.id}")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your award letter (PDF)").click()
    assert download.value.suggested_filename == f"{offered.award.reference}-letter-v1.pdf"


def test_the_batch_page_shows_at_once_that_its_job_died(page, worker_queue, assert_accessible):
    round_ = RoundFactory(closed=True, name="Autumn round", budget_pence=50_000_00,
                          min_award_pence=500_00, max_award_pence=5_000_00)
    make(round_)
    sign_in_staff(page, UserFactory(roles=(Role.GRANTS_OFFICER,)))
    page.goto(f"/awards/rounds/{round_.id}")
    page.get_by_role("button", name="Produce the award letters").click()
    expect(page.locator("#batch-status")).to_have_text("Status: Waiting to start")

    [job_id] = db.session.scalar(select(LetterBatch.job_ids))
    Job.fetch(job_id, connection=worker_queue.connection).set_status(RQStatus.FAILED)

    # No reload: the page's module polls the status and shows the failure.
    expect(page.locator("#batch-status")).to_have_text("Status: Failed")
    expect(page.locator("#batch-error")).to_contain_text("stopped before it finished")
    expect(page.get_by_role("link", name="Refresh the page")).to_have_count(0)
    expect(page.get_by_role("button", name="Produce the letters again")).to_be_visible()
    assert_accessible(page)
