"""A round's letters in one action: run in-process without Redis and as an RQ job with it,
the batch's page and progress, the ZIP of the round's letters, who may use them, and a batch
that could not be queued or whose job died: failed, said plainly, and produced again."""

import io
import uuid
import zipfile
from datetime import timedelta

import pytest
from redis import Redis
from rq import Queue, SimpleWorker
from rq.job import Job
from rq.job import JobStatus as RQStatus
from sqlalchemy import func, select, update

from models import AuditEvent, Award, AwardLetter, LetterBatch
from models.base import db, utcnow
from models.enums import AwardChange, JobStatus, Role
from portal.awards import letters, services
from portal.awards.terms import record_version
from tests.awards.conftest import make
from tests.concurrency import DONE, at_once
from tests.conftest import sign_in_as
from tests.factories import RoundFactory, UserFactory
from tests.html import soup
from tests.querycount import count_queries

REDIS_URL = "redis://127.0.0.1:6379/0"
DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture(autouse=True)
def letter_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "LETTER_FOLDER", str(tmp_path / "letters"))


def awards_of(round_, count: int = 2):
    """`count` offers in the round and one withdrawn, which gets no letter."""
    made = [make(round_).award for _ in range(count)]
    withdrawn = make(round_).award
    services.withdraw(UserFactory(roles=(Role.GRANTS_OFFICER,)), withdrawn.id, "Cancelled",
                      utcnow())
    return made


def zip_names(response) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_without_redis_the_letters_are_produced_at_once(ctx, round_, officer, client):
    made = awards_of(round_)
    response = client.post(f"/awards/rounds/{round_.id}/letters")
    batch = db.session.scalar(select(LetterBatch))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/awards/rounds/{round_.id}/letters/{batch.id}"
    assert (batch.status, batch.done, batch.total, batch.job_ids) == (JobStatus.DONE, 2, 2, [])
    assert batch.requested_by_id == officer.id and batch.finished_at is not None

    page = soup(client.get(response.headers["Location"]))
    assert page.select_one("#batch-progress").text == "2 of 2 letters produced"
    assert page.select_one("#batch")["aria-live"] == "polite"
    assert not page.select_one("#batch-zip").has_attr("hidden")
    assert not page.select("script[src*=letter_batch]")  # nothing left to follow

    status = client.get(f"/awards/rounds/{round_.id}/letters/{batch.id}/status.json").json
    assert (status["status"], status["done"], status["total"]) == ("done", 2, 2)

    archive = client.get(f"/awards/rounds/{round_.id}/letters/{batch.id}/letters.zip")
    assert archive.mimetype == "application/zip"
    files = zip_names(archive)
    assert sorted(files) == sorted(f"{award.reference}.pdf" for award in made)
    assert all(pdf.startswith(b"%PDF-") for pdf in files.values())


def test_a_second_batch_reuses_the_unchanged_letters(ctx, round_, officer, client):
    awards_of(round_, 1)
    client.post(f"/awards/rounds/{round_.id}/letters")
    client.post(f"/awards/rounds/{round_.id}/letters")
    assert db.session.scalar(select(func.count(LetterBatch.id))) == 2
    assert db.session.scalar(select(func.count(AwardLetter.id))) == 1


@pytest.fixture
def redis_queue(app, monkeypatch):
    """Jobs go to Redis, on a queue of this test's own, removed afterwards."""
    name = f"portal-test-{uuid.uuid4().hex}"
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "JOB_QUEUE", name)
    connection = Redis.from_url(REDIS_URL)
    queue = Queue(name, connection=connection)
    yield queue
    job_ids = queue.get_job_ids() + queue.finished_job_registry.get_job_ids() \
        + queue.failed_job_registry.get_job_ids()
    queue.delete(delete_jobs=True)
    for key in connection.scan_iter(f"rq:*{name}*"):
        connection.delete(key)
    for job_id in job_ids:
        connection.delete(f"rq:job:{job_id}", f"rq:results:{job_id}")


