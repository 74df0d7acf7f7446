"""Quarterly monitoring of Community Anchor contracts.

Commissioners (policies.can_commission) set each contract's KPIs and their quarterly targets,
review the returns (accept, or query with a note) and benchmark anchors within a lot. The
provider's members (policies.can_submit_return) send a return for each quarter once it has
ended: a value for every KPI, a narrative and a red/amber/green self-assessment. A queried
return can be changed and sent again; an accepted one is final.

When a return is due, and when it is late, is decided in portal.monitoring.quarters. A return's
`submitted_at` is when it was first sent in: lateness is judged on it, so answering a query after
the due date does not make an on-time return late. Every change is audited; the audit events of
a return are its history (a query's note stays there after the return is sent again).
"""

import enum
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask import has_request_context, url_for
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import and_, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from models import (
    AuditEvent,
    Contract,
    ContractReturn,
    Kpi,
    KpiTarget,
    Membership,
    Organisation,
    Programme,
    ReturnValue,
    User,
)
from models.enums import ContractLot, ContractStatus, OrganisationRole, Pathway, ReturnStatus
from portal import audit, policies
from portal.contracts.services import PER_PAGE, get_programme
from portal.dates import format_date
from portal.exceptions import NotAllowed, NotFound, RuleBroken
from portal.extensions import db
from portal.financial_years import FinancialYear, labels_spanning
from portal.mail import send_each
from portal.monitoring.benchmarking import Figure, KpiBenchmark, benchmark, kpi_key
from portal.monitoring.details import (
    KpiDetails,
    ReturnAnswers,
    Review,
    target_field,
    value_field,
)
from portal.monitoring.lifecycle import RETURN
from portal.monitoring.quarters import (
    Quarter,
    contract_quarters,
    due_on,
    has_ended,
    is_late,
    last_ended,
)

# Name, unit and pathway: the last three are the pathways' measures for the district roll-up.
STANDARD_KPIS = (
    ("People supported", "people", None),
    ("Groups supported", "groups", None),
    ("Volunteers", "people", None),
    ("Volunteer hours", "hours", None),
    ("External funding levered in", "£", None),
    ("Referrals received", "referrals", None),
    ("People helped with money or debt", "people", Pathway.FINANCIAL_HARDSHIP),
    ("People helped into work or training", "people", Pathway.INTO_WORK),
    ("People joining regular social activities", "people", Pathway.SOCIAL_ISOLATION),
)
DUPLICATE_KPI = "There is already a KPI called {name} for this contract"
KPI_HAS_VALUES = "{name} cannot be removed: returns have reported it"
NEGATIVE = "{what} must be 0 or more"
NOT_DUE = "There is no return due for {quarter}: {why}"
ALREADY_SENT = ("The return for {quarter} has been sent already; it can be changed only if the "
                "commissioner queries it")
ACCEPTED_FINAL = "The return for {quarter} has been accepted and cannot be changed"
MISSING_VALUE = "Enter the {kpi} for {quarter}"
NOTE_NEEDED = "Enter what the provider needs to explain or correct"
# How a return's history names the audit events of its changes.
HISTORY_LABELS = {"contract_return.submitted": "Sent", "contract_return.resubmitted": "Sent again",
                  "contract_return.accepted": "Accepted", "contract_return.queried": "Queried"}


class ReturnState(enum.StrEnum):
    """Where a contract's return for a quarter stands, as the pages show it."""

    NOT_DUE = "not_due"  # the quarter has not ended, or the contract does not run in it
    DUE = "due"
    LATE = "late"  # due and not sent in by its due date
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    QUERIED = "queried"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def tag_class(self) -> str:
        """The GOV.UK tag colour the state is shown in."""
        return {"not_due": "govuk-tag--grey", "due": "govuk-tag--blue",
                "late": "govuk-tag--red", "submitted": "govuk-tag--turquoise",
                "accepted": "govuk-tag--green", "queried": "govuk-tag--orange"}[self.value]


@dataclass(frozen=True)
class ReturnRow:
    """One quarter of one contract: its return (if any) and where it stands."""

    contract: Contract
    quarter: Quarter
    contract_return: ContractReturn | None
    state: ReturnState
    late: bool  # not sent by the due date, or sent after it

    @property
    def due_on(self) -> date:
        return due_on(self.quarter)

    @property
    def can_send(self) -> bool:
        """The provider can send (or, after a query, send again) this return now."""
        return self.state in (ReturnState.DUE, ReturnState.LATE, ReturnState.QUERIED)


