"""Open data: the grants a grants officer has withheld from publication, and each publication
of a financial year's grants (360Giving JSON and spreadsheets, Transparency Code CSV) as it was
approved. Publications are never changed: publishing again adds a new version."""

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.accounts import User
from models.awards import Award
from models.base import db, utcnow
from models.types import UTCDateTime


class WithheldGrant(db.Model):
    """An award left out of open data and the public register, and why (for example, naming
    the group would put someone at risk). Removing the row publishes the grant again."""

    __tablename__ = "withheld_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"),
                                          unique=True)
    reason: Mapped[str] = mapped_column(Text)
    withheld_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    withheld_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    award: Mapped[Award] = relationship()
    withheld_by: Mapped[User] = relationship()


class Publication(db.Model):
    """One approved publication of a financial year's grants. Its files are kept in the file
    store under `file_stem`; the totals are those of the 360Giving file, for the history."""

    __tablename__ = "publications"
    __table_args__ = (
        UniqueConstraint("financial_year", "version"),
        CheckConstraint("version > 0", name="version_positive"),
        CheckConstraint("grant_count > 0", name="not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    financial_year: Mapped[str] = mapped_column(String(7))  # "2024/25"
    version: Mapped[int]
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    approved_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    grant_count: Mapped[int]
    withheld_count: Mapped[int]
    awarded_pence: Mapped[int] = mapped_column(BigInteger)
    disbursed_pence: Mapped[int] = mapped_column(BigInteger)
    licence_name: Mapped[str] = mapped_column(String(200))
    licence_url: Mapped[str] = mapped_column(String(500))
    # The sha256 of the 360Giving JSON: what the officer reviewed is what was published.
    digest: Mapped[str] = mapped_column(String(64))
    file_stem: Mapped[str] = mapped_column(String(64), unique=True)

    approved_by: Mapped[User] = relationship()
