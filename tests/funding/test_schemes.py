"""The funding dashboard by scheme: what each scheme's awards have committed and been paid from
core and from external pots in each financial year, adding up to the pots' ledger balances;
its CSV and XLSX exports; and the drill-downs from a scheme's year, and from a pot, to the
ledger entries and the awards they are for."""

import csv
import io
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from openpyxl import load_workbook

from models.base import db
from models.enums import FundingSource, LedgerKind, Role
from portal.funding import ledger
from portal.funding import services as funding
from portal.funding.services import NOT_FOR_A_SCHEME, Spend
from tests.awards.conftest import pot
from tests.conftest import sign_in_as
from tests.factories import RoundFactory, SchemeFactory, UserFactory
from tests.funding.spending import offer, pay, world
from tests.html import soup
from tests.querycount import count_queries

SCHEME_HEADINGS = ["Scheme", "Core committed", "Core paid", "External committed",
                   "External paid", "Total committed", "Total paid"]


def rows_of(page, table_id: str) -> list[list[str]]:
    table = page.select_one(f"#{table_id}")
    return [[cell.get_text(" ", strip=True) for cell in row.select("th, td")]
            for row in table.select("tbody tr")]


def test_dashboard_shows_each_schemes_core_and_external_money_by_year(client, officer):
    made = world(officer)

    page = soup(client.get("/funding/"))

    assert [th.get_text(strip=True) for th in page.select("#schemes-2024-25 thead th")] == \
        SCHEME_HEADINGS
    assert page.select_one("#schemes-2024-25 caption").get_text(strip=True) == \
        "Schemes, 2024/25"
    # Community Plus: £4,000 and £2,000 committed, the £2,000 released when withdrawn.
    assert rows_of(page, "schemes-2024-25") == [
        ["Community Anchors", "£4,500.00", "£0.00", "£0.00", "£0.00", "£4,500.00", "£0.00"],
        ["Community Plus", "£1,000.00", "£500.00", "£3,000.00", "£1,500.50", "£4,000.00",
         "£2,000.50"],
        ["Total for 2024/25", "£5,500.00", "£500.00", "£3,000.00", "£1,500.50", "£8,500.00",
         "£2,000.50"]]
    assert rows_of(page, "schemes-2023-24") == [
        ["Community Plus", "£2,500.00", "£2,500.00", "£0.00", "£0.00", "£2,500.00",
         "£2,500.00"],
        ["Total for 2023/24", "£2,500.00", "£2,500.00", "£0.00", "£0.00", "£2,500.00",
         "£2,500.00"]]
    links = {(a.get_text(strip=True), a.find_parent("table")["id"]): a["href"]
             for a in page.select("table[id^=schemes-] a")}
    assert links == {
        ("Community Anchors", "schemes-2024-25"): f"/funding/schemes/{made.anchors.id}/2024-25",
        ("Community Plus", "schemes-2024-25"): f"/funding/schemes/{made.plus.id}/2024-25",
        ("Community Plus", "schemes-2023-24"): f"/funding/schemes/{made.plus.id}/2023-24"}
    assert page.find("a", string="CSV", href="/funding/schemes.csv") is not None
    assert page.select_one("#schemes-2024-25 tbody tr:last-child td").get("class") == [
        "govuk-table__cell", "govuk-!-font-weight-bold"]


