"""Schemes and rounds: grants officers set them up and move rounds through their states;
applicants' pages ask which rounds are open."""

import enum
import re
import tomllib
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload, selectinload

from models import (
    Application,
    Assignment,
    Award,
    Round,
    Scheme,
    Scoresheet,
    ScoringCriterion,
    Theme,
    User,
    Ward,
)
from models.associations import round_themes
from models.base import utcnow
from models.enums import ApplicationStatus, LegalForm, RoundState, RoundStatus, ScoreScale
from portal import audit, policies
from portal.dates import format_datetime
from portal.exceptions import NotFound, RuleBroken
from portal.extensions import db
from portal.financial_years import FinancialYear
from portal.mail import send_each
from portal.schemes.rules import (
    ASSESSMENT_COLUMNS,
    AssessmentSettings,
    CriterionSettings,
    RoundSettings,
    assessment_problems,
    criteria_problems,
    every_setting_changes,
    round_problems,
)
from portal.scoring.arithmetic import weights_total_100

PREFIX = re.compile(r"[A-Z]{2,6}")
THEME_LENGTH = 120

# The settings a RoundSettings carries straight into the round's columns.
ROUND_COLUMNS = ("name", "financial_year", "opens_at", "closes_at", "budget_pence",
                 "min_award_pence", "max_award_pence", "max_project_months",
                 "eligible_legal_forms", "max_annual_income_pence", "any_ward", "guidance",
                 "required_documents", "one_application_per_organisation", "rolling",
                 *ASSESSMENT_COLUMNS)

# The criteria a new round starts with; officers change a round's set on its criteria page.
DEFAULT_CRITERIA_FILE = Path(__file__).with_name("default_criteria.toml")


class Transition(NamedTuple):
    allowed_from: frozenset[RoundState]
    to: RoundStatus
    event: str
    refusal: str


# An officer's actions on a round. Once published, a round is upcoming, open or closed by its
# times alone (Round.state), so no action opens or closes it.
ROUND_TRANSITIONS = {
    "publish": Transition(frozenset({RoundState.DRAFT}), RoundStatus.PUBLISHED,
                          "round.published", "Only a draft round can be published"),
    "decide": Transition(frozenset({RoundState.CLOSED}), RoundStatus.DECIDED, "round.decided",
                         "A round can be marked as decided only once it has closed"),
}


# Reading


def schemes_overview(user: User) -> list[Scheme]:
    """Every scheme with its rounds (two queries however many there are)."""
    policies.require(policies.can_manage_schemes(user))
    query = select(Scheme).options(selectinload(Scheme.rounds)).order_by(Scheme.name)
    return list(db.session.scalars(query))


def get_scheme(user: User, scheme_id: int) -> Scheme:
    """A scheme with its rounds and themes; NotFound when there is none."""
    policies.require(policies.can_manage_schemes(user))
    scheme = db.session.scalar(
        select(Scheme).where(Scheme.id == scheme_id)
        .options(selectinload(Scheme.rounds), selectinload(Scheme.themes)))
    if scheme is None:
        raise NotFound(scheme_id)
    return scheme


def get_round(user: User, round_id: int) -> Round:
    """A round with its scheme (and the scheme's themes), wards and themes; NotFound when
    there is none."""
    policies.require(policies.can_manage_schemes(user))
    round_ = db.session.scalar(
        select(Round).where(Round.id == round_id)
        .options(joinedload(Round.scheme).selectinload(Scheme.themes),
                 selectinload(Round.wards), selectinload(Round.themes),
                 selectinload(Round.criteria)))
    if round_ is None:
        raise NotFound(round_id)
    return round_


def all_wards() -> list[Ward]:
    return list(db.session.scalars(select(Ward).order_by(Ward.name)))


