"""Moderation, the round's results, the recommendation within budget and the decisions.

Scores are read, never written, here: each application's score comes from the newest submitted
scoresheet of each assessor still on it (not a declared conflict), computed exactly with
portal.scoring.arithmetic. A moderated score, when there is one, takes the place of the mean.
Every change commits once, with its audit event; mail goes out only after the commit.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

from flask import current_app
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from models import (
    Application,
    Assignment,
    CriterionScore,
    Decision,
    ModeratedScore,
    Recommendation,
    Round,
    Scoresheet,
    ScoringCriterion,
    User,
)
from models.base import utcnow
from models.enums import (
    ApplicationStatus,
    ConflictDeclaration,
    DecisionAuthority,
    DecisionOutcome,
    RejectionReason,
    ScoresheetStatus,
    ShortfallRule,
)
from portal import audit, policies
from portal.applications import workflow
from portal.dates import to_london
from portal.decisions import budget
from portal.exceptions import NotFound, RuleBroken
from portal.extensions import db
from portal.mail import send_email
from portal.money import format_pounds
from portal.schemes.rules import decisions_wait
from portal.scoring import arithmetic

# Applications that have reached assessment: the round's results list these.
RESULT_STATUSES = (ApplicationStatus.UNDER_ASSESSMENT, ApplicationStatus.DEFERRED,
                   ApplicationStatus.APPROVED, ApplicationStatus.REJECTED)
# Still waiting for an approval or a rejection.
UNDECIDED = (ApplicationStatus.UNDER_ASSESSMENT, ApplicationStatus.DEFERRED)
BELOW_PASS_MARK = "Below pass mark"  # noqa: S105 (a label, not a password)
MAX_MODERATED = Decimal(100)
OUTCOME_EVENTS = {DecisionOutcome.APPROVED: "application.approved",
                  DecisionOutcome.REJECTED: "application.rejected",
                  DecisionOutcome.DEFERRED: "application.deferred"}


# Reading the scores --------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetResult:
    """One assessor's newest submitted scoresheet: scores in the round's criteria order."""

    assessor_name: str
    version: int
    submitted_at: datetime | None
    scores: tuple[int, ...]
    total: Fraction


@dataclass
class Result:
    """Everything the panel needs about one application's scores, exact until shown."""

    application: Application
    sheets: list[SheetResult]
    moderations: list[ModeratedScore]  # oldest first; the newest counts
    recommendation: Recommendation | None
    decisions: list[Decision]  # oldest first
    mean: Fraction | None = None
    spread: Fraction | None = None
    divergent: bool = False
    score: Fraction | None = None
    failures: list[str] = field(default_factory=list)
    failure_reason: RejectionReason | None = None
    criterion_means: list[Fraction] = field(default_factory=list)
    rank: int | None = None

    @property
    def moderated(self) -> ModeratedScore | None:
        return self.moderations[-1] if self.moderations else None

    @property
    def fundable(self) -> bool:
        """Scored and clear of every threshold: only these can be recommended money."""
        return self.score is not None and not self.failures

    @property
    def undecided(self) -> bool:
        return self.application.status in UNDECIDED

    @property
    def decision(self) -> Decision | None:
        return self.decisions[-1] if self.decisions else None

    @property
    def requested_pence(self) -> int:
        return self.application.amount_requested_pence or 0


def percent(value: Fraction | Decimal | None) -> str:
    """A score as pages show it, rounded once, half up, to 2 places ("66.67"); "" for none."""
    return "" if value is None else str(arithmetic.for_display(Fraction(value)))


def _active(query: Select) -> Select:
    """Only assignments that stand: a declared conflict takes the assessor off."""
    return query.where(or_(Assignment.declaration.is_(None),
                           Assignment.declaration != ConflictDeclaration.CONFLICT))


