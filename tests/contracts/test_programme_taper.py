"""Previewing and applying a taper to a programme's contracts, against the pots of each year."""

import re
from datetime import date
from fractions import Fraction

import pytest
from sqlalchemy import select

from models import LedgerEntry, ProgrammeYear
from models.base import db
from models.enums import ContractStatus, FundingSource, Role
from portal.contracts import programme_taper, years
from portal.contracts.taper import CoreTaper, Split, Taper
from portal.contracts.years import YearPlan
from portal.exceptions import NotAllowed, RuleBroken
from tests.contracts.test_years import APRIL_2024, THREE_YEARS, pot
from tests.factories import ContractFactory, ProgrammeFactory, UserFactory

TWENTY_PERCENT = Taper(CoreTaper.PERCENTAGE, percentage=Fraction(20))


@pytest.fixture
def commissioner(ctx):
    return UserFactory(roles=(Role.COMMISSIONER,))


@pytest.fixture
def programme(commissioner):
    """Two contracts with 2024/25 planned (£60,000 and £40,000 core, £20,000 external each),
    core pots of £100,000 and external pots of £50,000 in each of the three years."""
    found = ProgrammeFactory(years=[ProgrammeYear(financial_year=year, core_target_pence=0)
                                    for year in THREE_YEARS])
    for year in THREE_YEARS:
        pot(commissioner, year=year, budget=100_000_00)
        pot(commissioner, year=year, source=FundingSource.EXTERNAL, budget=50_000_00)
    for reference, core in (("CA-A", 60_000_00), ("CA-B", 40_000_00)):
        contract = ContractFactory(programme=found, reference=reference)
        years.plan_years(commissioner, contract, [YearPlan("2024/25", core, 20_000_00)], "",
                         now=APRIL_2024)
    return found


def planned(programme) -> dict[tuple[str, str], Split]:
    db.session.expire_all()
    return {(contract.reference, year.financial_year): Split(year.core_pence,
                                                             year.external_pence)
            for contract in programme.contracts for year in contract.years}


def test_a_preview_shows_every_year_and_contract_and_changes_nothing(commissioner, programme):
    entries = db.session.scalar(select(db.func.count(LedgerEntry.id)))
    result = programme_taper.preview(commissioner, programme, TWENTY_PERCENT)
    assert result.after.programme_by_year() == {
        "2024/25": Split(100_000_00, 40_000_00), "2025/26": Split(80_000_00, 60_000_00),
        "2026/27": Split(64_000_00, 76_000_00)}
    assert result.after.split("CA-A", "2026/27") == Split(38_400_00, 41_600_00)
    assert result.before.split("CA-A", "2025/26") == Split(0, 0)
    assert [check.external_gap_pence for check in result.checks] == [0, 10_000_00, 26_000_00]
    assert result.problems == []
    assert db.session.scalar(select(db.func.count(LedgerEntry.id))) == entries
    assert ("CA-A", "2025/26") not in planned(programme)


def test_applying_plans_every_contract_through_the_ledger(commissioner, programme):
    programme_taper.apply(commissioner, programme, TWENTY_PERCENT, "Cabinet: 20% a year",
                          now=APRIL_2024)
    found = planned(programme)
    assert found["CA-B", "2025/26"] == Split(32_000_00, 28_000_00)
    assert found["CA-B", "2026/27"] == Split(25_600_00, 34_400_00)
    contract = programme.contracts[1]
    secured = {year.financial_year: sum(each.amount_pence for each in year.funding)
               for year in contract.years}
    # CA-A took £32,000 of the year's £50,000 external pot first: £10,000 is still to find.
    assert secured["2025/26"] == 32_000_00 + 18_000_00


def test_a_taper_the_core_pots_cannot_carry_is_refused_and_nothing_changes(commissioner,
                                                                          programme):
    rising = Taper(CoreTaper.CUSTOM, schedule_pence=(100_000_00, 120_000_00, 90_000_00))
    with pytest.raises(RuleBroken, match=re.escape(
            "The core pots for 2025/26 have £100,000.00 for these contracts, £20,000.00 less "
            "than the £120,000.00")):
        programme_taper.apply(commissioner, programme, rising, "Growth", now=APRIL_2024)
    assert ("CA-A", "2025/26") not in planned(programme)


def test_contracts_that_cannot_take_part_are_named(commissioner, programme):
    short = ContractFactory(programme=programme, reference="CA-C", ends_on=date(2025, 3, 31))
    unplanned = ContractFactory(programme=programme, reference="CA-D")
    ContractFactory(programme=programme, reference="CA-E", status=ContractStatus.TERMINATED)
    result = programme_taper.preview(commissioner, programme, TWENTY_PERCENT)
    assert sorted(result.contracts) == ["CA-A", "CA-B"]
    assert {(each.contract.id, each.why) for each in result.excluded} == {
        (short.id, "it does not run through 2026/27"),
        (unplanned.id, "its 2024/25 money is not planned")}


def test_an_active_contract_keeps_a_version_of_the_taper(commissioner, programme):
    programme_taper.apply(commissioner, programme, TWENTY_PERCENT, "Cabinet: 20% a year",
                          now=APRIL_2024)
    contract = programme.contracts[0]
    years.activate(commissioner, contract, now=APRIL_2024)
    programme_taper.apply(commissioner, programme,
                          Taper(CoreTaper.PERCENTAGE, percentage=Fraction(30)), "Cabinet: 30%",
                          now=APRIL_2024)
    assert contract.version == 2
    assert planned(programme)["CA-A", "2025/26"].core_pence == 42_000_00


def test_a_taper_needs_a_reason_and_a_commissioner(commissioner, programme):
    with pytest.raises(RuleBroken, match="Enter the reason"):
        programme_taper.apply(commissioner, programme, TWENTY_PERCENT, "")
    with pytest.raises(NotAllowed):
        programme_taper.preview(UserFactory(roles=(Role.GRANTS_OFFICER,)), programme,
                                TWENTY_PERCENT)
