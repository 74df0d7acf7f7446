"""Varying an active contract: extending it, terminating it early (releasing the money of the
instalments it drops back to the pots) and marking it ended; the versions kept."""

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from models import ContractPayment, ContractVersion
from models.base import db
from models.enums import ContractStatus, FundingSource, LedgerKind, Role
from portal.contracts import lifecycle, variations, years
from portal.contracts.years import YearPlan
from portal.exceptions import NotAllowed, RuleBroken
from portal.funding import ledger
from tests.contracts.commissioning import audit_events
from tests.contracts.test_years import APRIL_2024, THREE_YEARS, available, contract_entries, pot
from tests.factories import ContractFactory, UserFactory

OCTOBER_2025 = datetime(2025, 10, 2, 9, tzinfo=UTC)


@pytest.fixture
def commissioner(ctx):
    return UserFactory(roles=(Role.COMMISSIONER,))


@pytest.fixture
def pots(commissioner):
    """A core pot of £100,000 and an external pot of £30,000 in each of the three years."""
    return {year: (pot(commissioner, year=year),
                   pot(commissioner, year=year, source=FundingSource.EXTERNAL,
                       budget=30_000_00))
            for year in THREE_YEARS}


@pytest.fixture
def contract(commissioner, pots):
    """Active, £40,000 core and £20,000 external a year, paid quarterly in advance."""
    found = ContractFactory()
    years.plan_years(commissioner, found, [YearPlan(year, 40_000_00, 20_000_00)
                                          for year in THREE_YEARS], "", now=APRIL_2024)
    years.activate(commissioner, found, now=APRIL_2024)
    return found


def versions_of(contract) -> list[ContractVersion]:
    db.session.expire_all()
    return list(db.session.scalars(select(ContractVersion).where(
        ContractVersion.contract_id == contract.id).order_by(ContractVersion.number)))


def holdings(contract) -> dict[str, tuple[int, int, int]]:
    """(core, external, instalments) of each year."""
    db.session.expire_all()
    return {year.financial_year: (year.core_pence, year.external_pence, len(year.instalments))
            for year in contract.years}


def pay(user, contract, instalment, pot_amounts: dict[int, int]) -> None:
    """A payment of `instalment`, from the pots given (pot id -> pence), as the payments
    service records one but with the pots chosen by the test."""
    entries = ledger.post(user, [ledger.Posting(pot_id, LedgerKind.PAYMENT, pence)
                               for pot_id, pence in pot_amounts.items()],
                        "Paid", contract_id=contract.id)
    db.session.add(ContractPayment(contract=contract, instalment=instalment,
                                   paid_on=instalment.due_on,
                                   amount_pence=sum(pot_amounts.values()), reference="BACS",
                                   recorded_by=user, batch=entries[0].batch))
    db.session.commit()


# Terminating early ---------------------------------------------------------------------------


def test_terminating_early_releases_the_future_commitments_to_the_pots(
        commissioner, pots, contract):
    core_2526, external_2526 = pots["2025/26"]
    core_2627, external_2627 = pots["2026/27"]
    assert (available(core_2526), available(external_2526)) == (60_000_00, 10_000_00)

    released = variations.terminate(commissioner, contract, date(2025, 11, 15),
                                    "The provider is closing", now=OCTOBER_2025)

    # 2025/26 keeps its first three quarters (due 1 April, 1 July, 1 October): £45,000 of
    # £60,000, shared 2:1 between core and external; 2026/27 keeps nothing.
    assert holdings(contract) == {"2024/25": (40_000_00, 20_000_00, 4),
                                  "2025/26": (30_000_00, 15_000_00, 3),
                                  "2026/27": (0, 0, 0)}
    assert (available(core_2526), available(external_2526)) == (70_000_00, 15_000_00)
    assert (available(core_2627), available(external_2627)) == (100_000_00, 30_000_00)
    assert [(each.financial_year, each.released_pence) for each in released] == [
        ("2025/26", 15_000_00), ("2026/27", 60_000_00)]
    assert {(entry.pot_id, entry.kind, entry.amount_pence)
            for entry in contract_entries(contract) if entry.kind is LedgerKind.RELEASE} == {
        (core_2526.id, LedgerKind.RELEASE, 10_000_00),
        (external_2526.id, LedgerKind.RELEASE, 5_000_00),
        (core_2627.id, LedgerKind.RELEASE, 40_000_00),
        (external_2627.id, LedgerKind.RELEASE, 20_000_00)}
    assert (contract.status, contract.terminated_on, contract.termination_reason) == (
        ContractStatus.TERMINATED, date(2025, 11, 15), "The provider is closing")
    assert [each.due_on for each in contract.years[1].instalments] == [
        date(2025, 4, 1), date(2025, 7, 1), date(2025, 10, 1)]
    [_, second] = versions_of(contract)
    assert second.reason == "Terminated early on 15 November 2025: The provider is closing"
    assert second.terms["years"]["2026/27"]["core_pence"] == 0
    [event] = audit_events("contract.terminated")
    assert event.details["released"] == {"2025/26": 15_000_00, "2026/27": 60_000_00}


