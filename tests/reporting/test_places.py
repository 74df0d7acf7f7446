"""Funding by place: the grants and contracts of a year by ward and locality, shared between
the wards named to the penny, reconciled with the funding dashboard and the programme tapers,
with per head figures; the page, its downloads, and its bounded SQL queries."""

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from models.enums import FundingSource, Role
from portal.funding import services as funding
from portal.money import format_pounds
from portal.reporting import places as service
from portal.reporting import services as tapers
from portal.reporting.places import Money, Place, RowKind, Served, build, per_head, share_out
from tests.conftest import sign_in_as
from tests.factories import ContractFactory, RoundFactory, UserFactory
from tests.funding.spending import offer
from tests.html import soup
from tests.querycount import count_queries
from tests.reporting.places import TABLE, places
from tests.reporting.tapers import commit_year, plan

# Splitting, pure -----------------------------------------------------------------------------

LOCALITIES = {1: "North", 2: "South", 3: "No wards"}
WARDS = [Place(ward_id, f"Ward {ward_id}", 1 if ward_id <= 3 else 2, ward_id * 1_000)
         for ward_id in range(1, 7)]
served_items = st.lists(st.builds(
    Served, st.integers(0, 10**9), st.sets(st.integers(1, 6), max_size=6).map(set),
    st.sampled_from([None, 1, 2, 3])), max_size=12)


def rows_of(report: service.Report) -> list[service.PlaceRow]:
    """Every row but the totals: the wards, across the locality and unassigned."""
    return [*(row for group in report.localities for row in group.rows), report.unassigned]


# No deadline: a loaded machine, not the arithmetic, sets how long an example takes.
@settings(deadline=None)
@given(grants=served_items, contracts=served_items)
def test_the_rows_add_up_exactly_to_the_total_and_the_money_given(grants, contracts):
    report = build([], "2024/25", WARDS, LOCALITIES, share_out(grants), share_out(contracts))

    added = sum((row.money for row in rows_of(report)), Money())
    assert added == report.total.money
    assert report.total.money == Money(sum(each.amount_pence for each in grants),
                                       sum(each.amount_pence for each in contracts))
    assert sum((group.total.money for group in report.localities),
               report.unassigned.money) == report.total.money


@given(amount=st.integers(0, 10**9), wards=st.sets(st.integers(1, 6), min_size=1))
def test_money_for_several_wards_is_shared_equally_to_the_penny(amount, wards):
    shares = share_out([Served(amount, wards, locality_id=2)]).wards

    assert sum(shares.values()) == amount
    assert set(shares) == wards
    assert max(shares.values()) - min(shares.values()) <= 1


def test_a_contract_for_a_locality_alone_is_across_it_and_nowhere_is_unassigned():
    shares = share_out([Served(700, set(), 3), Served(5, {1, 2}, 3), Served(40)])

    assert shares.localities == {3: 700}
    assert shares.wards == {1: 3, 2: 2}  # the odd penny to the lower ward id
    assert shares.unassigned == 40
    report = build([], "2024/25", WARDS, LOCALITIES, shares, service.Shares())
    assert [group.name for group in report.localities] == ["North", "South", "No wards"]
    no_wards = report.localities[2]
    assert [(row.kind, row.name) for row in no_wards.rows] == [
        (RowKind.ACROSS_LOCALITY, "No wards: across the locality")]
    assert no_wards.total.population is None


@pytest.mark.parametrize(("total", "population", "expected"), [
    (1_000_01, 39_000, 3), (500_00, 20_000, 3), (499_99, 20_000, 2), (0, 18_000, 0),
    (6_000_00, 18_000, 33), (100, None, None), (100, 0, None)])
def test_per_head_is_to_the_nearest_penny_halves_up(total, population, expected):
    assert per_head(total, population) == expected


# The service, on the database -----------------------------------------------------------------


def as_table(report: service.Report) -> list[tuple]:
    def line(row):
        return (row.name, *(format_pounds(pence) for pence in (
            row.money.grants_pence, row.money.contracts_pence, row.money.total_pence)),
            "" if row.population is None else f"{row.population:,}",
            format_pounds(row.per_head_pence))
    lines = []
    for group in report.localities:
        lines += [(group.name,), *(line(row) for row in [*group.rows, group.total])]
    return [*lines, line(report.unassigned), line(report.total)]


def test_the_year_by_ward_and_locality(ctx):
    world = places()

    report = service.funding_by_place(world.officer)

    assert report.year == "2024/25"  # the newest year with money, by default
    assert report.years == ["2024/25", "2023/24"]
    assert as_table(report) == TABLE


def test_another_year_is_chosen_by_its_slug_and_an_unknown_one_shows_the_newest(ctx):
    world = places()

    older = service.funding_by_place(world.officer, "2023-24")

    assert older.year == "2023/24"
    assert older.total.money == Money(700_00, 0)
    assert service.funding_by_place(world.officer, "2031-32").year == "2024/25"
    assert service.funding_by_place(world.officer, "nonsense").year == "2024/25"