def open_rounds(now: datetime | None = None) -> list[Round]:
    """Published rounds open at `now` (default: this moment), with their schemes, closing
    soonest first. The same test as Round.state_at, done by the database."""
    now = now or utcnow()
    query = (select(Round).options(joinedload(Round.scheme))
             .where(Round.status == RoundStatus.PUBLISHED, Round.opens_at <= now,
                    Round.closes_at > now)
             .order_by(Round.closes_at, Round.id))
    return list(db.session.scalars(query))


# Schemes


def _check_scheme_details(name: str, reference_prefix: str, scheme: Scheme | None) -> None:
    if not PREFIX.fullmatch(reference_prefix):
        raise RuleBroken("The reference prefix must be 2 to 6 capital letters, like CPG",
                         field="reference_prefix")
    others = select(func.count()).select_from(Scheme)
    if scheme is not None:
        others = others.where(Scheme.id != scheme.id)
        if (reference_prefix != scheme.reference_prefix
                and any(r.status is not RoundStatus.DRAFT for r in scheme.rounds)):
            # Applications already carry references made with the old prefix.
            raise RuleBroken("You cannot change the reference prefix once a round has been "
                             "published", field="reference_prefix")
    if db.session.scalar(others.where(func.lower(Scheme.name) == name.lower())):
        raise RuleBroken("There is already a scheme with this name", field="name")
    if db.session.scalar(others.where(Scheme.reference_prefix == reference_prefix)):
        raise RuleBroken("Another scheme already uses this reference prefix",
                         field="reference_prefix")


def _theme_names(lines: list[str]) -> list[str]:
    """Each theme once (ignoring case and extra spaces), in the order given."""
    names: dict[str, str] = {}
    for line in lines:
        name = " ".join(line.split())
        if len(name) > THEME_LENGTH:
            raise RuleBroken(f"Each theme must be {THEME_LENGTH} characters or fewer",
                             field="themes")
        if name:
            names.setdefault(name.lower(), name)
    return list(names.values())


def _set_themes(scheme: Scheme, lines: list[str]) -> tuple[list[str], list[str]]:
    """Keep the theme rows still listed (rounds and applications point at them), add the new
    ones and remove the rest, refusing to remove a theme that a round uses.
    Returns the names added and removed."""
    wanted = _theme_names(lines)
    existing = {theme.name.lower(): theme for theme in scheme.themes}
    removed = [theme for key, theme in existing.items()
               if key not in {name.lower() for name in wanted}]
    if removed:
        in_use = db.session.scalars(
            select(Theme.name).join(round_themes, round_themes.c.theme_id == Theme.id)
            .where(Theme.id.in_([theme.id for theme in removed]))
            .distinct().order_by(Theme.name)).first()
        if in_use:
            raise RuleBroken(f"You cannot remove the theme ‘{in_use}’ because a round uses it",
                             field="themes")
    themes = []
    for name in wanted:
        theme = existing.get(name.lower()) or Theme(name=name)
        theme.name = name  # a change of capitals keeps the row
        themes.append(theme)
    scheme.themes = themes
    added = [name for name in wanted if name.lower() not in existing]
    return added, [theme.name for theme in removed]


def create_scheme(user: User, *, name: str, description: str, reference_prefix: str,
                  theme_names: list[str]) -> Scheme:
    policies.require(policies.can_manage_schemes(user))
    _check_scheme_details(name, reference_prefix, None)
    scheme = Scheme(name=name, description=description, reference_prefix=reference_prefix)
    _set_themes(scheme, theme_names)
    db.session.add(scheme)
    db.session.flush()
    audit.record("scheme.created", actor=user, subject=scheme,
                 details={"name": name, "reference_prefix": reference_prefix,
                          "themes": [theme.name for theme in scheme.themes]})
    db.session.commit()
    return scheme


