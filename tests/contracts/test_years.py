"""A contract's money by year: core and external committed from the year's pots through the
ledger, quarterly instalments, and making a contract active."""

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from models import ContractVersion, LedgerEntry
from models.base import db
from models.enums import ContractStatus, FundingSource, LedgerKind, PotStatus, Role
from portal.contracts import years
from portal.contracts.years import YearPlan
from portal.exceptions import NotAllowed, RuleBroken
from portal.funding import ledger
from tests.factories import ContractFactory, FundingPotFactory, SchemeFactory, UserFactory

APRIL_2024 = datetime(2024, 4, 2, 9, tzinfo=UTC)
THREE_YEARS = ("2024/25", "2025/26", "2026/27")


@pytest.fixture
def commissioner(ctx):
    return UserFactory(roles=(Role.COMMISSIONER,))


def pot(user, year: str = "2024/25", source: FundingSource = FundingSource.CORE,
        budget: int = 100_000_00, **kwargs):
    found = FundingPotFactory(financial_year=year, source=source, **kwargs)
    ledger.post(user, [ledger.Posting(found.id, LedgerKind.BUDGET, budget)], "Budget set")
    db.session.commit()
    return found


def available(found) -> int:
    return ledger.balances([found.id])[found.id].available_pence


def contract_entries(contract) -> list[LedgerEntry]:
    return list(db.session.scalars(select(LedgerEntry).where(LedgerEntry.contract_id ==
                                                             contract.id)
                                   .order_by(LedgerEntry.id)))


def test_a_years_core_and_external_are_committed_from_the_years_pots(commissioner):
    core, external = pot(commissioner), pot(commissioner, source=FundingSource.EXTERNAL)
    contract = ContractFactory()
    years.plan_years(commissioner, contract, [YearPlan("2024/25", 12_000_00, 8_000_00)],
                     "First plan", now=APRIL_2024)
    assert (available(core), available(external)) == (88_000_00, 92_000_00)
    assert {(entry.pot_id, entry.kind, entry.amount_pence) for entry in
            contract_entries(contract)} == {(core.id, LedgerKind.COMMITMENT, 12_000_00),
                                            (external.id, LedgerKind.COMMITMENT, 8_000_00)}
    year = contract.years[0]
    assert {each.pot_id: each.amount_pence for each in year.funding} == {
        core.id: 12_000_00, external.id: 8_000_00}


def test_instalments_are_quarterly_in_advance_with_odd_pence_first(commissioner):
    pot(commissioner)
    contract = ContractFactory()
    years.plan_years(commissioner, contract, [YearPlan("2024/25", 10_000_03, 0)], "",
                     now=APRIL_2024)
    assert [(each.quarter, each.due_on, each.amount_pence)
            for each in contract.years[0].instalments] == [
        (1, date(2024, 4, 1), 2_500_01), (2, date(2024, 7, 1), 2_500_01),
        (3, date(2024, 10, 1), 2_500_01), (4, date(2025, 1, 1), 2_500_00)]


def test_in_arrears_an_instalment_falls_due_at_the_end_of_its_quarter(commissioner):
    pot(commissioner)
    contract = ContractFactory(pays_in_advance=False, starts_on=date(2024, 8, 15))
    years.plan_years(commissioner, contract, [YearPlan("2024/25", 3_000_00, 0)], "",
                     now=APRIL_2024)
    assert [(each.quarter, each.due_on, each.amount_pence)
            for each in contract.years[0].instalments] == [
        (2, date(2024, 9, 30), 1_000_00), (3, date(2024, 12, 31), 1_000_00),
        (4, date(2025, 3, 31), 1_000_00)]


def test_external_money_the_pots_do_not_have_yet_is_left_as_a_gap(commissioner):
    pot(commissioner)
    external = pot(commissioner, source=FundingSource.EXTERNAL, budget=5_000_00)
    contract = ContractFactory()
    years.plan_years(commissioner, contract, [YearPlan("2024/25", 10_000_00, 8_000_00)], "",
                     now=APRIL_2024)
    year = contract.years[0]
    assert year.external_pence == 8_000_00
    assert {each.pot_id: each.amount_pence for each in year.funding}[external.id] == 5_000_00
    assert available(external) == 0


