"""Decisions made at the same moment cannot break the rules between them.

On PostgreSQL the requests run at once from threads, each with its own application context,
session and connection: the round's row lock makes them take turns, so the key-decision
rule sees every approval made before it and one application gets one final decision. SQLite
allows one writer at a time, so there they run one after another."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

from sqlalchemy import select

from models import Decision, User
from models.base import db, utcnow
from models.enums import DecisionAuthority, DecisionOutcome, Role
from portal.decisions import services
from portal.exceptions import RuleBroken
from tests.decisions.conftest import ALL_3, scored
from tests.factories import RoundFactory, UserFactory, community_plus_criteria


def _approve(app, barrier: threading.Barrier | None, officer_id: int, application_id: int,
             pence: int) -> bool:
    with app.app_context():
        officer = db.session.get(User, officer_id)
        if barrier is not None:
            barrier.wait(timeout=30)
        try:
            services.record_decision(officer, application_id, services.DecisionDetails(
                outcome=DecisionOutcome.APPROVED, authority=DecisionAuthority.PANEL,
                decided_on=date.today(), amount_pence=pence), utcnow())
        except RuleBroken:
            return False
        finally:
            db.session.remove()
        return True


def _run_at_once(app, backend: str, calls: list[tuple]) -> list[bool]:
    if backend != "postgresql":
        return [_approve(app, None, *call) for call in calls]
    barrier = threading.Barrier(len(calls))
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(_approve, app, barrier, *call) for call in calls]
        return [future.result(timeout=60) for future in futures]


def test_simultaneous_approvals_never_pass_the_key_decision_threshold(app, ctx, backend):
    round_ = RoundFactory(closed=True, budget_pence=2_000_000_00,
                          max_award_pence=1_000_000_00)
    community_plus_criteria(round_)
    officer = UserFactory(roles=(Role.GRANTS_OFFICER,))
    applications = [scored(round_, ALL_3, requested=200_000_00) for _ in range(4)]
    outcomes = _run_at_once(app, backend, [(officer.id, application.id, 200_000_00)
                                           for application in applications])
    # £400,000 is within the £500,000 threshold; a third £200,000 would take it over.
    assert outcomes.count(True) == 2
    db.session.expire_all()
    assert sum(db.session.scalars(select(Decision.amount_pence))) == 400_000_00


def test_simultaneous_decisions_on_one_application_record_one(app, ctx, backend):
    round_ = RoundFactory(closed=True)
    community_plus_criteria(round_)
    officers = [UserFactory(roles=(Role.GRANTS_OFFICER,)) for _ in range(4)]
    application = scored(round_, ALL_3, requested=1_000_00)
    outcomes = _run_at_once(app, backend, [(officer.id, application.id, 1_000_00)
                                           for officer in officers])
    assert outcomes.count(True) == 1
    db.session.expire_all()
    assert len(db.session.scalars(select(Decision)).all()) == 1
