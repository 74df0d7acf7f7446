"""What-if scenarios: a programme's taper rules saved by name, to see their effect on every year
and contract and to compare two side by side, without touching live data. Each is worked out
afresh from the live contracts and pots whenever it is shown (`programme_taper.preview`);
applying one goes through `programme_taper.apply`, with all its checks, like any taper. Only
commissioners (policies.can_commission) reach anything here; saving, deleting and applying are
audited.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from models import Programme, Scenario, User
from portal import audit, policies
from portal.contracts import programme_taper
from portal.contracts.taper import CoreTaper, Taper, TaperPlan, TotalRule, difference
from portal.exceptions import NotAllowed, NotFound, RuleBroken
from portal.extensions import db
from portal.money import format_pounds

NAME_LENGTH = 120
NO_NAME = "Enter a name for the scenario"
LONG_NAME = f"The scenario’s name must be {NAME_LENGTH} characters or fewer"
DUPLICATE_NAME = "There is already a scenario called {name}"


def scenarios(user: User, programme: Programme) -> list[Scenario]:
    """The programme's scenarios by name."""
    policies.require(policies.can_commission(user))
    return list(db.session.scalars(select(Scenario).where(Scenario.programme_id == programme.id)
                                   .options(joinedload(Scenario.created_by))
                                   .order_by(Scenario.name, Scenario.id)))


def get_scenario(user: User, programme: Programme, scenario_id: int) -> Scenario:
    """One of the programme's scenarios; NotFound when the programme has none with that id,
    so no other programme's scenario is reachable by guessing ids."""
    policies.require(policies.can_commission(user))
    scenario = db.session.scalar(select(Scenario).where(Scenario.id == scenario_id,
                                                        Scenario.programme_id == programme.id))
    if scenario is None:
        raise NotFound(scenario_id)
    return scenario


def core_targets(programme: Programme) -> dict[str, int]:
    """The council's core budget target for each of the programme's years."""
    return {year.financial_year: year.core_target_pence for year in programme.years}


def _percent(value: Fraction) -> str:
    """20 -> '20%', 25/2 -> '12.5%', 100/3 -> 'about 33.33%'."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    if Fraction(exact) == value:
        return f"{exact.normalize():f}%"
    return f"about {exact:.2f}%"


def described(taper: Taper) -> dict[str, str]:
    """The rule in words: how core funding falls and what the total does."""
    core = {
        CoreTaper.FIXED_AMOUNT: lambda: f"Falls by {format_pounds(taper.amount_pence)} a year",
        CoreTaper.PERCENTAGE: lambda: f"Falls by {_percent(taper.percentage)} a year",
        CoreTaper.TO_TARGET: lambda: f"Falls to {format_pounds(taper.target_pence)} by the "
                                     "last year",
        CoreTaper.CUSTOM: lambda: "Set for each year: " + ", ".join(
            format_pounds(pence) for pence in taper.schedule_pence),
    }[taper.core]
    total = {
        TotalRule.FLAT: lambda: "Stays the same: external funding replaces the core lost",
        TotalRule.WITH_CORE: lambda: "Falls with core: external funding stays at the first "
                                     "year’s",
        TotalRule.PERCENTAGE: lambda: f"Falls by {_percent(taper.total_percentage)} a year",
        TotalRule.TO_TARGET: lambda: f"Falls to {format_pounds(taper.total_target_pence)} by "
                                     "the last year",
    }[taper.total]
    return {"Core funding": core(), "Total funding": total()}


def taper_of(scenario: Scenario) -> Taper:
    return Taper.from_dict(scenario.rule)


def _checked_name(programme: Programme, name: str) -> str:
    name = name.strip()
    if not name:
        raise RuleBroken(NO_NAME, field="name")
    if len(name) > NAME_LENGTH:
        raise RuleBroken(LONG_NAME, field="name")
    taken = select(Scenario.id).where(Scenario.programme_id == programme.id,
                                      Scenario.name == name)
    if db.session.scalar(taken) is not None:
        raise RuleBroken(DUPLICATE_NAME.format(name=name), field="name")
    return name


def save(user: User, programme: Programme, name: str, taper: Taper) -> Scenario:
    """Save `taper` as a named scenario of the programme. RuleBroken when the name is missing or
    taken, or when the rule cannot be kept for the programme's contracts (nothing is saved)."""
    policies.require(policies.can_commission(user))
    name = _checked_name(programme, name)
    programme_taper.preview(user, programme, taper)  # refuses a rule that cannot be worked out
    scenario = Scenario(programme=programme, name=name, rule=taper.as_dict(), created_by=user)
    db.session.add(scenario)
    try:
        db.session.flush()
    except IntegrityError as error:  # the same name saved by someone else at the same moment
        db.session.rollback()
        raise RuleBroken(DUPLICATE_NAME.format(name=name), field="name") from error
    audit.record("scenario.saved", actor=user, subject=scenario,
                 details={"programme_id": programme.id, "name": name, "rule": scenario.rule})
    db.session.commit()
    return scenario


def preview(user: User, scenario: Scenario) -> programme_taper.TaperPreview:
    """The scenario's effect on every year and contract as things stand now, changing
    nothing. RuleBroken when its rule cannot be kept with today's contracts."""
    return programme_taper.preview(user, scenario.programme, taper_of(scenario))


@dataclass(frozen=True)
class Comparison:
    """Two scenarios worked out on the same live data, and second − first."""

    first: programme_taper.TaperPreview
    second: programme_taper.TaperPreview
    difference: TaperPlan


def compare(user: User, first: Scenario, second: Scenario) -> Comparison:
    """Both scenarios' plans and how the second differs from the first, year by year and
    contract by contract."""
    first_preview, second_preview = preview(user, first), preview(user, second)
    return Comparison(first_preview, second_preview,
                      difference(first_preview.after, second_preview.after))


def delete(user: User, scenario: Scenario) -> None:
    policies.require(policies.can_commission(user))
    audit.record("scenario.deleted", actor=user, subject=scenario,
                 details={"programme_id": scenario.programme_id, "name": scenario.name,
                          "rule": scenario.rule})
    db.session.delete(scenario)
    db.session.commit()


def apply(user: User, scenario: Scenario, reason: str,
          now: datetime | None = None) -> programme_taper.TaperPreview:
    """Apply the scenario's rule to live data through `programme_taper.apply`, all or nothing; the
    audit event naming the scenario is saved in the same transaction, or not at all."""
    policies.require(policies.can_commission(user))
    audit.record("scenario.applied", actor=user, subject=scenario,
                 details={"programme_id": scenario.programme_id, "name": scenario.name,
                          "rule": scenario.rule, "reason": reason.strip()})
    try:
        return programme_taper.apply(user, scenario.programme, taper_of(scenario), reason, now)
    except (RuleBroken, NotAllowed):
        db.session.rollback()  # programme_taper.apply does not roll back every refusal itself
        raise
