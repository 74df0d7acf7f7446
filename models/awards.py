"""Awards offered to organisations from approved decisions, and how each is paid for: its
allocations across funding pots, committed in the funding ledger when the offer is made; its
payment schedule and payments, monitoring returns, versions of its terms, money recovered, and
its letters."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.accounts import User
from models.applications import Application, CostLine
from models.base import db, utcnow
from models.decisions import Decision
from models.enums import (
    AwardChange,
    AwardStatus,
    GrantReturnStatus,
    JobStatus,
    PaymentTiming,
    RecoveryKind,
)
from models.funding import FundingPot
from models.schemes import Round
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
    # The terms beyond the money: when the funded work runs, how it is paid, subsidy control.
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    payment_timing: Mapped[PaymentTiming] = mapped_column(enum_type(PaymentTiming),
                                                          default=PaymentTiming.IN_ADVANCE)
    # Whether the award is given as Minimal Financial Assistance, and the organisation's
    # public funding over this and the previous two financial years, this award included, as
    # worked out when the offer was made (or last varied): the letter states both.
    minimal_financial_assistance: Mapped[bool] = mapped_column(default=True)
    subsidy_total_pence: Mapped[int] = mapped_column(BigInteger, default=0)
    subsidy_statement: Mapped[str] = mapped_column(Text, default="")
    # The number of the newest version of the terms (1 is the offer; each variation adds one).
    version: Mapped[int] = mapped_column(default=1)
    # When a grants officer recorded that the special conditions have been met (until then,
    # paying the award warns that they have not).
    conditions_met_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    conditions_met_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    application: Mapped[Application] = relationship()
    decision: Mapped[Decision] = relationship()
    offered_by: Mapped[User] = relationship(foreign_keys=[offered_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
    conditions_met_by: Mapped[User | None] = relationship(foreign_keys=[conditions_met_by_id])
    allocations: Mapped[list["Allocation"]] = relationship(
        back_populates="award", cascade="all, delete-orphan", order_by="Allocation.id")
    instalments: Mapped[list["Instalment"]] = relationship(
        back_populates="award", cascade="all, delete-orphan", order_by="Instalment.number")
    monitoring_returns: Mapped[list["MonitoringReturn"]] = relationship(
        back_populates="award", cascade="all, delete-orphan",
        order_by="(MonitoringReturn.due_on, MonitoringReturn.id)")


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


class Instalment(db.Model):
    """One scheduled payment of an award. An award's instalments add up to its amount."""

    __tablename__ = "instalments"
    __table_args__ = (
        UniqueConstraint("award_id", "number"),
        CheckConstraint("amount_pence > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"),
                                          index=True)
    number: Mapped[int]
    due_on: Mapped[date]
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    # The monitoring return that must be accepted before this payment may be made, if any.
    held_for_return_id: Mapped[int | None] = mapped_column(
        ForeignKey("monitoring_returns.id", ondelete="SET NULL"), index=True)

    award: Mapped[Award] = relationship(back_populates="instalments")
    held_for_return: Mapped["MonitoringReturn | None"] = relationship(lazy="joined")


class MonitoringReturn(db.Model):
    """A monitoring return the organisation must send for an award: when it is due and, once
    written, its answers: progress and outcomes against what the application promised, the
    people reached by theme and ward, and the spending against each line of the budget, with
    evidence. The last return due is the end-of-grant report, which also says what difference
    the grant made and how much of it is unspent. The organisation sends it; a grants officer
    accepts it or queries it, and a queried return is answered and sent again."""

    __tablename__ = "monitoring_returns"
    __table_args__ = (
        CheckConstraint("people_reached IS NULL OR people_reached >= 0",
                        name="people_not_negative"),
        CheckConstraint("underspend_pence IS NULL OR underspend_pence >= 0",
                        name="underspend_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"),
                                          index=True)
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date]
    end_of_grant: Mapped[bool] = mapped_column(default=False)
    status: Mapped[GrantReturnStatus] = mapped_column(
        enum_type(GrantReturnStatus), default=GrantReturnStatus.DRAFT, index=True)
    # The answers, saved as the organisation writes them.
    progress: Mapped[str] = mapped_column(Text, default="")
    outcomes: Mapped[str] = mapped_column(Text, default="")
    people_reached: Mapped[int | None]
    # Theme id, ward id and cost line id (as strings, JSON's keys) -> people or pence.
    people_by_theme: Mapped[dict[str, int]] = mapped_column(db.JSON, default=dict)
    people_by_ward: Mapped[dict[str, int]] = mapped_column(db.JSON, default=dict)
    spend_by_line: Mapped[dict[str, int]] = mapped_column(db.JSON, default=dict)
    # The end-of-grant report's own questions.
    difference_made: Mapped[str] = mapped_column(Text, default="")
    lessons_learned: Mapped[str] = mapped_column(Text, default="")
    underspend_pence: Mapped[int | None] = mapped_column(BigInteger)
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When it was first sent: lateness is judged on it, not on sending again after a query.
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The officer's latest query and the organisation's answer to it.
    query_note: Mapped[str] = mapped_column(Text, default="")
    query_answer: Mapped[str] = mapped_column(Text, default="")

    award: Mapped[Award] = relationship(back_populates="monitoring_returns")
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    evidence: Mapped[list["ReturnEvidence"]] = relationship(
        back_populates="monitoring_return", cascade="all, delete-orphan",
        order_by="ReturnEvidence.id")

    @property
    def has_answers(self) -> bool:
        return self.saved_at is not None


