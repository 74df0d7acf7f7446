"""The taper dashboards' pages: the summary, the chart (whose figures match the table), the
tables and breakdowns, the downloads, who may see them, and their bounded SQL queries."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from models.enums import FundingSource, LedgerKind, Role
from portal.money import format_pounds
from tests.awards.conftest import pot
from tests.conftest import sign_in_as
from tests.factories import ContractFactory, ProgrammeFactory, SchemeFactory, UserFactory
from tests.html import soup
from tests.querycount import count_queries
from tests.reporting.tapers import (
    ANCHORS_TABLE,
    ANCHORS_TOTAL,
    PLUS_TABLE,
    anchors,
    commit_year,
    community_plus,
    move,
    plan,
)

PLANNED_HEADINGS = ["Financial year", "Core target", "Core planned", "Core against target",
                    "External planned", "Total planned", "External funding gap"]
SPENT_HEADINGS = ["Financial year", "Core committed", "External committed", "Committed",
                  "Core paid", "External paid", "Paid"]


def money(pounds) -> str:
    return "None" if pounds is None else format_pounds(round(pounds * 100))


def against(pounds) -> str:
    if pounds is None:
        return "No target"
    if pounds == 0:
        return "On target"
    return f"{money(abs(pounds))} {'over' if pounds > 0 else 'under'}"


def planned_row(year, values) -> list[str]:
    target, core, external, _, _, _, _, over, gap = values
    return [year, money(target), money(core), against(over), money(external),
            money(core + external), money(gap)]


def spent_row(year, values) -> list[str]:
    _, _, _, core_committed, external_committed, core_paid, external_paid, _, _ = values
    return [year, money(core_committed), money(external_committed),
            money(core_committed + external_committed), money(core_paid),
            money(external_paid), money(core_paid + external_paid)]


def table(page, table_id: str) -> list[list[str]]:
    return [[cell.get_text(" ", strip=True) for cell in row.select("th, td")]
            for row in page.select(f"#{table_id} tbody tr")]


def headings(page, table_id: str) -> list[str]:
    return [cell.get_text(strip=True) for cell in page.select(f"#{table_id} thead th")]


@pytest.fixture
def commissioner(client):
    person = UserFactory(roles=(Role.COMMISSIONER,), full_name="Cara Commissioner")
    sign_in_as(client, person)
    return person


def test_the_programme_dashboard_shows_the_taper_table(client, commissioner):
    world = anchors(commissioner)

    response = client.get(f"/reporting/programmes/{world.programme.id}/taper")

    assert response.status_code == 200
    page = soup(response)
    assert page.h1.get_text(strip=True) == "Taper dashboard"
    assert "Community Anchors 2024–27" in page.select_one(".govuk-caption-l").get_text()
    assert headings(page, "taper-planned") == PLANNED_HEADINGS
    assert table(page, "taper-planned") == [
        *(planned_row(year, values) for year, values in ANCHORS_TABLE.items()),
        planned_row("Total", ANCHORS_TOTAL)]
    assert table(page, "taper-planned")[0] == [
        "2024/25", "£180,000.00", "£185,000.00", "£5,000.00 over", "£250,000.00",
        "£435,000.00", "£10,000.00"]
    assert headings(page, "taper-spent") == SPENT_HEADINGS
    assert table(page, "taper-spent") == [
        *(spent_row(year, values) for year, values in ANCHORS_TABLE.items()),
        spent_row("Total", ANCHORS_TOTAL)]
    # Money is right-aligned.
    assert all("govuk-table__cell--numeric" in cell["class"]
               for cell in page.select("#taper-planned tbody td"))
    summary = {row.dt.get_text(strip=True): row.dd.get_text(strip=True)
               for row in page.select("#summary .govuk-summary-list__row")}
    assert summary == {
        "Core planned": "£315,000.00", "External planned": "£480,000.00",
        "Total planned": "£795,000.00", "Core against target": "£65,000.00 under",
        "Committed": "£420,000.00", "Paid": "£62,000.00", "External funding gap": "£240,000.00"}
    assert page.select_one("a.govuk-back-link")["href"] == \
        f"/contracts/programmes/{world.programme.id}"


def test_the_chart_has_a_title_and_a_description_and_matches_the_table(client, commissioner):
    world = anchors(commissioner)

    page = soup(client.get(f"/reporting/programmes/{world.programme.id}/taper"))

    svg = page.select_one("svg#taper-chart")
    assert svg["role"] == "img"
    title, desc = svg.select_one("title"), svg.select_one("desc")
    assert svg["aria-labelledby"].split() == [title["id"], desc["id"]]
    assert title.get_text() == ("Core and external funding by financial year, "
                                "Community Anchors 2024–27")
    table_rows = {row[0]: row for row in table(page, "taper-planned")}
    bars = svg.select("g.reporting-chart__bar")
    assert [bar["data-year"] for bar in bars] == list(ANCHORS_TABLE)
    description = desc.get_text()
    for bar in bars:
        year = bar["data-year"]
        _, target, core, _, external, total, _ = table_rows[year]
        core_pence, external_pence = int(bar["data-core-pence"]), int(bar["data-external-pence"])
        assert format_pounds(core_pence) == core
        assert format_pounds(external_pence) == external
        assert (format_pounds(int(bar["data-target-pence"])) if bar["data-target-pence"]
                else "None") == target
        assert bar.select_one(".reporting-chart__total").get_text() == total
        assert bar.select_one(".reporting-chart__year").get_text() == year
        # The heights are in proportion to the money.
        core_rect = bar.select_one("rect.reporting-chart__core")
        external_rect = bar.select_one("rect.reporting-chart__external")
        assert int(core_rect["data-pence"]) == core_pence
        assert int(external_rect["data-pence"]) == external_pence
        scale = float(core_rect["height"]) / core_pence
        assert float(external_rect["height"]) == pytest.approx(external_pence * scale, abs=0.2)
        wording = f"target {target}" if target != "None" else "no target"
        assert f"{year}: core {core} ({wording}), external {external}, total {total}." \
            in description
    # The core target is marked where there is one.
    assert len(svg.select(".reporting-chart__target")) == 2
    # No inline styles: the CSP forbids them.
    assert not svg.select("[style]")
    assert {text.get_text() for text in svg.select(".reporting-chart__legend text")} == {
        "Core planned", "External planned", "Core target"}


def test_the_breakdowns_by_locality_and_lot(client, commissioner):
    world = anchors(commissioner)

    page = soup(client.get(f"/reporting/programmes/{world.programme.id}/taper"))

    assert headings(page, "by-locality")[:2] == ["Locality", "Financial year"]
    assert table(page, "by-locality")[0] == [
        "Huddersfield", "2024/25", "£100,000.00", "£150,000.00", "£250,000.00",
        "£100,000.00", "£150,000.00", "£250,000.00"]
    assert [row[0] for row in table(page, "by-locality")] == [
        "Huddersfield", "Huddersfield", "Kirklees Rural", "No locality", "No locality"]
    assert [row[:2] for row in table(page, "by-lot")] == [
        ["Lead locality anchor", "2024/25"], ["Lead locality anchor", "2025/26"],
        ["Local anchor", "2024/25"], ["Local anchor", "2026/27"],
        ["VCS infrastructure", "2024/25"]]


def test_a_programme_without_figures_says_so(client, commissioner):
    programme = ProgrammeFactory()

    page = soup(client.get(f"/reporting/programmes/{programme.id}/taper"))

    assert page.select_one("#no-figures") is not None
    assert page.select_one("svg") is None


def test_the_programme_page_links_to_the_dashboard(client, commissioner):
    programme = ProgrammeFactory()
    page = soup(client.get(f"/contracts/programmes/{programme.id}"))
    link = page.find("a", string="Taper dashboard")
    assert link["href"] == f"/reporting/programmes/{programme.id}/taper"


def test_the_scheme_page_links_to_the_dashboard(client):
    sign_in_as(client, UserFactory(roles=(Role.GRANTS_OFFICER,)))
    scheme = SchemeFactory()
    page = soup(client.get(f"/schemes/{scheme.id}"))
    link = page.find("a", string="Taper dashboard")
    assert link["href"] == f"/reporting/schemes/{scheme.id}/taper"


def test_commissioners_find_the_schemes_dashboards_beside_the_programmes(client):
    sign_in_as(client, UserFactory(roles=(Role.COMMISSIONER,)))
    scheme = SchemeFactory(name="Community Plus Grants")
    links = soup(client.get("/contracts/")).select("#scheme-tapers a")
    assert [(link.get_text(), link["href"]) for link in links] == [
        ("Community Plus Grants: taper dashboard", f"/reporting/schemes/{scheme.id}/taper")]


def test_the_scheme_dashboard_shows_its_awards_money(client):
    sign_in_as(client, UserFactory(roles=(Role.GRANTS_OFFICER,)))
    world = community_plus()

    page = soup(client.get(f"/reporting/schemes/{world.scheme.id}/taper"))

    assert "Scheme CPG: Community Plus" in page.select_one(".govuk-caption-l").get_text()
    rows = table(page, "taper-planned")
    assert rows[:2] == [planned_row(year, values) for year, values in PLUS_TABLE.items()]
    assert table(page, "taper-spent")[0] == spent_row("2024/25", PLUS_TABLE["2024/25"])
    assert page.select_one("#by-locality") is None
    assert page.select_one("svg title").get_text() == \
        "Core and external funding by financial year, Community Plus"
    assert page.select_one("a.govuk-back-link")["href"] == f"/schemes/{world.scheme.id}"


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_the_programme_taper_downloads_as_csv_and_xlsx(client, commissioner):
    world = anchors(commissioner)
    base = f"/reporting/programmes/{world.programme.id}/taper"

    page = soup(client.get(base))
    links = {link.get_text(): link["href"] for link in page.select("a[download]")}
    assert links == {"CSV": f"{base}.csv", "Excel (XLSX)": f"{base}.xlsx"}

    response = client.get(f"{base}.csv")
    assert response.mimetype == "text/csv"
    assert "attachment; filename=\"taper-anchors-" in response.headers["Content-Disposition"]
    heading, *rows = csv_rows(response)
    assert heading[:5] == ["Financial year", "Core target", "Core planned", "External planned",
                           "Total planned"]
    assert rows[0] == ["2024/25", "180000.00", "185000.00", "250000.00", "435000.00",
                       "180000.00", "240000.00", "420000.00", "25000.00", "37000.00",
                       "62000.00", "5000.00", "10000.00"]
    assert rows[2][1] == "" and rows[2][11] == ""  # 2026/27 has no target
    assert rows[-1][0] == "Total"

    response = client.get(f"{base}.xlsx")
    assert response.mimetype == \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames == ["Taper", "By locality", "By lot"]
    sheet = [[cell.value for cell in row] for row in book["Taper"].iter_rows()]
    assert sheet[0] == heading
    # The same figures as the CSV, as numbers.
    for csv_row, xlsx_row in zip(rows, sheet[1:], strict=True):
        assert [str(Decimal(str(value)).quantize(Decimal("0.01"))) if value is not None
                else "" for value in xlsx_row[1:]] == csv_row[1:]
        assert xlsx_row[0] == csv_row[0]
    localities = [[cell.value for cell in row] for row in book["By locality"].iter_rows()]
    assert localities[1][:3] == ["Huddersfield", "2024/25", 100_000]


def test_the_scheme_taper_downloads(client):
    sign_in_as(client, UserFactory(roles=(Role.COMMISSIONER,)))
    world = community_plus()
    base = f"/reporting/schemes/{world.scheme.id}/taper"

    _, *rows = csv_rows(client.get(f"{base}.csv"))
    assert rows[0][:8] == ["2024/25", "49500.00", "1000.00", "3000.00", "4000.00",
                           "1000.00", "3000.00", "4000.00"]
    assert rows[0][10] == "2000.50"
    book = load_workbook(io.BytesIO(client.get(f"{base}.xlsx").get_data()))
    assert book.sheetnames == ["Taper"]


ROLES = [Role.COMMISSIONER, Role.GRANTS_OFFICER, Role.ADMIN, Role.ASSESSOR, Role.APPLICANT]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("suffix", ["", ".csv", ".xlsx"])
def test_only_commissioners_see_programme_tapers(client, role, suffix):
    programme = ProgrammeFactory()
    sign_in_as(client, UserFactory(roles=(role,)))
    response = client.get(f"/reporting/programmes/{programme.id}/taper{suffix}")
    assert response.status_code == (200 if role is Role.COMMISSIONER else 403)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("suffix", ["", ".csv", ".xlsx"])
def test_commissioners_and_grants_officers_see_scheme_tapers(client, role, suffix):
    scheme = SchemeFactory()
    sign_in_as(client, UserFactory(roles=(role,)))
    response = client.get(f"/reporting/schemes/{scheme.id}/taper{suffix}")
    allowed = role in (Role.COMMISSIONER, Role.GRANTS_OFFICER)
    assert response.status_code == (200 if allowed else 403)


@pytest.mark.parametrize("path", ["/reporting/programmes/1/taper",
                                  "/reporting/schemes/1/taper.csv"])
def test_anyone_signed_out_is_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


@pytest.mark.parametrize("path", ["/reporting/programmes/999/taper",
                                  "/reporting/programmes/999/taper.xlsx",
                                  "/reporting/schemes/999/taper",
                                  "/reporting/programmes/1/taper.pdf"])
def test_unknown_tapers_are_not_found(client, commissioner, path):
    assert client.get(path).status_code == 404


def programme_of(count: int, commissioner):
    """A programme of `count` contracts, each with two years planned, one committed and part
    paid, in four localities and all the lots."""
    core = pot(count * 100_000_00, FundingSource.CORE, name=f"Core {count}")
    external = pot(count * 100_000_00, name=f"External {count}")
    pots = {FundingSource.CORE: core, FundingSource.EXTERNAL: external}
    programme = ProgrammeFactory()
    for number in range(count):
        contract = ContractFactory(programme=programme)
        commit_year(commissioner, plan(contract, "2024/25", 10_000_00, 20_000_00, pots))
        plan(contract, "2025/26", 8_000_00, 22_000_00)
        move(commissioner, contract, LedgerKind.PAYMENT, {core: 2_500_00 + number})
    return programme


def test_the_dashboard_runs_as_many_queries_for_60_contracts_as_for_3(client, commissioner):
    small, large = programme_of(3, commissioner), programme_of(60, commissioner)

    counts = []
    for programme in (small, large):
        with count_queries() as statements:
            response = client.get(f"/reporting/programmes/{programme.id}/taper")
        assert response.status_code == 200
        counts.append(len(statements))

    assert counts[0] == counts[1]
    assert counts[0] <= 10
