"""Times the commissioning pages against a large programme and prints the figures: the
programme page, the taper dashboard and its downloads, a taper preview, the returns and
benchmarking pages, and applying a taper to every contract.

The programme is built through the services, as commissioners and providers would: N
contracts over three years, each planned from a core and an external pot a year, made active,
with the six standard KPIs and a first-quarter return.

Usage: python benchmarks/commissioning.py [--contracts N] [--repeat N]
"""

import argparse
import os
import sys
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PORTAL_ENV", "testing")

from benchmarks.harness import bench_app, signed_in_client, time_pages
from models import FundingPot, Membership, Organisation, Programme, ProgrammeYear, User, UserRole
from models.base import db
from models.enums import ContractLot, FundingSource, LedgerKind, OrganisationRole, Rag, Role
from portal.contracts import programme_taper, services, years
from portal.contracts.details import ContractDetails
from portal.contracts.taper import CoreTaper, Taper
from portal.funding import ledger
from portal.monitoring import services as monitoring
from portal.monitoring.details import ReturnAnswers
from portal.monitoring.quarters import Quarter

YEARS = ("2024/25", "2025/26", "2026/27")
PLANNED_ON = datetime(2024, 3, 1, 9, tzinfo=UTC)
SENT_ON = datetime(2024, 7, 20, 9, tzinfo=UTC)
LOTS = (ContractLot.LEAD_LOCALITY_ANCHOR, ContractLot.LOCAL_ANCHOR,
        ContractLot.VCS_INFRASTRUCTURE)


def _person(email: str, role: Role) -> User:
    user = User(email=email, full_name=email.split("@")[0], role_grants=[UserRole(role=role)])
    db.session.add(user)
    return user


def build(count: int, name: str = "Benchmark anchors", code: str = "BENCH") -> Programme:
    """A programme of `count` contracts, £10,000 core and £8,000 external each in 2024/25."""
    commissioner = _person("commissioner@bench.example.org", Role.COMMISSIONER)
    programme = Programme(code=code, name=name, years=[
        ProgrammeYear(financial_year=year, core_target_pence=0) for year in YEARS])
    db.session.add(programme)
    db.session.flush()
    for year in YEARS:
        for source in FundingSource:
            pot = FundingPot(name=f"{source.value} {year}", financial_year=year, source=source,
                             funder_name="Bench", programmes=[programme])
            db.session.add(pot)
            db.session.flush()
            ledger.post(commissioner, [ledger.Posting(pot.id, LedgerKind.BUDGET,
                                                      count * 20_000_00)], "Budget")
    db.session.commit()
    for number in range(count):
        provider = Organisation(name=f"Anchor {number:04d}")
        member = _person(f"anchor{number}@bench.example.org", Role.APPLICANT)
        db.session.add(Membership(organisation=provider, user=member,
                                  role=OrganisationRole.ADMIN))
        db.session.commit()
        contract = services.create_contract(commissioner, programme, ContractDetails(
            reference=f"BENCH-{number:04d}", title=f"Anchor {number}", provider_id=provider.id,
            lot=LOTS[number % len(LOTS)], locality_id=None, ward_ids=[],
            starts_on=date(2024, 4, 1), ends_on=date(2027, 3, 31)))
        years.plan_years(commissioner, contract, [
            years.YearPlan(year, 10_000_00, 8_000_00) for year in YEARS], "", PLANNED_ON)
        years.activate(commissioner, contract, PLANNED_ON)
        kpis = monitoring.add_standard_kpis(commissioner, contract)
        page = monitoring.return_form(member, contract.id, Quarter.of(YEARS[0], 1), SENT_ON)
        monitoring.submit_return(member, page, ReturnAnswers(
            {kpi.id: Decimal(number % 50) for kpi in kpis}, "On track", Rag.GREEN), SENT_ON)
    return programme


def timed(what: str, work) -> None:
    start = time.perf_counter()
    work()
    print(f"  {what}  {(time.perf_counter() - start) * 1000:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contracts", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()

    with bench_app() as (app, kind):
        with app.app_context():
            start = time.perf_counter()
            programme = build(args.contracts)
            programme_id = programme.id
            print(f"{kind}: {args.contracts} contracts built through the services in "
                  f"{time.perf_counter() - start:.1f} s; {args.repeat} requests a page")
        base = f"/contracts/programmes/{programme_id}"
        client = signed_in_client(app, Role.COMMISSIONER)
        time_pages(client, [
            base, f"/reporting/programmes/{programme_id}/taper",
            f"/reporting/programmes/{programme_id}/taper.csv",
            f"/reporting/programmes/{programme_id}/taper.xlsx",
            f"/monitoring/programmes/{programme_id}/returns?year=2024-25&quarter=1",
            f"/monitoring/programmes/{programme_id}/benchmark?lot=local_anchor&year=2024-25"
            "&quarter=1",
        ], args.repeat)
        with app.app_context():
            commissioner = db.session.scalar(db.select(User).where(
                User.email == "commissioner@bench.example.org"))
            programme = db.session.get(Programme, programme_id)
            taper = Taper(CoreTaper.PERCENTAGE, percentage=20)
            timed("taper preview (every contract, every year)",
                  lambda: programme_taper.preview(commissioner, programme, taper))
            timed("applying the taper to every contract        ",
                  lambda: programme_taper.apply(commissioner, programme, taper, "Benchmark",
                                                PLANNED_ON))


if __name__ == "__main__":
    main()