def test_scheme_figures_add_up_to_the_ledgers_balances(client, officer):
    """For each year and source, the schemes' rows and the money for no scheme's award add up
    to the pots' committed and paid, as portal.funding.ledger.balances sums them; the page's
    total rows are the pots' totals."""
    made = world(officer)
    # Money committed by hand, for no award: it must still be accounted for.
    ledger.post(officer, [ledger.Posting(made.external.id, LedgerKind.COMMITMENT, 700_00)],
                "Held for a contract")
    db.session.commit()
    pots = [made.core, made.external, made.old_core]
    figures = ledger.balances(each.id for each in pots)

    dashboard = funding.dashboard(officer)

    for group in dashboard.groups:
        rows = [*group.schemes, *([group.not_for_schemes] if group.not_for_schemes else [])]
        for source in FundingSource:
            from_pots = [figures[each.id] for each in pots
                         if each.financial_year == group.year and each.source is source]
            assert sum((row.by_source[source] for row in rows), Spend()) == Spend(
                sum(balance.committed_pence for balance in from_pots),
                sum(balance.paid_pence for balance in from_pots))
    other = dashboard.groups[0].not_for_schemes
    assert (other.name, other.by_source[FundingSource.EXTERNAL]) == (NOT_FOR_A_SCHEME,
                                                                     Spend(700_00, 0))

    page = soup(client.get("/funding/"))
    assert rows_of(page, "schemes-2024-25")[-2:] == [
        ["Not for a scheme’s award", "£0.00", "£0.00", "£700.00", "£0.00", "£700.00",
         "£0.00"],
        ["Total for 2024/25", "£5,500.00", "£500.00", "£3,700.00", "£1,500.50", "£9,200.00",
         "£2,000.50"]]
    pot_totals = {row[0]: row[-3:-1] for row in rows_of(page, "year-2024-25")}
    scheme_total = rows_of(page, "schemes-2024-25")[-1]
    assert pot_totals["Core total"] == scheme_total[1:3]
    assert pot_totals["External total"] == scheme_total[3:5]
    assert pot_totals["Total for 2024/25"] == scheme_total[5:7]


def test_year_filter_shows_that_years_schemes_only(client, officer):
    world(officer)
    page = soup(client.get("/funding/?year=2023/24"))
    assert page.select_one("#schemes-2024-25") is None
    assert [row[0] for row in rows_of(page, "schemes-2023-24")] == [
        "Community Plus", "Total for 2023/24"]
    assert page.find("a", string="CSV", href="/funding/schemes.csv?year=2023/24") is not None


def test_dashboard_says_when_no_awards_have_been_made(client, officer):
    pot(10_000_00, name="Unspent")
    page = soup(client.get("/funding/"))
    assert page.select("table[id^=schemes-]") == []
    assert "No awards have been made from these pots yet." in page.main.text
    assert page.find("a", href="/funding/schemes.csv") is None


def test_schemes_csv_is_the_dashboards_schemes_table(client, officer):
    made = world(officer)
    ledger.post(officer, [ledger.Posting(made.core.id, LedgerKind.COMMITMENT, 1_00)], "Held")
    db.session.commit()

    response = client.get("/funding/schemes.csv")

    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="funding-schemes-')
    assert list(csv.reader(io.StringIO(response.get_data(as_text=True)))) == [
        ["Financial year", "Scheme", "Core committed", "Core paid", "External committed",
         "External paid", "Total committed", "Total paid"],
        ["2024/25", "Community Anchors", "4500.00", "0.00", "0.00", "0.00", "4500.00", "0.00"],
        ["2024/25", "Community Plus", "1000.00", "500.00", "3000.00", "1500.50", "4000.00",
         "2000.50"],
        ["2024/25", "Not for a scheme’s award", "1.00", "0.00", "0.00", "0.00", "1.00", "0.00"],
        ["2023/24", "Community Plus", "2500.00", "2500.00", "0.00", "0.00", "2500.00",
         "2500.00"]]
    filtered = list(csv.reader(io.StringIO(
        client.get("/funding/schemes.csv?year=2023/24").get_data(as_text=True))))
    assert [row[:2] for row in filtered[1:]] == [["2023/24", "Community Plus"]]


