"""The public register of grants awarded: what it lists, its search and filters, its totals
and pages, and what it does with nonsense in the query string."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from models import LedgerEntry
from models.base import db
from models.enums import AwardStatus, LedgerKind, Role
from portal.funding import ledger
from portal.opendata import register
from tests.conftest import sign_in_as
from tests.factories import (
    OrganisationFactory,
    RoundFactory,
    SchemeFactory,
    ThemeFactory,
    UserFactory,
)
from tests.html import error_messages, soup
from tests.opendata.conftest import grant, wards, withhold


def on(month: int, day: int) -> datetime:
    return datetime(2024, month, day, 10, 0, tzinfo=UTC)


@pytest.fixture
def sample(ctx):
    """Four published grants differing in every filter, and five awards that are not public:
    offered, declined, withdrawn, expired and withheld."""
    plus = SchemeFactory(name="Community Plus Grants")
    small = SchemeFactory(name="Small Sparks")
    isolation = ThemeFactory(scheme=plus, name="Reducing social isolation")
    work = ThemeFactory(scheme=plus, name="Helping people into work")
    this_year = RoundFactory(scheme=plus, financial_year="2024/25")
    last_year = RoundFactory(scheme=plus, financial_year="2023/24")
    sparks = RoundFactory(scheme=small, financial_year="2024/25")
    almondbury, batley, colne = wards("Almondbury", "Batley East", "Colne Valley")
    lunch = OrganisationFactory(name="Almondbury Lunch Club")
    food = OrganisationFactory(name="Batley Food Bank")
    walkers = OrganisationFactory(name="Colne Valley Walkers")
    grant(organisation=lunch, round=this_year, title="Friday lunches for older people",
          amount_pence=1_000_00, wards=[almondbury], themes=[isolation], offered_at=on(7, 25))
    grant(organisation=food, round=last_year, title="Pantry for families",
          amount_pence=2_500_50, wards=[batley], themes=[work], offered_at=on(1, 10),
          status=AwardStatus.CLOSED)
    grant(organisation=walkers, round=this_year, title="Walking group for new parents",
          amount_pence=4_000_01, wards=[colne, almondbury], themes=[isolation, work],
          offered_at=on(8, 2))
    grant(organisation=food, round=sparks, title="Cookery school", amount_pence=750_00,
          wards=[batley], offered_at=on(9, 1))
    for status, title in [(AwardStatus.OFFERED, "Offered only"),
                          (AwardStatus.DECLINED, "Declined offer"),
                          (AwardStatus.WITHDRAWN, "Withdrawn offer"),
                          (AwardStatus.EXPIRED, "Expired offer")]:
        grant(organisation=lunch, round=this_year, title=title, status=status,
              wards=[almondbury], themes=[isolation])
    withhold(grant(organisation=OrganisationFactory(name="Safe House Group"), round=this_year,
                   title="Refuge support", wards=[almondbury], themes=[isolation]))
    return {"plus": plus.id, "small": small.id, "isolation": isolation.id, "work": work.id,
            "almondbury": almondbury.id, "batley": batley.id}


def projects(response) -> list[str]:
    """The projects in the table, top to bottom."""
    assert response.status_code == 200
    return [cell.get_text(strip=True)
            for cell in soup(response).select(".govuk-table__body tr td:nth-child(2)")]


def summary(response) -> str:
    return soup(response).find(id="summary").get_text(" ", strip=True)


def test_register_lists_published_grants_newest_first(client, sample):
    response = client.get("/grants-awarded")
    assert soup(response).h1.text == "Grants awarded"
    assert projects(response) == ["Cookery school", "Walking group for new parents",
                                  "Friday lunches for older people", "Pantry for families"]
    rows = [[cell.get_text(strip=True) for cell in row.select("td")]
            for row in soup(response).select(".govuk-table__body tr")]
    assert rows[1] == ["Colne Valley Walkers", "Walking group for new parents",
                       "Community Plus Grants", "2024/25", "Almondbury, Colne Valley",
                       "Helping people into work, Reducing social isolation", "£4,000.01",
                       "2 August 2024"]
    assert summary(response) == "4 grants totalling £8,250.51"
    amount = soup(response).select(".govuk-table__body tr")[0].select("td")[6]
    assert "govuk-table__cell--numeric" in amount["class"]


def test_awards_not_accepted_and_withheld_grants_never_appear(client, sample):
    page = client.get("/grants-awarded").get_data(as_text=True)
    for hidden in ("Offered only", "Declined offer", "Withdrawn offer", "Expired offer",
                   "Refuge support", "Safe House Group"):
        assert hidden not in page
    # Not even when searched or filtered for.
    assert projects(client.get("/grants-awarded?q=refuge")) == []
    almondbury = client.get(f"/grants-awarded?ward={sample['almondbury']}")
    assert summary(almondbury) == "2 grants totalling £5,000.01"


def test_the_date_awarded_is_the_decisions_as_the_open_data_has_it(client, ctx):
    award = grant(title="Decided in July")
    award.decision.decided_on = date(2024, 7, 25)
    db.session.commit()
    cells = soup(client.get("/grants-awarded")).select(".govuk-table__body tr td")
    assert cells[-1].get_text(strip=True) == "25 July 2024"


def test_amounts_are_the_ledgers_as_the_open_data_has_them(client, ctx):
    """A closed grant whose unpaid money went back to its pot shows what it was paid."""
    award = grant(title="Closed with money unspent", amount_pence=1_000_00,
                  status=AwardStatus.CLOSED)
    [entry] = db.session.scalars(select(LedgerEntry).where(
        LedgerEntry.award_id == award.id)).all()
    ledger.post(UserFactory(roles=(Role.GRANTS_OFFICER,)),
                [ledger.Posting(entry.pot_id, LedgerKind.RELEASE, 250_00)], "Unspent",
                award_id=award.id)
    db.session.commit()
    response = client.get("/grants-awarded")
    assert summary(response) == "1 grant totalling £750.00"
    cells = soup(response).select(".govuk-table__body tr td")
    assert cells[-2].get_text(strip=True) == "£750.00"


@pytest.mark.parametrize(("query", "expected"), [
    ("q=batley", ["Cookery school", "Pantry for families"]),  # the organisation's name
    ("q=LUNCHES", ["Friday lunches for older people"]),  # the title, whatever the case
    ("q=%25", []),  # % typed is a percent sign, not a wildcard
    ("scheme={small}", ["Cookery school"]),
    ("year=2023-24", ["Pantry for families"]),
    ("ward={batley}", ["Cookery school", "Pantry for families"]),
    ("theme={work}", ["Walking group for new parents", "Pantry for families"]),
    ("scheme={plus}&year=2024-25&ward={almondbury}&theme={isolation}",
     ["Walking group for new parents", "Friday lunches for older people"]),
    ("q=walk&theme={work}&year=2024-25", ["Walking group for new parents"]),
    ("q=food&scheme={plus}", ["Pantry for families"]),
])
def test_search_and_filters(client, sample, query, expected):
    response = client.get("/grants-awarded?" + query.format(**sample))
    assert projects(response) == expected
    assert error_messages(response) == {}


def test_totals_are_of_the_filtered_grants_to_the_penny(client, sample):
    response = client.get(f"/grants-awarded?theme={sample['isolation']}")
    assert summary(response) == "2 grants totalling £5,000.01"
    one = client.get("/grants-awarded?year=2023-24")
    assert summary(one) == "1 grant totalling £2,500.50"
    none = client.get("/grants-awarded?q=nothing+like+this")
    assert summary(none) == "0 grants totalling £0.00"
    assert "No grants match these filters." in none.get_data(as_text=True)


def test_filters_offer_schemes_years_wards_and_themes(client, sample):
    page = soup(client.get("/grants-awarded"))

    def options(name: str) -> list[str]:
        return [option.text for option in page.select(f"select[name={name}] option")]

    assert options("scheme") == ["Any scheme", "Community Plus Grants", "Small Sparks"]
    assert options("year") == ["Any year", "2024/25", "2023/24"]
    assert options("ward") == ["Any ward", "Almondbury", "Batley East", "Colne Valley"]
    assert options("theme") == ["Any theme", "Helping people into work",
                                "Reducing social isolation"]
    assert page.find("a", string="Clear filters")["href"] == "/grants-awarded"
    assert page.find("a", string="Download all published grants as open data")["href"] == (
        "/open-data")


def test_chosen_filters_and_search_are_kept(client, sample):
    page = soup(client.get(f"/grants-awarded?q=Walk&ward={sample['almondbury']}&year=2024-25"))
    assert page.select_one("input[name=q]")["value"] == "Walk"
    assert page.select_one("select[name=ward] option[selected]").text == "Almondbury"
    assert page.select_one("select[name=year] option[selected]").text == "2024/25"


@pytest.mark.parametrize(("query", "field", "message"), [
    ("scheme=987654", "scheme", "Select a scheme from the list"),
    ("scheme=abc", "scheme", "Select a scheme from the list"),
    ("year=banana", "year", "Select a financial year from the list"),
    ("year=2019-20", "year", "Select a financial year from the list"),
    ("ward=abc", "ward", "Select a ward from the list"),
    ("ward=" + "9" * 30, "ward", "Select a ward from the list"),
    ("theme=-1", "theme", "Select a theme from the list"),
    ("q=" + "x" * 201, "q", "Search must be 200 characters or fewer"),
])
def test_nonsense_is_explained_beside_its_field_and_ignored(client, sample, query, field,
                                                           message):
    response = client.get(f"/grants-awarded?{query}&page=-1")
    assert response.status_code == 200
    assert error_messages(response) == {field: message}
    assert soup(response).select_one(".govuk-error-summary")
    # The other filters still apply; the one in error does not.
    assert summary(response) == "4 grants totalling £8,250.51"


def test_what_was_typed_is_kept_beside_its_error(client, sample):
    typed = "y" * 201
    page = soup(client.get(f"/grants-awarded?q={typed}&scheme={sample['small']}"))
    assert page.select_one("input[name=q]")["value"] == typed
    assert page.find(id="summary").get_text(" ", strip=True) == "1 grant totalling £750.00"


@pytest.mark.parametrize("page", ["-1", "0", "abc", "9" * 30, "1.5"])
def test_odd_page_numbers_are_not_errors(client, sample, page):
    response = client.get(f"/grants-awarded?page={page}")
    assert response.status_code == 200
    assert projects(response) in ([], ["Cookery school", "Walking group for new parents",
                                       "Friday lunches for older people",
                                       "Pantry for families"])


def test_pages_of_fifty_keep_the_filters(client, ctx, monkeypatch):
    monkeypatch.setattr(register, "PER_PAGE", 2)
    scheme = SchemeFactory(name="Paged scheme")
    round_ = RoundFactory(scheme=scheme)
    for day in range(1, 6):
        grant(round=round_, title=f"Paged {day}", offered_at=on(5, day))
    grant(title="Other scheme", offered_at=on(6, 1))
    query = f"/grants-awarded?scheme={scheme.id}"
    first = client.get(query)
    assert projects(first) == ["Paged 5", "Paged 4"]
    assert summary(first) == "5 grants totalling £5,000.00"
    links = soup(first).select(".govuk-pagination a")
    assert {link["href"] for link in links} >= {f"{query}&page=2", f"{query}&page=3"}
    assert projects(client.get(f"{query}&page=3")) == ["Paged 1"]
    beyond = client.get(f"{query}&page=9")
    assert projects(beyond) == []
    assert "There is no page 9: these grants fill 3 pages." in beyond.get_data(as_text=True)


def test_fifty_a_page(client, ctx):
    assert register.PER_PAGE == 50
    for number in range(51):
        grant(title=f"Grant {number}")
    response = client.get("/grants-awarded")
    assert len(projects(response)) == 50
    assert summary(response) == "51 grants totalling £51,000.00"
    assert len(projects(client.get("/grants-awarded?page=2"))) == 1


@pytest.mark.parametrize("role", [None, *Role])
def test_anyone_may_read_the_register(client, sample, role):
    if role is not None:
        sign_in_as(client, UserFactory(roles=(role,)))
    assert len(projects(client.get("/grants-awarded"))) == 4


def test_footer_links_to_the_register_and_the_open_data(client):
    footer = soup(client.get("/")).select_one("footer")
    assert footer.select_one("a[href='/grants-awarded']").text == "Grants awarded"
    assert footer.select_one("a[href='/open-data']").text == "Open data"