def results_for(round_: Round, applications: list[Application], ids: Select) -> list[Result]:
    """The results of `applications` (whose ids `ids` selects), ranked best first.

    Five queries whatever the number of applications: submitted scoresheets, their scores,
    moderated scores, recommendations and decisions, each for all the applications at once.
    A scoresheet that lacks a score for one of the round's criteria (the criteria changed
    after it was submitted) cannot make a total, so it is left out rather than guessed at.
    """
    criteria = list(round_.criteria)
    rules = [arithmetic.CriterionRule(weight=c.weight_percent, lowest=c.scale.lowest,
                                      highest=c.scale.highest, minimum=c.minimum_score)
             for c in criteria]
    submitted = _active(
        select(Scoresheet.id, Scoresheet.assignment_id, Scoresheet.version,
               Scoresheet.submitted_at, Assignment.application_id, User.full_name)
        .join(Scoresheet.assignment).join(Assignment.assessor)
        .where(Assignment.application_id.in_(ids),
               Scoresheet.status == ScoresheetStatus.SUBMITTED))
    newest: dict[int, tuple] = {}
    for row in db.session.execute(submitted.order_by(Scoresheet.version)):
        newest[row.assignment_id] = row  # later versions replace earlier ones
    scores: dict[int, dict[int, int | None]] = defaultdict(dict)
    score_rows = _active(
        select(CriterionScore.scoresheet_id, CriterionScore.criterion_id, CriterionScore.score)
        .join(CriterionScore.scoresheet).join(Scoresheet.assignment)
        .where(Assignment.application_id.in_(ids),
               Scoresheet.status == ScoresheetStatus.SUBMITTED))
    for sheet_id, criterion_id, score in db.session.execute(score_rows):
        scores[sheet_id][criterion_id] = score
    sheets: dict[int, list[SheetResult]] = defaultdict(list)
    for assignment_id in sorted(newest):
        row = newest[assignment_id]
        given = [scores[row.id].get(criterion.id) for criterion in criteria]
        if not criteria or None in given:
            continue
        sheets[row.application_id].append(SheetResult(
            row.full_name, row.version, row.submitted_at, tuple(given),
            arithmetic.weighted_total(rules, given)))
    moderations = _grouped(select(ModeratedScore).where(ModeratedScore.application_id.in_(ids))
                           .options(joinedload(ModeratedScore.moderated_by))
                           .order_by(ModeratedScore.moderated_at, ModeratedScore.id))
    decisions = _grouped(select(Decision).where(Decision.application_id.in_(ids))
                         .options(joinedload(Decision.recorded_by))
                         .order_by(Decision.recorded_at, Decision.id))
    recommendations = {r.application_id: r for r in db.session.scalars(
        select(Recommendation).where(Recommendation.application_id.in_(ids)))}
    results = [_scored(round_, criteria, rules,
                       Result(application, sheets[application.id], moderations[application.id],
                              recommendations.get(application.id), decisions[application.id]))
               for application in applications]
    results.sort(key=lambda r: (r.score is None, -(r.score or 0), r.application.reference or ""))
    for rank, result in enumerate(results, start=1):
        result.rank = rank if result.score is not None else None
    return results


def _grouped(query: Select) -> defaultdict[int, list]:
    grouped: defaultdict[int, list] = defaultdict(list)
    for row in db.session.scalars(query):
        grouped[row.application_id].append(row)
    return grouped


def _scored(round_: Round, criteria: list[ScoringCriterion],
            rules: list[arithmetic.CriterionRule], result: Result) -> Result:
    """Fill in the mean, spread, divergence, score and threshold failures.

    A criterion's minimum is judged on the mean of the assessors' scores for it, so one
    assessor's low mark does not sink an application the others rate; a moderated score
    replaces the mean total only (it says nothing about single criteria).
    """
    totals = [sheet.total for sheet in result.sheets]
    if totals:
        result.mean = arithmetic.mean(totals)
        result.spread = arithmetic.spread(totals)
        result.divergent = arithmetic.diverges(totals, round_.moderation_margin_percent)
        result.criterion_means = [arithmetic.mean([Fraction(sheet.scores[index])
                                                   for sheet in result.sheets])
                                  for index in range(len(criteria))]
    moderated = result.moderated
    result.score = Fraction(moderated.total_percent) if moderated else result.mean
    if result.score is None:
        return result
    if not arithmetic.meets_pass_mark(result.score, round_.pass_mark_percent):
        result.failures.append(BELOW_PASS_MARK)
        result.failure_reason = RejectionReason.BELOW_PASS_MARK
    for criterion, rule, average in zip(criteria, rules, result.criterion_means, strict=False):
        if rule.minimum is not None and average < rule.minimum:
            result.failures.append(f"Below minimum on {criterion.name}")
            result.failure_reason = result.failure_reason or RejectionReason.CRITERION_NOT_MET
    return result