def test_xlsx_export_has_a_sheet_of_schemes(client, officer):
    world(officer)
    response = client.get("/funding/pots.xlsx?year=2024/25")
    book = load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames == ["Funding pots", "Schemes"]
    sheet = book["Schemes"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Financial year", *SCHEME_HEADINGS]
    assert rows[2][:2] == ["2024/25", "Community Plus"]
    assert [Decimal(str(value)) for value in rows[2][2:]] == [
        Decimal("1000"), Decimal("500"), Decimal("3000"), Decimal("1500.5"), Decimal("4000"),
        Decimal("2000.5")]
    assert sheet.cell(row=3, column=3).number_format == '"£"#,##0.00'
    assert len(rows) == 3


# The drill-down from a scheme's year ----------------------------------------------------------


def test_scheme_year_lists_the_ledger_entries_of_its_awards_in_that_year(client, officer):
    made = world(officer)

    page = soup(client.get(f"/funding/schemes/{made.plus.id}/2024-25"))

    assert page.h1.get_text(strip=True) == "Community Plus"
    assert rows_of(page, "figures") == [["Core", "£1,000.00", "£500.00"],
                                        ["External", "£3,000.00", "£1,500.50"],
                                        ["Total", "£4,000.00", "£2,000.50"]]
    entries = rows_of(page, "ledger")
    # Newest first: the withdrawal's release, its commitment, the first award's payment (two
    # pots) and commitment (two pots); none of the anchors' or of 2023/24.
    assert [(row[1], row[2], row[3], row[5]) for row in entries] == [
        ("Release", "£2,000.00", made.second.reference, "NHS partnership 24"),
        ("Commitment", "£2,000.00", made.second.reference, "NHS partnership 24"),
        ("Payment", "£1,500.50", made.first.reference, "NHS partnership 24"),
        ("Payment", "£500.00", made.first.reference, "Core 24"),
        ("Commitment", "£3,000.00", made.first.reference, "NHS partnership 24"),
        ("Commitment", "£1,000.00", made.first.reference, "Core 24")]
    assert entries[0][4] == made.second.application.organisation.name
    assert entries[0][6] == "External"
    award_links = {a["href"] for a in page.select("#ledger a[href^='/awards/']")}
    assert award_links == {f"/awards/{made.first.id}", f"/awards/{made.second.id}"}
    pot_links = {a["href"] for a in page.select("#ledger a[href^='/funding/pots/']")}
    assert pot_links == {f"/funding/pots/{made.core.id}", f"/funding/pots/{made.external.id}"}
    assert page.select_one(".govuk-back-link")["href"] == "/funding/?year=2024/25#schemes"


def test_scheme_year_figures_are_its_dashboard_row(client, officer):
    made = world(officer)
    found = funding.scheme_year(officer, made.plus.id, "2023-24")
    row = next(row for group in funding.dashboard(officer).groups for row in group.schemes
               if (row.scheme_id, row.year) == (made.plus.id, "2023/24"))
    assert found.figures == row
    assert [entry.kind for entry in found.entries.entries.items] == [LedgerKind.PAYMENT,
                                                                     LedgerKind.COMMITMENT]


def test_scheme_year_pages_its_entries_25_at_a_time(client, officer):
    made = world(officer)
    for number in range(30):  # with the commitment, 31 entries of the scheme in 2024/25
        pay(officer, made.anchor, {made.core: 1_00 + number})
    path = f"/funding/schemes/{made.anchors.id}/2024-25"

    first = soup(client.get(path))
    assert len(first.select("#ledger tbody tr")) == 25
    assert rows_of(first, "ledger")[0][1:3] == ["Payment", "£1.29"]  # the newest
    assert first.select_one(".govuk-pagination__next a")["href"] == f"{path}?page=2"
    second = soup(client.get(f"{path}?page=2"))
    assert [row[1:3] for row in rows_of(second, "ledger")] == [
        ["Payment", "£1.04"], ["Payment", "£1.03"], ["Payment", "£1.02"], ["Payment", "£1.01"],
        ["Payment", "£1.00"], ["Commitment", "£4,500.00"]]


def test_scheme_year_without_entries_says_so(client, officer):
    made = world(officer)
    page = soup(client.get(f"/funding/schemes/{made.anchors.id}/2023-24"))
    assert rows_of(page, "figures")[-1] == ["Total", "£0.00", "£0.00"]
    assert page.select_one("#ledger") is None
    assert "No awards of this scheme have ledger entries in 2023/24." in page.main.text


@pytest.mark.parametrize("year", ["2024-26", "2024", "24-25", "2024-25-", "twenty"])
def test_scheme_year_of_a_year_not_written_like_2024_25_is_not_found(client, officer, year):
    scheme = SchemeFactory()
    assert client.get(f"/funding/schemes/{scheme.id}/{year}").status_code == 404


def test_scheme_year_of_an_unknown_scheme_is_not_found(client, officer):
    assert client.get("/funding/schemes/987654/2024-25").status_code == 404


def test_commissioner_sees_references_without_links_to_awards(client, officer):
    made = world(officer)
    sign_in_as(client, UserFactory(roles=(Role.COMMISSIONER,)))

    page = soup(client.get(f"/funding/schemes/{made.plus.id}/2024-25"))
    assert rows_of(page, "ledger")[0][3] == made.second.reference
    assert page.select("#ledger a[href^='/awards/']") == []

    page = soup(client.get(f"/funding/pots/{made.core.id}"))
    assert rows_of(page, "ledger")[0][3] == made.anchor.reference
    assert page.select("#ledger a[href^='/awards/']") == []


@pytest.mark.parametrize("role,status", [
    (Role.GRANTS_OFFICER, 200), (Role.COMMISSIONER, 200), (Role.ADMIN, 200),
    (Role.ASSESSOR, 403), (Role.APPLICANT, 403)])
def test_only_funding_viewers_see_schemes(client, role, status):
    scheme = SchemeFactory()
    sign_in_as(client, UserFactory(roles=(role,)))
    assert client.get(f"/funding/schemes/{scheme.id}/2024-25").status_code == status
    assert client.get("/funding/schemes.csv").status_code == status


def test_anonymous_people_are_asked_to_sign_in(client):
    scheme = SchemeFactory()
    for path in (f"/funding/schemes/{scheme.id}/2024-25", "/funding/schemes.csv"):
        response = client.get(path)
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == "/sign-in"


# The drill-down from a pot --------------------------------------------------------------------


def test_pot_page_shows_the_award_each_entry_is_for(client, officer):
    made = world(officer)
    page = soup(client.get(f"/funding/pots/{made.core.id}"))
    entries = rows_of(page, "ledger")
    assert [(row[1], row[2], row[3]) for row in entries] == [
        ("Commitment", "£4,500.00", made.anchor.reference),
        ("Payment", "£500.00", made.first.reference),
        ("Commitment", "£1,000.00", made.first.reference),
        ("Budget change", "£49,500.00", "")]
    links = [a["href"] for a in page.select("#ledger a")]
    assert links == [f"/awards/{made.anchor.id}", f"/awards/{made.first.id}",
                     f"/awards/{made.first.id}"]


# Query counts -----------------------------------------------------------------------------------


def test_query_counts_do_not_grow_with_awards(client, officer):
    """2 awards or 22, with payments: the dashboard, its exports and both drill-downs run as
    many queries."""
    scheme = SchemeFactory(name="Community Plus")
    round_ = RoundFactory(closed=True, scheme=scheme)
    core = pot(500_000_00, FundingSource.CORE, name="Core 24")
    external = pot(500_000_00, name="External 24")
    paths = ["/funding/", "/funding/schemes.csv", "/funding/pots.xlsx",
             f"/funding/schemes/{scheme.id}/2024-25", f"/funding/pots/{core.id}"]

    def make(count: int) -> None:
        for number in range(count):
            made = offer(round_ if number % 2 else RoundFactory(closed=True), {core: 600_00,
                                                                 external: 400_00})
            pay(officer, made, {core: 100_00, external: 100_00})

    def counts() -> list[int]:
        found = []
        for path in paths:
            with count_queries() as statements:
                assert client.get(path).status_code == 200
            found.append(len(statements))
        return found

    make(2)
    few = counts()
    make(20)
    assert counts() == few
