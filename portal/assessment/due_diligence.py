"""Eligibility and due diligence: the checks a grants officer makes on an application before it
is scored, the outcome of those checks, and the questions asked of the applicant meanwhile.

Saving checks and recording the outcome are separate steps: checks are saved as they are made
(each says who made it and when), and the outcome moves the application on through
applications.workflow. Both lock the application's row first, so two officers working on one
application at once cannot both move it. Every function takes an optional `now` so that tests
can fix the clock.
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app, has_request_context, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from models import (
    Application,
    ClarificationRequest,
    Decision,
    DueDiligenceCheck,
    Round,
    Scheme,
    User,
)
from models.base import utcnow
from models.enums import ApplicationStatus, DecisionOutcome, DueDiligenceOutcome
from portal import audit, policies
from portal.applications import workflow
from portal.exceptions import NotFound, RuleBroken
from portal.extensions import db
from portal.mail import send_email

# The checks can be changed until the outcome moves the application on.
OPEN_FOR_CHECKS = frozenset({ApplicationStatus.SUBMITTED,
                             ApplicationStatus.CLARIFICATION_REQUESTED})
OTHER_APPLICATIONS_SHOWN = 25
EVENTS = {DueDiligenceOutcome.ELIGIBLE: "application.eligible",
          DueDiligenceOutcome.INELIGIBLE: "application.ineligible",
          DueDiligenceOutcome.CLARIFICATION_REQUESTED: "application.clarification_requested"}


@dataclass(frozen=True)
class Checks:
    """The checks as the officer sent them; dates only where the box is ticked."""

    register_checked_on: date | None
    register_note: str
    bank_details_verified_on: date | None
    governing_document_seen: bool
    accounts_seen: bool
    safeguarding_policy_seen: bool
    duplicate_funding_note: str


@dataclass(frozen=True)
class OtherApplication:
    """One of the organisation's other applications, for the duplicate-funding check."""

    id: int
    reference: str | None
    round: str
    status: ApplicationStatus
    requested_pence: int | None
    approved_pence: int | None


@dataclass(frozen=True)
class DueDiligencePage:
    application: Application
    check: DueDiligenceCheck | None
    other_applications: list[OtherApplication]
    other_applications_count: int
    clarifications: list[ClarificationRequest]
    missing: list[str]

    @property
    def can_change_checks(self) -> bool:
        return self.application.status in OPEN_FOR_CHECKS


def _allowed(officer: User) -> None:
    policies.require(policies.can_check_due_diligence(officer))


def _application(application_id: int) -> Application:
    """A non-draft application: drafts are the organisation's own until sent (NotFound, like
    an unknown id, as on the officer's application page)."""
    application = db.session.scalar(
        select(Application).where(Application.id == application_id,
                                  Application.status != ApplicationStatus.DRAFT)
        .options(joinedload(Application.organisation),
                 joinedload(Application.round).joinedload(Round.scheme)))
    if application is None:
        raise NotFound(application_id)
    return application


def _check_of(application: Application) -> DueDiligenceCheck | None:
    return db.session.scalar(
        select(DueDiligenceCheck).where(DueDiligenceCheck.application_id == application.id)
        .options(joinedload(DueDiligenceCheck.register_checked_by),
                 joinedload(DueDiligenceCheck.bank_details_verified_by),
                 joinedload(DueDiligenceCheck.outcome_by)))


def missing_checks(check: DueDiligenceCheck | None) -> list[str]:
    """The checks not yet done, in the page's words: all must be done before "eligible"."""
    done = {
        "the register check": check and check.register_checked_on,
        "the bank details": check and check.bank_details_verified_on,
        "the governing document": check and check.governing_document_seen,
        "the accounts": check and check.accounts_seen,
        "the safeguarding policy": check and check.safeguarding_policy_seen,
    }
    return [name for name, ok in done.items() if not ok]


