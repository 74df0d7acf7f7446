"""A contract's money, year by year: each financial year's planned value split into core and
external, the pots of that year it is committed from (through the funding ledger, with the
contract's id), and the quarterly instalments it is paid in.

Core money is the council's own and must be in its pots in full: a plan whose core the year's
core pots cannot cover is refused. External money may be planned before a partner has put it
in a pot: what the external pots cannot cover yet is the year's external funding gap, shown on
the taper dashboard and secured later by planning the year again.

A draft's plan commits money as soon as it is made, so that two commissioners cannot plan the
same pounds twice; once the contract is active each change is a variation, kept as a version
with its reason.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from models import (
    Contract,
    ContractFunding,
    ContractInstalment,
    ContractPayment,
    ContractVersion,
    ContractYear,
    FundingPot,
    LedgerEntry,
    Programme,
    User,
)
from models.base import utcnow
from models.enums import ContractStatus, FundingSource, LedgerKind, PotStatus, SplitPolicy
from portal import audit, policies
from portal.contracts import lifecycle
from portal.dates import to_london
from portal.exceptions import NotFound, RuleBroken
from portal.extensions import db
from portal.financial_years import FinancialYear, labels_spanning
from portal.funding import ledger
from portal.funding.split import PotOption, ShortOfFunds, propose
from portal.money import format_pounds

QUARTERS = (1, 2, 3, 4)
PLANNABLE = frozenset({ContractStatus.DRAFT, ContractStatus.ACTIVE})


@dataclass(frozen=True)
class YearPlan:
    """A year's planned core and external money, and the pence each pot commits to it
    (pot id -> pence). The core pots' pence add up to the core; the external pots' to at most
    the external, the rest being the gap still to secure. An empty `funding` asks for the
    pots to be chosen (`propose_funding`)."""

    financial_year: str
    core_pence: int
    external_pence: int
    funding: Mapping[int, int] | None = None


@dataclass(frozen=True)
class PotChoice:
    """A pot that may fund the programme's contracts in its year, with what one contract
    could draw from it: what it has available plus what the contract already holds from it."""

    pot: FundingPot
    available_pence: int

    @property
    def option(self) -> PotOption:
        return PotOption(self.pot.id, self.pot.source, self.available_pence, self.pot.spend_by)


def _may_fund(pot: FundingPot, programme: Programme) -> bool:
    """A pot funds a programme's contracts when it is restricted to that programme, or when
    it has no restriction at all: a pot restricted to schemes, themes or wards is meant for
    grants."""
    if pot.programmes:
        return any(each.id == programme.id for each in pot.programmes)
    return not (pot.schemes or pot.themes or pot.wards)


def pot_choices(programme: Programme, years: Sequence[str],
                held: Mapping[int, int] | None = None) -> dict[str, list[PotChoice]]:
    """The open pots of `years` that may fund `programme`'s contracts, by year, in the order
    money is drawn from them (spend-by date, then the oldest pot): two queries. `held` adds
    what a contract already holds from each pot, since re-planning it frees that money."""
    pots = list(db.session.scalars(
        select(FundingPot).where(FundingPot.financial_year.in_(list(years)),
                                 FundingPot.status != PotStatus.CLOSED)
        .options(selectinload(FundingPot.programmes), selectinload(FundingPot.schemes),
                 selectinload(FundingPot.themes), selectinload(FundingPot.wards))
        .order_by(FundingPot.spend_by.is_(None), FundingPot.spend_by, FundingPot.id)))
    pots = [pot for pot in pots if _may_fund(pot, programme)]
    held = held or {}
    choices: dict[str, list[PotChoice]] = {year: [] for year in years}
    for pot in pots:
        available = max(ledger.balance_of(pot).available_pence, 0) + held.get(pot.id, 0)
        choices[pot.financial_year].append(PotChoice(pot, available))
    return choices


def propose_funding(year: str, core_pence: int, external_pence: int,
                    choices: Sequence[PotChoice]) -> dict[int, int]:
    """Pence from each pot for a year: all the core from the core pots (RuleBroken when they
    have too little), and as much of the external as the external pots have."""
    options = [choice.option for choice in choices]
    core = [option for option in options if option.source is FundingSource.CORE]
    external = [option for option in options if option.source is FundingSource.EXTERNAL]
    funding: dict[int, int] = {}
    if core_pence:
        try:
            funding.update(propose(core_pence, core, SplitPolicy.CORE_FIRST))
        except ShortOfFunds as short:
            raise RuleBroken(
                f"The core pots for {year} have {format_pounds(core_pence - short.shortfall_pence)}"
                f" available, {format_pounds(short.shortfall_pence)} less than the "
                f"{format_pounds(core_pence)} of core funding planned", field="core") from short
    securable = min(external_pence, sum(option.available_pence for option in external))
    if securable:
        funding.update(propose(securable, external, SplitPolicy.EXTERNAL_FIRST))
    return funding


# What a contract holds --------------------------------------------------------------------


def _by_pot(contract_id: int, amount) -> dict[int, int]:
    return {pot_id: int(pence) for pot_id, pence in db.session.execute(
        select(LedgerEntry.pot_id, amount).where(LedgerEntry.contract_id == contract_id)
        .group_by(LedgerEntry.pot_id))}


def committed_by_pot(contract_id: int) -> dict[int, int]:
    """What the ledger holds committed to the contract in each pot (commitments less
    releases), by the ledger's own arithmetic."""
    return _by_pot(contract_id, ledger.committed_sum())


