"""Awards keep the ledger right whatever officers and organisations do, in any order.

Hypothesis drives the real services through random sequences of offers, acceptances,
declines, expiries, payments, recoveries, variations up and down, withdrawals and closures
after an end-of-grant report against a few shared pots. After every step: every pot keeps the
ledger's rules; each award's money in the ledger is its amount less what was recovered, pot by
pot as its allocations say, what was paid once it is closed, or nothing once it has ended
otherwise; its allocations and its schedule add up to its amount; the figures the ledger
stores (pots', schemes' by pot) are the sums of the entries; and a refused step changes
nothing. The database is shared by the examples, so each makes its own round, pots
and awards and looks only at them."""

from dataclasses import replace
from datetime import timedelta

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
    Allocation,
    Award,
    AwardVersion,
    Instalment,
    LedgerEntry,
    Payment,
    Recovery,
    User,
)
from models.base import db, utcnow
from models.enums import AwardStatus, GrantReturnStatus, OrganisationRole, RecoveryKind, Role
from portal.awards import closure, payments, returns, services, variations
from portal.awards.return_details import Answers, Review
from portal.awards.terms import ScheduledPayment, default_terms, terms_of
from portal.exceptions import RuleBroken
from portal.funding import ledger, ledger_check
from tests.awards.conftest import approved, pot, today
from tests.factories import (
    FundingPotFactory,
    MembershipFactory,
    OrganisationFactory,
    RoundFactory,
    UserFactory,
)
from tests.money_steps import aim
from tests.money_steps import sizes as money_sizes

POTS = 3
amounts = st.integers(1_00, 1_500_00)
sizes = money_sizes(500_00)
# An index into the awards made so far in the state a step wants (or, when there are none,
# into all of them, so that steps on awards in the wrong state are tried too).
awards = st.integers(0, 1_000)