def other_applications(application: Application) -> tuple[list[OtherApplication], int]:
    """The organisation's other applications that have been sent (any scheme or round), newest
    first, with the amount of their latest approval if any; at most OTHER_APPLICATIONS_SHOWN of
    them, and how many there are. Two queries however many there are."""
    approved = (select(Decision.amount_pence)
                .where(Decision.application_id == Application.id,
                       Decision.outcome == DecisionOutcome.APPROVED)
                .order_by(Decision.recorded_at.desc(), Decision.id.desc())
                .limit(1).correlate(Application).scalar_subquery())
    others = (select(Application)
              .where(Application.organisation_id == application.organisation_id,
                     Application.id != application.id,
                     Application.status != ApplicationStatus.DRAFT))
    count = db.session.scalar(others.with_only_columns(func.count(Application.id)))
    rows = db.session.execute(
        others.join(Application.round).join(Round.scheme)
        .with_only_columns(Application.id, Application.reference, Scheme.name, Round.name,
                           Application.status, Application.amount_requested_pence, approved)
        .order_by(Application.submitted_at.desc().nulls_last(), Application.id.desc())
        .limit(OTHER_APPLICATIONS_SHOWN))
    return [OtherApplication(id_, reference, f"{scheme}: {round_}", status, requested, amount)
            for id_, reference, scheme, round_, status, requested, amount in rows], count


def clarifications_of(application: Application) -> list[ClarificationRequest]:
    return list(db.session.scalars(
        select(ClarificationRequest).where(ClarificationRequest.application_id == application.id)
        .options(joinedload(ClarificationRequest.asked_by),
                 joinedload(ClarificationRequest.answered_by))
        .order_by(ClarificationRequest.asked_at, ClarificationRequest.id)))


def due_diligence_page(officer: User, application_id: int) -> DueDiligencePage:
    """Everything the due-diligence page shows, in a fixed number of queries."""
    _allowed(officer)
    application = _application(application_id)
    check = _check_of(application)
    others, count = other_applications(application)
    return DueDiligencePage(application, check, others, count, clarifications_of(application),
                            missing_checks(check))


def _lock(application_id: int) -> Application:
    """Lock the application's row until the transaction ends (PostgreSQL; SQLite has one
    writer anyway) and read it afresh, so that its status is the one we act on."""
    db.session.execute(select(Application.id).where(Application.id == application_id)
                       .with_for_update())
    application = _application(application_id)
    db.session.refresh(application)
    return application


def _confirmed(previous_on: date | None, previous_by: User | None, on: date | None,
               officer: User) -> tuple[date | None, User | None]:
    """A check keeps who confirmed it while its date stands; a new date is the officer's."""
    if on is None:
        return None, None
    if on == previous_on and previous_by is not None:
        return on, previous_by
    return on, officer


def save_checks(officer: User, application_id: int, checks: Checks,
                now: datetime | None = None) -> DueDiligenceCheck:
    """Save the checks as they stand, saying who confirmed each dated one. Refused once the
    outcome has moved the application on: the checks are then the record of that outcome."""
    _allowed(officer)
    now = now or utcnow()
    try:
        application = _lock(application_id)
        if application.status not in OPEN_FOR_CHECKS:
            raise RuleBroken(f"This application is {application.status.label.lower()}, so its "
                             "checks can no longer be changed", field="register_checked")
        check = _check_of(application) or DueDiligenceCheck(application=application)
        db.session.add(check)
        check.register_checked_on, check.register_checked_by = _confirmed(
            check.register_checked_on, check.register_checked_by, checks.register_checked_on,
            officer)
        check.bank_details_verified_on, check.bank_details_verified_by = _confirmed(
            check.bank_details_verified_on, check.bank_details_verified_by,
            checks.bank_details_verified_on, officer)
        check.register_note = checks.register_note
        check.governing_document_seen = checks.governing_document_seen
        check.accounts_seen = checks.accounts_seen
        check.safeguarding_policy_seen = checks.safeguarding_policy_seen
        check.duplicate_funding_note = checks.duplicate_funding_note
        check.updated_at, check.updated_by = now, officer
        audit.record("due_diligence.checks_saved", actor=officer, subject=application, details={
            "reference": application.reference,
            "register_checked_on": _iso(checks.register_checked_on),
            "bank_details_verified_on": _iso(checks.bank_details_verified_on),
            "governing_document_seen": checks.governing_document_seen,
            "accounts_seen": checks.accounts_seen,
            "safeguarding_policy_seen": checks.safeguarding_policy_seen})
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return check


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _refusal(application: Application, outcome: DueDiligenceOutcome) -> str | None:
    """Why this outcome cannot be recorded now, or None if it can."""
    if application.status in workflow.MOVES[EVENTS[outcome]].allowed_from:
        return None
    if application.status is ApplicationStatus.CLARIFICATION_REQUESTED:
        return ("The applicant has not answered your question yet. Wait for their answer "
                "before you mark the application eligible")
    return (f"This application is {application.status.label.lower()}, so the outcome of its "
            "checks cannot be recorded now")


