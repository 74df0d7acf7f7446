"""The ledger keeps its rules whatever sequence of changes officers make.

Hypothesis drives the real service and database through budget changes, commitments, releases,
payments, clawbacks, transfers, variations and closing pots, against a model of the expected
figures in plain integers that knows the rules independently of the service. After every step
the pots' figures equal the model and keep the rules, and the figures each pot stores equal the
sums of its entries (the ledger writes them in the same transaction); a refused step changes
nothing. The
database is shared by the examples, so each example makes fresh pots and looks only at them."""

from dataclasses import dataclass

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select, update

from models import AuditEvent, FundingPot, LedgerEntry, User
from models.base import db
from models.enums import LedgerKind, PotStatus, Role
from portal.funding import ledger, ledger_check
from portal.funding.ledger import LedgerRefused, Posting
from tests.factories import FundingPotFactory, UserFactory

POTS = 3
pots = st.integers(0, POTS - 1)
two_pots = st.permutations(range(POTS)).map(lambda order: order[:2])
amounts = st.integers(1, 2_000_00)
# How much of the limit a step asks for (what is available, unpaid or paid), so that steps
# meet the limits exactly and go a penny over them, not only at random.
sizes = st.one_of(amounts, st.sampled_from(["half", "all", "penny over"]))


def aim(limit: int, size: int | str) -> int:
    """The amount a step asks for: a sum, or a part of the limit, all of it or a penny over."""
    match size:
        case "half":
            return max(limit // 2, 1)
        case "all":
            return limit
        case "penny over":
            return limit + 1
    return size


@dataclass
class Figures:
    """What the model expects of one pot."""

    budget: int = 0
    committed: int = 0
    paid: int = 0
    closed: bool = False

    def breaks_rules(self) -> bool:
        return (self.budget < 0 or self.committed < 0 or self.paid < 0
                or self.paid > self.committed or self.committed > self.budget)


def expected_after(model: list[Figures], postings: list[tuple[int, LedgerKind, int]]
                   ) -> list[Figures] | None:
    """The figures once `postings` (pot index, kind, amount) are added, or None if the ledger
    must refuse them."""
    after = [Figures(f.budget, f.committed, f.paid, f.closed) for f in model]
    for index, kind, amount in postings:
        figures = after[index]
        if amount == 0 or (amount < 0 and kind not in (LedgerKind.BUDGET, LedgerKind.TRANSFER)):
            return None
        if kind is LedgerKind.COMMITMENT and figures.closed:
            return None
        if kind in (LedgerKind.BUDGET, LedgerKind.TRANSFER):
            figures.budget += amount
        elif kind is LedgerKind.COMMITMENT:
            figures.committed += amount
        elif kind is LedgerKind.RELEASE:
            figures.committed -= amount
        elif kind is LedgerKind.PAYMENT:
            figures.paid += amount
        else:
            figures.paid -= amount
    return None if any(f.breaks_rules() for f in after) else after


class LedgerMachine(RuleBasedStateMachine):
    officer_id: int

    @initialize(budgets=st.lists(st.integers(0, 5_000_00), min_size=POTS, max_size=POTS))
    def make_pots(self, budgets):
        """Fresh pots, most with an opening budget so that early steps have money to move."""
        self.officer = db.session.get(User, self.officer_id)
        self.pot_ids = [FundingPotFactory().id for _ in range(POTS)]
        self.model = [Figures() for _ in range(POTS)]
        if opening := [(index, LedgerKind.BUDGET, budget)
                       for index, budget in enumerate(budgets) if budget]:
            self.attempt(opening)

    def attempt(self, postings: list[tuple[int, LedgerKind, int]], call=None) -> None:
        """Make the change through the service and check it was accepted exactly when the
        model says it should be; commit it, or roll back a refusal."""
        expected = expected_after(self.model, postings)
        before = self.stored_counts()
        try:
            if call is None:
                ledger.post(self.officer, [Posting(self.pot_ids[index], kind, amount)
                                           for index, kind, amount in postings], "A step")
            else:
                call()
        except LedgerRefused:
            db.session.rollback()
            assert expected is None, f"refused {postings} against {self.model}"
            assert self.stored_counts() == before
            event("refused")
            return
        db.session.commit()
        assert expected is not None, f"accepted {postings} against {self.model}"
        self.model = expected
        event("accepted")
        assert self.stored_counts() == (before[0] + len(postings), before[1] + 1)

    def stored_counts(self) -> tuple[int, int]:
        """This example's ledger entries and ledger audit events."""
        return (db.session.scalar(select(func.count(LedgerEntry.id))
                                  .where(LedgerEntry.pot_id.in_(self.pot_ids))),
                db.session.scalar(select(func.count(AuditEvent.id)).where(
                    AuditEvent.action == "ledger.posted", AuditEvent.object_id.in_(
                        select(LedgerEntry.id).where(LedgerEntry.pot_id.in_(self.pot_ids))))))

    @rule(pot=pots, raise_by=st.booleans(), size=sizes)
    def change_budget(self, pot, raise_by, size):
        figures = self.model[pot]
        change = aim(figures.budget - figures.committed, size)
        self.attempt([(pot, LedgerKind.BUDGET, change if raise_by else -change)])

    @rule(pot=pots, size=sizes)
    def commit(self, pot, size):
        figures = self.model[pot]
        self.attempt([(pot, LedgerKind.COMMITMENT, aim(figures.budget - figures.committed, size))])

    @rule(pot=pots, size=sizes)
    def release(self, pot, size):
        figures = self.model[pot]
        self.attempt([(pot, LedgerKind.RELEASE, aim(figures.committed - figures.paid, size))])

    @rule(pot=pots, size=sizes)
    def pay(self, pot, size):
        figures = self.model[pot]
        self.attempt([(pot, LedgerKind.PAYMENT, aim(figures.committed - figures.paid, size))])

    @rule(pot=pots, size=sizes)
    def claw_back(self, pot, size):
        self.attempt([(pot, LedgerKind.CLAWBACK, aim(self.model[pot].paid, size))])

    @rule(pair=two_pots, size=sizes)
    def transfer(self, pair, size):
        giver, taker = pair
        figures = self.model[giver]
        amount = aim(figures.budget - figures.committed, size)
        # transfer() refuses nothing to move itself, as the ledger refuses an entry of £0.
        postings = [(giver, LedgerKind.TRANSFER, -amount), (taker, LedgerKind.TRANSFER, amount)]
        self.attempt(postings, lambda: ledger.transfer(
            self.officer, self.pot_ids[giver], self.pot_ids[taker], amount, "A step"))

    @rule(pot=pots, released=amounts, committed=amounts)
    def vary(self, pot, released, committed):
        """An award varied: its commitment released and a new one made, in one posting."""
        self.attempt([(pot, LedgerKind.RELEASE, released),
                      (pot, LedgerKind.COMMITMENT, committed)])

    @rule(pair=two_pots, first=amounts, second=amounts)
    def split_commitment(self, pair, first, second):
        """An award paid from two pots at once."""
        self.attempt([(pair[0], LedgerKind.COMMITMENT, first),
                      (pair[1], LedgerKind.COMMITMENT, second)])

    @rule(pot=pots)
    def open_or_close(self, pot):
        figures = self.model[pot]
        figures.closed = not figures.closed
        db.session.execute(update(FundingPot).where(FundingPot.id == self.pot_ids[pot]).values(
            status=PotStatus.CLOSED if figures.closed else PotStatus.OPEN))
        db.session.commit()

    @invariant()
    def figures_match_the_model_and_keep_the_rules(self):
        if not hasattr(self, "model"):
            return
        found = ledger.balances(self.pot_ids)
        for pot_id, figures in zip(self.pot_ids, self.model, strict=True):
            balance = found[pot_id]
            assert (balance.budget_pence, balance.committed_pence, balance.paid_pence) == \
                (figures.budget, figures.committed, figures.paid)
            assert balance.available_pence >= 0
            assert 0 <= balance.paid_pence <= balance.committed_pence
            assert balance.budget_pence >= 0


    @invariant()
    def stored_figures_are_the_sums_of_the_entries(self):
        """Summed afresh from every entry, whatever balances() reads."""
        assert ledger_check.check().agrees


def test_the_ledger_keeps_its_rules_through_any_sequence_of_changes(ctx):
    LedgerMachine.officer_id = UserFactory(roles=(Role.GRANTS_OFFICER,)).id
    run_state_machine_as_test(LedgerMachine, settings=settings(
        max_examples=25, stateful_step_count=15, deadline=None, database=None))
