"""Grant monitoring returns: the reports an award's terms say the organisation must send.

The organisation's members write a return (progress and outcomes against what the application
promised, the people reached by theme and ward, the spending against each budget line, with
evidence files; the end-of-grant report also asks what difference the grant made, what was
learned and how much is unspent), check their answers and send it. A grants officer accepts
it or queries it with a note; the organisation answers a query by changing the return and
sending it again. A return not sent by its due date is overdue. A payment in the schedule
may be held until a named return is accepted (`why_held`).

Whether a return may be written, reviewed or is overdue is decided in
`portal.awards.lifecycle`; every change of its status goes through `GRANT_RETURN.move`.
"""

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO

from flask import has_request_context, url_for
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload, selectinload

from models import (
    Application,
    Award,
    Instalment,
    MonitoringReturn,
    Organisation,
    ReturnEvidence,
    User,
)
from models.enums import GrantReturnStatus
from portal import audit, policies
from portal.awards import lifecycle, services
from portal.awards.lifecycle import GRANT_RETURN
from portal.awards.return_details import Answers, Review
from portal.dates import format_date, to_london
from portal.documents.services import remove_file, store_file, stored_bytes
from portal.exceptions import NotAllowed, NotFound, RuleBroken
from portal.extensions import db
from portal.mail import send_each
from portal.money import format_pounds

PER_PAGE = 25
MAX_EVIDENCE = 20
NOT_WRITABLE = ("This return cannot be changed: it has been sent and not queried, or the "
                "grant is not being carried out")
NOT_SAVED = "Answer the questions and save them before sending the return"


# Finding a return ----------------------------------------------------------------------------


def _load(return_id: int, *, lock: bool = False) -> MonitoringReturn:
    if lock:
        db.session.execute(select(MonitoringReturn.id).where(MonitoringReturn.id == return_id)
                           .with_for_update())
    found = db.session.scalar(
        select(MonitoringReturn).where(MonitoringReturn.id == return_id)
        .options(joinedload(MonitoringReturn.award).joinedload(Award.application)
                 .options(joinedload(Application.organisation)
                          .selectinload(Organisation.memberships),
                          selectinload(Application.themes), selectinload(Application.wards),
                          selectinload(Application.cost_lines)),
                 selectinload(MonitoringReturn.evidence).joinedload(ReturnEvidence.uploaded_by),
                 joinedload(MonitoringReturn.submitted_by),
                 joinedload(MonitoringReturn.reviewed_by))
        .execution_options(populate_existing=True))
    if found is None:
        raise NotFound(return_id)
    return found


def get_return(user: User, return_id: int) -> MonitoringReturn:
    """A return the user may see: a grants officer, or a member of the organisation. Anyone
    else is refused whether or not the id exists, so none can be found by guessing."""
    try:
        found = _load(return_id)
    except NotFound:
        raise NotAllowed from None
    policies.require(policies.can_view_grant_return(user, found.award))
    return found


def _for_writing(user: User, return_id: int, *, lock: bool = True) -> MonitoringReturn:
    found = _load(return_id, lock=lock)
    policies.require(policies.can_send_grant_return(user, found.award))
    if not lifecycle.may_write(found):
        raise RuleBroken(NOT_WRITABLE)
    return found


def writable(user: User, return_id: int) -> MonitoringReturn:
    """A return a member of its organisation may still change, for its form pages; anyone
    else is refused as `get_return` refuses them."""
    get_return(user, return_id)
    return _for_writing(user, return_id, lock=False)


# Writing and sending -------------------------------------------------------------------------


def _counts(counts: dict[int, int], allowed: set[int], name: str) -> dict[str, int]:
    """The counts as stored (JSON keys are strings, nothing kept for 0), refusing ids the
    application does not have and negative numbers."""
    if set(counts) - allowed:
        raise RuleBroken("Answer only for what the application named", field=name)
    if any(value < 0 for value in counts.values()):
        raise RuleBroken("Each number must be 0 or more", field=name)
    return {str(key): value for key, value in sorted(counts.items()) if value}


def _check_final(found: MonitoringReturn, answers: Answers) -> None:
    """The end-of-grant report's own questions."""
    if not answers.difference_made.strip():
        raise RuleBroken("Enter what difference the grant made", field="difference_made")
    if answers.underspend_pence is None:
        raise RuleBroken("Enter how much of the grant is unspent, or 0", field="underspend")
    if not 0 <= answers.underspend_pence <= found.award.amount_pence:
        raise RuleBroken(f"The unspent amount must be between £0 and the grant of "
                         f"{format_pounds(found.award.amount_pence)}", field="underspend")


