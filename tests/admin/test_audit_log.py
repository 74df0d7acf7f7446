"""The audit log: written in the caller's transaction, read by admins newest first with
filters for action, person and dates."""

from datetime import UTC, datetime, timedelta

import pytest
from flask_login import login_user
from sqlalchemy import func, select

from models import AuditEvent
from models.base import db
from models.enums import Role
from portal import audit
from tests.conftest import sign_in_as
from tests.factories import AuditEventFactory, OrganisationFactory, UserFactory
from tests.html import error_messages, soup, summary_errors


@pytest.fixture
def admin(client):
    person = UserFactory(roles=(Role.ADMIN,))
    sign_in_as(client, person)
    return person


def logged_actions(response) -> list[str]:
    """The Action column of the log table, top to bottom."""
    return [row.select("td")[2].get_text(strip=True)
            for row in soup(response).select("table tbody tr")]


def event_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def test_record_writes_every_field_within_a_request(ctx):
    """Actor, action, object, details and the request's IP address are stored."""
    actor = UserFactory()
    organisation = OrganisationFactory()
    with ctx.test_request_context("/", environ_base={"REMOTE_ADDR": "192.0.2.44"}):
        audit.record("organisation.renamed", actor=actor, subject=organisation,
                     details={"from": "Old", "to": "New"})
        db.session.commit()

    db.session.expire_all()
    event = db.session.scalar(select(AuditEvent))
    assert event.actor_id == actor.id
    assert event.action == "organisation.renamed"
    assert (event.object_type, event.object_id) == ("Organisation", organisation.id)
    assert event.details == {"from": "Old", "to": "New"}
    assert event.ip_address == "192.0.2.44"
    assert event.created_at is not None


def test_record_defaults_the_actor_to_the_signed_in_user(ctx):
    """Without an explicit actor the signed-in person is recorded."""
    person = UserFactory()
    with ctx.test_request_context("/"):
        login_user(person)
        audit.record("something.done")
        db.session.commit()
    db.session.expire_all()
    assert db.session.scalar(select(AuditEvent.actor_id)) == person.id


def test_record_outside_a_request_has_no_ip(ctx):
    """A command-line or job event is stored without an IP address or actor."""
    audit.record("job.ran")
    db.session.commit()
    event = db.session.scalar(select(AuditEvent))
    assert (event.action, event.ip_address, event.actor_id) == ("job.ran", None, None)


def test_record_is_saved_only_if_the_caller_commits(ctx):
    """The event belongs to the caller's transaction: a rollback discards it with the change."""
    actor = UserFactory()
    audit.record("roles.changed", actor=actor, subject=actor)
    db.session.rollback()
    assert event_count() == 0


def test_audit_page_lists_newest_first(client, admin):
    """The most recent event is at the top."""
    now = datetime.now(UTC)
    for hours_ago, action in [(3, "first"), (1, "third"), (2, "second")]:
        AuditEventFactory(action=action, actor=admin, created_at=now - timedelta(hours=hours_ago))
    response = client.get("/admin/audit")
    assert response.status_code == 200
    assert logged_actions(response) == ["third", "second", "first"]


def test_audit_page_filters_by_action(client, admin):
    """Choosing an action shows only events with that action."""
    AuditEventFactory.create_batch(2, action="sign_in", actor=admin)
    AuditEventFactory(action="roles.changed", actor=admin)
    response = client.get("/admin/audit?action=roles.changed")
    assert logged_actions(response) == ["roles.changed"]
    options = [o["value"] for o in soup(response).select("select[name=action] option")]
    assert options == ["", "roles.changed", "sign_in"]


def test_audit_page_filters_by_actor_email(client, admin):
    """Typing a person's email address shows only what they did, whatever its case."""
    someone = UserFactory(email="someone@example.org")
    AuditEventFactory(action="by.someone", actor=someone)
    AuditEventFactory(action="by.admin", actor=admin)
    response = client.get("/admin/audit?actor=SomeOne@example.org")
    assert logged_actions(response) == ["by.someone"]


def test_audit_page_filters_by_date_range(client, admin):
    """From and To are whole days, inclusive, in UK time (here British Summer Time)."""
    for created_at, action in [
        (datetime(2026, 6, 30, 22, 30, tzinfo=UTC), "before"),  # 30 June, 11:30pm BST
        (datetime(2026, 6, 30, 23, 30, tzinfo=UTC), "first.day"),  # 1 July, 12:30am BST
        (datetime(2026, 7, 2, 22, 59, tzinfo=UTC), "last.day"),  # 2 July, 11:59pm BST
        (datetime(2026, 7, 2, 23, 0, tzinfo=UTC), "after"),  # 3 July, midnight BST
    ]:
        AuditEventFactory(action=action, actor=admin, created_at=created_at)
    response = client.get("/admin/audit?date_from=1&date_from=7&date_from=2026"
                          "&date_to=2&date_to=7&date_to=2026")
    assert response.status_code == 200
    assert error_messages(response) == {}
    assert logged_actions(response) == ["last.day", "first.day"]

    only_from = client.get("/admin/audit?date_from=1&date_from=7&date_from=2026")
    assert logged_actions(only_from) == ["after", "last.day", "first.day"]


@pytest.mark.parametrize(("parts", "message"), [
    (("1", "", ""), "From must include a month and year"),
    (("", "3", "2026"), "From must include a day"),
    (("31", "2", "2026"), "From must be a real date"),
])
def test_half_filled_date_is_explained_beside_the_field(client, admin, parts, message):
    """A date missing parts, or not a real date, gets a GOV.UK message, not a server error."""
    AuditEventFactory(action="sign_in", actor=admin)
    query = "&".join(f"date_from={part}" for part in parts)
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 200
    assert error_messages(response) == {"date_from": message}
    assert summary_errors(response) == [message]
    # GOV.UK: a date's error in the summary links to its first box.
    assert soup(response).select_one(".govuk-error-summary__list a")["href"] == "#date_from-day"
    typed = [box.get("value", "") for box in soup(response).select("input[name=date_from]")]
    assert typed == list(parts)


def test_audit_page_is_paginated(client, admin):
    """50 events a page, with a link to the next page that keeps the filter."""
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    for minute in range(60):
        AuditEventFactory(action="sign_in", actor=admin,
                          created_at=start + timedelta(minutes=minute))
    first = client.get("/admin/audit?action=sign_in")
    assert len(logged_actions(first)) == 50
    next_link = soup(first).select_one(".govuk-pagination__next a")["href"]
    assert "action=sign_in" in next_link
    assert "page=2" in next_link
    second = client.get(next_link)
    assert len(logged_actions(second)) == 10
    assert "60 events" in soup(second).select_one("table caption").text


def test_pagination_keeps_date_filters_and_drops_url_instructions(client, admin):
    """A date's three boxes survive into the next page's link; `_method` and friends do not
    (url_for would otherwise treat them as instructions and fail)."""
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    for minute in range(60):
        AuditEventFactory(action="sign_in", actor=admin,
                          created_at=start + timedelta(minutes=minute))
    first = client.get("/admin/audit?action=sign_in&_method=POST&_external=1"
                       "&date_from=1&date_from=1&date_from=2026")
    assert first.status_code == 200
    next_link = soup(first).select_one(".govuk-pagination__next a")["href"]
    assert next_link.count("date_from=") == 3
    assert "_method" not in next_link and "_external" not in next_link
    assert len(logged_actions(client.get(next_link))) == 10
