"""The councillors' scrutiny pack: its page, and its PDF and workbook with the same figures."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from models.enums import Role
from tests.conftest import sign_in_as
from tests.factories import UserFactory
from tests.html import soup
from tests.monitoring.accountability import lot
from tests.monitoring.test_accountability import table

QUARTER = "year=2024-25&quarter=3"


@pytest.fixture
def pack_url(client, later) -> str:
    first, _, _ = lot()
    sign_in_as(client, UserFactory(roles=(Role.COMMISSIONER,)))
    return f"/monitoring/programmes/{first.contract.programme.id}/scrutiny"


def test_the_pack_rates_flags_benchmarks_and_rolls_up_the_quarter(client, pack_url):
    page = soup(client.get(f"{pack_url}?{QUARTER}"))

    assert page.h1.get_text() == "Scrutiny pack, Q3 2024/25"
    assert [" ".join(row.get_text(" ", strip=True).split())
            for row in page.select("#summary .govuk-summary-list__row")] == [
        "Red 0 anchors", "Amber 0 anchors", "Green 1 anchor", "No return 2 anchors",
        "Outliers 1"]
    assert table(page, "#rags") == [
        ["CA-LA-01, Anchor Trust CA-LA-01", "Local anchor", "Green", "Green", "Green"],
        ["CA-LA-02, Anchor Trust CA-LA-02", "Local anchor", "Green", "Green (queried)",
         "No return"],
        ["CA-LA-03, Anchor Trust CA-LA-03", "Local anchor", "No return", "No return",
         "No return"]]
    assert table(page, "#outliers") == [
        ["CA-LA-01, Anchor Trust CA-LA-01", "People supported", "40 people", "100 people",
         "40%", "Below half of its target (40% of it); Down 60% on Q2 2024/25"]]
    assert table(page, "#benchmark-local_anchor-1")[0] == [
        "CA-LA-01, Anchor Trust CA-LA-01", "40 people", "100 people", "40%", "1"]
    assert table(page, "#pathway-financial_hardship-1")[0][-1] == (
        "40 people of 100 people (40%), 1 of 3 reporting")
    links = [link["href"] for link in page.select("#downloads a")]
    assert links == [f"{pack_url}.pdf?{QUARTER}", f"{pack_url}.xlsx?{QUARTER}"]


def test_the_pdf_says_what_the_page_says(client, pack_url):
    page = soup(client.get(f"{pack_url}?{QUARTER}"))
    response = client.get(f"{pack_url}.pdf?{QUARTER}")

    assert response.mimetype == "application/pdf"
    assert "scrutiny-pack-2024-25-q3-" in response.headers["Content-Disposition"]
    text = " ".join(" ".join(each.extract_text() for each in
                             PdfReader(io.BytesIO(response.data)).pages).split())
    assert "Scrutiny pack, Q3 2024/25" in text
    for selector in ("#rags", "#outliers", "#benchmark-local_anchor-1",
                     "#pathway-financial_hardship-1"):
        for row in table(page, selector):  # cells, as a wrapped cell's lines interleave
            assert all(cell in text for cell in row)


def test_the_workbook_has_a_sheet_for_each_section_with_the_pages_figures(client, pack_url):
    response = client.get(f"{pack_url}.xlsx?{QUARTER}")
    book = load_workbook(io.BytesIO(response.data))

    assert book.sheetnames == ["RAG", "Benchmark Q3 2024-25", "Pathway roll-up", "Outliers"]
    rows = [list(row) for row in book["RAG"].iter_rows(values_only=True)]
    assert rows[0] == ["Contract", "Provider", "Lot", "Q1 2024/25", "Q2 2024/25", "Q3 2024/25"]
    assert rows[2] == ["CA-LA-02", "Anchor Trust CA-LA-02", "Local anchor", "Green",
                       "Green (queried)", "No return"]
    [_, outlier] = book["Outliers"].iter_rows(values_only=True)
    assert list(outlier) == ["CA-LA-01", "Anchor Trust CA-LA-01", "People supported", "people",
                             40, 100, 40, "Below half of its target (40% of it); Down 60% on "
                             "Q2 2024/25"]
    benchmark = [row for row in book["Benchmark Q3 2024-25"].iter_rows(values_only=True)]
    assert benchmark[1] == ("Local anchor", "People supported", "people", "CA-LA-01",
                            "Anchor Trust CA-LA-01", 40, 100, 40, "1")
    rollup = [row for row in book["Pathway roll-up"].iter_rows(values_only=True)]
    assert rollup[1] == ("Tackling financial hardship", "People supported", "people",
                         "District", "Q1 2024/25", 210, 200, 105, "2 of 3")
    assert Decimal(str(rollup[3][5])) == Decimal(40)
