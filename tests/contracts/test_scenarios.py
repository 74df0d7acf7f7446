"""What-if scenarios: tapers saved by name, worked out from live data without changing it,
compared side by side, and applied only through the taper service."""

from fractions import Fraction

import pytest
from sqlalchemy import func, select

from models import ContractYear, LedgerEntry, Programme, ProgrammeYear, Scenario, User
from models.base import db
from models.enums import FundingSource, Role
from portal.contracts import scenarios, years
from portal.contracts.taper import CoreTaper, Split, Taper, TotalRule
from portal.contracts.years import YearPlan
from portal.exceptions import NotAllowed, NotFound, RuleBroken
from tests.contracts.commissioning import audit_events
from tests.contracts.test_years import APRIL_2024, THREE_YEARS, pot
from tests.factories import ContractFactory, ProgrammeFactory, UserFactory

TWENTY_PERCENT = Taper(CoreTaper.PERCENTAGE, percentage=Fraction(20))
THIRTY_PERCENT = Taper(CoreTaper.PERCENTAGE, percentage=Fraction(30))


def anchors(commissioner: User) -> Programme:
    """Two contracts with 2024/25 planned (£60,000 and £40,000 core, £20,000 external each),
    core pots of £100,000 and external pots of £50,000 in each of the three years, and core
    targets of £100,000, £80,000 and £60,000."""
    found = ProgrammeFactory(years=[
        ProgrammeYear(financial_year=year, core_target_pence=target)
        for year, target in zip(THREE_YEARS, (100_000_00, 80_000_00, 60_000_00), strict=True)])
    for year in THREE_YEARS:
        pot(commissioner, year=year, budget=100_000_00)
        pot(commissioner, year=year, source=FundingSource.EXTERNAL, budget=50_000_00)
    for reference, core in (("CA-A", 60_000_00), ("CA-B", 40_000_00)):
        contract = ContractFactory(programme=found, reference=reference)
        years.plan_years(commissioner, contract, [YearPlan("2024/25", core, 20_000_00)], "",
                         now=APRIL_2024)
    return found


@pytest.fixture
def commissioner(ctx) -> User:
    return UserFactory(roles=(Role.COMMISSIONER,))


@pytest.fixture
def programme(commissioner) -> Programme:
    return anchors(commissioner)


def live_data() -> tuple[int, list[tuple]]:
    """The ledger's entry count and every contract year's figures: what no preview changes."""
    db.session.expire_all()
    entries = db.session.scalar(select(func.count(LedgerEntry.id)))
    rows = db.session.execute(select(ContractYear.contract_id, ContractYear.financial_year,
                                     ContractYear.core_pence, ContractYear.external_pence)
                              .order_by(ContractYear.id)).all()
    return entries, [tuple(row) for row in rows]


def test_a_saved_scenario_keeps_its_rule_and_is_audited(commissioner, programme):
    scenario = scenarios.save(commissioner, programme, "  20% a year  ", TWENTY_PERCENT)
    assert (scenario.name, scenario.created_by_id) == ("20% a year", commissioner.id)
    assert scenarios.taper_of(scenario) == TWENTY_PERCENT
    assert [each.id for each in scenarios.scenarios(commissioner, programme)] == [scenario.id]
    [event] = audit_events("scenario.saved")
    assert (event.actor_id, event.object_id) == (commissioner.id, scenario.id)
    assert event.details["rule"]["percentage"] == "20"


def test_a_name_is_needed_and_is_unique_in_its_programme(commissioner, programme):
    scenarios.save(commissioner, programme, "Cabinet", TWENTY_PERCENT)
    with pytest.raises(RuleBroken, match="There is already a scenario called Cabinet") as error:
        scenarios.save(commissioner, programme, "Cabinet", THIRTY_PERCENT)
    assert error.value.field == "name"
    with pytest.raises(RuleBroken, match="Enter a name for the scenario"):
        scenarios.save(commissioner, programme, "   ", THIRTY_PERCENT)
    other = ProgrammeFactory(years=[ProgrammeYear(financial_year="2024/25",
                                                  core_target_pence=0)])
    ContractFactory(programme=other, reference="CA-Z")
    # The same name in another programme is another scenario; that programme's contracts
    # have nothing planned, so the rule cannot be worked out there.
    with pytest.raises(RuleBroken, match="No contract in the programme"):
        scenarios.save(commissioner, other, "Cabinet", TWENTY_PERCENT)
    assert db.session.scalar(select(func.count(Scenario.id))) == 1


def test_a_rule_that_cannot_be_kept_is_not_saved(commissioner, programme):
    with pytest.raises(RuleBroken, match="would make core funding negative") as error:
        scenarios.save(commissioner, programme, "Too steep",
                       Taper(CoreTaper.FIXED_AMOUNT, amount_pence=60_000_00))
    assert error.value.field == "amount_pence"
    assert db.session.scalar(select(func.count(Scenario.id))) == 0


def test_a_scenario_is_worked_out_from_live_data_and_changes_nothing(commissioner, programme):
    scenario = scenarios.save(commissioner, programme, "20%", TWENTY_PERCENT)
    before = live_data()
    result = scenarios.preview(commissioner, scenario)
    assert result.after.programme_by_year() == {
        "2024/25": Split(100_000_00, 40_000_00), "2025/26": Split(80_000_00, 60_000_00),
        "2026/27": Split(64_000_00, 76_000_00)}
    assert result.after.split("CA-B", "2025/26") == Split(32_000_00, 28_000_00)
    assert live_data() == before


