"""The taper pages: a commissioner chooses a taper, previews its effect on every year and
contract, applies it or saves it as a scenario; the scenario pages show, compare, apply and
delete scenarios. Assertions are on the parsed pages and on the data."""

import pytest

from models import Programme, ProgrammeYear, Scenario, User
from models.base import db
from models.enums import Role
from portal.contracts import scenarios
from portal.contracts.taper import CoreTaper, Split, Taper, TotalRule
from portal.dates import format_date
from tests.conftest import sign_in_as
from tests.contracts.commissioning import audit_events, count
from tests.contracts.test_scenarios import (
    THIRTY_PERCENT,
    TWENTY_PERCENT,
    anchors,
    live_data,
)
from tests.factories import ContractFactory, ProgrammeFactory, UserFactory
from tests.html import assert_well_formed, error_messages, form_data, soup, summary_errors

TWENTY = {"core": "percentage", "percentage": "20", "total": "flat"}


@pytest.fixture
def commissioner(client) -> User:
    person = UserFactory(roles=(Role.COMMISSIONER,), full_name="Cara Commissioner")
    sign_in_as(client, person)
    return person


@pytest.fixture
def programme(commissioner) -> Programme:
    return anchors(commissioner)


def url(programme: Programme, path: str = "taper") -> str:
    return f"/contracts/programmes/{programme.id}/{path}"


def rows(page, table_id: str) -> list[list[str]]:
    return [[cell.get_text(" ", strip=True) for cell in row.select("th, td")]
            for row in page.select(f"#{table_id} tbody tr")]


def planned(programme: Programme) -> dict[tuple[str, str], Split]:
    db.session.expire_all()
    return {(contract.reference, year.financial_year): Split(year.core_pence,
                                                             year.external_pence)
            for contract in programme.contracts for year in contract.years}


def test_the_form_offers_each_kind_of_taper_with_a_box_for_each_year(client, programme):
    response = client.get(url(programme))
    assert response.status_code == 200
    assert_well_formed(response.get_data(as_text=True))
    page = soup(response)
    assert [radio["value"] for radio in page.select("input[name=core]")] == [
        "fixed_amount", "percentage", "to_target", "custom"]
    assert [radio["value"] for radio in page.select("input[name=total]")] == [
        "flat", "with_core", "percentage", "to_target"]
    assert [page.select_one(f"label[for=schedule-{index}]").get_text(strip=True)
            for index in range(3)] == ["Core funding in 2024/25", "Core funding in 2025/26",
                                       "Core funding in 2026/27"]
    assert page.select_one("label[for=target]").get_text(strip=True) == (
        "Core funding in 2026/27")


def test_a_preview_shows_every_year_and_contract_and_writes_nothing(client, programme):
    before = live_data()
    response = client.post(url(programme), data=TWENTY)
    assert response.status_code == 200
    assert_well_formed(response.get_data(as_text=True))
    page = soup(response)
    assert page.h1.get_text(strip=True) == "Preview the taper"
    assert [row.get_text(" ", strip=True)
            for row in page.select("#taper .govuk-summary-list__row")] == [
        "Core funding Falls by 20% a year",
        "Total funding Stays the same: external funding replaces the core lost"]
    assert rows(page, "programme-years") == [
        ["2024/25", "£100,000.00", "£100,000.00", "£100,000.00", "£40,000.00", "£40,000.00",
         "£140,000.00", "£140,000.00"],
        ["2025/26", "£80,000.00", "£0.00", "£80,000.00", "£0.00", "£60,000.00", "£0.00",
         "£140,000.00"],
        ["2026/27", "£60,000.00", "£0.00", "£64,000.00", "£0.00", "£76,000.00", "£0.00",
         "£140,000.00"]]
    # Each year's external pots have £50,000 (the first year's less the £40,000 held).
    assert [row[-1] for row in rows(page, "pots")] == ["£0.00", "£10,000.00", "£26,000.00"]
    assert [row[3] for row in rows(page, "pots")] == ["Covered"] * 3
    assert ["CA-B", "2026/27", "£0.00", "£25,600.00", "£0.00", "£34,400.00",
            "£60,000.00"] in rows(page, "contract-years")
    apply_form = form_data(response, "main form[action$='/taper/apply']")
    assert {name: apply_form[name] for name in TWENTY} == TWENTY
    assert live_data() == before


