"""Assessors on applications: assignment by hand or balanced by workload, declarations of
interest, and scores.

An assessor sees only the summary of an application until they declare whether they have a
conflict of interest; a declared conflict takes them off it for good (the row stays, so officers
see every declaration). Scores are kept as versions: a draft may be edited, a submitted
scoresheet never changes (this module refuses it, and a flush guard stops any other code doing
it), and a change after submission is a new version with a reason."""

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from flask import has_request_context, url_for
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session, joinedload, selectinload

from models import (
    Application,
    Assignment,
    CriterionScore,
    Round,
    Scoresheet,
    ScoringCriterion,
    User,
    UserRole,
)
from models.base import utcnow
from models.enums import ApplicationStatus, ConflictDeclaration, Role, ScoresheetStatus
from portal import audit, policies
from portal.applications.sections import SectionAnswers, answer_sections
from portal.applications.services import organisation_profile
from portal.exceptions import NotFound, RuleBroken
from portal.extensions import db
from portal.mail import send_email
from portal.scoring import arithmetic

PER_PAGE = 25
DETAILS_LENGTH = 2000
JUSTIFICATION_LENGTH = 5000
REASON_LENGTH = 2000


# The flush guard -----------------------------------------------------------------------------


class SubmittedScoresChanged(Exception):
    """Code tried to change or delete a submitted scoresheet or one of its scores."""


def _was_submitted(sheet: Scoresheet) -> bool:
    """Whether the sheet is submitted in the database (not merely being submitted now)."""
    state = inspect(sheet)
    if state.transient or state.pending:
        return False
    history = state.attrs.status.history
    before = history.deleted[0] if history.deleted else sheet.status
    return before is ScoresheetStatus.SUBMITTED


@event.listens_for(Session, "before_flush")
def _keep_submitted_scores(session: Session, flush_context, instances) -> None:
    """Submitted scores are the record a decision rests on: whatever the code path, a flush
    that would change or delete them fails instead. Adding a score row that a submitted sheet
    lacked is let through, so that imports and test data can build a submitted sheet row by
    row; the unique (scoresheet, criterion) constraint stops it replacing a score."""
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, Scoresheet):
            deleted = obj in session.deleted
            if _was_submitted(obj) and (deleted or session.is_modified(
                    obj, include_collections=False)):
                raise SubmittedScoresChanged(f"scoresheet {obj.id} is submitted")
        elif isinstance(obj, CriterionScore):
            sheet = obj.scoresheet
            if sheet is None or not _was_submitted(sheet):
                continue
            if obj in session.deleted or session.is_modified(obj):
                raise SubmittedScoresChanged(f"a score of scoresheet {sheet.id} is submitted")


# Officers: one application's assessors ------------------------------------------------------


def application_for_officer(officer: User, application_id: int) -> Application:
    """An application sent in, with its round and organisation; NotFound for a draft or an
    unknown id (drafts are the organisation's business until sent)."""
    policies.require(policies.can_assign_assessors(officer))
    application = db.session.scalar(
        select(Application)
        .where(Application.id == application_id, Application.status != ApplicationStatus.DRAFT)
        .options(joinedload(Application.organisation),
                 joinedload(Application.round).joinedload(Round.scheme)))
    if application is None:
        raise NotFound(application_id)
    return application


def assignments_of(officer: User, application: Application) -> list[Assignment]:
    """Every assignment on the application (conflicts included) with assessor and versions."""
    policies.require(policies.can_assign_assessors(officer))
    return list(db.session.scalars(
        select(Assignment).where(Assignment.application_id == application.id)
        .options(joinedload(Assignment.assessor),
                 selectinload(Assignment.scoresheets).selectinload(Scoresheet.scores)
                 .joinedload(CriterionScore.criterion))
        .order_by(Assignment.assigned_at, Assignment.id)))


def _assessors() -> list[User]:
    """Everyone who may be asked to assess, in the order ties are broken: name, then id."""
    return list(db.session.scalars(
        select(User).join(User.role_grants)
        .where(UserRole.role == Role.ASSESSOR, User.active.is_(True))
        .order_by(func.lower(User.full_name), User.id)))


def assignment_refusal(application: Application, assignments: list[Assignment]) -> str | None:
    """Why no assessor can be added to the application now, or None when one can."""
    if application.status is not ApplicationStatus.UNDER_ASSESSMENT:
        return (f"Assessors can be assigned only once an application has been found eligible "
                f"and is being assessed. This application is "
                f"{application.status.label.lower()}.")
    wanted = application.round.assessors_per_application
    if sum(assignment.active for assignment in assignments) >= wanted:
        return (f"This application already has the {wanted} "
                f"{'assessor' if wanted == 1 else 'assessors'} its round asks for.")
    return None


