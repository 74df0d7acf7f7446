"""Paying a contract's quarterly instalments, and what its payments page shows.

A contract year's money is committed in that year's pots (`portal.contracts.years`); an
instalment of the year is paid from them. The ledger, whose entries carry the contract's id,
is the money's one record: what the contract holds and has paid in each pot is read from it.

A payment is split across the year's pots in proportion to what each still has committed to
the contract and unpaid, the odd pence by largest remainder, by the payment core award
payments use too (`portal.funding.payments`), and is never more than is left of its
instalment or committed and unpaid in the year.

A contract is paid while it is active, and after it has ended or been terminated too, since
the last quarters' money may fall due or be paid late; a draft is never paid. Ending a
contract early releases its future commitments, so what can still be paid is bounded by what
is still committed.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import has_request_context, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from models import (
    Contract,
    ContractInstalment,
    ContractPayment,
    ContractYear,
    FundingPot,
    LedgerEntry,
    User,
)
from models.enums import LedgerKind, OrganisationRole
from portal import audit, policies
from portal.contracts import lifecycle, years
from portal.dates import format_date, to_london
from portal.exceptions import RuleBroken
from portal.extensions import db
from portal.funding.payments import (
    PaymentDetails,
    PotMoney,
    check_details,
    check_instalment_left,
    money_by_pot,
    pay_from_pots,
)
from portal.mail import send_each
from portal.money import format_pounds

# An instalment not paid this many days after it fell due is overdue: public bodies pay
# undisputed invoices within 30 days (Public Contracts Regulations 2015, regulation 113).
PAYMENT_TERM = timedelta(days=30)


def quarter_label(financial_year: str, quarter: int) -> str:
    return f"Quarter {quarter} {financial_year}"


# The contract's money in each pot ---------------------------------------------------------


def unpaid_in_year(money: dict[int, PotMoney], financial_year: str) -> dict[int, int]:
    """What each of the year's pots has committed to the contract and not yet paid."""
    return {pot_id: each.unpaid_pence for pot_id, each in money.items()
            if each.financial_year == financial_year and each.unpaid_pence > 0}


# Recording a payment ------------------------------------------------------------------------


def _instalment(contract: Contract, instalment_id: int | None) -> ContractInstalment:
    """One of the contract's instalments; RuleBroken for any other id (another contract's
    instalment included)."""
    found = next((each for year in contract.years for each in year.instalments
                  if each.id == instalment_id), None)
    if found is None:
        raise RuleBroken("Select the payment in the schedule that this pays",
                         field="instalment")
    return found


def _check_payment(contract: Contract, details: PaymentDetails, money: dict[int, PotMoney],
                   now: datetime) -> ContractInstalment:
    """The instalment paid against, once the payment is found to fit the contract's rules."""
    if not lifecycle.may_pay(contract):
        raise RuleBroken(f"Contract {contract.reference} is a "
                         f"{contract.status.label.lower()}: a payment can be recorded only "
                         "once it is active")
    instalment = _instalment(contract, details.instalment_id)
    label = quarter_label(instalment.year.financial_year, instalment.quarter)
    check_details(details, now)
    check_instalment_left(details, instalment.amount_pence,
                          years.paid_by_instalment(contract.id).get(instalment.id, 0), label)
    unpaid = sum(unpaid_in_year(money, instalment.year.financial_year).values())
    if details.amount_pence > unpaid:
        raise RuleBroken(
            f"The payment is more than is committed to this contract in the pots of "
            f"{instalment.year.financial_year} and not yet paid: at most "
            f"{format_pounds(unpaid)} can be paid until more is committed", field="amount")
    return instalment


