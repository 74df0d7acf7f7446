"""Officers posting to the same pots at the same moment cannot overspend them or deadlock.

On PostgreSQL each post runs in a thread with its own application context, session and
connection, all released together by a barrier: the pots' row locks (taken in id order) make
them take turns, so each sees every commitment committed before it. SQLite allows one writer at
a time and has no row locks, so there the same posts run one after another: the outcome must be
the same."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from models import AuditEvent, LedgerEntry, User
from models.base import db
from models.enums import LedgerKind, Role
from portal.funding import ledger, ledger_check
from portal.funding.ledger import Balance, LedgerRefused, Posting
from tests.factories import FundingPotFactory, UserFactory

THREADS = 20


def _in_own_context(app, barrier: threading.Barrier | None, officer_id: int,
                    change: Callable[[User], object]) -> str:
    """Run `change` as the officer once every thread is ready, and commit it: "posted",
    "refused" (LedgerRefused) or the repr of any other error."""
    with app.app_context():
        # Wait before touching the database: the pool has fewer connections than threads.
        if barrier is not None:
            barrier.wait(timeout=30)
        try:
            change(db.session.get(User, officer_id))
            db.session.commit()
        except LedgerRefused:
            db.session.rollback()
            return "refused"
        except Exception as error:  # a database error is what this looks for
            db.session.rollback()
            return repr(error)
        finally:
            db.session.remove()
        return "posted"


def _at_once(app, backend: str, officer_id: int,
             changes: list[Callable[[User], object]]) -> list[str]:
    if backend != "postgresql":
        return [_in_own_context(app, None, officer_id, change) for change in changes]
    barrier = threading.Barrier(len(changes))
    with ThreadPoolExecutor(max_workers=len(changes)) as pool:
        futures = [pool.submit(_in_own_context, app, barrier, officer_id, change)
                   for change in changes]
        return [future.result(timeout=120) for future in futures]


def _funded(officer, budget: int) -> int:
    pot_id = FundingPotFactory().id
    ledger.post(officer, [Posting(pot_id, LedgerKind.BUDGET, budget)], "Opening budget")
    db.session.commit()
    return pot_id


def test_simultaneous_commitments_never_overspend_a_pot(app, ctx, backend):
    officer = UserFactory(roles=(Role.GRANTS_OFFICER,))
    pot_id = _funded(officer, 10_000_00)

    def commit(number: int) -> Callable[[User], object]:
        return lambda actor: ledger.post(
            actor, [Posting(pot_id, LedgerKind.COMMITMENT, 1_500_00)], f"Award {number}")

    outcomes = _at_once(app, backend, officer.id, [commit(number) for number in range(THREADS)])

    # Only "posted" and "refused": no thread met a deadlock, serialisation or other error.
    assert sorted(set(outcomes)) == ["posted", "refused"]
    assert outcomes.count("posted") == 6  # 6 × £1,500 = £9,000; a 7th would need £10,500
    db.session.expire_all()
    assert ledger.balances([pot_id])[pot_id] == Balance(10_000_00, 9_000_00, 0)
    posted = {f"Award {number}" for number, outcome in enumerate(outcomes)
              if outcome == "posted"}
    entries = db.session.scalars(select(LedgerEntry).where(
        LedgerEntry.pot_id == pot_id, LedgerEntry.kind == LedgerKind.COMMITMENT)).all()
    assert sorted(entry.reason for entry in entries) == sorted(posted)
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "ledger.posted")).all()
    assert sorted(event.details["reason"] for event in events) == \
        sorted(posted | {"Opening budget"})


def test_transfers_in_opposite_directions_do_not_deadlock(app, ctx, backend):
    officer = UserFactory(roles=(Role.GRANTS_OFFICER,))
    first, second = _funded(officer, 10_000_00), _funded(officer, 10_000_00)

    def move(giver: int, taker: int) -> Callable[[User], object]:
        return lambda actor: ledger.transfer(actor, giver, taker, 100_00, "Rebalancing")

    # Ten each way, all released at once: every one must go through.
    outcomes = _at_once(app, backend, officer.id, [move(first, second) if number % 2 else
                                          move(second, first) for number in range(THREADS)])

    assert outcomes == ["posted"] * THREADS
    db.session.expire_all()
    assert ledger.balances([first, second]) == {first: Balance(10_000_00, 0, 0),
                                                second: Balance(10_000_00, 0, 0)}
    assert len(db.session.scalars(select(LedgerEntry).where(
        LedgerEntry.kind == LedgerKind.TRANSFER)).all()) == 2 * THREADS


def test_commitments_across_two_pots_in_opposite_order_do_not_deadlock(app, ctx, backend):
    """Awards split over the same two pots, listed in either order, take their locks in one
    order, so none waits on another crosswise."""
    officer = UserFactory(roles=(Role.GRANTS_OFFICER,))
    first, second = _funded(officer, 10_000_00), _funded(officer, 10_000_00)

    def split(one: int, other: int) -> Callable[[User], object]:
        return lambda actor: ledger.post(actor, [Posting(one, LedgerKind.COMMITMENT, 100_00),
                                                 Posting(other, LedgerKind.COMMITMENT, 200_00)],
                                         "Split award")

    outcomes = _at_once(app, backend, officer.id, [split(first, second) if number % 2 else
                                          split(second, first) for number in range(THREADS)])

    assert outcomes == ["posted"] * THREADS
    db.session.expire_all()
    assert ledger.balances([first, second]) == {first: Balance(10_000_00, 3_000_00, 0),
                                                second: Balance(10_000_00, 3_000_00, 0)}


def test_simultaneous_commitments_and_budget_cuts_keep_the_pot_whole(app, ctx, backend):
    """Cuts and commitments racing for the same money: whichever order they take, the pot's
    figures are exactly those of the ones that went through, and never overspent."""
    officer = UserFactory(roles=(Role.GRANTS_OFFICER,))
    pot_id = _funded(officer, 20_000_00)

    def change(kind: LedgerKind, pence: int) -> Callable[[User], object]:
        return lambda actor: ledger.post(actor, [Posting(pot_id, kind, pence)], "Race")

    changes = [(LedgerKind.COMMITMENT, 1_500_00) if number % 2 else
               (LedgerKind.BUDGET, -1_500_00) for number in range(THREADS)]
    outcomes = _at_once(app, backend, officer.id, [change(*pair) for pair in changes])

    assert set(outcomes) <= {"posted", "refused"}
    committed = sum(1 for (kind, _), outcome in zip(changes, outcomes, strict=True)
                    if kind is LedgerKind.COMMITMENT and outcome == "posted")
    cut = outcomes.count("posted") - committed
    assert committed + cut == 13  # £20,000 covers 13 of the £1,500 asks, in any mix
    db.session.expire_all()
    assert ledger.balances([pot_id])[pot_id] == Balance(20_000_00 - cut * 1_500_00,
                                                        committed * 1_500_00, 0)


def test_racing_posts_of_every_kind_leave_stored_figures_equal_to_the_entries(app, ctx, backend):
    """Commitments, releases, payments, clawbacks, budget cuts and transfers between two pots,
    all at once: the figures each pot stores are the sums of the entries that went through,
    and neither pot is overspent."""
    officer = UserFactory(roles=(Role.GRANTS_OFFICER,))
    first, second = _funded(officer, 10_000_00), _funded(officer, 10_000_00)
    ledger.post(officer, [Posting(first, LedgerKind.COMMITMENT, 4_000_00),
                          Posting(first, LedgerKind.PAYMENT, 1_000_00)], "Opening award")
    db.session.commit()

    def change(*postings: Posting) -> Callable[[User], object]:
        return lambda actor: ledger.post(actor, list(postings), "Race")

    kinds = [change(Posting(first, LedgerKind.COMMITMENT, 1_500_00)),
             change(Posting(first, LedgerKind.RELEASE, 700_00)),
             change(Posting(first, LedgerKind.PAYMENT, 900_00)),
             change(Posting(first, LedgerKind.CLAWBACK, 300_00)),
             change(Posting(first, LedgerKind.BUDGET, -1_100_00)),
             change(Posting(first, LedgerKind.TRANSFER, -800_00),
                    Posting(second, LedgerKind.TRANSFER, 800_00)),
             change(Posting(second, LedgerKind.TRANSFER, -600_00),
                    Posting(first, LedgerKind.TRANSFER, 600_00))]
    outcomes = _at_once(app, backend, officer.id,
                        [kinds[number % len(kinds)] for number in range(THREADS)])

    assert set(outcomes) <= {"posted", "refused"}
    assert "posted" in outcomes and "refused" in outcomes  # a real race for the money
    db.session.expire_all()
    assert ledger_check.check().agrees
    for balance in ledger.balances([first, second]).values():
        assert balance.available_pence >= 0
        assert 0 <= balance.paid_pence <= balance.committed_pence
