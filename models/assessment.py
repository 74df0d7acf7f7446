"""Eligibility and due-diligence checks that a grants officer makes before scoring, the
clarifications asked of applicants, and officers' exports of the applications list built in the
background."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.accounts import User
from models.applications import Application
from models.base import db, utcnow
from models.enums import DueDiligenceOutcome, JobStatus
from models.types import UTCDateTime, enum_type


class DueDiligenceCheck(db.Model):
    """One per application. Each check says who confirmed it and when, so that the decision can
    be defended; the outcome moves the application on (see applications.workflow)."""

    __tablename__ = "due_diligence_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    # The charity or company number checked against the public register.
    register_checked_on: Mapped[date | None]
    register_checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    register_note: Mapped[str] = mapped_column(Text, default="")
    bank_details_verified_on: Mapped[date | None]
    bank_details_verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    governing_document_seen: Mapped[bool] = mapped_column(default=False)
    accounts_seen: Mapped[bool] = mapped_column(default=False)
    safeguarding_policy_seen: Mapped[bool] = mapped_column(default=False)
    # What the officer made of the organisation's other applications and awards, which the
    # portal lists beside the check.
    duplicate_funding_note: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[DueDiligenceOutcome | None] = mapped_column(enum_type(DueDiligenceOutcome))
    # Sent to the applicant when the outcome is "ineligible".
    ineligible_reason: Mapped[str] = mapped_column(Text, default="")
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    application: Mapped[Application] = relationship()
    register_checked_by: Mapped[User | None] = relationship(foreign_keys=[register_checked_by_id])
    bank_details_verified_by: Mapped[User | None] = relationship(
        foreign_keys=[bank_details_verified_by_id])
    outcome_by: Mapped[User | None] = relationship(foreign_keys=[outcome_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])


class ClarificationRequest(db.Model):
    """A question a grants officer asks the applicant, answered in the portal."""

    __tablename__ = "clarification_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    question: Mapped[str] = mapped_column(Text)
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    application: Mapped[Application] = relationship()
    asked_by: Mapped[User] = relationship(foreign_keys=[asked_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])




class ExportJob(db.Model):
    """An officer's request for the applications list as a workbook, built by a background job:
    how far it has got, and the file once it is stored. Only the officer who asked sees it;
    the daily run deletes it, with its file, after a few days."""

    __tablename__ = "export_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # The list's filters and sort as they were asked for (assessment.services.ApplicationFilters).
    filters: Mapped[dict[str, Any]] = mapped_column(db.JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(enum_type(JobStatus), default=JobStatus.QUEUED)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    # The RQ job's id when it runs on a worker; empty when it ran in-process.
    job_id: Mapped[str] = mapped_column(String(64), default="")
    # The workbook's name in the file store ("exports"), once it is stored.
    file_name: Mapped[str] = mapped_column(String(100), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    requested_by: Mapped[User] = relationship()
