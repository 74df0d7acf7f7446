"""Varying an active contract: extending it, terminating it early, and marking it ended once its
end date has passed. Changing a future year's value or split is `years.plan_years` on an active
contract; the variations here change its dates too.

Every change of money goes through `years.apply_plans`, which commits and releases the
difference in each pot through the funding ledger (entries carrying the contract's id) and
re-schedules the instalments; each variation is kept as a version of the contract's terms with
its reason, and audited, in the same transaction.

Terminating early keeps what falls due up to the termination date and drops every instalment
due after it. Each year's money falls to what stays scheduled, shared between core and
external in proportion to what was planned (whole pence, largest remainder), and its pots'
commitments fall with it: what each pot has paid stays, and the rest of the year's secured
money is shared among its pots in proportion to what each still holds unpaid. The money
no longer needed is released back to the pots.

Ending a contract at its end date releases nothing: an instalment in arrears falls due on the
last day and is paid after it, so the commitments stay until they are paid (a commissioner who
wants money back plans the year down before the contract ends).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from models import Contract, ContractVersion, ContractYear, User
from models.base import utcnow
from models.enums import ContractStatus, FundingSource
from portal import audit, policies
from portal.contracts import lifecycle, years
from portal.contracts.taper import Split
from portal.contracts.years import YearPlan
from portal.dates import format_date, to_london
from portal.exceptions import RuleBroken
from portal.extensions import db
from portal.financial_years import FinancialYear, labels_spanning
from portal.funding.split import pro_rata
from portal.money import format_pounds

ENTER_REASON = "Enter the reason for the change"


def _in_one_transaction(change, *args) -> None:
    """Run `change`, committing what it did, or rolling all of it back when it is refused."""
    try:
        change(*args)
    except RuleBroken:
        db.session.rollback()
        raise
    db.session.commit()


def _require_active(contract: Contract, doing: str) -> None:
    if not lifecycle.may_vary(contract):
        raise RuleBroken(f"Only an active contract can be {doing}; contract "
                         f"{contract.reference} is {contract.status.label.lower()}")


def _require_reason(reason: str) -> str:
    if not reason.strip():
        raise RuleBroken(ENTER_REASON, field="reason")
    return reason.strip()


def _keep_version(user: User, contract: Contract, version_before: int, reason: str,
                  now: datetime) -> None:
    """A version for the variation, unless re-planning its money has already kept one."""
    if contract.version == version_before:
        years.add_version(user, contract, reason, now)


# Extending ------------------------------------------------------------------------------------


def new_years(contract: Contract, ends_on: date) -> list[str]:
    """The financial years a contract would gain by running to `ends_on`."""
    current = set(labels_spanning(contract.starts_on, contract.ends_on))
    return [label for label in labels_spanning(contract.starts_on, ends_on)
            if label not in current]


def a_year_more(contract: Contract) -> date:
    """The end of the financial year after the one the contract ends in: the extension a
    commissioner is offered first."""
    return FinancialYear.containing(contract.ends_on).following().ends_on


def _replan_last_year(contract: Contract, plans: Sequence[YearPlan],
                      today: date) -> list[YearPlan]:
    """The contract's last year as it stands, when it gains quarters by the extension and has
    not ended: re-planning it with the same money and pots shares it over its new quarters."""
    year = FinancialYear.containing(contract.ends_on)
    row = next((each for each in contract.years if each.financial_year == year.label), None)
    if (row is None or contract.ends_on == year.ends_on or year.ends_on < today
            or any(plan.financial_year == year.label for plan in plans)):
        return []
    return [YearPlan(row.financial_year, row.core_pence, row.external_pence,
                     {each.pot_id: each.amount_pence for each in row.funding})]


def extend(user: User, contract: Contract, ends_on: date, plans: Sequence[YearPlan],
           reason: str, now: datetime | None = None) -> None:
    """Run the active contract until the later date `ends_on`, with `plans` giving the money
    of every financial year it gains (committed from those years' pots); a new version with
    `reason`. Refused whole (RuleBroken) with nothing changed."""
    policies.require(policies.can_commission(user))
    _in_one_transaction(_extend, user, contract, ends_on, plans, reason, now or utcnow())


def _extend(user: User, contract: Contract, ends_on: date, plans: Sequence[YearPlan],
            reason: str, now: datetime) -> None:
    contract = years.lock(contract.id)
    _require_active(contract, "extended")
    reason = _require_reason(reason)
    old_ends_on = contract.ends_on
    if ends_on <= old_ends_on:
        raise RuleBroken(f"The new end date must be after {format_date(old_ends_on)}, when the "
                         "contract ends now", field="ends_on")
    gained = new_years(contract, ends_on)
    for label in gained:
        index = next((index for index, plan in enumerate(plans)
                      if plan.financial_year == label), None)
        if index is None or not plans[index].core_pence + plans[index].external_pence:
            raise RuleBroken(f"Enter the money for {label}: it must be more than £0",
                             field="ends_on" if index is None else f"years-{index}-core")
    today = to_london(now).date()
    plans = [*plans, *_replan_last_year(contract, plans, today)]
    version_before = contract.version
    contract.ends_on = ends_on
    db.session.flush()
    years.apply_plans(user, contract, plans, reason, now)
    _keep_version(user, contract, version_before, reason, now)
    audit.record("contract.extended", actor=user, subject=contract,
                 details={"reason": reason, "ends_on_before": old_ends_on.isoformat(),
                          "ends_on": ends_on.isoformat(), "years_added": gained})


# Terminating early ----------------------------------------------------------------------------


@dataclass(frozen=True)
class YearRelease:
    """What terminating early does to one year: its money before and after, and the pots'
    commitments before and after (pot id -> pence)."""

    financial_year: str
    before: Split
    after: Split
    funding_before: Mapping[int, int]
    funding_after: Mapping[int, int]
    instalments_dropped: int
    pot_names: Mapping[int, str]

    @property
    def released_pence(self) -> int:
        """What goes back to the pots."""
        return sum(self.funding_before.values()) - sum(self.funding_after.values())

    @property
    def by_pot(self) -> list[tuple[str, int, int]]:
        """(pot name, pence held before, pence held after) for each pot of the year."""
        return [(self.pot_names[pot_id], pence, self.funding_after.get(pot_id, 0))
                for pot_id, pence in self.funding_before.items()]

    @property
    def plan(self) -> YearPlan:
        return YearPlan(self.financial_year, self.after.core_pence, self.after.external_pence,
                        self.funding_after)


def _source_share(pence: int, holdings: Mapping[int, int], paid: Mapping[int, int],
                  what: str) -> dict[int, int]:
    """`pence` of one source shared among its pots: each keeps what it has paid, and the rest
    goes in proportion to what each holds beyond that. RuleBroken when the pots have paid more
    than `pence`."""
    paid_here = {pot_id: paid.get(pot_id, 0) for pot_id in holdings}
    paid_total = sum(paid_here.values())
    if pence < paid_total:
        raise RuleBroken(f"{format_pounds(paid_total)} of {what} has been paid from the pots, "
                         f"more than the {format_pounds(pence)} left to it by terminating on "
                         "that date: choose a later date", field="terminated_on")
    rest = pro_rata(pence - paid_total, {pot_id: amount - paid_here[pot_id]
                                         for pot_id, amount in holdings.items()})
    return {pot_id: paid_here[pot_id] + rest.get(pot_id, 0) for pot_id in holdings}


def _year_release(row: ContractYear, terminated_on: date, paid_by_pot: Mapping[int, int],
                  paid_by_instalment: Mapping[int, int]) -> YearRelease | None:
    """The year cut to the instalments due by `terminated_on`; None when it keeps them all."""
    dropped = [each for each in row.instalments if each.due_on > terminated_on]
    if not dropped:
        return None
    paid_early = sum(paid_by_instalment.get(each.id, 0) for each in dropped)
    if paid_early:
        raise RuleBroken(f"{format_pounds(paid_early)} has been paid of {row.financial_year}'s "
                         f"instalments due after {format_date(terminated_on)}: choose a later "
                         "date", field="terminated_on")
    kept = sum(each.amount_pence for each in row.instalments if each.due_on <= terminated_on)
    shares = pro_rata(kept, {0: row.core_pence, 1: row.external_pence})
    after = Split(shares.get(0, 0), shares.get(1, 0))
    holdings = {source: {each.pot_id: each.amount_pence for each in row.funding
                         if each.pot.source is source} for source in FundingSource}
    external_secured = sum(holdings[FundingSource.EXTERNAL].values())
    funding = {
        **_source_share(after.core_pence, holdings[FundingSource.CORE], paid_by_pot,
                        f"{row.financial_year}'s core money"),
        **_source_share(min(after.external_pence, external_secured),
                        holdings[FundingSource.EXTERNAL], paid_by_pot,
                        f"{row.financial_year}'s external money")}
    return YearRelease(row.financial_year, Split(row.core_pence, row.external_pence), after,
                       {each.pot_id: each.amount_pence for each in row.funding},
                       {pot_id: pence for pot_id, pence in funding.items() if pence},
                       len(dropped), {each.pot_id: each.pot.name for each in row.funding})


def _check_termination(contract: Contract, terminated_on: date, today: date) -> None:
    lifecycle.check(contract, ContractStatus.TERMINATED)
    if terminated_on < today:
        raise RuleBroken("The termination date must be today or in the future",
                         field="terminated_on")
    if terminated_on >= contract.ends_on:
        raise RuleBroken("The termination date must be before the contract’s end date, "
                         f"{format_date(contract.ends_on)}", field="terminated_on")


def _releases(contract: Contract, terminated_on: date, now: datetime) -> list[YearRelease]:
    _check_termination(contract, terminated_on, to_london(now).date())
    paid_by_pot = years.paid_by_pot(contract.id)
    paid_by_instalment = years.paid_by_instalment(contract.id)
    found = (_year_release(row, terminated_on, paid_by_pot, paid_by_instalment)
             for row in contract.years)
    return [release for release in found if release]


def termination_preview(user: User, contract: Contract, terminated_on: date,
                        now: datetime | None = None) -> list[YearRelease]:
    """What terminating the contract on `terminated_on` would do to each year it changes,
    without changing anything; RuleBroken when it cannot be terminated on that date."""
    policies.require(policies.can_commission(user))
    return _releases(contract, terminated_on, now or utcnow())


def terminate(user: User, contract: Contract, terminated_on: date, reason: str,
              now: datetime | None = None) -> list[YearRelease]:
    """End the active contract early on `terminated_on` (today or later, before its end
    date), releasing the money of every instalment due after it back to the pots; a new
    version and the reason kept. Refused whole (RuleBroken) with nothing changed."""
    policies.require(policies.can_commission(user))
    released: list[YearRelease] = []
    _in_one_transaction(_terminate, user, contract, terminated_on, reason, now or utcnow(),
                        released)
    return released


def _terminate(user: User, contract: Contract, terminated_on: date, reason: str,
               now: datetime, released: list[YearRelease]) -> None:
    contract = years.lock(contract.id)
    reason = _require_reason(reason)
    released.extend(_releases(contract, terminated_on, now))
    why = f"Terminated early on {format_date(terminated_on)}: {reason}"
    version_before = contract.version
    # Set first, so that re-scheduling keeps no quarter after the termination date.
    contract.terminated_on, contract.termination_reason = terminated_on, reason
    db.session.flush()
    if released:
        years.apply_plans(user, contract, [release.plan for release in released], why, now)
    _keep_version(user, contract, version_before, why, now)
    lifecycle.move(user, contract, ContractStatus.TERMINATED, {
        "terminated_on": terminated_on.isoformat(), "reason": reason,
        "released": {release.financial_year: release.released_pence for release in released}})


# Ending at the end date -----------------------------------------------------------------------


def end(user: User, contract: Contract, now: datetime | None = None) -> None:
    """Mark an active contract ended once its end date has passed. Its commitments stay, to
    pay what is still due (see the module's docstring)."""
    policies.require(policies.can_commission(user))
    _in_one_transaction(_end, user, contract, now or utcnow())


def _end(user: User, contract: Contract, now: datetime) -> None:
    contract = years.lock(contract.id)
    lifecycle.check(contract, ContractStatus.ENDED)
    if contract.ends_on >= to_london(now).date():
        raise RuleBroken(f"Contract {contract.reference} runs until "
                         f"{format_date(contract.ends_on)}: it can be marked ended after that")
    lifecycle.move(user, contract, ContractStatus.ENDED, {"ends_on": contract.ends_on.isoformat()})


# Versions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionYear:
    financial_year: str
    core_pence: int
    external_pence: int

    @property
    def total_pence(self) -> int:
        return self.core_pence + self.external_pence


@dataclass(frozen=True)
class VersionShown:
    """A version of the contract's terms, its years, and what changed since the one before."""

    version: ContractVersion
    years: list[VersionYear]
    changes: list[str]

    @property
    def ends_on(self) -> date:
        return date.fromisoformat(self.version.terms["ends_on"])


def _years_of(terms: Mapping) -> dict[str, VersionYear]:
    return {label: VersionYear(label, year["core_pence"], year["external_pence"])
            for label, year in sorted(terms.get("years", {}).items())}


def changes_between(before: Mapping | None, after: Mapping) -> list[str]:
    """What changed from one version's terms to the next, in words."""
    if before is None:
        return []
    changes = []
    if before["ends_on"] != after["ends_on"]:
        changes.append(f"End date {format_date(date.fromisoformat(before['ends_on']))} to "
                       f"{format_date(date.fromisoformat(after['ends_on']))}")
    if before.get("pays_in_advance") != after.get("pays_in_advance"):
        changes.append("Instalments paid in advance" if after.get("pays_in_advance")
                       else "Instalments paid in arrears")
    old, new = _years_of(before), _years_of(after)
    for label, year in new.items():
        was = old.get(label, VersionYear(label, 0, 0))
        if (was.core_pence, was.external_pence) != (year.core_pence, year.external_pence):
            changes.append(
                f"{label}: core {format_pounds(was.core_pence)} to "
                f"{format_pounds(year.core_pence)}, external "
                f"{format_pounds(was.external_pence)} to {format_pounds(year.external_pence)}")
        elif before["years"].get(label, {}).get("funding") != after["years"][label]["funding"]:
            changes.append(f"{label}: the pots it is paid from")
    return changes


def versions(user: User, contract: Contract) -> list[VersionShown]:
    """Every version of the contract's terms, newest first, with what each changed: two
    queries."""
    policies.require(policies.can_commission(user))
    found = list(db.session.scalars(
        select(ContractVersion).where(ContractVersion.contract_id == contract.id)
        .options(joinedload(ContractVersion.created_by)).order_by(ContractVersion.number)))
    shown, before = [], None
    for version in found:
        shown.append(VersionShown(version, list(_years_of(version.terms).values()),
                                  changes_between(before, version.terms)))
        before = version.terms
    return shown[::-1]

