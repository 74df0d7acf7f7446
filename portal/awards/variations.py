"""Varying an award: its amount, its split across pots, its dates, payment schedule and
monitoring returns, each variation kept as a new version of the terms with its reason.

An award may be varied while it is offered or accepted, the two states in which its money is
held: an offer can be put right before the organisation answers it (the organisation then
accepts the terms as varied), and an accepted grant changed as the work changes. What has
already happened stays as it was: no pot's allocation may go below what that pot has paid
(before recoveries), and a payment in the schedule that has been paid, in full or in part,
keeps its number and date and cannot become less than what has been paid of it (so an
underspent part-paid payment can be cut to what was paid).

The money moves in one ledger posting of each pot's change: more from a pot is a commitment
(which needs the pot to have it available), less is a release back to the pot.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from models import Allocation, Award, AwardVersion, FundingPot, User
from models.enums import AwardChange, LedgerKind, PaymentTiming
from portal import audit, policies
from portal.awards import lifecycle, services, subsidy
from portal.awards.payments import paid_by_instalment
from portal.awards.terms import (
    ReturnDue,
    ScheduledPayment,
    Terms,
    apply_terms,
    check_returns_kept,
    check_terms,
    record_version,
    terms_of,
)
from portal.dates import format_date, to_london
from portal.exceptions import NotFound, RuleBroken
from portal.extensions import db
from portal.funding import ledger
from portal.funding.payments import PotMoney, money_by_pot
from portal.money import format_pounds


@dataclass(frozen=True)
class Variation:
    """The award's new terms: its amount, pence from each pot (pot id -> pence), the period,
    schedule and returns, and why it is varied."""

    amount_pence: int
    allocations: dict[int, int]
    terms: Terms
    reason: str


# The variation page --------------------------------------------------------------------------


@dataclass(frozen=True)
class VariationPage:
    """The award, the pots that may fund it (open ones its restrictions allow, and the ones
    already paying for it) with what they have available, and what each has paid."""

    award: Award
    pots: list[services.PotChoice]
    money: dict[int, PotMoney]

    @property
    def why_not(self) -> str | None:
        if not lifecycle.may_vary(self.award):
            return ("Only an award that is offered or accepted can be varied. This award is "
                    f"{self.award.status.label.lower()}.")
        return None

    @property
    def current(self) -> Terms:
        return terms_of(self.award)

    @property
    def paid_pence(self) -> int:
        """Paid on the award before any recoveries: the least it can be varied to."""
        return sum(money.paid_before_recoveries_pence for money in self.money.values())


def _pots(award: Award) -> list[services.PotChoice]:
    """The pots that may fund the award now, and those it already has money in (a pot may
    since have closed or changed its restrictions: what it holds can stay or go down)."""
    choices = services.pots_for(award.application)
    listed = {choice.pot.id for choice in choices}
    held = [allocation.pot for allocation in award.allocations
            if allocation.pot_id not in listed]
    return choices + [services.PotChoice(pot, ledger.balance_of(pot).available_pence)
                      for pot in held]


def variation_page(user: User, award_id: int) -> VariationPage:
    policies.require(policies.can_vary_awards(user))
    award = services.award(user, award_id)
    return VariationPage(award, _pots(award), money_by_pot(award_id=award.id))


# Varying -------------------------------------------------------------------------------------


def _check_money(page: VariationPage, variation: Variation) -> dict[int, int]:
    """The new allocations, refused unless they add up, use pots that may fund the award and
    keep what has been paid."""
    chosen = services.check_allocations(variation.allocations,
                                        {choice.pot.id for choice in page.pots},
                                        variation.amount_pence)
    if variation.amount_pence < page.paid_pence:
        raise RuleBroken(f"The award cannot be less than the {format_pounds(page.paid_pence)} "
                         "already paid on it (before any recoveries)", field="amount")
    pots = {choice.pot.id: choice.pot for choice in page.pots}
    for pot_id, money in sorted(page.money.items()):
        if chosen.get(pot_id, 0) < money.paid_before_recoveries_pence:
            pot = pots[pot_id]
            raise RuleBroken(
                f"{pot.name} ({pot.financial_year}) has paid "
                f"{format_pounds(money.paid_before_recoveries_pence)} of this award: the "
                "amount from it cannot be less than that", field="allocations")
    return chosen


def _check_schedule(award: Award, terms: Terms) -> None:
    """A payment in the schedule that has been paid, in full or in part, keeps its number and
    date, and cannot become less than what has been paid of it."""
    paid = paid_by_instalment(award.id)
    for instalment in award.instalments:
        if not (paid_pence := paid.get(instalment.id, 0)):
            continue
        number = instalment.number
        new = terms.instalments[number - 1] if len(terms.instalments) >= number else None
        if new is None or new.due_on != instalment.due_on or new.amount_pence < paid_pence:
            raise RuleBroken(
                f"{format_pounds(paid_pence)} of payment {number} has been paid: keep it as "
                f"payment {number}, due {format_date(instalment.due_on)}, of at least "
                f"{format_pounds(paid_pence)}", field="instalments")


def _check_subsidy(award: Award, amount_pence: int) -> subsidy.RunningTotal:
    """The organisation's running total with the award at its new amount (the award itself
    is not counted among its other awards); an increase may not take Minimal Financial
    Assistance over the limit."""
    total = subsidy.running_total(award.application, amount_pence)
    if award.minimal_financial_assistance and total.over and amount_pence > award.amount_pence:
        raise RuleBroken(
            f"This increase would take the organisation’s public funding over {total.period} "
            f"to {format_pounds(total.total_pence)}, above the Minimal Financial Assistance "
            f"limit of {format_pounds(total.threshold_pence)}", field="amount")
    return total


def _postings(money: dict[int, PotMoney], chosen: dict[int, int]) -> list[ledger.Posting]:
    """Each pot's change, from what the ledger holds for the award, so that the pot holds
    its new amount less what was recovered from it: a commitment of more, a release of
    less."""
    postings = []
    for pot_id in sorted(money.keys() | chosen.keys()):
        held = money.get(pot_id, PotMoney())
        change = chosen.get(pot_id, 0) - held.recovered_pence - held.committed_pence
        if change:
            kind = LedgerKind.COMMITMENT if change > 0 else LedgerKind.RELEASE
            postings.append(ledger.Posting(pot_id, kind, abs(change)))
    return postings


def _set_allocations(award: Award, chosen: dict[int, int]) -> None:
    """Change the allocations in place (a pot keeps its row), so that no new row for a pot
    meets its old one in the database's unique index."""
    for allocation in list(award.allocations):
        if allocation.pot_id in chosen:
            allocation.amount_pence = chosen[allocation.pot_id]
        else:
            award.allocations.remove(allocation)
    held = {allocation.pot_id for allocation in award.allocations}
    award.allocations.extend(Allocation(pot_id=pot_id, amount_pence=pence)
                             for pot_id, pence in sorted(chosen.items()) if pot_id not in held)