def test_a_taper_the_core_pots_cannot_carry_is_shown_as_an_error(client, programme):
    response = client.post(url(programme), data={
        "core": "custom", "schedule-0": "100,000", "schedule-1": "£120,000",
        "schedule-2": "90000", "total": "flat"})
    page = soup(response)
    assert "£20,000.00 short" in rows(page, "pots")[1][3]
    assert "The core pots for 2025/26 have £100,000.00" in page.select_one(
        "#problems").get_text(" ", strip=True)
    assert page.select("form[action$='/taper/apply']") == []


@pytest.mark.parametrize(("typed", "message"), [
    ("-5", "The yearly fall in core funding as a percentage must be between 0 and 100"),
    ("twenty", "Enter the yearly fall in core funding as a number, like 20 or 12.5"),
    ("1e3", "Enter the yearly fall in core funding as a number, like 20 or 12.5"),
    ("", "Enter the yearly fall in core funding as a percentage"),
])
def test_a_percentage_that_is_not_a_fall_is_refused_beside_its_box(client, programme, typed,
                                                                   message):
    before = live_data()
    response = client.post(url(programme), data={**TWENTY, "percentage": typed})
    assert error_messages(response) == {"percentage": message}
    assert summary_errors(response) == [message]
    assert soup(response).select_one("#percentage")["value"] == typed
    assert live_data() == before


def test_a_fall_larger_than_core_is_refused_with_a_clear_message_and_nothing_changes(
        client, programme):
    before = live_data()
    response = client.post(url(programme), data={"core": "fixed_amount", "amount": "£60,000",
                                                  "total": "flat", "percentage": "nonsense"})
    # The percentage box is not read for a fixed amount, so its nonsense is ignored.
    assert error_messages(response) == {"amount": (
        "A fall of £60,000 a year would make core funding negative in 2026/27 (-£20,000). "
        "Enter a smaller fall")}
    assert soup(response).select_one("#amount")["value"] == "£60,000"
    assert live_data() == before


def test_a_schedule_message_is_shown_beside_its_years_box(client, programme):
    response = client.post(url(programme), data={
        "core": "custom", "schedule-0": "90,000", "schedule-1": "80,000", "schedule-2": "70000",
        "total": "flat"})
    assert error_messages(response) == {"schedule-0": (
        "The core funding for 2024/25 must be the contracts’ first-year core funding, "
        "£100,000")}
    response = client.post(url(programme), data={
        "core": "custom", "schedule-0": "100,000", "schedule-1": "80,000", "schedule-2": "",
        "total": "flat"})
    assert error_messages(response) == {"schedule-2": "Enter the core funding for 2026/27"}
    response = client.post(url(programme), data={
        "core": "custom", "schedule-0": "100,000", "schedule-1": "lots", "schedule-2": "1",
        "total": "flat", "amount": "ignored"})
    assert error_messages(response) == {
        "schedule-1": "Enter the core funding for 2025/26 in pounds, like £180,000"}
    assert soup(response).select_one("#schedule-1")["value"] == "lots"


def test_choices_are_needed(client, programme):
    response = client.post(url(programme), data={})
    assert error_messages(response) == {"core": "Select how core funding falls",
                                        "total": "Select what happens to the total funding"}


def test_the_form_is_filled_in_again_from_a_changed_preview(client, programme):
    before = live_data()
    page = soup(client.get(url(programme), query_string={**TWENTY, "percentage": "12.5"}))
    assert page.select_one("input[name=core][checked]")["value"] == "percentage"
    assert page.select_one("#percentage")["value"] == "12.5"
    assert live_data() == before