def runs_in(contract: Contract, quarter: Quarter) -> bool:
    """Returns are due from a contract that is not a draft, for the quarters it runs in."""
    return (contract.status is not ContractStatus.DRAFT
            and quarter in contract_quarters(contract.starts_on, contract.ends_on,
                                             contract.terminated_on))


def return_row(contract: Contract, quarter: Quarter, contract_return: ContractReturn | None,
               now: datetime) -> ReturnRow:
    if contract_return is not None:
        return ReturnRow(contract, quarter, contract_return,
                         ReturnState(contract_return.status.value),
                         is_late(quarter, contract_return.submitted_at, now))
    if not (runs_in(contract, quarter) and has_ended(quarter, now)):
        return ReturnRow(contract, quarter, None, ReturnState.NOT_DUE, False)
    late = is_late(quarter, None, now)
    return ReturnRow(contract, quarter, None, ReturnState.LATE if late else ReturnState.DUE,
                     late)


# Loading a contract for its monitoring pages ------------------------------------------------


def _contract_query():
    return select(Contract).options(
        joinedload(Contract.programme),
        joinedload(Contract.provider).selectinload(Organisation.memberships),
        selectinload(Contract.kpis).selectinload(Kpi.targets))


def _visible(user: User, contract: Contract | None) -> Contract:
    """The contract if the user may see its monitoring. Anyone but a commissioner gets
    NotAllowed for a contract that is not theirs or does not exist, so guessing ids reveals
    nothing; the provider does not see a draft."""
    if contract is None or not policies.can_view_contract(user, contract):
        if policies.can_commission(user):
            raise NotFound
        raise NotAllowed
    if contract.status is ContractStatus.DRAFT and not policies.can_commission(user):
        raise NotFound(contract.id)
    return contract


def monitored_contract(user: User, contract_id: int) -> Contract:
    """A contract with its programme, provider and KPIs (and their targets)."""
    return _visible(user, db.session.scalar(_contract_query().where(Contract.id == contract_id)))


def provider_contracts(user: User) -> list[Contract]:
    """The contracts, not drafts, of the organisations the user belongs to, by reference."""
    organisations = select(Membership.organisation_id).where(Membership.user_id == user.id)
    return list(db.session.scalars(
        select(Contract).where(Contract.provider_id.in_(organisations),
                               Contract.status != ContractStatus.DRAFT)
        .options(joinedload(Contract.provider), joinedload(Contract.programme))
        .order_by(Contract.reference)))


@dataclass(frozen=True)
class ContractPage:
    contract: Contract
    rows: list[ReturnRow]  # every quarter the contract runs in, oldest first
    kpis_reported: set[int]  # KPIs with values in returns: these cannot be removed

    @property
    def target_years(self) -> list[str]:
        return labels_spanning(self.contract.starts_on, self.contract.ends_on)

    @property
    def targets(self) -> dict[int, dict[tuple[str, int], Decimal]]:
        """Each KPI's targets by (financial year, quarter number)."""
        return {kpi.id: {(target.financial_year, target.quarter): target.target
                         for target in kpi.targets} for kpi in self.contract.kpis}


def contract_page(user: User, contract_id: int, now: datetime) -> ContractPage:
    """A contract's KPIs and targets and where each quarter's return stands."""
    contract = monitored_contract(user, contract_id)
    returns = {Quarter.of(item.financial_year, item.quarter): item for item in db.session.scalars(
        select(ContractReturn).where(ContractReturn.contract_id == contract.id))}
    quarters = sorted({*contract_quarters(contract.starts_on, contract.ends_on,
                                          contract.terminated_on), *returns})
    reported = set(db.session.scalars(
        select(ReturnValue.kpi_id).join(Kpi).where(Kpi.contract_id == contract.id).distinct()))
    return ContractPage(contract, [return_row(contract, quarter, returns.get(quarter), now)
                                   for quarter in quarters], reported)


# KPIs and their targets (commissioners) -----------------------------------------------------


def target_quarters(contract: Contract) -> list[Quarter]:
    """Every quarter of each financial year the contract spans: a KPI's target boxes."""
    return [Quarter(FinancialYear.parse(year), number)
            for year in labels_spanning(contract.starts_on, contract.ends_on)
            for number in range(1, 5)]