def assessors_available(officer: User, application: Application,
                        assignments: list[Assignment]) -> list[User]:
    """Assessors who could be added: not already on it, including those who declared a
    conflict on it."""
    policies.require(policies.can_assign_assessors(officer))
    taken = {assignment.assessor_id for assignment in assignments}
    return [person for person in _assessors() if person.id not in taken]


def _lock_application(application_id: int) -> Application | None:
    """Lock the application's row, so two officers assigning at once see each other's work."""
    db.session.execute(select(Application.id).where(Application.id == application_id)
                       .with_for_update())
    application = db.session.get(Application, application_id)
    if application is not None:
        db.session.refresh(application)
    return application


def _notify(assessors: dict[int, tuple[User, int]]) -> None:
    """One email per assessor, however many applications they were given. Outside a request
    (the demo loader, a command) there is no host to link to, so the email says where to go."""
    link = url_for("scoring.index", _external=True) if has_request_context() else None
    for person, how_many in assessors.values():
        send_email(person.email, "You have applications to assess", "scoring_assigned",
                   user=person, count=how_many, link=link)


def assign(officer: User, application_id: int, assessor_id: int | None,
           now: datetime | None = None) -> Assignment:
    """Assign one assessor by hand, within the round's number of assessors."""
    policies.require(policies.can_assign_assessors(officer))
    now = now or utcnow()
    application = _lock_application(application_id)
    if application is None or application.status is ApplicationStatus.DRAFT:
        raise NotFound(application_id)
    assignments = list(db.session.scalars(
        select(Assignment).where(Assignment.application_id == application.id)
        .execution_options(populate_existing=True)))
    if refusal := assignment_refusal(application, assignments):
        raise RuleBroken(refusal, field="assessor")
    candidates = {person.id: person
                  for person in assessors_available(officer, application, assignments)}
    assessor = candidates.get(assessor_id)
    if assessor is None:
        raise RuleBroken("Select an assessor from the list", field="assessor")
    assignment = _add_assignment(officer, application, assessor, now)
    db.session.commit()
    _notify({assessor.id: (assessor, 1)})
    return assignment


def _add_assignment(officer: User, application: Application, assessor: User,
                    now: datetime) -> Assignment:
    assignment = Assignment(application=application, assessor=assessor, assigned_by=officer,
                            assigned_at=now)
    db.session.add(assignment)
    db.session.flush()
    audit.record("assessor.assigned", actor=officer, subject=assignment,
                 details={"reference": application.reference, "assessor_id": assessor.id,
                          "assessor": assessor.full_name})
    return assignment


# Officers: a round -------------------------------------------------------------------------


def round_for_officer(officer: User, round_id: int) -> Round:
    """A round with its scheme; NotFound when there is none."""
    policies.require(policies.can_assign_assessors(officer))
    round_ = db.session.scalar(select(Round).where(Round.id == round_id)
                               .options(joinedload(Round.scheme)))
    if round_ is None:
        raise NotFound(round_id)
    return round_


@dataclass(frozen=True)
class PlannedAssignment:
    application: Application
    assessors: list[User]
    # How many more the round asks for than there are assessors free to take it.
    short_by: int


def balanced_plan(officer: User, round_: Round) -> list[PlannedAssignment]:
    """Who would be added to each application being assessed in the round, until each has the
    round's number of active assessors: each time the assessor with the fewest active
    assignments in the round, ties by name then id, never one already on it (a declared
    conflict included). Applications go in reference order, so the plan is the same every
    time it is asked for."""
    policies.require(policies.can_assign_assessors(officer))
    applications = list(db.session.scalars(
        select(Application)
        .where(Application.round_id == round_.id,
               Application.status == ApplicationStatus.UNDER_ASSESSMENT)
        .options(joinedload(Application.organisation))
        .order_by(Application.reference, Application.id)))
    assignments = db.session.execute(
        select(Assignment.application_id, Assignment.assessor_id, Assignment.declaration)
        .join(Assignment.application).where(Application.round_id == round_.id)).all()
    assessors = _assessors()
    load = {person.id: 0 for person in assessors}
    taken: dict[int, set[int]] = defaultdict(set)
    active: dict[int, int] = defaultdict(int)
    for application_id, assessor_id, declaration in assignments:
        taken[application_id].add(assessor_id)
        if declaration is not ConflictDeclaration.CONFLICT:
            active[application_id] += 1
            if assessor_id in load:
                load[assessor_id] += 1
    plan = []
    for application in applications:
        wanted = round_.assessors_per_application - active[application.id]
        chosen: list[User] = []
        for _ in range(max(wanted, 0)):
            free = [person for person in assessors if person.id not in taken[application.id]]
            if not free:
                break
            # min() keeps the first of equals, and `assessors` is in name-then-id order.
            person = min(free, key=lambda candidate: load[candidate.id])
            chosen.append(person)
            taken[application.id].add(person.id)
            load[person.id] += 1
        if wanted > 0:
            plan.append(PlannedAssignment(application, chosen, wanted - len(chosen)))
    return plan


