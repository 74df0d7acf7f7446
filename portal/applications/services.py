"""Applicants apply to open rounds: the task list, its sections, checking answers and submitting.

These pages are the applicant's: only members of the applying organisation may use them (staff
see applications in the officer area, so they are refused here like anyone else). Answers can
be changed only while the application is a draft. Each section saves on its own; asking for a
section to be marked completed checks its answers first. Submission re-checks everything in
one transaction. Every function takes an optional `now` so that tests can fix the clock.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from babel import dates as babel_dates
from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from models import (
    Application,
    ClarificationRequest,
    CostLine,
    Decision,
    DueDiligenceCheck,
    Organisation,
    OtherFunding,
    PublicFunding,
    ReferenceSequence,
    Round,
    StatusChange,
    Theme,
    User,
    Ward,
)
from models.base import utcnow
from models.enums import (
    ApplicationStatus,
    DecisionOutcome,
    FundingStatus,
    RoundState,
    SectionStatus,
)
from portal import audit, policies
from portal.applications import eligibility, workflow
from portal.applications.eligibility import Failure
from portal.applications.sections import (
    SECTIONS,
    section_status,
    set_section_status,
)
from portal.dates import LONDON, format_date, to_london
from portal.exceptions import NotAllowed, RuleBroken
from portal.extensions import db
from portal.financial_years import FinancialYear
from portal.mail import send_email
from portal.money import format_pounds
from portal.organisations import services as organisation_services
from portal.schemes import services as scheme_services

SECTION_TITLES = dict(SECTIONS)


class SubmissionRefused(Exception):
    """The application cannot be submitted now; `failures` say why and where to put it right."""

    def __init__(self, failures: list[Failure]):
        super().__init__("; ".join(failure.message for failure in failures))
        self.failures = failures


def time_and_date(instant: datetime) -> str:
    """'5pm on 31 January 2027' (or '5:30pm on ...') in UK time, as GOV.UK writes deadlines."""
    time = babel_dates.format_time(instant, "h:mma", tzinfo=LONDON, locale="en_GB")
    return f"{time.replace(':00', '').lower()} on {format_date(instant)}"


def _today(now: datetime) -> date:
    return to_london(now).date()


# Finding applications ---------------------------------------------------------------------


@dataclass
class OrganisationApplications:
    organisation: Organisation
    applications: list[Application]


def member_organisations(user: User) -> list[Organisation]:
    return [m.organisation for m in organisation_services.organisations_of(user)]


def dashboard(user: User) -> list[OrganisationApplications]:
    """Each of the user's organisations with its applications, newest first."""
    organisations = member_organisations(user)
    applications = db.session.scalars(
        select(Application)
        .where(Application.organisation_id.in_([o.id for o in organisations]))
        .options(selectinload(Application.round).selectinload(Round.scheme))
        .order_by(Application.created_at.desc(), Application.id.desc())).all()
    return [OrganisationApplications(o, [a for a in applications if a.organisation_id == o.id])
            for o in organisations]


def applications_for_members(user: User, organisation: Organisation) -> list[Application]:
    """The organisation's applications, for its own members only (the organisation page)."""
    if policies.membership_of(user, organisation) is None:
        return []
    return list(db.session.scalars(
        select(Application).where(Application.organisation_id == organisation.id)
        .options(selectinload(Application.round))
        .order_by(Application.created_at.desc(), Application.id.desc())))


def open_rounds(now: datetime | None = None) -> list[Round]:
    return scheme_services.open_rounds(now)


def get_application(user: User, application_id: int) -> Application:
    """An application of one of the user's organisations; anything else is refused alike."""
    application = db.session.scalar(
        select(Application).where(Application.id == application_id)
        .options(selectinload(Application.organisation).selectinload(Organisation.memberships),
                 selectinload(Application.round).selectinload(Round.scheme)))
    if application is None or policies.membership_of(user, application.organisation) is None:
        raise NotAllowed
    return application


