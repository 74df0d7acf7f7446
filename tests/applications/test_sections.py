"""Each section saves on its own as a draft; "Yes, I've completed this section" checks its
answers first, with each problem beside its field; what was typed is never lost."""

from datetime import date, timedelta

import pytest

from models.base import db, utcnow
from models.enums import FundingStatus, OrganisationRole, SectionStatus
from portal.dates import to_london
from tests.applications.helpers import another_member, date_boxes, fresh, project_dates
from tests.conftest import sign_in_as
from tests.html import error_messages, soup, summary_errors

NOT_DONE = "Select whether you have completed this section"


@pytest.fixture
def application(world):
    return world.application()


def _url(application, page: str = "") -> str:
    return f"/applications/{application.id}/{page}".rstrip("/")


def _status(application, key: str) -> SectionStatus:
    return SectionStatus(fresh(application).sections.get(key, "not_started"))


def test_the_completed_question_must_be_answered(applicant_client, application):
    response = applicant_client.post(_url(application, "project"), data={"title": "Lunch"})
    assert error_messages(response) == {"completed": NOT_DONE}
    assert summary_errors(response) == [NOT_DONE]
    assert soup(response).find("textarea", {"name": "title"}).text.strip() == "Lunch"
    assert _status(application, "project") is SectionStatus.NOT_STARTED


# Your organisation


def test_your_organisation_shows_the_profile_and_is_confirmed(applicant_client, application):
    page = soup(applicant_client.get(_url(application, "organisation")))
    rows = {row.dt.get_text(strip=True): row.dd.get_text(" ", strip=True)
            for row in page.select(".govuk-summary-list__row")}
    assert rows["Legal form"] == "Charitable incorporated organisation (CIO)"
    assert rows["Income in the last accounts"] == "£40,000.00"
    assert rows["Registered address"] == "1 Chapel Street Huddersfield HD1 2AB"
    assert page.find("a", string="Change your organisation’s profile")["href"] == \
        f"/organisations/{application.organisation_id}"

    response = applicant_client.post(_url(application, "organisation"), data={"completed": "yes"})
    assert response.headers["Location"] == _url(application)
    assert _status(application, "organisation") is SectionStatus.COMPLETED


def test_members_who_are_not_admins_are_told_who_can_change_the_profile(client, world,
                                                                         application):
    sign_in_as(client, another_member(world, OrganisationRole.MEMBER))
    page = soup(client.get(_url(application, "organisation")))
    assert page.find("a", string="Change your organisation’s profile") is None
    assert "ask one of your organisation’s admins" in page.text


def test_your_organisation_cannot_be_completed_while_the_profile_has_gaps(
        applicant_client, world, application):
    world.organisation.legal_name = None
    world.organisation.wards = []
    db.session.commit()
    page = soup(applicant_client.get(_url(application, "organisation")))
    gaps = [item.text for item in page.select("main ul.govuk-list--bullet li")]
    assert gaps == ["Legal name", "Wards served"]

    refused = applicant_client.post(_url(application, "organisation"), data={"completed": "yes"})
    assert error_messages(refused) == {
        "completed": "Complete your organisation’s profile before you mark this section as "
                     "completed"}
    assert _status(application, "organisation") is SectionStatus.IN_PROGRESS
    later = applicant_client.post(_url(application, "organisation"), data={"completed": "no"})
    assert later.status_code == 302


# Your project


def _project(round_, **changes) -> dict:
    start, end = project_dates(round_)
    return {"title": "Warm welcome lunch club", "summary": "A weekly lunch club.",
            "description": "Lunch every Wednesday in the chapel hall.",
            "start_date": date_boxes(start), "end_date": date_boxes(end), "completed": "yes",
            **changes}