def update_scheme(user: User, scheme: Scheme, *, name: str, description: str,
                  reference_prefix: str, theme_names: list[str]) -> Scheme:
    policies.require(policies.can_manage_schemes(user))
    _check_scheme_details(name, reference_prefix, scheme)
    themes_before = sorted(theme.name for theme in scheme.themes)
    added, removed = _set_themes(scheme, theme_names)
    new = {"name": name, "description": description, "reference_prefix": reference_prefix}
    changed = [field for field, value in new.items() if getattr(scheme, field) != value]
    for field in changed:
        setattr(scheme, field, new[field])
    if sorted(theme.name for theme in scheme.themes) != themes_before:
        changed.append("themes")
    if changed:
        audit.record("scheme.updated", actor=user, subject=scheme,
                     details={"changed": changed, "themes_added": added,
                              "themes_removed": removed})
    db.session.commit()
    return scheme


# Rounds


def _check_round(scheme: Scheme, settings: RoundSettings) -> tuple[list[Ward], list[Theme]]:
    """Refuse settings that break a rule; return the wards and themes they name."""
    problems = round_problems(asdict(settings))
    if problems:
        field, message = next(iter(problems.items()))
        raise RuleBroken(message, field=field)
    if not settings.name.strip():
        raise RuleBroken("Enter the round name", field="name")
    try:
        FinancialYear.parse(settings.financial_year)
    except ValueError as error:
        raise RuleBroken("Enter the financial year like 2024/25",
                         field="financial_year") from error
    if not set(settings.eligible_legal_forms) <= {form.value for form in LegalForm}:
        raise RuleBroken("Select legal forms from the list", field="legal_forms")
    ward_ids, theme_ids = set(settings.ward_ids), set(settings.theme_ids)
    wards = list(db.session.scalars(select(Ward).where(Ward.id.in_(ward_ids))
                                    .order_by(Ward.name))) if ward_ids else []
    if len(wards) != len(ward_ids):
        raise RuleBroken("Select wards from the list", field="wards")
    themes = [theme for theme in scheme.themes if theme.id in theme_ids]
    if len(themes) != len(theme_ids):
        raise RuleBroken("Select themes from this scheme’s list", field="themes")
    return ([] if settings.any_ward else wards), themes


def _changes(round_: Round, settings: RoundSettings, wards: list[Ward],
             themes: list[Theme]) -> list[str]:
    changed = [column for column in ROUND_COLUMNS
               if getattr(round_, column) != getattr(settings, column)]
    if {ward.id for ward in round_.wards} != {ward.id for ward in wards}:
        changed.append("wards")
    if {theme.id for theme in round_.themes} != {theme.id for theme in themes}:
        changed.append("themes")
    return changed


def _apply(round_: Round, settings: RoundSettings, wards: list[Ward],
           themes: list[Theme]) -> None:
    for column in ROUND_COLUMNS:
        setattr(round_, column, getattr(settings, column))
    round_.wards = wards
    round_.themes = themes


def create_round(user: User, scheme: Scheme, settings: RoundSettings,
                 copied_from: Round | None = None) -> Round:
    """A new round in the scheme, as a draft that only officers see. It starts with the
    default scoring criteria, or with those of the round it is `copied_from`."""
    policies.require(policies.can_manage_schemes(user))
    wards, themes = _check_round(scheme, settings)
    round_ = Round(scheme=scheme, status=RoundStatus.DRAFT)
    _apply(round_, settings, wards, themes)
    criteria = default_criteria() if copied_from is None else _settings_of(copied_from.criteria)
    round_.criteria = criterion_rows(criteria)
    db.session.add(round_)
    db.session.flush()
    details = {"scheme_id": scheme.id, "name": round_.name}
    if copied_from is not None:
        details["copied_from"] = copied_from.id
    audit.record("round.created", actor=user, subject=round_, details=details)
    db.session.commit()
    return round_


def copy_round(user: User, source: Round, settings: RoundSettings) -> Round:
    """A new draft round in the source's scheme with `settings` (its form starts from the
    source's, a year or more on) and the source's scoring criteria."""
    return create_round(user, source.scheme, settings, copied_from=source)


