"""Assessment's part of the daily run: clarification requests the applicant has not answered
within a few days, reminded once to whoever sent the application and the organisation's
admins (`portal.reminders.send_once`)."""

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from models import Application, ClarificationRequest, Membership, Organisation
from models.enums import ApplicationStatus, OrganisationRole, ReminderKind
from portal.dates import format_date, to_london
from portal.extensions import db
from portal.mail import public_url
from portal.reminders import send_once

UNANSWERED_FOR = timedelta(days=5)


def remind(now: datetime) -> Counter:
    """Send the reminders of unanswered clarification requests; how many were sent."""
    counts: Counter = Counter()
    for request in list(db.session.scalars(
            select(ClarificationRequest).join(Application)
            .where(ClarificationRequest.answer.is_(None),
                   ClarificationRequest.asked_at <= now - UNANSWERED_FOR,
                   Application.status == ApplicationStatus.CLARIFICATION_REQUESTED)
            .options(joinedload(ClarificationRequest.application).options(
                joinedload(Application.submitted_by),
                joinedload(Application.organisation).selectinload(Organisation.memberships)
                .joinedload(Membership.user)))
            .order_by(ClarificationRequest.id))):
        application = request.application
        people = [application.submitted_by, *(
            membership.user for membership in application.organisation.memberships
            if membership.role is OrganisationRole.ADMIN)]
        counts[ReminderKind.CLARIFICATION_UNANSWERED] += send_once(
            ReminderKind.CLARIFICATION_UNANSWERED, f"clarification:{request.id}:unanswered",
            people, f"Your application {application.reference} is waiting for your answer",
            now, lines=[
                f"On {format_date(to_london(request.asked_at))} we asked a question about "
                f"your application {application.reference}, {application.title}:",
                request.question,
                "We cannot go on assessing the application until you answer it."],
            link=public_url("applications.answer_clarification",
                            application_id=application.id),
            link_text="Answer the question")
    return counts