def paid_by_pot(contract_id: int) -> dict[int, int]:
    """What the ledger shows paid to the provider from each pot (payments less clawbacks)."""
    return _by_pot(contract_id, ledger.paid_sum())


def paid_by_instalment(contract_id: int) -> dict[int, int]:
    """What has been paid of each of the contract's instalments (instalment id -> pence)."""
    return {instalment_id: int(pence) for instalment_id, pence in db.session.execute(
        select(ContractPayment.instalment_id, func.sum(ContractPayment.amount_pence))
        .where(ContractPayment.contract_id == contract_id)
        .group_by(ContractPayment.instalment_id))}


# Checking a plan ---------------------------------------------------------------------------


def _check_year(contract: Contract, index: int, plan: YearPlan, today: date) -> None:
    """RuleBroken, naming the field of row `index`, when the year or its amounts are wrong."""
    field = f"years-{index}-"
    if plan.financial_year not in labels_spanning(contract.starts_on, contract.ends_on):
        raise RuleBroken(f"{plan.financial_year} is not a year of contract {contract.reference}",
                         field=field + "financial_year")
    if plan.core_pence < 0 or plan.external_pence < 0:
        which = "core" if plan.core_pence < 0 else "external"
        raise RuleBroken(f"The {which} funding for {plan.financial_year} must be £0 or more",
                         field=field + which)
    if contract.status is ContractStatus.ACTIVE \
            and FinancialYear.parse(plan.financial_year).ends_on < today:
        raise RuleBroken(f"{plan.financial_year} has ended: its money can no longer change",
                         field=field + "financial_year")


def _check_funding(index: int, plan: YearPlan, pots: Mapping[int, FundingPot]) -> None:
    """RuleBroken when the pots' amounts do not match the core and external planned."""
    field = f"years-{index}-"
    by_source = defaultdict(int)
    for pot_id, pence in (plan.funding or {}).items():
        pot = pots.get(pot_id)
        if pot is None or pot.financial_year != plan.financial_year:
            raise RuleBroken(f"Choose pots of {plan.financial_year} that may fund this "
                             "programme", field=field + "funding")
        if pence < 0:
            raise RuleBroken(f"The amount from {pot.name} must be £0 or more",
                             field=field + "funding")
        by_source[pot.source] += pence
    core, external = by_source[FundingSource.CORE], by_source[FundingSource.EXTERNAL]
    if core != plan.core_pence:
        raise RuleBroken(
            f"The core pots' amounts for {plan.financial_year} add up to {format_pounds(core)}, "
            f"not the {format_pounds(plan.core_pence)} of core funding planned",
            field=field + "core")
    if external > plan.external_pence:
        raise RuleBroken(
            f"The external pots' amounts for {plan.financial_year} add up to "
            f"{format_pounds(external)}, more than the {format_pounds(plan.external_pence)} of "
            "external funding planned", field=field + "external")


# Changing the money --------------------------------------------------------------------------


def _postings(contract: Contract, wanted: Mapping[int, int],
              pots: Mapping[int, FundingPot]) -> list[ledger.Posting]:
    """The commitments and releases that take the contract's holdings in the pots of the
    years being planned to `wanted` (pot id -> pence); RuleBroken when a pot would hold less
    than has been paid from it."""
    committed, paid = committed_by_pot(contract.id), paid_by_pot(contract.id)
    postings = []
    for pot_id in sorted(wanted):
        change = wanted[pot_id] - committed.get(pot_id, 0)
        if wanted[pot_id] < paid.get(pot_id, 0):
            pot = pots[pot_id]
            raise RuleBroken(
                f"{format_pounds(paid[pot_id])} has been paid to the provider from {pot.name} "
                f"({pot.financial_year}): the contract cannot have less than that from it",
                field="funding")
        if change:
            kind = LedgerKind.COMMITMENT if change > 0 else LedgerKind.RELEASE
            postings.append(ledger.Posting(pot_id, kind, abs(change)))
    return postings


