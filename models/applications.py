"""Applications to a round, section by section, and the references they get on submission."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.accounts import User
from models.associations import application_themes, application_wards
from models.base import db, utcnow
from models.enums import ApplicationStatus, FundingStatus
from models.organisations import Organisation
from models.places import Ward
from models.schemes import Round, Theme
from models.types import UTCDateTime, enum_type


class Application(db.Model):
    __tablename__ = "applications"
    __table_args__ = (
        CheckConstraint("amount_requested_pence IS NULL OR amount_requested_pence > 0",
                        name="amount_positive"),
        CheckConstraint("beneficiaries IS NULL OR beneficiaries >= 0",
                        name="beneficiaries_not_negative"),
        # The officers' list: one index per sort, read in order and sought from a page's last
        # row (keyset paging), with the status (a filter) in front for the filtered list, and
        # the round with the default sort. The id breaks ties, as the list's order does. The
        # (status, amount) index also counts and sums the list without reading the table.
        # PostgreSQL alone also has trigram indexes for the search (see the migration).
        Index("ix_applications_submitted_at_id", "submitted_at", "id"),
        Index("ix_applications_amount_id", "amount_requested_pence", "id"),
        Index("ix_applications_status_submitted_at_id", "status", "submitted_at", "id"),
        Index("ix_applications_status_amount_id", "status", "amount_requested_pence", "id"),
        Index("ix_applications_status_reference", "status", "reference"),
        Index("ix_applications_round_submitted_at_id", "round_id", "submitted_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_type(ApplicationStatus), default=ApplicationStatus.DRAFT)
    # Section name -> SectionStatus value; a section missing here has not been started.
    sections: Mapped[dict[str, str]] = mapped_column(db.JSON, default=dict)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    # Your project
    title: Mapped[str | None] = mapped_column(String(140))
    summary: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    # Who will benefit
    beneficiaries: Mapped[int | None]
    beneficiary_description: Mapped[str | None] = mapped_column(Text)
    # Budget (cost lines and other funding are rows of their own)
    amount_requested_pence: Mapped[int | None] = mapped_column(BigInteger)
    # Declarations (public funding received is a list of rows of its own)
    has_conflict_of_interest: Mapped[bool | None]
    conflict_of_interest_details: Mapped[str | None] = mapped_column(Text)
    safeguarding_confirmed: Mapped[bool | None]
    data_protection_confirmed: Mapped[bool | None]

    # Submission: the organisation's profile as it stood is kept with the application.
    organisation_snapshot: Mapped[dict[str, Any] | None] = mapped_column(db.JSON)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)

    round: Mapped[Round] = relationship()
    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    wards: Mapped[list[Ward]] = relationship(secondary=application_wards, order_by=Ward.name)
    themes: Mapped[list[Theme]] = relationship(secondary=application_themes,
                                               order_by=Theme.name)
    cost_lines: Mapped[list["CostLine"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="CostLine.id")
    other_funding: Mapped[list["OtherFunding"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="OtherFunding.id")
    public_funding: Mapped[list["PublicFunding"]] = relationship(
        back_populates="application", cascade="all, delete-orphan",
        order_by="PublicFunding.id")
    status_changes: Mapped[list["StatusChange"]] = relationship(
        back_populates="application", cascade="all, delete-orphan",
        order_by="[StatusChange.at, StatusChange.id]")

    @property
    def total_cost_pence(self) -> int:
        return sum(line.amount_pence for line in self.cost_lines)

    def __repr__(self) -> str:
        return f"<Application {self.id} {self.reference or 'draft'}>"


class CostLine(db.Model):
    """One line of the project's budget."""

    __tablename__ = "cost_lines"
    __table_args__ = (CheckConstraint("amount_pence > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(String(200))
    amount_pence: Mapped[int] = mapped_column(BigInteger)

    application: Mapped[Application] = relationship(back_populates="cost_lines")


class OtherFunding(db.Model):
    """Other money for the project, secured or applied for."""

    __tablename__ = "other_funding"
    __table_args__ = (CheckConstraint("amount_pence > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(200))
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[FundingStatus] = mapped_column(enum_type(FundingStatus))

    application: Mapped[Application] = relationship(back_populates="other_funding")


class PublicFunding(db.Model):
    """Public money the organisation received in this or the previous two financial years,
    declared for subsidy control (Minimal Financial Assistance)."""

    __tablename__ = "public_funding"
    __table_args__ = (CheckConstraint("amount_pence > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    funder: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(200), default="")
    financial_year: Mapped[str] = mapped_column(String(7))
    amount_pence: Mapped[int] = mapped_column(BigInteger)

    application: Mapped[Application] = relationship(back_populates="public_funding")


class ReferenceSequence(db.Model):
    """The last reference number used per scheme and financial year. Submission takes the next
    number by updating this row, which PostgreSQL locks until the submission commits."""

    __tablename__ = "reference_sequences"
    __table_args__ = (UniqueConstraint("scheme_id", "financial_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id"))
    financial_year: Mapped[str] = mapped_column(String(7))
    last_number: Mapped[int] = mapped_column(default=0)


class StatusChange(db.Model):
    """Each move of an application from one status to another: the applicant's timeline and
    the officers' history. Written only by portal.applications.workflow."""

    __tablename__ = "application_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[ApplicationStatus | None] = mapped_column(enum_type(ApplicationStatus))
    to_status: Mapped[ApplicationStatus] = mapped_column(enum_type(ApplicationStatus))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    application: Mapped[Application] = relationship(back_populates="status_changes")
    by: Mapped[User | None] = relationship()