def test_with_redis_the_letters_are_produced_by_a_worker(ctx, round_, officer, client,
                                                        redis_queue):
    made = awards_of(round_)
    response = client.post(f"/awards/rounds/{round_.id}/letters")
    batch = db.session.scalar(select(LetterBatch))
    assert (batch.status, batch.done, batch.total) == (JobStatus.QUEUED, 0, 2)
    assert batch.job_ids == redis_queue.get_job_ids()  # two letters: one job

    page = soup(client.get(response.headers["Location"]))
    assert page.select_one("#batch-progress").text == "0 of 2 letters produced"
    assert page.select_one("#batch-status").text == "Status: Waiting to start"
    assert page.select_one("#batch-zip").has_attr("hidden")
    assert page.select_one("#batch-refresh a")["href"] == response.headers["Location"]
    assert page.select_one("#batch")["data-status-url"].endswith("/status.json")
    assert page.select_one("script[src$='js/letter_batch.mjs']")["type"] == "module"
    zip_url = f"/awards/rounds/{round_.id}/letters/{batch.id}/letters.zip"
    assert client.get(zip_url).status_code == 404  # not done yet

    SimpleWorker([redis_queue], connection=redis_queue.connection,
                 name=f"{redis_queue.name}-worker").work(burst=True)

    batch = db.session.get(LetterBatch, batch.id, populate_existing=True)
    assert (batch.status, batch.done, batch.total) == (JobStatus.DONE, 2, 2)
    assert redis_queue.finished_job_registry.get_job_ids() == batch.job_ids
    page = soup(client.get(response.headers["Location"]))
    assert page.select_one("#batch-progress").text == "2 of 2 letters produced"
    files = zip_names(client.get(zip_url))
    assert sorted(files) == sorted(f"{award.reference}.pdf" for award in made)


def test_a_failure_is_kept_on_the_batch(ctx, round_, officer, client, monkeypatch):
    awards_of(round_, 1)

    def broken(data):
        raise OSError("The letter folder is full")

    monkeypatch.setattr(letters, "render", broken)
    response = client.post(f"/awards/rounds/{round_.id}/letters")
    batch = db.session.scalar(select(LetterBatch))
    assert (batch.status, batch.done, batch.error) == \
        (JobStatus.FAILED, 0, "The letter folder is full")
    page = soup(client.get(response.headers["Location"]))
    assert page.select_one("#batch-status").text == "Status: Failed"
    assert "The letter folder is full" in page.select_one("#batch-error").text
    assert client.get(f"/awards/rounds/{round_.id}/letters/{batch.id}/letters.zip"
                      ).status_code == 404


def test_a_batch_is_found_only_under_its_own_round(ctx, round_, officer, client):
    client.post(f"/awards/rounds/{round_.id}/letters")
    batch = db.session.scalar(select(LetterBatch))
    other = RoundFactory(closed=True)
    for suffix in ["", "/status.json", "/letters.zip"]:
        assert client.get(f"/awards/rounds/{other.id}/letters/{batch.id}{suffix}"
                          ).status_code == 404
        assert client.get(f"/awards/rounds/{round_.id}/letters/{batch.id + 9}{suffix}"
                          ).status_code == 404
    assert client.post(f"/awards/rounds/{other.id + 9}/letters").status_code == 404


def test_only_grants_officers_produce_and_see_batches(ctx, round_, client):
    officer = UserFactory(roles=(Role.GRANTS_OFFICER,))
    batch = letters.start_batch(officer, round_.id)
    for person in [UserFactory(roles=(Role.ADMIN,)), UserFactory(roles=(Role.ASSESSOR,)),
                   UserFactory(roles=(Role.COMMISSIONER,)), UserFactory()]:
        sign_in_as(client, person)
        assert client.post(f"/awards/rounds/{round_.id}/letters").status_code == 403
        for suffix in ["", "/status.json", "/letters.zip"]:
            assert client.get(f"/awards/rounds/{round_.id}/letters/{batch.id}{suffix}"
                              ).status_code == 403
    assert db.session.scalar(select(func.count(LetterBatch.id))) == 1