def assign_round(officer: User, round_id: int, now: datetime | None = None) -> int:
    """Apply the balanced plan. The round's row and its applications' rows are locked, so that
    two officers pressing the button at once, or one assigning by hand meanwhile, cannot give
    an application more assessors than the round asks for. Returns how many were made."""
    policies.require(policies.can_assign_assessors(officer))
    now = now or utcnow()
    db.session.execute(select(Round.id).where(Round.id == round_id).with_for_update())
    db.session.execute(select(Application.id).where(
        Application.round_id == round_id,
        Application.status == ApplicationStatus.UNDER_ASSESSMENT).with_for_update())
    round_ = round_for_officer(officer, round_id)
    notices: dict[int, tuple[User, int]] = {}
    made = 0
    for planned in balanced_plan(officer, round_):
        for assessor in planned.assessors:
            _add_assignment(officer, planned.application, assessor, now)
            _, before = notices.get(assessor.id, (assessor, 0))
            notices[assessor.id] = (assessor, before + 1)
            made += 1
    if not made:
        raise RuleBroken("There is nobody to assign: every application being assessed in this "
                         "round has its assessors, or no assessor is free to take it")
    db.session.commit()
    _notify(notices)
    return made


def declarations_page(officer: User, round_: Round, page: int) -> Pagination:
    """Every declaration made in the round, newest first, 25 a page."""
    policies.require(policies.can_assign_assessors(officer))
    query = (select(Assignment).join(Assignment.application)
             .where(Application.round_id == round_.id, Assignment.declaration.is_not(None))
             .options(joinedload(Assignment.assessor),
                      joinedload(Assignment.application).joinedload(Application.organisation))
             .order_by(Assignment.declared_at.desc(), Assignment.id.desc()))
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)


# Assessors ---------------------------------------------------------------------------------


def assignments_page(assessor: User, page: int) -> Pagination:
    """The assessor's own assignments, newest first, 25 a page, with what each page shows."""
    policies.require(policies.is_assessor(assessor))
    query = (select(Assignment).where(Assignment.assessor_id == assessor.id)
             .options(joinedload(Assignment.application).joinedload(Application.organisation),
                      joinedload(Assignment.application).joinedload(Application.round),
                      selectinload(Assignment.scoresheets))
             .order_by(Assignment.assigned_at.desc(), Assignment.id.desc()))
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)


def get_assignment(assessor: User, assignment_id: int, *, fresh: bool = False) -> Assignment:
    """The assessor's own assignment; anyone else's is not found, as if it did not exist.
    `fresh` reloads rows the session already holds (after taking a lock)."""
    policies.require(policies.is_assessor(assessor))
    assignment = db.session.scalar(
        select(Assignment)
        .where(Assignment.id == assignment_id, Assignment.assessor_id == assessor.id)
        .options(joinedload(Assignment.application).joinedload(Application.organisation),
                 joinedload(Assignment.application).joinedload(Application.round)
                 .selectinload(Round.criteria),
                 selectinload(Assignment.scoresheets).selectinload(Scoresheet.scores))
        .execution_options(populate_existing=fresh))
    if assignment is None:
        raise NotFound(assignment_id)
    return assignment


def _lock_assignment(assessor: User, assignment_id: int) -> Assignment:
    """Lock the assignment's row, so that two submissions at once cannot both write a version,
    and read it afresh."""
    db.session.execute(select(Assignment.id).where(Assignment.id == assignment_id)
                       .with_for_update())
    return get_assignment(assessor, assignment_id, fresh=True)


