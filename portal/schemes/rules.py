"""The rules a round's settings and scoring criteria keep, written once: the forms show every
broken rule beside its field, and the services refuse settings that break one (the database's
CHECK constraints hold the money, time and range rules a third time)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from models.enums import RoundState, RoundStatus, ScoreScale, ShortfallRule

MAX_PROJECT_MONTHS = 120  # ten years: anything longer is a typing mistake
MAX_ASSESSORS = 10  # the database holds the same limit
MAX_CRITERIA = 20  # a panel cannot weigh more; it also bounds what a form may post
CRITERION_NAME_LENGTH = 120
CRITERION_GUIDANCE_LENGTH = 2_000


def every_setting_changes(round_: Any) -> bool:
    """Whether every setting of the round may change: only while it is a draft. Once it is
    published only its closing time, guidance, documents and (until scoring begins) how it
    is assessed may."""
    return round_.status is RoundStatus.DRAFT


def decisions_wait(round_: Any, now: datetime) -> str | None:
    """Why decisions and offers cannot be made in the round at `now`, or None when they can.
    A competitive round compares every application, so it decides once it has closed; a
    rolling round decides each application as it comes, while it is open."""
    state = round_.state_at(now)
    if state in (RoundState.CLOSED, RoundState.DECIDED):
        return None
    if round_.rolling and state is RoundState.OPEN:
        return None
    return ("This round is still open. Decisions and offers are made once it has closed, so "
            "that every application is compared with the others")


@dataclass
class RoundSettings:
    """Everything an officer sets on a round: money in pence, times in UTC."""

    name: str
    financial_year: str
    opens_at: datetime
    closes_at: datetime
    budget_pence: int
    min_award_pence: int
    max_award_pence: int
    max_project_months: int
    eligible_legal_forms: list[str]
    max_annual_income_pence: int | None
    any_ward: bool
    ward_ids: list[int]
    theme_ids: list[int]
    guidance: str
    required_documents: list[str]
    one_application_per_organisation: bool
    rolling: bool = False
    # Assessment: defaults as the database's, so that callers may leave them out.
    assessors_per_application: int = 2
    pass_mark_percent: int = 50
    moderation_margin_percent: int = 20
    shortfall_rule: ShortfallRule = ShortfallRule.SKIP


@dataclass
class AssessmentSettings:
    """How a round is assessed: these may change until scoring has begun."""

    assessors_per_application: int
    pass_mark_percent: int
    moderation_margin_percent: int
    shortfall_rule: ShortfallRule


ASSESSMENT_COLUMNS = ("assessors_per_application", "pass_mark_percent",
                      "moderation_margin_percent", "shortfall_rule")


@dataclass(frozen=True)
class CriterionSettings:
    """One scoring criterion as an officer sets it; weights are whole percentages."""

    name: str
    guidance: str
    weight_percent: int
    scale: ScoreScale
    minimum_score: int | None = None


def _both(values: dict[str, Any], *names: str) -> bool:
    return all(values.get(name) is not None for name in names)


def round_problems(values: dict[str, Any]) -> dict[str, str]:
    """The broken rules, as {form field name: GOV.UK message}.

    `values` uses RoundSettings' names; a value that is missing or None (a form field that did
    not parse) skips the rules that need it, so a form can report the rest at the same time.
    """
    problems: dict[str, str] = {}
    if _both(values, "opens_at", "closes_at") and values["closes_at"] <= values["opens_at"]:
        problems["closes_on"] = "The closing time must be after the opening time"
    for field, name, noun in (("budget", "budget_pence", "The budget"),
                              ("min_award", "min_award_pence", "The minimum award"),
                              ("max_award", "max_award_pence", "The maximum award"),
                              ("max_income", "max_annual_income_pence",
                               "The maximum annual income")):
        if values.get(name) is not None and values[name] <= 0:
            problems[field] = f"{noun} must be more than £0"
    if (_both(values, "min_award_pence", "max_award_pence") and "min_award" not in problems
            and values["min_award_pence"] > values["max_award_pence"]):
        problems["min_award"] = ("The minimum award must be the same as or less than the "
                                 "maximum award")
    if (_both(values, "max_award_pence", "budget_pence") and "max_award" not in problems
            and values["max_award_pence"] > values["budget_pence"]):
        problems["max_award"] = "The maximum award must be the same as or less than the budget"
    months = values.get("max_project_months")
    if months is not None and not 1 <= months <= MAX_PROJECT_MONTHS:
        problems["max_project_months"] = (
            f"The longest project length must be between 1 and {MAX_PROJECT_MONTHS} months")
    if values.get("eligible_legal_forms") == []:
        problems["legal_forms"] = "Select at least one legal form"
    if values.get("any_ward") is False and not values.get("ward_ids"):
        problems["wards"] = "Select at least one ward"
    problems.update(assessment_problems(values))
    return problems


def assessment_problems(values: dict[str, Any]) -> dict[str, str]:
    """The broken rules of the assessment settings (AssessmentSettings' names, which are also
    the form fields' names), as {field name: message}; None values are skipped."""
    problems: dict[str, str] = {}
    assessors = values.get("assessors_per_application")
    if assessors is not None and not 1 <= assessors <= MAX_ASSESSORS:
        problems["assessors_per_application"] = (
            f"The number of assessors must be between 1 and {MAX_ASSESSORS}")
    pass_mark = values.get("pass_mark_percent")
    if pass_mark is not None and not 0 <= pass_mark <= 100:
        message = "The pass mark must be between 0% and 100%"
        problems["pass_mark_percent"] = message
    margin = values.get("moderation_margin_percent")
    if margin is not None and not 0 <= margin <= 100:
        problems["moderation_margin_percent"] = (
            "The moderation margin must be between 0 and 100 percentage points")
    return problems


def criteria_problems(rows: Sequence[dict[str, Any]],
                      numbers: Sequence[int] | None = None) -> dict[tuple[int, str], str]:
    """The broken rules of a round's set of criteria, as {(row index, attribute): message}.

    Each row uses CriterionSettings' names; a None value (a box that did not parse) skips the
    rules that need it. `numbers` are the rows' numbers as the officer sees them ("criterion
    3"), by default 1, 2, 3... The weights' total is checked only when every weight is known,
    and is reported against the first row's weight, where the officer starts correcting.
    """
    numbers = list(numbers or range(1, len(rows) + 1))
    problems: dict[tuple[int, str], str] = {}
    if not rows:
        return {(0, "name"): "Add at least one criterion"}
    if len(rows) > MAX_CRITERIA:
        return {(0, "name"): f"A round can have up to {MAX_CRITERIA} criteria"}
    first_with_name: dict[str, int] = {}
    for index, row in enumerate(rows):
        label = f"criterion {numbers[index]}"
        name = (row.get("name") or "").strip()
        if not name:
            problems[index, "name"] = f"Enter the name of {label}"
        elif len(name) > CRITERION_NAME_LENGTH:
            problems[index, "name"] = (f"The name of {label} must be {CRITERION_NAME_LENGTH} "
                                       "characters or fewer")
        elif name.casefold() in first_with_name:
            earlier = numbers[first_with_name[name.casefold()]]
            problems[index, "name"] = (f"The name of {label} is the same as criterion "
                                       f"{earlier}’s. Give each criterion a different name")
        else:
            first_with_name[name.casefold()] = index
        if len(row.get("guidance") or "") > CRITERION_GUIDANCE_LENGTH:
            problems[index, "guidance"] = (f"The guidance for {label} must be 2,000 "
                                           "characters or fewer")
        weight = row.get("weight_percent")
        if weight is not None and not 1 <= weight <= 100:
            problems[index, "weight_percent"] = (
                f"The weight of {label} must be between 1% and 100%")
        scale, minimum = row.get("scale"), row.get("minimum_score")
        if scale is not None and minimum is not None and not (
                scale.lowest <= minimum <= scale.highest):
            problems[index, "minimum_score"] = (
                f"The minimum score for {label} must be on its scale, from {scale.lowest} to "
                f"{scale.highest}")
    weights = [row.get("weight_percent") for row in rows]
    if None not in weights and (total := sum(weights)) != 100:
        problems.setdefault((0, "weight_percent"), (
            f"The weights must add up to 100%. They add up to {total}%."))
    return problems
