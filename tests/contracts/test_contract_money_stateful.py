"""Contracts and awards drawing on the same pots keep the ledger right, in any order.

Hypothesis drives the real services through random sequences of contract plans and
re-plans (portal.contracts.years.plan_years), contract payments
(portal.contracts.payments.record_payment) and an award's commitments, releases and payments
(portal.funding.ledger.post with the award's id) against a few shared pots of one year.
After every step: every pot keeps the ledger's rules (available >= 0, 0 <= paid <=
committed); each contract holds in each pot at least what it has paid from it, and exactly
what its funding rows say; what the ledger shows paid to a contract is the sum of its
payments; each year's instalments add up to the year; and a refused step changes nothing.
The database is shared by the examples, so each makes its own pots, award and contracts,
names its pots in every plan (rather than let the portal choose among every example's pots)
and looks only at its own."""

from datetime import UTC, date, datetime

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from models import (
    Contract,
    ContractFunding,
    ContractInstalment,
    ContractPayment,
    ContractYear,
    LedgerEntry,
    User,
)
from models.base import db
from models.enums import ContractStatus, FundingSource, LedgerKind, Role
from portal.contracts import payments, years
from portal.contracts.years import YearPlan
from portal.exceptions import RuleBroken
from portal.funding import ledger
from portal.funding.payments import PaymentDetails
from tests.factories import AwardFactory, ContractFactory, FundingPotFactory, UserFactory
from tests.money_steps import aim
from tests.money_steps import sizes as money_sizes

YEAR = "2024/25"
APRIL_2024 = datetime(2024, 4, 2, 9, tzinfo=UTC)
NOW = datetime(2024, 7, 15, 10, tzinfo=UTC)
SOURCES = (FundingSource.CORE, FundingSource.EXTERNAL, FundingSource.EXTERNAL)
POTS = len(SOURCES)
pots = st.integers(0, POTS - 1)
amounts = st.integers(0, 3_000_00)
sizes = money_sizes(1_000_00)
# An index into the contracts made so far.
contracts = st.integers(0, 1_000)


