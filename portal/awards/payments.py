"""Paying an award and recovering money from it.

What an award holds and has paid in each pot is read from the funding ledger (its entries
carry the award's id), never from its allocations: the ledger is the money's one record.

A payment is split across the award's pots in proportion to what each still has committed and
unpaid; a recovery (a clawback the council demands, or a repayment the organisation makes) in
proportion to what each has paid. A recovery claws the money back and releases the same
amount, so it goes back to the pots' available money: the award's amount stays what was
awarded, and its net grant is the amount less what was recovered.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from models import Award, Instalment, Payment, Recovery, User
from models.enums import LedgerKind, RecoveryKind
from portal import audit, policies
from portal.awards import lifecycle, returns, services
from portal.dates import format_date
from portal.exceptions import RuleBroken
from portal.extensions import db
from portal.funding import ledger
from portal.funding.payments import (
    PaymentDetails,
    PotMoney,
    check_details,
    check_instalment_left,
    money_by_pot,
    not_in_future,
    pay_from_pots,
)
from portal.funding.split import pro_rata
from portal.money import format_pounds


def lock(user: User, award_id: int) -> Award:
    """Lock the award's row until the transaction ends (so two officers cannot pay the same
    instalment twice), then load it afresh; NotFound when unknown."""
    db.session.execute(select(Award.id).where(Award.id == award_id).with_for_update())
    return services.award(user, award_id)


def paid_by_instalment(award_id: int) -> dict[int, int]:
    """What has been paid of each of the award's scheduled payments (instalment id -> pence)."""
    return {instalment_id: int(pence) for instalment_id, pence in db.session.execute(
        select(Payment.instalment_id, func.sum(Payment.amount_pence))
        .where(Payment.award_id == award_id).group_by(Payment.instalment_id))}


# Payments ------------------------------------------------------------------------------------


def _check_payment(award: Award, details: PaymentDetails, money: dict[int, PotMoney],
                   now: datetime) -> Instalment:
    """The instalment paid against, once the payment is found to fit the award's rules."""
    if not lifecycle.may_pay(award):
        raise RuleBroken("A payment can be recorded only once the organisation has accepted "
                         f"the offer. This award is {award.status.label.lower()}.")
    instalment = next((each for each in award.instalments
                       if each.id == details.instalment_id), None)
    if instalment is None:
        raise RuleBroken("Select the payment in the schedule that this pays", field="instalment")
    if held := returns.why_held(instalment):
        raise RuleBroken(held, field="instalment")
    check_details(details, now)
    committed = sum(each.committed_pence for each in money.values())
    paid = sum(each.paid_pence for each in money.values())
    if details.amount_pence > committed - paid:
        raise RuleBroken(f"The payment is more than is committed to this award and not yet "
                         f"paid: {format_pounds(committed)} committed, {format_pounds(paid)} "
                         f"paid, so at most {format_pounds(committed - paid)} can be paid",
                         field="amount")
    check_instalment_left(details, instalment.amount_pence,
                          paid_by_instalment(award.id).get(instalment.id, 0),
                          f"Payment {instalment.number}")
    return instalment


def record_payment(user: User, award_id: int, details: PaymentDetails,
                   now: datetime) -> Payment:
    """Record money paid to the organisation against one of its scheduled payments: a
    payment entry in the ledger for each pot's share, the payment with their batch and the
    audit event in one commit; then the organisation is told."""
    policies.require(policies.can_pay_awards(user))
    award = lock(user, award_id)
    money = money_by_pot(award_id=award.id)
    instalment = _check_payment(award, details, money, now)
    posted = pay_from_pots(user, details, {pot_id: each.unpaid_pence
                                           for pot_id, each in money.items()},
                           f"Award {award.reference} payment {instalment.number}", now,
                           award_id=award.id)
    payment = Payment(award=award, instalment=instalment, paid_on=details.paid_on,
                      amount_pence=details.amount_pence, reference=posted.reference,
                      recorded_by=user, recorded_at=now, batch=posted.batch)
    db.session.add(payment)
    db.session.flush()
    audit.record("award.paid", actor=user, subject=award, details={
        "payment_id": payment.id, "instalment": instalment.number,
        "amount_pence": payment.amount_pence, "paid_on": payment.paid_on.isoformat(),
        "reference": posted.reference, "shares": posted.audit_shares()})
    db.session.commit()
    services.tell_organisation(award, f"Payment of your grant {award.reference}",
                               "awards_paid", payment=payment)
    return payment


# Recoveries ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecoveryDetails:
    kind: RecoveryKind
    amount_pence: int
    received_on: date
    reason: str


def record_recovery(user: User, award_id: int, details: RecoveryDetails,
                    now: datetime) -> Recovery:
    """Record money recovered from the organisation, in one commit (see `recover`)."""
    policies.require(policies.can_pay_awards(user))
    award = lock(user, award_id)
    recovery = recover(user, award, details, now)
    db.session.commit()
    return recovery


