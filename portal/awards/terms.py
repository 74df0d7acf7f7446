"""An award's terms beyond the split of its money: the grant period, the payment schedule
and the monitoring returns due, checked as one, and the versions of those terms.

Every version of the terms (the offer is version 1; each variation adds one) is kept as data
in `AwardVersion`, so what the organisation was told in any letter can always be shown again.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from models import Award, AwardVersion, Instalment, MonitoringReturn, User
from models.enums import AwardChange, PaymentTiming
from portal.dates import format_date
from portal.exceptions import RuleBroken
from portal.extensions import db
from portal.money import format_pounds

MAX_INSTALMENTS = 6
MAX_RETURNS = 4
END_OF_GRANT_REPORT = "End of grant report"


@dataclass(frozen=True)
class ScheduledPayment:
    due_on: date
    amount_pence: int
    # The number of the return (in the terms' list, from 1) that must be accepted before
    # this payment may be made, if any.
    held_for: int | None = None


@dataclass(frozen=True)
class ReturnDue:
    title: str
    due_on: date


@dataclass(frozen=True)
class Terms:
    """When the funded work runs, how the award is paid and which returns are due."""

    start_date: date
    end_date: date
    payment_timing: PaymentTiming
    instalments: tuple[ScheduledPayment, ...]
    monitoring_returns: tuple[ReturnDue, ...]


def default_terms(amount_pence: int, start: date | None, end: date | None,
                  today: date) -> Terms:
    """What an offer starts with: the application's project dates (or a year from today),
    one payment in advance on the start date, and an end-of-grant report a month after the
    end."""
    start = max(start or today, today)
    end = end if end and end >= start else start + timedelta(days=364)
    return Terms(start, end, PaymentTiming.IN_ADVANCE,
                 (ScheduledPayment(start, amount_pence),),
                 (ReturnDue(END_OF_GRANT_REPORT, end + timedelta(days=30)),))


def check_terms(terms: Terms, amount_pence: int, today: date, paid_pence: int = 0) -> None:
    """Refuse terms that do not hang together, naming the field to correct: the period must
    run forwards, the instalments add up exactly to the award, none but those already paid
    (`paid_pence` of them) may be due in the past, and at least one return is due."""
    if terms.end_date < terms.start_date:
        raise RuleBroken("The end date must be the same as or after the start date",
                         field="end_date")
    if not terms.instalments:
        raise RuleBroken("Enter at least one payment: its date and amount", field="instalments")
    if len(terms.instalments) > MAX_INSTALMENTS:
        raise RuleBroken(f"Enter {MAX_INSTALMENTS} payments or fewer", field="instalments")
    if any(payment.amount_pence <= 0 for payment in terms.instalments):
        raise RuleBroken("Each payment must be more than £0.00", field="instalments")
    total = sum(payment.amount_pence for payment in terms.instalments)
    if total != amount_pence:
        raise RuleBroken(f"The payments add up to {format_pounds(total)}. They must add up to "
                         f"the award of {format_pounds(amount_pence)}.", field="instalments")
    dates = [payment.due_on for payment in terms.instalments]
    if dates != sorted(dates):
        raise RuleBroken("Enter the payments in date order, earliest first",
                         field="instalments")
    if paid_pence == 0 and dates[0] < today:
        raise RuleBroken(f"A payment cannot be due before today, {format_date(today)}",
                         field="instalments")
    if not terms.monitoring_returns:
        raise RuleBroken("Enter at least one monitoring return and when it is due",
                         field="monitoring_returns")
    if len(terms.monitoring_returns) > MAX_RETURNS:
        raise RuleBroken(f"Enter {MAX_RETURNS} returns or fewer", field="monitoring_returns")
    if any(not due.title.strip() for due in terms.monitoring_returns):
        raise RuleBroken("Enter what each monitoring return is", field="monitoring_returns")
    titles = [_key(due.title) for due in terms.monitoring_returns]
    if len(set(titles)) != len(titles):
        raise RuleBroken("Give each monitoring return a different title",
                         field="monitoring_returns")
    for number, payment in enumerate(terms.instalments, 1):
        if payment.held_for is not None and not 1 <= payment.held_for <= len(
                terms.monitoring_returns):
            raise RuleBroken(f"Payment {number} is held for return {payment.held_for}, which "
                             "is not in the list of returns", field="instalments")


def check_returns_kept(award: Award, terms: Terms) -> None:
    """A return the organisation has sent stays in the terms under its title: new terms may
    change its due date, but not rename it or leave it out."""
    titles = {_key(due.title) for due in terms.monitoring_returns}
    for kept in award.monitoring_returns:
        if kept.submitted_at is not None and _key(kept.title) not in titles:
            raise RuleBroken(f"The return {kept.title} has been sent, so it must stay in the "
                             "list of returns under that title", field="monitoring_returns")


def _key(title: str) -> str:
    return title.strip().casefold()


def apply_terms(award: Award, terms: Terms) -> None:
    """Set the award's period, timing, schedule and returns to `terms` (numbering the
    instalments from 1). An instalment keeps its row while its number is in the schedule, so
    the payments made against it (which a variation may not change) still point at it; a
    return keeps its row, and the answers written in it, while its title is in the list. The
    return due last is the end-of-grant report."""
    award.start_date, award.end_date = terms.start_date, terms.end_date
    award.payment_timing = terms.payment_timing
    by_title = {_key(kept.title): kept for kept in award.monitoring_returns}
    award.monitoring_returns = [by_title.get(_key(due.title)) or MonitoringReturn()
                                for due in terms.monitoring_returns]
    for kept, due in zip(award.monitoring_returns, terms.monitoring_returns, strict=True):
        kept.title, kept.due_on, kept.end_of_grant = due.title.strip(), due.due_on, False
    max(reversed(award.monitoring_returns), key=lambda kept: kept.due_on).end_of_grant = True
    award.instalments = award.instalments[:len(terms.instalments)] + [
        Instalment() for _ in range(len(terms.instalments) - len(award.instalments))]
    for number, (instalment, payment) in enumerate(
            zip(award.instalments, terms.instalments, strict=True), 1):
        instalment.number, instalment.due_on = number, payment.due_on
        instalment.amount_pence = payment.amount_pence
        instalment.held_for_return = (award.monitoring_returns[payment.held_for - 1]
                                      if payment.held_for else None)


def held_for(award: Award, instalment: Instalment) -> int | None:
    """The number of the return the instalment is held for, in the award's list, if any."""
    held = instalment.held_for_return
    return award.monitoring_returns.index(held) + 1 if held in award.monitoring_returns else None