def quarter_due_on(contract: Contract, year: FinancialYear, quarter: int) -> date | None:
    """When a quarter's instalment falls due: its first day (in advance) or its last (in
    arrears), kept within the contract's dates; None when the contract does not run in
    that quarter, or it would fall due after the contract was terminated."""
    first, last = year.quarter(quarter)
    first, last = max(first, contract.starts_on), min(last, contract.ends_on)
    if first > last:
        return None
    due_on = first if contract.pays_in_advance else last
    if contract.terminated_on and due_on > contract.terminated_on:
        return None
    return due_on


def schedule(contract: Contract, year: ContractYear, paid: Mapping[int, int]) -> None:
    """Share the year's total into its quarters' instalments, equal shares in whole pence with
    the odd pence in the earliest quarters. A quarter already paid something keeps its
    instalment; the rest of the total is shared among the others."""
    financial_year = FinancialYear.parse(year.financial_year)
    kept = [each for each in year.instalments if paid.get(each.id)]
    kept_quarters = {each.quarter for each in kept}
    open_quarters = [(quarter, due_on) for quarter in QUARTERS
                     if quarter not in kept_quarters
                     and (due_on := quarter_due_on(contract, financial_year, quarter))]
    left = year.total_pence - sum(each.amount_pence for each in kept)
    if left < 0 or (left and not open_quarters):
        raise RuleBroken(f"{format_pounds(sum(each.amount_pence for each in kept))} of "
                         f"{year.financial_year} is in instalments already paid: the year "
                         f"cannot be {format_pounds(year.total_pence)}", field="total")
    share, odd = divmod(left, len(open_quarters)) if open_quarters else (0, 0)
    instalments = list(kept)
    for position, (quarter, due_on) in enumerate(open_quarters):
        amount = share + (position < odd)
        if amount:
            instalments.append(ContractInstalment(quarter=quarter, due_on=due_on,
                                                  amount_pence=amount))
    # Rows of quarters not paid are replaced: flush their removal before adding new ones, or
    # the (year, quarter) unique constraint would see both.
    year.instalments = kept
    db.session.flush()
    year.instalments = sorted(instalments, key=lambda each: each.quarter)


def _year_row(contract: Contract, label: str) -> ContractYear:
    row = next((year for year in contract.years if year.financial_year == label), None)
    if row is None:
        row = ContractYear(financial_year=label)
        contract.years.append(row)
    return row


def _set_funding(row: ContractYear, funding: Mapping[int, int]) -> None:
    existing = {each.pot_id: each for each in row.funding}
    kept = []
    for pot_id, pence in sorted(funding.items()):
        if pence <= 0:
            continue
        each = existing.get(pot_id) or ContractFunding(pot_id=pot_id)
        each.amount_pence = pence
        kept.append(each)
    row.funding = kept


def terms(contract: Contract) -> dict:
    """The contract's money as data, for its versions and the audit log."""
    return {"starts_on": contract.starts_on.isoformat(), "ends_on": contract.ends_on.isoformat(),
            "pays_in_advance": contract.pays_in_advance,
            "years": {year.financial_year: {
                "core_pence": year.core_pence, "external_pence": year.external_pence,
                "funding": {str(each.pot_id): each.amount_pence for each in year.funding},
                "instalments": {str(each.quarter): [each.due_on.isoformat(), each.amount_pence]
                                for each in year.instalments}}
                      for year in contract.years}}


def add_version(user: User, contract: Contract, reason: str, now: datetime) -> ContractVersion:
    """Keep the contract's terms as they now stand, as its next version."""
    contract.version += 1
    version = ContractVersion(contract=contract, number=contract.version, reason=reason,
                              terms=terms(contract), created_by=user, created_at=now)
    db.session.add(version)
    return version


def lock(contract_id: int) -> Contract:
    """Lock the contract's row until the transaction ends, so that two commissioners cannot
    re-plan or pay it at once, and load it afresh with its years; NotFound when unknown."""
    contract = db.session.scalar(
        select(Contract).where(Contract.id == contract_id).with_for_update(of=Contract)
        .options(selectinload(Contract.years).selectinload(ContractYear.funding),
                 selectinload(Contract.years).selectinload(ContractYear.instalments))
        .execution_options(populate_existing=True))
    if contract is None:
        raise NotFound(contract_id)
    return contract