def record_outcome(officer: User, application_id: int, outcome: DueDiligenceOutcome,
                   text: str = "", now: datetime | None = None) -> Application:
    """Record the outcome of the checks and move the application on: eligible (only when every
    check is done), ineligible with a reason for the applicant, or a question for the applicant.
    The applicant is emailed the reason or the question after the commit."""
    _allowed(officer)
    now = now or utcnow()
    text = text.strip()
    if outcome is DueDiligenceOutcome.INELIGIBLE and not text:
        raise RuleBroken("Enter the reason the application is not eligible",
                         field="ineligible_reason")
    if outcome is DueDiligenceOutcome.CLARIFICATION_REQUESTED and not text:
        raise RuleBroken("Enter your question for the applicant", field="question")
    try:
        application = _lock(application_id)
        if refusal := _refusal(application, outcome):
            raise RuleBroken(refusal, field="outcome")
        check = _check_of(application) or DueDiligenceCheck(application=application)
        db.session.add(check)
        if outcome is DueDiligenceOutcome.ELIGIBLE and (missing := missing_checks(check)):
            raise RuleBroken("Complete every check before you mark the application eligible. "
                             f"Not done yet: {', '.join(missing)}", field="outcome")
        details = {}
        question = None
        if outcome is DueDiligenceOutcome.INELIGIBLE:
            check.ineligible_reason = text
            details["reason"] = text
        elif outcome is DueDiligenceOutcome.CLARIFICATION_REQUESTED:
            question = ClarificationRequest(application=application, question=text,
                                            asked_by=officer, asked_at=now)
            db.session.add(question)
            details["question"] = text
        check.outcome, check.outcome_at, check.outcome_by = outcome, now, officer
        workflow.move(officer, application, EVENTS[outcome], now, details=details)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    if outcome is not DueDiligenceOutcome.ELIGIBLE:
        _tell_applicant(application, outcome, text)
    return application


def _link(application: Application) -> str | None:
    """The application's page, when this runs in a request or the server's name is configured
    (the demo loader runs from the command line)."""
    if not has_request_context() and not current_app.config.get("SERVER_NAME"):
        return None
    return url_for("applications.show", application_id=application.id, _external=True)


def _tell_applicant(application: Application, outcome: DueDiligenceOutcome, text: str) -> None:
    """Email whoever sent the application. A mail failure is logged, never undoing the outcome:
    the applicant sees it on their application's page too."""
    person = application.submitted_by or application.created_by
    template, subject = {
        DueDiligenceOutcome.INELIGIBLE: (
            "assessment_ineligible", f"Application {application.reference} is not eligible"),
        DueDiligenceOutcome.CLARIFICATION_REQUESTED: (
            "assessment_clarification",
            f"Application {application.reference}: we have a question"),
    }[outcome]
    try:
        send_email(person.email, subject, template, application=application, user=person,
                   text=text, link=_link(application))
    except Exception:
        current_app.logger.exception("Could not email the outcome of the checks on %s",
                                     application.reference)