def test_the_project_saves_as_a_draft_with_answers_missing(applicant_client, world, application):
    response = applicant_client.post(_url(application, "project"), data={
        "title": "  Lunch club  ", "completed": "no"})
    assert response.headers["Location"] == _url(application)
    saved = fresh(application)
    assert saved.title == "Lunch club"
    assert saved.summary is None and saved.start_date is None
    assert _status(application, "project") is SectionStatus.IN_PROGRESS
    page = soup(applicant_client.get(_url(application, "project")))
    assert page.find("textarea", {"name": "title"}).text.strip() == "Lunch club"


def test_completing_the_project_needs_every_answer(applicant_client, application):
    response = applicant_client.post(_url(application, "project"), data={
        "title": "Lunch club", "completed": "yes"})
    assert error_messages(response) == {
        "summary": "Enter a summary of your project",
        "description": "Describe your project",
        "start_date": "Enter the date your project will start",
        "end_date": "Enter the date your project will end",
    }
    # The answers given are saved all the same, and the section is in progress.
    assert fresh(application).title == "Lunch club"
    assert _status(application, "project") is SectionStatus.IN_PROGRESS
    checked = soup(response).find("input", {"name": "completed", "value": "yes"})
    assert checked.has_attr("checked")


def test_a_complete_project_is_marked_completed(applicant_client, world, application):
    response = applicant_client.post(_url(application, "project"), data=_project(world.round))
    assert response.status_code == 302
    saved = fresh(application)
    assert (saved.start_date, saved.end_date) == project_dates(world.round)
    assert _status(application, "project") is SectionStatus.COMPLETED
    page = soup(applicant_client.get(_url(application, "project")))
    assert page.find("input", {"name": "completed", "value": "yes"}).has_attr("checked")


def test_changing_a_completed_section_puts_it_back_in_progress(applicant_client, world,
                                                               application):
    applicant_client.post(_url(application, "project"), data=_project(world.round))
    applicant_client.post(_url(application, "project"),
                          data=_project(world.round, title="New title", completed="no"))
    assert fresh(application).title == "New title"
    assert _status(application, "project") is SectionStatus.IN_PROGRESS


@pytest.mark.parametrize(("field", "length", "message"), [
    ("title", 141, "Project title must be 140 characters or fewer"),
    ("summary", 501, "Summary must be 500 characters or fewer"),
    ("description", 5001, "Description must be 5,000 characters or fewer"),
])
def test_text_over_its_limit_is_refused_and_kept(applicant_client, world, application, field,
                                                 length, message):
    text = "x" * length
    response = applicant_client.post(_url(application, "project"),
                                     data=_project(world.round, **{field: text}))
    assert error_messages(response) == {field: message}
    assert soup(response).find("textarea", {"name": field}).text.strip() == text
    assert fresh(application).title is None  # nothing saved while an answer is malformed


def test_the_title_has_a_gov_uk_character_count(applicant_client, application):
    page = soup(applicant_client.get(_url(application, "project")))
    count = page.find("div", {"data-module": "govuk-character-count"})
    assert count["data-maxlength"] == "140"
    assert count.find("textarea")["name"] == "title"


def test_project_dates_are_checked_against_today_and_the_round(applicant_client, world,
                                                              application):
    today = to_london(utcnow()).date()
    closes = to_london(world.round.closes_at).date()
    yesterday = today - timedelta(days=1)
    past = applicant_client.post(_url(application, "project"), data=_project(
        world.round, start_date=date_boxes(yesterday), end_date=date_boxes(today)))
    assert error_messages(past) == {
        "start_date": "Project start date must be today or in the future"}
    assert soup(past).find("input", {"id": "start_date-day"})["value"] == str(yesterday.day)

    late_start = closes + timedelta(days=200)
    late = applicant_client.post(_url(application, "project"), data=_project(
        world.round, start_date=date_boxes(late_start),
        end_date=date_boxes(late_start + timedelta(days=10))))
    assert error_messages(late)["start_date"].startswith("Project start date must be on or "
                                                         "before ")
    assert error_messages(late)["start_date"].endswith("within 6 months of the round closing")

    start = closes + timedelta(days=1)
    backwards = applicant_client.post(_url(application, "project"), data=_project(
        world.round, start_date=date_boxes(start), end_date=date_boxes(start)))
    assert error_messages(backwards) == {
        "end_date": "Project end date must be after the start date"}

    too_long = applicant_client.post(_url(application, "project"), data=_project(
        world.round, start_date=date_boxes(date(2027, 1, 1)),
        end_date=date_boxes(date(2028, 1, 1))))
    assert error_messages(too_long) == {
        "end_date": "Project end date must be on or before 31 December 2027. This round "
                    "funds projects lasting up to 12 months"}
    assert _status(application, "project") is SectionStatus.IN_PROGRESS