def plan_years(user: User, contract: Contract, plans: Sequence[YearPlan], reason: str,
               now: datetime | None = None) -> None:
    """Set the money of some of the contract's years, committing and releasing the
    difference in each pot through the ledger, and re-scheduling those years' instalments.
    For an active contract the change is a variation and keeps a version with `reason`.
    Refused whole (RuleBroken) if any year does not hang together, a pot is short or less
    would be committed than has been paid; the caller's session is rolled back then."""
    policies.require(policies.can_commission(user))
    now = now or utcnow()
    try:
        apply_plans(user, contract, plans, reason, now)
    except RuleBroken:
        db.session.rollback()
        raise
    db.session.commit()


def _held_elsewhere(held: Mapping[int, int], labels: Sequence[str],
                    choices: Mapping[int, FundingPot]) -> dict[int, FundingPot]:
    """The pots of `labels` the contract holds money in that could not be chosen again (closed
    since, or no longer for the programme): a plan may keep or lower what they hold, and one
    that leaves them out releases it, so the funding rows always match the ledger."""
    ids = [pot_id for pot_id, pence in held.items() if pence and pot_id not in choices]
    if not ids:
        return {}
    return {pot.id: pot for pot in db.session.scalars(
        select(FundingPot).where(FundingPot.id.in_(ids),
                                 FundingPot.financial_year.in_(list(labels))))}


def apply_plans(user: User, contract: Contract, plans: Sequence[YearPlan], reason: str,
                now: datetime) -> None:
    """`plan_years` without its transaction, so that a taper can plan many contracts in
    one: the caller commits, or rolls back on RuleBroken."""
    contract = lock(contract.id)
    if contract.status not in PLANNABLE:
        raise RuleBroken(f"Contract {contract.reference} is {contract.status.label.lower()}: "
                         "its money can no longer change")
    if contract.status is ContractStatus.ACTIVE and not reason.strip():
        raise RuleBroken("Enter the reason for the change", field="reason")
    labels = [plan.financial_year for plan in plans]
    if len(set(labels)) != len(labels):
        raise RuleBroken("Give each year once", field="years")
    today = to_london(now).date()
    for index, plan in enumerate(plans):
        _check_year(contract, index, plan, today)
    held = committed_by_pot(contract.id)
    choices = pot_choices(contract.programme, labels, held)
    pots = {choice.pot.id: choice.pot for year in choices.values() for choice in year}
    pots.update(_held_elsewhere(held, labels, pots))
    plans = [plan if plan.funding is not None else
             YearPlan(plan.financial_year, plan.core_pence, plan.external_pence,
                      _proposed(index, plan, choices[plan.financial_year]))
             for index, plan in enumerate(plans)]
    for index, plan in enumerate(plans):
        _check_funding(index, plan, pots)
    before = terms(contract)
    wanted = {pot.id: 0 for pot in pots.values() if held.get(pot.id)}
    for plan in plans:
        wanted.update(plan.funding)
    postings = _postings(contract, wanted, pots)
    if postings:
        ledger.post(user, postings, reason=reason.strip() or
                    f"Contract {contract.reference} planned", now=now, contract_id=contract.id)
    paid = paid_by_instalment(contract.id)
    for plan in plans:
        row = _year_row(contract, plan.financial_year)
        row.core_pence, row.external_pence = plan.core_pence, plan.external_pence
        _set_funding(row, plan.funding)
        schedule(contract, row, paid)
    db.session.flush()
    after = terms(contract)
    if after == before:
        return
    if contract.status is ContractStatus.ACTIVE:
        add_version(user, contract, reason.strip(), now)
    audit.record("contract.planned", actor=user, subject=contract,
                 details={"reason": reason.strip(), "before": before["years"],
                          "after": after["years"]})


def _proposed(index: int, plan: YearPlan, choices: Sequence[PotChoice]) -> dict[int, int]:
    try:
        return propose_funding(plan.financial_year, plan.core_pence, plan.external_pence,
                               choices)
    except RuleBroken as error:
        raise RuleBroken(error.message, field=f"years-{index}-core") from error


# Making a contract active ---------------------------------------------------------------------


def activate(user: User, contract: Contract, now: datetime | None = None) -> None:
    """Make a draft contract active: every year of it must have its money planned. Its terms
    become version 1."""
    policies.require(policies.can_commission(user))
    now = now or utcnow()
    contract = lock(contract.id)
    lifecycle.check(contract, ContractStatus.ACTIVE)
    planned = {year.financial_year for year in contract.years if year.total_pence}
    missing = [label for label in labels_spanning(contract.starts_on, contract.ends_on)
               if label not in planned]
    if missing:
        raise RuleBroken(f"Plan the money for {', '.join(missing)} before making the contract "
                         "active")
    add_version(user, contract, "Made active", now)
    lifecycle.move(user, contract, ContractStatus.ACTIVE, {"version": contract.version})
    db.session.commit()
