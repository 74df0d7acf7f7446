"""The officers' list at scale (issue 15, item 3): numbered pages, then keyset pages (Previous and
Next carry a cursor) that hold the same rows in the same order as the whole sorted list, with
ties and nulls; hand-made page numbers and cursors never break the page; search through each
column; only the columns the list shows are read."""

import base64
import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from models import Application
from models.base import db
from models.enums import ApplicationStatus, Role
from portal.assessment import services
from tests.assessment.conftest import submitted
from tests.factories import ApplicationFactory, OrganisationFactory, RoundFactory, UserFactory
from tests.html import soup
from tests.querycount import count_queries


def on(day: int) -> datetime:
    return datetime(2024, 5, day, 10, 0, tzinfo=UTC)


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of 2 rows, numbered up to page 2: keyset paging from page 3 on."""
    monkeypatch.setattr(services, "PER_PAGE", 2)
    monkeypatch.setattr(services, "NUMBERED_PAGES", 2)


def sort_value(application: Application, sort: str):
    return {"submitted": application.submitted_at,
            "amount": application.amount_requested_pence,
            "reference": application.reference,
            "organisation": application.organisation.name.lower()}[sort]


def sorted_ids(applications: list[Application], sort: str, order: str) -> list[int]:
    """The list's order worked out in Python: by the sort value, nulls last either way, ties
    broken by the id in the same direction."""
    def key(application):
        value = sort_value(application, sort)
        return value is not None, value, application.id

    with_values = sorted((a for a in applications if sort_value(a, sort) is not None),
                         key=key, reverse=order == "desc")
    nulls = sorted((a for a in applications if sort_value(a, sort) is None),
                   key=lambda a: a.id, reverse=order == "desc")
    return [a.id for a in with_values + nulls]


def walk(officer, filters: services.ApplicationFilters) -> tuple[list[list[int]], list[int]]:
    """Every page's ids, following Next from page 1 to the end and then Previous back to the
    start; checks that both ways give the same pages, numbered 1, 2, 3..."""
    listing = services.applications_page(officer, filters)
    forward, numbers = [], []
    while True:
        forward.append([row.id for row in listing.rows])
        numbers.append(listing.page)
        if listing.next is None:
            break
        listing = services.applications_page(officer, filters, **listing.next)
    backward = [[row.id for row in listing.rows]]
    while listing.previous is not None:
        listing = services.applications_page(officer, filters, **listing.previous)
        backward.append([row.id for row in listing.rows])
    assert backward[::-1] == forward
    assert numbers == list(range(1, len(forward) + 1))
    return forward, numbers


@pytest.fixture
def officer_person(ctx):
    return UserFactory(roles=(Role.GRANTS_OFFICER,))


@pytest.fixture
def ties_and_nulls(ctx):
    """Nine applications sent in whose sort values tie and are missing, and a draft."""
    round_ = RoundFactory()
    organisations = [OrganisationFactory(name=name) for name in ("birch", "Alder", "BIRCH")]
    made = []
    for n, (day, amount, reference) in enumerate([
            (1, 500_00, "R-0005"), (1, 500_00, "R-0003"), (None, 700_00, None),
            (2, None, "R-0001"), (2, 500_00, "R-0009"), (None, None, None),
            (3, 100_00, "R-0002"), (1, None, "R-0004"), (3, 700_00, "R-0008")]):
        made.append(submitted(round=round_, organisation=organisations[n % 3],
                              submitted_at=day and on(day), amount_requested_pence=amount,
                              reference=reference))
    ApplicationFactory(round=round_, organisation=organisations[0])
    return made


@pytest.mark.parametrize("order", ["asc", "desc"])
@pytest.mark.parametrize("sort", ["submitted", "amount", "reference", "organisation"])
def test_numbered_then_keyset_pages_hold_the_whole_list_in_order(
        officer_person, ties_and_nulls, small_pages, sort, order):
    """Pages 1 and 2 by number, 3 to 5 by cursor: together the list sorted in full, ties and
    nulls included, every row once; Previous walks back through the same pages."""
    filters = services.ApplicationFilters(sort=sort, order=order)
    pages, _ = walk(officer_person, filters)
    assert [id_ for page in pages for id_ in page] == sorted_ids(ties_and_nulls, sort, order)
    assert [len(page) for page in pages] == [2, 2, 2, 2, 1]


# Up to 12 applications' sort values, from few distinct ones, so that ties and nulls are common:
# (day submitted, amount requested, organisation, has a reference).
APPLICATIONS = st.lists(st.tuples(st.none() | st.integers(1, 3),
                                  st.none() | st.sampled_from([100_00, 250_00, 1_000_00]),
                                  st.integers(0, 3), st.booleans()), max_size=12)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=APPLICATIONS, sort=st.sampled_from(list(services.SORTS)),
       order=st.sampled_from(["asc", "desc"]), per_page=st.integers(1, 4),
       numbered=st.integers(1, 3), count_limit=st.integers(1, 13))
def test_keyset_pages_match_the_sorted_list(officer_person, monkeypatch, rows, sort, order,
                                            per_page, numbered, count_limit):
    """Whatever the values, page sizes, numbered pages and counting limit, walking the pages
    gives the list sorted in Python, and Previous gives the same pages back."""
    monkeypatch.setattr(services, "PER_PAGE", per_page)
    monkeypatch.setattr(services, "NUMBERED_PAGES", numbered)
    monkeypatch.setattr(services, "COUNT_LIMIT", count_limit)
    round_ = RoundFactory()
    organisations = [OrganisationFactory(name=name) for name in ("oak", "Ash", "OAK", "elm")]
    made = [submitted(round=round_, organisation=organisations[organisation],
                      submitted_at=day and on(day), amount_requested_pence=amount,
                      reference=None if not has_reference else f"H-{n:04d}")
            for n, (day, amount, organisation, has_reference) in enumerate(rows)]
    try:
        filters = services.ApplicationFilters(round=round_.id, sort=sort, order=order)
        pages, _ = walk(officer_person, filters)
        assert [id_ for page in pages for id_ in page] == sorted_ids(made, sort, order)
        assert all(len(page) == per_page for page in pages[:-1])
    finally:
        db.session.execute(delete(Application).where(Application.round_id == round_.id))
        db.session.commit()


def test_links_number_the_first_pages_and_carry_a_cursor_beyond(client, officer, small_pages):
    """Next from page 2 names the last row shown; Previous from page 3 is page 2 by number,
    and from page 4 names page 4's first row. The filters travel with every link."""
    round_ = RoundFactory()
    for day in range(1, 10):
        submitted(round=round_, submitted_at=on(day))

    def follow(response, which: str):
        href = soup(response).select_one(f".govuk-pagination__{which} a")["href"]
        return href, parse_qs(urlsplit(href).query)

    page = client.get("/assessment/applications", query_string={"round": round_.id, "page": 2})
    href, args = follow(page, "next")
    assert set(args) == {"round", "after"} and args["round"] == [str(round_.id)]
    third = client.get(href)
    assert "page 3 of 5" in soup(third).find("caption").text
    assert follow(third, "prev")[1] == {"round": [str(round_.id)], "page": ["2"]}
    fourth = client.get(follow(third, "next")[0])
    href, args = follow(fourth, "prev")
    assert set(args) == {"round", "before"}
    assert soup(client.get(href)).find("caption").text == soup(third).find("caption").text
    numbers = [item.get_text(strip=True) for item in soup(fourth).select(
        ".govuk-pagination__item")]
    assert numbers == ["1", "2", "⋯", "4"]