def get_draft(user: User, application_id: int) -> Application:
    """An application the user may change. A submitted one is refused with a message."""
    application = get_application(user, application_id)
    if not policies.can_edit_application(user, application):
        raise RuleBroken(f"This application has been {application.status.label.lower()}. "
                         "You can no longer change it")
    return application


def organisation_profile(application: Application) -> dict:
    """The profile as it was sent with a submitted application, or as it stands now."""
    if application.organisation_snapshot is not None:
        return application.organisation_snapshot
    return organisation_services.profile_snapshot(application.organisation)


def organisation_gaps(application: Application) -> list[str]:
    return organisation_services.profile_gaps(application.organisation)


# Starting ---------------------------------------------------------------------------------


def start_application(user: User, organisation_id: int, round_id: int,
                      now: datetime | None = None) -> tuple[Application, bool]:
    """Start a draft for the organisation in an open round, or, when the round takes one
    application per organisation and it already has one, return that instead (created False).
    """
    now = now or utcnow()
    organisation = db.session.get(Organisation, organisation_id)
    round_ = db.session.get(Round, round_id)
    if organisation is None or policies.membership_of(user, organisation) is None:
        raise NotAllowed
    if round_ is None or round_.state_at(now) is not RoundState.OPEN:
        raise RuleBroken("This round is not open for applications", field="round_id")
    # One start at a time per organisation, so that a double click makes one draft.
    db.session.execute(select(Organisation.id).where(Organisation.id == organisation.id)
                       .with_for_update())
    if round_.one_application_per_organisation:
        existing = db.session.scalar(
            select(Application).where(Application.organisation_id == organisation.id,
                                      Application.round_id == round_.id,
                                      Application.status.in_(workflow.OPEN_STATUSES))
            .order_by(Application.id))
        if existing is not None:
            return existing, False
    application = Application(round=round_, organisation=organisation, created_by=user,
                              status=ApplicationStatus.DRAFT, sections={},
                              created_at=now, updated_at=now)
    db.session.add(application)
    db.session.flush()
    audit.record("application.started", actor=user, subject=application,
                 details={"organisation_id": organisation.id, "round_id": round_.id})
    db.session.commit()
    return application, True


# The choices the sections offer -------------------------------------------------------------


def ward_choices(round_: Round) -> list[Ward]:
    """The round's wards, or every ward when the round is open to any ward."""
    if not round_.any_ward:
        return list(round_.wards)
    return list(db.session.scalars(select(Ward).order_by(Ward.name)))


def theme_choices(round_: Round) -> list[Theme]:
    """The round's themes; a round without its own list uses its scheme's."""
    return list(round_.themes) or list(round_.scheme.themes)


def public_funding_years(round_: Round) -> list[str]:
    """The round's financial year and the two before it, newest first (subsidy control)."""
    year = FinancialYear.parse(round_.financial_year)
    return [year.label, year.previous().label, year.previous(2).label]


def eligibility_failures(application: Application, now: datetime | None = None) -> list[Failure]:
    """Every eligibility rule over the application as it stands."""
    other_submitted = db.session.scalar(
        select(func.count()).select_from(Application)
        .where(Application.organisation_id == application.organisation_id,
               Application.round_id == application.round_id,
               Application.id != application.id,
               Application.status.not_in([ApplicationStatus.DRAFT,
                                          ApplicationStatus.WITHDRAWN])))
    return eligibility.check(application, today=_today(now or utcnow()),
                             other_submitted=other_submitted)


# Section answers: what is missing or wrong when the applicant says a section is complete ------

Problems = dict[str, str]  # form field name -> message


def organisation_problems(application: Application, today: date) -> Problems:
    if organisation_services.profile_gaps(application.organisation):
        return {"completed": "Complete your organisation’s profile before you mark this "
                             "section as completed"}
    return {}