def test_the_round_page_has_the_button(ctx, round_, officer, client):
    page = soup(client.get(f"/awards/rounds/{round_.id}"))
    form = page.select_one("#letters-form")
    assert form["action"] == f"/awards/rounds/{round_.id}/letters"
    assert form["method"] == "post" and form.select_one("input[name=csrf_token]")
    assert form.select_one("button").text.strip() == "Produce the award letters"


def test_the_batch_page_runs_the_same_number_of_queries_for_any_round(ctx, officer, client):
    counts = []
    for size in (1, 3):
        round_ = RoundFactory(closed=True, budget_pence=50_000_00, min_award_pence=500_00,
                              max_award_pence=5_000_00)
        for _ in range(size):
            make(round_)
        batch = LetterBatch(round_id=round_.id, requested_by=officer, total=size, done=size,
                            status=JobStatus.DONE)
        db.session.add(batch)
        db.session.commit()
        url = f"/awards/rounds/{round_.id}/letters/{batch.id}"
        client.get(url)
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


# Redis down, or a worker that died ----------------------------------------------------------


def failures() -> list[dict]:
    return [event.details for event in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "letters.batch_failed"))]


def assert_failed_page(page, error: str) -> None:
    """The batch page says plainly that it failed and why, and offers to produce them again."""
    assert page.select_one("#batch-status").text == "Status: Failed"
    assert not page.select_one("#batch-error").has_attr("hidden")
    assert "The letters could not all be produced." in page.select_one("#batch-error").text
    assert page.select_one("#batch-error-text").text == error
    again = page.select_one("#batch-again")
    assert not again.has_attr("hidden") and again.select_one("input[name=csrf_token]")
    assert not page.select("script[src*=letter_batch]") and not page.select("#batch-refresh")


def test_with_redis_down_the_batch_fails_plainly_and_can_be_produced_again(
        ctx, round_, officer, client, monkeypatch):
    made = awards_of(round_, 1)
    monkeypatch.setitem(ctx.config, "REDIS_URL", DEAD_REDIS)
    response = client.post(f"/awards/rounds/{round_.id}/letters")
    failed = db.session.scalar(select(LetterBatch))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/awards/rounds/{round_.id}/letters/{failed.id}"
    assert (failed.status, failed.job_ids, failed.error) == (JobStatus.FAILED, [],
                                                            letters.NOT_QUEUED)
    assert failed.finished_at is not None
    assert failures() == [{"reason": "not_queued"}]
    page = soup(client.get(response.headers["Location"]))
    assert_failed_page(page, letters.NOT_QUEUED)

    monkeypatch.setitem(ctx.config, "REDIS_URL", None)  # Redis is back (or not used)
    again = client.post(page.select_one("#batch-again")["action"])
    retried = db.session.scalar(select(LetterBatch).where(LetterBatch.id != failed.id))
    assert again.headers["Location"] == f"/awards/rounds/{round_.id}/letters/{retried.id}"
    assert (retried.status, retried.done) == (JobStatus.DONE, 1)
    assert db.session.get(LetterBatch, failed.id, populate_existing=True).status \
        is JobStatus.FAILED
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "letters.batch_started")) == 2
    zip_url = f"/awards/rounds/{round_.id}/letters/{retried.id}/letters.zip"
    assert sorted(zip_names(client.get(zip_url))) == [f"{made[0].reference}.pdf"]


