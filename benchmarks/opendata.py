"""Publishing a county's year of grants as open data, on the dataset of benchmarks/county.py:
how long the review takes to build and validate the 360Giving file, how long publishing takes
(building again, flattentool's spreadsheets and the Transparency Code file), the register's
first page, the files' sizes, and the process's peak memory after publishing.

Usage: python benchmarks/opendata.py [--database-url URL] [--build] [--year 2024-25]
(the database must exist; --build drops and re-creates its public schema and builds the
dataset, as benchmarks/scale.py does)
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PORTAL_ENV", "testing")

from sqlalchemy import select

from benchmarks import county
from benchmarks.harness import signed_in_client
from models import User, UserRole
from models.base import db
from models.enums import Role
from portal import create_app, file_store
from portal.config import sqlalchemy_url
from portal.opendata import services

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/portal_bench_scale"


def seconds(action):
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--build", action="store_true")
    parser.add_argument("--year", default="2024-25")
    args = parser.parse_args()
    app = create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(args.database_url),
                      "RATELIMIT_ENABLED": False, "COUNCIL_ORG_ID": "GB-LAE-TST",
                      "GRANT_ID_PREFIX": "360G-benchmark",
                      "OPEN_DATA_FOLDER": tempfile.mkdtemp(prefix="portal-open-data-")})
    with app.app_context():
        if args.build:
            county.reset_schema()
            county.build()
        officer = db.session.scalar(select(User).join(UserRole)
                                    .where(UserRole.role == Role.GRANTS_OFFICER).limit(1))
        review, built = seconds(lambda: services.review(officer, args.year))
        dataset = review.dataset
        print(f"{args.year}: {len(dataset.grants):,} grants, problems: "
              f"{dataset.problems[:3] or 'none'} (machine shared with other work)")
        print(f"  review page's build and validation  {built:6.1f} s")
        publication, took = seconds(lambda: services.publish(officer, args.year, dataset.digest))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  publishing (build, validate, files)  {took:6.1f} s; process peak {peak:.0f} MB")
        for file in services.FILES:
            size = len(file_store.read(file_store.OPEN_DATA,
                                       publication.file_stem + file.suffix) or b"")
            print(f"    {file.name:18} {size / 2**20:6.1f} MB")
        db.session.commit()
    client = signed_in_client(app, Role.GRANTS_OFFICER)
    with app.app_context():
        client.get("/grants-awarded")  # warm the templates
        response, took = seconds(lambda: client.get(f"/grants-awarded?year={args.year}"))
        assert response.status_code == 200
        print(f"  GET /grants-awarded?year={args.year}    {took * 1000:6.0f} ms")


if __name__ == "__main__":
    main()
