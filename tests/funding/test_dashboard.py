"""The funding dashboard: every pot's figures by financial year with core and external totals,
the same as the ledger's sums, and the same table as CSV and XLSX."""

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import select

from models import LedgerEntry
from models.base import db
from models.enums import FundingSource, LedgerKind, PotStatus, Role
from portal.funding.ledger import balances
from tests.conftest import sign_in_as
from tests.factories import UserFactory
from tests.funding.conftest import pot_with
from tests.html import soup
from tests.querycount import count_queries

HEADINGS = ["Pot", "Source", "Funder", "Status", "Budget", "Committed", "Paid", "Available"]


def table_rows(page, year: str) -> list[list[str]]:
    table = page.select_one(f"#year-{year.replace('/', '-')}")
    return [[cell.get_text(" ", strip=True) for cell in row.select("th, td")]
            for row in table.select("tbody tr")]


def pot_captions(page) -> list[str]:
    """The captions of the pots' tables, one for each year shown."""
    return [caption.get_text(strip=True) for caption in page.select("table[id^=year-] caption")]


def three_pots(officer):
    """Two 2024/25 pots (one core, one external) and a 2023/24 core pot."""
    core = pot_with(officer, budget=49_500_00, committed=20_000_00, paid=5_000_00,
                    name="Core 24", source=FundingSource.CORE, funder_name="Kirklees Council")
    external = pot_with(officer, budget=30_000_00, committed=10_000_50, name="Health 24",
                        funder_name="WY Health Partnership")
    external.status = PotStatus.CLOSED
    db.session.commit()
    old = pot_with(officer, budget=378_000_00, name="Core 23", financial_year="2023/24",
                   source=FundingSource.CORE, funder_name="Kirklees Council")
    return core, external, old


def test_dashboard_shows_each_years_pots_and_totals_newest_year_first(client, officer):
    core, external, old = three_pots(officer)

    page = soup(client.get("/funding/"))

    assert pot_captions(page) == ["2024/25", "2023/24"]
    assert [th.get_text(strip=True) for th in page.select("#year-2024-25 thead th")] == HEADINGS
    assert table_rows(page, "2024/25") == [
        ["Core 24", "Core", "Kirklees Council", "Open for awards", "£49,500.00", "£20,000.00",
         "£5,000.00", "£29,500.00"],
        ["Health 24", "External", "WY Health Partnership", "Closed", "£30,000.00",
         "£10,000.50", "£0.00", "£19,999.50"],
        ["Core total", "£49,500.00", "£20,000.00", "£5,000.00", "£29,500.00"],
        ["External total", "£30,000.00", "£10,000.50", "£0.00", "£19,999.50"],
        ["Total for 2024/25", "£79,500.00", "£30,000.50", "£5,000.00", "£49,499.50"]]
    assert table_rows(page, "2023/24")[0][4:] == ["£378,000.00", "£0.00", "£0.00",
                                                  "£378,000.00"]
    links = {a.get_text(strip=True): a["href"] for a in page.select("table[id^=year-] a")}
    assert links == {"Core 24": f"/funding/pots/{core.id}",
                     "Health 24": f"/funding/pots/{external.id}",
                     "Core 23": f"/funding/pots/{old.id}"}
    assert page.find("a", string="Create a funding pot")["href"] == "/funding/pots/new"


def test_dashboard_figures_are_the_ledgers_sums(client, officer):
    pots = three_pots(officer)
    page = soup(client.get("/funding/"))
    shown = {row[0]: row[4:] for year in ("2024/25", "2023/24")
             for row in table_rows(page, year) if len(row) == 8}
    figures = balances([pot.id for pot in pots])
    entries = list(db.session.scalars(select(LedgerEntry)))
    for pot in pots:
        balance = figures[pot.id]
        mine = [entry for entry in entries if entry.pot_id == pot.id]
        assert balance.budget_pence == sum(e.amount_pence for e in mine
                                           if e.kind is LedgerKind.BUDGET)
        assert balance.committed_pence == sum(e.amount_pence for e in mine
                                              if e.kind is LedgerKind.COMMITMENT)
        assert balance.paid_pence == sum(e.amount_pence for e in mine
                                         if e.kind is LedgerKind.PAYMENT)
        assert shown[pot.name] == [
            f"£{Decimal(pence) / 100:,.2f}" for pence in
            (balance.budget_pence, balance.committed_pence, balance.paid_pence,
             balance.available_pence)]