def test_comparing_two_scenarios_gives_each_and_the_difference(commissioner, programme):
    first = scenarios.save(commissioner, programme, "20%", TWENTY_PERCENT)
    second = scenarios.save(commissioner, programme, "30%, total with core",
                            Taper(CoreTaper.PERCENTAGE, TotalRule.WITH_CORE,
                                  percentage=Fraction(30)))
    before = live_data()
    comparison = scenarios.compare(commissioner, first, second)
    assert comparison.second.after.programme_by_year()["2026/27"] == Split(49_000_00,
                                                                           40_000_00)
    assert comparison.difference.programme_by_year() == {
        "2024/25": Split(0, 0), "2025/26": Split(-10_000_00, -20_000_00),
        "2026/27": Split(-15_000_00, -36_000_00)}
    # CA-A has 60% of the core and 4/7 of the total: in 2025/26 £48,000 of £80,000 core and
    # £80,000 of £140,000 against £42,000 of £70,000 and £62,857 of £110,000.
    assert comparison.difference.split("CA-A", "2025/26") == Split(-6_000_00, -11_143_00)
    assert live_data() == before


def test_applying_a_scenario_changes_live_data_through_the_taper_service(commissioner,
                                                                         programme):
    scenario = scenarios.save(commissioner, programme, "20%", TWENTY_PERCENT)
    scenarios.apply(commissioner, scenario, "Cabinet chose 20%", now=APRIL_2024)
    db.session.expire_all()
    planned = {(contract.reference, year.financial_year): Split(year.core_pence,
                                                                year.external_pence)
               for contract in programme.contracts for year in contract.years}
    assert planned["CA-A", "2026/27"] == Split(38_400_00, 41_600_00)
    assert db.session.scalar(select(func.count(LedgerEntry.id)).where(
        LedgerEntry.contract_id == programme.contracts[0].id)) > 2
    [applied] = audit_events("scenario.applied")
    assert (applied.object_id, applied.details["reason"]) == (scenario.id, "Cabinet chose 20%")
    assert len(audit_events("programme.taper_applied")) == 1


def test_a_refused_scenario_changes_nothing_and_is_not_audited(commissioner, programme):
    rising = scenarios.save(commissioner, programme, "Growth", Taper(
        CoreTaper.CUSTOM, schedule_pence=(100_000_00, 120_000_00, 90_000_00)))
    before = live_data()
    with pytest.raises(RuleBroken, match="The core pots for 2025/26"):
        scenarios.apply(commissioner, rising, "Growth", now=APRIL_2024)
    with pytest.raises(RuleBroken, match="Enter the reason"):
        scenarios.apply(commissioner, rising, " ", now=APRIL_2024)
    assert live_data() == before
    assert audit_events("scenario.applied") == []


def test_deleting_a_scenario_is_audited(commissioner, programme):
    scenario = scenarios.save(commissioner, programme, "20%", TWENTY_PERCENT)
    scenario_id = scenario.id
    scenarios.delete(commissioner, scenario)
    assert db.session.get(Scenario, scenario_id) is None
    [event] = audit_events("scenario.deleted")
    assert (event.object_id, event.details["name"]) == (scenario_id, "20%")


def test_a_scenario_of_another_programme_is_not_found(commissioner, programme):
    scenario = scenarios.save(commissioner, programme, "20%", TWENTY_PERCENT)
    other = ProgrammeFactory()
    with pytest.raises(NotFound):
        scenarios.get_scenario(commissioner, other, scenario.id)
    assert scenarios.get_scenario(commissioner, programme, scenario.id) == scenario


def test_only_commissioners_use_scenarios(commissioner, programme):
    scenario = scenarios.save(commissioner, programme, "20%", TWENTY_PERCENT)
    officer = UserFactory(roles=(Role.GRANTS_OFFICER,))
    with pytest.raises(NotAllowed):
        scenarios.scenarios(officer, programme)
    with pytest.raises(NotAllowed):
        scenarios.get_scenario(officer, programme, scenario.id)
    with pytest.raises(NotAllowed):
        scenarios.save(officer, programme, "Mine", THIRTY_PERCENT)
    with pytest.raises(NotAllowed):
        scenarios.apply(officer, scenario, "No")
    with pytest.raises(NotAllowed):
        scenarios.delete(officer, scenario)


def test_a_rule_is_described_in_words():
    assert scenarios.described(Taper(CoreTaper.PERCENTAGE, TotalRule.TO_TARGET,
                                     percentage=Fraction(25, 2),
                                     total_target_pence=400_000_00)) == {
        "Core funding": "Falls by 12.5% a year",
        "Total funding": "Falls to £400,000.00 by the last year"}
    assert scenarios.described(Taper(CoreTaper.FIXED_AMOUNT, TotalRule.PERCENTAGE,
                                     amount_pence=20_000_00,
                                     total_percentage=Fraction(100, 3)))["Total funding"] == (
        "Falls by about 33.33% a year")