def test_core_the_core_pots_cannot_cover_is_refused_and_nothing_changes(commissioner):
    core = pot(commissioner, budget=10_000_00)
    contract = ContractFactory()
    with pytest.raises(RuleBroken, match=re.escape(
            "The core pots for 2024/25 have £10,000.00 available, £2,000.00 less than the "
            "£12,000.00")):
        years.plan_years(commissioner, contract, [YearPlan("2024/25", 12_000_00, 0)], "",
                         now=APRIL_2024)
    assert available(core) == 10_000_00
    assert contract_entries(contract) == [] and contract.years == []


def test_planning_again_commits_or_releases_only_the_difference(commissioner):
    core = pot(commissioner)
    contract = ContractFactory()
    years.plan_years(commissioner, contract, [YearPlan("2024/25", 12_000_00, 0)], "",
                     now=APRIL_2024)
    years.plan_years(commissioner, contract, [YearPlan("2024/25", 9_000_00, 0)], "",
                     now=APRIL_2024)
    assert available(core) == 91_000_00
    assert [(entry.kind, entry.amount_pence) for entry in contract_entries(contract)] == [
        (LedgerKind.COMMITMENT, 12_000_00), (LedgerKind.RELEASE, 3_000_00)]


@pytest.mark.parametrize(("plan", "field", "message"), [
    (YearPlan("2027/28", 1_00, 0), "years-0-financial_year", "2027/28 is not a year of"),
    (YearPlan("2024/25", -1_00, 0), "years-0-core", "core funding for 2024/25 must be £0"),
    (YearPlan("2024/25", 0, -1_00), "years-0-external", "external funding for 2024/25 must"),
    (YearPlan("2024/25", 5_00, 0, {}), "years-0-core", "add up to £0.00, not the £5.00"),
])
def test_a_plan_that_does_not_hang_together_is_refused_beside_its_field(
        commissioner, plan, field, message):
    pot(commissioner)
    contract = ContractFactory()
    with pytest.raises(RuleBroken, match=re.escape(message)) as refused:
        years.plan_years(commissioner, contract, [plan], "", now=APRIL_2024)
    assert refused.value.field == field
    assert contract_entries(contract) == []


def test_an_external_split_above_the_external_planned_is_refused(commissioner):
    external = pot(commissioner, source=FundingSource.EXTERNAL)
    contract = ContractFactory()
    message = re.escape("add up to £6.00, more than the £5.00")
    with pytest.raises(RuleBroken, match=message) as refused:
        years.plan_years(commissioner, contract,
                         [YearPlan("2024/25", 0, 5_00, {external.id: 6_00})], "",
                         now=APRIL_2024)
    assert refused.value.field == "years-0-external"


def test_a_pot_of_another_year_or_programme_or_for_grants_cannot_fund_the_year(commissioner):
    later = pot(commissioner, year="2025/26")
    elsewhere = pot(commissioner)
    for_grants = pot(commissioner)
    contract = ContractFactory()
    elsewhere.programmes = [ContractFactory().programme]
    for_grants.schemes = [SchemeFactory()]
    db.session.commit()
    for chosen in (later, elsewhere, for_grants):
        with pytest.raises(RuleBroken, match="Choose pots of 2024/25 that may fund"):
            years.plan_years(commissioner, contract,
                             [YearPlan("2024/25", 1_00, 0, {chosen.id: 1_00})], "",
                             now=APRIL_2024)


def test_only_commissioners_plan_money(commissioner):
    contract = ContractFactory()
    with pytest.raises(NotAllowed):
        years.plan_years(UserFactory(roles=(Role.GRANTS_OFFICER,)), contract,
                         [YearPlan("2024/25", 0, 0)], "")


