"""The funding dashboard's figures at county scale: what the ledger stores (a row a pot, a row a
scheme and pot) against summing the ledger's entries as the dashboard did before issue 15, on
the dataset of benchmarks/county.py (about 30,000 entries across 36 pots).

Prints the median and 95th percentile of: every pot's figures read from the pots' rows
(`ledger.balances()`) and summed from the entries; every scheme's figures by pot read from
scheme_pot_spends and summed from the entries of the schemes' awards; the funding dashboard page
through the test client; and `flask funding check`'s comparison (which sums the whole ledger).

Usage: python benchmarks/stored_figures.py [--database-url URL] [--build] [--repeat 30]
(the database must exist; --build drops and re-creates its public schema and builds the
dataset, as benchmarks/scale.py does)
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PORTAL_ENV", "testing")

import sqlalchemy as sa

from benchmarks import county
from benchmarks.harness import signed_in_client
from models import LedgerEntry, SchemePotSpend
from models.base import db
from models.enums import Role
from portal import create_app
from portal.config import sqlalchemy_url
from portal.funding import ledger, ledger_check

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/portal_bench_scale"


def timed(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and 95th percentile in ms of `action`, each run in a fresh transaction."""
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
        db.session.rollback()
    timings.sort()
    return statistics.median(timings), timings[max(int(len(timings) * 0.95) - 1, 0)]


def report(name: str, figures: tuple[float, float], against: tuple[float, float] | None = None
           ) -> None:
    ratio = f"   {against[0] / figures[0]:5.1f}× faster" if against else ""
    print(f"  {name:48} median {figures[0]:7.2f} ms   p95 {figures[1]:7.2f} ms{ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--build", action="store_true")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    app = create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(args.database_url),
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        if args.build:
            county.reset_schema()
            county.build()
        entries = db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry))
        spends = db.session.scalar(sa.select(sa.func.count()).select_from(SchemePotSpend))
        print(f"{entries:,} ledger entries, {len(ledger.balances()):,} pots, {spends:,} scheme "
              f"and pot sums; {args.repeat} runs each (machine shared with other work)")
        summed_pots = timed(lambda: db.session.execute(sa.select(ledger_check.summed_by_pot()))
                            .all(), args.repeat)
        report("pots' figures summed from the entries", summed_pots)
        report("pots' figures read from their rows", timed(ledger.balances, args.repeat),
               summed_pots)
        summed_schemes = timed(lambda: db.session.execute(ledger_check.summed_by_scheme()).all(),
                               args.repeat)
        report("schemes' figures summed from the entries", summed_schemes)
        report("schemes' figures read from scheme_pot_spends",
               timed(lambda: db.session.scalars(sa.select(SchemePotSpend)).all(), args.repeat),
               summed_schemes)
        result = ledger_check.check()
        print(f"  flask funding check: {'agrees' if result.agrees else 'DISAGREES'}")
        report("the check (sums the whole ledger)", timed(ledger_check.check, args.repeat))
    client = signed_in_client(app, Role.GRANTS_OFFICER)

    def dashboard() -> None:
        assert client.get("/funding/").status_code == 200

    with app.app_context():
        dashboard()  # warm the templates
        report("GET /funding/ (test client, whole page)", timed(dashboard, args.repeat))


if __name__ == "__main__":
    main()
