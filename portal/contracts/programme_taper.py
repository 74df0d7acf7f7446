"""Applying a taper rule to a programme's contracts: previewing its effect on every year and
contract against the pots, and applying it to live data through the contract-years service
(`years`), with all its checks, in one transaction.

The taper shares each year after the first in proportion to the contracts' first-year money
(see `taper`). It covers the programme's target years; a contract takes part when it is a
draft or active, runs through all of those years and has its first year planned. Core money
beyond what the year's core pots have is refused; external money beyond the external pots
is the gap still to secure.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import Contract, ContractYear, LedgerEntry, Programme, User
from models.base import utcnow
from models.enums import FundingSource
from portal import audit, policies
from portal.contracts import years as contract_years
from portal.contracts.taper import ContractPlan, Split, Taper, TaperPlan, apply_taper
from portal.exceptions import RuleBroken
from portal.extensions import db
from portal.financial_years import labels_spanning
from portal.funding import ledger
from portal.money import format_pounds

NO_TARGETS = "Give the programme its core budget target for each year before applying a taper"


@dataclass(frozen=True)
class Excluded:
    contract: Contract
    why: str


@dataclass(frozen=True)
class YearCheck:
    """What the year's pots can cover of the plan: core beyond the core pots is refused,
    external beyond the external pots is a gap to secure."""

    financial_year: str
    core_available_pence: int
    external_available_pence: int
    core_needed_pence: int
    external_needed_pence: int

    @property
    def core_short_pence(self) -> int:
        return max(self.core_needed_pence - self.core_available_pence, 0)

    @property
    def external_gap_pence(self) -> int:
        return max(self.external_needed_pence - self.external_available_pence, 0)


@dataclass(frozen=True)
class TaperPreview:
    taper: Taper
    before: TaperPlan
    after: TaperPlan
    checks: tuple[YearCheck, ...]
    contracts: dict[str, Contract]
    excluded: tuple[Excluded, ...]

    @property
    def problems(self) -> list[str]:
        """Why the plan cannot be applied, a sentence for each year whose core pots are short."""
        return [f"The core pots for {check.financial_year} have "
                f"{format_pounds(check.core_available_pence)} for these contracts, "
                f"{format_pounds(check.core_short_pence)} less than the "
                f"{format_pounds(check.core_needed_pence)} of core funding the taper plans"
                for check in self.checks if check.core_short_pence]


def taper_years(programme: Programme) -> list[str]:
    """The years a taper covers: the programme's target years, in order."""
    if not programme.years:
        raise RuleBroken(NO_TARGETS, field="core")
    return [year.financial_year for year in programme.years]


def _contracts(programme: Programme) -> list[Contract]:
    return list(db.session.scalars(
        select(Contract).where(Contract.programme_id == programme.id,
                               Contract.status.in_(contract_years.PLANNABLE))
        .options(selectinload(Contract.years).selectinload(ContractYear.funding))
        .order_by(Contract.reference)))


def _split(contract: Contract, label: str) -> Split:
    year = next((year for year in contract.years if year.financial_year == label), None)
    return Split(year.core_pence, year.external_pence) if year else Split(0, 0)


def _taking_part(contracts: Sequence[Contract], labels: Sequence[str]
                 ) -> tuple[list[Contract], list[Excluded]]:
    included, excluded = [], []
    for contract in contracts:
        spans = labels_spanning(contract.starts_on, contract.ends_on)
        first = _split(contract, labels[0])
        if not set(labels) <= set(spans):
            excluded.append(Excluded(contract, f"it does not run through {labels[-1]}"
                                     if labels[0] in spans else
                                     f"it does not run in {labels[0]}"))
        elif not first.total_pence:
            excluded.append(Excluded(contract, f"its {labels[0]} money is not planned"))
        elif first.core_pence % 100 or first.external_pence % 100:
            excluded.append(Excluded(contract, f"its {labels[0]} money is not in whole pounds"))
        else:
            included.append(contract)
    return included, excluded


