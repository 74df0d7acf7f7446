"""Times the grants officers' application list and its CSV export against many applications
(the XLSX, made by a background job, is timed by benchmarks/exports.py).

Usage: python benchmarks/applications_list.py [--applications N] [--repeat N]
"""

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PORTAL_ENV", "testing")

import sqlalchemy as sa

from benchmarks.dataset import build, build_applications
from benchmarks.harness import bench_app, signed_in_client, time_pages
from models import Round, User, UserRole, Ward
from models.base import db
from models.enums import Role
from portal.assessment import services


def deep_link(sort: str, order: str) -> str:
    """The Next link of the last numbered page: the first page read from a cursor (keyset
    paging), which costs what any later page does."""
    officer = db.session.scalar(sa.select(User).join(UserRole)
                                .where(UserRole.role == Role.GRANTS_OFFICER).limit(1))
    filters = services.ApplicationFilters(sort=sort, order=order)
    listing = services.applications_page(officer, filters, page=services.NUMBERED_PAGES)
    return f"/assessment/applications?{urlencode({'sort': sort, 'order': order, **listing.next})}"


def pages(round_id: int, ward_id: int) -> list[str]:
    return [
        "/assessment/applications",
        f"/assessment/applications?page={services.NUMBERED_PAGES}",
        deep_link("submitted", "desc"),
        deep_link("organisation", "asc"),
        "/assessment/applications?q=organisation 12",
        f"/assessment/applications?round={round_id}&ward={ward_id}&amount=1000-2500"
        "&sort=amount&order=asc",
        "/assessment/applications?q=project 12&sort=organisation",
        "/assessment/applications.csv",
        f"/assessment/applications.csv?round={round_id}&sort=organisation&order=asc",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--applications", type=int, default=5_000)
    parser.add_argument("--organisations", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    with bench_app() as (app, kind):
        with app.app_context():
            build(people=500, organisations=args.organisations, events=1)
            build_applications(args.applications)
            paths = pages(db.session.scalar(sa.select(Round.id).limit(1)),
                          db.session.scalar(sa.select(Ward.id).limit(1)))
        print(f"{kind}: {args.applications} applications, "
              f"{args.organisations} organisations, {args.repeat} requests a page")
        time_pages(signed_in_client(app, Role.GRANTS_OFFICER), paths, args.repeat)


if __name__ == "__main__":
    main()
