"""The portal at county scale (issue 15): builds 55,000 applications from 5,000 organisations,
their awards and funding ledger and a programme of 76 contracts on PostgreSQL
(benchmarks/county.py), serves it with gunicorn in production mode, and drives N signed-in
officers at once, each with its own session, over the officers' list (page 1, deep pages, each
sort, filters, searches), the funding dashboard, a pot's ledger, the taper dashboard and the
contracts list. Prints, per page: requests, p50/p95/p99 and the SQL time (from the
Server-Timing header that SQL_TIMING=1 adds), then requests per second and PASS or FAIL
against p95 <= 150 ms for every page.

Each officer waits a think time between requests (--think, randomised +/-50%): a real officer
reads a page before the next click, so N officers are N people, not N request loops.

Usage: python benchmarks/scale.py [--database-url URL] [--skip-build] [--users 20]
       [--workers 3] [--duration 60] [--warm-up 10] [--think 1.0]
"""

import argparse
import http.client
import math
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# This process builds the data and signs the cookies; the measured server runs in production.
os.environ.setdefault("PORTAL_ENV", "testing")

import sqlalchemy as sa
from flask import Flask

from benchmarks import county
from models import (
    Application,
    FundingPot,
    LedgerEntry,
    Organisation,
    Programme,
    Round,
    Theme,
    User,
    UserRole,
    Ward,
)
from models.base import db
from models.enums import ApplicationStatus, Role
from portal import create_app
from portal.accounts import sessions
from portal.assessment import services
from portal.config import sqlalchemy_url

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/portal_bench_scale"
TARGET_P95_MS = 150
SERVER_TIMING = re.compile(r'sql;dur=([\d.]+);desc="(\d+) queries"')


@dataclass(frozen=True)
class Page:
    """One kind of page: the URLs it is requested by (one picked at random each time) and the
    role of the officer who asks for it."""

    kind: str
    paths: tuple[str, ...]
    role: Role = Role.GRANTS_OFFICER


@dataclass
class Timings:
    page_ms: list[float] = field(default_factory=list)
    sql_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    failures: int = 0


def _list(**query) -> str:
    return "/assessment/applications" + (f"?{urlencode(query)}" if query else "")


def _deep(sort: str, order: str, page: int = 2_000) -> str:
    """The list at page `page` as its Next link reaches it: a cursor naming the row before
    (keyset paging; ?page= is honoured only up to NUMBERED_PAGES)."""
    filters = services.ApplicationFilters(sort=sort, order=order)
    # The service's own cursor, made as its Next link would make it.
    row = db.session.execute(services._read_from(
        filters, None, forwards=True, offset=(page - 1) * services.PER_PAGE - 1, limit=1)).one()
    cursor = services._encode(filters, page, row)
    return _list(sort=sort, order=order, after=cursor)


def pages(rng: random.Random) -> list[Page]:
    """The pages measured, with ids, references and names taken from the dataset."""
    round_id = db.session.scalar(sa.select(sa.func.max(Round.id)))
    ward_ids = list(db.session.scalars(sa.select(Ward.id)))
    theme_ids = list(db.session.scalars(sa.select(Theme.id)))
    references = rng.sample(list(db.session.scalars(
        sa.select(Application.reference).where(Application.reference.is_not(None)))), 50)
    names = rng.sample(list(db.session.scalars(sa.select(Organisation.name))), 50)
    # Part of a name, as an officer types it: "batley east youth", "food", "carers".
    fragments = [" ".join(name.lower().split()[:2]) for name in names[:25]]
    fragments += [word.lower() for word in ("Food", "Carers", "Heritage", "Allotment", "Music")]
    programme_id = db.session.scalar(sa.select(Programme.id).where(Programme.code == "ANCHORS"))
    busiest_pot = db.session.scalar(
        sa.select(LedgerEntry.pot_id).group_by(LedgerEntry.pot_id)
        .order_by(sa.func.count().desc()).limit(1))
    rounds = [str(round_id), *(str(n) for n in db.session.scalars(
        sa.select(Round.id).order_by(Round.id).limit(6)))]
    statuses = [status.value for status in ApplicationStatus
                if status is not ApplicationStatus.DRAFT]
    kinds = [
        Page("list: page 1", (_list(),)),
        Page(f"list: page {services.NUMBERED_PAGES}", (_list(page=services.NUMBERED_PAGES),)),
        Page("list: page 2000 (cursor)", tuple(_deep(sort, order) for sort, order in
                                               (("submitted", "desc"), ("organisation", "asc"),
                                                ("amount", "desc")))),
        *(Page(f"list: sort {sort} {order}", (_list(sort=sort, order=order),))
          for sort in ("submitted", "amount", "reference", "organisation")
          for order in ("asc", "desc")),
        Page("filter: round", tuple(_list(round=r) for r in rounds)),
        Page("filter: status", tuple(_list(status=s) for s in statuses)),
        Page("filter: ward", tuple(_list(ward=w) for w in ward_ids)),
        Page("filter: theme", tuple(_list(theme=t) for t in theme_ids)),
        Page("filter: amount band", tuple(_list(amount=a) for a in
                                          ("up-to-1000", "1000-2500", "2500-5000",
                                           "over-5000"))),
        Page("filter: combined", tuple(
            _list(round=r, status=s, ward=w, amount="1000-2500", sort="amount", order="desc")
            for r, s, w in zip(rounds, ("approved", "rejected", "under_assessment",
                                        "submitted", "withdrawn", "approved", "deferred"),
                               ward_ids, strict=False))),
        Page("search: reference (q)", tuple(_list(q=r) for r in references)),
        Page("search: name (q)", tuple(_list(q=f) for f in fragments)),
        Page("search: organisation=", tuple(_list(organisation=f) for f in fragments)),
        Page("funding dashboard", ("/funding/",)),
        Page("pot ledger", (f"/funding/pots/{busiest_pot}",)),
        Page("taper dashboard", (f"/reporting/programmes/{programme_id}/taper",),
             Role.COMMISSIONER),
        Page("contracts list", tuple(f"/contracts/programmes/{programme_id}?page={n}"
                                     for n in (1, 2, 3, 4)), Role.COMMISSIONER),
    ]
    return kinds


