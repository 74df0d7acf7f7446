"""Assessors assigned to applications, their declarations of interest and their scores.

Submitted scores are history: a change after submission is a new version of the scoresheet
with a reason, and the earlier versions stay as they were."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.accounts import User
from models.applications import Application
from models.base import db, utcnow
from models.enums import ConflictDeclaration, ScoresheetStatus
from models.schemes import ScoringCriterion
from models.types import UTCDateTime, enum_type


class Assignment(db.Model):
    """An assessor asked to score an application. Until they declare whether they have a
    conflict of interest they see only its summary; a declared conflict takes them off it
    (the row stays, so that officers see every declaration)."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("application_id", "assessor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    assessor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    declaration: Mapped[ConflictDeclaration | None] = mapped_column(
        enum_type(ConflictDeclaration))
    conflict_details: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    application: Mapped[Application] = relationship()
    assessor: Mapped[User] = relationship(foreign_keys=[assessor_id])
    assigned_by: Mapped[User] = relationship(foreign_keys=[assigned_by_id])
    scoresheets: Mapped[list["Scoresheet"]] = relationship(
        back_populates="assignment", order_by="Scoresheet.version")

    @property
    def active(self) -> bool:
        return self.declaration is not ConflictDeclaration.CONFLICT


class Scoresheet(db.Model):
    """One version of an assessor's scores for an application. A draft may be edited; once
    submitted it never changes, and a later version (with `reason`) supersedes it."""

    __tablename__ = "scoresheets"
    __table_args__ = (
        UniqueConstraint("assignment_id", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    status: Mapped[ScoresheetStatus] = mapped_column(enum_type(ScoresheetStatus),
                                                     default=ScoresheetStatus.DRAFT)
    # Why a submitted scoresheet was changed (versions after the first).
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The weighted total (a percentage, rounded half up to 2 places) when submitted.
    total_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))

    assignment: Mapped[Assignment] = relationship(back_populates="scoresheets")
    scores: Mapped[list["CriterionScore"]] = relationship(
        back_populates="scoresheet", cascade="all, delete-orphan")

    @property
    def editable(self) -> bool:
        """A draft may be edited; a submitted sheet is changed only by a new version."""
        return self.status is ScoresheetStatus.DRAFT


class CriterionScore(db.Model):
    """One criterion's score on one scoresheet, with the assessor's justification."""

    __tablename__ = "criterion_scores"
    __table_args__ = (UniqueConstraint("scoresheet_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scoresheet_id: Mapped[int] = mapped_column(
        ForeignKey("scoresheets.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("scoring_criteria.id"))
    score: Mapped[int | None]
    justification: Mapped[str] = mapped_column(Text, default="")

    scoresheet: Mapped[Scoresheet] = relationship(back_populates="scores")
    criterion: Mapped[ScoringCriterion] = relationship()


class ModeratedScore(db.Model):
    """A grants officer's moderated total for an application, with the reason. Rows are never
    changed: the newest one is the moderated score."""

    __tablename__ = "moderated_scores"
    __table_args__ = (
        CheckConstraint("total_percent >= 0 AND total_percent <= 100", name="total_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    total_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    reason: Mapped[str] = mapped_column(Text)
    moderated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    moderated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    application: Mapped[Application] = relationship()
    moderated_by: Mapped[User] = relationship()