def test_a_date_that_does_not_exist_is_refused(applicant_client, world, application):
    response = applicant_client.post(_url(application, "project"), data=_project(
        world.round, start_date=["31", "2", "2027"]))
    assert error_messages(response) == {"start_date": "Project start date must be a real date"}


# Who will benefit


def _beneficiaries(world, **changes) -> dict:
    return {"beneficiaries": "150", "beneficiary_description": "Older people living alone",
            "wards": [str(world.wards[0].id)], "themes": [str(world.themes[0].id)],
            "completed": "yes", **changes}


def test_wards_are_prefilled_from_the_organisation(applicant_client, world, application):
    page = soup(applicant_client.get(_url(application, "beneficiaries")))
    wards = {box.find_next("label").text.strip(): box.has_attr("checked")
             for box in page.select("input[name=wards]")}
    assert wards == {"Dalton": True, "Golcar": False, "Lindley": False}
    themes = [box.find_next("label").text.strip() for box in page.select("input[name=themes]")]
    assert themes == ["Health and wellbeing", "Reducing social isolation"]


def test_a_round_for_some_wards_offers_only_those(applicant_client, world, application):
    world.round.any_ward = False
    world.round.wards = world.wards[1:]
    db.session.commit()
    page = soup(applicant_client.get(_url(application, "beneficiaries")))
    wards = {box.find_next("label").text.strip(): box.has_attr("checked")
             for box in page.select("input[name=wards]")}
    assert wards == {"Golcar": False, "Lindley": False}  # Dalton is outside the round's area
    response = applicant_client.post(_url(application, "beneficiaries"), data=_beneficiaries(
        world, wards=[str(world.wards[0].id)]))
    assert error_messages(response) == {"wards": "Select at least one ward"}


def test_who_will_benefit_is_saved_and_completed(applicant_client, world, application):
    response = applicant_client.post(_url(application, "beneficiaries"), data=_beneficiaries(
        world, beneficiaries="1,200"))
    assert response.status_code == 302
    saved = fresh(application)
    assert saved.beneficiaries == 1200
    assert [w.name for w in saved.wards] == ["Dalton"]
    assert [t.name for t in saved.themes] == ["Health and wellbeing"]
    assert _status(application, "beneficiaries") is SectionStatus.COMPLETED


def test_completing_who_will_benefit_needs_every_answer(applicant_client, world, application):
    response = applicant_client.post(_url(application, "beneficiaries"),
                                     data={"completed": "yes"})
    assert error_messages(response) == {
        "beneficiaries": "Enter the number of people who will benefit",
        "beneficiary_description": "Describe the people who will benefit",
        "wards": "Select at least one ward",
        "themes": "Select at least one theme",
    }


@pytest.mark.parametrize(("typed", "message"), [
    ("12.5", "Enter the number of people as a whole number, like 150"),
    ("lots", "Enter the number of people as a whole number, like 150"),
    ("-3", "Enter the number of people as a whole number, like 150"),
    ("0", "The number of people must be 1 or more"),
    ("20000000", "The number of people must be 10,000,000 or fewer"),
])
def test_the_number_of_people_must_be_a_whole_number(applicant_client, world, application,
                                                     typed, message):
    response = applicant_client.post(_url(application, "beneficiaries"),
                                     data=_beneficiaries(world, beneficiaries=typed))
    assert error_messages(response) == {"beneficiaries": message}
    assert soup(response).find("input", {"name": "beneficiaries"})["value"] == typed