def recover(user: User, award: Award, details: RecoveryDetails, now: datetime) -> Recovery:
    """Money recovered from the organisation: in each pot that paid, a clawback of its share
    and a release of the same amount (back to the pot's available money), with the recovery
    and the audit event. The caller has locked the award and commits."""
    money = money_by_pot(award_id=award.id)
    paid = sum(each.paid_pence for each in money.values())
    if paid <= 0:
        raise RuleBroken("Nothing has been paid on this award, so nothing can be recovered")
    if details.amount_pence <= 0:
        raise RuleBroken("The amount recovered must be more than £0", field="amount")
    if details.amount_pence > paid:
        raise RuleBroken(f"The amount recovered cannot be more than the {format_pounds(paid)} "
                         "paid on this award, less what has already been recovered",
                         field="amount")
    not_in_future(details.received_on, now, "received_on", "The date received")
    reason = details.reason.strip()
    if not reason:
        raise RuleBroken("Enter the reason for the recovery", field="reason")
    shares = pro_rata(details.amount_pence, {pot_id: each.paid_pence
                                             for pot_id, each in money.items()})
    postings = [ledger.Posting(pot_id, kind, pence) for pot_id, pence in sorted(shares.items())
                for kind in (LedgerKind.CLAWBACK, LedgerKind.RELEASE)]
    entries = ledger.post(user, postings, now=now, award_id=award.id,
                          reason=f"Award {award.reference} {details.kind.label.lower()}: "
                                 f"{reason}")
    recovery = Recovery(award=award, kind=details.kind, amount_pence=details.amount_pence,
                        received_on=details.received_on, reason=reason, recorded_by=user,
                        recorded_at=now, batch=entries[0].batch)
    db.session.add(recovery)
    db.session.flush()
    audit.record("award.recovered", actor=user, subject=award, details={
        "recovery_id": recovery.id, "kind": details.kind.value,
        "amount_pence": details.amount_pence, "reason": reason,
        "shares": {str(pot_id): pence for pot_id, pence in sorted(shares.items())}})
    return recovery


# What the award pages show -------------------------------------------------------------------


@dataclass(frozen=True)
class InstalmentRow:
    instalment: Instalment
    paid_pence: int

    @property
    def held(self) -> str | None:
        """Why it may not be paid yet, if it is held until a return is accepted."""
        return returns.why_held(self.instalment) if self.left_pence else None

    @property
    def left_pence(self) -> int:
        return max(self.instalment.amount_pence - self.paid_pence, 0)

    @property
    def status(self) -> str:
        if self.left_pence == 0:
            return "Paid"
        return "Part paid" if self.paid_pence else "Not paid"

    @property
    def label(self) -> str:
        return (f"Payment {self.instalment.number}, due {format_date(self.instalment.due_on)}: "
                f"{format_pounds(self.left_pence)} left to pay")


@dataclass(frozen=True)
class PaymentsView:
    """An award's schedule with what has been paid of each payment, the payments and
    recoveries recorded, and the totals."""

    award: Award
    schedule: list[InstalmentRow]
    payments: list[Payment]
    recoveries: list[Recovery]
    money: dict[int, PotMoney]

    @property
    def awarded_pence(self) -> int:
        return self.award.amount_pence

    @property
    def paid_pence(self) -> int:
        """Paid to the organisation, before any recovery."""
        return sum(payment.amount_pence for payment in self.payments)

    @property
    def recovered_pence(self) -> int:
        return sum(recovery.amount_pence for recovery in self.recoveries)

    @property
    def net_grant_pence(self) -> int:
        return self.awarded_pence - self.recovered_pence

    @property
    def left_to_pay_pence(self) -> int:
        """Committed in the ledger and not yet paid."""
        return sum(each.unpaid_pence for each in self.money.values())

    @property
    def can_pay(self) -> bool:
        return lifecycle.may_pay(self.award) and self.left_to_pay_pence > 0

    @property
    def can_recover(self) -> bool:
        return self.paid_pence > self.recovered_pence

    def warnings(self, today: date) -> list[str]:
        """What the officer should know before paying, though it does not stop them: special
        conditions not recorded as met, and payments that are not due yet."""
        found = []
        if self.award.special_conditions.strip() and self.award.conditions_met_at is None:
            found.append("The award has special conditions that have not been recorded as "
                         f"met: {self.award.special_conditions.strip()}")
        found.extend(f"Payment {row.instalment.number} is not due until "
                     f"{format_date(row.instalment.due_on)}: paying it now pays it early."
                     for row in self.schedule
                     if row.left_pence and row.instalment.due_on > today)
        return found


def payments_view(user: User, award: Award) -> PaymentsView:
    """What the award pages show of its payments, for the officers and for the organisation's
    members; a fixed number of queries however many payments there are."""
    policies.require(policies.can_pay_awards(user) or policies.can_view_offer(user, award))
    payments = list(db.session.scalars(
        select(Payment).where(Payment.award_id == award.id)
        .options(joinedload(Payment.instalment), joinedload(Payment.recorded_by))
        .order_by(Payment.paid_on, Payment.id)))
    recoveries = list(db.session.scalars(
        select(Recovery).where(Recovery.award_id == award.id)
        .options(joinedload(Recovery.recorded_by))
        .order_by(Recovery.received_on, Recovery.id)))
    paid = defaultdict(int)
    for payment in payments:
        paid[payment.instalment_id] += payment.amount_pence
    schedule = [InstalmentRow(instalment, paid[instalment.id])
                for instalment in award.instalments]
    return PaymentsView(award, schedule, payments, recoveries, money_by_pot(award_id=award.id))
