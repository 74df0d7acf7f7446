"""The contract page's money by year, planning the years, choosing their pots, making a
contract active, and the variation pages (extend, terminate early, versions)."""

from datetime import date

import pytest

from models import User
from models.base import db, utcnow
from models.enums import ContractStatus, FundingSource, Role
from portal.contracts import years
from portal.contracts.years import YearPlan
from portal.dates import to_london
from portal.financial_years import FinancialYear
from tests.conftest import sign_in_as
from tests.contracts.commissioning import contract_answers
from tests.contracts.test_years import available, pot
from tests.factories import ContractFactory, OrganisationFactory, UserFactory
from tests.html import assert_well_formed, error_messages, form_data, soup
from tests.querycount import count_queries

# The contract runs over the three financial years after this one, so that no year has ended.
FIRST = FinancialYear(FinancialYear.containing(to_london(utcnow()).date()).start_year + 1)
YEARS = [FinancialYear(FIRST.start_year + n) for n in range(3)]
LABELS = [year.label for year in YEARS]


@pytest.fixture
def commissioner(client) -> User:
    person = UserFactory(roles=(Role.COMMISSIONER,), full_name="Cara Commissioner")
    sign_in_as(client, person)
    return person


@pytest.fixture
def pots(commissioner):
    """A core pot of £100,000 and an external pot of £30,000 in each year."""
    return {label: (pot(commissioner, year=label, name=f"Core {label}"),
                    pot(commissioner, year=label, source=FundingSource.EXTERNAL,
                        budget=30_000_00, name=f"NHS {label}"))
            for label in LABELS}


def new_contract(**kwargs):
    return ContractFactory(starts_on=YEARS[0].starts_on, ends_on=YEARS[-1].ends_on, **kwargs)


def planned(user, contract, core=40_000_00, external=20_000_00):
    years.plan_years(user, contract, [YearPlan(label, core, external) for label in LABELS], "")
    return contract


def table(page, selector: str) -> list[list[str]]:
    return [[cell.get_text(" ", strip=True) for cell in row.select("th, td")]
            for row in page.select(f"{selector} tbody tr")]


def year_answers(values: list[tuple[str, str]], reason: str = "") -> dict:
    answers = {"reason": reason}
    for number, (core, external) in enumerate(values):
        answers[f"years-{number}-core"], answers[f"years-{number}-external"] = core, external
    return answers


# The contract page ----------------------------------------------------------------------------


def test_the_contract_page_shows_the_money_by_year(client, commissioner, pots):
    contract = planned(commissioner, new_contract(), external=40_000_00)
    response = client.get(f"/contracts/{contract.id}")
    assert_well_formed(response.get_data(as_text=True))
    page = soup(response)
    assert page.select_one("#money caption").get_text(strip=True) == "Money by financial year"
    assert table(page, "#money") == [
        *([label, "£40,000.00", "£40,000.00", "£80,000.00", "£70,000.00", "£10,000.00"]
          for label in LABELS),
        ["Total", "£120,000.00", "£120,000.00", "£240,000.00", "£210,000.00", "£30,000.00"]]
    assert table(page, f"#pots-{FIRST.slug}") == [
        [f"Core {FIRST.label}", "Core", "£40,000.00"],
        [f"NHS {FIRST.label}", "External", "£30,000.00"]]
    assert table(page, f"#instalments-{FIRST.slug}") == [
        ["Quarter 1", f"1 April {FIRST.start_year}", "£20,000.00"],
        ["Quarter 2", f"1 July {FIRST.start_year}", "£20,000.00"],
        ["Quarter 3", f"1 October {FIRST.start_year}", "£20,000.00"],
        ["Quarter 4", f"1 January {FIRST.start_year + 1}", "£20,000.00"]]
    actions = [link.get_text(strip=True) for link in page.select("#money-actions a")]
    assert actions == ["Plan the money", "Make active"]
    assert page.select_one("#details .govuk-tag").get_text(strip=True) == "Draft"


def test_an_unplanned_year_says_so(client, commissioner):
    contract = new_contract()
    page = soup(client.get(f"/contracts/{contract.id}"))
    assert table(page, "#money")[0] == [LABELS[0], "Not planned", "Not planned", "£0.00",
                                        "£0.00", "£0.00"]


