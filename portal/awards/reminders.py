"""The awards' part of the daily run: offers about to expire, and monitoring returns due soon
or overdue, each reminded once to the organisation (`portal.reminders.send_once`). A changed
date (a variation, a new accept-by date) is a new occasion, so it is reminded again."""

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from models import Application, Award, Membership, MonitoringReturn, Organisation
from models.enums import GrantReturnStatus, ReminderKind
from portal.awards import lifecycle
from portal.awards.services import organisation_recipients
from portal.dates import format_date, to_london
from portal.extensions import db
from portal.mail import public_url
from portal.reminders import send_once

OFFER_NOTICE = timedelta(days=7)
RETURN_NOTICE = timedelta(days=14)


def _with_people():
    return (joinedload(Award.application).options(
        joinedload(Application.submitted_by),
        joinedload(Application.organisation).selectinload(Organisation.memberships)
        .joinedload(Membership.user)))


def _remind_offers(now: datetime, counts: Counter) -> None:
    today = to_london(now).date()
    for award in list(db.session.scalars(
            select(Award).where(Award.status == lifecycle.OFFERED,
                                Award.accept_by.between(today, today + OFFER_NOTICE))
            .options(_with_people()).order_by(Award.id))):
        counts[ReminderKind.OFFER_EXPIRING] += send_once(
            ReminderKind.OFFER_EXPIRING, f"offer:{award.id}:expires:{award.accept_by}",
            organisation_recipients(award),
            f"Your grant offer {award.reference} expires on {format_date(award.accept_by)}",
            now, lines=[
                f"The grant offer {award.reference} for {award.application.title} has not "
                "been accepted yet.",
                f"An admin of {award.application.organisation.name} must accept it by the end "
                f"of {format_date(award.accept_by)}, or it expires and the money goes to "
                "other projects."],
            link=public_url("awards.offer", award_id=award.id), link_text="See the offer")


def _remind_returns(now: datetime, counts: Counter) -> None:
    today = to_london(now).date()
    for due in list(db.session.scalars(
            select(MonitoringReturn).join(Award)
            .where(Award.status == lifecycle.ACCEPTED,
                   MonitoringReturn.status == GrantReturnStatus.DRAFT,
                   MonitoringReturn.due_on <= today + RETURN_NOTICE)
            .options(joinedload(MonitoringReturn.award).options(_with_people()))
            .order_by(MonitoringReturn.id))):
        overdue = lifecycle.is_overdue(due, today)
        kind = ReminderKind.GRANT_RETURN_OVERDUE if overdue else ReminderKind.GRANT_RETURN_DUE
        award = due.award
        when = f"was due on {format_date(due.due_on)}" if overdue else \
            f"is due on {format_date(due.due_on)}"
        counts[kind] += send_once(
            kind, f"grant-return:{due.id}:{'overdue' if overdue else 'due'}:{due.due_on}",
            organisation_recipients(award),
            f"Monitoring return {due.title} for grant {award.reference} {when}", now,
            lines=[f"The monitoring return {due.title} for your grant {award.reference}, "
                   f"{award.application.title}, {when}.",
                   "Payments held until it is accepted cannot be made before then." if overdue
                   else "Write it in the portal, add evidence of your spending and send it."],
            link=public_url("awards.grant_return", grant_return_id=due.id),
            link_text="Write the return")


def remind(now: datetime) -> Counter:
    """Send the awards' reminders due today; how many of each kind were sent."""
    counts: Counter = Counter()
    _remind_offers(now, counts)
    _remind_returns(now, counts)
    return counts