def project_problems(application: Application, today: date) -> Problems:
    round_ = application.round
    required = {
        "title": (application.title, "Enter a title for your project"),
        "summary": (application.summary, "Enter a summary of your project"),
        "description": (application.description, "Describe your project"),
        "start_date": (application.start_date, "Enter the date your project will start"),
        "end_date": (application.end_date, "Enter the date your project will end"),
    }
    problems = {name: message for name, (value, message) in required.items() if not value}
    latest_start = eligibility.latest_start_date(to_london(round_.closes_at).date())
    start = eligibility.start_date_problem(application.start_date, today, latest_start)
    end = eligibility.end_date_problem(application.start_date, application.end_date,
                                       round_.max_project_months)
    problems |= {name: message for name, message in (("start_date", start), ("end_date", end))
                 if message and name not in problems}
    return problems


def beneficiaries_problems(application: Application, today: date) -> Problems:
    problems: Problems = {}
    if not application.beneficiaries:
        problems["beneficiaries"] = "Enter the number of people who will benefit"
    if not application.beneficiary_description:
        problems["beneficiary_description"] = "Describe the people who will benefit"
    round_ = application.round
    outside = eligibility.wards_problem([w.name for w in application.wards],
                                        [w.name for w in round_.wards], round_.any_ward)
    if not application.wards or outside:
        problems["wards"] = outside or "Select at least one ward"
    if not application.themes and theme_choices(round_):
        problems["themes"] = "Select at least one theme"
    return problems


def budget_problems(application: Application, today: date) -> Problems:
    round_ = application.round
    amount, total = application.amount_requested_pence, application.total_cost_pence
    if not application.cost_lines:
        return {"completed": "Add at least one cost before you mark this section as completed"}
    if amount is None:
        return {"amount_requested": "Enter the amount you are asking for"}
    if amount > total:
        return {"amount_requested": "The amount you ask for must not be more than the total "
                                    f"cost of your project, {format_pounds(total)}"}
    problem = eligibility.amount_problem(amount, round_.min_award_pence, round_.max_award_pence)
    return {"amount_requested": problem} if problem else {}


def declarations_problems(application: Application, today: date) -> Problems:
    problems: Problems = {}
    if application.has_conflict_of_interest is None:
        problems["has_conflict"] = ("Select yes if you or anyone in your organisation has a "
                                    "connection to a councillor or council officer")
    elif application.has_conflict_of_interest and not application.conflict_of_interest_details:
        problems["conflict_details"] = "Describe the connection"
    if not application.safeguarding_confirmed:
        problems["safeguarding"] = "Confirm the safeguarding statement"
    if not application.data_protection_confirmed:
        problems["data_protection"] = "Confirm the data protection statement"
    return problems


SECTION_PROBLEMS: dict[str, Callable[[Application, date], Problems]] = {
    "organisation": organisation_problems,
    "project": project_problems,
    "beneficiaries": beneficiaries_problems,
    "budget": budget_problems,
    "declarations": declarations_problems,
}


def _save_section(application: Application, key: str, completed: bool,
                  now: datetime | None) -> Problems:
    """Save the section as a draft; mark it completed only when nothing is missing or wrong.
    Any change to a completed section puts it back in progress until it is confirmed again."""
    now = now or utcnow()
    problems = SECTION_PROBLEMS[key](application, _today(now)) if completed else {}
    status = SectionStatus.COMPLETED if completed and not problems else SectionStatus.IN_PROGRESS
    set_section_status(application, key, status)
    application.updated_at = now
    db.session.commit()
    return problems


def _touch(application: Application, key: str, now: datetime | None = None) -> None:
    """A list in a section changed: the section is in progress again. Commits."""
    set_section_status(application, key, SectionStatus.IN_PROGRESS)
    application.updated_at = now or utcnow()
    db.session.commit()


def _require_draft(user: User, application: Application) -> None:
    policies.require(policies.can_edit_application(user, application))


# Saving each section ------------------------------------------------------------------------


