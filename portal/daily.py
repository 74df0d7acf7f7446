"""The daily run: the work that falls due with the calendar, done once a day.

It expires the offers not accepted in time and sends the reminders due today: offers about
to expire, grant and contract monitoring returns due soon or overdue, and clarification
requests left unanswered. It also deletes officers' exports a few days old, with their files.
Every step is idempotent: running it again the same day (or two runs at once) changes nothing
more and sends no reminder twice. It runs from RQ's cron scheduler when REDIS_URL is set
(`flask jobs scheduler`, with a worker) and from the system's cron otherwise (`flask daily`);
the README shows both.
"""

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select

from models import Award, MonitoringReturn
from models.base import utcnow
from portal.assessment import export_jobs
from portal.assessment import reminders as assessment_reminders
from portal.awards import reminders as award_reminders
from portal.awards import returns
from portal.awards.services import expire_offers
from portal.dates import to_london
from portal.extensions import db
from portal.monitoring import reminders as monitoring_reminders

# The job RQ's scheduler queues, by its dotted path (see portal.jobs).
JOB = "portal.daily.run_job"


@dataclass(frozen=True)
class DailyRun:
    expired_offers: int
    reminders: Counter
    overdue_grant_returns: int
    deleted_exports: int = 0

    def summary(self) -> str:
        sent = ", ".join(f"{count} {kind.label.lower()}" for kind, count
                         in sorted(self.reminders.items()) if count) or "none"
        return (f"Expired {self.expired_offers} award offers. Reminders sent: {sent}. "
                f"Grant returns overdue: {self.overdue_grant_returns}. "
                f"Old exports deleted: {self.deleted_exports}.")


def _overdue_grant_returns(now) -> int:
    return db.session.scalar(
        select(func.count(MonitoringReturn.id)).join(Award)
        .where(returns.shown(returns.Show.OVERDUE, to_london(now).date())))


def run(now) -> DailyRun:
    """Do today's work as of `now`."""
    expired = expire_offers(now)
    sent = (award_reminders.remind(now) + monitoring_reminders.remind(now)
            + assessment_reminders.remind(now))
    return DailyRun(expired, sent, _overdue_grant_returns(now), export_jobs.delete_old(now))


def run_job() -> None:
    """The daily run as a background job, as of when it runs."""
    run(utcnow())
