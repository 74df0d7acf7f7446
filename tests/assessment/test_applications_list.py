"""The grants officers' list of applications: filters, search, sorting, pages and totals."""

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from models.enums import ApplicationStatus
from tests.assessment.conftest import submitted, wards
from tests.factories import (
    ApplicationFactory,
    OrganisationFactory,
    RoundFactory,
    SchemeFactory,
    ThemeFactory,
)
from tests.html import error_messages, soup


def on(day: int) -> datetime:
    return datetime(2024, 5, day, 10, 0, tzinfo=UTC)


@pytest.fixture
def sample(ctx):
    """Four applications sent in (one withdrawn) and a draft, differing in every filter."""
    scheme = SchemeFactory()
    isolation = ThemeFactory(scheme=scheme, name="Reducing social isolation")
    work = ThemeFactory(scheme=scheme, name="Helping people into work")
    spring = RoundFactory(scheme=scheme, name="Spring round")
    autumn = RoundFactory(scheme=scheme, name="Autumn round")
    almondbury, batley, colne = wards("Almondbury", "Batley East", "Colne Valley")
    lunch = OrganisationFactory(name="Almondbury Lunch Club")
    food = OrganisationFactory(name="Batley Food Bank")
    walkers = OrganisationFactory(name="Colne Valley Walkers")
    submitted(reference="CPG-2425-0001", organisation=lunch, round=spring,
              title="Friday lunches for older people", amount_requested_pence=1_000_00,
              wards=[almondbury], themes=[isolation], submitted_at=on(1))
    submitted(reference="CPG-2425-0002", organisation=food, round=spring,
              title="Pantry for families", amount_requested_pence=2_000_00,
              wards=[batley], themes=[work], submitted_at=on(3))
    submitted(reference="CPG-2425-0003", organisation=walkers, round=autumn,
              title="Walking group for new parents", amount_requested_pence=4_000_00,
              wards=[colne, almondbury], themes=[isolation, work], submitted_at=on(2),
              status=ApplicationStatus.WITHDRAWN, withdrawn_at=on(5))
    submitted(reference="CPG-2425-0004", organisation=food, round=autumn,
              title="Cookery school", amount_requested_pence=5_000_01,
              wards=[batley], themes=[], submitted_at=on(4))
    ApplicationFactory(organisation=lunch, round=spring, title="Secret draft",
                       amount_requested_pence=999_00, wards=[almondbury])
    return {"spring": spring.id, "autumn": autumn.id, "almondbury": almondbury.id,
            "batley": batley.id, "isolation": isolation.id, "work": work.id}


def references(response) -> list[str]:
    """The references in the table, top to bottom, as numbers: CPG-2425-0003 -> 3."""
    assert response.status_code == 200
    links = soup(response).select(".govuk-table__body tr td:first-child a")
    return [int(link.text.rsplit("-", 1)[1]) for link in links]


def summary(response) -> str:
    return soup(response).find(id="summary").get_text(" ", strip=True)


def test_list_shows_applications_sent_in_but_no_drafts(client, officer, sample):
    """Newest first by default; the draft is the organisation's own until it is sent."""
    response = client.get("/assessment/applications")
    assert references(response) == [4, 2, 3, 1]
    assert "Secret draft" not in response.get_data(as_text=True)
    first = [cell.get_text(" ", strip=True)
             for cell in soup(response).select(".govuk-table__body tr")[0].select("td")]
    assert first == ["CPG-2425-0004", "Batley Food Bank", "Cookery school", "Autumn round",
                     "£5,000.01", "4 May 2024", "Submitted"]
    link = soup(response).select_one(".govuk-table__body a")
    assert link["href"].startswith("/assessment/applications/")
    assert summary(response) == "4 applications, £12,000.01 requested"


@pytest.mark.parametrize(("query", "expected"), [
    (lambda s: {"round": s["spring"]}, [2, 1]),
    (lambda s: {"status": "withdrawn"}, [3]),
    (lambda s: {"status": "submitted"}, [4, 2, 1]),
    (lambda s: {"ward": s["almondbury"]}, [3, 1]),
    (lambda s: {"theme": s["isolation"]}, [3, 1]),
    (lambda s: {"amount": "up-to-1000"}, [1]),
    (lambda s: {"amount": "1000-2500"}, [2]),
    (lambda s: {"amount": "2500-5000"}, [3]),
    (lambda s: {"amount": "over-5000"}, [4]),
    (lambda s: {"organisation": "FOOD bank"}, [4, 2]),
    (lambda s: {"q": "cpg-2425-0003"}, [3]),
    (lambda s: {"q": "batley"}, [4, 2]),
    (lambda s: {"q": "WALKING group"}, [3]),
    (lambda s: {"q": "%"}, []),
], ids=["round", "status-withdrawn", "status-submitted", "ward", "theme", "up-to-1000",
        "1000-2500", "2500-5000", "over-5000", "organisation", "search-reference",
        "search-organisation", "search-title", "search-percent-is-literal"])