def _staff(email: str, role: Role) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(email=email, full_name=email.split("@")[0],
                    role_grants=[UserRole(role=role)])
        db.session.add(user)
        db.session.flush()
    return user


def session_cookies(app: Flask, users: int) -> list[dict[Role, str]]:
    """For each simulated officer, a signed-in session cookie for a grants officer and one for
    a commissioner (accounts made if missing), started without the authenticator code as
    benchmarks/harness.py's signed_in_client does: the session row, then the Flask session
    cookie signed with the app's own serializer."""
    serializer = app.session_interface.get_signing_serializer(app)
    cookies = []
    for number in range(users):
        pair = {}
        for role, name in ((Role.GRANTS_OFFICER, "officer"), (Role.COMMISSIONER, "commissioner")):
            user = _staff(f"{name}{number}@bench.example.org", role)
            sessions.start(user, remember=False)
            db.session.commit()
            # _fresh is already False: the session-protection check then has nothing to change,
            # so responses set no new cookie.
            pair[role] = serializer.dumps({"_user_id": user.get_id(), "_fresh": False})
        cookies.append(pair)
    return cookies


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(database_url: str, secret_key: str, workers: int,
                 log: Path) -> tuple[subprocess.Popen, int]:
    """gunicorn serving wsgi:app in production mode with SQL timing on; returns once the
    portal answers."""
    port = _free_port()
    env = {**os.environ, "PORTAL_ENV": "production", "DATABASE_URL": database_url,
           "SECRET_KEY": secret_key, "RATELIMIT_ENABLED": "0", "SQL_TIMING": "1",
           "MAIL_OUTBOX": str(log.parent / "outbox")}
    server = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "wsgi:app"], cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit {server.returncode}):\n{log.read_text()}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/sign-in")
            if connection.getresponse().status == 200:
                return server, port
        except OSError:
            time.sleep(0.3)
    stop_server(server)
    raise SystemExit(f"gunicorn did not answer within 60 s:\n{log.read_text()}")