def test_dashboard_filters_by_year_and_ignores_unknown_years(client, officer):
    three_pots(officer)
    page = soup(client.get("/funding/?year=2023%2F24"))
    assert pot_captions(page) == ["2023/24"]
    assert [o.get_text(strip=True) for o in page.select("#year option")] == [
        "All years", "2024/25", "2023/24"]
    assert page.select_one("#year option[selected]").get_text(strip=True) == "2023/24"
    assert page.find("a", string="CSV")["href"] == "/funding/pots.csv?year=2023/24"

    page = soup(client.get("/funding/?year=1999%2F00"))
    assert len(pot_captions(page)) == 2


def test_dashboard_without_pots(client, officer):
    page = soup(client.get("/funding/"))
    assert "There are no funding pots yet." in page.main.text
    assert page.select_one("#year") is None


def test_commissioner_sees_the_dashboard_but_cannot_create_pots(client):
    commissioner = UserFactory(roles=(Role.COMMISSIONER,))
    pot_with(commissioner, name="Core 24")
    sign_in_as(client, commissioner)
    page = soup(client.get("/funding/"))
    assert table_rows(page, "2024/25")[0][0] == "Core 24"
    assert page.find("a", string="Create a funding pot") is None


def test_csv_export_is_the_dashboards_table(client, officer):
    three_pots(officer)
    response = client.get("/funding/pots.csv")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="funding-pots-')
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows == [
        ["Financial year", "Pot", "Source", "Funder", "Funder org-id", "Status", "Budget",
         "Committed", "Paid", "Available"],
        ["2024/25", "Core 24", "Core", "Kirklees Council", "GB-EXAMPLE-0001",
         "Open for awards", "49500.00", "20000.00", "5000.00", "29500.00"],
        ["2024/25", "Health 24", "External", "WY Health Partnership", "GB-EXAMPLE-0001",
         "Closed", "30000.00", "10000.50", "0.00", "19999.50"],
        ["2023/24", "Core 23", "Core", "Kirklees Council", "GB-EXAMPLE-0001",
         "Open for awards", "378000.00", "0.00", "0.00", "378000.00"]]

    rows = list(csv.reader(io.StringIO(
        client.get("/funding/pots.csv?year=2023/24").get_data(as_text=True))))
    assert [row[1] for row in rows[1:]] == ["Core 23"]


def test_csv_export_defuses_formulas(client, officer):
    pot_with(officer, name="=HYPERLINK(\"http://evil\")", funder_name="+44 funder")
    rows = list(csv.reader(io.StringIO(client.get("/funding/pots.csv").get_data(as_text=True))))
    assert rows[1][1].startswith("'=") and rows[1][3] == "'+44 funder"


def test_xlsx_export_has_money_as_pounds(client, officer):
    three_pots(officer)
    response = client.get("/funding/pots.xlsx?year=2024/25")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][6:] == ["Budget", "Committed", "Paid", "Available"]
    assert rows[1][:2] == ["2024/25", "Core 24"]
    assert [Decimal(str(value)) for value in rows[2][6:]] == [
        Decimal("30000"), Decimal("10000.5"), Decimal("0"), Decimal("19999.5")]
    assert sheet.cell(row=2, column=7).number_format == '"£"#,##0.00'
    assert len(rows) == 3


def test_query_counts_do_not_grow_with_pots(client, officer):
    """3 pots or 30, over two years: the dashboard, CSV and XLSX run as many queries."""
    def make(count: int) -> None:
        for number in range(count):
            pot_with(officer, name=f"Pot {count}-{number}", committed=1_00,
                     financial_year="2024/25" if number % 2 else "2025/26",
                     source=FundingSource.CORE if number % 3 else FundingSource.EXTERNAL)

    def counts() -> list[int]:
        found = []
        for path in ("/funding/", "/funding/pots.csv", "/funding/pots.xlsx"):
            with count_queries() as statements:
                assert client.get(path).status_code == 200
            found.append(len(statements))
        return found

    make(3)
    few = counts()
    make(27)
    assert counts() == few