def _current(contracts: Sequence[Contract], labels: Sequence[str]) -> TaperPlan:
    plans = tuple(ContractPlan(contract.reference,
                               tuple(_split(contract, label) for label in labels))
                  for contract in contracts)
    programme = tuple(Split(sum(plan.splits[index].core_pence for plan in plans),
                            sum(plan.splits[index].external_pence for plan in plans))
                      for index in range(len(labels)))
    return TaperPlan(tuple(labels), programme, plans)


def _checks(programme: Programme, contracts: Sequence[Contract], plan: TaperPlan
            ) -> tuple[YearCheck, ...]:
    """What each year's pots could give these contracts: what the pots have available plus
    what the contracts already hold from them."""
    held = {pot_id: int(pence) for pot_id, pence in db.session.execute(
        select(LedgerEntry.pot_id, ledger.committed_sum())
        .where(LedgerEntry.contract_id.in_([contract.id for contract in contracts]))
        .group_by(LedgerEntry.pot_id))}
    choices = contract_years.pot_choices(programme, plan.years, held)
    checks = []
    for label, needed in plan.programme_by_year().items():
        available = {source: sum(choice.available_pence for choice in choices[label]
                                 if choice.pot.source is source) for source in FundingSource}
        checks.append(YearCheck(label, available[FundingSource.CORE],
                                available[FundingSource.EXTERNAL], needed.core_pence,
                                needed.external_pence))
    return tuple(checks)


def preview(user: User, programme: Programme, taper: Taper) -> TaperPreview:
    """The taper's effect on every year and contract, and whether the pots can carry it,
    changing nothing. RuleBroken when the rule itself cannot be kept."""
    policies.require(policies.can_commission(user))
    labels = taper_years(programme)
    included, excluded = _taking_part(_contracts(programme), labels)
    if not included:
        raise RuleBroken(f"No contract in the programme has its {labels[0]} money planned "
                         f"and runs through {labels[-1]}", field="contracts")
    after = apply_taper(taper, {contract.reference: _split(contract, labels[0])
                                for contract in included}, labels)
    return TaperPreview(taper, _current(included, labels), after,
                        _checks(programme, included, after),
                        {contract.reference: contract for contract in included},
                        tuple(excluded))


def _apply_to(user: User, contract: Contract, plans: list[contract_years.YearPlan],
              reason: str, now: datetime) -> None:
    try:
        contract_years.apply_plans(user, contract, plans, reason, now)
    except RuleBroken as error:
        raise RuleBroken(f"Contract {contract.reference}: {error.message}") from error


def apply(user: User, programme: Programme, taper: Taper, reason: str,
          now: datetime | None = None) -> TaperPreview:
    """Plan every taking-part contract's years after the first as the taper says, through
    the contract-years service, all or nothing. RuleBroken (nothing changed) when the core
    pots are short or any contract's plan is refused."""
    policies.require(policies.can_commission(user))
    if not reason.strip():
        raise RuleBroken("Enter the reason for applying the taper", field="reason")
    now = now or utcnow()
    try:
        result = preview(user, programme, taper)
        if result.problems:
            raise RuleBroken(result.problems[0])
        for reference, contract in result.contracts.items():
            changed = [contract_years.YearPlan(label, split.core_pence, split.external_pence)
                       for label, split, was in zip(
                           result.after.years, result.after.contract(reference).splits,
                           result.before.contract(reference).splits, strict=True)
                       if split != was]
            if changed:
                _apply_to(user, contract, changed, reason, now)
        audit.record("programme.taper_applied", actor=user, subject=programme,
                     details={"reason": reason.strip(), "taper": taper.as_dict(),
                              "contracts": sorted(result.contracts)})
    except RuleBroken:
        db.session.rollback()
        raise
    db.session.commit()
    return result
