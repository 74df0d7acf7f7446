"""The funding ledger: the one way money moves against funding pots.

Every budget change, commitment, release, payment, clawback and transfer is an entry added
here, never an edit. A pot's figures are sums of its entries:

    budget    = budget entries + transfers (signed)
    committed = commitments - releases
    paid      = payments - clawbacks
    available = budget - committed

and `post` keeps, for every pot, available >= 0, 0 <= paid <= committed and budget >= 0. It
locks the pots involved (SELECT ... FOR NO KEY UPDATE on PostgreSQL, in id order so that two
posts never wait on each other crosswise), works out what the entries would leave, and either adds
them all or refuses with a message naming the pot, adding nothing. The caller commits, so that
the money and what it is for (an award, a contract) are one transaction.

Each pot row also stores its three sums (budget_pence, committed_pence, paid_pence), and
scheme_pot_spends what each scheme's awards have committed and been paid from each pot. Only
`post` writes them, for the pots it has locked, in the transaction that adds the entries: so
they cannot drift from the entries (no other post can read or write them in between, and a
rollback takes both away), and `balances` and the dashboards read a row a pot (or a scheme and
pot) instead of summing the ledger. portal.funding.ledger_check sums the entries again to prove
it (`flask funding check`).
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select

from models import (
    Application,
    Award,
    FundingPartner,
    FundingPot,
    LedgerEntry,
    Round,
    SchemePotSpend,
    User,
)
from models.base import utcnow
from models.enums import LedgerKind, PotStatus
from portal import audit
from portal.exceptions import RuleBroken
from portal.extensions import db
from portal.money import format_pounds

# Kinds whose amount may be negative (a budget cut, the giving side of a transfer).
SIGNED_KINDS = frozenset({LedgerKind.BUDGET, LedgerKind.TRANSFER})
# Kinds that add to a pot's commitments: a closed pot takes none.
NEW_MONEY_OUT = frozenset({LedgerKind.COMMITMENT})


class LedgerRefused(RuleBroken):
    """The entries would break a pot's rules; nothing was added."""


@dataclass(frozen=True)
class Posting:
    """One entry to add: `amount_pence` is positive except for budget cuts and the giving
    side of a transfer. A budget posting naming `partner_id` is that partner's contribution
    to a pooled pot."""

    pot_id: int
    kind: LedgerKind
    amount_pence: int
    partner_id: int | None = None


@dataclass(frozen=True)
class Balance:
    budget_pence: int = 0
    committed_pence: int = 0
    paid_pence: int = 0

    @property
    def available_pence(self) -> int:
        return self.budget_pence - self.committed_pence

    def after(self, posting: Posting) -> "Balance":
        """The balance once `posting` is added."""
        amount = posting.amount_pence
        match posting.kind:
            case LedgerKind.BUDGET | LedgerKind.TRANSFER:
                return Balance(self.budget_pence + amount, self.committed_pence, self.paid_pence)
            case LedgerKind.COMMITMENT:
                return Balance(self.budget_pence, self.committed_pence + amount, self.paid_pence)
            case LedgerKind.RELEASE:
                return Balance(self.budget_pence, self.committed_pence - amount, self.paid_pence)
            case LedgerKind.PAYMENT:
                return Balance(self.budget_pence, self.committed_pence, self.paid_pence + amount)
            case LedgerKind.CLAWBACK:
                return Balance(self.budget_pence, self.committed_pence, self.paid_pence - amount)
        raise ValueError(posting.kind)


@dataclass(frozen=True)
class Spend:
    """What has been committed and paid from pots: the same ledger sums as a Balance's,
    without a budget, for money grouped other than by pot."""

    committed_pence: int = 0
    paid_pence: int = 0

    def __add__(self, other: "Spend") -> "Spend":
        return Spend(self.committed_pence + other.committed_pence,
                     self.paid_pence + other.paid_pence)

    def __sub__(self, other: "Spend") -> "Spend":
        return Spend(self.committed_pence - other.committed_pence,
                     self.paid_pence - other.paid_pence)