# Budget


def test_costs_are_added_one_at_a_time_in_pounds(applicant_client, application):
    response = applicant_client.post(_url(application, "budget"), data={
        "description": "Hall hire", "amount": "£1,250.50"})
    assert response.headers["Location"] == _url(application, "budget")
    applicant_client.post(_url(application, "budget"), data={"description": "Food",
                                                             "amount": "300"})
    saved = fresh(application)
    assert [(c.description, c.amount_pence) for c in saved.cost_lines] == [
        ("Hall hire", 125050), ("Food", 30000)]
    assert _status(application, "budget") is SectionStatus.IN_PROGRESS
    page = soup(applicant_client.get(_url(application, "budget")))
    rows = [[cell.get_text(" ", strip=True) for cell in row.select("th, td")][:2]
            for row in page.select("table tbody tr")]
    assert rows == [["Hall hire", "£1,250.50"], ["Food", "£300.00"]]
    assert page.select_one("#total-cost").text == "Total cost: £1,550.50"


@pytest.mark.parametrize(("typed", "message"), [
    ("", "Enter the cost"),
    ("0", "The cost must be more than £0"),
    ("-5", "The cost must be more than £0"),
    ("£-5", "The cost must be more than £0"),
    ("five pounds", "Enter the cost in pounds, like £250"),
    ("1,25.00", "Enter the cost in pounds, like £250"),
    ("12.345", "Enter the cost in pounds, like £250"),
])
def test_bad_costs_are_explained_and_kept(applicant_client, application, typed, message):
    response = applicant_client.post(_url(application, "budget"), data={
        "description": "Hall hire", "amount": typed})
    assert error_messages(response) == {"amount": message}
    page = soup(response)
    assert page.find("input", {"name": "amount"})["value"] == typed
    assert page.find("input", {"name": "description"})["value"] == "Hall hire"
    assert fresh(application).cost_lines == []


def test_a_cost_needs_a_description_of_at_most_200_characters(applicant_client, application):
    missing = applicant_client.post(_url(application, "budget"), data={"amount": "5"})
    assert error_messages(missing) == {"description": "Enter what the cost is for"}
    long = applicant_client.post(_url(application, "budget"), data={
        "description": "x" * 201, "amount": "5"})
    assert error_messages(long) == {
        "description": "The description must be 200 characters or fewer"}


def test_a_cost_is_removed(applicant_client, application):
    applicant_client.post(_url(application, "budget"), data={"description": "Hall",
                                                             "amount": "5"})
    line = fresh(application).cost_lines[0]
    response = applicant_client.post(_url(application, "remove"), data={
        "kind": "costs", "row_id": line.id})
    assert response.headers["Location"] == _url(application, "budget")
    assert fresh(application).cost_lines == []


def test_rows_of_another_application_cannot_be_removed(applicant_client, world, application):
    other = world.application()
    applicant_client.post(_url(other, "budget"), data={"description": "Hall", "amount": "5"})
    line = fresh(other).cost_lines[0]
    response = applicant_client.post(_url(application, "remove"), data={
        "kind": "costs", "row_id": line.id})
    assert response.status_code == 403
    assert len(fresh(other).cost_lines) == 1


def test_other_funding_is_added_and_removed(applicant_client, application):
    missing = applicant_client.post(_url(application, "budget/other-funding"), data={})
    assert error_messages(missing) == {
        "source": "Enter who the funding is from", "amount": "Enter the amount",
        "status": "Select whether it is secured or applied for"}
    applicant_client.post(_url(application, "budget/other-funding"), data={
        "source": "Parish council", "amount": "£2,000", "status": "applied_for"})
    row = fresh(application).other_funding[0]
    assert (row.source, row.amount_pence, row.status) == (
        "Parish council", 200000, FundingStatus.APPLIED_FOR)
    page = soup(applicant_client.get(_url(application, "budget/other-funding")))
    assert "Parish council (applied for)" in page.select_one("table").text
    applicant_client.post(_url(application, "remove"), data={"kind": "other-funding",
                                                             "row_id": row.id})
    assert fresh(application).other_funding == []