def record_payment(user: User, contract_id: int, details: PaymentDetails,
                   now: datetime) -> ContractPayment:
    """Record money paid to the provider against one of the contract's instalments: a
    payment entry in the ledger for each of the year's pots' share, the payment with their
    batch and the audit event in one commit. The contract's row is locked first, so that two
    commissioners cannot pay the same instalment twice. NotFound for an unknown contract;
    RuleBroken (everything rolled back) when the payment does not fit."""
    policies.require(policies.can_commission(user))
    try:
        return _record(user, years.lock(contract_id), details, now)
    except RuleBroken:
        db.session.rollback()
        raise


def _record(user: User, contract: Contract, details: PaymentDetails,
            now: datetime) -> ContractPayment:
    money = money_by_pot(contract_id=contract.id)
    instalment = _check_payment(contract, details, money, now)
    financial_year = instalment.year.financial_year
    label = quarter_label(financial_year, instalment.quarter)
    posted = pay_from_pots(user, details, unpaid_in_year(money, financial_year),
                           f"Contract {contract.reference} {label.lower()} payment", now,
                           contract_id=contract.id)
    payment = ContractPayment(contract=contract, instalment=instalment, paid_on=details.paid_on,
                              amount_pence=details.amount_pence, reference=posted.reference,
                              recorded_by=user, recorded_at=now, batch=posted.batch)
    db.session.add(payment)
    db.session.flush()
    audit.record("contract.paid", actor=user, subject=contract, details={
        "payment_id": payment.id, "financial_year": financial_year,
        "quarter": instalment.quarter, "amount_pence": payment.amount_pence,
        "paid_on": payment.paid_on.isoformat(), "reference": posted.reference,
        "shares": posted.audit_shares()})
    db.session.commit()
    _tell_provider(contract, payment, label)
    return payment


def _tell_provider(contract: Contract, payment: ContractPayment, instalment: str) -> None:
    """Email the provider's organisation admins that the money is on its way, linking to the
    contract (outside a request there is no host to link to, so the email says where to go).
    The payment is committed already: a mail failure is logged, never undoing it."""
    admins = [membership.user for membership in contract.provider.memberships
              if membership.role is OrganisationRole.ADMIN]
    link = (url_for("monitoring.contract", contract_id=contract.id, _external=True)
            if has_request_context() else None)
    send_each(admins, f"Payment under contract {contract.reference}", "contracts_paid",
              contract=contract, payment=payment, instalment=instalment, link=link)


# What the payments page shows ---------------------------------------------------------------


@dataclass(frozen=True)
class InstalmentRow:
    """An instalment with what has been paid of it, and what can be paid now: what is left of
    it, at most what its year's pots hold committed and unpaid."""

    financial_year: str
    instalment: ContractInstalment
    paid_pence: int
    payable_pence: int
    today: date

    @property
    def left_pence(self) -> int:
        return max(self.instalment.amount_pence - self.paid_pence, 0)

    @property
    def status(self) -> str:
        """Paid, Part paid, or by its due date against today: Not yet due, Due (for the
        payment term) or Overdue."""
        if self.left_pence == 0:
            return "Paid"
        if self.paid_pence:
            return "Part paid"
        if self.instalment.due_on > self.today:
            return "Not yet due"
        return "Due" if self.today <= self.instalment.due_on + PAYMENT_TERM else "Overdue"

    @property
    def quarter(self) -> str:
        return quarter_label(self.financial_year, self.instalment.quarter)

    @property
    def choice(self) -> str:
        """How the record-a-payment form offers it."""
        return (f"{self.quarter}, due {format_date(self.instalment.due_on)}: "
                f"{format_pounds(self.left_pence)} left to pay")


@dataclass(frozen=True)
class YearSchedule:
    year: ContractYear
    rows: list[InstalmentRow]

    @property
    def paid_pence(self) -> int:
        return sum(row.paid_pence for row in self.rows)

    @property
    def left_pence(self) -> int:
        return sum(row.left_pence for row in self.rows)


@dataclass(frozen=True)
class PaymentRow:
    """A payment made, with the quarter it paid and what each pot paid of it."""

    payment: ContractPayment
    quarter: str
    pots: list[tuple[FundingPot, int]]