def _sum_of(*kinds: LedgerKind, minus: tuple[LedgerKind, ...] = ()):
    signed = case((LedgerEntry.kind.in_(kinds), LedgerEntry.amount_pence),
                  (LedgerEntry.kind.in_(minus), -LedgerEntry.amount_pence), else_=0)
    return func.coalesce(func.sum(signed), 0)


def committed_sum():
    """The SQL sum of the committed amount of the entries selected: commitments less
    releases. The dashboard's other groupings (by scheme) use it too, so they agree with
    `balances`."""
    return _sum_of(LedgerKind.COMMITMENT, minus=(LedgerKind.RELEASE,))


def paid_sum():
    """The SQL sum of the paid amount of the entries selected: payments less clawbacks."""
    return _sum_of(LedgerKind.PAYMENT, minus=(LedgerKind.CLAWBACK,))


def clawed_back_sum():
    """The SQL sum of the clawbacks of the entries selected: what has been recovered of what
    was paid."""
    return _sum_of(LedgerKind.CLAWBACK)


def budget_sum():
    """The SQL sum of the budget of the entries selected: budget entries and transfers."""
    return _sum_of(LedgerKind.BUDGET, LedgerKind.TRANSFER)


def balance_of(pot: FundingPot) -> Balance:
    """The pot's figures as its row stores them (see the module's docstring)."""
    return Balance(pot.budget_pence, pot.committed_pence, pot.paid_pence)


def balances(pot_ids: Iterable[int] | None = None) -> dict[int, Balance]:
    """Each pot's figures, read from the pots' rows in one query (every pot when `pot_ids` is
    None). An unknown pot has a zero balance."""
    query = select(FundingPot.id, FundingPot.budget_pence, FundingPot.committed_pence,
                   FundingPot.paid_pence)
    ids = None if pot_ids is None else list(pot_ids)
    if ids is not None:
        query = query.where(FundingPot.id.in_(ids))
    found = {pot_id: Balance(budget, committed, paid)
             for pot_id, budget, committed, paid in db.session.execute(query)}
    return found if ids is None else {pot_id: found.get(pot_id, Balance()) for pot_id in ids}


def _lock(pot_ids: set[int]) -> dict[int, FundingPot]:
    """Lock the pots' rows in id order until the transaction ends, and read them afresh.
    An unknown pot is refused like any other broken rule, so a tampered form is not a 500.

    The lock is FOR NO KEY UPDATE, which two posts cannot both hold but which does not wait
    for the key-share locks PostgreSQL takes on a pot when a row referring to it is written:
    an offer writes its allocations before posting, and with FOR UPDATE two offers from one
    pot would each hold a key-share lock the other's FOR UPDATE waits for, a deadlock."""
    pots = db.session.scalars(select(FundingPot).where(FundingPot.id.in_(sorted(pot_ids)))
                              .order_by(FundingPot.id).with_for_update(key_share=True)
                              .execution_options(populate_existing=True))
    found = {pot.id: pot for pot in pots}
    if missing := pot_ids - found.keys():
        raise LedgerRefused(f"There is no funding pot {min(missing)}", field="pot")
    return found


def _problem(pot: FundingPot, before: Balance, after: Balance) -> str | None:
    """Why `after` breaks the pot's rules, in words an officer can act on, or None. The most
    specific rule comes first: a budget cut below nothing is reported as that, not as an
    overspend."""
    name = f"{pot.name} ({pot.financial_year})"
    if after.budget_pence < 0:
        return (f"{name} cannot have a budget below £0.00: its budget is "
                f"{format_pounds(before.budget_pence)}")
    if after.committed_pence < 0:
        return f"{name} cannot release more than the {format_pounds(before.committed_pence)} " \
               "committed from it"
    if after.paid_pence < 0:
        return f"{name} cannot claw back more than the {format_pounds(before.paid_pence)} paid"
    if after.paid_pence > after.committed_pence and after.paid_pence <= before.paid_pence:
        return (f"{name} cannot release so much: {format_pounds(after.paid_pence)} of what is "
                "committed from it has been paid")
    if after.paid_pence > after.committed_pence:
        return (f"{name} cannot pay more than is committed from it: "
                f"{format_pounds(after.committed_pence)} committed, "
                f"{format_pounds(before.paid_pence)} already paid")
    if after.available_pence < 0:
        if after.budget_pence < before.budget_pence \
                and after.committed_pence <= before.committed_pence:
            return (f"{name} cannot have a budget below the "
                    f"{format_pounds(after.committed_pence)} committed from it")
        return (f"{name} has {format_pounds(max(before.available_pence, 0))} available, "
                f"which is not enough: it would be {format_pounds(-after.available_pence)} "
                "overspent")
    return None


