"""Every lifecycle's table, step by step: each allowed move sets the status and records its
audit action; each other move is refused with a message saying where the record is."""

from types import SimpleNamespace

import pytest

from models.enums import AwardStatus, ContractStatus, GrantReturnStatus, JobStatus, ReturnStatus
from portal import lifecycle as generic
from portal.awards.lifecycle import AWARD, GRANT_RETURN, LETTER_BATCH
from portal.contracts.lifecycle import CONTRACT
from portal.exceptions import RuleBroken
from portal.lifecycle import Lifecycle
from portal.monitoring.lifecycle import RETURN

LIFECYCLES = {"contract": CONTRACT, "award": AWARD, "letter batch": LETTER_BATCH,
              "return": RETURN, "grant return": GRANT_RETURN}
STATUSES = {"contract": ContractStatus, "award": AwardStatus, "letter batch": JobStatus,
            "return": ReturnStatus, "grant return": GrantReturnStatus}
EXPECTED = {  # the tables, written out again, so a change to one is a deliberate change
    "contract": {("draft", "active"), ("active", "ended"), ("active", "terminated")},
    "award": {("offered", "accepted"), ("offered", "declined"), ("offered", "expired"),
              ("offered", "withdrawn"), ("accepted", "closed")},
    "letter batch": {("queued", "running"), ("queued", "failed"), ("running", "done"),
                     ("running", "failed")},
    "return": {("submitted", "accepted"), ("submitted", "queried"),
               ("queried", "submitted")},
    "grant return": {("draft", "submitted"), ("submitted", "accepted"),
                     ("submitted", "queried"), ("queried", "submitted")},
}


def _steps(allowed: bool) -> list:
    return [pytest.param(name, before, to, id=f"{name}: {before.value} to {to.value}")
            for name, statuses in STATUSES.items() for before in statuses for to in statuses
            if ((before.value, to.value) in EXPECTED[name]) is allowed]


@pytest.fixture
def audited(monkeypatch) -> list[tuple]:
    events = []
    monkeypatch.setattr(generic.audit, "record", lambda action, **kwargs: events.append(
        (action, kwargs)))
    return events


@pytest.mark.parametrize("name", LIFECYCLES)
def test_every_status_is_declared(name):
    assert set(LIFECYCLES[name].transitions) == set(STATUSES[name])


@pytest.mark.parametrize(("name", "before", "to"), _steps(allowed=True))
def test_an_allowed_move_sets_the_status_and_audits_it(name, before, to, audited):
    lifecycle = LIFECYCLES[name]
    subject = SimpleNamespace(status=before, reference="REF-1")
    actor = object()

    assert lifecycle.may_move(subject, to)
    assert lifecycle.move(subject, to, actor=actor, details={"why": "test"}) is before
    assert subject.status is to
    if name == "letter batch" and to is not JobStatus.FAILED:
        assert audited == []  # the job's own progress is shown on its page, not audited
    else:
        assert audited == [(lifecycle.actions[to],
                            {"actor": actor, "subject": subject, "details": {"why": "test"}})]


@pytest.mark.parametrize(("name", "before", "to"), _steps(allowed=False))
def test_a_disallowed_move_is_refused_saying_where_it_is(name, before, to, audited):
    lifecycle = LIFECYCLES[name]
    subject = SimpleNamespace(status=before, reference="REF-1")

    assert not lifecycle.may_move(subject, to)
    with pytest.raises(RuleBroken) as refused:
        lifecycle.move(subject, to)
    message = str(refused.value)
    assert before.value in message or before.label.lower() in message
    assert subject.status is before
    assert audited == []


@pytest.mark.parametrize(("lifecycle", "before", "to", "message"), [
    (CONTRACT, ContractStatus.ENDED, ContractStatus.TERMINATED,
     "Contract REF-1 is ended, so it cannot be terminated early"),
    (CONTRACT, ContractStatus.DRAFT, ContractStatus.DRAFT,
     "Contract REF-1 is draft, so it cannot be moved to draft"),
    (AWARD, AwardStatus.ACCEPTED, AwardStatus.WITHDRAWN,
     "Only an offer that has not been accepted or declined can be withdrawn. "
     "This award is accepted."),
    (AWARD, AwardStatus.EXPIRED, AwardStatus.ACCEPTED,
     "This offer has already been answered or closed: it is offer expired"),
    (AWARD, AwardStatus.WITHDRAWN, AwardStatus.DECLINED,
     "This offer has already been answered or closed: it is withdrawn"),
    (LETTER_BATCH, JobStatus.DONE, JobStatus.FAILED,
     "Letter batch REF-1 is done, so it cannot be marked failed"),
    (RETURN, ReturnStatus.ACCEPTED, ReturnStatus.QUERIED, "This return has been accepted already"),
    (RETURN, ReturnStatus.SUBMITTED, ReturnStatus.SUBMITTED,
     "Return REF-1 is submitted, so it cannot be sent again"),
])
def test_the_refusals_say_why(lifecycle, before, to, message):
    with pytest.raises(RuleBroken) as refused:
        lifecycle.check(SimpleNamespace(status=before, reference="REF-1"), to)
    assert str(refused.value) == message


def test_sources_are_the_statuses_a_move_comes_from():
    assert LETTER_BATCH.sources(JobStatus.FAILED) == (JobStatus.QUEUED, JobStatus.RUNNING)
    assert AWARD.sources(AwardStatus.EXPIRED) == (AwardStatus.OFFERED,)
    assert RETURN.sources(ReturnStatus.SUBMITTED) == (ReturnStatus.QUERIED,)


def test_a_table_naming_an_undeclared_status_is_refused():
    with pytest.raises(ValueError, match="declare"):
        Lifecycle(noun="Contract", transitions={ContractStatus.DRAFT: frozenset(
            {ContractStatus.ACTIVE})}, verbs={ContractStatus.ACTIVE: "made active"})
