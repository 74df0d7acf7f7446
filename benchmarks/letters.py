"""Award letters, as issue 15 asks, on PostgreSQL (--database) with Redis:

(a) the portal's pipeline (a batch's chunk job: letter data, render, store, one commit)
    against WeasyPrint rendering the same final HTML directly (as it comes, and given one
    font configuration for all, as the portal does), chunk by chunk in turn so that the
    machine's load weighs on all alike; and unchanged letters reused;
(b) one round's letters produced by 1 and by 2 RQ workers (`flask jobs worker`, started and
    idle before the round is asked for), and the speed-up, --repeat times;
(c) memory across the round: each worker's RSS (its own and its work-horse's, the process RQ
    forks for each job) at the start, middle and end of the round, and this process's RSS
    running every chunk of the round itself (as a worker that does not fork would).

Usage: python benchmarks/letters.py [--letters 1000] [--side-by-side 200] [--repeat 2]
       [--chunk 25] [--database URL] [--redis redis://127.0.0.1:6379/0]

The database is a temporary SQLite file, or the PostgreSQL database named by --database (or
BENCH_DATABASE_URL), which is emptied first. The letters go to a temporary folder; the jobs
to a queue of the run's own (`bench-letters-<random>`), removed afterwards.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PORTAL_ENV", "testing")

from redis import Redis  # noqa: E402
from rq import Queue, Worker  # noqa: E402
from rq.job import Job  # noqa: E402
from sqlalchemy import delete, select  # noqa: E402
from weasyprint import HTML  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402

from benchmarks.harness import bench_app  # noqa: E402
from models import (  # noqa: E402
    Allocation,
    Application,
    Award,
    AwardLetter,
    AwardVersion,
    Decision,
    FundingPot,
    Instalment,
    LetterBatch,
    MonitoringReturn,
    Organisation,
    Round,
    Scheme,
    User,
    UserRole,
)
from models.base import db, utcnow  # noqa: E402
from models.enums import (  # noqa: E402
    ApplicationStatus,
    AwardChange,
    AwardStatus,
    DecisionAuthority,
    DecisionOutcome,
    FundingSource,
    JobStatus,
    PaymentTiming,
    Role,
    RoundStatus,
)
from portal.awards import letters  # noqa: E402
from portal.awards.terms import snapshot  # noqa: E402
from portal.pdf import STATIC, LocalFilesOnly  # noqa: E402


def build_awards(count: int, rounds: int) -> list[int]:
    """`count` offered awards spread over `rounds` rounds, each paid from two pots in two
    instalments, with two monitoring returns and its first version of the terms."""
    now = utcnow()
    officer = User(email="officer@bench.example.org", full_name="Bench Officer",
                   email_verified_at=now, role_grants=[UserRole(role=Role.GRANTS_OFFICER)])
    scheme = Scheme(name="Bench grants", reference_prefix="BEN")
    round_rows = [Round(scheme=scheme, name=f"Bench round {n}", financial_year="2024/25",
                        opens_at=now - timedelta(days=90), closes_at=now - timedelta(days=30),
                        budget_pence=5_000_000_00, min_award_pence=100_00,
                        max_award_pence=10_000_00, max_project_months=12,
                        status=RoundStatus.DECIDED) for n in range(rounds)]
    pots = [FundingPot(name=name, financial_year="2024/25", source=source, funder_name=funder,
                       acknowledgement=f"Funded by {funder}.")
            for name, source, funder in [("Core 2024/25", FundingSource.CORE, "Bench Council"),
                                         ("ICB 2024/25", FundingSource.EXTERNAL,
                                          "NHS Bench Integrated Care Board")]]
    db.session.add_all([officer, *round_rows, *pots])
    start = date.today() + timedelta(days=14)
    for n in range(count):
        organisation = Organisation(name=f"Bench organisation {n}",
                                    address_line_1=f"{n + 1} High Street", town="Benchford",
                                    postcode="HD1 1AA")
        amount = 1_000_00 + 37 * n
        application = Application(
            round=round_rows[n % rounds], organisation=organisation, created_by=officer,
            reference=f"BEN-2425-{n + 1:04d}", status=ApplicationStatus.APPROVED, sections={},
            title=f"Community project {n}", amount_requested_pence=amount, submitted_at=now)
        decision = Decision(application=application, outcome=DecisionOutcome.APPROVED,
                            amount_pence=amount, authority=DecisionAuthority.DELEGATED_OFFICER,
                            decided_on=date.today(), recorded_by=officer)
        award = Award(
            application=application, decision=decision, reference=application.reference,
            amount_pence=amount, status=AwardStatus.OFFERED,
            standard_conditions="1. Spend the grant on the project.\n2. Keep receipts.",
            special_conditions="Send photographs of the sessions.", offered_by=officer,
            accept_by=date.today() + timedelta(days=28), start_date=start,
            end_date=start + timedelta(days=364), payment_timing=PaymentTiming.IN_ADVANCE,
            subsidy_total_pence=amount, subsidy_statement="This grant is given as Minimal "
            "Financial Assistance under section 36 of the Subsidy Control Act 2022.",
            allocations=[Allocation(pot=pots[0], amount_pence=amount - 500_00),
                         Allocation(pot=pots[1], amount_pence=500_00)],
            instalments=[Instalment(number=1, due_on=start, amount_pence=amount - 400_00),
                         Instalment(number=2, due_on=start + timedelta(days=180),
                                    amount_pence=400_00)],
            monitoring_returns=[
                MonitoringReturn(title="Interim report", due_on=start + timedelta(days=180)),
                MonitoringReturn(title="End of grant report",
                                 due_on=start + timedelta(days=394))])
        db.session.add(award)
        db.session.flush()
        db.session.add(AwardVersion(award_id=award.id, number=1, change=AwardChange.OFFER,
                                    reason="Offer made", terms=snapshot(award),
                                    created_by=officer, created_at=now))
    db.session.commit()
    return list(db.session.scalars(select(Award.id).order_by(Award.id)))


def forget_letters(folder: Path) -> None:
    """Remove every stored letter and batch, so the next run renders all of them again."""
    db.session.execute(delete(AwardLetter))
    db.session.execute(delete(LetterBatch))
    db.session.commit()
    for path in folder.glob("*.pdf"):
        path.unlink()


def officer() -> User:
    return db.session.scalar(select(User).where(User.email == "officer@bench.example.org"))


def new_batch(total: int) -> int:
    """A batch for run_chunk to count into, as start_batch makes one (without its jobs)."""
    batch = LetterBatch(round_id=db.session.scalar(select(Round.id).limit(1)),
                        requested_by=officer(), status=JobStatus.QUEUED, total=total)
    db.session.add(batch)
    db.session.commit()
    return batch.id


def chunks(award_ids: list[int], size: int) -> list[list[int]]:
    return [award_ids[start:start + size] for start in range(0, len(award_ids), size)]


def time_side_by_side(award_ids: list[int], pages: list[str], size: int
                      ) -> tuple[float, float, float]:
    """Seconds for the chunk jobs' work, for WeasyPrint alone on the same letters' HTML, and
    for WeasyPrint given one font configuration for all (as the portal does), a chunk of each
    in turn."""
    batch_id, fonts = new_batch(len(award_ids)), FontConfiguration()
    pipeline = direct = direct_fonts = 0.0
    for chunk, html_chunk in zip(chunks(award_ids, size), chunks(pages, size), strict=True):
        start = time.perf_counter()
        letters.run_chunk(batch_id, chunk)
        middle = time.perf_counter()
        for html in html_chunk:
            HTML(string=html, base_url=STATIC.as_uri() + "/",
                 url_fetcher=LocalFilesOnly()).write_pdf()
        last = time.perf_counter()
        for html in html_chunk:
            HTML(string=html, base_url=STATIC.as_uri() + "/",
                 url_fetcher=LocalFilesOnly()).write_pdf(font_config=fonts)
        pipeline, direct = pipeline + middle - start, direct + last - middle
        direct_fonts += time.perf_counter() - last
    assert db.session.get(LetterBatch, batch_id).status is JobStatus.DONE
    return pipeline, direct, direct_fonts


def time_reuse(award_ids: list[int], size: int) -> float:
    batch_id = new_batch(len(award_ids))
    start = time.perf_counter()
    for chunk in chunks(award_ids, size):
        letters.run_chunk(batch_id, chunk)
    return time.perf_counter() - start


def rss_kb(pid: int) -> int:
    """The process's resident memory in kB (0 once it has gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    except (FileNotFoundError, ProcessLookupError, StopIteration):
        return 0


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as found:
            return [int(child) for child in found.read().split()]
    except FileNotFoundError:
        return []


