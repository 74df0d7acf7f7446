"""Demo assessment of the closed round, done through the services as the grants team would:
due-diligence checks (one application found ineligible, one clarified), two assessors' scores
(one conflict declared and a third assessor brought in, one score changed with a reason), one
moderated case, a recommendation within budget, the panel's decisions, approved feedback, and
the round marked decided. Idempotent: it runs only while the round has no checks at all."""

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from models import Application, Assignment, DueDiligenceCheck, Round, User
from models.enums import (
    ApplicationStatus,
    DecisionAuthority,
    DecisionOutcome,
    DueDiligenceOutcome,
    RoundStatus,
)
from portal.applications.services import answer_clarification
from portal.assessment import due_diligence
from portal.decisions import services as decisions
from portal.extensions import db
from portal.schemes import services as schemes
from portal.scoring import services as scoring

OFFICER = "officer@demo.example.org"
ASSESSORS = ("assessor@demo.example.org", "assessor2@demo.example.org")
STAND_IN = "assessor3@demo.example.org"
# Positions in the round's applications (by reference) of the demo's special cases.
INELIGIBLE, CLARIFIED, CONFLICT, DIVERGENT, CHANGED = 6, 11, 3, 8, 15
PANEL_DAY = date(2024, 7, 18)
JUSTIFICATIONS = {
    0: "Not shown in the application.",
    1: "Some evidence, but thin: the answer relies on general statements.",
    2: "Shown clearly, with some local evidence.",
    3: "Shown very well, with local data and what people using the group have said.",
}


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _person(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def load_assessment(round_: Round) -> int:
    """Assess and decide `round_`; returns how many applications were decided."""
    already = db.session.scalar(select(func.count(DueDiligenceCheck.id))
                                .join(DueDiligenceCheck.application)
                                .where(Application.round_id == round_.id))
    if already or round_.status is RoundStatus.DECIDED:
        return 0
    officer = _person(OFFICER)
    applications = list(db.session.scalars(
        select(Application).where(Application.round_id == round_.id,
                                  Application.status == ApplicationStatus.SUBMITTED)
        .order_by(Application.reference)))
    eligible = _check(officer, applications)
    _score(officer, eligible, random.Random(718))  # noqa: S311 (a fixed demo, not a secret)
    moderated = eligible[DIVERGENT]
    decisions.moderate(officer, moderated.id, Decimal("58.50"),
                       "The assessors read the delivery plan differently; the panel agreed "
                       "the plan is credible but the costs need more detail.", _at(PANEL_DAY, 9))
    decisions.recommend_within_budget(officer, round_.id, _at(PANEL_DAY, 9))
    decided = decisions.decide_round(
        officer, round_.id, DecisionAuthority.PANEL, PANEL_DAY,
        "Community Plus grants panel, 18 July 2024: recommendations accepted.",
        _at(PANEL_DAY, 16))
    for decision in decided:
        if decision.outcome is DecisionOutcome.REJECTED:
            decisions.approve_feedback(officer, decision.application_id, _feedback(decision),
                                       _at(PANEL_DAY + timedelta(days=4)))
    schemes.decide_round(officer, db.session.get(Round, round_.id))
    return len(decided)


def _check(officer: User, applications: list[Application]) -> list[Application]:
    """Due diligence on every application; returns those found eligible."""
    eligible = []
    for number, application in enumerate(applications):
        day = date(2024, 6, 17) + timedelta(days=number // 8)
        organisation = application.organisation
        register = ("Companies House" if organisation.company_number and not
                    organisation.charity_number else "Charity Commission")
        due_diligence.save_checks(officer, application.id, due_diligence.Checks(
            register_checked_on=day, register_note=f"{register} register: active, filings up "
            "to date.", bank_details_verified_on=day, governing_document_seen=True,
            accounts_seen=True, safeguarding_policy_seen=True,
            duplicate_funding_note="No other council funding for this project."), _at(day))
        if number == INELIGIBLE:
            due_diligence.record_outcome(
                officer, application.id, DueDiligenceOutcome.INELIGIBLE,
                "The project would pay for work the group has already done: the scheme cannot "
                "fund costs incurred before an award.", _at(day, 11))
            continue
        if number == CLARIFIED:
            due_diligence.record_outcome(
                officer, application.id, DueDiligenceOutcome.CLARIFICATION_REQUESTED,
                "Your budget lists venue hire of £1,200. Is this already paid for by another "
                "funder?", _at(day, 11))
            answer_clarification(application.created_by, application.id,
                                 "No: the other funder pays for the coordinator only. The venue "
                                 "hire is for this project.", _at(day + timedelta(days=2)))
        due_diligence.record_outcome(officer, application.id, DueDiligenceOutcome.ELIGIBLE,
                                     now=_at(day + timedelta(days=3), 12))
        eligible.append(application)
    return eligible


def _score(officer: User, applications: list[Application], rng: random.Random) -> None:
    """Two assessors score each application; on one, the second declares a conflict and a
    third takes their place; on another, they disagree widely (the moderated case)."""
    first, second = (_person(email) for email in ASSESSORS)
    stand_in = _person(STAND_IN)
    for number, application in enumerate(applications):
        day = date(2024, 7, 1) + timedelta(days=number // 10)
        quality = rng.choice([1, 2, 2, 2, 3, 3])
        scorers = [first, second]
        for assessor in scorers:
            scoring.assign(officer, application.id, assessor.id, _at(day, 9))
        for position, assessor in enumerate(scorers):
            assignment = _assignment(officer, application, assessor)
            if number == CONFLICT and assessor is second:
                scoring.declare(assessor, assignment.id, True,
                                "I am a trustee of this organisation.", _at(day, 10))
                scoring.assign(officer, application.id, stand_in.id, _at(day, 11))
                assessor, assignment = stand_in, _assignment(officer, application, stand_in)
            scoring.declare(assessor, assignment.id, False, "", _at(day, 10))
            level = (3 if position == 0 else 1) if number == DIVERGENT else quality
            _submit(assessor, assignment.id, application, level, rng, _at(day, 14))
            if number == CHANGED and position == 0:
                scoring.change_scores(assessor, assignment.id, "I misread the budget: the "
                                      "costs are better explained than I first scored.",
                                      _at(day + timedelta(days=1)))
                _submit(assessor, assignment.id, application, min(3, level + 1), rng,
                        _at(day + timedelta(days=1), 11))


def _assignment(officer: User, application: Application, assessor: User) -> Assignment:
    return next(assignment for assignment in scoring.assignments_of(officer, application)
                if assignment.assessor_id == assessor.id)


def _submit(assessor: User, assignment_id: int, application: Application, level: int,
            rng: random.Random, now: datetime) -> None:
    entries = []
    for criterion in application.round.criteria:
        score = max(criterion.scale.lowest,
                    min(criterion.scale.highest, level + rng.choice([-1, 0, 0, 0, 1])))
        entries.append(scoring.ScoreEntry(criterion.id, score, JUSTIFICATIONS[score]))
    scoring.save_scores(assessor, assignment_id, entries, True, now)


def _feedback(decision) -> str:
    if decision.rejection_reason is not None and decision.rejection_reason.value in {
            "below_pass_mark", "criterion_not_met"}:
        return ("The panel found the need for the project was not shown clearly enough. "
                "Local evidence, such as numbers on a waiting list or what people have told "
                "you, would strengthen a future application. The grants team can talk it "
                "through with you.")
    return ("Your application met the criteria, but higher-scoring applications used the "
            "round's budget. We would welcome an application to the next round.")