def _round(round_id: int, *, lock: bool = False) -> Round:
    if lock:  # serialises recommendations and decisions on one round's money
        db.session.execute(select(Round.id).where(Round.id == round_id).with_for_update())
    round_ = db.session.scalar(select(Round).where(Round.id == round_id)
                               .options(joinedload(Round.scheme), selectinload(Round.criteria))
                               .execution_options(populate_existing=lock))
    if round_ is None:
        raise NotFound(round_id)
    return round_


def _round_applications(round_: Round) -> tuple[list[Application], Select]:
    ids = select(Application.id).where(Application.round_id == round_.id,
                                       Application.status.in_(RESULT_STATUSES))
    applications = list(db.session.scalars(
        select(Application).where(Application.id.in_(ids))
        .options(joinedload(Application.organisation))
        .execution_options(populate_existing=True)))
    return applications, ids


@dataclass
class RoundResults:
    round: Round
    results: list[Result]
    # Applications not in the results (not yet checked, withdrawn, not eligible), by status.
    others: list[tuple[ApplicationStatus, int]]
    approved_pence: int
    recommended_pence: int

    @property
    def decisions_wait(self) -> str | None:
        return decisions_wait(self.round, utcnow())

    @property
    def remaining_pence(self) -> int:
        """Budget left after approvals and the recommendations still to be decided;
        negative when the officer's adjustments go over, which the page shows."""
        return self.round.budget_pence - self.approved_pence - self.recommended_pence


def _approved_pence(results: Iterable[Result]) -> int:
    return sum(r.decision.amount_pence for r in results
               if r.application.status is ApplicationStatus.APPROVED and r.decision
               and r.decision.outcome is DecisionOutcome.APPROVED)


def round_results(user: User, round_id: int) -> RoundResults:
    """The round's ranked results with its budget figures, in a fixed number of queries.

    Not paginated: a round has at most a few hundred applications, and a ranking split over
    pages would hide where the money runs out."""
    policies.require(policies.can_moderate(user))
    return _round_results(_round(round_id))


def _round_results(round_: Round) -> RoundResults:
    applications, ids = _round_applications(round_)
    results = results_for(round_, applications, ids)
    others = db.session.execute(
        select(Application.status, func.count()).where(
            Application.round_id == round_.id,
            Application.status.not_in([*RESULT_STATUSES, ApplicationStatus.DRAFT]))
        .group_by(Application.status).order_by(Application.status)).all()
    recommended = sum(r.recommendation.amount_pence for r in results
                      if r.undecided and r.recommendation)
    return RoundResults(round_, results, [(status, n) for status, n in others],
                        _approved_pence(results), recommended)


@dataclass
class ApplicationResult:
    """One application's results, or `at_stage` False when it has not reached assessment
    (the page says so rather than pretending there are no scores)."""

    application: Application
    result: Result | None
    criteria: list[ScoringCriterion]

    @property
    def at_stage(self) -> bool:
        return self.result is not None

    @property
    def decisions_wait(self) -> str | None:
        return decisions_wait(self.application.round, utcnow())


def application_result(user: User, application_id: int, *, lock: bool = False
                       ) -> ApplicationResult:
    """An application sent in, with its results; drafts and unknown ids are NotFound."""
    policies.require(policies.can_moderate(user))
    if lock:
        db.session.execute(select(Application.id).where(Application.id == application_id)
                           .with_for_update())
    application = db.session.scalar(
        select(Application).where(Application.id == application_id,
                                  Application.status != ApplicationStatus.DRAFT)
        .options(joinedload(Application.organisation), joinedload(Application.round))
        .execution_options(populate_existing=True))
    if application is None:
        raise NotFound(application_id)
    round_ = _round(application.round_id)
    if application.status not in RESULT_STATUSES:
        return ApplicationResult(application, None, list(round_.criteria))
    ids = select(Application.id).where(Application.id == application.id)
    return ApplicationResult(application, results_for(round_, [application], ids)[0],
                             list(round_.criteria))


