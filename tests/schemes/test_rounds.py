"""Grants officers set rounds up, publish them and mark them as decided. Times are entered in UK
time and stored in UTC; open and closed follow from the times."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from models import Round
from models.base import db, utcnow
from models.enums import Role, RoundState, RoundStatus
from portal.dates import london_to_utc
from portal.exceptions import NotAllowed, RuleBroken
from portal.schemes import services
from portal.schemes.rules import RoundSettings
from tests.conftest import sign_in_as
from tests.factories import (
    RoundFactory,
    SchemeFactory,
    ThemeFactory,
    UserFactory,
    community_plus_criteria,
)
from tests.html import error_messages, soup, summary_errors
from tests.querycount import count_queries
from tests.schemes.conftest import audit_events, round_answers

MICROSECOND = timedelta(microseconds=1)


def saved_round(round_id: int | None = None) -> Round:
    db.session.expire_all()
    query = select(Round).order_by(Round.id.desc())
    return db.session.scalar(query.where(Round.id == round_id) if round_id else query)


def summary(response) -> dict[str, str]:
    return {row.dt.get_text(strip=True): row.dd.get_text(" ", strip=True)
            for row in soup(response).select(".govuk-summary-list__row")}


def flash_text(response) -> str:
    return soup(response).select_one(".govuk-notification-banner__content").get_text(strip=True)


def settings(**changes) -> RoundSettings:
    """Valid settings for the services, with `changes`."""
    values = dict(
        name="Winter round", financial_year="2025/26",
        opens_at=datetime(2026, 1, 5, 9, tzinfo=UTC),
        closes_at=datetime(2026, 2, 5, 17, tzinfo=UTC),
        budget_pence=50_000_00, min_award_pence=500_00, max_award_pence=5_000_00,
        max_project_months=12, eligible_legal_forms=["charity"], max_annual_income_pence=None,
        any_ward=True, ward_ids=[], theme_ids=[], guidance="", required_documents=[],
        one_application_per_organisation=True)
    return RoundSettings(**{**values, **changes})


# Creating and showing a round


def test_officer_creates_a_draft_round_in_british_summer_time(client, officer, wards):
    """17:00 on 1 July (BST) is stored as 16:00 UTC; amounts typed as pounds become pence."""
    scheme = SchemeFactory(name="Community Plus Grants")
    isolation = ThemeFactory(scheme=scheme, name="Reducing social isolation")
    ThemeFactory(scheme=scheme, name="Community cohesion")
    dalton, lindley, _ = wards

    response = client.post(f"/schemes/{scheme.id}/rounds/new", data=round_answers(
        ward_scope="only", wards=[str(dalton.id), str(lindley.id)],
        themes=[str(isolation.id)], one_application="no"))
    round_ = saved_round()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/schemes/rounds/{round_.id}"
    assert round_.status is RoundStatus.DRAFT
    assert round_.opens_at == datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
    assert round_.closes_at == datetime(2025, 7, 1, 16, 0, tzinfo=UTC)
    assert (round_.budget_pence, round_.min_award_pence, round_.max_award_pence) == (
        5_000_000, 125_050, 500_000)
    assert round_.max_annual_income_pence == 25_000_000
    assert round_.financial_year == "2025/26"
    assert round_.eligible_legal_forms == ["charity", "cio"]
    assert not round_.any_ward
    assert [ward.name for ward in round_.wards] == ["Dalton", "Lindley"]
    assert [theme.name for theme in round_.themes] == ["Reducing social isolation"]
    assert round_.required_documents == ["Governing document", "Latest accounts"]
    assert round_.one_application_per_organisation is False
    [event] = audit_events("round.created")
    assert (event.actor_id, event.object_id) == (officer.id, round_.id)
    assert event.details == {"scheme_id": scheme.id, "name": "Summer round"}

    page = client.get(response.headers["Location"])
    assert soup(page).h1.text == "Summer round"
    assert summary(page) == {
        "Status": "Draft",
        "Financial year": "2025/26",
        "Opens": "1 June 2025 at 9:00am",
        "Closes": "1 July 2025 at 5:00pm",
        "Applications decided": "Once the round has closed (competitive)",
        "Budget": "£50,000",
        "Minimum award": "£1,250.50",
        "Maximum award": "£5,000",
        "Longest project length": "12 months",
        "Legal forms that can apply": "Registered charity (unincorporated or trust) "
                                      "Charitable incorporated organisation (CIO)",
        "Maximum annual income": "£250,000",
        "Wards": "Dalton Lindley",
        "Themes": "Reducing social isolation",
        "Guidance for applicants": "Read this first.",
        "Required documents": "Governing document Latest accounts",
        "One application per organisation": "No",
        "Assessors for each application": "2",
        "Pass mark": "50%",
        "Moderation margin": "20 percentage points",
        "An application that does not fit the budget": "Skip it and go on down the ranking",
    }
    assert [button.text.strip() for button in soup(page).select("main form button")] == [
        "Publish"]


def test_winter_round_times_are_greenwich_mean_time(client, officer):
    """In January UK time is UTC: 17:00 on 15 January is stored as 17:00 UTC."""
    scheme = SchemeFactory()
    client.post(f"/schemes/{scheme.id}/rounds/new", data=round_answers(
        financial_year="2025/26", opens_on=["5", "1", "2026"], opens_time="12pm",
        closes_on=["15", "1", "2026"], closes_time="5:00pm"))
    round_ = saved_round()
    assert round_.opens_at == datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    assert round_.closes_at == datetime(2026, 1, 15, 17, 0, tzinfo=UTC)


def test_any_ward_ignores_ticked_wards(client, officer, wards):
    """Wards ticked and then "Any ward" chosen: the round is for any ward."""
    scheme = SchemeFactory()
    client.post(f"/schemes/{scheme.id}/rounds/new",
                data=round_answers(ward_scope="any", wards=[str(wards[0].id)]))
    round_ = saved_round()
    assert round_.any_ward
    assert round_.wards == []
    assert summary(client.get(f"/schemes/rounds/{round_.id}"))["Wards"] == (
        "Any ward in the council’s area")


def test_round_form_offers_the_schemes_themes_and_all_wards(client, officer, wards):
    scheme = SchemeFactory()
    ThemeFactory(scheme=scheme, name="Health and wellbeing")
    ThemeFactory(name="Another scheme's theme")
    page = soup(client.get(f"/schemes/{scheme.id}/rounds/new"))
    labels = {box["name"]: [] for box in page.select("input[type=checkbox]")}
    for box in page.select("input[type=checkbox]"):
        labels[box["name"]].append(page.find("label", {"for": box["id"]}).text.strip())
    assert labels["themes"] == ["Health and wellbeing"]
    assert labels["wards"] == ["Dalton", "Lindley", "Newsome"]
    assert len(labels["legal_forms"]) == 8
    checked = page.select_one("input[name=ward_scope][checked]")
    assert checked["value"] == "any"

    no_themes = SchemeFactory()
    page = soup(client.get(f"/schemes/{no_themes.id}/rounds/new"))
    assert page.select("input[name=themes]") == []
    assert "has no themes" in page.main.text


def test_a_round_with_a_theme_of_another_scheme_is_refused(ctx, officer):
    other_theme = ThemeFactory()
    scheme = SchemeFactory()
    with pytest.raises(RuleBroken) as refused:
        services.create_round(officer, scheme, settings(theme_ids=[other_theme.id]))
    assert refused.value.field == "themes"


# Bad input


BLANK = {"name": "", "financial_year": "", "opens_on": ["", "", ""], "opens_time": "",
         "closes_on": ["", "", ""], "closes_time": "", "budget": "", "min_award": "",
         "max_award": "", "max_project_months": "", "legal_forms": None, "max_income": "",
         "ward_scope": None, "guidance": "", "required_documents": "", "one_application": None}


@pytest.mark.parametrize(("changes", "expected"), [
    (BLANK, {
        "name": "Enter the round name",
        "financial_year": "Enter the financial year",
        "opens_on": "Enter the opening date",
        "opens_time": "Enter the opening time",
        "closes_on": "Enter the closing date",
        "closes_time": "Enter the closing time",
        "budget": "Enter the budget",
        "min_award": "Enter the minimum award",
        "max_award": "Enter the maximum award",
        "max_project_months": "Enter the longest project length",
        "legal_forms": "Select at least one legal form",
        "ward_scope": "Select which wards the round can fund",
        "one_application": "Select yes or no",
    }),
    ({"financial_year": "2025/27", "opens_on": ["31", "2", "2025"], "opens_time": "25:00",
      "closes_on": ["", "7", "2025"], "closes_time": "9"}, {
        "financial_year": "Enter the financial year like 2024/25",
        "opens_on": "Opening date must be a real date",
        "opens_time": "Opening time must be a real time, like 9am or 5:30pm",
        "closes_on": "Closing date must include a day",
        "closes_time": "Closing time must be a real time, like 9am or 5:30pm",
    }),
    ({"budget": "lots", "min_award": "0", "max_award": "-£5", "max_income": "£0",
      "max_project_months": "twelve"}, {
        "budget": "Enter the budget in pounds, like £50,000",
        "min_award": "The minimum award must be more than £0",
        "max_award": "The maximum award must be more than £0",
        "max_income": "The maximum annual income must be more than £0",
        "max_project_months": "The longest project length must be a whole number, like 12",
    }),
    ({"budget": "£1,250.505", "max_project_months": "0"}, {
        "budget": "Enter the budget in pounds, like £50,000",
        "max_project_months": "The longest project length must be between 1 and 120 months",
    }),
    ({"closes_on": ["1", "6", "2025"], "closes_time": "9:00am"},
     {"closes_on": "The closing time must be after the opening time"}),
    ({"min_award": "£5,000.01"},
     {"min_award": "The minimum award must be the same as or less than the maximum award"}),
    ({"budget": "£4,999.99"},
     {"max_award": "The maximum award must be the same as or less than the budget"}),
    ({"ward_scope": "only"}, {"wards": "Select at least one ward"}),
    ({"guidance": "g" * 20_001, "required_documents": "Accounts\n" + "d" * 201}, {
        "guidance": "Guidance must be 20,000 characters or fewer",
        "required_documents": "Each document must be 200 characters or fewer",
    }),
])
def test_round_form_explains_each_problem_beside_its_field(client, officer, changes, expected):
    scheme = SchemeFactory()
    response = client.post(f"/schemes/{scheme.id}/rounds/new", data=round_answers(**changes))
    assert response.status_code == 200
    assert error_messages(response) == expected
    assert len(summary_errors(response)) == len(expected)
    assert saved_round() is None


def test_nothing_typed_is_lost_when_a_round_is_refused(client, officer, wards):
    """Every answer comes back as typed beside the messages."""
    scheme = SchemeFactory()
    response = client.post(f"/schemes/{scheme.id}/rounds/new", data=round_answers(
        budget="£4,000", min_award="£1,250.50", opens_time="9.30 a.m.",
        ward_scope="only", wards=[str(wards[1].id)], legal_forms=["cic"],
        assessors_per_application="3", shortfall_rule="partial"))
    assert error_messages(response) == {
        "max_award": "The maximum award must be the same as or less than the budget"}
    page = soup(response)

    def value(name):
        return page.find("input", {"name": name})["value"]

    assert [value(name) for name in ("name", "financial_year", "opens_time", "closes_time",
                                     "budget", "min_award", "max_award", "max_income",
                                     "max_project_months")] == [
        "Summer round", "2025/26", "9.30 a.m.", "17:00", "£4,000", "£1,250.50", "5000",
        "£250,000", "12"]
    assert [box["value"] for box in page.select("input[id^=closes_on-]")] == ["1", "7", "2025"]
    assert [box["value"] for box in page.select("input[checked]")] == [
        "competitive", "cic", "only", str(wards[1].id), "yes", "partial"]
    assert value("assessors_per_application") == "3"
    assert page.find("textarea", {"name": "required_documents"}).text.strip() == (
        "Governing document\nLatest accounts")
    assert page.find("textarea", {"name": "guidance"}).text.strip() == "Read this first."


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"closes_at": datetime(2026, 1, 5, 9, tzinfo=UTC)}, "closes_on",
     "The closing time must be after the opening time"),
    ({"min_award_pence": 5_000_01}, "min_award",
     "The minimum award must be the same as or less than the maximum award"),
    ({"max_award_pence": 50_000_01}, "max_award",
     "The maximum award must be the same as or less than the budget"),
    ({"budget_pence": 0}, "budget", "The budget must be more than £0"),
    ({"max_annual_income_pence": -1}, "max_income",
     "The maximum annual income must be more than £0"),
    ({"eligible_legal_forms": []}, "legal_forms", "Select at least one legal form"),
    ({"eligible_legal_forms": ["pirate ship"]}, "legal_forms", "Select legal forms from the list"),
    ({"any_ward": False, "ward_ids": []}, "wards", "Select at least one ward"),
    ({"any_ward": False, "ward_ids": [987654]}, "wards", "Select wards from the list"),
    ({"financial_year": "2025"}, "financial_year", "Enter the financial year like 2024/25"),
    ({"max_project_months": 0}, "max_project_months",
     "The longest project length must be between 1 and 120 months"),
])
def test_services_refuse_a_round_that_breaks_a_rule(ctx, officer, changes, field, message):
    """The services keep the same rules as the form, whoever calls them."""
    scheme = SchemeFactory()
    with pytest.raises(RuleBroken) as refused:
        services.create_round(officer, scheme, settings(**changes))
    assert (refused.value.field, refused.value.message) == (field, message)
    db.session.rollback()
    assert saved_round() is None


# Open and closed follow the times


@pytest.mark.parametrize(("day", "utc_offset_hours"), [
    (date(2026, 1, 15), 0),  # GMT
    (date(2026, 7, 1), 1),   # BST
])
def test_state_changes_exactly_at_the_opening_and_closing_times(ctx, day, utc_offset_hours):
    """Opens at 9am and closes at 5pm UK time: open from the first instant, closed from the
    closing instant, in winter and in summer."""
    opens_at = london_to_utc(day, time(9))
    closes_at = london_to_utc(day + timedelta(days=14), time(17))
    assert opens_at.hour == 9 - utc_offset_hours
    assert closes_at.hour == 17 - utc_offset_hours
    round_ = RoundFactory(opens_at=opens_at, closes_at=closes_at)

    assert round_.state_at(opens_at - MICROSECOND) is RoundState.UPCOMING
    assert round_.state_at(opens_at) is RoundState.OPEN
    assert round_.state_at(closes_at - MICROSECOND) is RoundState.OPEN
    assert round_.state_at(closes_at) is RoundState.CLOSED
    assert services.open_rounds(opens_at - MICROSECOND) == []
    assert services.open_rounds(opens_at) == [round_]
    assert services.open_rounds(closes_at - MICROSECOND) == [round_]
    assert services.open_rounds(closes_at) == []


def test_a_round_closing_at_five_pm_on_1_july_is_stored_at_four_pm_utc(client, officer):
    scheme = SchemeFactory()
    client.post(f"/schemes/{scheme.id}/rounds/new", data=round_answers(
        closes_on=["1", "7", "2026"], closes_time="5pm"))
    round_ = saved_round()
    assert round_.closes_at == datetime(2026, 7, 1, 16, 0, tzinfo=UTC)
    assert round_.state_at(datetime(2026, 7, 1, 15, 59, 59, tzinfo=UTC)) is RoundState.DRAFT
    round_.status = RoundStatus.PUBLISHED
    assert round_.state_at(datetime(2026, 7, 1, 15, 59, 59, tzinfo=UTC)) is RoundState.OPEN
    assert round_.state_at(datetime(2026, 7, 1, 16, 0, tzinfo=UTC)) is RoundState.CLOSED


def test_open_rounds_are_published_rounds_open_now_closing_soonest_first(ctx):
    now = utcnow()
    day = timedelta(days=1)
    later = RoundFactory(closes_at=now + 9 * day)
    sooner = RoundFactory(closes_at=now + 2 * day)
    RoundFactory(status=RoundStatus.DRAFT)
    RoundFactory(opens_at=now + day, closes_at=now + 5 * day)  # upcoming
    RoundFactory(opens_at=now - 5 * day, closes_at=now - day)  # closed
    RoundFactory(status=RoundStatus.DECIDED)
    db.session.expire_all()

    with count_queries() as statements:
        rounds = services.open_rounds()
        names = [round_.scheme.name for round_ in rounds]  # loaded with the rounds
    assert [round_.id for round_ in rounds] == [sooner.id, later.id]
    assert len(names) == 2
    assert len(statements) == 1


# Publishing and deciding


def test_publishing_a_draft_round(client, officer):
    round_ = RoundFactory(status=RoundStatus.DRAFT)
    community_plus_criteria(round_)
    response = client.post(f"/schemes/rounds/{round_.id}/publish")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/schemes/rounds/{round_.id}"
    assert saved_round(round_.id).status is RoundStatus.PUBLISHED
    [event] = audit_events("round.published")
    assert (event.actor_id, event.object_type, event.object_id) == (officer.id, "Round",
                                                                     round_.id)
    page = client.get(response.headers["Location"])
    assert flash_text(page) == (
        f"{round_.name} has been published. It opens and closes at its times.")
    assert summary(page)["Status"] == "Open"
    assert soup(page).select("main form button") == []


def test_a_published_round_cannot_be_published_again(client, officer):
    round_ = RoundFactory()
    response = client.post(f"/schemes/rounds/{round_.id}/publish")
    assert response.status_code == 302
    assert flash_text(client.get(response.headers["Location"])) == (
        "Only a draft round can be published")
    assert audit_events("round.published") == []


@pytest.mark.parametrize("status", [RoundStatus.DRAFT, RoundStatus.PUBLISHED])
def test_only_a_closed_round_can_be_marked_as_decided(client, officer, status):
    """A draft or open round is refused with a message."""
    round_ = RoundFactory(status=status)
    response = client.post(f"/schemes/rounds/{round_.id}/decide")
    assert response.status_code == 302
    assert flash_text(client.get(response.headers["Location"])) == (
        "A round can be marked as decided only once it has closed")
    assert saved_round(round_.id).status is status
    assert audit_events("round.decided") == []


def test_marking_a_closed_round_as_decided(client, officer):
    now = utcnow()
    round_ = RoundFactory(opens_at=now - timedelta(days=30), closes_at=now - timedelta(hours=1))
    page = client.get(f"/schemes/rounds/{round_.id}")
    assert summary(page)["Status"] == "Closed"
    assert [button.text.strip() for button in soup(page).select("main form button")] == [
        "Mark as decided"]

    client.post(f"/schemes/rounds/{round_.id}/decide")
    assert saved_round(round_.id).status is RoundStatus.DECIDED
    [event] = audit_events("round.decided")
    assert event.object_id == round_.id

    decided = client.get(f"/schemes/rounds/{round_.id}")
    assert summary(decided)["Status"] == "Decided"
    assert soup(decided).select("main form button") == []
    assert "Change the round’s settings" not in soup(decided).main.text
    edit = client.get(f"/schemes/rounds/{round_.id}/edit")
    assert edit.headers["Location"] == f"/schemes/rounds/{round_.id}"
    assert client.post(f"/schemes/rounds/{round_.id}/edit",
                       data={"guidance": "Changed"}).status_code == 302
    assert saved_round(round_.id).guidance == round_.guidance


def test_two_officers_cannot_both_decide(ctx, officer):
    """The second of two requests sees the first one's change and is refused."""
    now = utcnow()
    round_ = RoundFactory(opens_at=now - timedelta(days=30), closes_at=now - timedelta(hours=1))
    services.decide_round(officer, round_)
    with pytest.raises(RuleBroken):
        services.decide_round(officer, round_)
    assert len(audit_events("round.decided")) == 1