class AwardMoneyMachine(RuleBasedStateMachine):
    officer_id: int

    @initialize(budgets=st.lists(st.integers(0, 6_000_00), min_size=POTS, max_size=POTS))
    def set_up(self, budgets):
        self.officer = db.session.get(User, self.officer_id)
        self.round = RoundFactory(closed=True, min_award_pence=1_00,
                                  max_award_pence=10_000_00)
        self.pot_ids = [pot(budget).id if budget else FundingPotFactory().id for budget in budgets]
        self.award_ids: list[int] = []
        self.admins: dict[int, User] = {}

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

    def award(self, index: int, *statuses: AwardStatus, paid: bool = False) -> Award:
        wanted = select(Award.id).where(Award.id.in_(self.award_ids),
                                        Award.status.in_(statuses)).order_by(Award.id)
        if paid:
            wanted = wanted.where(Award.id.in_(select(Payment.award_id)))
        ids = list(db.session.scalars(wanted))
        ids = ids or self.award_ids
        award = db.session.get(Award, ids[index % len(ids)])
        db.session.refresh(award)
        return award

    @rule(amount=amounts, pots_used=st.sets(st.integers(0, POTS - 1), min_size=1),
          accepted=st.booleans())
    def offer(self, amount, pots_used, accepted):
        """An offer split evenly across some of the pots; accepted at once or left open."""
        organisation = OrganisationFactory()
        admin = MembershipFactory(organisation=organisation, role=OrganisationRole.ADMIN).user
        application = approved(self.round, amount, organisation=organisation,
                               created_by=admin, submitted_by=admin)
        chosen = sorted(self.pot_ids[index] for index in pots_used)
        share = amount // len(chosen)
        allocations = {pot_id: share for pot_id in chosen}
        allocations[chosen[0]] += amount - share * len(chosen)

        def make():
            award = services.make_offer(self.officer, application.id, services.OfferDetails(
                allocations=allocations, standard_conditions="1. Spend it well.",
                special_conditions="", accept_by=today() + timedelta(days=28),
                terms=default_terms(amount, None, None, today())), utcnow())
            self.award_ids.append(award.id)
            self.admins[award.id] = admin
            if accepted:
                services.accept(admin, award.id, services.Acceptance(
                    "A Signatory", "Chair", True, "203.0.113.1"), utcnow())

        self.attempt(make)

    @precondition(lambda self: self.award_ids)
    @rule(index=awards)
    def accept(self, index):
        award = self.award(index, AwardStatus.OFFERED)
        self.attempt(lambda: services.accept(self.admins[award.id], award.id,
                                             services.Acceptance("A Signatory", "Chair", True,
                                                                 "203.0.113.1"), utcnow()))

    @precondition(lambda self: self.award_ids)
    @rule(index=awards)
    def decline(self, index):
        award = self.award(index, AwardStatus.OFFERED)
        self.attempt(lambda: services.decline(self.admins[award.id], award.id, "No thanks",
                                              utcnow()))

    @precondition(lambda self: self.award_ids)
    @rule(index=awards)
    def withdraw(self, index):
        award = self.award(index, AwardStatus.OFFERED)
        self.attempt(lambda: services.withdraw(self.officer, award.id, "Withdrawn", utcnow()))

    @precondition(lambda self: self.award_ids)
    @rule(index=awards)
    def expire(self, index):
        """An offer's day to accept by passes, and the daily job closes it."""
        award = self.award(index, AwardStatus.OFFERED)
        if award.status is AwardStatus.OFFERED:
            award.accept_by = today() - timedelta(days=1)
            db.session.commit()
            services.expire_offers(utcnow())
            db.session.refresh(award)
            assert award.status is AwardStatus.EXPIRED
            event("expired")

    @precondition(lambda self: self.award_ids)
    @rule(index=awards, size=sizes)
    def pay(self, index, size):
        award = self.award(index, AwardStatus.ACCEPTED)
        paid = payments.paid_by_instalment(award.id)
        unpaid = [each for each in award.instalments
                  if each.amount_pence > paid.get(each.id, 0)]
        target = unpaid[0] if unpaid else award.instalments[0]
        left = target.amount_pence - paid.get(target.id, 0)
        self.attempt(lambda: payments.record_payment(
            self.officer, award.id, payments.PaymentDetails(
                target.id, today(), aim(left, size), "BACS"), utcnow()))

    @precondition(lambda self: self.award_ids)
    @rule(index=awards, size=sizes, kind=st.sampled_from(RecoveryKind))
    def recover(self, index, size, kind):
        award = self.award(index, AwardStatus.ACCEPTED, paid=True)
        paid = sum(money.paid_pence for money in payments.money_by_pot(award_id=award.id).values())
        self.attempt(lambda: payments.record_recovery(
            self.officer, award.id, payments.RecoveryDetails(
                kind, aim(paid, size), today(), "Not spent"), utcnow()))

    @precondition(lambda self: self.award_ids)
    @rule(index=awards, change=st.integers(-2_000_00, 2_000_00),
          pot_index=st.integers(0, POTS - 1))
    def vary(self, index, change, pot_index):
        """Change one pot's share by `change` (up: needs its money; down: releases it),
        keeping the paid payments and putting the rest in one payment later on."""
        award = self.award(index, AwardStatus.OFFERED, AwardStatus.ACCEPTED)
        allocations = {a.pot_id: a.amount_pence for a in award.allocations}
        pot_id = self.pot_ids[pot_index]
        allocations[pot_id] = max(allocations.get(pot_id, 0) + change, 0)
        amount = sum(allocations.values())
        paid = payments.paid_by_instalment(award.id)
        kept = [ScheduledPayment(each.due_on, each.amount_pence)
                for each in award.instalments if paid.get(each.id)]
        rest = amount - sum(each.amount_pence for each in kept)
        later = ([ScheduledPayment(today() + timedelta(days=60), rest)] if rest > 0 else [])
        terms = replace(terms_of(award), instalments=tuple(kept + later))
        self.attempt(lambda: variations.vary(self.officer, award.id, variations.Variation(
            amount, allocations, terms, "Varied"), utcnow()))

    @precondition(lambda self: self.award_ids)
    @rule(index=awards, underspend=st.integers(0, 1_500_00))
    def close(self, index, underspend):
        """The organisation reports `underspend` unspent (at most the award), the report is
        accepted and the award closed."""
        award = self.award(index, AwardStatus.ACCEPTED)
        report = next(each for each in award.monitoring_returns if each.end_of_grant)
        if award.status is AwardStatus.ACCEPTED and report.status is GrantReturnStatus.DRAFT:
            returns.save_answers(self.admins[award.id], report.id, Answers(
                progress="Done.", outcomes="Good.", people_reached=10,
                difference_made="Some.", underspend_pence=min(underspend, award.amount_pence)),
                utcnow())
            returns.submit(self.admins[award.id], report.id, "", utcnow())
            returns.review(self.officer, report.id, Review(accept=True), utcnow())
        self.attempt(lambda: closure.close(self.officer, award.id,
                                           closure.ClosureDetails(today()), utcnow()))

    # Checks ----------------------------------------------------------------------------------

    def snapshot(self) -> tuple:
        """Everything a step could change for this example's awards and pots."""
        ids = self.award_ids
        counts = tuple(db.session.scalar(select(func.count()).select_from(model)
                                         .where(model.award_id.in_(ids)))
                       for model in (LedgerEntry, Payment, Recovery, AwardVersion))
        rows = tuple(db.session.execute(
            select(Award.id, Award.status, Award.amount_pence, Award.version)
            .where(Award.id.in_(ids)).order_by(Award.id)))
        allocations = tuple(db.session.execute(
            select(Allocation.award_id, Allocation.pot_id, Allocation.amount_pence)
            .where(Allocation.award_id.in_(ids)).order_by(Allocation.id)))
        instalments = tuple(db.session.execute(
            select(Instalment.award_id, Instalment.number, Instalment.amount_pence)
            .where(Instalment.award_id.in_(ids)).order_by(Instalment.id)))
        return counts, rows, allocations, instalments, ledger.balances(self.pot_ids)

    @invariant()
    def pots_keep_the_ledger_rules(self):
        if not hasattr(self, "pot_ids"):
            return
        for balance in ledger.balances(self.pot_ids).values():
            assert balance.available_pence >= 0
            assert 0 <= balance.paid_pence <= balance.committed_pence

    @invariant()
    def stored_figures_are_the_sums_of_the_entries(self):
        """The pots' figures and the schemes' spends from each pot, as the ledger stores
        them, equal the sums of the entries, summed afresh."""
        assert ledger_check.check().agrees

    @invariant()
    def each_award_holds_its_amount_less_what_was_recovered(self):
        for award_id in getattr(self, "award_ids", []):
            award = db.session.get(Award, award_id)
            db.session.refresh(award)
            money = payments.money_by_pot(award_id=award_id)
            recovered = db.session.scalar(select(func.coalesce(func.sum(
                Recovery.amount_pence), 0)).where(Recovery.award_id == award_id))
            committed = sum(each.committed_pence for each in money.values())
            if award.status in (AwardStatus.OFFERED, AwardStatus.ACCEPTED):
                assert committed == award.amount_pence - recovered
                # Pot by pot: each allocation less what was clawed back from that pot.
                held = {pot_id: each.committed_pence + each.recovered_pence
                        for pot_id, each in money.items()
                        if each.committed_pence + each.recovered_pence}
                assert held == {a.pot_id: a.amount_pence for a in award.allocations}
            elif award.status is AwardStatus.CLOSED:
                # Closed: what was never paid went back to the pots; what it holds is paid.
                assert committed == sum(each.paid_pence for each in money.values()) >= 0
            else:
                assert committed == 0
            assert sum(a.amount_pence for a in award.allocations) == award.amount_pence
            assert sum(i.amount_pence for i in award.instalments) == award.amount_pence


def test_awards_keep_the_money_right_through_any_sequence_of_actions(ctx):
    AwardMoneyMachine.officer_id = UserFactory(roles=(Role.GRANTS_OFFICER,)).id
    run_state_machine_as_test(AwardMoneyMachine, settings=settings(
        max_examples=25, stateful_step_count=15, deadline=None, database=None))
