"""Times the paginated list pages against a large dataset and prints the figures.

Usage: python benchmarks/list_pages.py [--people N] [--events N] [--repeat N]
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

from benchmarks.dataset import build
from models import User, UserRole
from models.base import db
from models.enums import Role
from portal import create_app
from portal.config import sqlalchemy_url

PAGES = ["/admin/users", "/admin/users?page=40", "/admin/users?q=person12",
         "/admin/audit", "/admin/audit?page=150", "/admin/audit?action=sign_in"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=2_000)
    parser.add_argument("--organisations", type=int, default=1_000)
    parser.add_argument("--events", type=int, default=20_000)
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
            build(args.people, args.organisations, args.events)
            admin_id = db.session.scalar(
                sa.select(UserRole.user_id).where(UserRole.role == Role.ADMIN).limit(1))
            session_id = db.session.get(User, admin_id).get_id()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = session_id
        print(f"{url.split(':')[0]}: {args.people} people, {args.events} audit events, "
              f"{args.repeat} requests a page")
        for page in PAGES:
            timings = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                response = client.get(page)
                timings.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (page, response.status_code)
            timings.sort()
            p95 = timings[int(len(timings) * 0.95) - 1]
            print(f"  {page:32} median {statistics.median(timings):6.1f} ms   p95 {p95:6.1f} ms")


if __name__ == "__main__":
    main()
