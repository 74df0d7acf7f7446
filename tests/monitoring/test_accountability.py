"""Accountability across quarters: a contract's KPI trends and RAG history, a lot benchmarked
over time and the pathway roll-up, read through the pages."""

import pytest

from models.enums import Role
from tests.conftest import sign_in_as
from tests.factories import UserFactory
from tests.html import soup
from tests.monitoring.accountability import lot


@pytest.fixture
def commissioner(client):
    person = UserFactory(roles=(Role.COMMISSIONER,))
    sign_in_as(client, person)
    return person


def table(page, selector: str) -> list[list[str]]:
    return [[" ".join(cell.get_text(" ", strip=True).split()) for cell in row.select("th, td")]
            for row in page.select(f"{selector} tbody tr")]


def test_a_contracts_trends_show_each_kpi_against_its_target_and_its_rag_history(
        client, commissioner, later):
    first, _, _ = lot()
    page = soup(client.get(f"/monitoring/contracts/{first.contract.id}/trends"))

    assert table(page, "#rag-history") == [
        ["Q1 2024/25", "Green", "Accepted"], ["Q2 2024/25", "Green", "Accepted"],
        ["Q3 2024/25", "Green", "Accepted"], ["Q4 2024/25", "No return", "Not sent"],
        ["Q1 2025/26", "No return", "Not sent"]]
    assert table(page, "#kpi-table-1") == [
        ["Q1 2024/25", "100 people", "90 people", "90%", ""],
        ["Q2 2024/25", "100 people", "100 people", "100%", ""],
        ["Q3 2024/25", "100 people", "40 people", "40%",
         "Outlier Below half of its target (40% of it); Down 60% on Q2 2024/25"],
        ["Q4 2024/25", "100 people", "No value", "", ""],
        ["Q1 2025/26", "Not set", "No value", "", ""]]
    chart = page.select_one("svg#chart-1")
    assert chart["role"] == "img"
    assert chart.title.get_text() == "People supported, CA-LA-01"
    assert "Value: Q1 2024/25 90 people" in chart.desc.get_text()
    assert [circle["data-value"] for circle in chart.select("circle")] == [
        "90.00", "100.00", "40.00"]
    assert page.select_one("#kpi-2").get_text() == "External funding levered in"


def test_the_contracts_monitoring_page_links_to_its_trends(client, commissioner, later):
    first, _, _ = lot()
    page = soup(client.get(f"/monitoring/contracts/{first.contract.id}"))
    assert page.select_one("#trends-link")["href"] == (
        f"/monitoring/contracts/{first.contract.id}/trends")


def test_a_lot_is_benchmarked_quarter_by_quarter_with_the_benchmarking_pages_ranks(
        client, commissioner, later):
    first, _, _ = lot()
    programme = first.contract.programme
    page = soup(client.get(f"/monitoring/programmes/{programme.id}/trends?lot=local_anchor"))

    assert [cell.get_text() for cell in page.select("#kpi-table-1 thead th")] == [
        "Contract", "Q1 2024/25", "Q2 2024/25", "Q3 2024/25", "Q4 2024/25", "Q1 2025/26"]
    rows = table(page, "#kpi-table-1")
    assert rows[0][:4] == ["CA-LA-01, Anchor Trust CA-LA-01", "90 people Rank 2",
                           "100 people Rank 1", "40 people Rank 1 Outlier Below half of its "
                           "target (40% of it); Down 60% on Q2 2024/25"]
    # The queried return's value is left out, as on the benchmarking page.
    assert rows[1][:3] == ["CA-LA-02, Anchor Trust CA-LA-02", "120 people Rank 1", "No value"]
    assert rows[3][:3] == ["Lot total", "210 people", "100 people"]
    assert rows[4][:3] == ["Lot median", "105 people", "100 people"]
    names = [line["data-name"] for line in page.select("svg#chart-1 g[data-name]")]
    assert names == ["CA-LA-01", "CA-LA-02", "CA-LA-03", "Lot median"]

    quarter = soup(client.get(f"/monitoring/programmes/{programme.id}/benchmark"
                              "?lot=local_anchor&year=2024-25&quarter=1"))
    assert [row.select("td")[-1].get_text() for row in quarter.select("#kpi-1 tbody tr")] == [
        "1", "2", ""]


def test_the_pathways_are_added_up_across_the_district_and_by_locality(
        client, commissioner, later):
    first, _, _ = lot()
    page = soup(client.get(f"/monitoring/programmes/{first.contract.programme.id}/pathways"
                           "?year=2024-25&quarter=3"))

    assert [heading.get_text() for heading in page.select("main h2")] == [
        "Tackling financial hardship", "Helping people into work", "Reducing social isolation"]
    assert table(page, "#pathway-financial_hardship-1") == [
        ["District", "210 people of 200 people (105%), 2 of 3 reporting",
         "100 people of 100 people (100%), 1 of 3 reporting",
         "40 people of 100 people (40%), 1 of 3 reporting"],
        ["Dewsbury and Mirfield", "90 people of 100 people (90%), 1 of 1 reporting",
         "100 people of 100 people (100%), 1 of 1 reporting",
         "40 people of 100 people (40%), 1 of 1 reporting"],
        ["No locality", "120 people of 100 people (120%), 1 of 2 reporting",
         "None reported", "None reported"]]
    assert page.select_one("#pathway-into_work + p").get_text() == "No KPI is in this pathway."


def test_the_programmes_returns_link_to_the_accountability_pages(client, commissioner, later):
    first, _, _ = lot()
    programme = first.contract.programme
    page = soup(client.get(f"/monitoring/programmes/{programme.id}/returns"))
    assert [link.get_text() for link in page.select("#accountability-links a")] == [
        "Benchmarking over time", "Pathway roll-up across the district",
        "Scrutiny pack for councillors"]


@pytest.mark.parametrize("path", ["/monitoring/contracts/{contract}/trends",
                                  "/monitoring/programmes/{programme}/trends",
                                  "/monitoring/programmes/{programme}/pathways",
                                  "/monitoring/programmes/{programme}/scrutiny"])
def test_only_commissioners_see_the_accountability_pages(client, later, path):
    first, _, _ = lot()
    url = path.format(contract=first.contract.id, programme=first.contract.programme.id)
    sign_in_as(client, first.admin)  # the provider's own admin
    assert client.get(url).status_code == 403