def _check_postings(postings: list[Posting], reason: str) -> None:
    """Refuse an empty posting or one without a reason before locking anything: every entry
    must say why the money moved."""
    if not postings:
        raise LedgerRefused("There is nothing to record")
    if not reason.strip():
        raise LedgerRefused("Enter the reason for this change", field="reason")


def _check_amount(pot: FundingPot, posting: Posting) -> None:
    """Only budget and transfer entries may be negative, and no entry is for nothing (the
    database refuses both too, but as a 500)."""
    what = f"A {posting.kind.label.lower()} for {pot.name} ({pot.financial_year})"
    if posting.amount_pence == 0 and posting.kind in SIGNED_KINDS:
        raise LedgerRefused(f"{what} cannot be £0.00", field="amount")
    if posting.amount_pence <= 0 and posting.kind not in SIGNED_KINDS:
        raise LedgerRefused(f"{what} must be more than £0.00", field="amount")


def _check_pooling(pot: FundingPot, posting: Posting) -> None:
    """A pooled pot's budget is its partners' contributions and nothing else, so that what it
    pays for can be attributed to them; only a pooled pot takes contributions."""
    name = f"{pot.name} ({pot.financial_year})"
    if posting.partner_id is not None and not pot.pooled:
        raise LedgerRefused(f"{name} is not pooled: it takes no partners' contributions")
    if posting.partner_id is not None and posting.kind is not LedgerKind.BUDGET:
        raise LedgerRefused("A contribution changes a pot's budget and nothing else")
    if pot.pooled and posting.kind is LedgerKind.TRANSFER:
        raise LedgerRefused(f"{name} is pooled: its budget changes only by partners' "
                            "contributions, not by transfers", field="to_pot")
    if pot.pooled and posting.kind is LedgerKind.BUDGET and posting.partner_id is None:
        raise LedgerRefused(f"{name} is pooled: say which partner the money is from",
                            field="partner")


def _check_contributions(postings: list[Posting]) -> None:
    """No partner may take back more than it has contributed to a pot. The pots are locked,
    so the sums cannot change meanwhile."""
    changes: dict[tuple[int, int], int] = {}
    for posting in postings:
        if posting.partner_id is not None:
            key = (posting.pot_id, posting.partner_id)
            changes[key] = changes.get(key, 0) + posting.amount_pence
    for (pot_id, partner_id), change in changes.items():
        if change >= 0:
            continue
        given = db.session.scalar(
            select(func.coalesce(func.sum(LedgerEntry.amount_pence), 0))
            .where(LedgerEntry.pot_id == pot_id, LedgerEntry.partner_id == partner_id))
        if given + change < 0:
            partner = db.session.get(FundingPartner, partner_id)
            name = partner.name if partner else "The partner"
            raise LedgerRefused(f"{name} has contributed {format_pounds(given)} to this pot: "
                                "no more than that can be taken back", field="amount")


def _scheme_of(award_id: int) -> int | None:
    return db.session.scalar(
        select(Round.scheme_id).join(Application, Application.round_id == Round.id)
        .join(Award, Award.application_id == Application.id).where(Award.id == award_id))