def test_the_contract_page_runs_the_same_queries_for_few_or_many_pots(client, commissioner):
    def queries(contract) -> int:
        client.get(f"/contracts/{contract.id}")  # warm the session and caches
        with count_queries() as statements:
            assert client.get(f"/contracts/{contract.id}").status_code == 200
        return len(statements)

    for label in LABELS:
        pot(commissioner, year=label)
    small = planned(commissioner, new_contract())
    for label in LABELS:
        for _ in range(4):
            pot(commissioner, year=label, source=FundingSource.EXTERNAL, budget=5_000_00)
    large = planned(commissioner, new_contract())
    assert len(large.years[0].funding) == 5
    assert queries(small) == queries(large)


# Planning the years ---------------------------------------------------------------------------


def test_the_plan_form_is_filled_in_and_saves_the_money(client, commissioner, pots):
    contract = planned(commissioner, new_contract())
    response = client.get(f"/contracts/{contract.id}/years")
    assert_well_formed(response.get_data(as_text=True))
    answers = form_data(response)
    assert answers["years-0-core"] == "40,000" and answers["years-2-external"] == "20,000"
    assert soup(response).select_one("#variation-note") is None
    answers.update({"years-1-core": "£30,000", "years-1-external": "£25,000"})
    response = client.post(f"/contracts/{contract.id}/years", data=answers)
    assert response.status_code == 302
    db.session.expire_all()
    assert (contract.years[1].core_pence, contract.years[1].external_pence) == (
        30_000_00, 25_000_00)
    core, external = pots[LABELS[1]]
    assert (available(core), available(external)) == (70_000_00, 5_000_00)


def test_money_that_is_not_money_is_shown_beside_its_box_and_kept(client, commissioner, pots):
    contract = new_contract()
    response = client.post(f"/contracts/{contract.id}/years", data=year_answers(
        [("ten pounds", "0"), ("1000", ""), ("1000", "0")]))
    assert response.status_code == 200
    assert error_messages(response) == {
        "years-0-core": f"Enter the core funding for {LABELS[0]} in pounds, like £60,000",
        "years-1-external": f"Enter the external funding for {LABELS[1]}"}
    assert form_data(response)["years-0-core"] == "ten pounds"
    assert contract.years == []


def test_a_broken_rule_is_shown_beside_its_year(client, commissioner, pots):
    contract = new_contract()
    response = client.post(f"/contracts/{contract.id}/years", data=year_answers(
        [("1000", "0"), ("£200,000", "0"), ("1000", "0")]))
    assert error_messages(response) == {
        "years-1-core": f"The core pots for {LABELS[1]} have £100,000.00 available, "
                        "£100,000.00 less than the £200,000.00 of core funding planned"}
    db.session.expire_all()
    assert contract.years == []


def test_a_change_to_an_active_contract_is_a_variation_with_a_reason(client, commissioner,
                                                                      pots):
    contract = planned(commissioner, new_contract())
    years.activate(commissioner, contract)
    response = client.get(f"/contracts/{contract.id}/years")
    assert "variation" in soup(response).select_one("#variation-note").get_text()
    answers = form_data(response)
    answers["years-2-core"] = "35,000"
    refused = client.post(f"/contracts/{contract.id}/years", data=answers)
    assert error_messages(refused) == {"reason": "Enter the reason for the change"}
    answers["reason"] = "Cabinet agreed a deeper cut"
    assert client.post(f"/contracts/{contract.id}/years", data=answers).status_code == 302
    db.session.expire_all()
    assert contract.version == 2 and contract.years[2].core_pence == 35_000_00


# Choosing the pots ----------------------------------------------------------------------------


def test_the_pots_of_a_year_are_chosen_by_amount(client, commissioner, pots):
    contract = planned(commissioner, new_contract(), external=10_000_00)
    core, external = pots[LABELS[0]]
    second_core = pot(commissioner, year=LABELS[0], name="Reserve")
    url = f"/contracts/{contract.id}/years/{FIRST.slug}/funding"
    response = client.get(url)
    assert_well_formed(response.get_data(as_text=True))
    answers = form_data(response)
    assert (answers[f"pot_{core.id}"], answers[f"pot_{external.id}"],
            answers[f"pot_{second_core.id}"]) == ("40,000", "10,000", "")
    answers.update({f"pot_{core.id}": "25,000", f"pot_{second_core.id}": "10,000"})
    refused = client.post(url, data=answers)
    assert error_messages(refused) == {f"pot_{core.id}": (
        f"The core pots' amounts for {LABELS[0]} add up to £35,000.00, not the £40,000.00 "
        "of core funding planned")}
    answers[f"pot_{second_core.id}"] = "15,000"
    assert client.post(url, data=answers).status_code == 302
    assert (available(core), available(second_core)) == (75_000_00, 85_000_00)