@pytest.mark.parametrize("death", ["failed", "stopped", "deleted"])
def test_a_batch_whose_job_died_is_failed_when_next_looked_at(ctx, round_, officer, client,
                                                             redis_queue, death):
    awards_of(round_, 1)
    response = client.post(f"/awards/rounds/{round_.id}/letters")
    batch = db.session.scalar(select(LetterBatch))
    job = Job.fetch(batch.job_ids[0], connection=redis_queue.connection)
    if death == "deleted":
        job.delete()
    else:
        job.set_status(RQStatus(death))

    status = client.get(f"{response.headers['Location']}/status.json").json
    assert (status["status"], status["error"]) == ("failed", letters.JOB_LOST)
    assert failures() == [{"reason": "job_ended"}]
    assert_failed_page(soup(client.get(response.headers["Location"])), letters.JOB_LOST)
    assert failures() == [{"reason": "job_ended"}]  # marked once


def test_a_batch_still_unfinished_long_after_it_was_asked_for_is_failed(ctx, round_, officer,
                                                                       client):
    stuck = LetterBatch(round_id=round_.id, requested_by=officer, status=JobStatus.RUNNING,
                        requested_at=utcnow() - letters.jobs.STALE_AFTER - timedelta(minutes=1))
    db.session.add(stuck)
    db.session.commit()
    page = soup(client.get(f"/awards/rounds/{round_.id}/letters/{stuck.id}"))
    assert_failed_page(page, letters.JOB_LOST)
    assert failures() == [{"reason": "stale"}]


def test_a_recent_batch_is_left_waiting_while_redis_cannot_be_asked(ctx, round_, officer,
                                                                   client, monkeypatch):
    waiting = LetterBatch(round_id=round_.id, requested_by=officer, status=JobStatus.QUEUED,
                          job_ids=["a-job-in-a-redis-that-is-down"], requested_at=utcnow())
    db.session.add(waiting)
    db.session.commit()
    monkeypatch.setitem(ctx.config, "REDIS_URL", DEAD_REDIS)
    status = client.get(f"/awards/rounds/{round_.id}/letters/{waiting.id}/status.json").json
    assert status["status"] == "queued"
    page = soup(client.get(f"/awards/rounds/{round_.id}/letters/{waiting.id}"))
    assert page.select_one("#batch-again").has_attr("hidden")
    assert page.select_one("#batch-error").has_attr("hidden")
    assert failures() == []


def test_a_batch_that_finishes_while_being_looked_at_stays_done(ctx, round_, officer, client,
                                                               monkeypatch):
    running = LetterBatch(round_id=round_.id, requested_by=officer, status=JobStatus.RUNNING,
                          job_ids=["a-job"], requested_at=utcnow())
    db.session.add(running)
    db.session.commit()

    def finishes_meanwhile(job_ids: list[str]) -> bool:
        db.session.execute(update(LetterBatch).where(LetterBatch.id == running.id)
                           .values(status=JobStatus.DONE))
        return True

    monkeypatch.setattr(letters.jobs, "all_ended", finishes_meanwhile)
    status = client.get(f"/awards/rounds/{round_.id}/letters/{running.id}/status.json").json
    assert (status["status"], status["error"]) == ("done", "")
    assert failures() == []


# A round split into jobs of LETTER_BATCH_CHUNK letters ---------------------------------------


@pytest.fixture
def chunks_of_two(app, monkeypatch):
    monkeypatch.setitem(app.config, "LETTER_BATCH_CHUNK", 2)


def round_ids(round_) -> list[int]:
    """The round's offers' ids in the batch's order (by reference)."""
    return [award.id for award in sorted(awards_of(round_, 5), key=lambda each: each.reference)]


def chunk_jobs(queue: Queue) -> list[Job]:
    return [queue.fetch_job(job_id) for job_id in queue.get_job_ids()]