# Changing a round


def test_a_draft_rounds_settings_are_shown_back_and_all_can_change(client, officer, wards):
    scheme = SchemeFactory()
    theme = ThemeFactory(scheme=scheme, name="Community cohesion")
    round_ = RoundFactory(
        scheme=scheme, status=RoundStatus.DRAFT, name="Autumn round",
        opens_at=datetime(2026, 9, 1, 8, tzinfo=UTC), closes_at=datetime(2026, 10, 30, 16, 30,
                                                                        tzinfo=UTC),
        min_award_pence=125_050, max_annual_income_pence=None, any_ward=False,
        wards=[wards[2]], themes=[theme], eligible_legal_forms=["cio"])
    page = soup(client.get(f"/schemes/rounds/{round_.id}/edit"))

    def value(name):
        return page.find("input", {"name": name})["value"]

    assert [box["value"] for box in page.select("input[id^=opens_on-]")] == ["01", "09", "2026"]
    assert value("opens_time") == "9:00am"
    assert value("closes_time") == "4:30pm"  # 16:30 UTC is 5:30pm BST, 4:30pm after October
    assert [value(name) for name in ("budget", "min_award", "max_award", "max_income")] == [
        "100,000", "1,250.50", "5,000", ""]
    assert [box["value"] for box in page.select("input[checked]")] == [
        "competitive", "cio", "only", str(wards[2].id), "yes", str(theme.id), "skip"]

    response = client.post(f"/schemes/rounds/{round_.id}/edit", data=round_answers(
        name="Autumn round", financial_year="2026/27", opens_on=["1", "9", "2026"],
        opens_time="9am", closes_on=["30", "10", "2026"], closes_time="4:30pm",
        budget="100000", min_award="1,250.50", max_award="£6,000", max_income="",
        legal_forms=["cio"], ward_scope="only", wards=[str(wards[2].id)],
        themes=[str(theme.id)], guidance=round_.guidance,
        required_documents="\n".join(round_.required_documents)))
    assert response.status_code == 302
    assert saved_round(round_.id).max_award_pence == 6_000_00
    [event] = audit_events("round.updated")
    assert event.details == {"changed": ["financial_year", "max_award_pence"]}