def _with_costs(client, application, *amounts: str) -> None:
    for number, amount in enumerate(amounts):
        client.post(_url(application, "budget"), data={"description": f"Cost {number}",
                                                       "amount": amount})


def test_the_amount_requested_is_normalised_and_completes_the_budget(applicant_client,
                                                                    application):
    _with_costs(applicant_client, application, "£3,000")
    response = applicant_client.post(_url(application, "budget/amount"), data={
        "amount_requested": "£1,250.50", "completed": "yes"})
    assert response.status_code == 302
    assert fresh(application).amount_requested_pence == 125050
    assert _status(application, "budget") is SectionStatus.COMPLETED
    page = soup(applicant_client.get(_url(application, "budget/amount")))
    assert page.find("input", {"name": "amount_requested"})["value"] == "1,250.50"


def test_adding_a_cost_to_a_completed_budget_puts_it_back_in_progress(applicant_client,
                                                                      application):
    _with_costs(applicant_client, application, "£3,000")
    applicant_client.post(_url(application, "budget/amount"), data={
        "amount_requested": "1000", "completed": "yes"})
    _with_costs(applicant_client, application, "£10")
    assert _status(application, "budget") is SectionStatus.IN_PROGRESS


def test_completing_the_budget_needs_a_cost(applicant_client, application):
    response = applicant_client.post(_url(application, "budget/amount"), data={
        "amount_requested": "1000", "completed": "yes"})
    assert error_messages(response) == {
        "completed": "Add at least one cost before you mark this section as completed"}


@pytest.mark.parametrize(("typed", "message"), [
    ("", "Enter the amount you are asking for"),
    ("£6,000", "You have asked for £6,000. This round gives awards from £500 to £5,000."),
    ("499.99", "You have asked for £499.99. This round gives awards from £500 to £5,000."),
    ("£9,000", "The amount you ask for must not be more than the total cost of your "
               "project, £8,000.00"),
])
def test_the_amount_requested_is_checked_against_the_costs_and_the_round(
        applicant_client, application, typed, message):
    _with_costs(applicant_client, application, "£8,000")
    response = applicant_client.post(_url(application, "budget/amount"), data={
        "amount_requested": typed, "completed": "yes"})
    assert error_messages(response) == {"amount_requested": message}
    assert soup(response).find("input", {"name": "amount_requested"})["value"] == typed
    assert _status(application, "budget") is SectionStatus.IN_PROGRESS


@pytest.mark.parametrize(("typed", "message"), [
    ("0", "The amount you are asking for must be more than £0"),
    ("-100", "The amount you are asking for must be more than £0"),
    ("£1,00", "Enter the amount you are asking for in pounds, like £5,000"),
])
def test_zero_negative_and_malformed_amounts_are_never_saved(applicant_client, application,
                                                            typed, message):
    response = applicant_client.post(_url(application, "budget/amount"), data={
        "amount_requested": typed, "completed": "no"})
    assert error_messages(response) == {"amount_requested": message}
    assert fresh(application).amount_requested_pence is None


def test_the_minimum_and_maximum_awards_themselves_are_accepted(applicant_client, application):
    _with_costs(applicant_client, application, "£8,000")
    for typed, pence in (("500", 500_00), ("£5,000.00", 5_000_00)):
        response = applicant_client.post(_url(application, "budget/amount"), data={
            "amount_requested": typed, "completed": "yes"})
        assert response.status_code == 302
        assert fresh(application).amount_requested_pence == pence


# Declarations