def save_answers(user: User, return_id: int, answers: Answers, now: datetime) -> MonitoringReturn:
    """Keep the organisation's answers; the return is not sent until they have checked them.
    A queried return keeps its status until it is sent again."""
    found = _for_writing(user, return_id)
    application = found.award.application
    if not answers.progress.strip():
        raise RuleBroken("Enter the progress made with the project", field="progress")
    if not answers.outcomes.strip():
        raise RuleBroken("Enter the outcomes so far against what the application said the "
                         "project would achieve", field="outcomes")
    if answers.people_reached < 0:
        raise RuleBroken("The number of people reached must be 0 or more",
                         field="people_reached")
    found.people_by_theme = _counts(answers.people_by_theme,
                                    {theme.id for theme in application.themes}, "people_by_theme")
    found.people_by_ward = _counts(answers.people_by_ward,
                                   {ward.id for ward in application.wards}, "people_by_ward")
    found.spend_by_line = _counts(answers.spend_by_line,
                                  {line.id for line in application.cost_lines}, "spend_by_line")
    if found.end_of_grant:
        _check_final(found, answers)
        found.difference_made = answers.difference_made.strip()
        found.lessons_learned = answers.lessons_learned.strip()
        found.underspend_pence = answers.underspend_pence
    found.progress, found.outcomes = answers.progress.strip(), answers.outcomes.strip()
    found.people_reached = answers.people_reached
    found.saved_at = now
    db.session.commit()
    return found


def submit(user: User, return_id: int, query_answer: str, now: datetime) -> MonitoringReturn:
    """Send the return as saved. Sending a queried return again needs an answer to the
    query. The first sending is when lateness is judged."""
    found = _for_writing(user, return_id)
    if not found.has_answers:
        raise RuleBroken(NOT_SAVED)
    queried = found.status is GrantReturnStatus.QUERIED
    if queried and not query_answer.strip():
        raise RuleBroken("Enter your answer to the council's query", field="query_answer")
    late = lifecycle.is_overdue(found, to_london(now).date())
    GRANT_RETURN.move(found, GrantReturnStatus.SUBMITTED, actor=user, details={
        "award_id": found.award_id, "title": found.title, "again": queried, "late": late,
        "query_answer": query_answer.strip() if queried else ""})
    if queried:
        found.query_answer = query_answer.strip()
    else:
        found.submitted_at, found.submitted_by = now, user
    db.session.commit()
    return found


def review(user: User, return_id: int, decision: Review, now: datetime) -> MonitoringReturn:
    """Accept the return, or query it saying what needs explaining or correcting; the
    organisation is told of a query."""
    policies.require(policies.can_review_grant_returns(user))
    found = _load(return_id, lock=True)
    note = decision.note.strip()
    if not decision.accept and not note:
        raise RuleBroken("Enter what the organisation needs to explain or correct",
                         field="note")
    to = GrantReturnStatus.ACCEPTED if decision.accept else GrantReturnStatus.QUERIED
    GRANT_RETURN.move(found, to, actor=user, details={
        "award_id": found.award_id, "title": found.title, "note": note})
    found.reviewed_at, found.reviewed_by = now, user
    if not decision.accept:
        found.query_note, found.query_answer = note, ""
    db.session.commit()
    if not decision.accept:
        _tell_organisation(found, f"Your monitoring return for grant {found.award.reference} "
                                  "has been queried", "awards_return_queried")
    return found


def _tell_organisation(found: MonitoringReturn, subject: str, template: str) -> None:
    """Email whoever sent the return and the organisation's admins, linking to it."""
    link = (url_for("awards.grant_return", grant_return_id=found.id, _external=True)
            if has_request_context() else None)
    send_each([found.submitted_by, *services.organisation_recipients(found.award)], subject,
              template, monitoring_return=found, award=found.award, link=link)


# Evidence ------------------------------------------------------------------------------------


def upload_evidence(user: User, return_id: int, cost_line_id: int | None, filename: str,
                    stream: IO[bytes]) -> ReturnEvidence:
    """Check and keep a file as evidence of the spending on one budget line. The file is
    written first and removed again if its row cannot be saved."""
    found = _for_writing(user, return_id)
    lines = {line.id for line in found.award.application.cost_lines}
    if cost_line_id not in lines:
        raise RuleBroken("Select the budget line the evidence is for", field="cost_line")
    if len(found.evidence) >= MAX_EVIDENCE:
        raise RuleBroken(f"A return can have up to {MAX_EVIDENCE} files of evidence. Remove "
                         "one to add another", field="file")
    stored = store_file(stream, filename)
    evidence = ReturnEvidence(monitoring_return=found, cost_line_id=cost_line_id,
                              uploaded_by=user, **stored.columns())
    try:
        db.session.add(evidence)
        db.session.flush()
        audit.record("grant_return.evidence_uploaded", actor=user, subject=found.award,
                     details=_evidence_details(evidence))
        db.session.commit()
    except Exception:
        db.session.rollback()
        remove_file(stored.stored_name)
        raise
    return evidence


def _evidence_details(evidence: ReturnEvidence) -> dict:
    return {"return_id": evidence.return_id, "cost_line_id": evidence.cost_line_id,
            "file_name": evidence.original_filename, "sha256": evidence.sha256}


def _evidence_of(found: MonitoringReturn, evidence_id: int) -> ReturnEvidence:
    """The return's own file `evidence_id`: another return's is not found."""
    evidence = next((each for each in found.evidence if each.id == evidence_id), None)
    if evidence is None:
        raise NotFound(evidence_id)
    return evidence