def mb(kb: int) -> str:
    return f"{kb / 1024:5.0f} MB"


def in_process_memory(award_ids: list[int], size: int) -> None:
    """Prints (c) for this process running every chunk of the round itself: its RSS after
    the first chunk, at the middle and at the end."""
    batch_id, samples = new_batch(len(award_ids)), []
    for chunk in chunks(award_ids, size):
        letters.run_chunk(batch_id, chunk)
        samples.append((db.session.get(LetterBatch, batch_id, populate_existing=True).done,
                        rss_kb(os.getpid())))
        db.session.rollback()
    middle = next(sample for sample in samples if sample[0] >= len(award_ids) // 2)
    print(f"(c) this process running every chunk itself: RSS {mb(samples[0][1])} after "
          f"{samples[0][0]} letters, {mb(middle[1])} after {middle[0]}, {mb(samples[-1][1])} "
          f"after {samples[-1][0]}")


@dataclass
class WorkerRun:
    workers: int
    seconds: float = 0.0
    # The jobs' own time, summed: with every worker busy all along it is workers x seconds.
    busy: float = 0.0
    load: str = ""
    # (letters done, [each worker's own RSS]) in kB.
    samples: list[tuple[int, list[int]]] = field(default_factory=list)
    # Each work-horse (one a job) by pid, in the order first seen: the letters done then, and
    # the most RSS it reached in kB.
    horses: dict[int, tuple[int, int]] = field(default_factory=dict)

    def sample(self, done: int, pids: list[int]) -> None:
        self.samples.append((done, [rss_kb(pid) for pid in pids]))
        for horse in (child for pid in pids for child in children(pid)):
            seen, most = self.horses.get(horse, (done, 0))
            self.horses[horse] = (seen, max(most, rss_kb(horse)))


def time_workers(app, workers: int, database_url: str, folder: Path, redis_url: str
                 ) -> WorkerRun:
    """Start `workers` workers on a queue of this run's own, wait until they are all idle,
    then ask for the round's letters and time until the batch is done, sampling the workers'
    memory; then stop them (a warm shutdown)."""
    queue_name = f"bench-letters-{uuid.uuid4().hex}"
    app.config.update(REDIS_URL=redis_url, JOB_QUEUE=queue_name)
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url,
           "JOB_QUEUE": queue_name, "LETTER_FOLDER": str(folder), "FLASK_APP": "wsgi.py",
           "LETTER_BATCH_CHUNK": str(app.config["LETTER_BATCH_CHUNK"])}
    connection = Redis.from_url(redis_url)
    queue = Queue(queue_name, connection=connection)
    run = WorkerRun(workers)
    with open(os.environ.get("BENCH_WORKER_LOG", os.devnull), "a") as log:
        processes = [subprocess.Popen([sys.executable, "-m", "flask", "jobs", "worker"],
                                      cwd=ROOT, env=env, stdout=log, stderr=log)
                     for _ in range(workers)]
        try:
            while len(Worker.all(queue=queue)) < workers:
                if any(process.poll() is not None for process in processes):
                    raise RuntimeError("A worker stopped before it started")
                time.sleep(0.1)
            run.load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
            round_id = db.session.scalar(select(Round.id).limit(1))
            start = time.perf_counter()
            batch_id = letters.start_batch(officer(), round_id).id
            while True:
                status, done = db.session.execute(
                    select(LetterBatch.status, LetterBatch.done)
                    .where(LetterBatch.id == batch_id)).one()
                db.session.rollback()
                run.sample(done, [process.pid for process in processes])
                if status is JobStatus.DONE:
                    break
                if status is JobStatus.FAILED:
                    raise RuntimeError("The batch failed")
                time.sleep(0.1)
            run.seconds = time.perf_counter() - start
            run.busy = sum((job.ended_at - job.started_at).total_seconds() for job in
                           Job.fetch_many(queue.finished_job_registry.get_job_ids(),
                                          connection=connection) if job is not None)
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                process.wait(timeout=60)
            queue.delete(delete_jobs=True)
            for key in connection.scan_iter(f"rq:*{queue_name}*"):
                connection.delete(key)
            app.config.update(REDIS_URL=None)
    return run