def test_a_round_is_split_into_jobs_of_the_chunk_size(ctx, round_, officer, chunks_of_two,
                                                      redis_queue):
    ids = round_ids(round_)
    batch = letters.start_batch(officer, round_.id)
    queued = chunk_jobs(redis_queue)
    assert batch.job_ids == [job.id for job in queued]
    assert [job.args for job in queued] == [
        ("portal.awards.letters.run_chunk", batch.id, ids[:2]),
        ("portal.awards.letters.run_chunk", batch.id, ids[2:4]),
        ("portal.awards.letters.run_chunk", batch.id, ids[4:])]

    # Each chunk counts its letters; the last marks the batch done.
    progress = []
    for job in queued:
        letters.run_chunk(*job.args[1:])
        found = db.session.get(LetterBatch, batch.id, populate_existing=True)
        progress.append((found.status, found.done, found.total, found.finished_at is not None))
    assert progress == [(JobStatus.RUNNING, 2, 5, False), (JobStatus.RUNNING, 4, 5, False),
                        (JobStatus.DONE, 5, 5, True)]
    assert db.session.scalar(select(func.count(AwardLetter.id))) == 5


def test_a_worker_runs_every_chunk(ctx, round_, officer, client, chunks_of_two, redis_queue):
    round_ids(round_)
    batch = letters.start_batch(officer, round_.id)
    SimpleWorker([redis_queue], connection=redis_queue.connection,
                 name=f"{redis_queue.name}-worker").work(burst=True)
    found = db.session.get(LetterBatch, batch.id, populate_existing=True)
    assert (found.status, found.done, found.total) == (JobStatus.DONE, 5, 5)
    assert sorted(redis_queue.finished_job_registry.get_job_ids()) == sorted(found.job_ids)
    assert len(zip_names(client.get(f"/awards/rounds/{round_.id}/letters/{batch.id}"
                                    "/letters.zip"))) == 5


def test_a_round_without_letters_is_done_at_once(ctx, round_, officer):
    batch = letters.start_batch(officer, round_.id)
    assert (batch.status, batch.done, batch.total) == (JobStatus.DONE, 0, 0)


def test_a_failing_chunk_fails_the_batch_and_keeps_the_letters_made(ctx, round_, officer,
                                                                     client, chunks_of_two,
                                                                     monkeypatch):
    ids = round_ids(round_)
    render = letters.render
    third = db.session.get(Award, ids[2]).reference

    def fails_on_the_third(data):
        if data["reference"] == third:
            raise OSError("The letter folder is full")
        return render(data)

    monkeypatch.setattr(letters, "render", fails_on_the_third)
    failed = letters.start_batch(officer, round_.id)
    # The first chunk's letters stay made; the second's are rolled back; the third's is not
    # started once the batch has failed.
    assert (failed.status, failed.done, failed.error) == \
        (JobStatus.FAILED, 2, "The letter folder is full")
    assert failed.finished_at is not None
    assert sorted(db.session.scalars(select(AwardLetter.award_id))) == sorted(ids[:2])
    assert failures() == []  # the job's own failure, shown on its page, is not audited

    monkeypatch.setattr(letters, "render", render)
    page = soup(client.get(f"/awards/rounds/{round_.id}/letters/{failed.id}"))
    again = client.post(page.select_one("#batch-again")["action"])
    retried = db.session.scalar(select(LetterBatch).where(LetterBatch.id != failed.id))
    assert again.headers["Location"].endswith(f"/letters/{retried.id}")
    assert (retried.status, retried.done, retried.total) == (JobStatus.DONE, 5, 5)
    assert db.session.scalar(select(func.count(AwardLetter.id))) == 5  # the first two reused


def test_a_batch_is_lost_only_once_every_job_has_ended(ctx, round_, officer, client,
                                                      chunks_of_two, redis_queue):
    round_ids(round_)
    batch = letters.start_batch(officer, round_.id)
    status_url = f"/awards/rounds/{round_.id}/letters/{batch.id}/status.json"
    first, second, third = chunk_jobs(redis_queue)
    for job in (first, second):
        letters.run_chunk(*job.args[1:])
        job.set_status(RQStatus.FINISHED)
    assert client.get(status_url).json["status"] == "running"  # the third may yet run

    third.delete()  # as when Redis lost it, or a worker was killed and it expired
    status = client.get(status_url).json
    assert (status["status"], status["done"], status["error"]) == ("failed", 4,
                                                                   letters.JOB_LOST)
    assert failures() == [{"reason": "job_ended"}]