def test_a_year_the_contract_does_not_run_in_is_not_found(client, commissioner):
    contract = new_contract()
    for slug in ("2019-20", "nonsense", "2024/25"):
        assert client.get(f"/contracts/{contract.id}/years/{slug}/funding").status_code == 404


# Making active --------------------------------------------------------------------------------


def test_making_a_contract_active_after_checking_its_money(client, commissioner, pots):
    contract = new_contract()
    response = client.get(f"/contracts/{contract.id}/activate")
    assert_well_formed(response.get_data(as_text=True))
    assert table(soup(response), "#money")[0][0] == LABELS[0]
    refused = client.post(f"/contracts/{contract.id}/activate", follow_redirects=True)
    assert f"Plan the money for {', '.join(LABELS)}" in soup(refused).select_one(
        ".govuk-notification-banner").get_text()
    planned(commissioner, contract)
    assert client.post(f"/contracts/{contract.id}/activate").status_code == 302
    db.session.expire_all()
    assert contract.status is ContractStatus.ACTIVE
    page = soup(client.get(f"/contracts/{contract.id}"))
    assert [link.get_text(strip=True) for link in page.select("#money-actions a")] == [
        "Plan the money", "Extend", "Terminate early", "Versions"]


# Variations -----------------------------------------------------------------------------------


def active(user) -> object:
    contract = planned(user, new_contract())
    years.activate(user, contract)
    return contract


def test_extending_adds_the_years_of_the_new_end_date(client, commissioner, pots):
    contract = active(commissioner)
    later = FinancialYear(YEARS[-1].start_year + 1)
    later_core = pot(commissioner, year=later.label)
    response = client.get(f"/contracts/{contract.id}/extend")
    assert_well_formed(response.get_data(as_text=True))
    offered = form_data(response)
    assert offered["ends_on"] == ["31", "03", str(later.ends_on.year)]
    assert set(offered) >= {"years-0-core", "years-0-external", "reason"}
    two_years = FinancialYear(later.start_year + 1).ends_on
    answers = {"ends_on": [str(two_years.day), str(two_years.month), str(two_years.year)],
               "years-0-core": "20,000", "years-0-external": "0", "reason": "Extended"}
    response = client.post(f"/contracts/{contract.id}/extend", data=answers)
    # The date asks for a second year: its boxes appear, with what to enter.
    assert error_messages(response) == {
        "years-1-core": f"Enter the core funding for {FinancialYear(later.start_year + 1)}",
        "years-1-external": f"Enter the external funding for "
                            f"{FinancialYear(later.start_year + 1)}"}
    answers["ends_on"] = [str(later.ends_on.day), str(later.ends_on.month),
                          str(later.ends_on.year)]
    assert client.post(f"/contracts/{contract.id}/extend", data=answers).status_code == 302
    db.session.expire_all()
    assert contract.ends_on == later.ends_on and contract.years[-1].core_pence == 20_000_00
    assert available(later_core) == 80_000_00


def test_terminating_early_shows_what_is_released_then_releases_it(client, commissioner,
                                                                    pots):
    contract = active(commissioner)
    ends = YEARS[1].quarter(2)[1]  # the end of the second year's second quarter
    answers = {"terminated_on": [str(ends.day), str(ends.month), str(ends.year)],
               "reason": "The provider is closing"}
    response = client.get(f"/contracts/{contract.id}/terminate")
    assert_well_formed(response.get_data(as_text=True))
    check = client.post(f"/contracts/{contract.id}/terminate", data=answers)
    assert_well_formed(check.get_data(as_text=True))
    page = soup(check)
    assert table(page, "#releases") == [
        [LABELS[1], "£60,000.00", "£30,000.00", "2", "£30,000.00"],
        [LABELS[2], "£60,000.00", "£0.00", "4", "£60,000.00"]]
    db.session.expire_all()
    assert contract.status is ContractStatus.ACTIVE
    changing = client.post(f"/contracts/{contract.id}/terminate",
                           data=form_data(check, "#change-form"))
    assert form_data(changing)["reason"] == "The provider is closing"
    assert soup(changing).select_one("#releases") is None
    confirmed = form_data(check, "#confirm-form")
    assert confirmed["confirmed"] == "yes"
    assert client.post(f"/contracts/{contract.id}/terminate",
                       data=confirmed).status_code == 302
    db.session.expire_all()
    assert (contract.status, contract.terminated_on) == (ContractStatus.TERMINATED, ends)
    core, external = pots[LABELS[2]]
    assert (available(core), available(external)) == (100_000_00, 30_000_00)
    versions = soup(client.get(f"/contracts/{contract.id}/versions"))
    assert versions.select_one("#version-2 h2").get_text(strip=True) == "Version 2"
    assert "The provider is closing" in versions.select_one("#version-2").get_text()
    assert f"{LABELS[2]}: core £40,000.00 to £0.00" in versions.select_one(
        "#version-2").get_text(" ", strip=True)


