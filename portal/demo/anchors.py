"""The demo Community Anchors programme (code ANCHORS): its yearly core targets, the council's
core pots for it and the partners' external pots, the 4 lead locality anchor contracts, the 11
local anchor contracts and the VCS infrastructure contract, all made through the contract
services as a commissioner would: each contract's 2024/25 money planned, a taper to the
council's 2026/27 target applied to the years after, and the contracts made active; each later
year's shortfall of external money secured as the year starts; then the payments and
monitoring returns up to the day of loading (`anchors_delivery`).
Idempotent: nothing is added once the programme exists."""

import tomllib
from datetime import UTC, date, datetime, time
from pathlib import Path

from sqlalchemy import select

from models import Contract, FundingPot, Locality, Organisation, Programme, User, Ward
from models.enums import ContractLot, FundingSource, LedgerKind
from portal.contracts import programme_taper, services, years
from portal.contracts.details import ContractDetails, ProgrammeDetails, Target
from portal.contracts.taper import CoreTaper, Taper
from portal.dates import to_london
from portal.demo.anchors_delivery import load_delivery
from portal.extensions import db
from portal.funding import ledger, partners

DATA_FILE = Path(__file__).with_name("anchors.toml")
COMMISSIONER = "commissioner@demo.example.org"
OFFICER = "officer@demo.example.org"
PLANNED_ON = datetime(2024, 2, 20, 10, tzinfo=UTC)
TAPERED_ON = datetime(2024, 3, 5, 10, tzinfo=UTC)
ACTIVE_ON = datetime(2024, 3, 28, 10, tzinfo=UTC)
POUND = 100


def load_anchors(now: datetime) -> int:
    """Create the programme and its contracts, delivered up to `now`, unless it exists;
    returns how many contracts were added."""
    data = tomllib.loads(DATA_FILE.read_text())
    spec = data["programme"]
    if db.session.scalar(select(Programme.id).where(Programme.code == spec["code"])):
        return 0
    commissioner = db.session.scalar(select(User).where(User.email == COMMISSIONER))
    programme = services.create_programme(commissioner, ProgrammeDetails(
        code=spec["code"], name=spec["name"], description=spec["description"],
        targets=[Target(year, pounds * POUND)
                 for year, pounds in spec["targets_pounds"].items()]))
    _add_pots(data["pots"], programme)
    contracts = [_add_contract(commissioner, programme, spec, each, data["lots"])
                 for each in data["contracts"]]
    last_target = programme.years[-1].core_target_pence
    programme_taper.apply(commissioner, programme,
                          Taper(CoreTaper.TO_TARGET, target_pence=last_target),
                          "Core falls to the council's 2026/27 target in equal steps; partners' "
                          "money keeps each contract's value flat", TAPERED_ON)
    for contract in contracts:
        years.activate(commissioner, contract, ACTIVE_ON)
    for secured in data["secured"]:
        if date.fromisoformat(secured["on"]) <= to_london(now).date():
            _secure(commissioner, contracts, secured)
    load_delivery(commissioner, contracts, now)
    return len(contracts)


def _secure(commissioner: User, contracts: list[Contract], spec: dict) -> None:
    """More money in a partner's pot, committed to the contracts short of it that year."""
    officer = db.session.scalar(select(User).where(User.email == OFFICER))
    when = datetime.combine(date.fromisoformat(spec["on"]), time(9), UTC)
    pot = db.session.scalar(select(FundingPot).where(
        FundingPot.name == spec["pot"], FundingPot.financial_year == spec["financial_year"]))
    ledger.post(officer, [ledger.Posting(pot.id, LedgerKind.BUDGET,
                                         spec["budget_pounds"] * POUND)], spec["reason"],
                now=when)
    for contract in contracts:
        year = next(each for each in contract.years
                    if each.financial_year == spec["financial_year"])
        committed = sum(each.amount_pence for each in year.funding)
        if committed < year.core_pence + year.external_pence:
            years.plan_years(commissioner, contract, [years.YearPlan(
                year.financial_year, year.core_pence, year.external_pence)], spec["reason"],
                when)


def _add_pots(specs: list[dict], programme: Programme) -> None:
    """The pots, restricted to the programme, each with its budget as a ledger entry."""
    officer = db.session.scalar(select(User).where(User.email == OFFICER))
    for spec in specs:
        pot = FundingPot(name=spec["name"], financial_year=spec["financial_year"],
                         source=FundingSource(spec["source"]), funder_name=spec["funder_name"],
                         funder_org_id=spec["funder_org_id"],
                         partner=partners.partner_of(FundingSource(spec["source"]), False,
                                                     spec["funder_name"], spec["funder_org_id"]),
                         acknowledgement=spec["acknowledgement"], programmes=[programme])
        db.session.add(pot)
        db.session.flush()
        start = int(spec["financial_year"][:4])
        ledger.post(officer, [ledger.Posting(pot.id, LedgerKind.BUDGET,
                                             spec["budget_pounds"] * POUND)],
                    "Budget agreed at budget council", now=datetime(start, 2, 15, 9, tzinfo=UTC))
    db.session.commit()


def _add_contract(commissioner: User, programme: Programme, spec: dict, contract: dict,
                  lots: dict) -> Contract:
    """A draft contract for the programme's three years, with its 2024/25 money planned."""
    locality = (db.session.scalar(select(Locality).where(Locality.name == contract["locality"]))
                if "locality" in contract else None)
    wards = ([ward.id for ward in locality.wards] if locality and "wards" not in contract else
             list(db.session.scalars(select(Ward.id).where(
                 Ward.name.in_(contract.get("wards", []))))))
    provider = db.session.scalar(select(Organisation).where(
        Organisation.name == contract["provider"]))
    lot = ContractLot(contract["lot"])
    created = services.create_contract(commissioner, programme, ContractDetails(
        reference=contract["reference"], title=f"{provider.name}: {lot.label.lower()}",
        provider_id=provider.id, lot=lot, locality_id=locality.id if locality else None,
        ward_ids=wards, starts_on=date.fromisoformat(spec["starts_on"]),
        ends_on=date.fromisoformat(spec["ends_on"])))
    money = lots[contract["lot"]]
    years.plan_years(commissioner, created, [years.YearPlan(
        programme.years[0].financial_year, money["core_pounds"] * POUND,
        money["external_pounds"] * POUND)], "", PLANNED_ON)
    return created