def test_in_arrears_an_instalment_due_after_the_termination_is_dropped(commissioner, pots):
    contract = ContractFactory(pays_in_advance=False)
    years.plan_years(commissioner, contract, [YearPlan(year, 4_000_00, 0)
                                              for year in THREE_YEARS], "", now=APRIL_2024)
    years.activate(commissioner, contract, now=APRIL_2024)
    variations.terminate(commissioner, contract, date(2025, 11, 15), "Closing",
                         now=OCTOBER_2025)
    year = contract.years[1]
    assert [(each.due_on, each.amount_pence) for each in year.instalments] == [
        (date(2025, 6, 30), 1_000_00), (date(2025, 9, 30), 1_000_00)]
    assert year.core_pence == 2_000_00


def test_the_money_kept_is_shared_in_whole_pence_and_a_gap_is_closed_first(commissioner):
    core = pot(commissioner, year="2024/25")
    external = pot(commissioner, year="2024/25", source=FundingSource.EXTERNAL,
                   budget=1_000_00)
    contract = ContractFactory(ends_on=date(2025, 3, 31))
    # £3,333.34 core and £3,000 external (£1,000 secured, £2,000 the gap), paid quarterly.
    years.plan_years(commissioner, contract, [YearPlan("2024/25", 3_333_34, 3_000_00)], "",
                     now=APRIL_2024)
    years.activate(commissioner, contract, now=APRIL_2024)
    variations.terminate(commissioner, contract, date(2024, 7, 1), "Merged",
                         now=APRIL_2024)
    year = contract.years[0]
    # Two quarters of £1,583.34 kept: £3,166.68 shared 3,333.34 : 3,000, the odd penny to
    # core (the larger remainder); the external pot keeps all it has, closing the gap first.
    assert year.total_pence == 3_166_68
    assert (year.core_pence, year.external_pence) == (1_666_68, 1_500_00)
    assert {each.pot_id: each.amount_pence for each in year.funding} == {
        core.id: 1_666_68, external.id: 1_000_00}
    assert available(core) == 100_000_00 - 1_666_68


def test_what_a_pot_has_paid_stays_with_it(commissioner):
    first = pot(commissioner, budget=3_000_00)
    second = pot(commissioner, budget=100_000_00)
    contract = ContractFactory(ends_on=date(2025, 3, 31))
    years.plan_years(commissioner, contract, [YearPlan("2024/25", 8_000_00, 0)], "",
                     now=APRIL_2024)
    years.activate(commissioner, contract, now=APRIL_2024)
    april = contract.years[0].instalments[0]
    pay(commissioner, contract, april, {first.id: 2_000_00})
    variations.terminate(commissioner, contract, date(2024, 7, 1), "Merged",
                         now=APRIL_2024)
    # £4,000 kept: the first pot keeps its £2,000 paid and a share of the rest in proportion
    # to what each held unpaid (£1,000 and £5,000).
    funding = {each.pot_id: each.amount_pence for each in contract.years[0].funding}
    assert funding == {first.id: 2_000_00 + 333_33, second.id: 1_666_67}