class ContractAndAwardMoneyMachine(RuleBasedStateMachine):
    commissioner_id: int

    @initialize(budgets=st.lists(st.integers(1_000_00, 8_000_00), min_size=POTS,
                                 max_size=POTS),
                core=amounts, external=st.tuples(amounts, amounts))
    def set_up(self, budgets, core, external):
        """Fresh pots with money in them, an award to commit from them, and a first contract
        (active, so that payments can be tried from the first step)."""
        self.commissioner = db.session.get(User, self.commissioner_id)
        self.pot_ids = []
        for source, budget in zip(SOURCES, budgets, strict=True):
            pot = FundingPotFactory(financial_year=YEAR, source=source)
            if budget:
                ledger.post(self.commissioner, [ledger.Posting(pot.id, LedgerKind.BUDGET,
                                                               budget)], "Budget set")
            self.pot_ids.append(pot.id)
        self.award_id = AwardFactory().id
        db.session.commit()
        self.contract_ids: list[int] = []
        self.make_contract(core, external, active=True)

    # Steps -----------------------------------------------------------------------------------

    def attempt(self, call) -> None:
        """Run a step; a refusal must leave everything as it was."""
        before = self.snapshot()
        try:
            call()
        except RuleBroken:
            db.session.rollback()
            assert self.snapshot() == before
            event("refused")
            return
        event("done")

    def contract(self, index: int) -> Contract:
        contract = db.session.get(Contract, self.contract_ids[index % len(self.contract_ids)])
        db.session.refresh(contract)
        return contract

    def plan(self, contract: Contract, core: int, external: tuple[int, int], reason: str):
        funding = {self.pot_ids[0]: core, self.pot_ids[1]: external[0],
                   self.pot_ids[2]: external[1]}
        years.plan_years(self.commissioner, contract,
                         [YearPlan(YEAR, core, sum(external), funding)], reason, now=NOW)

    @rule(core=amounts, external=st.tuples(amounts, amounts), active=st.booleans())
    def make_contract(self, core, external, active):
        """A one-year contract planned from the pots, made active or left a draft."""
        contract = ContractFactory(starts_on=date(2024, 4, 1), ends_on=date(2025, 3, 31))
        self.contract_ids.append(contract.id)

        def make():
            self.plan(contract, core, external, "")
            if active and contract.years and contract.years[0].total_pence:
                years.activate(self.commissioner, contract, now=APRIL_2024)

        self.attempt(make)

    @precondition(lambda self: self.contract_ids)
    @rule(index=contracts, core=amounts, external=st.tuples(amounts, amounts))
    def replan(self, index, core, external):
        """A draft re-planned or an active contract varied, up or down."""
        contract = self.contract(index)
        self.attempt(lambda: self.plan(contract, core, external, "Varied"))

    @precondition(lambda self: self.contract_ids)
    @rule(index=contracts, size=sizes)
    def pay_contract(self, index, size):
        """A payment against the contract's first instalment with money left."""
        contract = self.contract(index)
        paid = years.paid_by_instalment(contract.id)
        instalments = [each for year in contract.years for each in year.instalments]
        if not instalments:
            return
        target = next((each for each in instalments
                       if each.amount_pence > paid.get(each.id, 0)), instalments[0])
        left = target.amount_pence - paid.get(target.id, 0)
        self.attempt(lambda: payments.record_payment(
            self.commissioner, contract.id,
            PaymentDetails(target.id, date(2024, 7, 1), aim(left, size), "BACS"), NOW))

    def award_money(self, pot: int) -> ledger.Balance:
        committed, paid = db.session.execute(
            select(ledger.committed_sum(), ledger.paid_sum())
            .where(LedgerEntry.award_id == self.award_id,
                   LedgerEntry.pot_id == self.pot_ids[pot])).one()
        return ledger.Balance(0, int(committed), int(paid))

    @rule(pot=pots, kind=st.sampled_from([LedgerKind.COMMITMENT, LedgerKind.RELEASE,
                                          LedgerKind.PAYMENT]), size=sizes)
    def award_step(self, pot, kind, size):
        """The award commits more from a pot (of what the pot has available), or releases or
        is paid some of what it holds there unpaid."""
        if kind is LedgerKind.COMMITMENT:
            limit = ledger.balances([self.pot_ids[pot]])[self.pot_ids[pot]].available_pence
        else:
            money = self.award_money(pot)
            limit = money.committed_pence - money.paid_pence
        posting = ledger.Posting(self.pot_ids[pot], kind, aim(limit, size))

        def post():
            ledger.post(self.commissioner, [posting], "Award step", award_id=self.award_id)
            db.session.commit()

        self.attempt(post)

    # Checks ----------------------------------------------------------------------------------

    def snapshot(self) -> tuple:
        """Everything a step could change for this example's pots and contracts."""
        ids = self.contract_ids
        entries = db.session.scalar(select(func.count(LedgerEntry.id))
                                    .where(LedgerEntry.pot_id.in_(self.pot_ids)))
        paid = db.session.scalar(select(func.count(ContractPayment.id))
                                 .where(ContractPayment.contract_id.in_(ids)))
        contract_rows = tuple(db.session.execute(
            select(Contract.id, Contract.status, Contract.version)
            .where(Contract.id.in_(ids)).order_by(Contract.id)))
        year_rows = tuple(db.session.execute(
            select(ContractYear.contract_id, ContractYear.core_pence,
                   ContractYear.external_pence)
            .where(ContractYear.contract_id.in_(ids)).order_by(ContractYear.id)))
        instalments = tuple(db.session.execute(
            select(ContractYear.contract_id, ContractInstalment.quarter,
                   ContractInstalment.amount_pence)
            .join(ContractYear).where(ContractYear.contract_id.in_(ids))
            .order_by(ContractInstalment.id)))
        return entries, paid, contract_rows, year_rows, instalments, \
            ledger.balances(self.pot_ids)

    @invariant()
    def pots_keep_the_ledger_rules(self):
        for balance in ledger.balances(getattr(self, "pot_ids", [])).values():
            assert balance.available_pence >= 0
            assert 0 <= balance.paid_pence <= balance.committed_pence

    @invariant()
    def each_contract_holds_what_it_planned_and_at_least_what_it_paid(self):
        for contract_id in getattr(self, "contract_ids", []):
            committed = years.committed_by_pot(contract_id)
            paid = years.paid_by_pot(contract_id)
            for pot_id, pence in paid.items():
                assert 0 <= pence <= committed.get(pot_id, 0)
            funding = {pot_id: pence for pot_id, pence in db.session.execute(
                select(ContractFunding.pot_id, ContractFunding.amount_pence)
                .join(ContractYear).where(ContractYear.contract_id == contract_id))}
            assert {pot_id: pence for pot_id, pence in committed.items() if pence} == funding
            recorded = db.session.scalar(
                select(func.coalesce(func.sum(ContractPayment.amount_pence), 0))
                .where(ContractPayment.contract_id == contract_id))
            assert sum(paid.values()) == recorded

    @invariant()
    def each_years_instalments_add_up_to_the_year(self):
        for contract_id in getattr(self, "contract_ids", []):
            for year in db.session.scalars(select(ContractYear)
                                           .where(ContractYear.contract_id == contract_id)):
                db.session.refresh(year)
                assert sum(each.amount_pence for each in year.instalments) == year.total_pence

    @invariant()
    def a_draft_is_never_paid(self):
        drafts = select(Contract.id).where(Contract.id.in_(getattr(self, "contract_ids", [])),
                                           Contract.status == ContractStatus.DRAFT)
        assert db.session.scalar(select(func.count(ContractPayment.id))
                                 .where(ContractPayment.contract_id.in_(drafts))) == 0


def test_contracts_and_awards_keep_the_ledger_right_through_any_sequence(ctx):
    ContractAndAwardMoneyMachine.commissioner_id = UserFactory(roles=(Role.COMMISSIONER,)).id
    run_state_machine_as_test(ContractAndAwardMoneyMachine, settings=settings(
        max_examples=30, stateful_step_count=12, deadline=None, database=None))