UNCHANGED_ASSESSMENT = {"assessors_per_application": "2", "pass_mark_percent": "50",
                        "moderation_margin_percent": "20", "shortfall_rule": "skip"}


def test_a_published_round_can_only_extend_and_change_guidance_and_documents(client, officer):
    """...and its assessment settings, which tests/schemes/test_assessment_settings.py covers."""
    round_ = RoundFactory(closes_at=datetime(2030, 7, 1, 16, tzinfo=UTC))
    page = client.get(f"/schemes/rounds/{round_.id}/edit")
    fields = {tag["name"] for tag in soup(page).select("main form [name]")}
    assert fields == {"closes_on", "closes_time", "guidance", "required_documents", "submit",
                      *UNCHANGED_ASSESSMENT}
    assert "can be changed only while a round is a draft" in soup(page).main.text
    assert soup(page).find("input", {"name": "closes_time"})["value"] == "5:00pm"

    earlier = client.post(f"/schemes/rounds/{round_.id}/edit", data={
        "closes_on": ["30", "6", "2030"], "closes_time": "5pm", "guidance": "New guidance",
        "required_documents": "Bank statement", **UNCHANGED_ASSESSMENT})
    assert error_messages(earlier) == {
        "closes_on": "The closing time can only be extended, to 1 July 2030 at 5:00pm or later"}
    assert saved_round(round_.id).guidance == round_.guidance

    extended = client.post(f"/schemes/rounds/{round_.id}/edit", data={
        "closes_on": ["8", "7", "2030"], "closes_time": "5pm", "guidance": "New guidance",
        "required_documents": "Bank statement", "name": "Not changeable",
        "budget": "£1", **UNCHANGED_ASSESSMENT})
    assert extended.status_code == 302
    saved = saved_round(round_.id)
    assert saved.closes_at == datetime(2030, 7, 8, 16, tzinfo=UTC)
    assert (saved.guidance, saved.required_documents) == ("New guidance", ["Bank statement"])
    assert (saved.name, saved.budget_pence) == (round_.name, round_.budget_pence)
    [event] = audit_events("round.updated")
    assert event.details == {
        "changed": ["closes_at", "guidance", "required_documents"],
        "closes_at": {"from": "2030-07-01T16:00:00+00:00", "to": "2030-07-08T16:00:00+00:00"}}