@pytest.mark.parametrize(("terminated_on", "field", "message"), [
    (date(2025, 10, 1), "terminated_on", "The termination date must be today or in the future"),
    (date(2027, 3, 31), "terminated_on", "must be before the contract’s end date, 31 March 2027"),
])
def test_a_termination_date_out_of_range_is_refused_and_nothing_changes(
        commissioner, contract, terminated_on, field, message):
    before = holdings(contract)
    entries = len(contract_entries(contract))
    with pytest.raises(RuleBroken, match=re.escape(message)) as refused:
        variations.terminate(commissioner, contract, terminated_on, "Closing",
                             now=OCTOBER_2025)
    assert refused.value.field == field
    assert holdings(contract) == before and len(contract_entries(contract)) == entries
    assert contract.status is ContractStatus.ACTIVE and contract.terminated_on is None
    assert len(versions_of(contract)) == 1


def test_a_termination_needs_a_reason(commissioner, contract):
    with pytest.raises(RuleBroken, match="Enter the reason") as refused:
        variations.terminate(commissioner, contract, date(2026, 1, 1), "  ", now=OCTOBER_2025)
    assert refused.value.field == "reason"


def test_an_instalment_paid_early_stops_an_earlier_termination(commissioner, pots, contract):
    january = contract.years[1].instalments[3]
    core, external = pots["2025/26"]
    pay(commissioner, contract, january, {core.id: 10_000_00, external.id: 5_000_00})
    with pytest.raises(RuleBroken, match=re.escape(
            "£15,000.00 has been paid of 2025/26's instalments due after 15 November 2025")):
        variations.terminate(commissioner, contract, date(2025, 11, 15), "Closing",
                             now=OCTOBER_2025)
    assert contract.status is ContractStatus.ACTIVE


def test_only_an_active_contract_is_terminated(commissioner, pots):
    draft = ContractFactory()
    with pytest.raises(RuleBroken, match="is draft, so it cannot be terminated early"):
        variations.terminate(commissioner, draft, date(2025, 1, 1), "No", now=APRIL_2024)


def test_a_preview_of_the_termination_changes_nothing(commissioner, contract):
    entries = len(contract_entries(contract))
    preview = variations.termination_preview(commissioner, contract, date(2025, 11, 15),
                                             now=OCTOBER_2025)
    assert [(each.financial_year, each.released_pence, each.instalments_dropped)
            for each in preview] == [("2025/26", 15_000_00, 1), ("2026/27", 60_000_00, 4)]
    db.session.rollback()
    assert len(contract_entries(contract)) == entries
    assert contract.status is ContractStatus.ACTIVE


# Extending -----------------------------------------------------------------------------------


def test_extending_commits_the_new_years_money_and_keeps_a_version(commissioner, contract):
    later_core = pot(commissioner, year="2027/28")
    variations.extend(commissioner, contract, date(2028, 3, 31),
                      [YearPlan("2027/28", 30_000_00, 0)], "Cabinet extended the network",
                      now=OCTOBER_2025)
    assert contract.ends_on == date(2028, 3, 31)
    assert holdings(contract)["2027/28"] == (30_000_00, 0, 4)
    assert available(later_core) == 70_000_00
    [_, version] = versions_of(contract)
    assert (version.number, version.reason) == (2, "Cabinet extended the network")
    assert version.terms["ends_on"] == "2028-03-31"
    [event] = audit_events("contract.extended")
    assert event.details["years_added"] == ["2027/28"]


def test_an_extension_within_the_last_year_shares_its_money_over_the_new_quarters(
        commissioner, pots):
    contract = ContractFactory(ends_on=date(2026, 9, 30))
    years.plan_years(commissioner, contract, [YearPlan(year, 6_000_00, 0)
                                              for year in THREE_YEARS], "", now=APRIL_2024)
    years.activate(commissioner, contract, now=APRIL_2024)
    variations.extend(commissioner, contract, date(2027, 3, 31), [], "Six months more",
                      now=OCTOBER_2025)
    assert [each.amount_pence for each in contract.years[2].instalments] == [1_500_00] * 4
    assert contract.version == 2


