"""The application's states and the moves between them, declared once.

Every change of status goes through `move`, which checks that the move is allowed and that the
person may make it, records the change on the application's timeline and audits it. The caller
commits, so the move and whatever caused it are one transaction."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from models import Application, StatusChange, User
from models.enums import ApplicationStatus as Status
from portal import audit, policies
from portal.exceptions import NotAllowed, RuleBroken

Policy = Callable[[User, Application], bool]


def _member(user: User, application: Application) -> bool:
    return policies.membership_of(user, application.organisation) is not None


def _officer(user: User, application: Application) -> bool:
    return policies.can_check_due_diligence(user)


def _decision_maker(user: User, application: Application) -> bool:
    return policies.can_record_decision(user)


@dataclass(frozen=True)
class Move:
    to: Status
    allowed_from: frozenset[Status]
    policy: Policy
    event: str


MOVES = {move.event: move for move in [
    Move(Status.SUBMITTED, frozenset({Status.DRAFT}), _member, "application.submitted"),
    # An answered clarification sends the application back to the officer's checks.
    Move(Status.SUBMITTED, frozenset({Status.CLARIFICATION_REQUESTED}), _member,
         "application.clarification_answered"),
    Move(Status.CLARIFICATION_REQUESTED,
         frozenset({Status.SUBMITTED, Status.CLARIFICATION_REQUESTED}), _officer,
         "application.clarification_requested"),
    Move(Status.INELIGIBLE, frozenset({Status.SUBMITTED, Status.CLARIFICATION_REQUESTED}),
         _officer, "application.ineligible"),
    Move(Status.UNDER_ASSESSMENT, frozenset({Status.SUBMITTED}), _officer,
         "application.eligible"),
    Move(Status.APPROVED, frozenset({Status.UNDER_ASSESSMENT, Status.DEFERRED}),
         _decision_maker, "application.approved"),
    Move(Status.REJECTED, frozenset({Status.UNDER_ASSESSMENT, Status.DEFERRED}),
         _decision_maker, "application.rejected"),
    Move(Status.DEFERRED, frozenset({Status.UNDER_ASSESSMENT}), _decision_maker,
         "application.deferred"),
    Move(Status.WITHDRAWN, frozenset({Status.DRAFT, Status.SUBMITTED,
                                      Status.CLARIFICATION_REQUESTED, Status.UNDER_ASSESSMENT,
                                      Status.DEFERRED}), _member, "application.withdrawn"),
]}

# Statuses from which the organisation can still withdraw: nothing final has happened.
OPEN_STATUSES = MOVES["application.withdrawn"].allowed_from


def can_move(user: User, application: Application, event: str) -> bool:
    move = MOVES[event]
    return application.status in move.allowed_from and move.policy(user, application)


def move(user: User, application: Application, event: str, now: datetime,
         details: dict[str, Any] | None = None) -> None:
    """Make the move named `event` (e.g. "application.eligible"): refused with NotAllowed if
    the person may not make it, RuleBroken if the application is not in a state it moves from.
    The caller has locked the application and commits."""
    step = MOVES[event]
    if not step.policy(user, application):
        raise NotAllowed
    if application.status not in step.allowed_from:
        raise RuleBroken(f"This application is {application.status.label.lower()}, "
                         "so that cannot be done now")
    application.status_changes.append(StatusChange(
        from_status=application.status, to_status=step.to, at=now, by=user))
    previous = application.status
    application.status = step.to
    application.updated_at = now
    audit.record(event, actor=user, subject=application,
                 details={"reference": application.reference, "previous_status": previous.value,
                          **(details or {})})