def get_evidence(user: User, return_id: int,
                 evidence_id: int) -> tuple[ReturnEvidence, bytes | None]:
    """A file of a return the user may see, and its bytes (None when they are missing)."""
    evidence = _evidence_of(get_return(user, return_id), evidence_id)
    return evidence, stored_bytes(evidence.stored_name)


def remove_evidence(user: User, return_id: int, evidence_id: int) -> str:
    """Delete a file of a return that may still be changed; its name. The row goes first,
    then the file (a file left behind is harmless, a row without its file is not)."""
    found = _for_writing(user, return_id)
    evidence = _evidence_of(found, evidence_id)
    name, stored_name = evidence.original_filename, evidence.stored_name
    audit.record("grant_return.evidence_removed", actor=user, subject=found.award,
                 details=_evidence_details(evidence))
    db.session.delete(evidence)
    db.session.commit()
    remove_file(stored_name)
    return name


# Payments held for a return ------------------------------------------------------------------


def why_held(instalment: Instalment) -> str | None:
    """Why the scheduled payment may not be made yet, or None: it is held until a return is
    accepted, and that return has not been."""
    held = instalment.held_for_return
    if held is None or held.status is GrantReturnStatus.ACCEPTED:
        return None
    where = {GrantReturnStatus.DRAFT: "has not been sent yet",
             GrantReturnStatus.SUBMITTED: "has been sent and is waiting to be reviewed",
             GrantReturnStatus.QUERIED: "has been queried and not yet sent again"}[held.status]
    return (f"Payment {instalment.number} is held until the return {held.title}, due "
            f"{format_date(held.due_on)}, is accepted. That return {where}.")


# What the pages show -------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnRow:
    monitoring_return: MonitoringReturn
    overdue: bool

    @property
    def tag(self) -> tuple[str, str]:
        """The words and the GOV.UK tag colour the return's state is shown with."""
        if self.overdue:
            return "Overdue", "govuk-tag--red"
        status = self.monitoring_return.status
        return status.label, status.tag_class


def rows(award: Award, today: date) -> list[ReturnRow]:
    """The award's returns in due order, each with whether it is overdue."""
    return [ReturnRow(each, lifecycle.is_overdue(each, today))
            for each in award.monitoring_returns]


class Show(enum.StrEnum):
    """Which returns the officers' list shows."""

    TO_REVIEW = "to-review"
    OVERDUE = "overdue"
    QUERIED = "queried"

    @property
    def label(self) -> str:
        return {"to-review": "To review", "overdue": "Overdue", "queried": "Queried"}[self.value]


def shown(show: Show, today: date):
    """The condition picking the returns `show` lists (the query joins their awards)."""
    return {
        Show.TO_REVIEW: MonitoringReturn.status == GrantReturnStatus.SUBMITTED,
        Show.OVERDUE: and_(MonitoringReturn.submitted_at.is_(None),
                           MonitoringReturn.due_on < today, Award.status == lifecycle.ACCEPTED),
        Show.QUERIED: MonitoringReturn.status == GrantReturnStatus.QUERIED,
    }[show]


def officers_list(user: User, show: Show, page: int, today: date) -> Pagination:
    """Returns sent and waiting for review (oldest due first), overdue (longest overdue
    first) or queried, 25 a page, with their awards and organisations: a fixed number of
    queries."""
    policies.require(policies.can_review_grant_returns(user))
    return db.paginate(
        select(MonitoringReturn).join(Award).where(shown(show, today))
        .options(joinedload(MonitoringReturn.award).joinedload(Award.application)
                 .joinedload(Application.organisation))
        .order_by(MonitoringReturn.due_on, MonitoringReturn.id),
        page=page, per_page=PER_PAGE, error_out=False)


@dataclass(frozen=True)
class Counts:
    """The grants officers' dashboard: returns by what they need, and awards being carried
    out or closed."""

    returns: dict[Show, int]
    being_carried_out: int
    closed: int


def counts(user: User, today: date) -> Counts:
    """Five counting queries, however many returns and awards there are."""
    policies.require(policies.can_review_grant_returns(user))
    returns = {show: db.session.scalar(select(func.count(MonitoringReturn.id)).join(Award)
                                       .where(shown(show, today))) for show in Show}
    by_status = dict(db.session.execute(
        select(Award.status, func.count(Award.id))
        .where(Award.status.in_([lifecycle.ACCEPTED, lifecycle.CLOSED]))
        .group_by(Award.status)).all())
    return Counts(returns, by_status.get(lifecycle.ACCEPTED, 0),
                  by_status.get(lifecycle.CLOSED, 0))


def closed_awards(user: User, page: int) -> Pagination:
    """Closed awards, the most recently closed first, 25 a page, with their organisations."""
    policies.require(policies.can_review_grant_returns(user))
    return db.paginate(
        select(Award).where(Award.status == lifecycle.CLOSED)
        .options(joinedload(Award.application).joinedload(Application.organisation))
        .order_by(Award.closed_at.desc(), Award.id.desc()),
        page=page, per_page=PER_PAGE, error_out=False)