def declare(assessor: User, assignment_id: int, conflict: bool, details: str,
            now: datetime | None = None) -> Assignment:
    """Record the assessor's answer once. A conflict takes them off the application."""
    now = now or utcnow()
    assignment = _lock_assignment(assessor, assignment_id)
    policies.require(policies.is_assigned(assessor, assignment))
    if assignment.declaration is not None:
        raise RuleBroken("You have already answered this question", field="conflict")
    details = details.strip()
    if conflict and not details:
        raise RuleBroken("Enter details of your conflict of interest", field="details")
    if len(details) > DETAILS_LENGTH:
        raise RuleBroken(f"Details must be {DETAILS_LENGTH:,} characters or fewer",
                         field="details")
    assignment.declaration = (ConflictDeclaration.CONFLICT if conflict
                              else ConflictDeclaration.NO_CONFLICT)
    assignment.conflict_details = details if conflict else ""
    assignment.declared_at = now
    audit.record("assessor.conflict_declared" if conflict else "assessor.no_conflict_declared",
                 actor=assessor, subject=assignment,
                 details={"reference": assignment.application.reference,
                          **({"details": details} if conflict else {})})
    db.session.commit()
    return assignment


def criteria_problem(round_: Round) -> str | None:
    """Why the round's criteria cannot be scored yet, or None."""
    if not round_.criteria:
        return "This round has no scoring criteria yet. Ask the grants team to add them."
    if not arithmetic.weights_total_100([c.weight_percent for c in round_.criteria]):
        total = sum(c.weight_percent for c in round_.criteria)
        return (f"This round's criteria weights add up to {total}%, not 100%, so it cannot be "
                f"scored until the grants team corrects them.")
    return None


def latest_sheet(assignment: Assignment) -> Scoresheet | None:
    return assignment.scoresheets[-1] if assignment.scoresheets else None


def last_submitted(assignment: Assignment) -> Scoresheet | None:
    submitted = [sheet for sheet in assignment.scoresheets
                 if sheet.status is ScoresheetStatus.SUBMITTED]
    return submitted[-1] if submitted else None


def scoring_refusal(assessor: User, assignment: Assignment) -> str | None:
    """Why the assessor cannot score this assignment now, or None."""
    if not policies.can_read_assigned_application(assessor, assignment):
        return "You cannot score this application."
    if not policies.can_score(assessor, assignment):
        return (f"Scoring has closed: this application is "
                f"{assignment.application.status.label.lower()}.")
    return criteria_problem(assignment.application.round)


@dataclass(frozen=True)
class ScoreEntry:
    criterion_id: int
    score: int | None
    justification: str


def _rule(criterion: ScoringCriterion) -> arithmetic.CriterionRule:
    return arithmetic.CriterionRule(criterion.weight_percent, criterion.scale.lowest,
                                    criterion.scale.highest, criterion.minimum_score)


def save_scores(assessor: User, assignment_id: int, entries: list[ScoreEntry], submit: bool,
                now: datetime | None = None) -> Scoresheet:
    """Keep the assessor's draft, or submit it when every criterion has a score and a
    justification. A submitted version is never written to: changing it needs change_scores."""
    now = now or utcnow()
    assignment = _lock_assignment(assessor, assignment_id)
    policies.require(policies.can_read_assigned_application(assessor, assignment))
    # Lock the round as changing its criteria does, and read them afresh: the criteria cannot
    # then change between this check and the scores being written.
    round_ = assignment.application.round
    db.session.refresh(round_, ["status"], with_for_update=True)
    db.session.refresh(round_, ["criteria"])
    if refusal := scoring_refusal(assessor, assignment):
        raise RuleBroken(refusal)
    criteria = round_.criteria
    given = {entry.criterion_id: entry for entry in entries}
    for criterion in criteria:
        entry = given.get(criterion.id, ScoreEntry(criterion.id, None, ""))
        if entry.score is not None and not (
                criterion.scale.lowest <= entry.score <= criterion.scale.highest):
            raise RuleBroken(f"Select a score for {criterion.name} on its scale",
                             field=f"score_{criterion.id}")
        if len(entry.justification) > JUSTIFICATION_LENGTH:
            raise RuleBroken(f"Justification must be {JUSTIFICATION_LENGTH:,} characters or "
                             f"fewer", field=f"justification_{criterion.id}")
        if submit and entry.score is None:
            raise RuleBroken(f"Select a score for {criterion.name}",
                             field=f"score_{criterion.id}")
        if submit and not entry.justification.strip():
            raise RuleBroken(f"Enter a justification for {criterion.name}",
                             field=f"justification_{criterion.id}")
    sheet = latest_sheet(assignment)
    if sheet is not None and sheet.status is ScoresheetStatus.SUBMITTED:
        raise RuleBroken("You have already submitted your scores. To change them, choose "
                         "“Change your scores” and give a reason.")
    if sheet is None:
        sheet = Scoresheet(assignment=assignment, version=1, created_at=now)
        db.session.add(sheet)
    by_criterion = {score.criterion_id: score for score in sheet.scores}
    for criterion in criteria:
        entry = given.get(criterion.id, ScoreEntry(criterion.id, None, ""))
        row = by_criterion.get(criterion.id)
        if row is None:
            row = CriterionScore(criterion=criterion)
            sheet.scores.append(row)
        row.score = entry.score
        row.justification = entry.justification.strip()
    details = {"reference": assignment.application.reference, "version": sheet.version}
    if submit:
        total = arithmetic.weighted_total([_rule(c) for c in criteria],
                                          [given[c.id].score for c in criteria])
        sheet.total_percent = arithmetic.for_display(total)
        sheet.status = ScoresheetStatus.SUBMITTED
        sheet.submitted_at = now
        details["total_percent"] = str(sheet.total_percent)
    db.session.flush()
    audit.record("scores.submitted" if submit else "scores.draft_saved", actor=assessor,
                 subject=sheet, details=details)
    db.session.commit()
    return sheet