def test_public_funding_years_are_the_rounds_year_and_the_two_before(applicant_client,
                                                                    application):
    page = soup(applicant_client.get(_url(application, "declarations/public-funding")))
    years = [box["value"] for box in page.select("input[name=financial_year]")]
    assert years == ["2024/25", "2023/24", "2022/23"]
    refused = applicant_client.post(_url(application, "declarations/public-funding"), data={
        "funder": "NHS", "purpose": "Walks", "financial_year": "2019/20", "amount": "5"})
    assert error_messages(refused) == {"financial_year": "Not a valid choice."}
    missing = applicant_client.post(_url(application, "declarations/public-funding"), data={})
    assert error_messages(missing) == {
        "funder": "Enter who gave the funding", "purpose": "Enter what the funding was for",
        "financial_year": "Select the financial year", "amount": "Enter the amount"}


def test_public_funding_is_added_and_removed(applicant_client, application):
    applicant_client.post(_url(application, "declarations/public-funding"), data={
        "funder": "NHS", "purpose": "Health walks", "financial_year": "2023/24",
        "amount": "£12,500"})
    row = fresh(application).public_funding[0]
    assert (row.funder, row.purpose, row.financial_year, row.amount_pence) == (
        "NHS", "Health walks", "2023/24", 12_500_00)
    assert _status(application, "declarations") is SectionStatus.IN_PROGRESS
    applicant_client.post(_url(application, "remove"), data={"kind": "public-funding",
                                                             "row_id": row.id})
    assert fresh(application).public_funding == []


def test_completing_the_declarations_needs_every_answer(applicant_client, application):
    response = applicant_client.post(_url(application, "declarations"),
                                     data={"completed": "yes"})
    assert error_messages(response) == {
        "has_conflict": "Select yes if you or anyone in your organisation has a connection "
                        "to a councillor or council officer",
        "safeguarding": "Confirm the safeguarding statement",
        "data_protection": "Confirm the data protection statement",
    }


def test_a_connection_to_the_council_needs_details(applicant_client, application):
    data = {"has_conflict": "yes", "safeguarding": "y", "data_protection": "y",
            "completed": "yes"}
    response = applicant_client.post(_url(application, "declarations"), data=data)
    assert error_messages(response) == {"conflict_details": "Describe the connection"}
    assert soup(response).find("input", {"name": "has_conflict", "value": "yes"}).has_attr(
        "checked")
    applicant_client.post(_url(application, "declarations"), data={
        **data, "conflict_details": "Our treasurer is married to a councillor"})
    saved = fresh(application)
    assert saved.has_conflict_of_interest is True
    assert saved.conflict_of_interest_details == "Our treasurer is married to a councillor"
    assert _status(application, "declarations") is SectionStatus.COMPLETED

    applicant_client.post(_url(application, "declarations"), data={
        **data, "has_conflict": "no", "conflict_details": "ignored"})
    saved = fresh(application)
    assert saved.has_conflict_of_interest is False
    assert saved.conflict_of_interest_details is None


def test_declarations_are_shown_again_as_saved(applicant_client, application):
    applicant_client.post(_url(application, "declarations"), data={
        "has_conflict": "no", "safeguarding": "y", "completed": "no"})
    page = soup(applicant_client.get(_url(application, "declarations")))
    assert page.find("input", {"name": "has_conflict", "value": "no"}).has_attr("checked")
    assert page.find("input", {"name": "safeguarding"}).has_attr("checked")
    assert not page.find("input", {"name": "data_protection"}).has_attr("checked")
    assert page.find("input", {"name": "completed", "value": "no"}).has_attr("checked") is False


def test_every_section_page_links_back_to_the_task_list(applicant_client, application):
    for page in ("organisation", "project", "beneficiaries", "budget", "budget/other-funding",
                 "budget/amount", "declarations/public-funding", "declarations"):
        back = soup(applicant_client.get(_url(application, page))).select_one(".govuk-back-link")
        assert back["href"] == _url(application), page