def _check_targets(contract: Contract, targets: dict[Quarter, Decimal | None]) -> None:
    allowed = set(target_quarters(contract))
    for quarter, target in targets.items():
        if quarter not in allowed:
            raise RuleBroken(f"{quarter.label} is not within the contract")
        if target is not None and target < 0:
            raise RuleBroken(NEGATIVE.format(what=f"The target for {quarter.label}"),
                             field=target_field(quarter))


def _set_targets(kpi: Kpi, targets: dict[Quarter, Decimal | None]) -> None:
    """Update the rows of the quarters kept in place (replacing them in one flush would break
    the (kpi, year, quarter) unique constraint), add new ones, drop emptied ones."""
    existing = {Quarter.of(target.financial_year, target.quarter): target
                for target in kpi.targets}
    kept = []
    for quarter, value in sorted(targets.items()):
        if value is None:
            continue
        row = existing.get(quarter) or KpiTarget(financial_year=quarter.financial_year,
                                                 quarter=quarter.number)
        row.target = value
        kept.append(row)
    kpi.targets = kept


def _targets_snapshot(kpi: Kpi) -> dict[str, str]:
    return {f"Q{target.quarter} {target.financial_year}": f"{target.target:.2f}"
            for target in kpi.targets}


def _snapshot(kpi: Kpi) -> dict:
    """A KPI as its audit events record it."""
    return {"name": kpi.name, "unit": kpi.unit,
            "pathway": kpi.pathway.value if kpi.pathway else None,
            "targets": _targets_snapshot(kpi)}


def _check_name(contract: Contract, name: str, kpi_id: int | None = None) -> None:
    if any(kpi_key(kpi.name) == kpi_key(name) and kpi.id != kpi_id for kpi in contract.kpis):
        raise RuleBroken(DUPLICATE_KPI.format(name=name), field="name")


def add_kpi(user: User, contract: Contract, details: KpiDetails) -> Kpi:
    policies.require(policies.can_commission(user))
    _check_name(contract, details.name)
    _check_targets(contract, details.targets)
    kpi = Kpi(name=details.name, unit=details.unit, pathway=details.pathway)
    _set_targets(kpi, details.targets)
    contract.kpis.append(kpi)
    db.session.flush()
    audit.record("kpi.added", actor=user, subject=kpi,
                 details={"contract_id": contract.id, **_snapshot(kpi)})
    db.session.commit()
    return kpi


def add_standard_kpis(user: User, contract: Contract) -> list[Kpi]:
    """The standard anchor KPIs the contract does not have yet, with no targets: the
    commissioner fills them in."""
    policies.require(policies.can_commission(user))
    have = {kpi_key(kpi.name) for kpi in contract.kpis}
    added = [Kpi(name=name, unit=unit, pathway=pathway) for name, unit, pathway in STANDARD_KPIS
             if kpi_key(name) not in have]
    contract.kpis.extend(added)
    db.session.flush()
    for kpi in added:
        audit.record("kpi.added", actor=user, subject=kpi,
                     details={"contract_id": contract.id, **_snapshot(kpi)})
    db.session.commit()
    return added


def contract_kpi(user: User, contract_id: int, kpi_id: int) -> tuple[Contract, Kpi]:
    """A commissioner's contract and one of its KPIs; NotFound for either missing."""
    policies.require(policies.can_commission(user))
    contract = monitored_contract(user, contract_id)
    kpi = next((kpi for kpi in contract.kpis if kpi.id == kpi_id), None)
    if kpi is None:
        raise NotFound(kpi_id)
    return contract, kpi


def change_kpi(user: User, contract: Contract, kpi: Kpi, details: KpiDetails) -> None:
    """Change a KPI's name, unit, pathway and targets; the audit event keeps the before and
    after."""
    policies.require(policies.can_commission(user))
    _check_name(contract, details.name, kpi.id)
    _check_targets(contract, details.targets)
    before = _snapshot(kpi)
    kpi.name, kpi.unit, kpi.pathway = details.name, details.unit, details.pathway
    _set_targets(kpi, details.targets)
    db.session.flush()
    after = _snapshot(kpi)
    if after != before:
        audit.record("kpi.changed", actor=user, subject=kpi,
                     details={"contract_id": contract.id, "before": before, "after": after})
    db.session.commit()