# Moderation ----------------------------------------------------------------------------------


def moderate(user: User, application_id: int, total: Decimal, reason: str,
             now: datetime) -> ModeratedScore:
    """Record a moderated total: a new row, so earlier moderations stay as history."""
    found = application_result(user, application_id, lock=True)
    if not found.at_stage or not found.result.undecided:
        raise RuleBroken("Scores can be moderated only while the application is being "
                         "assessed", field="total")
    if not Decimal(0) <= total <= MAX_MODERATED or total != total.quantize(Decimal("0.01")):
        raise RuleBroken("The moderated score must be a number from 0 to 100, with up to 2 "
                         "decimal places", field="total")
    if not reason.strip():
        raise RuleBroken("Enter a reason for the moderated score", field="reason")
    moderation = ModeratedScore(application=found.application, total_percent=total,
                                reason=reason.strip(), moderated_by=user, moderated_at=now)
    db.session.add(moderation)
    db.session.flush()
    previous = found.result.score
    audit.record("application.moderated", actor=user, subject=found.application,
                 details={"reference": found.application.reference, "total": str(total),
                          "previous_score": None if previous is None
                          else str(arithmetic.for_display(previous)),
                          "reason": moderation.reason})
    db.session.commit()
    return moderation


# Recommendation within budget ----------------------------------------------------------------


def recommend_within_budget(user: User, round_id: int, now: datetime) -> RoundResults:
    """Go down the ranking recommending awards until the budget is used.

    The money available is the budget less what is already approved and less the
    recommendations the officer has adjusted by hand, which are kept as they are. Requests
    are capped at the round's maximum award. Returns the new results (and remaining budget).
    """
    policies.require(policies.can_moderate(user))
    round_ = _round(round_id, lock=True)
    current = _round_results(round_)
    adjusted = [r for r in current.results
                if r.undecided and r.recommendation and r.recommendation.adjusted]
    available = max(0, round_.budget_pence - current.approved_pence
                    - sum(r.recommendation.amount_pence for r in adjusted))
    kept = {r.application.id for r in adjusted}
    candidates = [r for r in current.results if r.undecided and r.application.id not in kept
                  and r.requested_pence > 0]
    outcome = budget.recommend(
        [budget.Candidate(r.application.id, min(r.requested_pence, round_.max_award_pence),
                          r.fundable) for r in candidates],
        available, partial=round_.shortfall_rule is ShortfallRule.PARTIAL,
        minimum_award_pence=round_.min_award_pence)
    for result in candidates:
        recommendation = result.recommendation or Recommendation(application=result.application)
        recommendation.amount_pence = outcome.amounts[result.application.id]
        recommendation.adjusted = False
        recommendation.note = f"Recommended within budget: {outcome.reasons[result.application.id]}"
        recommendation.updated_at, recommendation.updated_by = now, user
        db.session.add(recommendation)
    audit.record("round.recommended", actor=user, subject=round_, details={
        "available_pence": available, "remaining_pence": outcome.remaining_pence,
        "kept_adjusted": [r.application.reference for r in adjusted],
        "amounts": {r.application.reference: outcome.amounts[r.application.id]
                    for r in candidates}})
    db.session.commit()
    return _round_results(round_)


def adjust_recommendation(user: User, application_id: int, amount_pence: int, note: str,
                          now: datetime) -> Recommendation:
    """The officer's own amount for one application, kept by later "recommend within budget"
    runs. 0 means not recommended."""
    found = application_result(user, application_id, lock=True)
    if not found.at_stage or not found.result.undecided:
        raise RuleBroken("A recommendation can be changed only while the application is "
                         "being assessed", field="amount")
    application, round_ = found.application, found.application.round
    _check_amount(application, round_, amount_pence, allow_zero=True)
    if not note.strip():
        raise RuleBroken("Enter a note to say why you changed the amount", field="note")
    recommendation = found.result.recommendation or Recommendation(application=application)
    before = None if found.result.recommendation is None else recommendation.amount_pence
    recommendation.amount_pence, recommendation.adjusted = amount_pence, True
    recommendation.note, recommendation.updated_at = note.strip(), now
    recommendation.updated_by = user
    db.session.add(recommendation)
    db.session.flush()
    audit.record("recommendation.adjusted", actor=user, subject=application, details={
        "reference": application.reference, "previous_pence": before,
        "amount_pence": amount_pence, "note": recommendation.note})
    db.session.commit()
    return recommendation