def confirm_organisation(user: User, application: Application, completed: bool,
                         now: datetime | None = None) -> Problems:
    _require_draft(user, application)
    return _save_section(application, "organisation", completed, now)


@dataclass
class ProjectAnswers:
    title: str | None
    summary: str | None
    description: str | None
    start_date: date | None
    end_date: date | None


def save_project(user: User, application: Application, answers: ProjectAnswers,
                 completed: bool, now: datetime | None = None) -> Problems:
    _require_draft(user, application)
    for name, value in vars(answers).items():
        setattr(application, name, value or None)
    return _save_section(application, "project", completed, now)


def save_beneficiaries(user: User, application: Application, *, number: int | None,
                       description: str | None, ward_ids: list[int], theme_ids: list[int],
                       completed: bool, now: datetime | None = None) -> Problems:
    """Only the round's wards and themes can be chosen; other ids are ignored."""
    _require_draft(user, application)
    application.beneficiaries = number
    application.beneficiary_description = description or None
    application.wards = [w for w in ward_choices(application.round) if w.id in ward_ids]
    application.themes = [t for t in theme_choices(application.round) if t.id in theme_ids]
    return _save_section(application, "beneficiaries", completed, now)


def prefill_wards(application: Application) -> list[Ward]:
    """The wards to tick in a section not yet started: those the organisation serves."""
    if application.wards or section_status(application, "beneficiaries") is not \
            SectionStatus.NOT_STARTED:
        return list(application.wards)
    allowed = {w.id for w in ward_choices(application.round)}
    return [w for w in application.organisation.wards if w.id in allowed]


def add_cost(user: User, application: Application, description: str, amount_pence: int,
             now: datetime | None = None) -> CostLine:
    _require_draft(user, application)
    line = CostLine(description=description, amount_pence=amount_pence)
    application.cost_lines.append(line)
    _touch(application, "budget", now)
    return line


def add_other_funding(user: User, application: Application, source: str, amount_pence: int,
                      status: FundingStatus, now: datetime | None = None) -> OtherFunding:
    _require_draft(user, application)
    row = OtherFunding(source=source, amount_pence=amount_pence, status=status)
    application.other_funding.append(row)
    _touch(application, "budget", now)
    return row


def add_public_funding(user: User, application: Application, *, funder: str, purpose: str,
                       financial_year: str, amount_pence: int,
                       now: datetime | None = None) -> PublicFunding:
    _require_draft(user, application)
    if financial_year not in public_funding_years(application.round):
        raise RuleBroken("Select the financial year", field="financial_year")
    row = PublicFunding(funder=funder, purpose=purpose, financial_year=financial_year,
                        amount_pence=amount_pence)
    application.public_funding.append(row)
    _touch(application, "declarations", now)
    return row


ROWS = {"costs": ("cost_lines", "budget"), "other-funding": ("other_funding", "budget"),
        "public-funding": ("public_funding", "declarations")}


def remove_row(user: User, application: Application, kind: str, row_id: int,
               now: datetime | None = None) -> None:
    """Remove one cost line, other funding or public funding row (`kind` as in ROWS)."""
    _require_draft(user, application)
    attribute, section = ROWS[kind]
    rows = getattr(application, attribute)
    row = next((row for row in rows if row.id == row_id), None)
    if row is None:
        raise NotAllowed
    rows.remove(row)
    _touch(application, section, now)


def save_budget(user: User, application: Application, amount_requested_pence: int | None,
                completed: bool, now: datetime | None = None) -> Problems:
    _require_draft(user, application)
    application.amount_requested_pence = amount_requested_pence
    return _save_section(application, "budget", completed, now)


@dataclass
class DeclarationAnswers:
    has_conflict: bool | None
    conflict_details: str | None
    safeguarding: bool
    data_protection: bool