@pytest.mark.parametrize(("ends_on", "plans", "field", "message"), [
    (date(2027, 3, 31), [], "ends_on", "The new end date must be after 31 March 2027"),
    (date(2028, 3, 31), [], "ends_on", "Enter the money for 2027/28"),
    (date(2028, 3, 31), [YearPlan("2027/28", 0, 0)], "years-0-core",
     "Enter the money for 2027/28: it must be more than £0"),
    (date(2028, 3, 31), [YearPlan("2027/28", 1_00, 0)], "years-0-core",
     "The core pots for 2027/28 have £0.00 available"),
])
def test_an_extension_that_does_not_hang_together_changes_nothing(
        commissioner, contract, ends_on, plans, field, message):
    with pytest.raises(RuleBroken, match=re.escape(message)) as refused:
        variations.extend(commissioner, contract, ends_on, plans, "More", now=OCTOBER_2025)
    assert refused.value.field == field
    db.session.expire_all()
    assert contract.ends_on == date(2027, 3, 31) and contract.version == 1
    assert "2027/28" not in holdings(contract)


def test_only_an_active_contract_is_extended(commissioner, pots):
    with pytest.raises(RuleBroken, match="Only an active contract can be extended"):
        variations.extend(commissioner, ContractFactory(), date(2028, 3, 31), [], "More",
                          now=OCTOBER_2025)


# Ending, transitions and versions ------------------------------------------------------------


def test_a_contract_is_marked_ended_only_after_its_end_date(commissioner, contract):
    with pytest.raises(RuleBroken, match="runs until 31 March 2027"):
        variations.end(commissioner, contract, now=datetime(2027, 3, 31, 12, tzinfo=UTC))
    committed = years.committed_by_pot(contract.id)
    variations.end(commissioner, contract, now=datetime(2027, 4, 1, 12, tzinfo=UTC))
    assert contract.status is ContractStatus.ENDED
    assert years.committed_by_pot(contract.id) == committed
    [event] = audit_events("contract.ended")
    assert event.details["from"] == "active"
    with pytest.raises(RuleBroken, match="is ended, so it cannot be terminated early"):
        variations.terminate(commissioner, contract, date(2027, 5, 1), "No",
                             now=datetime(2027, 4, 1, 12, tzinfo=UTC))


def test_transitions_are_declared_once():
    assert lifecycle.TRANSITIONS[ContractStatus.DRAFT] == {ContractStatus.ACTIVE}
    assert lifecycle.TRANSITIONS[ContractStatus.ACTIVE] == {ContractStatus.ENDED,
                                                            ContractStatus.TERMINATED}
    assert not lifecycle.TRANSITIONS[ContractStatus.ENDED]
    assert not lifecycle.TRANSITIONS[ContractStatus.TERMINATED]


def test_versions_say_what_changed(commissioner, contract):
    years.plan_years(commissioner, contract, [YearPlan("2026/27", 35_000_00, 25_000_00)],
                     "Deeper cut", now=OCTOBER_2025)
    shown = variations.versions(commissioner, contract)
    assert [each.version.number for each in shown] == [2, 1]
    assert shown[0].changes == [
        "2026/27: core £40,000.00 to £35,000.00, external £20,000.00 to £25,000.00"]
    assert [(year.financial_year, year.total_pence) for year in shown[0].years] == [
        ("2024/25", 60_000_00), ("2025/26", 60_000_00), ("2026/27", 60_000_00)]
    assert shown[1].changes == []


def test_only_commissioners_vary_contracts(contract):
    officer = UserFactory(roles=(Role.GRANTS_OFFICER,))
    for attempt in (lambda: variations.terminate(officer, contract, date(2026, 1, 1), "x"),
                    lambda: variations.extend(officer, contract, date(2028, 3, 31), [], "x"),
                    lambda: variations.end(officer, contract),
                    lambda: variations.versions(officer, contract)):
        with pytest.raises(NotAllowed):
            attempt()