@dataclass(frozen=True)
class PaymentsView:
    """A contract's schedule by year and quarter with what has been paid of each instalment,
    the payments made, and the totals."""

    contract: Contract
    schedule: list[YearSchedule]
    payments: list[PaymentRow]
    money: dict[int, PotMoney]
    today: date

    @property
    def planned_pence(self) -> int:
        return sum(each.year.total_pence for each in self.schedule)

    @property
    def committed_pence(self) -> int:
        return sum(each.committed_pence for each in self.money.values())

    @property
    def paid_pence(self) -> int:
        return sum(row.payment.amount_pence for row in self.payments)

    @property
    def left_pence(self) -> int:
        """What is left to pay of the schedule."""
        return sum(each.left_pence for each in self.schedule)

    @property
    def unsecured_pence(self) -> int:
        """Planned but not committed in any pot yet (the external funding gap): it cannot be
        paid until it is."""
        return max(self.planned_pence - self.committed_pence, 0)

    @property
    def rows(self) -> list[InstalmentRow]:
        return [row for each in self.schedule for row in each.rows]

    @property
    def can_pay(self) -> bool:
        return lifecycle.may_pay(self.contract) and any(row.payable_pence for row in self.rows)

    @property
    def unpaid_rows(self) -> list[InstalmentRow]:
        """The instalments with money left to pay, which a payment may be recorded against."""
        return [row for row in self.rows if row.left_pence]

    def to_pay(self, instalment_id: int | None) -> InstalmentRow | None:
        """The instalment a new payment is for unless the commissioner chooses another: the
        one asked for if it has money left, or the earliest that has."""
        rows = self.unpaid_rows
        return next((row for row in rows if row.instalment.id == instalment_id),
                    rows[0] if rows else None)


def _paid_by_pot(contract_id: int) -> dict[object, list[tuple[FundingPot, int]]]:
    """Each payment batch's pots and pence (one query)."""
    found: dict[object, list[tuple[FundingPot, int]]] = defaultdict(list)
    for entry in db.session.scalars(
            select(LedgerEntry).where(LedgerEntry.contract_id == contract_id,
                                      LedgerEntry.kind == LedgerKind.PAYMENT)
            .options(joinedload(LedgerEntry.pot)).order_by(LedgerEntry.pot_id)):
        found[entry.batch].append((entry.pot, entry.amount_pence))
    return found


def payments_view(user: User, contract: Contract, now: datetime) -> PaymentsView:
    """What the contract's payments page shows; a fixed number of queries however many
    payments there are. Due dates are compared with today in the UK."""
    policies.require(policies.can_commission(user))
    today = to_london(now).date()
    contract_years = list(db.session.scalars(
        select(ContractYear).where(ContractYear.contract_id == contract.id)
        .options(selectinload(ContractYear.instalments))
        .order_by(ContractYear.financial_year)))
    payments = list(db.session.scalars(
        select(ContractPayment).where(ContractPayment.contract_id == contract.id)
        .options(joinedload(ContractPayment.recorded_by))
        .order_by(ContractPayment.paid_on, ContractPayment.id)))
    money = money_by_pot(contract_id=contract.id)
    paid: dict[int, int] = defaultdict(int)
    for payment in payments:
        paid[payment.instalment_id] += payment.amount_pence
    schedule, quarters = [], {}
    for year in contract_years:
        unpaid = sum(unpaid_in_year(money, year.financial_year).values())
        rows = [InstalmentRow(year.financial_year, each, paid[each.id],
                              min(max(each.amount_pence - paid[each.id], 0), unpaid), today)
                for each in year.instalments]
        schedule.append(YearSchedule(year, rows))
        quarters.update({row.instalment.id: row.quarter for row in rows})
    pots = _paid_by_pot(contract.id)
    return PaymentsView(contract, schedule,
                        [PaymentRow(payment, quarters.get(payment.instalment_id, ""),
                                    pots.get(payment.batch, []))
                         for payment in payments], money, today)