def test_a_termination_date_out_of_range_is_shown_beside_the_date(client, commissioner,
                                                                   pots):
    contract = active(commissioner)
    answers = {"terminated_on": ["1", "1", str(YEARS[-1].start_year + 5)], "reason": "Late"}
    response = client.post(f"/contracts/{contract.id}/terminate", data=answers)
    assert error_messages(response)["terminated_on"].startswith(
        "The termination date must be before the contract’s end date")


def test_the_contract_form_asks_when_instalments_are_paid(client, commissioner, pots):
    contract = planned(commissioner, new_contract())
    answers = contract_answers(
        contract.provider_id, reference=contract.reference, pays_in_advance="arrears",
        starts_on=["1", "4", str(FIRST.start_year)],
        ends_on=["31", "3", str(YEARS[-1].start_year + 1)])
    response = client.post(f"/contracts/{contract.id}/edit", data=answers)
    assert response.status_code == 302
    db.session.expire_all()
    assert contract.pays_in_advance is False
    assert contract.years[0].instalments[0].due_on == date(FIRST.start_year, 6, 30)


def test_new_dates_move_a_drafts_instalments_and_may_not_leave_out_planned_money(
        client, commissioner, pots):
    contract = planned(commissioner, new_contract())
    answers = contract_answers(
        contract.provider_id, reference=contract.reference,
        starts_on=["1", "5", str(FIRST.start_year)],
        ends_on=["31", "3", str(YEARS[-1].start_year + 1)])
    assert client.post(f"/contracts/{contract.id}/edit", data=answers).status_code == 302
    db.session.expire_all()
    assert contract.years[0].instalments[0].due_on == date(FIRST.start_year, 5, 1)
    answers["ends_on"] = ["31", "3", str(FIRST.start_year + 1)]
    response = client.post(f"/contracts/{contract.id}/edit", data=answers)
    assert error_messages(response)["ends_on"].startswith(
        f"Money is planned for {YEARS[1].label}")
    db.session.expire_all()
    assert contract.ends_on == date(YEARS[-1].start_year + 1, 3, 31)


def test_a_provider_cannot_reach_the_money_pages(client, pots):
    contract = new_contract(provider=OrganisationFactory())
    sign_in_as(client, UserFactory(roles=()))
    for url in (f"/contracts/{contract.id}/years", f"/contracts/{contract.id}/extend",
                f"/contracts/{contract.id}/terminate", f"/contracts/{contract.id}/versions",
                f"/contracts/{contract.id}/activate"):
        assert client.get(url).status_code == 403


def test_a_contract_past_its_end_date_is_marked_ended(client, commissioner):
    last_year = FinancialYear(FIRST.start_year - 2)
    pot(commissioner, year=last_year.label)
    contract = ContractFactory(starts_on=last_year.starts_on, ends_on=last_year.ends_on)
    years.plan_years(commissioner, contract, [YearPlan(last_year.label, 4_000_00, 0)], "")
    years.activate(commissioner, contract)
    page = soup(client.get(f"/contracts/{contract.id}"))
    assert page.select_one("#end-form button").get_text(strip=True) == (
        "Mark the contract as ended")
    assert [link.get_text(strip=True) for link in page.select("#money-actions a")] == [
        "Extend", "Versions"]
    response = client.post(f"/contracts/{contract.id}/end", follow_redirects=True)
    assert "has ended" in soup(response).select_one(".govuk-notification-banner").get_text()
    db.session.expire_all()
    assert contract.status is ContractStatus.ENDED
    assert soup(client.get(f"/contracts/{contract.id}")).select_one("#end-form") is None


def test_a_contract_not_yet_at_its_end_date_is_not_ended(client, commissioner, pots):
    contract = active(commissioner)
    response = client.post(f"/contracts/{contract.id}/end", follow_redirects=True)
    assert "it can be marked ended after that" in soup(response).select_one(
        ".govuk-notification-banner").get_text()
    db.session.expire_all()
    assert contract.status is ContractStatus.ACTIVE