def _check_amount(application: Application, round_: Round, amount_pence: int | None, *,
                  allow_zero: bool = False) -> None:
    if amount_pence is None:
        raise RuleBroken("Enter the amount", field="amount")
    if amount_pence < 0 or (amount_pence == 0 and not allow_zero):
        raise RuleBroken("The amount must be more than £0", field="amount")
    requested = application.amount_requested_pence or 0
    if amount_pence > requested:
        raise RuleBroken(f"The amount cannot be more than the {format_pounds(requested)} "
                         "requested", field="amount")
    if amount_pence > round_.max_award_pence:
        raise RuleBroken("The amount cannot be more than the round’s maximum award of "
                         f"{format_pounds(round_.max_award_pence)}", field="amount")


# Decisions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionDetails:
    """What the officer entered; the service judges which parts each outcome needs."""

    outcome: DecisionOutcome
    authority: DecisionAuthority
    decided_on: date
    amount_pence: int | None = None
    reason: str = ""
    rejection_reason: RejectionReason | None = None
    feedback: str = ""


def key_decision_threshold() -> int:
    return current_app.config["KEY_DECISION_THRESHOLD_PENCE"]


def _check_key_decision(authority: DecisionAuthority, awards: list[int],
                        approved_before: int) -> None:
    """An award, or the round's approved total, over the threshold is a key decision: only
    Cabinet may make it, so an officer or panel decision is refused."""
    if authority is DecisionAuthority.CABINET or not awards:
        return
    threshold = key_decision_threshold()
    limit = format_pounds(threshold, whole=True)
    if max(awards) > threshold:
        raise RuleBroken(f"This is a key decision: it needs Cabinet approval, because an "
                         f"award over {limit} is a key decision. Record it under Cabinet once "
                         "Cabinet has decided", field="authority")
    total = approved_before + sum(awards)
    if total > threshold:
        raise RuleBroken(f"This is a key decision: it needs Cabinet approval, because it "
                         f"takes the round’s approved total to {format_pounds(total)}, over "
                         f"{limit}. Record it under Cabinet once Cabinet has decided",
                         field="authority")


def _round_approved_pence(round_id: int) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(Decision.amount_pence), 0))
        .join(Decision.application)
        .where(Application.round_id == round_id,
               Application.status == ApplicationStatus.APPROVED,
               Decision.outcome == DecisionOutcome.APPROVED)) or 0


def _check_details(application: Application, details: DecisionDetails, today: date) -> None:
    if details.decided_on > today:
        raise RuleBroken("The date of the decision must be today or in the past",
                         field="decided_on")
    reason = details.reason.strip()
    if details.outcome is DecisionOutcome.APPROVED:
        _check_amount(application, application.round, details.amount_pence)
        if details.amount_pence != application.amount_requested_pence and not reason:
            raise RuleBroken("Enter a reason for awarding a different amount from the request",
                             field="reason")
    elif details.outcome is DecisionOutcome.REJECTED:
        if details.rejection_reason is None:
            raise RuleBroken("Select a reason for rejecting", field="rejection_reason")
        if not reason:
            raise RuleBroken("Enter the reason for rejecting", field="reason")
    elif not reason:
        raise RuleBroken("Enter a reason for deferring", field="reason")


def _refuse_if_decided(application: Application) -> None:
    if application.status in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED):
        raise RuleBroken(f"A decision has already been recorded: this application was "
                         f"{application.status.value}. Nothing has been changed",
                         field="outcome")
    if application.status not in UNDECIDED:
        raise RuleBroken("A decision can be recorded only once the application is being "
                         "assessed", field="outcome")


def _refuse_while_open(round_: Round, now: datetime, field: str) -> None:
    if wait := decisions_wait(round_, now):
        raise RuleBroken(wait, field=field)


