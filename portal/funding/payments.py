"""The core of recording a payment against funding pots, shared by award and contract payments.

What an award or a contract holds and has paid in each pot is read from the ledger, whose
entries carry its id (`money_by_pot`), never from its allocations: the ledger is the money's one
record. Both pay one scheduled instalment at a time, from the pots that hold the money committed
to it: the payment is split across those pots in proportion to what each has committed and not
yet paid (`split.pro_rata`, by largest remainder), and each share is a `payment` entry in the
ledger. The areas keep what is theirs: which states may be paid, which instalments and pots a
payment may draw on, the payment row, the audit event and who is told. The caller commits.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from models import FundingPot, LedgerEntry, User
from models.enums import LedgerKind
from portal.dates import format_date, to_london
from portal.exceptions import RuleBroken
from portal.extensions import db
from portal.funding import ledger
from portal.funding.split import pro_rata
from portal.money import format_pounds


@dataclass(frozen=True)
class PotMoney:
    """One pot's part of an award or a contract, from the ledger: committed and paid (net of
    recoveries), how much has been recovered (clawed back) of what it paid, and the pot's
    financial year."""

    committed_pence: int = 0
    paid_pence: int = 0
    recovered_pence: int = 0
    financial_year: str | None = None  # None for a pot the award or contract has nothing in

    @property
    def unpaid_pence(self) -> int:
        return self.committed_pence - self.paid_pence

    @property
    def paid_before_recoveries_pence(self) -> int:
        return self.paid_pence + self.recovered_pence


def money_by_pot(*, award_id: int | None = None,
                 contract_id: int | None = None) -> dict[int, PotMoney]:
    """The award's or contract's money in each pot it has ledger entries in (one query), added
    up by the ledger's own arithmetic so the figures mean what the pots' figures mean. The
    ledger, never an allocation, is the money's one record."""
    owner = (LedgerEntry.award_id == award_id if award_id is not None
             else LedgerEntry.contract_id == contract_id)
    return {pot_id: PotMoney(int(committed), int(paid), int(recovered), year)
            for pot_id, year, committed, paid, recovered in db.session.execute(
                select(LedgerEntry.pot_id, FundingPot.financial_year, ledger.committed_sum(),
                       ledger.paid_sum(), ledger.clawed_back_sum())
                .join(FundingPot, FundingPot.id == LedgerEntry.pot_id)
                .where(owner)
                .group_by(LedgerEntry.pot_id, FundingPot.financial_year))}


@dataclass(frozen=True)
class PaymentDetails:
    """A payment as the officer records it, against one scheduled instalment."""

    instalment_id: int | None
    paid_on: date
    amount_pence: int
    reference: str


def not_in_future(when: date, now: datetime, name: str, what: str) -> None:
    """RuleBroken beside field `name` when `when` is after today in the UK (a payment or
    receipt cannot be recorded before it happens)."""
    today = to_london(now).date()
    if when > today:
        raise RuleBroken(f"{what} must be today or in the past, not after {format_date(today)}",
                         field=name)


def check_details(details: PaymentDetails, now: datetime) -> None:
    """RuleBroken beside its field when the payment is dated after today, has no reference or
    is not more than £0."""
    not_in_future(details.paid_on, now, "paid_on", "The date paid")
    if not details.reference.strip():
        raise RuleBroken("Enter the payment reference", field="reference")
    if details.amount_pence <= 0:
        raise RuleBroken("The amount paid must be more than £0", field="amount")


def check_instalment_left(details: PaymentDetails, instalment_pence: int, paid_pence: int,
                          instalment: str) -> None:
    """RuleBroken when the instalment (named like "Payment 2") has been paid in full, or the
    payment is more than is left of it."""
    left = instalment_pence - paid_pence
    if left <= 0:
        raise RuleBroken(f"{instalment} has been paid in full", field="instalment")
    if details.amount_pence > left:
        raise RuleBroken(f"The payment is more than the {format_pounds(left)} left to pay of "
                         f"{instalment.lower()}", field="amount")


@dataclass(frozen=True)
class PotPayment:
    """A payment's entries in the ledger: each pot's share (pot id -> pence), the batch they
    were posted in, and the payment's reference as recorded."""

    shares: dict[int, int]
    batch: uuid.UUID
    reference: str

    def audit_shares(self) -> dict[str, int]:
        """The shares as an audit event's details hold them, in pot id order."""
        return {str(pot_id): pence for pot_id, pence in sorted(self.shares.items())}


def pay_from_pots(user: User, details: PaymentDetails, unpaid_by_pot: Mapping[int, int],
                  what: str, now: datetime, *, award_id: int | None = None,
                  contract_id: int | None = None) -> PotPayment:
    """Post the payment's `payment` entries, `details.amount_pence` split across the pots in
    proportion to what each has committed and unpaid (`unpaid_by_pot`, pot id -> pence), with
    the reason "`what`, reference ...", linked to the award or contract paid. The caller has
    checked the payment fits and commits."""
    shares = pro_rata(details.amount_pence, unpaid_by_pot)
    reference = details.reference.strip()
    entries = ledger.post(user, [ledger.Posting(pot_id, LedgerKind.PAYMENT, pence)
                                 for pot_id, pence in sorted(shares.items())],
                          reason=f"{what}, reference {reference}", now=now, award_id=award_id,
                          contract_id=contract_id)
    return PotPayment(shares, entries[0].batch, reference)