def vary(user: User, award_id: int, variation: Variation, now: datetime) -> Award:
    """Vary the award: the money moved in the ledger, its allocations and terms changed, the
    new version of its terms kept with the reason and the audit event, in one commit; then
    the organisation is told, pointing to the variation letter."""
    policies.require(policies.can_vary_awards(user))
    db.session.execute(select(Award.id).where(Award.id == award_id).with_for_update())
    page = variation_page(user, award_id)
    award = page.award
    if page.why_not:
        raise RuleBroken(page.why_not)
    reason = variation.reason.strip()
    if not reason:
        raise RuleBroken("Enter the reason for the variation", field="reason")
    chosen = _check_money(page, variation)
    current = {allocation.pot_id: allocation.amount_pence for allocation in award.allocations}
    if (variation.amount_pence, chosen, variation.terms) == (award.amount_pence, current,
                                                              page.current):
        raise RuleBroken("Change at least one thing: the amount, the amounts from the pots, "
                         "the dates, the payments or the returns", field="amount")
    check_terms(variation.terms, variation.amount_pence, to_london(now).date(), page.paid_pence)
    check_returns_kept(award, variation.terms)
    _check_schedule(award, variation.terms)
    total = _check_subsidy(award, variation.amount_pence)
    if postings := _postings(page.money, chosen):
        try:
            ledger.post(user, postings, reason=f"Award {award.reference} varied: {reason}",
                        now=now, award_id=award.id)
        except RuleBroken as refused:
            raise RuleBroken(refused.message, field="allocations") from refused
    before = {"amount_pence": award.amount_pence, "version": award.version}
    award.amount_pence = variation.amount_pence
    award.subsidy_total_pence = total.total_pence
    if award.minimal_financial_assistance:
        # The statement names the grant's amount; one given on another basis states only that.
        award.subsidy_statement = subsidy.statement(total, True, "")
    _set_allocations(award, chosen)
    apply_terms(award, variation.terms)
    version = record_version(user, award, AwardChange.VARIATION, reason, now)
    audit.record("award.varied", actor=user, subject=award, details={
        **before, "new_amount_pence": award.amount_pence, "new_version": version.number,
        "reason": reason,
        "allocations": {str(pot_id): pence for pot_id, pence in sorted(chosen.items())}})
    db.session.commit()
    services.tell_organisation(award, f"Your grant {award.reference} has been varied",
                               "awards_varied", version=version)
    return award


# The versions of an award's terms ------------------------------------------------------------


@dataclass(frozen=True)
class VersionView:
    """One version of the terms, read back from its snapshot."""

    version: AwardVersion
    amount_pence: int
    allocations: list[tuple[FundingPot | None, int]]
    terms: Terms


@dataclass(frozen=True)
class Versions:
    award: Award
    versions: list[VersionView]


def _terms_from(snapshot: dict) -> Terms:
    """The Terms a snapshot (terms.snapshot) recorded."""
    return Terms(
        date.fromisoformat(snapshot["start_date"]), date.fromisoformat(snapshot["end_date"]),
        PaymentTiming(snapshot["payment_timing"]),
        tuple(ScheduledPayment(date.fromisoformat(each["due_on"]), each["amount_pence"],
                               each.get("held_for"))
              for each in snapshot["instalments"]),
        tuple(ReturnDue(each["title"], date.fromisoformat(each["due_on"]))
              for each in snapshot["monitoring_returns"]))


def versions(user: User, award_id: int) -> Versions:
    """Every version of the award's terms, newest first, with who made it and why; three
    queries however many there are."""
    policies.require(policies.can_vary_awards(user))
    award = db.session.scalar(select(Award).where(Award.id == award_id)
                              .options(joinedload(Award.application)))
    if award is None:
        raise NotFound(award_id)
    found = list(db.session.scalars(
        select(AwardVersion).where(AwardVersion.award_id == award_id)
        .options(joinedload(AwardVersion.created_by))
        .order_by(AwardVersion.number.desc())))
    pot_ids = {int(pot_id) for version in found for pot_id in version.terms["allocations"]}
    pots = {pot.id: pot for pot in db.session.scalars(
        select(FundingPot).where(FundingPot.id.in_(pot_ids)))} if pot_ids else {}
    return Versions(award, [
        VersionView(version, version.terms["amount_pence"],
                    [(pots.get(int(pot_id)), pence)
                     for pot_id, pence in version.terms["allocations"].items()],
                    _terms_from(version.terms))
        for version in found])
