"""Reminders the daily run has emailed: to whom, about what and when. A reminder's key names
what it is about and the occasion (a return's due date, say); each person gets a key once."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.accounts import User
from models.base import db, utcnow
from models.enums import ReminderKind
from models.types import UTCDateTime, enum_type


class Reminder(db.Model):
    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("key", "recipient_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ReminderKind] = mapped_column(enum_type(ReminderKind), index=True)
    # What it is about and why now, e.g. "grant-return:12:due:2026-12-31".
    key: Mapped[str] = mapped_column(String(120))
    # The email's subject, which names the grant, contract or application.
    subject: Mapped[str] = mapped_column(String(300))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    recipient: Mapped[User] = relationship()