def update_round(user: User, round_: Round, settings: RoundSettings) -> Round:
    """Change any setting of a draft round."""
    policies.require(policies.can_manage_schemes(user))
    if not every_setting_changes(round_):
        raise RuleBroken("This round has been published, so only its guidance, closing time "
                         "and required documents can change")
    wards, themes = _check_round(round_.scheme, settings)
    changed = _changes(round_, settings, wards, themes)
    if changed:
        _apply(round_, settings, wards, themes)
        audit.record("round.updated", actor=user, subject=round_, details={"changed": changed})
        db.session.commit()
    return round_


def update_published_round(user: User, round_: Round, *, closes_at: datetime, guidance: str,
                           required_documents: list[str],
                           assessment: AssessmentSettings | None = None) -> Round:
    """Organisations may already be applying to a published round, so only its guidance and
    required documents can change, and its closing time only to a later one. Its assessment
    settings (when given) can change until scoring begins: after that they would change how
    scores already given are judged."""
    policies.require(policies.can_manage_schemes(user))
    if round_.status is not RoundStatus.PUBLISHED:
        raise RuleBroken("A decided round cannot be changed", field="closes_on")
    if closes_at < round_.closes_at:
        raise RuleBroken("The closing time can only be extended, to "
                         f"{format_datetime(round_.closes_at)} or later", field="closes_on")
    new = {"closes_at": closes_at, "guidance": guidance,
           "required_documents": required_documents}
    if assessment is not None:
        problems = assessment_problems(asdict(assessment))
        if problems:
            field, message = next(iter(problems.items()))
            raise RuleBroken(message, field=field)
        assessment_changes = {column: getattr(assessment, column)
                              for column in ASSESSMENT_COLUMNS
                              if getattr(round_, column) != getattr(assessment, column)}
        if assessment_changes and scoring_begun(round_):
            raise RuleBroken("Scoring has begun in this round, so its assessment settings "
                             "cannot change", field="assessors_per_application")
        new.update(assessment_changes)
    changed = [field for field, value in new.items() if getattr(round_, field) != value]
    if changed:
        details = {"changed": changed}
        if "closes_at" in changed:
            details["closes_at"] = {"from": round_.closes_at.isoformat(),
                                    "to": closes_at.isoformat()}
        for field in changed:
            setattr(round_, field, new[field])
        audit.record("round.updated", actor=user, subject=round_, details=details)
        db.session.commit()
    return round_


def _transition(user: User, round_: Round, action: str) -> Round:
    """The one way a round's status changes: check, change, audit, commit."""
    policies.require(policies.can_manage_schemes(user))
    transition = ROUND_TRANSITIONS[action]
    # Lock the row, so that of two officers pressing the button at once, one does it and the
    # other is told it is already done.
    db.session.refresh(round_, ["status", "opens_at", "closes_at"], with_for_update=True)
    if round_.state not in transition.allowed_from:
        raise RuleBroken(transition.refusal)
    round_.status = transition.to
    audit.record(transition.event, actor=user, subject=round_)
    db.session.commit()
    return round_


def publish_round(user: User, round_: Round) -> Round:
    """Draft → published: it is then upcoming, open or closed by its times. Assessors will
    score against its criteria, so their weights must make a percentage first (a round with
    none totals 0%)."""
    policies.require(policies.can_manage_schemes(user))
    if round_.status is RoundStatus.DRAFT and not weights_total_100(
            [criterion.weight_percent for criterion in round_.criteria]):
        raise RuleBroken("Set scoring criteria whose weights add up to 100% before you "
                         "publish the round")
    return _transition(user, round_, "publish")


def allowed_action(round_: Round) -> str | None:
    """The change of status the round allows now ("publish" or "decide"), if any."""
    return next((action for action, step in ROUND_TRANSITIONS.items()
                 if round_.state in step.allowed_from), None)