def test_a_done_batch_is_not_lost_when_its_jobs_end(ctx, round_, officer, client,
                                                    chunks_of_two, redis_queue):
    round_ids(round_)
    batch = letters.start_batch(officer, round_.id)
    for job in chunk_jobs(redis_queue):
        letters.run_chunk(*job.args[1:])
        job.delete()
    status = client.get(f"/awards/rounds/{round_.id}/letters/{batch.id}/status.json").json
    assert (status["status"], status["done"]) == ("done", 5)
    assert failures() == []


class DoneMoves:
    """LETTER_BATCH, counting the moves to done."""

    def __init__(self, lifecycle):
        self.lifecycle, self.done = lifecycle, 0

    def __getattr__(self, name):
        return getattr(self.lifecycle, name)

    def move(self, subject, to, **options):
        self.done += to is JobStatus.DONE
        return self.lifecycle.move(subject, to, **options)


def test_chunks_finishing_at_once_mark_the_batch_done_exactly_once(app, round_, officer,
                                                                  backend, monkeypatch):
    """Four chunks count their letters at the same moment (on PostgreSQL, from threads): each
    adds its own, and only the one that reaches the total marks the batch done. (Their awards
    are gone, so the chunks go straight to counting.)"""
    batch = LetterBatch(round_id=round_.id, requested_by=officer, status=JobStatus.RUNNING,
                        total=8)
    db.session.add(batch)
    db.session.commit()
    batch_id, spy = batch.id, DoneMoves(letters.LETTER_BATCH)
    monkeypatch.setattr(letters, "LETTER_BATCH", spy)

    outcomes = at_once(app, backend, [
        lambda ids=ids: letters.run_chunk(batch_id, ids)
        for ids in ([-1, -2], [-3, -4], [-5, -6], [-7, -8])])

    assert outcomes == [DONE] * 4
    found = db.session.get(LetterBatch, batch.id, populate_existing=True)
    assert (found.status, found.done, found.error) == (JobStatus.DONE, 8, "")
    assert spy.done == 1


def test_a_chunk_runs_the_same_number_of_queries_for_any_number_of_letters(
        ctx, officer, backend):
    """Whether its letters are rendered or reused, with a variation among them."""
    counts = {"rendered": [], "reused": []}
    for size in (1, 4):
        round_ = RoundFactory(closed=True, budget_pence=50_000_00, min_award_pence=500_00,
                              max_award_pence=5_000_00)
        made = [make(round_).award for _ in range(size)]
        varied = made[0]
        varied.special_conditions = "Open the space four days a week."
        record_version(officer, varied, AwardChange.VARIATION, "Longer opening", utcnow())
        db.session.commit()
        ids = [award.id for award in made]
        for kind in counts:
            batch = LetterBatch(round_id=round_.id, requested_by=officer,
                                status=JobStatus.QUEUED, total=size)
            db.session.add(batch)
            db.session.commit()
            db.session.expire_all()
            with count_queries() as statements:
                letters.run_chunk(batch.id, ids)
            if backend == "sqlite":
                # SQLite gets the new rows' INSERTs one by one (it has no batched INSERT …
                # RETURNING in the ORM), in-process and cheap; PostgreSQL, one for them all.
                statements = [each for each in statements if not each.startswith("INSERT")]
            counts[kind].append(len(statements))
            assert db.session.get(LetterBatch, batch.id).status is JobStatus.DONE
    assert db.session.scalar(select(func.count(AwardLetter.id))) == 5
    assert counts["rendered"][0] == counts["rendered"][1]
    assert counts["reused"][0] == counts["reused"][1]
