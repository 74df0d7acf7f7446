"""Times the grants officers' application list and its exports against many applications.

Usage: python benchmarks/applications_list.py [--applications N] [--repeat N]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PORTAL_ENV", "testing")

import flask_migrate
import sqlalchemy as sa

from benchmarks.dataset import build, build_applications
from models import Round, User, UserRole, Ward
from models.base import db
from models.enums import Role
from portal import create_app
from portal.config import sqlalchemy_url


def pages(round_id: int, ward_id: int) -> list[str]:
    return [
        "/assessment/applications",
        "/assessment/applications?page=150",
        f"/assessment/applications?round={round_id}&ward={ward_id}&amount=1000-2500"
        "&sort=amount&order=asc",
        "/assessment/applications?q=project 12&sort=organisation",
        "/assessment/applications.csv",
        f"/assessment/applications.csv?round={round_id}&sort=organisation&order=asc",
        "/assessment/applications.xlsx",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--applications", type=int, default=5_000)
    parser.add_argument("--organisations", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = sqlalchemy_url(os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db")
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
        with app.app_context():
            if url.startswith("postgresql"):
                db.session.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
                db.session.commit()
            flask_migrate.upgrade()
            build(people=500, organisations=args.organisations, events=1)
            build_applications(args.applications)
            officer_id = db.session.scalar(sa.select(UserRole.user_id)
                                           .where(UserRole.role == Role.GRANTS_OFFICER).limit(1))
            session_id = db.session.get(User, officer_id).get_id()
            paths = pages(db.session.scalar(sa.select(Round.id).limit(1)),
                          db.session.scalar(sa.select(Ward.id).limit(1)))
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = session_id
        print(f"{url.split(':')[0]}: {args.applications} applications, "
              f"{args.organisations} organisations, {args.repeat} requests a page")
        for path in paths:
            timings = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            timings.sort()
            p95 = timings[int(len(timings) * 0.95) - 1]
            print(f"  {path:72} median {statistics.median(timings):7.1f} ms   "
                  f"p95 {p95:7.1f} ms")


if __name__ == "__main__":
    main()