def stop_server(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


@dataclass
class Load:
    """What every officer's thread shares: the server, the pages, the timing, and the
    figures gathered (under `lock`)."""

    port: int
    kinds: list[Page]
    think: float
    measure_from: float
    until: float
    results: dict[str, Timings] = field(default_factory=lambda: defaultdict(Timings))
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def officer(load: Load, cookies: dict[Role, str], seed: int) -> None:
    """One officer: a page, a think, another page... until `load.until`; only requests sent
    after `load.measure_from` (the end of the warm-up) are counted."""
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", load.port, timeout=60)
    while (sent := time.monotonic()) < load.until:
        page = rng.choice(load.kinds)
        path = rng.choice(page.paths)
        status, sql_ms, queries, error = 0, 0.0, 0, ""
        try:
            connection.request("GET", path, headers={"Cookie": f"session={cookies[page.role]}"})
            response = connection.getresponse()
            response.read()
            status = response.status
            if match := SERVER_TIMING.search(response.getheader("Server-Timing", "")):
                sql_ms, queries = float(match[1]), int(match[2])
        except (OSError, http.client.HTTPException) as raised:
            connection.close()
            error = repr(raised)
        took = (time.monotonic() - sent) * 1000
        if sent >= load.measure_from:
            with load.lock:
                timings = load.results[page.kind]
                if status == 200:
                    timings.page_ms.append(took)
                    timings.sql_ms.append(sql_ms)
                    timings.queries.append(queries)
                else:
                    timings.failures += 1
                    load.failures.append(f"{path}: {error or f'HTTP {status}'}")
        time.sleep(load.think * rng.uniform(0.5, 1.5))


def _percentile(values: list[float], percent: float) -> float:
    ordered = sorted(values)
    return ordered[max(math.ceil(len(ordered) * percent / 100) - 1, 0)]


def report(kinds: list[Page], results: dict[str, Timings], duration: float,
           failures: list[str]) -> bool:
    """The table of figures, requests per second, failures and PASS/FAIL; True on PASS."""
    print(f"\n{'page':28} {'n':>5} {'p50':>7} {'p95':>7} {'p99':>7} {'SQL p50':>8} "
          f"{'queries':>7} {'page/SQL':>8}   (ms)")
    passed = not failures
    total = 0
    for page in kinds:
        timings = results[page.kind]
        total += len(timings.page_ms) + timings.failures
        if not timings.page_ms:
            print(f"{page.kind:28} {0:5d}   (no successful requests; {timings.failures} failed)")
            passed = False
            continue
        p95 = _percentile(timings.page_ms, 95)
        passed &= p95 <= TARGET_P95_MS
        sql = sum(timings.sql_ms)
        ratio = f"{sum(timings.page_ms) / sql:8.1f}" if sql else f"{'-':>8}"
        print(f"{page.kind:28} {len(timings.page_ms):5d} "
              f"{_percentile(timings.page_ms, 50):7.0f} {p95:7.0f} "
              f"{_percentile(timings.page_ms, 99):7.0f} {_percentile(timings.sql_ms, 50):8.1f} "
              f"{max(timings.queries):7d} {ratio}"
              + ("  over target" if p95 > TARGET_P95_MS else ""))
    print(f"\n{total / duration:.1f} requests per second over {duration:.0f} s; "
          f"{len(failures)} failed")
    for failure in failures[:10]:
        print(f"  failed: {failure}")
    print(f"{'PASS' if passed else 'FAIL'}: p95 <= {TARGET_P95_MS} ms for every page"
          + ("" if not failures else " and no failures"))
    return passed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--skip-build", action="store_true",
                        help="reuse the dataset already in the database")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--duration", type=float, default=60, help="seconds measured")
    parser.add_argument("--warm-up", type=float, default=10, help="seconds not measured")
    parser.add_argument("--think", type=float, default=1.0,
                        help="seconds between an officer's requests, randomised +/-50%%")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="portal-scale-") as folder:
        run(args, Path(folder))


def run(args: argparse.Namespace, folder: Path) -> None:
    """Build (unless --skip-build), sign the officers in, serve, drive them and report;
    `folder` holds gunicorn's log and the mail the build and the server write."""
    secret_key = secrets.token_hex(32)
    app = create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(args.database_url),
                      "SECRET_KEY": secret_key, "RATELIMIT_ENABLED": False,
                      "MAIL_OUTBOX": str(folder / "outbox")})
    with app.app_context():
        if not args.skip_build:
            start = time.perf_counter()
            county.reset_schema()
            county.build()
            print(f"Dataset built in {time.perf_counter() - start:.0f} s")
        counts = {model.__tablename__: db.session.scalar(sa.select(sa.func.count())
                                                         .select_from(model))
                  for model in (Organisation, Application, LedgerEntry, FundingPot)}
        print("Rows: " + ", ".join(f"{count:,} {name}" for name, count in counts.items()))
        kinds = pages(random.Random(1))
        cookies = session_cookies(app, args.users)
        db.engine.dispose()

    server, port = start_server(args.database_url, secret_key, args.workers,
                                folder / "gunicorn.log")
    try:
        print(f"gunicorn -w {args.workers} (PORTAL_ENV=production, SQL_TIMING=1) on port {port}; "
              f"{args.users} officers, each thinking {args.think:g} s ±50% between requests "
              f"(an officer reads a page before the next click); {args.warm_up:g} s warm-up, "
              f"{args.duration:g} s measured")
        measure_from = time.monotonic() + args.warm_up
        load = Load(port, kinds, args.think, measure_from, measure_from + args.duration)
        threads = [threading.Thread(target=officer, args=(load, cookies[n], n))
                   for n in range(args.users)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        stop_server(server)
    report(kinds, load.results, args.duration, load.failures)


if __name__ == "__main__":
    main()
