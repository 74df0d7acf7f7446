"""The rules a round's settings keep, written once: the round form shows every broken rule
beside its field, and the services refuse a round that breaks one (the database's CHECK
constraints hold the money and time rules a third time)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

MAX_PROJECT_MONTHS = 120  # ten years: anything longer is a typing mistake


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
    return problems