class Step(enum.Enum):
    """What an officer does next with a round; its page puts this first."""

    SET_CRITERIA = "set_criteria"
    PUBLISH = "publish"
    WAIT_TO_OPEN = "wait_to_open"
    TAKE_APPLICATIONS = "take_applications"
    CHECK = "check"
    ASSESS = "assess"
    OFFER = "offer"
    MARK_DECIDED = "mark_decided"
    NEXT_ROUND = "next_round"


@dataclass(frozen=True)
class NextStep:
    step: Step
    count: int = 0  # how many applications the step is about


CHECKING = (ApplicationStatus.SUBMITTED, ApplicationStatus.CLARIFICATION_REQUESTED)
DECIDING = (ApplicationStatus.UNDER_ASSESSMENT, ApplicationStatus.DEFERRED)


def _work_waiting(round_: Round) -> list[NextStep]:
    """The applications waiting at each stage after they are sent, in the order of the
    stages (two queries)."""
    by_status = dict(db.session.execute(
        select(Application.status, func.count()).where(Application.round_id == round_.id)
        .group_by(Application.status)).all())
    without_offer = db.session.scalar(
        select(func.count()).select_from(Application)
        .outerjoin(Award, Award.application_id == Application.id)
        .where(Application.round_id == round_.id,
               Application.status == ApplicationStatus.APPROVED, Award.id.is_(None)))
    return [NextStep(Step.CHECK, sum(by_status.get(status, 0) for status in CHECKING)),
            NextStep(Step.ASSESS, sum(by_status.get(status, 0) for status in DECIDING)),
            NextStep(Step.OFFER, without_offer)]


def next_step(round_: Round, now: datetime | None = None) -> NextStep:
    """What the officer does next with the round, in every state. Once applications can be
    decided (a closed round, or an open rolling one), the earliest stage with applications
    waiting comes first."""
    state = round_.state_at(now or utcnow())
    if state is RoundState.DRAFT:
        ready = weights_total_100([criterion.weight_percent for criterion in round_.criteria])
        return NextStep(Step.PUBLISH if ready else Step.SET_CRITERIA)
    if state is RoundState.UPCOMING:
        return NextStep(Step.WAIT_TO_OPEN)
    if state is RoundState.DECIDED:
        return NextStep(Step.NEXT_ROUND)
    if state is RoundState.OPEN and not round_.rolling:
        return NextStep(Step.TAKE_APPLICATIONS)
    waiting = next((step for step in _work_waiting(round_) if step.count), None)
    if waiting:
        return waiting
    return NextStep(Step.MARK_DECIDED if state is RoundState.CLOSED else Step.TAKE_APPLICATIONS)


def draft_count(user: User, round_: Round) -> int:
    """How many applications in the round are still drafts."""
    policies.require(policies.can_manage_schemes(user))
    return db.session.scalar(select(func.count()).select_from(Application).where(
        Application.round_id == round_.id, Application.status == ApplicationStatus.DRAFT))


def close_early(user: User, round_: Round, reason: str, now: datetime) -> Round:
    """Close an open round at `now`, for a reason kept on the round and in the audit log.
    Drafts can no longer be sent, so the applicants who started them are told."""
    policies.require(policies.can_manage_schemes(user))
    db.session.refresh(round_, ["status", "opens_at", "closes_at"], with_for_update=True)
    if round_.state_at(now) is not RoundState.OPEN:
        raise RuleBroken("Only an open round can be closed early", field="reason")
    reason = reason.strip()
    if not reason:
        raise RuleBroken("Enter why the round is closing early", field="reason")
    drafts = list(db.session.scalars(
        select(Application).where(Application.round_id == round_.id,
                                  Application.status == ApplicationStatus.DRAFT)
        .options(joinedload(Application.created_by))))
    audit.record("round.closed_early", actor=user, subject=round_, details={
        "reason": reason, "drafts": len(drafts),
        "closes_at": {"from": round_.closes_at.isoformat(), "to": now.isoformat()}})
    round_.closes_at, round_.closed_early_reason = now, reason
    db.session.commit()
    send_each([draft.created_by for draft in drafts], f"{round_.name} has closed early",
              "schemes_closed_early", round=round_)
    return round_