def save_declarations(user: User, application: Application, answers: DeclarationAnswers,
                      completed: bool, now: datetime | None = None) -> Problems:
    _require_draft(user, application)
    application.has_conflict_of_interest = answers.has_conflict
    # Details only mean something when there is a connection; "no" clears them.
    application.conflict_of_interest_details = (answers.conflict_details or None
                                                if answers.has_conflict else None)
    application.safeguarding_confirmed = answers.safeguarding
    application.data_protection_confirmed = answers.data_protection
    return _save_section(application, "declarations", completed, now)


# Checking and submitting ------------------------------------------------------------------


def round_problem(round_: Round, now: datetime | None = None) -> Failure | None:
    """A round that is not open takes no submissions; after its closing time, drafts stay."""
    now = now or utcnow()
    if round_.state_at(now) is RoundState.OPEN:
        return None
    return Failure("round", closed_message(round_) if now >= round_.closes_at
                   else "This round is not open for applications")


def task_list_warnings(application: Application, now: datetime | None = None) -> list[Failure]:
    """What the task list warns about: a round no longer open (alone), or eligibility failures."""
    problem = round_problem(application.round, now)
    return [problem] if problem else eligibility_failures(application, now)


def submission_problems(application: Application, now: datetime | None = None) -> list[Failure]:
    """Everything that stops the application being submitted, by section: a round that is not
    open (alone: nothing else matters then), sections not yet completed, completed sections
    whose answers no longer hold, and eligibility failures."""
    now = now or utcnow()
    if problem := round_problem(application.round, now):
        return [problem]
    failures = [Failure(key, f"Complete the section ‘{title}’")
                for key, title in SECTIONS if section_status(application, key)
                is not SectionStatus.COMPLETED]
    for key, problems_of in SECTION_PROBLEMS.items():
        if section_status(application, key) is SectionStatus.COMPLETED:
            failures += [Failure(key, f"{SECTION_TITLES[key]}: {message}")
                         for message in problems_of(application, _today(now)).values()]
    failures += eligibility_failures(application, now)
    return list(dict.fromkeys(failures))  # a rule checked twice is reported once


def closed_message(round_: Round) -> str:
    return (f"This round closed at {time_and_date(round_.closes_at)}. "
            "Your application has been saved as a draft.")


def submit_application(user: User, application_id: int, now: datetime | None = None) -> Application:
    """Submit in one transaction: lock the application, re-check everything at this moment,
    take the next reference, keep a snapshot of the organisation's profile and audit it.

    Anything that goes wrong rolls the whole thing back, leaving the draft and the reference
    sequence as they were. The confirmation email is sent after the commit; a mail failure is
    logged, never undoing a submission that has been made.
    """
    now = now or utcnow()
    try:
        application = _lock_for_submission(user, application_id)
        round_ = application.round
        failures = submission_problems(application, now)
        if failures:
            raise SubmissionRefused(failures)
        application.reference = take_reference(round_)
        application.organisation_snapshot = organisation_services.profile_snapshot(
            application.organisation)
        application.submitted_at = now
        application.submitted_by = user
        workflow.move(user, application, "application.submitted", now,
                      details={"round_id": round_.id,
                               "amount_requested_pence": application.amount_requested_pence})
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    _send_confirmation(user, application)
    return application


def _lock(application: Application) -> None:
    """Lock the organisation's row, then the application's, until the transaction ends
    (PostgreSQL; SQLite allows one writer anyway), and re-read the application. A double click
    then cannot submit twice, and two drafts of one organisation cannot both pass the
    one-application-per-round rule: the second waits, then sees the first submitted."""
    db.session.execute(select(Organisation.id).where(
        Organisation.id == application.organisation_id).with_for_update())
    db.session.execute(select(Application.id).where(
        Application.id == application.id).with_for_update())
    db.session.refresh(application)


def _lock_for_submission(user: User, application_id: int) -> Application:
    application = get_application(user, application_id)
    _lock(application)
    if not policies.can_edit_application(user, application):
        raise SubmissionRefused([Failure("round", "This application has already been "
                                         f"{application.status.label.lower()}")])
    return application


