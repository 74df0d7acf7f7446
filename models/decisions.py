"""Funding recommendations and the decisions made on applications."""

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.accounts import User
from models.applications import Application
from models.base import db, utcnow
from models.enums import DecisionAuthority, DecisionOutcome, RejectionReason
from models.types import UTCDateTime, enum_type


class Recommendation(db.Model):
    """The amount the officer recommends for an application: proposed by "recommend within
    budget", then adjusted by hand if the officer chooses (`adjusted`)."""

    __tablename__ = "recommendations"
    __table_args__ = (CheckConstraint("amount_pence >= 0", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    adjusted: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    application: Mapped[Application] = relationship()
    updated_by: Mapped[User] = relationship()


class Decision(db.Model):
    """What was decided on an application, by which authority and when. An application has at
    most one approval or rejection; deferrals may come before it."""

    __tablename__ = "decisions"
    __table_args__ = (
        CheckConstraint("amount_pence IS NULL OR amount_pence > 0", name="amount_positive"),
        CheckConstraint("(outcome = 'approved') = (amount_pence IS NOT NULL)",
                        name="amount_only_when_approved"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    outcome: Mapped[DecisionOutcome] = mapped_column(enum_type(DecisionOutcome))
    amount_pence: Mapped[int | None] = mapped_column(BigInteger)
    rejection_reason: Mapped[RejectionReason | None] = mapped_column(enum_type(RejectionReason))
    reason: Mapped[str] = mapped_column(Text, default="")
    authority: Mapped[DecisionAuthority] = mapped_column(enum_type(DecisionAuthority))
    decided_on: Mapped[date]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Feedback for an unsuccessful applicant is shown only once an officer has approved it.
    feedback: Mapped[str] = mapped_column(Text, default="")
    feedback_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    feedback_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    application: Mapped[Application] = relationship()
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])
    feedback_approved_by: Mapped[User | None] = relationship(
        foreign_keys=[feedback_approved_by_id])