def record_decision(user: User, application_id: int, details: DecisionDetails,
                    now: datetime) -> Decision:
    """Approve, reject or defer one application, then tell the applicant."""
    policies.require(policies.can_record_decision(user))
    round_id = db.session.scalar(select(Application.round_id)
                                 .where(Application.id == application_id))
    if round_id is None:
        raise NotFound(application_id)
    round_ = _round(round_id, lock=True)  # the round first, then the application: one order
    _refuse_while_open(round_, now, "outcome")
    application = application_result(user, application_id, lock=True).application
    _refuse_if_decided(application)
    if (details.outcome is DecisionOutcome.DEFERRED
            and application.status is ApplicationStatus.DEFERRED):
        raise RuleBroken("The decision on this application is already deferred: approve or "
                         "reject it", field="outcome")
    _check_details(application, details, to_london(now).date())
    if details.outcome is DecisionOutcome.APPROVED:
        _check_key_decision(details.authority, [details.amount_pence],
                            _round_approved_pence(round_id))
    decision = _decide(user, application, details, now)
    db.session.commit()
    _tell_applicants([decision])
    return decision


def _decide(user: User, application: Application, details: DecisionDetails,
            now: datetime) -> Decision:
    approved = details.outcome is DecisionOutcome.APPROVED
    rejected = details.outcome is DecisionOutcome.REJECTED
    decision = Decision(
        application=application, outcome=details.outcome,
        amount_pence=details.amount_pence if approved else None,
        rejection_reason=details.rejection_reason if rejected else None,
        reason=details.reason.strip(), authority=details.authority,
        decided_on=details.decided_on, recorded_by=user, recorded_at=now,
        feedback=details.feedback.strip() if rejected else "")
    db.session.add(decision)
    workflow.move(user, application, OUTCOME_EVENTS[details.outcome], now, details={
        "outcome": details.outcome.value, "amount_pence": decision.amount_pence,
        "authority": details.authority.value, "decided_on": details.decided_on.isoformat(),
        "rejection_reason": decision.rejection_reason and decision.rejection_reason.value})
    return decision


# Feedback ------------------------------------------------------------------------------------


def feedback_refusal(application: Application, decision: Decision | None) -> str | None:
    """Why feedback on the application cannot be approved now, or None while it awaits
    approval: the application has been rejected and its feedback not yet sent."""
    if (application.status is not ApplicationStatus.REJECTED or decision is None
            or decision.outcome is not DecisionOutcome.REJECTED):
        return "Feedback can be approved only once the application has been rejected"
    if decision.feedback_approved_at is not None:
        return "This feedback has already been approved and sent"
    return None


def approve_feedback(user: User, application_id: int, feedback: str, now: datetime) -> Decision:
    """The officer approves (perhaps after editing) the feedback on a rejection; only then is
    it sent to the applicant and shown on their pages."""
    policies.require(policies.can_record_decision(user))
    found = application_result(user, application_id, lock=True)
    decision = found.result.decision if found.result else None
    if refusal := feedback_refusal(found.application, decision):
        raise RuleBroken(refusal)
    if not feedback.strip():
        raise RuleBroken("Enter the feedback for the applicant", field="feedback")
    decision.feedback = feedback.strip()
    decision.feedback_approved_by, decision.feedback_approved_at = user, now
    audit.record("decision.feedback_approved", actor=user, subject=found.application,
                 details={"reference": found.application.reference, "decision_id": decision.id})
    db.session.commit()
    for person in _applicants(found.application):
        _send(person, f"Feedback on application {found.application.reference}",
              "decisions_feedback", decision)
    return decision


