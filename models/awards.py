"""Awards offered to organisations from approved decisions, and how each is paid for: its
allocations across funding pots, committed in the funding ledger when the offer is made."""

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.accounts import User
from models.applications import Application
from models.base import db, utcnow
from models.decisions import Decision
from models.enums import AwardStatus
from models.funding import FundingPot
from models.types import UTCDateTime, enum_type


class Award(db.Model):
    __tablename__ = "awards"
    __table_args__ = (CheckConstraint("amount_pence > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"))
    # The grant reference: the application's reference, which the organisation already knows.
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[AwardStatus] = mapped_column(enum_type(AwardStatus),
                                                default=AwardStatus.OFFERED, index=True)
    standard_conditions: Mapped[str] = mapped_column(Text, default="")
    special_conditions: Mapped[str] = mapped_column(Text, default="")
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    offered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The offer lapses if not accepted by the end of this day (UK time).
    accept_by: Mapped[date]
    # The organisation's answer: accepted online by a named signatory, or declined.
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signatory_name: Mapped[str] = mapped_column(String(200), default="")
    signatory_position: Mapped[str] = mapped_column(String(200), default="")
    answer_ip: Mapped[str] = mapped_column(String(45), default="")
    declined_reason: Mapped[str] = mapped_column(Text, default="")
    # When the council withdrew the offer, or it expired, and why.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_reason: Mapped[str] = mapped_column(Text, default="")

    application: Mapped[Application] = relationship()
    decision: Mapped[Decision] = relationship()
    offered_by: Mapped[User] = relationship(foreign_keys=[offered_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
    allocations: Mapped[list["Allocation"]] = relationship(
        back_populates="award", cascade="all, delete-orphan", order_by="Allocation.id")


class Allocation(db.Model):
    """The part of an award one pot pays for. An award's allocations add up to its amount."""

    __tablename__ = "allocations"
    __table_args__ = (
        UniqueConstraint("award_id", "pot_id"),
        CheckConstraint("amount_pence > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"),
                                          index=True)
    pot_id: Mapped[int] = mapped_column(ForeignKey("funding_pots.id"), index=True)
    amount_pence: Mapped[int] = mapped_column(BigInteger)

    award: Mapped[Award] = relationship(back_populates="allocations")
    pot: Mapped[FundingPot] = relationship()