def terms_of(award: Award) -> Terms:
    return Terms(award.start_date, award.end_date, award.payment_timing,
                 tuple(ScheduledPayment(instalment.due_on, instalment.amount_pence,
                                        held_for(award, instalment))
                       for instalment in award.instalments),
                 tuple(ReturnDue(due.title, due.due_on) for due in award.monitoring_returns))


def snapshot(award: Award) -> dict:
    """The award's whole terms as plain data (JSON): money, split, schedule, dates, returns,
    conditions and subsidy control."""
    return {
        "amount_pence": award.amount_pence,
        "allocations": {str(allocation.pot_id): allocation.amount_pence
                        for allocation in award.allocations},
        "start_date": award.start_date.isoformat(),
        "end_date": award.end_date.isoformat(),
        "payment_timing": award.payment_timing.value,
        "instalments": [{"number": instalment.number, "due_on": instalment.due_on.isoformat(),
                         "amount_pence": instalment.amount_pence,
                         "held_for": held_for(award, instalment)}
                        for instalment in award.instalments],
        "monitoring_returns": [{"title": due.title, "due_on": due.due_on.isoformat()}
                               for due in award.monitoring_returns],
        "standard_conditions": award.standard_conditions,
        "special_conditions": award.special_conditions,
        "minimal_financial_assistance": award.minimal_financial_assistance,
        "subsidy_total_pence": award.subsidy_total_pence,
        "subsidy_statement": award.subsidy_statement,
    }


def record_version(user: User, award: Award, change: AwardChange, reason: str,
                   now: datetime) -> AwardVersion:
    """Keep the award's terms as they now stand as its next version (the offer is 1). The
    caller has locked the award and commits."""
    number = 1 if change is AwardChange.OFFER else award.version + 1
    award.version = number
    db.session.flush()
    version = AwardVersion(award_id=award.id, number=number, change=change,
                           reason=reason.strip(), terms=snapshot(award), created_by=user,
                           created_at=now)
    db.session.add(version)
    return version