def change_scores(assessor: User, assignment_id: int, reason: str,
                  now: datetime | None = None) -> Scoresheet:
    """Start a new version from the last submitted one, with the reason for changing it; the
    submitted versions stay as they were."""
    now = now or utcnow()
    assignment = _lock_assignment(assessor, assignment_id)
    policies.require(policies.can_read_assigned_application(assessor, assignment))
    if refusal := scoring_refusal(assessor, assignment):
        raise RuleBroken(refusal, field="reason")
    sheet = latest_sheet(assignment)
    if sheet is None or sheet.status is not ScoresheetStatus.SUBMITTED:
        raise RuleBroken("You can change your scores only after you have submitted them",
                         field="reason")
    reason = reason.strip()
    if not reason:
        raise RuleBroken("Enter a reason for changing your scores", field="reason")
    if len(reason) > REASON_LENGTH:
        raise RuleBroken(f"Reason must be {REASON_LENGTH:,} characters or fewer",
                         field="reason")
    draft = Scoresheet(assignment=assignment, version=sheet.version + 1, reason=reason,
                       created_at=now,
                       scores=[CriterionScore(criterion_id=score.criterion_id, score=score.score,
                                              justification=score.justification)
                               for score in sheet.scores])
    db.session.add(draft)
    db.session.flush()
    audit.record("scores.change_started", actor=assessor, subject=draft,
                 details={"reference": assignment.application.reference,
                          "version": draft.version, "reason": reason})
    db.session.commit()
    return draft


@dataclass(frozen=True)
class OtherAssessorScores:
    """Another assessor's latest submitted scores, without their name: assessors judge the
    application, not each other, so they are shown as Assessor A, B..."""

    label: str
    total_percent: Decimal | None
    scores: list[tuple[str, int | None]]


def others_scores(assessor: User, assignment: Assignment) -> list[OtherAssessorScores] | None:
    """The other active assessors' latest submitted scores on the same application, once this
    assessor has submitted their own; None before that (they must not be swayed)."""
    policies.require(policies.can_read_assigned_application(assessor, assignment))
    if last_submitted(assignment) is None:
        return None
    others = db.session.scalars(
        select(Assignment)
        .where(Assignment.application_id == assignment.application_id,
               Assignment.id != assignment.id)
        .options(selectinload(Assignment.scoresheets).selectinload(Scoresheet.scores)
                 .joinedload(CriterionScore.criterion))
        .order_by(Assignment.id))
    result = []
    for other in others:
        if not other.active or (sheet := last_submitted(other)) is None:
            continue
        label = f"Assessor {chr(ord('A') + len(result))}"
        scores = sorted(sheet.scores, key=lambda s: (s.criterion.position, s.criterion_id))
        result.append(OtherAssessorScores(label, sheet.total_percent,
                                          [(s.criterion.name, s.score) for s in scores]))
    return result


def application_answers(assessor: User, assignment: Assignment) -> list[SectionAnswers]:
    """The application's answers, read-only, for an assessor who has declared no conflict."""
    policies.require(policies.can_read_assigned_application(assessor, assignment))
    application = assignment.application
    # The headings speak to the applicant ("Your project"); an assessor reads "Project".
    return [replace(section, title=section.title.removeprefix("Your ").capitalize())
            for section in answer_sections(application, organisation_profile(application))]


def organisation_name_of(application: Application) -> str:
    """The organisation's name as sent (the snapshot), or as it is now."""
    snapshot = application.organisation_snapshot or {}
    return snapshot.get("name") or application.organisation.name