def remove_kpi(user: User, contract: Contract, kpi: Kpi) -> None:
    """Remove a KPI no return has reported on: what providers reported stays as sent."""
    policies.require(policies.can_commission(user))
    if db.session.scalar(select(exists().where(ReturnValue.kpi_id == kpi.id))):
        raise RuleBroken(KPI_HAS_VALUES.format(name=kpi.name))
    audit.record("kpi.removed", actor=user, subject=kpi,
                 details={"contract_id": contract.id, "name": kpi.name,
                          "targets": _targets_snapshot(kpi)})
    contract.kpis.remove(kpi)
    db.session.commit()


# Sending a return (the provider) ------------------------------------------------------------


@dataclass(frozen=True)
class ReturnFormPage:
    """What the return form for a quarter needs: the contract, its KPIs' targets for the
    quarter, and the queried return being answered (None for a first return)."""

    contract: Contract
    quarter: Quarter
    targets: dict[int, Decimal]  # by KPI id, where one is set
    queried: ContractReturn | None


def _sendable(contract: Contract, quarter: Quarter, now: datetime,
              lock: bool = False) -> ContractReturn | None:
    """Check the quarter's return can be sent now; the queried return it answers, if any
    (locked when about to be changed, so a review and a second sending wait their turn)."""
    if not runs_in(contract, quarter):
        raise RuleBroken(NOT_DUE.format(quarter=quarter.label,
                                        why="the contract does not run in that quarter"))
    if not has_ended(quarter, now):
        raise RuleBroken(NOT_DUE.format(
            quarter=quarter.label, why=f"the quarter ends on {format_date(quarter.ends_on)}"))
    query = select(ContractReturn).where(
        ContractReturn.contract_id == contract.id,
        ContractReturn.financial_year == quarter.financial_year,
        ContractReturn.quarter == quarter.number)
    if lock:  # and read afresh: the page may have loaded it before the lock was taken
        query = query.with_for_update().execution_options(populate_existing=True)
    existing = db.session.scalar(query)
    if existing is None or RETURN.may_move(existing, ReturnStatus.SUBMITTED):
        return existing
    message = (ACCEPTED_FINAL if existing.status is ReturnStatus.ACCEPTED else ALREADY_SENT)
    raise RuleBroken(message.format(quarter=quarter.label))


def return_form(user: User, contract_id: int, quarter: Quarter,
                now: datetime) -> ReturnFormPage:
    """RuleBroken when the quarter's return cannot be sent now."""
    contract = monitored_contract(user, contract_id)
    policies.require(policies.can_submit_return(user, contract))
    queried = _sendable(contract, quarter, now)
    targets = {target.kpi_id: target.target for kpi in contract.kpis for target in kpi.targets
               if Quarter.of(target.financial_year, target.quarter) == quarter}
    return ReturnFormPage(contract, quarter, targets, queried)


def _check_answers(contract: Contract, quarter: Quarter, answers: ReturnAnswers) -> None:
    for kpi in contract.kpis:
        value = answers.values.get(kpi.id)
        if value is None:
            raise RuleBroken(MISSING_VALUE.format(kpi=kpi.name.lower(), quarter=quarter.label),
                             field=value_field(kpi.id))
        if value < 0:
            raise RuleBroken(NEGATIVE.format(what=kpi.name), field=value_field(kpi.id))


def submit_return(user: User, page: ReturnFormPage, answers: ReturnAnswers,
                  now: datetime) -> ContractReturn:
    """Send the quarter's return, or send a queried one again (its review is cleared; the
    query stays in its history)."""
    contract, quarter = page.contract, page.quarter
    policies.require(policies.can_submit_return(user, contract))
    queried = _sendable(contract, quarter, now, lock=True)
    _check_answers(contract, quarter, answers)
    kept = {kpi.id: answers.values[kpi.id] for kpi in contract.kpis}
    values = {kpi.name: f"{kept[kpi.id]:.2f}" for kpi in contract.kpis}
    details = {"contract_id": contract.id, "quarter": quarter.label, "values": values,
               "narrative": answers.narrative, "rag": answers.rag.value}
    if queried is None:
        contract_return = ContractReturn(
            contract=contract, financial_year=quarter.financial_year, quarter=quarter.number,
            status=ReturnStatus.SUBMITTED, submitted_by=user, submitted_at=now)
        db.session.add(contract_return)
    else:
        contract_return = queried
        contract_return.reviewed_by, contract_return.reviewed_at = None, None
        contract_return.review_note = ""
    contract_return.narrative, contract_return.rag = answers.narrative, answers.rag
    _set_values(contract_return, kept)
    try:
        db.session.flush()
    except IntegrityError as error:  # someone sent the same quarter's return at this moment
        db.session.rollback()
        raise RuleBroken(ALREADY_SENT.format(quarter=quarter.label)) from error
    if queried is None:
        audit.record("contract_return.submitted", actor=user, subject=contract_return,
                     details=details)
    else:
        RETURN.move(contract_return, ReturnStatus.SUBMITTED, actor=user, details=details)
    db.session.commit()
    return contract_return