def test_services_refuse_changing_a_published_rounds_settings(ctx, officer):
    round_ = RoundFactory()
    with pytest.raises(RuleBroken):
        services.update_round(officer, round_, settings())


# Who may


@pytest.mark.parametrize("roles", [(Role.APPLICANT,), (Role.ASSESSOR,), (Role.COMMISSIONER,),
                                   (Role.ADMIN,)])
def test_only_grants_officers_may_use_the_round_services(ctx, roles):
    person = UserFactory(roles=roles)
    round_ = RoundFactory(status=RoundStatus.DRAFT)
    for call in (lambda: services.get_round(person, round_.id),
                 lambda: services.get_scheme(person, round_.scheme_id),
                 lambda: services.schemes_overview(person),
                 lambda: services.create_round(person, round_.scheme, settings()),
                 lambda: services.publish_round(person, round_)):
        with pytest.raises(NotAllowed):
            call()
    assert saved_round(round_.id).status is RoundStatus.DRAFT


def test_a_non_officer_cannot_publish_or_change_a_round(client):
    round_ = RoundFactory(status=RoundStatus.DRAFT)
    sign_in_as(client, UserFactory(roles=(Role.ADMIN, Role.COMMISSIONER)))
    assert client.post(f"/schemes/rounds/{round_.id}/publish").status_code == 403
    assert client.post(f"/schemes/rounds/{round_.id}/edit",
                       data=round_answers(name="Hijacked")).status_code == 403
    saved = saved_round(round_.id)
    assert (saved.status, saved.name) == (RoundStatus.DRAFT, round_.name)


def test_unknown_round_is_not_found(client, officer):
    for path in ("/schemes/rounds/987654", "/schemes/rounds/987654/edit"):
        assert client.get(path).status_code == 404
    assert client.post("/schemes/rounds/987654/publish").status_code == 404


@pytest.mark.parametrize(("status", "opens_in_days", "closes_in_days", "buttons"), [
    (RoundStatus.DRAFT, 1, 30, ["Publish"]),
    (RoundStatus.PUBLISHED, 1, 30, []),  # upcoming
    (RoundStatus.PUBLISHED, -30, 30, []),  # open
    (RoundStatus.PUBLISHED, -30, -1, ["Mark as decided"]),  # closed
    (RoundStatus.DECIDED, -30, -1, []),
])
def test_the_round_page_offers_the_one_step_its_state_allows(client, officer, status,
                                                             opens_in_days, closes_in_days,
                                                             buttons):
    now = utcnow()
    round_ = RoundFactory(status=status, opens_at=now + timedelta(days=opens_in_days),
                          closes_at=now + timedelta(days=closes_in_days))
    page = client.get(f"/schemes/rounds/{round_.id}")
    assert [button.text.strip() for button in soup(page).select("main form button")] == buttons
