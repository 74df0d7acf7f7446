"""Reminders sent by the daily run, each at most once.

`send_once` claims a reminder for a person by adding its row (the key and the person are
unique together) before sending it, and keeps the row only if the email went: a second run,
or two runs at once on PostgreSQL, finds the claim and sends nothing, while an email that
failed is tried again on the next run. The officers' page lists what was sent (`sent`).
"""

from datetime import datetime

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from models import Reminder, User
from models.enums import ReminderKind
from portal import policies
from portal.extensions import db
from portal.mail import send_email

PER_PAGE = 50
TEMPLATE = "reminder"


def send_once(kind: ReminderKind, key: str, people: list[User], subject: str, now: datetime,
              **context) -> int:
    """Email `templates/mail/reminder` (with `lines`, `link` and `link_text` in `context`)
    to each of `people` who has not had the reminder `key`; how many were sent. The caller
    has committed its own changes: each reminder is committed, or rolled back, alone."""
    sent = 0
    for person in {person.id: person for person in people if person is not None}.values():
        if db.session.scalar(select(Reminder.id).where(Reminder.key == key,
                                                       Reminder.recipient_id == person.id)):
            continue
        db.session.add(Reminder(kind=kind, key=key, subject=subject, recipient_id=person.id,
                                email=person.email, sent_at=now))
        try:
            db.session.flush()  # on PostgreSQL, waits for another run claiming the same row
        except IntegrityError:  # that run sent it
            db.session.rollback()
            continue
        try:
            send_email(person.email, subject, TEMPLATE, user=person, **context)
        except Exception:
            current_app.logger.exception("Could not send reminder %s to %s", key, person.email)
            db.session.rollback()
            continue
        db.session.commit()
        sent += 1
    return sent


def sent(user: User, page: int) -> Pagination:
    """What reminders were sent to whom and when, the newest first, 50 a page."""
    policies.require(policies.can_view_reminders(user))
    return db.paginate(
        select(Reminder).options(joinedload(Reminder.recipient))
        .order_by(Reminder.sent_at.desc(), Reminder.id.desc()),
        page=page, per_page=PER_PAGE, error_out=False)