def _set_values(contract_return: ContractReturn, values: dict[int, Decimal]) -> None:
    existing = {value.kpi_id: value for value in contract_return.values}
    kept = []
    for kpi_id, value in sorted(values.items()):
        row = existing.get(kpi_id) or ReturnValue(kpi_id=kpi_id)
        row.value = value
        kept.append(row)
    contract_return.values = kept


# A return's page and its review (commissioners) ---------------------------------------------


@dataclass(frozen=True)
class ValueRow:
    kpi: Kpi
    value: Decimal | None
    target: Decimal | None


@dataclass(frozen=True)
class ReturnPage:
    row: ReturnRow
    values: list[ValueRow]
    history: list[AuditEvent]

    @property
    def contract_return(self) -> ContractReturn:
        return self.row.contract_return


def _return(user: User, return_id: int, lock: bool = False) -> ContractReturn:
    contract_return = db.session.get(ContractReturn, return_id, with_for_update=lock,
                                     populate_existing=lock)
    _visible(user, contract_return.contract if contract_return else None)
    return contract_return


def return_page(user: User, return_id: int, now: datetime) -> ReturnPage:
    """A return with its values against the quarter's targets, and its history."""
    contract_return = _return(user, return_id)
    contract = monitored_contract(user, contract_return.contract_id)
    quarter = Quarter.of(contract_return.financial_year, contract_return.quarter)
    values = {value.kpi_id: value.value for value in contract_return.values}
    targets = {target.kpi_id: target.target for kpi in contract.kpis for target in kpi.targets
               if Quarter.of(target.financial_year, target.quarter) == quarter}
    history = list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == ContractReturn.__name__,
                                 AuditEvent.object_id == contract_return.id)
        .options(joinedload(AuditEvent.actor)).order_by(AuditEvent.id)))
    # A KPI added after the return was sent has no value in it; one removed has none left.
    return ReturnPage(return_row(contract, quarter, contract_return, now),
                      [ValueRow(kpi, values.get(kpi.id), targets.get(kpi.id))
                       for kpi in contract.kpis], history)


def review_return(user: User, return_id: int, review: Review, now: datetime) -> ContractReturn:
    """Accept a sent return, or query it with a note (the provider's admins are told)."""
    policies.require(policies.can_commission(user))
    contract_return = _return(user, return_id, lock=True)
    RETURN.check(contract_return, review.outcome)
    if review.outcome is ReturnStatus.QUERIED and not review.note.strip():
        raise RuleBroken(NOTE_NEEDED, field="note")
    contract_return.reviewed_by, contract_return.reviewed_at = user, now
    contract_return.review_note = review.note
    RETURN.move(contract_return, review.outcome, actor=user,
                details={"contract_id": contract_return.contract_id, "note": review.note})
    db.session.commit()
    if review.outcome is ReturnStatus.QUERIED:
        _tell_provider(contract_return, "Your monitoring return has been queried",
                       "monitoring_queried")
    return contract_return


def _provider_recipients(contract_return: ContractReturn) -> list[User]:
    """The person who sent the return and the provider's organisation admins."""
    admins = [membership.user for membership in contract_return.contract.provider.memberships
              if membership.role is OrganisationRole.ADMIN]
    return [contract_return.submitted_by, *admins]


def _tell_provider(contract_return: ContractReturn, subject: str, template: str) -> None:
    """Email templates/mail/<template> about the return, linking to it (outside a request
    there is no host to link to, so the email says where to go)."""
    link = (url_for("monitoring.contract_return", return_id=contract_return.id,
                    _external=True) if has_request_context() else None)
    send_each(_provider_recipients(contract_return), subject, template,
              contract_return=contract_return, link=link,
              quarter=Quarter.of(contract_return.financial_year, contract_return.quarter))