def cursor(*parts) -> str:
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")


@pytest.mark.parametrize("arguments", [
    {"after": "!!!not base64"},
    {"after": "e30"},  # {}
    {"before": cursor("submitted", False, 3)},
    {"after": cursor("amount", False, 3, 100, 1)},  # made for another sort
    {"after": cursor("submitted", False, 3, "yesterday", 1)},
    {"after": cursor("submitted", False, 3, "2024-05-01T10:00:00", 1)},  # no time zone
    {"after": cursor("submitted", False, 3, 12, 1)},
    {"after": cursor("submitted", False, 3, None, 2**70)},
    {"after": cursor("submitted", False, True, None, 1)},
    {"after": cursor("submitted", False, -4, None, 1)},
    {"after": cursor("submitted", False, 3, None, "1")},
    {"after": "A" * 5000},
    {"sort": "amount", "after": cursor("amount", False, 3, 2**64, 1)},
    {"sort": "amount", "after": cursor("amount", False, 3, "100", 1)},
    {"sort": "reference", "after": cursor("reference", False, 3, "R" * 500, 1)},
    {"sort": "organisation", "after": cursor("organisation", False, 3, ["a"], 1)},
    {"page": "99999999999999999999999"},
    {"page": "3"},
    {"page": "1e9"},
])
def test_hand_made_pages_and_cursors_never_break_the_list(client, officer, small_pages,
                                                         arguments):
    """A cursor that is not one the list made starts the list again; a page beyond the
    numbered ones, or beyond the last, is empty and says why."""
    for day in range(1, 10):
        submitted(submitted_at=on(day))
    response = client.get("/assessment/applications", query_string=arguments)
    assert response.status_code == 200
    rows = soup(response).select(".govuk-table__body tr")
    assert len(rows) in {0, 2}
    if not rows:
        text = response.get_data(as_text=True)
        assert "Pages after 2 are reached with Next" in text or "There is no page" in text


