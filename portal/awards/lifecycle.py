"""An award's life, its letter batches' and its monitoring returns' as data (see
`portal.lifecycle`).

An award is offered, its money committed in the ledger, then accepted, declined, expired or
withdrawn by the council; an accepted award is closed once its end-of-grant report is
accepted. A round's letter batch is queued, runs, and is
done or failed (failed too when its job is lost before it ran or while it ran). A monitoring
return is written by the organisation, sent, then accepted or queried by an officer; a queried
return is changed and sent again."""

from datetime import date

from models import Application, Award, LetterBatch, MonitoringReturn
from models.enums import ApplicationStatus, AwardStatus, GrantReturnStatus, JobStatus
from portal.lifecycle import Lifecycle, background_job

OFFERED, ACCEPTED, CLOSED = AwardStatus.OFFERED, AwardStatus.ACCEPTED, AwardStatus.CLOSED
DECLINED, EXPIRED, WITHDRAWN = AwardStatus.DECLINED, AwardStatus.EXPIRED, AwardStatus.WITHDRAWN

ANSWERED = "This offer has already been answered or closed: it is {label}"
AWARD = Lifecycle(
    noun="Award",
    transitions={
        OFFERED: frozenset({ACCEPTED, DECLINED, EXPIRED, WITHDRAWN}),
        ACCEPTED: frozenset({CLOSED}),
        DECLINED: frozenset(),
        EXPIRED: frozenset(),
        WITHDRAWN: frozenset(),
        CLOSED: frozenset(),
    },
    verbs={ACCEPTED: "accepted", DECLINED: "declined", EXPIRED: "expired",
           WITHDRAWN: "withdrawn", CLOSED: "closed"},
    actions={ACCEPTED: "award.accepted", DECLINED: "award.declined", EXPIRED: "award.expired",
             WITHDRAWN: "award.withdrawn", CLOSED: "award.closed"},
    refusals={
        ACCEPTED: ANSWERED,
        DECLINED: ANSWERED,
        WITHDRAWN: "Only an offer that has not been accepted or declined can be withdrawn. "
                   "This award is {status.value}.",
    },
)

# Awards whose money is still held for the organisation: they get letters and may be varied.
COMMITTED = (OFFERED, ACCEPTED)
# Awards the organisation was given, including those closed: public funding it received.
AWARDED = (OFFERED, ACCEPTED, CLOSED)
# Awards that may be paid: the organisation has accepted the offer.
PAYABLE = (ACCEPTED,)


def may_offer(application: Application) -> bool:
    """Whether an award may be offered for the application: it has been approved."""
    return application.status is ApplicationStatus.APPROVED


def may_withdraw(award: Award) -> bool:
    return AWARD.may_move(award, WITHDRAWN)


def why_not_withdraw(award: Award) -> str | None:
    """Why the council cannot withdraw the offer now, or None if it can."""
    return None if may_withdraw(award) else AWARD.refusal(award, WITHDRAWN)


def may_vary(award: Award) -> bool:
    """Whether the award's terms may still change: its money is still committed."""
    return award.status in COMMITTED


def may_close(award: Award) -> bool:
    """Whether the award is one that may be closed (if its end-of-grant report is accepted)."""
    return AWARD.may_move(award, CLOSED)


def may_pay(award: Award) -> bool:
    """Whether payments may be made against the award (if anything is left to pay)."""
    return award.status in PAYABLE


DONE, FAILED = JobStatus.DONE, JobStatus.FAILED

# The job's own progress is shown on the batch's page, not audited: only a failure noticed by
# an officer (the job could not be queued, or was lost) is.
LETTER_BATCH = background_job("Letter batch", actions={FAILED: "letters.batch_failed"})
# Batches that may still finish.
UNFINISHED = LETTER_BATCH.sources(FAILED)


def is_unfinished(batch: LetterBatch) -> bool:
    return batch.status in UNFINISHED


def letters_ready(batch: LetterBatch) -> bool:
    """Whether the round's letters can be downloaded: the batch is done."""
    return batch.status is DONE


DRAFT, SENT = GrantReturnStatus.DRAFT, GrantReturnStatus.SUBMITTED
RETURN_ACCEPTED, QUERIED = GrantReturnStatus.ACCEPTED, GrantReturnStatus.QUERIED
REVIEWED_ALREADY = "This return has been {label} already"

GRANT_RETURN = Lifecycle(
    noun="Return",
    transitions={
        DRAFT: frozenset({SENT}),
        SENT: frozenset({RETURN_ACCEPTED, QUERIED}),
        RETURN_ACCEPTED: frozenset(),
        QUERIED: frozenset({SENT}),
    },
    verbs={SENT: "sent", RETURN_ACCEPTED: "accepted", QUERIED: "queried"},
    actions={SENT: "grant_return.submitted", RETURN_ACCEPTED: "grant_return.accepted",
             QUERIED: "grant_return.queried"},
    refusals={SENT: "This return is {label}, so it cannot be sent again unless it is queried",
              RETURN_ACCEPTED: REVIEWED_ALREADY, QUERIED: REVIEWED_ALREADY},
)


def may_write(monitoring_return: MonitoringReturn) -> bool:
    """Whether the organisation may change the return's answers: it has not been sent, or it
    has been queried; and the award is one it is carrying out."""
    return (GRANT_RETURN.may_move(monitoring_return, SENT)
            and monitoring_return.award.status is ACCEPTED)


def may_review_return(monitoring_return: MonitoringReturn) -> bool:
    """Whether an officer may still accept or query the return."""
    return GRANT_RETURN.may_move(monitoring_return, RETURN_ACCEPTED)


def is_overdue(monitoring_return: MonitoringReturn, today: date) -> bool:
    """Not sent by its due date (and the award is being carried out)."""
    return (monitoring_return.submitted_at is None and monitoring_return.due_on < today
            and monitoring_return.award.status is ACCEPTED)
