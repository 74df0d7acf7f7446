"""A lifecycle as data: the statuses a record may move to from each status, what each step is
called in messages, and the audit action it records. Each area declares its own lifecycles
(contracts, awards and their letter batches, monitoring returns) as a `Lifecycle`, and every
change of status goes through its `move`, which checks the step is allowed, sets it and audits
it. Templates ask the same lifecycle (`may_move`) rather than comparing status strings."""

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from models import User
from models.enums import JobStatus
from portal import audit
from portal.exceptions import RuleBroken

S = TypeVar("S", bound=enum.Enum)


@dataclass(frozen=True)
class Lifecycle(Generic[S]):
    """`transitions` maps each status to the statuses it may move to (every status is a key,
    a final one with none). `verbs` names each step for the refusal message ("cannot be made
    active"); `actions` names its audit event: a step without one (a background job's own
    progress) is not audited. `refusals` overrides the refusal for a step with a format
    string, given the subject's `status`, its `label` in lower case, the step's `verb` and the
    subject's `name` (the noun and its reference)."""

    noun: str
    transitions: Mapping[S, frozenset[S]]
    verbs: Mapping[S, str]
    actions: Mapping[S, str] = field(default_factory=dict)
    refusals: Mapping[S, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        reachable = set().union(*self.transitions.values())
        missing = reachable - set(self.transitions) | reachable - set(self.verbs)
        if missing:
            raise ValueError(f"{self.noun} lifecycle does not declare {sorted(missing)}")

    def may_move(self, subject: Any, to: S) -> bool:
        """Whether `subject` may move to `to` from its status now."""
        return to in self.transitions[subject.status]

    def sources(self, to: S) -> tuple[S, ...]:
        """The statuses from which a move to `to` is allowed, for a query or an update that
        picks its rows by status."""
        return tuple(status for status, targets in self.transitions.items() if to in targets)

    def refusal(self, subject: Any, to: S) -> str:
        status = subject.status
        label = getattr(status, "label", status.value).lower()
        # No step leads back to a starting status, so it has no verb of its own.
        verb = self.verbs.get(to) or f"moved to {getattr(to, 'label', to.value).lower()}"
        reference = getattr(subject, "reference", "")
        template = self.refusals.get(to, "{name} is {label}, so it cannot be {verb}")
        return template.format(status=status, label=label, verb=verb,
                               name=f"{self.noun} {reference}" if reference else self.noun)

    def check(self, subject: Any, to: S) -> None:
        """RuleBroken, saying why, unless `subject` may move to `to` from where it is."""
        if not self.may_move(subject, to):
            raise RuleBroken(self.refusal(subject, to))

    def move(self, subject: Any, to: S, *, actor: User | None = None,
             details: dict[str, Any] | None = None, quietly: bool = False) -> S:
        """Check the step, set the status and audit it (with `details`, as `actor`), unless
        `quietly` (a background job's own progress, which its page shows); the status moved
        from. The caller has checked who may do it, and commits."""
        self.check(subject, to)
        before = subject.status
        subject.status = to
        if to in self.actions and not quietly:
            audit.record(self.actions[to], actor=actor, subject=subject, details=details)
        return before


def background_job(noun: str, actions: Mapping[JobStatus, str] | None = None
                   ) -> Lifecycle[JobStatus]:
    """The lifecycle of a background job's record (a letter batch, an export): queued, running,
    then done or failed (failed too when its job is lost before it ran or while it ran). Its
    own progress is its page's business: only the steps in `actions` are audited."""
    queued, running, done, failed = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DONE,
                                     JobStatus.FAILED)
    return Lifecycle(
        noun=noun,
        transitions={queued: frozenset({running, failed}), running: frozenset({done, failed}),
                     done: frozenset(), failed: frozenset()},
        verbs={running: "started", done: "finished", failed: "marked failed"},
        actions=actions or {})
