"""Which grants the council makes public: awards the organisation accepted (including those
since closed) that no grants officer has withheld. The open-data files and the public register
both select their grants here, so they always agree."""

from sqlalchemy import Select, exists, select

from models import Application, Award, LedgerEntry, Round, WithheldGrant
from models.enums import AwardStatus
from portal.extensions import db
from portal.funding import ledger

PUBLISHED_STATUSES = (AwardStatus.ACCEPTED, AwardStatus.CLOSED)
REASON_LIMIT = 1000  # characters in the reason a grant is withheld


def is_withheld():
    """SQL: the award has been withheld from publication."""
    return exists().where(WithheldGrant.award_id == Award.id)


def public_awards() -> Select:
    """Awards, joined to their applications and rounds, that may be published."""
    return (select(Award).join(Award.application).join(Application.round)
            .where(Award.status.in_(PUBLISHED_STATUSES), ~is_withheld()))


def financial_years() -> list[str]:
    """The financial years (of their rounds) with grants that may be published, latest first."""
    query = public_awards().with_only_columns(Round.financial_year).distinct()
    return sorted(db.session.scalars(query), reverse=True)


def ledger_spends(award_ids: list[int]) -> dict[int, ledger.Spend]:
    """What the ledger holds committed to each award (its amount as varied, less anything
    released when it closed) and has paid it (less clawbacks): the figures the funding
    dashboard adds up, so the files and the register agree with it to the penny."""
    if not award_ids:
        return {}
    query = (select(LedgerEntry.award_id, ledger.committed_sum(), ledger.paid_sum())
             .where(LedgerEntry.award_id.in_(award_ids)).group_by(LedgerEntry.award_id))
    # PostgreSQL sums to numeric: back to whole pence.
    return {award_id: ledger.Spend(int(committed), int(paid))
            for award_id, committed, paid in db.session.execute(query)}