def test_each_filter_alone(client, officer, sample, query, expected):
    """An amount on a band's upper limit belongs to that band (£1,000 is "up to £1,000")."""
    assert references(client.get("/assessment/applications", query_string=query(sample))) \
        == expected


@pytest.mark.parametrize(("query", "expected"), [
    (lambda s: {"round": s["autumn"], "ward": s["batley"]}, [4]),
    (lambda s: {"theme": s["work"], "status": "submitted", "amount": "1000-2500"}, [2]),
    (lambda s: {"q": "food", "organisation": "bank", "sort": "amount", "order": "asc"}, [2, 4]),
    (lambda s: {"round": s["spring"], "theme": s["isolation"], "ward": s["batley"]}, []),
], ids=["round-and-ward", "theme-status-amount", "search-organisation-sorted", "none-match"])
def test_filters_combined(client, officer, sample, query, expected):
    response = client.get("/assessment/applications", query_string=query(sample))
    assert references(response) == expected
    if not expected:
        assert "No applications match these filters." in response.get_data(as_text=True)
        assert summary(response) == "0 applications, £0.00 requested"


@pytest.mark.parametrize(("sort", "ascending", "descending"), [
    ("submitted", [1, 3, 2, 4], [4, 2, 3, 1]),
    ("amount", [1, 2, 3, 4], [4, 3, 2, 1]),
    ("reference", [1, 2, 3, 4], [4, 3, 2, 1]),
    # The food bank's two applications tie: the older first going up, the newer going down.
    ("organisation", [1, 2, 4, 3], [3, 4, 2, 1]),
])
def test_sort_both_ways(client, officer, sample, sort, ascending, descending):
    def listed(order: str) -> list[int]:
        return references(client.get("/assessment/applications",
                                     query_string={"sort": sort, "order": order}))

    assert listed("asc") == ascending
    assert listed("desc") == descending


def test_filter_values_are_kept_in_the_form(client, officer, sample):
    response = client.get("/assessment/applications", query_string={
        "round": sample["spring"], "q": "food", "organisation": "bank", "amount": "1000-2500",
        "sort": "amount", "order": "asc"})
    page = soup(response)
    assert page.find(id="q")["value"] == "food"
    assert page.find(id="organisation")["value"] == "bank"
    selected = {select["id"]: select.find("option", selected=True)["value"]
                for select in page.select("select")}
    assert selected == {"round": str(sample["spring"]), "status": "", "ward": "", "theme": "",
                        "amount": "1000-2500", "sort": "amount", "order": "asc"}


def test_pages_of_25_keep_the_filters_and_the_totals_cover_every_page(client, officer):
    round_ = RoundFactory()
    for day in range(1, 28):
        submitted(round=round_, submitted_at=on(day), amount_requested_pence=1_500_00)
    submitted(amount_requested_pence=9_000_00)  # another round: filtered out
    query = {"round": round_.id, "sort": "submitted", "order": "asc"}
    first = client.get("/assessment/applications", query_string=query)
    assert len(soup(first).select(".govuk-table__body tr")) == 25
    assert summary(first) == "27 applications, £40,500.00 requested"
    next_link = soup(first).select_one(".govuk-pagination__next a")["href"]
    assert parse_qs(urlsplit(next_link).query) == {
        "round": [str(round_.id)], "sort": ["submitted"], "order": ["asc"], "page": ["2"]}
    second = client.get(next_link)
    rows = soup(second).select(".govuk-table__body tr")
    assert len(rows) == 2
    assert rows[-1].select("td")[5].text == "27 May 2024"
    assert summary(second) == "27 applications, £40,500.00 requested"
    for link in soup(second).select(".govuk-link[download]"):  # exports keep filters, not page
        assert parse_qs(urlsplit(link["href"]).query) == {
            "round": [str(round_.id)], "sort": ["submitted"], "order": ["asc"]}


def test_nonsense_values_are_ignored_and_explained(client, officer, sample):
    """Hand-made URLs never break the page: each bad value is left out of the filtering and
    the officer is told which one, next to its field."""
    response = client.get("/assessment/applications", query_string={
        "round": "abc", "ward": "987654", "theme": "-1", "status": "draft", "amount": "lots",
        "sort": "id; DROP TABLE applications", "order": "sideways", "q": "x" * 201,
        "organisation": "food", "page": "-3"})
    assert references(response) == [4, 2]  # only the valid organisation filter applies
    assert error_messages(response) == {
        "q": "Search must be 200 characters or fewer",
        "round": "Select a round from the list",
        "status": "Select a status from the list",
        "ward": "Select a ward from the list",
        "theme": "Select a theme from the list",
        "amount": "Select an amount from the list",
        "sort": "Select what to sort by from the list",
        "order": "Select an order from the list",
    }


def test_a_page_beyond_the_last_is_empty_not_an_error(client, officer, sample):
    response = client.get("/assessment/applications?page=99999999999")
    assert references(response) == []
    assert summary(response) == "4 applications, £12,000.01 requested"
