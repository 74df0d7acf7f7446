"""Rounds through time: the round page always says what happens next; an officer can close an
open round early for a reason, which applicants with drafts are told; a competitive round takes
decisions and offers only once it has closed, a rolling round while it is open; and a new round
can start as a copy of an earlier one."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from forms.schemes import copy_form_data
from models import Round
from models.base import db, utcnow
from models.enums import ApplicationStatus, Role, RoundState, RoundStatus
from portal.applications.services import round_problem
from portal.dates import to_london
from portal.exceptions import RuleBroken
from portal.schemes import services
from portal.schemes.services import Step
from tests.assessment.conftest import submitted
from tests.awards.conftest import approved
from tests.factories import (
    ApplicationFactory,
    RoundFactory,
    SchemeFactory,
    UserFactory,
    community_plus_criteria,
)
from tests.html import error_messages, soup
from tests.querycount import count_queries
from tests.schemes.conftest import audit_events, round_answers


def saved(round_id: int) -> Round:
    db.session.expire_all()
    return db.session.get(Round, round_id)


def next_step_text(response) -> str:
    return soup(response).select_one("#next-step").get_text(" ", strip=True)


def next_step_links(response) -> list[str]:
    return [link["href"] for link in soup(response).select("#next-step a")]


def round_in(state: str, **fields) -> Round:
    """A round that is a draft, upcoming, open, closed or decided now."""
    now = utcnow()
    times = {"upcoming": (now + timedelta(days=1), now + timedelta(days=30)),
             "open": (now - timedelta(days=1), now + timedelta(days=30))}
    opens_at, closes_at = times.get(state, (now - timedelta(days=30), now - timedelta(hours=1)))
    status = {"draft": RoundStatus.DRAFT,
              "decided": RoundStatus.DECIDED}.get(state, RoundStatus.PUBLISHED)
    return RoundFactory(status=status, opens_at=opens_at, closes_at=closes_at, **fields)


# The next step


@pytest.mark.parametrize(("state", "step"), [
    ("upcoming", Step.WAIT_TO_OPEN),
    ("open", Step.TAKE_APPLICATIONS),
    ("closed", Step.MARK_DECIDED),
    ("decided", Step.NEXT_ROUND),
])
def test_each_state_has_a_next_step(ctx, state, step):
    assert services.next_step(round_in(state)) == services.NextStep(step)


def test_a_draft_needs_criteria_totalling_100_before_it_can_be_published(ctx):
    draft = round_in("draft")
    assert services.next_step(draft).step is Step.SET_CRITERIA
    community_plus_criteria(draft)
    assert services.next_step(draft).step is Step.PUBLISH


def test_a_closed_round_names_the_earliest_stage_with_applications_waiting(ctx):
    closed = round_in("closed")
    ApplicationFactory(round=closed)  # a draft waits on nobody at the council
    approved(closed)
    assert services.next_step(closed) == services.NextStep(Step.OFFER, 1)
    submitted(round=closed, status=ApplicationStatus.DEFERRED)
    submitted(round=closed, status=ApplicationStatus.UNDER_ASSESSMENT)
    assert services.next_step(closed) == services.NextStep(Step.ASSESS, 2)
    submitted(round=closed)
    submitted(round=closed, status=ApplicationStatus.CLARIFICATION_REQUESTED)
    assert services.next_step(closed) == services.NextStep(Step.CHECK, 2)


def test_an_open_rolling_round_shows_its_work_as_it_arrives(ctx):
    rolling = round_in("open", rolling=True)
    assert services.next_step(rolling) == services.NextStep(Step.TAKE_APPLICATIONS)
    submitted(round=rolling)
    assert services.next_step(rolling) == services.NextStep(Step.CHECK, 1)
    competitive = round_in("open")
    submitted(round=competitive)
    assert services.next_step(competitive) == services.NextStep(Step.TAKE_APPLICATIONS)


@pytest.mark.parametrize(("state", "text", "link"), [
    ("draft", "Set scoring criteria whose weights add up to 100%", "/criteria"),
    ("upcoming", "The round opens at", None),
    ("open", "Applications are assessed and decided once the round has closed", "/close-early"),
    ("closed", "Every application has been decided. Mark the round as decided.", None),
    ("decided", "Set up the next one by copying this round", "/copy"),
])
def test_the_round_page_puts_the_next_step_first(client, officer, state, text, link):
    round_ = round_in(state)
    page = client.get(f"/schemes/rounds/{round_.id}")
    assert text in next_step_text(page)
    links = next_step_links(page)
    assert links == ([f"/schemes/rounds/{round_.id}{link}"] if link else [])


def test_the_next_step_links_to_the_applications_waiting(client, officer):
    closed = round_in("closed")
    submitted(round=closed)
    page = client.get(f"/schemes/rounds/{closed.id}")
    assert "Check the eligibility of 1 application sent in." in next_step_text(page)
    assert next_step_links(page) == [f"/assessment/applications?round={closed.id}"]


def test_the_round_page_counts_its_queries_whatever_the_applications(client, officer):
    closed = round_in("closed")
    submitted(round=closed)
    with count_queries() as few:
        client.get(f"/schemes/rounds/{closed.id}")
    for _ in range(5):
        submitted(round=closed)
        approved(closed)
    with count_queries() as many:
        client.get(f"/schemes/rounds/{closed.id}")
    assert len(many) == len(few)


# Closing early


def test_closing_an_open_round_early_tells_applicants_with_drafts(ctx, outbox):
    officer = UserFactory(roles=(Role.GRANTS_OFFICER,))
    round_ = round_in("open")
    due = round_.closes_at
    draft = ApplicationFactory(round=round_)
    sent = submitted(round=round_)
    now = utcnow()

    services.close_early(officer, round_, "  The budget is fully committed.  ", now)

    closed = saved(round_.id)
    assert (closed.closes_at, closed.closed_early_reason) == (now, "The budget is fully committed.")
    assert closed.state is RoundState.CLOSED
    [event] = audit_events("round.closed_early")
    assert event.details == {"reason": "The budget is fully committed.", "drafts": 1,
                             "closes_at": {"from": due.isoformat(), "to": now.isoformat()}}
    [mail] = outbox.to(draft.created_by.email)
    assert mail["Subject"] == f"{round_.name} has closed early"
    assert "The reason: The budget is fully committed." in mail.get_body(("plain",)).get_content()
    assert outbox.to(sent.created_by.email) == []
    assert round_problem(closed).message.startswith("This round closed at")


@pytest.mark.parametrize("state", ["draft", "upcoming", "closed", "decided"])
def test_only_an_open_round_can_be_closed_early(ctx, state):
    round_ = round_in(state)
    with pytest.raises(RuleBroken, match="Only an open round can be closed early"):
        services.close_early(UserFactory(roles=(Role.GRANTS_OFFICER,)), round_, "Reason", utcnow())
    assert audit_events("round.closed_early") == []


def test_closing_early_needs_a_reason_and_keeps_what_was_typed(client, officer, outbox):
    round_ = round_in("open")
    ApplicationFactory(round=round_)
    page = client.get(f"/schemes/rounds/{round_.id}/close-early")
    assert "1 application is still a draft" in soup(page).select_one(".govuk-warning-text").text

    refused = client.post(f"/schemes/rounds/{round_.id}/close-early", data={"reason": "   "})
    assert error_messages(refused) == {"reason": "Enter why the round is closing early"}
    assert saved(round_.id).state is RoundState.OPEN
    assert outbox.messages() == []

    done = client.post(f"/schemes/rounds/{round_.id}/close-early",
                       data={"reason": "Funding withdrawn"}, follow_redirects=True)
    assert f"{round_.name} has closed." in soup(done).text
    assert "This round was closed early" in soup(done).select_one(".govuk-inset-text").text
    assert "Funding withdrawn" in soup(done).text


def test_a_round_not_open_says_it_cannot_be_closed_early(client, officer):
    round_ = round_in("closed")
    page = client.get(f"/schemes/rounds/{round_.id}/close-early")
    assert soup(page).select_one("#why-not").text.startswith(
        "Only an open round can be closed early")
    assert soup(page).select("main form") == []


# Competitive and rolling rounds


def test_a_round_is_competitive_unless_set_rolling(client, officer):
    scheme = SchemeFactory()
    client.post(f"/schemes/{scheme.id}/rounds/new", data=round_answers(name="Rolling round",
                                                                        round_type="rolling"))
    rolling = db.session.scalar(select(Round).where(Round.name == "Rolling round"))
    assert rolling.rolling
    page = client.get(f"/schemes/rounds/{rolling.id}")
    assert "As they arrive, while the round is open (rolling)" in soup(page).text

    refused = client.post(f"/schemes/{scheme.id}/rounds/new",
                          data=round_answers(name="No type", round_type=None))
    assert error_messages(refused)["round_type"] == "Select when applications are decided"


# Copying a round


def test_copying_a_round_starts_a_year_on_with_its_criteria(client, officer):
    source = round_in("decided", name="Community Plus 2025/26", financial_year="2025/26",
                      rolling=True, max_project_months=9)
    community_plus_criteria(source)
    source.criteria[0].weight_percent, source.criteria[1].weight_percent = 30, 10
    db.session.commit()

    form = soup(client.get(f"/schemes/rounds/{source.id}/copy"))
    assert form.select_one("h1").text == "Copy Community Plus 2025/26"
    assert form.select_one("#name")["value"] == "Community Plus 2026/27"
    assert form.select_one("#financial_year")["value"] == "2026/27"
    opens = to_london(source.opens_at).date()
    later = opens.replace(year=opens.year + 1)
    assert [int(form.select_one(f"#opens_on-{part}")["value"])
            for part in ("day", "month", "year")] == [later.day, later.month, later.year]
    assert form.select_one("#max_project_months")["value"] == "9"
    assert form.select_one("#round_type-2")["checked"] is not None

    answers = round_answers(name="Community Plus 2026/27", financial_year="2026/27",
                            round_type="rolling")
    response = client.post(f"/schemes/rounds/{source.id}/copy", data=answers)
    copy = db.session.scalar(select(Round).where(Round.name == "Community Plus 2026/27"))
    assert response.headers["Location"] == f"/schemes/rounds/{copy.id}"
    assert (copy.status, copy.scheme_id, copy.rolling) == (RoundStatus.DRAFT, source.scheme_id,
                                                           True)
    assert [(c.name, c.weight_percent, c.scale, c.minimum_score) for c in copy.criteria] == [
        (c.name, c.weight_percent, c.scale, c.minimum_score) for c in source.criteria]
    [event] = [e for e in audit_events("round.created") if e.object_id == copy.id]
    assert event.details["copied_from"] == source.id


def test_an_old_round_is_copied_to_the_first_year_it_can_still_open(ctx):
    source = RoundFactory(name="Spring grants", financial_year="2023/24",
                          opens_at=utcnow().replace(year=2023, month=5, day=1, hour=9),
                          closes_at=utcnow().replace(year=2023, month=6, day=1, hour=16))
    data = copy_form_data(source, date(2026, 12, 7))
    assert (data["opens_on"], data["closes_on"]) == (date(2027, 5, 1), date(2027, 6, 1))
    assert (data["financial_year"], data["name"]) == ("2027/28", "Spring grants (copy)")


def test_the_scheme_page_copies_its_latest_round(client, officer):
    scheme = SchemeFactory()
    now = utcnow()
    RoundFactory(scheme=scheme, opens_at=now - timedelta(days=400),
                 closes_at=now - timedelta(days=370))
    latest = RoundFactory(scheme=scheme, name="Latest", opens_at=now - timedelta(days=10),
                          closes_at=now + timedelta(days=10))
    page = soup(client.get(f"/schemes/{scheme.id}"))
    [copy] = [link for link in page.select("main a") if "Copy the latest round" in link.text]
    assert copy["href"] == f"/schemes/rounds/{latest.id}/copy"