def plan_three_years(user, contract, core=(10_000_00, 8_000_00, 6_000_00)):
    for year in THREE_YEARS:
        pot(user, year=year)
    years.plan_years(user, contract, [YearPlan(year, pence, 0)
                                      for year, pence in zip(THREE_YEARS, core, strict=True)],
                     "", now=APRIL_2024)


def test_a_contract_is_made_active_once_every_year_is_planned(commissioner):
    contract = ContractFactory()
    pot(commissioner)
    years.plan_years(commissioner, contract, [YearPlan("2024/25", 1_000_00, 0)], "",
                     now=APRIL_2024)
    with pytest.raises(RuleBroken, match="Plan the money for 2025/26, 2026/27 before"):
        years.activate(commissioner, contract, now=APRIL_2024)
    plan_three_years(commissioner, contract)
    years.activate(commissioner, contract, now=APRIL_2024)
    assert contract.status is ContractStatus.ACTIVE and contract.version == 1
    version = db.session.scalar(select(ContractVersion).where(
        ContractVersion.contract_id == contract.id))
    assert version.reason == "Made active"
    assert version.terms["years"]["2025/26"]["core_pence"] == 8_000_00


def test_a_change_to_an_active_contract_needs_a_reason_and_keeps_a_version(commissioner):
    contract = ContractFactory()
    plan_three_years(commissioner, contract)
    years.activate(commissioner, contract, now=APRIL_2024)
    with pytest.raises(RuleBroken, match="Enter the reason") as refused:
        years.plan_years(commissioner, contract, [YearPlan("2025/26", 7_000_00, 0)], " ",
                         now=APRIL_2024)
    assert refused.value.field == "reason"
    years.plan_years(commissioner, contract, [YearPlan("2025/26", 7_000_00, 0)],
                     "Cabinet agreed a deeper cut", now=APRIL_2024)
    assert contract.version == 2
    versions = db.session.scalars(select(ContractVersion).where(
        ContractVersion.contract_id == contract.id).order_by(ContractVersion.number)).all()
    assert [(each.number, each.reason) for each in versions] == [
        (1, "Made active"), (2, "Cabinet agreed a deeper cut")]
    assert versions[1].terms["years"]["2025/26"]["core_pence"] == 7_000_00


def test_a_year_that_has_ended_cannot_change_once_active(commissioner):
    contract = ContractFactory()
    plan_three_years(commissioner, contract)
    years.activate(commissioner, contract, now=APRIL_2024)
    with pytest.raises(RuleBroken, match="2024/25 has ended"):
        years.plan_years(commissioner, contract, [YearPlan("2024/25", 1_00, 0)], "Late change",
                         now=datetime(2025, 4, 2, tzinfo=UTC))


def test_a_pot_closed_since_is_released_when_the_year_is_planned_again(commissioner):
    closing = pot(commissioner)
    contract = ContractFactory()
    years.plan_years(commissioner, contract, [YearPlan("2024/25", 1_000_00, 0)], "",
                     now=APRIL_2024)
    closing.status = PotStatus.CLOSED
    db.session.commit()
    other = pot(commissioner)
    years.plan_years(commissioner, contract, [YearPlan("2024/25", 1_000_00, 0)], "",
                     now=APRIL_2024)
    assert years.committed_by_pot(contract.id) == {closing.id: 0, other.id: 1_000_00}
    assert {each.pot_id: each.amount_pence for each in contract.years[0].funding} == {
        other.id: 1_000_00}


def test_a_closed_pot_may_keep_what_it_holds(commissioner):
    closing = pot(commissioner)
    contract = ContractFactory()
    years.plan_years(commissioner, contract, [YearPlan("2024/25", 1_000_00, 0)], "",
                     now=APRIL_2024)
    closing.status = PotStatus.CLOSED
    db.session.commit()
    years.plan_years(commissioner, contract,
                     [YearPlan("2024/25", 600_00, 0, {closing.id: 600_00})], "",
                     now=APRIL_2024)
    assert years.committed_by_pot(contract.id) == {closing.id: 600_00}