def decide_round(user: User, round_: Round) -> Round:
    """Closed → decided: the panel has made its decisions on the round's applications."""
    return _transition(user, round_, "decide")


# Scoring criteria


@cache
def default_criteria() -> tuple[CriterionSettings, ...]:
    """The criteria a new round starts with, from DEFAULT_CRITERIA_FILE (read once)."""
    data = tomllib.loads(DEFAULT_CRITERIA_FILE.read_text(encoding="utf-8"))
    return tuple(CriterionSettings(name=row["name"], guidance=row.get("guidance", ""),
                                   weight_percent=row["weight_percent"],
                                   scale=ScoreScale(row["scale"]),
                                   minimum_score=row.get("minimum_score"))
                 for row in data["criteria"])


def criterion_rows(criteria: tuple[CriterionSettings, ...] | list[CriterionSettings],
                   ) -> list[ScoringCriterion]:
    """New ScoringCriterion rows, in order, for a round's `criteria` (the demo uses it too)."""
    return [ScoringCriterion(position=position, **asdict(criterion))
            for position, criterion in enumerate(criteria)]


def _settings_of(criteria: list[ScoringCriterion]) -> list[CriterionSettings]:
    return [CriterionSettings(name=criterion.name, guidance=criterion.guidance,
                              weight_percent=criterion.weight_percent, scale=criterion.scale,
                              minimum_score=criterion.minimum_score) for criterion in criteria]


def _snapshot(criteria: list[ScoringCriterion]) -> list[dict]:
    """A round's criteria as plain data for the audit log."""
    return [{**asdict(settings), "scale": settings.scale.value}
            for settings in _settings_of(criteria)]


def scoring_begun(round_: Round) -> bool:
    """Whether any assessor has started a scoresheet for an application in the round."""
    return bool(db.session.scalar(select(exists().where(
        Scoresheet.assignment_id == Assignment.id,
        Assignment.application_id == Application.id,
        Application.round_id == round_.id))))


def criteria_locked_reason(round_: Round) -> str | None:
    """Why the round's criteria can no longer change, or None while they can."""
    if round_.status is RoundStatus.DECIDED:
        return "This round has been decided, so its scoring criteria cannot change."
    if scoring_begun(round_):
        return ("Scoring has begun in this round, so its scoring criteria cannot change: "
                "changing them would change the totals of scores already given.")
    return None


def replace_criteria(user: User, round_: Round,
                     criteria: list[CriterionSettings]) -> Round:
    """Replace the round's whole set of criteria at once, so the weights always total 100%.

    Refused once scoring has begun. A broken rule is raised with field
    "criteria-<index>-<attribute>", the index counting in `criteria`.
    """
    policies.require(policies.can_manage_schemes(user))
    # Lock the round, so that publishing or another officer's change waits for this one.
    db.session.refresh(round_, ["status"], with_for_update=True)
    db.session.refresh(round_, ["criteria"])
    reason = criteria_locked_reason(round_)
    if reason:
        raise RuleBroken(reason)
    problems = criteria_problems([asdict(criterion) for criterion in criteria])
    if problems:
        (index, attribute), message = next(iter(sorted(problems.items())))
        raise RuleBroken(message, field=f"criteria-{index}-{attribute}")
    before = _snapshot(round_.criteria)
    round_.criteria.clear()
    db.session.flush()  # delete the old rows before inserting new ones with the same names
    round_.criteria.extend(criterion_rows(criteria))
    db.session.flush()
    after = _snapshot(round_.criteria)
    if after != before:
        audit.record("round.criteria_changed", actor=user, subject=round_,
                     details={"from": before, "to": after})
    db.session.commit()
    return round_
