"""Which grants the council makes public: awards the organisation accepted (including those
since closed) that no grants officer has withheld. The open-data files and the public register
both select their grants here, so they always agree."""

from sqlalchemy import Select, exists, select

from models import Application, Award, Round, WithheldGrant
from models.enums import AwardStatus
from portal.extensions import db

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