def test_a_cursor_from_another_page_still_gives_a_page(client, officer, small_pages):
    """A cursor kept from before the rows changed (its row now gone) reads on from where the
    row was."""
    made = [submitted(submitted_at=on(day)) for day in range(1, 10)]
    token = cursor("submitted", False, 3, on(5).isoformat(), made[4].id)
    db.session.execute(delete(Application).where(Application.id == made[4].id))
    db.session.commit()
    response = client.get("/assessment/applications", query_string={"after": token})
    links = soup(response).select(".govuk-table__body tr td:first-child a")
    assert [link.text for link in links] == [made[3].reference, made[2].reference]


BIRCH = ["R-0009", "R-0008", "R-0006", "R-0005", "R-0003", "R-0002"]


@pytest.mark.parametrize(("search", "expected"), [
    ("r-0003", ["R-0003"]),                          # reference
    ("ALDER", ["R-0007", "R-0004", "R-0001"]),       # organisation name, whatever the case
    ("birch", BIRCH),                                # two organisations
    ("title 9", ["R-0009"]),                         # title
    ("title 7", ["R-0007", "R-0004", "R-0001"]),     # title and organisation: each once
    ("bi", BIRCH),                                   # shorter than a trigram
    ("_", []), ("%", []), ("0_0", []),               # typed wildcards match only themselves
])
def test_search_by_reference_organisation_and_title(client, officer, search, expected):
    """Newest first, each application once, on both databases."""
    organisations = [OrganisationFactory(name=name)
                     for name in ("Birch Tenants", "Alder Title 7 Trust", "BIRCH Youth")]
    for n in range(1, 10):
        submitted(reference=f"R-{n:04d}", title=f"Title {n}", submitted_at=on(n),
                  organisation=organisations[n % 3])
    response = client.get("/assessment/applications", query_string={"q": search})
    links = soup(response).select(".govuk-table__body tr td:first-child a")
    assert [link.text for link in links] == expected


def test_the_list_reads_only_the_columns_it_shows(client, officer):
    """No long text, JSON or other columns of the applications or organisations are read."""
    submitted(description="A long description", organisation_snapshot={"name": "x"})
    with count_queries() as executed:
        assert client.get("/assessment/applications?sort=organisation").status_code == 200
    listed = [s for s in executed if "FROM applications" in s]
    assert len(listed) == 2  # the count and total, and the page
    for statement in listed:
        for column in ("description", "sections", "organisation_snapshot", "legal_name",
                       "contact_email"):
            assert column not in statement


def test_beyond_the_counting_limit_the_list_says_more_than(client, officer, small_pages,
                                                          monkeypatch):
    """Counting stops after COUNT_LIMIT rows: the list says "more than" and leaves out the
    total and the number of pages, and its pages still go on to the end."""
    monkeypatch.setattr(services, "COUNT_LIMIT", 4)
    for day in range(1, 8):
        submitted(submitted_at=on(day))
    response = client.get("/assessment/applications")
    assert soup(response).find(id="summary").get_text(strip=True) == "More than 4 applications"
    assert soup(response).find("caption").text == "Applications, page 1"
    seen = []
    while True:
        seen += [link.text for link in soup(response).select(
            ".govuk-table__body tr td:first-child a")]
        next_link = soup(response).select_one(".govuk-pagination__next a")
        if next_link is None:
            break
        response = client.get(next_link["href"])
    assert len(seen) == len(set(seen)) == 7
    filtered = client.get("/assessment/applications", query_string={"status": "withdrawn"})
    assert soup(filtered).find(id="summary").get_text(" ", strip=True) == \
        "0 applications, £0.00 requested"


def test_the_count_and_total_cover_every_page_and_skip_drafts(officer_person, small_pages):
    for amount in (100_00, 200_00, 300_00):
        submitted(amount_requested_pence=amount, status=ApplicationStatus.WITHDRAWN)
    ApplicationFactory(amount_requested_pence=999_00)
    listing = services.applications_page(officer_person, services.ApplicationFilters(),
                                         page=2)
    assert (listing.count, listing.total_requested_pence, listing.pages) == (3, 600_00, 2)
    assert len(listing.rows) == 1