def take_reference(round_: Round) -> str:
    """'CPG-2425-0001': the scheme's prefix, the round's financial year and the next number in
    the scheme's sequence for that year. The caller commits (or rolls back, giving it back).

    The number comes from one UPDATE ... RETURNING on the sequence row, which PostgreSQL keeps
    locked until this transaction ends, so concurrent submissions get distinct numbers. The
    first submission of a year inserts the row; if another submission inserts it first, the
    unique constraint refuses ours (inside a savepoint) and the UPDATE is tried again.
    """
    year = FinancialYear.parse(round_.financial_year)
    increment = (update(ReferenceSequence)
                 .where(ReferenceSequence.scheme_id == round_.scheme_id,
                        ReferenceSequence.financial_year == year.label)
                 .values(last_number=ReferenceSequence.last_number + 1)
                 .returning(ReferenceSequence.last_number)
                 .execution_options(synchronize_session=False))
    number = db.session.execute(increment).scalar_one_or_none()
    if number is None:
        try:
            with db.session.begin_nested():
                db.session.add(ReferenceSequence(scheme_id=round_.scheme_id,
                                                 financial_year=year.label, last_number=1))
            number = 1
        except IntegrityError:
            number = db.session.execute(increment).scalar_one()
    return f"{round_.scheme.reference_prefix}-{year.code}-{number:04d}"


def _send_confirmation(user: User, application: Application) -> None:
    try:
        send_email(user.email, f"Application {application.reference} received",
                   "applications/submitted", application=application, user=user,
                   closes=time_and_date(application.round.closes_at))
    except Exception:
        current_app.logger.exception("Could not send the confirmation of %s",
                                     application.reference)


# Withdrawing ------------------------------------------------------------------------------


def can_withdraw(application: Application, now: datetime | None = None) -> bool:
    """Applications can be withdrawn until they are decided, and the round too."""
    return (application.status in workflow.OPEN_STATUSES
            and application.round.state_at(now or utcnow()) is not RoundState.DECIDED)


def withdraw_application(user: User, application_id: int, reason: str,
                         now: datetime | None = None) -> Application:
    """Withdraw (rather than delete) so that nothing the organisation sent is lost and the
    audit log can say why."""
    now = now or utcnow()
    application = get_application(user, application_id)
    _lock(application)
    if not can_withdraw(application, now):
        raise RuleBroken("This application can no longer be withdrawn", field="reason")
    application.withdrawn_at = now
    application.withdrawal_reason = reason.strip()
    workflow.move(user, application, "application.withdrawn", now,
                  details={"reason": application.withdrawal_reason})
    db.session.commit()
    return application



# Questions from the grants team, the timeline and the decision -------------------------------


@dataclass(frozen=True)
class TimelineStep:
    title: str
    description: str
    at: datetime


def _step(change: StatusChange) -> TimelineStep:
    """One move of the application in the applicant's words."""
    status = change.to_status
    if status is ApplicationStatus.SUBMITTED and change.from_status is \
            ApplicationStatus.CLARIFICATION_REQUESTED:
        return TimelineStep("Clarification answered", "You answered our question. We are "
                            "checking your application again.", change.at)
    title, description = {
        ApplicationStatus.SUBMITTED: ("Submitted", "We received your application."),
        ApplicationStatus.CLARIFICATION_REQUESTED: (
            "Clarification requested", "We asked you a question about your application."),
        ApplicationStatus.UNDER_ASSESSMENT: (
            "Being assessed", "Your application passed our eligibility checks and is being "
            "assessed."),
        ApplicationStatus.INELIGIBLE: (
            "Not eligible", "Your application did not pass our eligibility checks."),
        ApplicationStatus.APPROVED: ("Decision made: approved",
                                     "Your application has been approved."),
        ApplicationStatus.REJECTED: ("Decision made: not approved",
                                     "Your application has not been approved."),
        ApplicationStatus.DEFERRED: ("Decision deferred",
                                     "The panel has deferred its decision."),
        ApplicationStatus.WITHDRAWN: ("Withdrawn", "The application was withdrawn."),
    }.get(status, (status.label, ""))
    return TimelineStep(title, description, change.at)


