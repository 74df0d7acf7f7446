"""Times the admin's paginated list pages against a large dataset and prints the figures.

Usage: python benchmarks/list_pages.py [--people N] [--events N] [--repeat N]
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PORTAL_ENV", "testing")

from benchmarks.dataset import build
from benchmarks.harness import bench_app, signed_in_client, time_pages
from models.enums import Role

PAGES = ["/admin/users", "/admin/users?page=40", "/admin/users?q=person12",
         "/admin/audit", "/admin/audit?page=150", "/admin/audit?action=sign_in"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=2_000)
    parser.add_argument("--organisations", type=int, default=1_000)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    with bench_app() as (app, kind):
        with app.app_context():
            build(args.people, args.organisations, args.events)
        print(f"{kind}: {args.people} people, {args.events} audit events, "
              f"{args.repeat} requests a page")
        time_pages(signed_in_client(app, Role.ADMIN), PAGES, args.repeat)


if __name__ == "__main__":
    main()
