"""The officers' exports at county scale (issue 15, item 4): the streamed CSV and the XLSX made
by a background job, at two sizes, to show that time grows with the rows and memory does not.

For each size it builds the county dataset (benchmarks/county.py) with that many applications
on PostgreSQL (the database must exist; its `public` schema is dropped and migrated), then
prints, for the CSV of every application through the app (a signed-in officer's request): the
time to the first bytes, the total time and rows a second, and the peak memory the download
took (tracemalloc's peak of Python allocations, in a second pass, since tracing slows the run;
and the growth of the process's peak RSS, reset before each measure); and for the XLSX: the
time the request takes to start the job (queued on Redis when --redis is given, else skipped),
then the job's total time and the same two memory figures.

Usage: python benchmarks/exports.py [--sizes 10000,55000] [--database-url URL]
       [--redis redis://127.0.0.1:6379/0]
"""

import argparse
import os
import sys
import time
import tracemalloc
import uuid
from collections.abc import Callable
from pathlib import Path
from tempfile import TemporaryDirectory

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PORTAL_ENV", "testing")

import sqlalchemy as sa
from flask import Flask

from benchmarks import county
from benchmarks.harness import signed_in_client
from models import Application, ExportJob, User, UserRole
from models.base import db
from models.enums import ApplicationStatus, Role
from portal import create_app, file_store, jobs
from portal.assessment import export_jobs, services
from portal.config import sqlalchemy_url

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/portal_bench_exports"
MB = 1024 * 1024


def peak_rss() -> int:
    """The process's peak resident memory so far (VmHWM), in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def reset_peak_rss() -> None:
    """Start the peak again from the memory in use now (Linux: clear_refs, 5)."""
    Path("/proc/self/clear_refs").write_text("5")


def memory(work: Callable[[], object]) -> tuple[float, float]:
    """(tracemalloc peak, peak RSS growth), in MB, of running `work`."""
    reset_peak_rss()
    before = peak_rss()
    tracemalloc.start()
    try:
        work()
        _, traced = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return traced / MB, (peak_rss() - before) / MB


def csv_download(client) -> tuple[float, float, int, int]:
    """(seconds to the first bytes, seconds in all, bytes, lines) of the whole CSV, read a
    piece at a time as a browser would and thrown away."""
    start = time.perf_counter()
    response = client.get("/assessment/applications.csv")
    pieces = iter(response.response)
    first = next(pieces)
    first_at = time.perf_counter() - start
    size, lines = len(first), first.count(b"\n")
    for piece in pieces:
        size += len(piece)
        lines += piece.count(b"\n")
    response.close()
    return first_at, time.perf_counter() - start, size, lines


def xlsx_job(app: Flask) -> tuple[float, int]:
    """Make the export of every application as the job does (here, in this process): its
    seconds and the stored file's size."""
    with app.app_context():
        officer = db.session.scalar(sa.select(User).join(UserRole)
                                    .where(UserRole.role == Role.GRANTS_OFFICER).limit(1))
        start = time.perf_counter()
        export = export_jobs.start(officer, services.ApplicationFilters())
        took = time.perf_counter() - start
        assert export.status.value == "done", export.error
        size = len(file_store.read(file_store.EXPORTS, export.file_name))
        return took, size


def queued_request(app: Flask, client, redis_url: str) -> float:
    """Seconds the officer's request takes to start the export when a worker makes it (the job
    is queued and then removed, not run)."""
    queue_name = f"portal-bench-{uuid.uuid4().hex}"
    app.config.update(REDIS_URL=redis_url, JOB_QUEUE=queue_name)
    try:
        start = time.perf_counter()
        response = client.post("/assessment/exports")
        took = time.perf_counter() - start
        assert response.status_code == 302, response.status_code
        with app.app_context():
            jobs.queue().delete(delete_jobs=True)
            db.session.execute(sa.delete(ExportJob))
            db.session.commit()
    finally:
        app.config.update(REDIS_URL=None)
    return took


def measure(app: Flask, size: int, redis_url: str | None) -> None:
    with app.app_context():
        start = time.perf_counter()
        county.reset_schema()
        county.build(applications=size)
        rows = db.session.scalar(sa.select(sa.func.count()).select_from(Application)
                                 .where(Application.status != ApplicationStatus.DRAFT))
        print(f"\n{size:,} applications built in {time.perf_counter() - start:.0f} s "
              f"({rows:,} sent in, so exported)")
    client = signed_in_client(app, Role.GRANTS_OFFICER)
    csv_download(client)  # warm: the first request loads templates and settles the pool
    first, total, size_bytes, lines = csv_download(client)
    traced, rss = memory(lambda: csv_download(client))
    print(f"  CSV   first bytes {first * 1000:6.1f} ms   total {total:6.2f} s "
          f"({(lines - 1) / total:,.0f} rows/s, {size_bytes / MB:.1f} MB)   "
          f"peak memory: traced {traced:5.1f} MB, RSS growth {rss:5.1f} MB")
    if redis_url:
        print(f"  XLSX  request starting the job on a worker: "
              f"{queued_request(app, client, redis_url) * 1000:.0f} ms")
    took, file_size = xlsx_job(app)
    traced, rss = memory(lambda: xlsx_job(app))
    print(f"  XLSX  job total {took:6.2f} s ({rows / took:,.0f} rows/s, "
          f"{file_size / MB:.1f} MB)   peak memory: traced {traced:5.1f} MB, "
          f"RSS growth {rss:5.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,55000")
    parser.add_argument("--database-url",
                        default=os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL)
    parser.add_argument("--redis", default=None, help="Redis URL, to time the queued request")
    args = parser.parse_args()
    with TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(args.database_url),
                          "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False, "REDIS_URL": None,
                          "FILE_STORE": "folder", "EXPORT_FOLDER": f"{folder}/exports",
                          "MAIL_OUTBOX": f"{folder}/outbox"})
        print(f"Exports on PostgreSQL, chunks of {services.EXPORT_CHUNK:,} rows "
              "(machine shared with other work)")
        for size in (int(text) for text in args.sizes.split(",")):
            measure(app, size, args.redis)


if __name__ == "__main__":
    main()