def test_applying_the_previewed_taper_plans_the_contracts(client, commissioner, programme):
    response = client.post(url(programme, "taper/apply"),
                           data={**TWENTY, "reason": "Cabinet: 20% a year"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/contracts/programmes/{programme.id}"
    assert planned(programme)["CA-B", "2026/27"] == Split(25_600_00, 34_400_00)
    [event] = audit_events("programme.taper_applied")
    assert (event.actor_id, event.details["reason"]) == (commissioner.id, "Cabinet: 20% a year")
    banner = soup(client.get(response.headers["Location"])).select_one(
        ".govuk-notification-banner")
    assert "The taper has been applied to 2 contracts." in banner.get_text(" ", strip=True)


def test_applying_needs_a_reason_and_keeps_the_taper(client, programme):
    before = live_data()
    response = client.post(url(programme, "taper/apply"), data={**TWENTY, "reason": " "})
    assert error_messages(response) == {"reason": "Enter the reason for applying the taper"}
    apply_form = form_data(response, "main form[action$='/taper/apply']")
    assert {name: apply_form[name] for name in TWENTY} == TWENTY
    assert live_data() == before


def test_a_refused_apply_shows_why_and_changes_nothing(client, programme):
    before = live_data()
    response = client.post(url(programme, "taper/apply"), data={
        "core": "custom", "schedule-0": "100,000", "schedule-1": "£120,000",
        "schedule-2": "90000", "total": "flat", "reason": "Growth"})
    assert error_messages(response)["reason"].startswith("The core pots for 2025/26 have")
    assert soup(response).select_one("#reason").get_text() == "Growth"
    assert live_data() == before


def test_a_tampered_taper_goes_back_to_the_form(client, programme):
    response = client.post(url(programme, "taper/apply"), data={
        "core": "fixed_amount", "amount": "£60,000", "total": "flat", "reason": "Steep"})
    assert soup(response).h1.get_text(strip=True) == "Plan a taper"
    assert list(error_messages(response)) == ["amount"]


def test_saving_a_scenario_and_refusing_a_duplicate_name(client, commissioner, programme):
    response = client.post(url(programme, "scenarios/new"), data={**TWENTY, "name": "20%"})
    [scenario] = db.session.scalars(db.select(Scenario)).all()
    assert response.headers["Location"] == url(programme, f"scenarios/{scenario.id}")
    assert scenarios.taper_of(scenario) == TWENTY_PERCENT

    response = client.post(url(programme, "scenarios/new"), data={**TWENTY, "name": "20%"})
    assert error_messages(response) == {"name": "There is already a scenario called 20%"}
    kept = form_data(response, "main form[action$='/scenarios/new']")
    assert {name: kept[name] for name in TWENTY} == TWENTY
    assert count(Scenario) == 1


def test_a_scenario_page_works_it_out_from_live_data(client, commissioner, programme):
    scenario = scenarios.save(commissioner, programme, "20%", TWENTY_PERCENT)
    before = live_data()
    response = client.get(url(programme, f"scenarios/{scenario.id}"))
    assert_well_formed(response.get_data(as_text=True))
    page = soup(response)
    assert page.h1.get_text(strip=True) == "20%"
    assert rows(page, "programme-years")[2][3] == "£64,000.00"
    assert live_data() == before

    listing = soup(client.get(url(programme, "scenarios")))
    assert rows(listing, "scenarios") == [
        ["20%", "Falls by 20% a year",
         "Stays the same: external funding replaces the core lost",
         f"Cara Commissioner, {format_date(scenario.created_at)}"]]


def test_two_scenarios_compared_side_by_side(client, commissioner, programme):
    first = scenarios.save(commissioner, programme, "20%", TWENTY_PERCENT)
    second = scenarios.save(commissioner, programme, "30%", THIRTY_PERCENT)
    response = client.get(url(programme, "scenarios/compare"),
                          query_string={"first": first.id, "second": second.id})
    assert_well_formed(response.get_data(as_text=True))
    page = soup(response)
    assert rows(page, "compare-core") == [
        ["2024/25", "£100,000.00", "£100,000.00", "£0.00"],
        ["2025/26", "£80,000.00", "£70,000.00", "−£10,000.00"],
        ["2026/27", "£64,000.00", "£49,000.00", "−£15,000.00"]]
    assert rows(page, "compare-total")[2] == ["2026/27", "£140,000.00", "£140,000.00",
                                              "£0.00"]
    assert ["CA-A", "2026/27", "£38,400.00", "£29,400.00", "−£9,000.00", "£80,000.00",
            "£80,000.00", "£0.00"] in rows(page, "compare-contracts")


def test_comparing_needs_two_scenarios(client, commissioner, programme):
    scenarios.save(commissioner, programme, "20%", TWENTY_PERCENT)
    scenarios.save(commissioner, programme, "30%", THIRTY_PERCENT)
    response = client.get(url(programme, "scenarios/compare"), query_string={"first": "x"})
    assert error_messages(response) == {"first": "Select the first scenario",
                                        "second": "Select the second scenario"}


def test_applying_and_deleting_a_scenario(client, commissioner, programme):
    scenario = scenarios.save(commissioner, programme, "20%", TWENTY_PERCENT)
    response = client.post(url(programme, f"scenarios/{scenario.id}/apply"), data={"reason": ""})
    assert error_messages(response) == {"reason": "Enter the reason for applying the scenario"}
    response = client.post(url(programme, f"scenarios/{scenario.id}/apply"),
                           data={"reason": "Cabinet chose 20%"})
    assert response.status_code == 302
    assert planned(programme)["CA-A", "2025/26"] == Split(48_000_00, 32_000_00)
    assert len(audit_events("scenario.applied")) == 1

    response = client.post(url(programme, f"scenarios/{scenario.id}/delete"))
    assert response.headers["Location"] == url(programme, "scenarios")
    assert count(Scenario) == 0
    assert len(audit_events("scenario.deleted")) == 1


def test_a_scenario_of_another_programme_is_not_found(client, commissioner, programme):
    scenario = scenarios.save(commissioner, programme, "20%", TWENTY_PERCENT)
    other = ProgrammeFactory(years=[ProgrammeYear(financial_year="2024/25",
                                                  core_target_pence=0)])
    elsewhere = url(other, f"scenarios/{scenario.id}")
    assert client.get(elsewhere).status_code == 404
    assert client.post(f"{elsewhere}/apply", data={"reason": "x"}).status_code == 404
    assert client.post(f"{elsewhere}/delete").status_code == 404
    assert client.get(url(other, "scenarios/compare"), query_string={
        "first": scenario.id, "second": scenario.id}).status_code == 404
    assert count(Scenario) == 1


def test_a_programme_without_targets_cannot_be_tapered(client, commissioner):
    bare = ProgrammeFactory()
    page = soup(client.get(url(bare)))
    assert page.select_one("#no-targets") is not None
    assert page.select("form[method=post] input[name=core]") == []


def test_only_commissioners_reach_the_taper_pages(client, programme):
    sign_in_as(client, UserFactory(roles=(Role.GRANTS_OFFICER,)))
    assert client.get(url(programme)).status_code == 403
    assert client.post(url(programme, "taper/apply"), data=TWENTY).status_code == 403
    assert client.get(url(programme, "scenarios")).status_code == 403


def test_contracts_that_cannot_take_part_are_listed_with_why(client, programme):
    ContractFactory(programme=programme, reference="CA-C", title="Rural anchor")
    page = soup(client.post(url(programme), data=TWENTY))
    assert [item.get_text(" ", strip=True) for item in page.select("#excluded li")] == [
        "CA-C (Rural anchor): its 2024/25 money is not planned"]


def test_a_programme_with_nothing_planned_says_so_beside_the_first_choice(client,
                                                                          commissioner):
    bare = ProgrammeFactory(years=[ProgrammeYear(financial_year="2024/25",
                                                 core_target_pence=0)])
    ContractFactory(programme=bare, reference="CA-Z")
    response = client.post(url(bare), data=TWENTY)
    assert error_messages(response) == {"core": (
        "No contract in the programme has its 2024/25 money planned and runs through 2024/25")}


def test_a_new_taper_can_start_from_a_scenario(client, commissioner, programme):
    scenario = scenarios.save(commissioner, programme, "Custom", Taper(
        CoreTaper.CUSTOM, TotalRule.TO_TARGET, schedule_pence=(100_000_00, 90_000_00, 85_000_00),
        total_target_pence=120_000_00))
    page = soup(client.get(url(programme, f"scenarios/{scenario.id}")))
    link = page.find("a", string="Start a new taper from this scenario")["href"]
    form = soup(client.get(link))
    assert [radio["value"] for radio in form.select("input[type=radio][checked]")] == [
        "custom", "to_target"]
    assert [form.select_one(f"#{box}")["value"] for box in (
        "schedule-0", "schedule-1", "schedule-2", "total_target")] == [
        "100000.00", "90000.00", "85000.00", "120000.00"]
    preview = soup(client.post(url(programme), data=form_data(client.get(link))))
    assert rows(preview, "programme-years")[2][-1] == "£120,000.00"
