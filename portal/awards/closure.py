"""Closing an award once its end-of-grant report has been accepted.

Closing settles the money in one commit: whatever is committed to the award and not paid goes
back to its pots (a release in the ledger), and the underspend the organisation declared in
the report, less the part that was never paid, is recorded as a repayment through the ledger
(`payments.recover`). The final figures are kept as the last version of the award's terms, so
the closure letter (`portal.awards.letters`) can always be made again as it was sent.
"""

from dataclasses import dataclass
from datetime import date, datetime

from models import Award, MonitoringReturn, User
from models.enums import AwardChange, GrantReturnStatus, LedgerKind, RecoveryKind
from portal import policies
from portal.awards import lifecycle, payments, services
from portal.awards.lifecycle import AWARD
from portal.awards.terms import record_version
from portal.exceptions import RuleBroken
from portal.extensions import db
from portal.funding import ledger
from portal.funding.payments import PotMoney, money_by_pot
from portal.money import format_pounds

UNDERSPEND_REASON = "Underspend declared in the end-of-grant report"


@dataclass(frozen=True)
class ClosureDetails:
    # When the organisation repaid its underspend; needed only when there is some to recover.
    received_on: date | None
    note: str = ""


@dataclass(frozen=True)
class Closure:
    """What closing the award would do, from its ledger and its end-of-grant report."""

    award: Award
    report: MonitoringReturn | None
    money: dict[int, PotMoney]

    @property
    def paid_pence(self) -> int:
        """Paid to the organisation, less what has been recovered already."""
        return sum(each.paid_pence for each in self.money.values())

    @property
    def unpaid_pence(self) -> int:
        """Committed and not paid: released to the pots on closing."""
        return sum(each.unpaid_pence for each in self.money.values())

    @property
    def underspend_pence(self) -> int:
        return (self.report.underspend_pence or 0) if self.report else 0

    @property
    def recover_pence(self) -> int:
        """The underspend the organisation holds: what it declared, less what it was never
        paid, and never more than it was paid."""
        return min(max(self.underspend_pence - self.unpaid_pence, 0), self.paid_pence)

    @property
    def net_grant_pence(self) -> int:
        return self.paid_pence - self.recover_pence

    @property
    def why_not(self) -> str | None:
        """Why the award cannot be closed now, or None."""
        if not AWARD.may_move(self.award, lifecycle.CLOSED):
            return AWARD.refusal(self.award, lifecycle.CLOSED)
        if self.report is None:
            return "The award has no end-of-grant report, so it cannot be closed"
        if self.report.status is not GrantReturnStatus.ACCEPTED:
            return (f"The end-of-grant report, {self.report.title}, must be accepted before "
                    f"the award is closed. It is {self.report.status.label.lower()}.")
        return None


def _closure(award: Award) -> Closure:
    report = next((each for each in award.monitoring_returns if each.end_of_grant), None)
    return Closure(award, report, money_by_pot(award_id=award.id))


def closure(user: User, award_id: int) -> Closure:
    """What closing the award would do, for the officer to check first."""
    policies.require(policies.can_pay_awards(user))
    return _closure(services.award(user, award_id))


def close(user: User, award_id: int, details: ClosureDetails, now: datetime) -> Award:
    """Close the award: release what was not paid, recover the underspend, keep the final
    figures as the last version of its terms, move it to closed and audit it, in one commit;
    then tell the organisation, pointing to the closure letter."""
    policies.require(policies.can_pay_awards(user))
    award = payments.lock(user, award_id)
    plan = _closure(award)
    if plan.why_not:
        raise RuleBroken(plan.why_not)
    if plan.recover_pence and details.received_on is None:
        raise RuleBroken(f"Enter the date the organisation repaid the "
                         f"{format_pounds(plan.recover_pence)} unspent", field="received_on")
    if releases := [ledger.Posting(pot_id, LedgerKind.RELEASE, each.unpaid_pence)
                    for pot_id, each in sorted(plan.money.items()) if each.unpaid_pence > 0]:
        ledger.post(user, releases, now=now, award_id=award.id,
                    reason=f"Award {award.reference} closed: money not paid released")
    if plan.recover_pence:
        payments.recover(user, award, payments.RecoveryDetails(
            RecoveryKind.REPAYMENT, plan.recover_pence, details.received_on,
            UNDERSPEND_REASON), now)
    figures = {"paid_pence": plan.paid_pence, "released_pence": plan.unpaid_pence,
               "underspend_pence": plan.underspend_pence,
               "recovered_pence": plan.recover_pence, "net_grant_pence": plan.net_grant_pence}
    note = details.note.strip()
    award.closed_at = now
    award.closed_reason = note or "Closed after the end-of-grant report"
    version = record_version(user, award, AwardChange.CLOSURE, award.closed_reason, now)
    version.terms = {**version.terms, "closure": figures}
    AWARD.move(award, lifecycle.CLOSED, actor=user, details={**figures, "note": note})
    db.session.commit()
    services.tell_organisation(award, f"Your grant {award.reference} has been closed",
                               "awards_closed", figures=figures)
    return award