def memory_lines(run: WorkerRun, total: int) -> list[str]:
    """The workers' own RSS at the round's start, middle and end; and the most RSS reached by
    the work-horses of the first, middle and last jobs (each job's horse is forked afresh)."""
    middle = next(sample for sample in run.samples if sample[0] >= total // 2)
    own = ", ".join(f"{label} ({done} done) " + " + ".join(mb(rss) for rss in sizes)
                    for label, (done, sizes) in [("start", run.samples[0]), ("middle", middle),
                                                  ("end", run.samples[-1])])
    horses = list(run.horses.values())
    peaks = ", ".join(f"{label} (from {done} done) {mb(most)}"
                      for label, (done, most) in [("first", horses[0]),
                                                  ("middle", horses[len(horses) // 2]),
                                                  ("last", horses[-1])])
    return [f"    (c) workers' RSS: {own}",
            f"    (c) work-horses' peak RSS, of {len(horses)} jobs seen: {peaks}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--letters", type=int, default=1000, help="the round's letters")
    parser.add_argument("--side-by-side", type=int, default=200,
                        help="letters for the pipeline against WeasyPrint")
    parser.add_argument("--repeat", type=int, default=2, help="runs with 1 and 2 workers")
    parser.add_argument("--chunk", type=int, default=25, help="LETTER_BATCH_CHUNK")
    parser.add_argument("--database", help="a PostgreSQL URL (emptied first)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--parts", default="abc",
                        help="which figures: a (pipeline), b (workers, with their memory), "
                             "c (this process's memory)")
    args = parser.parse_args()
    if args.database:
        os.environ["BENCH_DATABASE_URL"] = args.database

    with bench_app() as (app, kind), TemporaryDirectory() as folder:
        app.config.update(LETTER_FOLDER=folder, LETTER_BATCH_CHUNK=args.chunk)
        with app.app_context():
            award_ids = build_awards(args.letters, 1)
            n = len(award_ids)
            print(f"{kind}: one round of {n} letters, {args.chunk} a job; {os.cpu_count()} "
                  "CPUs, shared with other work; load average (1, 5, 15 min) given per step")
            if "a" in args.parts:
                side_by_side(award_ids[:args.side_by_side], args.chunk)
            if "c" in args.parts:
                forget_letters(Path(folder))
                in_process_memory(award_ids, args.chunk)
            if "b" in args.parts:
                compare_workers(app, Path(folder), args.redis, args.repeat, n)


def side_by_side(side: list[int], size: int) -> None:
    """Prints (a)."""
    # Warm up WeasyPrint (fonts, CSS) so neither side pays for it.
    letters.render(letters.letter_data(db.session.get(Award, side[0])))
    pages = [letters.render_html(letters.letter_data(db.session.get(Award, award_id)))
             for award_id in side]
    db.session.expire_all()
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    pipeline, direct, direct_fonts = time_side_by_side(side, pages, size)
    m = len(side)
    print(f"(a) {m} letters, load {load}")
    print(f"  portal pipeline (chunk jobs' work)       {m / pipeline:6.1f} letters/s")
    print(f"  WeasyPrint on the same HTML              {m / direct:6.1f} letters/s")
    print(f"  ratio pipeline / WeasyPrint              {direct / pipeline:6.2f}")
    print(f"  WeasyPrint, one font configuration       {m / direct_fonts:6.1f} letters/s")
    print(f"  ratio pipeline / that                    {direct_fonts / pipeline:6.2f}")
    print(f"  unchanged letters reused                 "
          f"{m / time_reuse(side, size):6.1f} letters/s")


def compare_workers(app, folder: Path, redis_url: str, repeat: int, n: int) -> None:
    """Prints (b), with each run's memory."""
    database_url = str(db.engine.url.render_as_string(hide_password=False))
    runs: dict[int, list[WorkerRun]] = {1: [], 2: []}
    for _ in range(repeat):
        for workers in (1, 2):
            forget_letters(folder)
            run = time_workers(app, workers, database_url, folder, redis_url)
            runs[workers].append(run)
            print(f"(b) {workers} worker{'s' if workers > 1 else ' '}: {n} letters in "
                  f"{run.seconds:5.1f} s, {n / run.seconds:5.1f} letters/s "
                  f"(load {run.load} at the start); the workers were busy "
                  f"{run.busy / (workers * run.seconds):4.0%} of the time")
            print(*memory_lines(run, n), sep="\n")
        one, two = runs[1][-1].seconds, runs[2][-1].seconds
        print(f"    speed-up, 2 workers over 1: {one / two:4.2f}x")


if __name__ == "__main__":
    main()