def test_the_grants_add_up_to_the_funding_dashboards_schemes_committed_money(ctx):
    world = places()
    # Another scheme's award, for no ward, counts too.
    offer(RoundFactory(closed=True), {world.core: 123_45})

    report = service.funding_by_place(world.officer, "2024-25")

    [group] = funding.dashboard(world.officer, "2024/25").groups
    dashboard_grants = sum(row.total.committed_pence for row in group.schemes)
    assert report.total.money.grants_pence == dashboard_grants == 1_623_46


def test_the_contracts_add_up_to_the_programme_tapers_committed_money(ctx):
    world = places()
    other = ContractFactory(locality=None)  # in another programme
    commit_year(world.officer, plan(other, "2024/25", 250_00, 0,
                                    {FundingSource.CORE: world.core}))

    report = service.funding_by_place(world.officer, "2024-25")

    committed = 0
    for programme in (world.programme, other.programme):
        taper = tapers.programme_taper(world.officer, programme.id)
        committed += next(row.total.committed_pence for row in taper.rows
                          if row.financial_year == "2024/25")
    assert report.total.money.contracts_pence == committed == 16_250_00


def test_with_no_pots_there_is_no_year(ctx):
    officer = UserFactory(roles=(Role.GRANTS_OFFICER,))

    report = service.funding_by_place(officer)

    assert report.year is None
    assert report.total.money == Money()


# The page and its downloads -------------------------------------------------------------------


def table(page) -> list[tuple]:
    return [tuple(cell.get_text(" ", strip=True) for cell in row.select("th, td"))
            for row in page.select("#places tbody tr")]


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.GRANTS_OFFICER])
def test_the_page_shows_the_table_with_a_year_select(client, role):
    places()
    sign_in_as(client, UserFactory(roles=(role,)))

    response = client.get("/reporting/places")

    assert response.status_code == 200
    page = soup(response)
    assert page.h1.get_text(strip=True) == "Funding by place"
    assert table(page) == TABLE
    assert [cell.get_text(strip=True) for cell in page.select("#places thead th")] == [
        "Ward", "Grants", "Contracts", "Total", "Population", "Per head"]
    selected = page.select_one("#year option[selected]")
    assert (selected["value"], selected.get_text(strip=True)) == ("2024-25", "2024/25")
    assert page.select_one("form:has(#year)")["method"] == "get"


def test_the_page_shows_the_year_asked_for(client):
    world = places()
    sign_in_as(client, world.officer)

    page = soup(client.get("/reporting/places?year=2023-24"))

    assert page.select_one("#places caption").get_text(strip=True) == (
        "Committed money by ward and locality, 2023/24")
    assert ("Dalton", "£700.00", "£0.00", "£700.00", "10,000", "£0.07") in table(page)


def test_the_page_says_when_there_are_no_pots(client):
    sign_in_as(client, UserFactory(roles=(Role.COMMISSIONER,)))

    page = soup(client.get("/reporting/places"))

    assert page.select_one("#no-figures") is not None
    assert page.select_one("#places") is None


def test_the_programmes_page_and_the_funding_dashboard_link_to_it(client):
    world = places()
    sign_in_as(client, world.officer)

    for path in ("/contracts/", "/funding/"):
        link = soup(client.get(path)).find("a", string="Funding by place")
        assert link["href"] == "/reporting/places", path


def test_an_admin_sees_no_link_from_the_funding_dashboard(client):
    sign_in_as(client, UserFactory(roles=(Role.ADMIN,)))
    assert soup(client.get("/funding/")).find("a", string="Funding by place") is None


def test_the_csv_has_every_row_in_pounds(client):
    world = places()
    sign_in_as(client, world.officer)

    response = client.get("/reporting/places.csv?year=2024-25")

    assert response.mimetype == "text/csv"
    assert "funding-by-place-2024-25-" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == service.EXPORT_HEADINGS
    assert rows[1] == ["Batley and Spen", "Batley East", "500.01", "0.00", "500.01", "19000",
                       "0.03"]
    assert rows[-3] == ["Kirklees Rural", "Kirklees Rural total", "0.00", "6000.00",
                        "6000.00", "18000", "0.33"]
    assert rows[-1] == ["", "Total", "1500.01", "16000.00", "17500.01", "", ""]


def test_the_workbook_has_the_same_rows(client):
    world = places()
    sign_in_as(client, world.officer)

    response = client.get("/reporting/places.xlsx")

    sheet = load_workbook(io.BytesIO(response.data))["Funding by place"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(service.EXPORT_HEADINGS)
    assert rows[-1][:2] == (None, "Total")
    assert [Decimal(str(value)) for value in rows[-1][2:5]] == [
        Decimal("1500.01"), Decimal("16000"), Decimal("17500.01")]


def test_the_page_runs_as_many_queries_for_many_awards_and_contracts_as_for_a_few(client):
    world = places()
    sign_in_as(client, world.officer)

    def queries() -> int:
        with count_queries() as statements:
            assert client.get("/reporting/places").status_code == 200
        return len(statements)

    few = queries()
    round_ = RoundFactory(closed=True)
    wards = list(world.wards.values())
    for number in range(15):
        offer(round_, {world.core: 100_00 + number}, wards=wards[:number % 5 + 1])
        contract = ContractFactory(programme=world.programme, wards=wards[number % 5:])
        commit_year(world.officer, plan(contract, "2024/25", 50_00, 0,
                                        {FundingSource.CORE: world.core}))
    assert queries() == few
    assert few <= 12