def _add_to_scheme_spends(award_id: int, postings: list[Posting]) -> None:
    """Add what `postings` commit and pay to what the award's scheme has spent from their
    pots. The pots are locked, so no other post reads or writes these rows meanwhile."""
    scheme_id = _scheme_of(award_id)
    if scheme_id is None:
        return
    spends = {spend.pot_id: spend for spend in db.session.scalars(
        select(SchemePotSpend).where(SchemePotSpend.scheme_id == scheme_id,
                                     SchemePotSpend.pot_id.in_({p.pot_id for p in postings}))
        .execution_options(populate_existing=True))}
    for posting in postings:
        spend = spends.get(posting.pot_id)
        if spend is None:
            spend = spends[posting.pot_id] = SchemePotSpend(
                scheme_id=scheme_id, pot_id=posting.pot_id, committed_pence=0, paid_pence=0)
            db.session.add(spend)
        change = Balance().after(posting)
        spend.committed_pence += change.committed_pence
        spend.paid_pence += change.paid_pence


def post(actor: User, postings: list[Posting], reason: str, now: datetime | None = None,
         award_id: int | None = None, contract_id: int | None = None) -> list[LedgerEntry]:
    """Add `postings` together, or refuse them all (LedgerRefused) if any pot's rules would
    break; `award_id` or `contract_id` links the entries to the award or contract they are
    for. The caller commits (or rolls back)."""
    _check_postings(postings, reason)
    pots = _lock({posting.pot_id for posting in postings})
    current = {pot_id: balance_of(pot) for pot_id, pot in pots.items()}
    after = dict(current)
    for posting in postings:
        pot = pots[posting.pot_id]
        _check_amount(pot, posting)
        _check_pooling(pot, posting)
        if posting.kind in NEW_MONEY_OUT and pot.status is PotStatus.CLOSED:
            raise LedgerRefused(f"{pot.name} ({pot.financial_year}) is closed: nothing more "
                                "can be committed from it")
        after[posting.pot_id] = after[posting.pot_id].after(posting)
    for pot_id, pot in pots.items():
        if problem := _problem(pot, current[pot_id], after[pot_id]):
            raise LedgerRefused(problem, field="amount")
    _check_contributions(postings)
    for pot_id, pot in pots.items():
        pot.budget_pence, pot.committed_pence, pot.paid_pence = (
            after[pot_id].budget_pence, after[pot_id].committed_pence, after[pot_id].paid_pence)
    if award_id is not None:
        _add_to_scheme_spends(award_id, postings)
    now = now or utcnow()
    batch = uuid.uuid4()
    entries = [LedgerEntry(pot_id=posting.pot_id, kind=posting.kind,
                           amount_pence=posting.amount_pence, reason=reason.strip(),
                           actor=actor, created_at=now, batch=batch, award_id=award_id,
                           contract_id=contract_id, partner_id=posting.partner_id)
               for posting in postings]
    db.session.add_all(entries)
    db.session.flush()
    audit.record("ledger.posted", actor=actor, subject=entries[0], details={
        "batch": str(batch), "reason": reason.strip(), "award_id": award_id,
        "contract_id": contract_id,
        "entries": [_audited(posting) for posting in postings]})
    return entries


def _audited(posting: Posting) -> dict:
    entry = {"pot_id": posting.pot_id, "kind": posting.kind.value,
             "amount_pence": posting.amount_pence}
    if posting.partner_id is not None:
        entry["partner_id"] = posting.partner_id
    return entry


def transfer(actor: User, from_pot_id: int, to_pot_id: int, amount_pence: int, reason: str,
             now: datetime | None = None) -> list[LedgerEntry]:
    """Move budget from one pot to another: two transfer entries in one batch."""
    if from_pot_id == to_pot_id:
        raise LedgerRefused("Choose a different pot to transfer to", field="to_pot")
    if amount_pence <= 0:
        raise LedgerRefused("The amount to transfer must be more than £0.00", field="amount")
    return post(actor, [Posting(from_pot_id, LedgerKind.TRANSFER, -amount_pence),
                        Posting(to_pot_id, LedgerKind.TRANSFER, amount_pence)], reason, now)