# Decisions for a whole round -----------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """What a decision for the whole round would do with one application; `outcome` None
    means it is left for a decision of its own (not scored, or no recommendation yet)."""

    result: Result
    outcome: DecisionOutcome | None
    amount_pence: int | None = None
    rejection_reason: RejectionReason | None = None
    note: str = ""


def _plan(results: list[Result]) -> list[Planned]:
    plan = []
    for result in results:
        if not result.undecided:
            continue
        recommendation = result.recommendation
        if result.score is None:
            plan.append(Planned(result, None, note="Not scored yet"))
        elif recommendation and recommendation.amount_pence > 0:
            plan.append(Planned(result, DecisionOutcome.APPROVED, recommendation.amount_pence))
        elif result.failure_reason:
            plan.append(Planned(result, DecisionOutcome.REJECTED,
                                rejection_reason=result.failure_reason))
        elif recommendation is None:
            plan.append(Planned(result, None, note="No recommendation yet"))
        else:
            plan.append(Planned(result, DecisionOutcome.REJECTED,
                                rejection_reason=RejectionReason.BUDGET_EXHAUSTED))
    return plan


def round_decision_plan(user: User, round_id: int) -> tuple[RoundResults, list[Planned]]:
    """What "decide the round" would record, for the officer to check first."""
    policies.require(policies.can_record_decision(user))
    results = _round_results(_round(round_id))
    return results, _plan(results.results)


def decide_round(user: User, round_id: int, authority: DecisionAuthority, decided_on: date,
                 reason: str, now: datetime) -> list[Decision]:
    """Approve every undecided application recommended money, at that amount, and reject the
    rest for the reason their results give, all in one transaction: if any part is refused
    (a key decision under too low an authority), nothing is recorded."""
    policies.require(policies.can_record_decision(user))
    round_ = _round(round_id, lock=True)
    _refuse_while_open(round_, now, "authority")
    db.session.execute(select(Application.id).where(Application.round_id == round_id,
                                                    Application.status.in_(UNDECIDED))
                       .with_for_update())
    results = _round_results(round_)
    plan = [planned for planned in _plan(results.results) if planned.outcome is not None]
    if not plan:
        raise RuleBroken("There are no scored applications waiting for a decision",
                         field="authority")
    if decided_on > to_london(now).date():
        raise RuleBroken("The date of the decision must be today or in the past",
                         field="decided_on")
    if not reason.strip():
        raise RuleBroken("Enter the reason for these decisions", field="reason")
    awards = [p.amount_pence for p in plan if p.outcome is DecisionOutcome.APPROVED]
    for planned in plan:  # every check before any change, so a refusal leaves nothing behind
        if planned.amount_pence is not None:
            try:
                _check_amount(planned.result.application, round_, planned.amount_pence)
            except RuleBroken as error:
                raise RuleBroken(f"{planned.result.application.reference}: {error.message}. "
                                 "Change its recommendation first") from error
    _check_key_decision(authority, awards, results.approved_pence)
    decisions = [_decide(user, planned.result.application, DecisionDetails(
        outcome=planned.outcome, authority=authority, decided_on=decided_on,
        amount_pence=planned.amount_pence, reason=reason,
        rejection_reason=planned.rejection_reason), now) for planned in plan]
    audit.record("round.decisions_recorded", actor=user, subject=round_, details={
        "authority": authority.value, "decided_on": decided_on.isoformat(),
        "approved": len(awards), "approved_pence": sum(awards),
        "rejected": len(plan) - len(awards)})
    db.session.commit()
    _tell_applicants(decisions)
    return decisions


# Telling the applicant -----------------------------------------------------------------------


def _applicants(application: Application) -> list[User]:
    """Who applied: the person who sent the application and the one who started it."""
    people = [application.submitted_by, application.created_by]
    return list({person.id: person for person in people if person is not None}.values())


MAIL = {DecisionOutcome.APPROVED: ("Your application {reference} has been approved",
                                   "decisions_approved"),
        DecisionOutcome.REJECTED: ("Decision on your application {reference}",
                                   "decisions_rejected"),
        DecisionOutcome.DEFERRED: ("The decision on your application {reference} has been "
                                   "deferred", "decisions_deferred")}


def _tell_applicants(decisions: list[Decision]) -> None:
    for decision in decisions:
        subject, template = MAIL[decision.outcome]
        for person in _applicants(decision.application):
            _send(person, subject.format(reference=decision.application.reference), template,
                  decision)


def _send(person: User, subject: str, template: str, decision: Decision) -> None:
    """The decision is committed already; a mail server's failure is logged, not shown."""
    try:
        send_email(person.email, subject, template, user=person, decision=decision,
                   application=decision.application)
    except Exception:
        current_app.logger.exception("Could not send %s to %s", template, person.email)