def timeline(application: Application) -> list[TimelineStep]:
    """What has happened to the application, oldest first, from its status changes. An
    application sent before changes were recorded still shows when it was submitted."""
    steps = [_step(change) for change in application.status_changes
             if change.to_status is not ApplicationStatus.DRAFT]
    submitted = any(change.to_status is ApplicationStatus.SUBMITTED
                    and change.from_status in (None, ApplicationStatus.DRAFT)
                    for change in application.status_changes)
    if application.submitted_at and not submitted:
        steps.insert(0, TimelineStep("Submitted", "We received your application.",
                                     application.submitted_at))
    return steps


DECIDED = frozenset({ApplicationStatus.APPROVED, ApplicationStatus.REJECTED,
                     ApplicationStatus.DEFERRED})


@dataclass(frozen=True)
class Progress:
    """What the applicant is told about a sent application beyond its answers."""

    timeline: list[TimelineStep]
    open_questions: list[ClarificationRequest]
    answered_questions: list[ClarificationRequest]
    ineligible_reason: str
    decision: Decision | None

    @property
    def feedback(self) -> str:
        """Feedback on a rejection, only once an officer has approved it."""
        decision = self.decision
        if (decision is None or decision.outcome is not DecisionOutcome.REJECTED
                or decision.feedback_approved_at is None):
            return ""
        return decision.feedback


def _questions(application: Application) -> list[ClarificationRequest]:
    return list(db.session.scalars(
        select(ClarificationRequest).where(ClarificationRequest.application_id == application.id)
        .order_by(ClarificationRequest.asked_at, ClarificationRequest.id)))


def progress(application: Application) -> Progress:
    """The timeline, the grants team's questions, and the outcome so far: the reason it is
    not eligible, or the latest decision once the application is decided."""
    questions = _questions(application)
    ineligible_reason = ""
    if application.status is ApplicationStatus.INELIGIBLE:
        ineligible_reason = db.session.scalar(
            select(DueDiligenceCheck.ineligible_reason)
            .where(DueDiligenceCheck.application_id == application.id)) or ""
    decision = None
    if application.status in DECIDED:
        decision = db.session.scalar(
            select(Decision).where(Decision.application_id == application.id)
            .order_by(Decision.recorded_at.desc(), Decision.id.desc()).limit(1))
    return Progress(timeline(application),
                    [question for question in questions if question.answered_at is None],
                    [question for question in questions if question.answered_at is not None],
                    ineligible_reason, decision)


def open_questions(user: User,
                   application_id: int) -> tuple[Application, list[ClarificationRequest]]:
    """The application and the grants team's questions waiting for an answer."""
    application = get_application(user, application_id)
    if application.status is not ApplicationStatus.CLARIFICATION_REQUESTED:
        return application, []
    return application, [question for question in _questions(application)
                         if question.answered_at is None]


def answer_clarification(user: User, application_id: int, answer: str,
                         now: datetime | None = None) -> Application:
    """Answer the grants team's open question (every open one, if they asked more than one
    before the applicant answered) and send the application back to their checks."""
    now = now or utcnow()
    answer = answer.strip()
    if not answer:
        raise RuleBroken("Enter your answer", field="answer")
    try:
        application = get_application(user, application_id)
        _lock(application)
        questions = [question for question in _questions(application)
                     if question.answered_at is None]
        if application.status is not ApplicationStatus.CLARIFICATION_REQUESTED or not questions:
            raise RuleBroken("There is no question waiting for your answer", field="answer")
        for question in questions:
            question.answer, question.answered_by, question.answered_at = answer, user, now
        workflow.move(user, application, "application.clarification_answered", now,
                      details={"clarification_ids": [question.id for question in questions]})
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return application