# The programme's returns for a quarter (commissioners) --------------------------------------


def programme_years(programme: Programme, now: datetime) -> list[str]:
    """The financial years the programme's contracts (not drafts) run in, and this one."""
    first, last = db.session.execute(
        select(func.min(Contract.starts_on), func.max(Contract.ends_on))
        .where(Contract.programme_id == programme.id,
               Contract.status != ContractStatus.DRAFT)).one()
    years = set(labels_spanning(first, last)) if first else set()
    return sorted(years | {last_ended(now).financial_year})


@dataclass(frozen=True)
class ProgrammeReturns:
    programme: Programme
    quarter: Quarter
    years: list[str]
    contracts: Pagination
    rows: list[ReturnRow]

    @property
    def due_on(self) -> date:
        return due_on(self.quarter)


def programme_returns(user: User, programme_id: int, quarter: Quarter | None, page: int,
                      now: datetime) -> ProgrammeReturns:
    """Every contract of the programme that is not a draft, 25 a page by reference, with its
    return for the quarter (by default the last quarter to have ended): the same queries
    however many contracts there are."""
    policies.require(policies.can_commission(user))
    programme = get_programme(user, programme_id)
    quarter = quarter or last_ended(now)
    contracts = db.paginate(
        select(Contract).where(Contract.programme_id == programme.id,
                               Contract.status != ContractStatus.DRAFT)
        .options(joinedload(Contract.provider)).order_by(Contract.reference, Contract.id),
        page=page, per_page=PER_PAGE, error_out=False)
    returns = {item.contract_id: item for item in db.session.scalars(
        select(ContractReturn).where(
            ContractReturn.contract_id.in_([contract.id for contract in contracts.items]),
            ContractReturn.financial_year == quarter.financial_year,
            ContractReturn.quarter == quarter.number))}
    return ProgrammeReturns(programme, quarter, programme_years(programme, now), contracts,
                            [return_row(contract, quarter, returns.get(contract.id), now)
                             for contract in contracts.items])


# Benchmarking (commissioners) ---------------------------------------------------------------


@dataclass(frozen=True)
class BenchmarkPage:
    programme: Programme
    lot: ContractLot
    quarter: Quarter
    years: list[str]
    benchmarks: list[KpiBenchmark]


def benchmark_page(user: User, programme_id: int, lot: ContractLot, quarter: Quarter | None,
                   now: datetime) -> BenchmarkPage:
    """Each KPI of the lot's contracts (not drafts) running in the quarter: every contract's
    value and target, the lot's total and median, and ranks. A queried return's values are
    left out until it is sent again. One query for the figures whatever the lot's size."""
    policies.require(policies.can_commission(user))
    programme = get_programme(user, programme_id)
    quarter = quarter or last_ended(now)
    in_quarter = and_(ContractReturn.contract_id == Contract.id,
                      ContractReturn.financial_year == quarter.financial_year,
                      ContractReturn.quarter == quarter.number,
                      ContractReturn.counted)
    query = (
        select(Contract.id, Contract.reference, Organisation.name, Kpi.name, Kpi.unit,
               KpiTarget.target, ReturnValue.value)
        .join(Kpi, Kpi.contract_id == Contract.id)
        .join(Organisation, Organisation.id == Contract.provider_id)
        .outerjoin(KpiTarget, and_(KpiTarget.kpi_id == Kpi.id,
                                   KpiTarget.financial_year == quarter.financial_year,
                                   KpiTarget.quarter == quarter.number))
        .outerjoin(ContractReturn, in_quarter)
        .outerjoin(ReturnValue, and_(ReturnValue.return_id == ContractReturn.id,
                                     ReturnValue.kpi_id == Kpi.id))
        .where(Contract.programme_id == programme.id, Contract.lot == lot,
               Contract.status != ContractStatus.DRAFT,
               Contract.starts_on <= quarter.ends_on, Contract.ends_on >= quarter.starts_on)
        .order_by(Contract.reference, Kpi.id))
    figures = [Figure(*row) for row in db.session.execute(query)]
    return BenchmarkPage(programme, lot, quarter, programme_years(programme, now),
                         benchmark(figures))
