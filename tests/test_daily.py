"""The daily run: it expires lapsed offers and reminds organisations of offers about to expire,
grant and contract returns due soon or overdue and unanswered clarification requests, each
reminder once to each person, even when two runs overlap; what was sent is listed for the
officers; it runs from cron (`flask daily`) or from RQ's scheduler."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from models import Award, ClarificationRequest, Reminder
from models.base import db, utcnow
from models.enums import ApplicationStatus, AwardStatus, ReminderKind, Role
from portal import daily, jobs, reminders
from portal.dates import to_london
from tests.assessment.conftest import submitted
from tests.awards.conftest import accepted_grant, make
from tests.awards.test_grant_returns import sent
from tests.concurrency import at_once
from tests.conftest import sign_in_as
from tests.factories import RoundFactory, UserFactory
from tests.html import soup
from tests.monitoring.anchors import anchor, sent_return
from tests.querycount import count_queries


@pytest.fixture
def round_(ctx):
    return RoundFactory(closed=True, budget_pence=50_000_00, min_award_pence=500_00,
                        max_award_pence=5_000_00)


def kinds_sent() -> dict[ReminderKind, int]:
    return dict(db.session.execute(select(Reminder.kind, func.count(Reminder.id))
                                   .group_by(Reminder.kind)).all())


def at(day) -> datetime:
    """7am UK time on `day`."""
    return datetime(day.year, day.month, day.day, 7, tzinfo=UTC)


def test_an_offer_about_to_expire_is_reminded_once_and_a_lapsed_one_expires(round_, outbox):
    soon = make(round_, accept_by=to_london(utcnow()).date() + timedelta(days=5))
    lapsed = make(round_)
    lapsed.award.accept_by = to_london(utcnow()).date() - timedelta(days=1)
    db.session.commit()
    first = daily.run(utcnow())
    assert first.expired_offers == 1
    assert db.session.get(Award, lapsed.award.id).status is AwardStatus.EXPIRED
    assert first.reminders == {ReminderKind.OFFER_EXPIRING: 2}  # the admin and the sender
    message = outbox.to(soon.admin.email)[-1]
    assert message["Subject"].startswith(f"Your grant offer {soon.award.reference} expires")
    second = daily.run(utcnow())
    assert (second.expired_offers, sum(second.reminders.values())) == (0, 0)
    assert kinds_sent() == {ReminderKind.OFFER_EXPIRING: 2}


def test_grant_returns_are_reminded_when_due_and_again_when_overdue_until_sent(round_):
    grant = accepted_grant(round_)
    due = grant.award.monitoring_returns[0].due_on
    assert not daily.run(at(due - timedelta(days=20))).reminders  # not due for 20 days
    assert daily.run(at(due - timedelta(days=10))).reminders == {
        ReminderKind.GRANT_RETURN_DUE: 2}
    assert not daily.run(at(due - timedelta(days=9))).reminders
    overdue = daily.run(at(due + timedelta(days=1)))
    assert overdue.reminders == {ReminderKind.GRANT_RETURN_OVERDUE: 2}
    assert overdue.overdue_grant_returns == 1
    sent(grant)
    later = daily.run(at(due + timedelta(days=2)))
    assert (later.reminders, later.overdue_grant_returns) == ({}, 0)


def test_contract_returns_not_sent_are_reminded_once_each(ctx):
    found = anchor("CA-LA-09")
    sent_return(found, quarter=1)
    # 10 November 2024: Q2's return (due 31 October) is overdue; Q3 has not ended.
    run = daily.run(datetime(2024, 11, 10, 7, tzinfo=UTC))
    assert run.reminders == {ReminderKind.CONTRACT_RETURN_OVERDUE: 1}  # the provider's admin
    reminder = db.session.scalars(select(Reminder)).one()
    assert reminder.email == found.admin.email
    assert "Q2 2024/25" in reminder.subject
    # Q3 ends on 31 December and is due on 31 January: reminded within 14 days of that.
    assert daily.run(datetime(2025, 1, 20, 7, tzinfo=UTC)).reminders == {
        ReminderKind.CONTRACT_RETURN_DUE: 1}


def test_a_clarification_request_unanswered_for_five_days_is_reminded(ctx, outbox):
    officer = UserFactory(roles=(Role.GRANTS_OFFICER,))
    application = submitted(status=ApplicationStatus.CLARIFICATION_REQUESTED,
                            submitted_by=UserFactory())
    db.session.add(ClarificationRequest(application=application, question="Which hall?",
                                        asked_by=officer,
                                        asked_at=utcnow() - timedelta(days=6)))
    db.session.commit()
    assert daily.run(utcnow()).reminders == {ReminderKind.CLARIFICATION_UNANSWERED: 1}
    message = outbox.to(application.submitted_by.email)[-1]
    assert "Which hall?" in message.get_body(("plain",)).get_content()


def test_an_email_that_fails_is_not_counted_and_goes_on_the_next_run(round_, monkeypatch):
    make(round_, accept_by=to_london(utcnow()).date() + timedelta(days=3))

    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(reminders, "send_email", broken)
    assert not daily.run(utcnow()).reminders
    assert kinds_sent() == {}
    monkeypatch.undo()
    assert daily.run(utcnow()).reminders == {ReminderKind.OFFER_EXPIRING: 2}


def test_two_runs_at_once_send_each_reminder_once(app, backend, round_):
    make(round_, accept_by=to_london(utcnow()).date() + timedelta(days=3))
    outcomes = at_once(app, backend, [lambda: daily.run(utcnow()), lambda: daily.run(utcnow())])
    assert outcomes == ["done", "done"]
    assert kinds_sent() == {ReminderKind.OFFER_EXPIRING: 2}


def test_the_command_line_runs_the_day(round_, app):
    make(round_, accept_by=to_london(utcnow()).date() + timedelta(days=3))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["daily"])
    assert first.exit_code == 0, first.output
    assert "Reminders sent: 2 offer expiring." in first.output
    assert "Reminders sent: none." in runner.invoke(args=["daily"]).output


def test_rqs_scheduler_queues_the_daily_run_at_the_configured_time(app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:6379/15")
    monkeypatch.setitem(app.config, "DAILY_CRON", "30 5 * * *")
    with app.app_context():
        scheduler = jobs.cron_scheduler(daily.JOB, app.config["DAILY_CRON"])
    (job,) = scheduler._cron_jobs
    assert (job.cron, job.args, job.queue_name) == ("30 5 * * *", (daily.JOB,),
                                                   app.config["JOB_QUEUE"])
    assert job.func is jobs.function(jobs.PERFORM)


def test_without_redis_the_scheduler_says_to_use_cron(app):
    refused = app.test_cli_runner().invoke(args=["jobs", "scheduler"])
    assert refused.exit_code != 0
    assert "run `flask daily` from cron" in refused.output


def test_officers_see_what_was_sent_with_the_same_queries_however_many(client, round_):
    sign_in_as(client, UserFactory(roles=(Role.COMMISSIONER,)))

    def queries() -> int:
        with count_queries() as statements:
            assert client.get("/admin/reminders").status_code == 200
        return len(statements)

    make(round_, accept_by=to_london(utcnow()).date() + timedelta(days=3))
    daily.run(utcnow())
    few = queries()
    for _ in range(3):
        make(round_, accept_by=to_london(utcnow()).date() + timedelta(days=3))
    daily.run(utcnow())
    assert queries() == few
    page = soup(client.get("/admin/reminders"))
    assert page.select_one("#reminders caption").text.strip() == "8 reminders sent"