class ReturnEvidence(db.Model):
    """A file sent with a monitoring return as evidence of spending (a receipt, an invoice),
    against one line of the budget. The bytes live outside static/ under a random name."""

    __tablename__ = "return_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(
        ForeignKey("monitoring_returns.id", ondelete="CASCADE"), index=True)
    cost_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("cost_lines.id", ondelete="SET NULL"))
    original_filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    monitoring_return: Mapped[MonitoringReturn] = relationship(back_populates="evidence")
    cost_line: Mapped[CostLine | None] = relationship()
    uploaded_by: Mapped[User] = relationship()


class Payment(db.Model):
    """Money paid to the organisation, against one of the award's instalments. Its ledger
    entries (one per pot paying a share) carry the same batch."""

    __tablename__ = "payments"
    __table_args__ = (CheckConstraint("amount_pence > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id"), index=True)
    instalment_id: Mapped[int | None] = mapped_column(ForeignKey("instalments.id"), index=True)
    paid_on: Mapped[date]
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    # The finance system's reference for the payment, as the organisation's bank shows it.
    reference: Mapped[str] = mapped_column(String(100))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    batch: Mapped[uuid.UUID] = mapped_column(db.Uuid, index=True)

    award: Mapped[Award] = relationship()
    instalment: Mapped[Instalment | None] = relationship()
    recorded_by: Mapped[User] = relationship()


class Recovery(db.Model):
    """Money recovered from the organisation, a clawback or a repayment, with why. It lowers
    what was paid and what the award commits, so the money goes back to the pots."""

    __tablename__ = "recoveries"
    __table_args__ = (CheckConstraint("amount_pence > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id"), index=True)
    kind: Mapped[RecoveryKind] = mapped_column(enum_type(RecoveryKind))
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    received_on: Mapped[date]
    reason: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    batch: Mapped[uuid.UUID] = mapped_column(db.Uuid, index=True)

    award: Mapped[Award] = relationship()
    recorded_by: Mapped[User] = relationship()


class AwardVersion(db.Model):
    """The award's terms as they stood after the offer (version 1) or a variation: amount,
    allocations, schedule, dates and returns, kept as data so no version is ever lost."""

    __tablename__ = "award_versions"
    __table_args__ = (UniqueConstraint("award_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"),
                                          index=True)
    number: Mapped[int]
    change: Mapped[AwardChange] = mapped_column(enum_type(AwardChange))
    reason: Mapped[str] = mapped_column(Text, default="")
    terms: Mapped[dict[str, Any]] = mapped_column(db.JSON)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    award: Mapped[Award] = relationship()
    created_by: Mapped[User] = relationship()


class AwardLetter(db.Model):
    """A rendered letter for one version of an award's terms (the offer letter, or a variation
    letter). The PDF is kept on disk under its sha256; `data_sha256` fingerprints what it was
    rendered from, so unchanged data reuses the stored file."""

    __tablename__ = "award_letters"
    __table_args__ = (UniqueConstraint("award_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"),
                                          index=True)
    # The letter's own version number for the award: 1, 2, ...
    number: Mapped[int]
    award_version: Mapped[int]
    change: Mapped[AwardChange] = mapped_column(enum_type(AwardChange))
    data_sha256: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    award: Mapped[Award] = relationship()


class LetterBatch(db.Model):
    """An officer's request to produce every letter of a round, and how far it has got."""

    __tablename__ = "letter_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[JobStatus] = mapped_column(enum_type(JobStatus), default=JobStatus.QUEUED)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    # The RQ jobs' ids, one per chunk of the round's letters, when they run on workers;
    # empty when they ran in-process.
    job_ids: Mapped[list[str]] = mapped_column(db.JSON, default=list)
    error: Mapped[str] = mapped_column(Text, default="")
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    round: Mapped[Round] = relationship()
    requested_by: Mapped[User] = relationship()
