"""The figures the ledger stores, proved against its entries: each pot's budget, committed and
paid, and what each scheme's awards have committed and been paid from each pot
(scheme_pot_spends). `flask funding check` runs `check`; `store_sums` sets the stored figures
from entries that were added without `ledger.post` (a benchmark's bulk insert).

Both read the whole ledger: they are for the command line, never for a page."""

from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select, update

from models import Application, Award, FundingPot, LedgerEntry, Round, Scheme, SchemePotSpend
from portal.extensions import db
from portal.funding.ledger import (
    Balance,
    Spend,
    balance_of,
    budget_sum,
    committed_sum,
    paid_sum,
)


@dataclass(frozen=True)
class Mismatch:
    """A pot whose stored figures differ from the sums of its entries."""

    pot: FundingPot
    stored: Balance
    summed: Balance


@dataclass(frozen=True)
class SchemeMismatch:
    """What a scheme's awards have spent from a pot, as stored and as summed from their
    entries, where the two differ."""

    scheme: Scheme
    pot: FundingPot
    stored: Spend
    summed: Spend


@dataclass(frozen=True)
class Check:
    """How many pots were checked, and the stored figures that differ from the entries."""

    pots: int
    scheme_spends: int  # how many (scheme, pot) sums were checked
    mismatches: list[Mismatch]
    scheme_mismatches: list[SchemeMismatch]

    @property
    def agrees(self) -> bool:
        return not self.mismatches and not self.scheme_mismatches


def summed_by_pot():
    """Each pot's figures summed from its entries, for the pots that have entries."""
    return (select(LedgerEntry.pot_id.label("pot_id"), budget_sum().label("budget"),
                   committed_sum().label("committed"), paid_sum().label("paid"))
            .group_by(LedgerEntry.pot_id).subquery())


def _pot_mismatches() -> tuple[int, list[Mismatch]]:
    summed = summed_by_pot()
    query = (select(FundingPot, func.coalesce(summed.c.budget, 0),
                    func.coalesce(summed.c.committed, 0), func.coalesce(summed.c.paid, 0))
             .outerjoin(summed, summed.c.pot_id == FundingPot.id).order_by(FundingPot.id))
    pots, found = 0, []
    for pot, budget, committed, paid in db.session.execute(query):
        pots += 1
        stored, sums = balance_of(pot), Balance(int(budget), int(committed), int(paid))
        if stored != sums:
            found.append(Mismatch(pot, stored, sums))
    return pots, found


def summed_by_scheme():
    """The select of scheme_id, pot_id, committed and paid summed from the entries of each
    scheme's awards, by pot."""
    return (select(Round.scheme_id, LedgerEntry.pot_id, committed_sum(), paid_sum())
            .join(Award, Award.id == LedgerEntry.award_id)
            .join(Application, Application.id == Award.application_id)
            .join(Round, Round.id == Application.round_id)
            .group_by(Round.scheme_id, LedgerEntry.pot_id))


def _scheme_mismatches() -> tuple[int, list[SchemeMismatch]]:
    stored = {(spend.scheme_id, spend.pot_id): Spend(spend.committed_pence, spend.paid_pence)
              for spend in db.session.scalars(select(SchemePotSpend))}
    summed = {(scheme_id, pot_id): Spend(int(committed), int(paid))
              for scheme_id, pot_id, committed, paid in db.session.execute(summed_by_scheme())}
    keys = sorted(stored.keys() | summed.keys())
    return len(keys), [
        SchemeMismatch(db.session.get(Scheme, key[0]), db.session.get(FundingPot, key[1]),
                       stored.get(key, Spend()), summed.get(key, Spend()))
        for key in keys if stored.get(key, Spend()) != summed.get(key, Spend())]


def check() -> Check:
    """Sum the entries again, by pot and by scheme and pot, and compare them with the stored
    figures: three queries that read the whole ledger."""
    pots, mismatches = _pot_mismatches()
    scheme_spends, scheme_mismatches = _scheme_mismatches()
    return Check(pots, scheme_spends, mismatches, scheme_mismatches)


def store_sums() -> None:
    """Set every stored figure to the sums of the entries: one UPDATE of the pots, and
    scheme_pot_spends written again. The caller commits."""
    def of_pot(total):
        return (select(total).where(LedgerEntry.pot_id == FundingPot.id)
                .correlate(FundingPot).scalar_subquery())

    db.session.execute(update(FundingPot).values(
        budget_pence=of_pot(budget_sum()), committed_pence=of_pot(committed_sum()),
        paid_pence=of_pot(paid_sum())).execution_options(synchronize_session=False))
    db.session.execute(delete(SchemePotSpend))
    db.session.execute(insert(SchemePotSpend).from_select(
        ["scheme_id", "pot_id", "committed_pence", "paid_pence"], summed_by_scheme()))
    db.session.expire_all()
