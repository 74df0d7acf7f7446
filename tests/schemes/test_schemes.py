"""Grants officers create and change schemes, with their themes, and see every scheme's rounds."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from models import Scheme, Theme
from models.base import db, utcnow
from models.enums import Role, RoundStatus
from tests.conftest import sign_in_as
from tests.factories import RoundFactory, SchemeFactory, ThemeFactory, UserFactory
from tests.html import error_messages, soup, summary_errors
from tests.querycount import count_queries
from tests.schemes.conftest import audit_events


def scheme_answers(**changes) -> dict:
    answers = {"name": "Community Plus Grants", "description": "Small grants for local groups.",
               "reference_prefix": "cpg",
               "themes": "Tackling financial hardship\n\nReducing social isolation\n"
                         "reducing  social isolation\n"}
    return {**answers, **changes}


def scheme_named(name: str) -> Scheme | None:
    db.session.expire_all()
    return db.session.scalar(select(Scheme).where(Scheme.name == name))


def test_officer_creates_a_scheme_and_it_is_audited(client, officer):
    """The prefix is upper-cased; themes are one a line, blank lines and repeats dropped."""
    response = client.post("/schemes/new", data=scheme_answers())
    scheme = scheme_named("Community Plus Grants")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/schemes/{scheme.id}"
    assert scheme.reference_prefix == "CPG"
    assert scheme.description == "Small grants for local groups."
    assert [theme.name for theme in scheme.themes] == [
        "Reducing social isolation", "Tackling financial hardship"]

    [event] = audit_events("scheme.created")
    assert (event.actor_id, event.object_type, event.object_id) == (officer.id, "Scheme",
                                                                     scheme.id)
    assert event.details == {"name": "Community Plus Grants", "reference_prefix": "CPG",
                             "themes": ["Tackling financial hardship",
                                        "Reducing social isolation"]}

    page = soup(client.get(f"/schemes/{scheme.id}"))
    assert page.h1.text == "Community Plus Grants"
    rows = {row.dt.get_text(strip=True): row.dd.get_text(" ", strip=True)
            for row in page.select(".govuk-summary-list__row")}
    assert rows == {"Description": "Small grants for local groups.", "Reference prefix": "CPG",
                    "Themes": "Reducing social isolation Tackling financial hardship"}
    assert "No rounds yet." in page.main.text


@pytest.mark.parametrize(("changes", "expected"), [
    ({"name": " ", "reference_prefix": ""},
     {"name": "Enter the scheme name", "reference_prefix": "Enter the reference prefix"}),
    ({"reference_prefix": "C"},
     {"reference_prefix": "The reference prefix must be 2 to 6 capital letters, like CPG"}),
    ({"reference_prefix": "CPG1"},
     {"reference_prefix": "The reference prefix must be 2 to 6 capital letters, like CPG"}),
    ({"reference_prefix": "GRANTSX"},
     {"reference_prefix": "The reference prefix must be 2 to 6 capital letters, like CPG"}),
    ({"name": "N" * 201}, {"name": "Scheme name must be 200 characters or fewer"}),
    ({"description": "d" * 2001}, {"description": "Description must be 2,000 characters or fewer"}),
    ({"themes": "Fine\n" + "t" * 121}, {"themes": "Each theme must be 120 characters or fewer"}),
])
def test_scheme_form_explains_each_problem_and_keeps_the_answers(client, officer, changes,
                                                                 expected):
    response = client.post("/schemes/new", data=scheme_answers(**changes))
    assert response.status_code == 200
    assert error_messages(response) == expected
    assert summary_errors(response) == list(expected.values())
    page = soup(response)
    typed = scheme_answers(**changes)
    assert page.find("input", {"name": "name"})["value"] == typed["name"].strip()
    assert page.find("textarea", {"name": "description"}).text == typed["description"]
    assert db.session.scalar(select(Scheme)) is None


def test_scheme_name_and_prefix_must_be_unique(client, officer):
    """Another scheme's name (in any capitals) or prefix is refused beside the field."""
    SchemeFactory(name="Community Plus Grants", reference_prefix="CPG")
    same_name = client.post("/schemes/new", data=scheme_answers(name="community plus grants",
                                                                reference_prefix="NEW"))
    assert error_messages(same_name) == {"name": "There is already a scheme with this name"}
    same_prefix = client.post("/schemes/new", data=scheme_answers(name="Another scheme"))
    assert error_messages(same_prefix) == {
        "reference_prefix": "Another scheme already uses this reference prefix"}
    assert len(db.session.scalars(select(Scheme)).all()) == 1
    assert audit_events("scheme.created") == []


def test_editing_a_scheme_shows_its_details_and_saves_changes(client, officer):
    scheme = SchemeFactory(name="Old name", reference_prefix="OLD", description="Old.")
    ThemeFactory(scheme=scheme, name="Health and wellbeing")
    page = soup(client.get(f"/schemes/{scheme.id}/edit"))
    assert page.find("input", {"name": "name"})["value"] == "Old name"
    assert page.find("input", {"name": "reference_prefix"})["value"] == "OLD"
    assert page.find("textarea", {"name": "themes"}).text.strip() == "Health and wellbeing"

    response = client.post(f"/schemes/{scheme.id}/edit", data={
        "name": "New name", "description": "New.", "reference_prefix": "NEW",
        "themes": "Health and wellbeing"})
    assert response.headers["Location"] == f"/schemes/{scheme.id}"
    saved = scheme_named("New name")
    assert (saved.reference_prefix, saved.description) == ("NEW", "New.")
    [event] = audit_events("scheme.updated")
    assert event.details == {"changed": ["name", "description", "reference_prefix"],
                             "themes_added": [], "themes_removed": []}


def test_saving_a_scheme_unchanged_records_nothing(client, officer):
    scheme = SchemeFactory(reference_prefix="CPG")
    ThemeFactory(scheme=scheme, name="Community cohesion")
    response = client.post(f"/schemes/{scheme.id}/edit", data={
        "name": scheme.name, "description": scheme.description,
        "reference_prefix": scheme.reference_prefix, "themes": "Community cohesion"})
    assert response.status_code == 302
    assert audit_events("scheme.updated") == []


def test_themes_still_listed_keep_their_rows_and_a_theme_in_use_stays(client, officer):
    """Rounds point at theme rows: listed themes keep theirs, new ones are added, unlisted ones
    go, but a theme a round uses cannot be removed."""
    scheme = SchemeFactory(reference_prefix="CPG")
    kept, used, unused = (ThemeFactory(scheme=scheme, name=name)
                          for name in ("Health and wellbeing", "Helping people into work",
                                       "Old theme"))
    RoundFactory(scheme=scheme, themes=[used])
    ids = {"kept": kept.id, "used": used.id, "unused": unused.id}

    refused = client.post(f"/schemes/{scheme.id}/edit", data={
        "name": scheme.name, "reference_prefix": scheme.reference_prefix,
        "themes": "Health and wellbeing\nCommunity cohesion"})
    assert refused.status_code == 200
    assert error_messages(refused) == {
        "themes": "You cannot remove the theme ‘Helping people into work’ because a round "
                  "uses it"}
    assert "Community cohesion" in soup(refused).find("textarea", {"name": "themes"}).text
    db.session.expire_all()
    assert len(db.session.scalars(select(Theme)).all()) == 3

    saved = client.post(f"/schemes/{scheme.id}/edit", data={
        "name": scheme.name, "reference_prefix": scheme.reference_prefix,
        "themes": "health and wellbeing\nHelping people into work\nCommunity cohesion"})
    assert saved.status_code == 302
    themes = {theme.name: theme.id for theme in scheme_named(scheme.name).themes}
    assert themes.pop("health and wellbeing") == ids["kept"]  # a change of capitals only
    assert themes.pop("Helping people into work") == ids["used"]
    assert list(themes) == ["Community cohesion"]
    assert db.session.get(Theme, ids["unused"]) is None
    [event] = audit_events("scheme.updated")
    assert event.details == {"changed": ["themes"], "themes_added": ["Community cohesion"],
                             "themes_removed": ["Old theme"]}


def test_reference_prefix_is_fixed_once_a_round_is_published(client, officer):
    """Applications already carry references made with it."""
    scheme = SchemeFactory(reference_prefix="CPG")
    draft = RoundFactory(scheme=scheme, status=RoundStatus.DRAFT)
    answers = {"name": scheme.name, "reference_prefix": "NEW", "themes": ""}
    assert client.post(f"/schemes/{scheme.id}/edit", data=answers).status_code == 302

    RoundFactory(scheme=draft.scheme)  # published
    answers["reference_prefix"] = "CPGX"
    response = client.post(f"/schemes/{scheme.id}/edit", data=answers)
    assert error_messages(response) == {
        "reference_prefix": "You cannot change the reference prefix once a round has been "
                            "published"}
    assert scheme_named(scheme.name).reference_prefix == "NEW"


def test_schemes_list_shows_each_round_with_its_state(client, officer):
    now = utcnow()
    scheme = SchemeFactory(name="Community Plus Grants")
    day = timedelta(days=1)
    for name, status, opens, closes in [
        ("Draft round", RoundStatus.DRAFT, now + day, now + 9 * day),
        ("Upcoming round", RoundStatus.PUBLISHED, now + 2 * day, now + 10 * day),
        ("Open round", RoundStatus.PUBLISHED, now - 3 * day, now + 11 * day),
        ("Closed round", RoundStatus.PUBLISHED, now - 9 * day, now - 4 * day),
        ("Decided round", RoundStatus.DECIDED, now - 20 * day, now - 5 * day),
    ]:
        RoundFactory(scheme=scheme, name=name, status=status, opens_at=opens, closes_at=closes)
    SchemeFactory(name="Another scheme")

    page = soup(client.get("/schemes/"))
    assert [h2.text for h2 in page.select("main h2")] == ["Another scheme",
                                                         "Community Plus Grants"]
    assert "No rounds yet." in page.main.text
    states = {row.select_one("a").text: row.select_one(".govuk-tag").text
              for row in page.select("tbody tr")}
    assert states == {"Upcoming round": "Opening soon", "Draft round": "Draft",
                      "Open round": "Open", "Closed round": "Closed",
                      "Decided round": "Decided"}
    scheme_page = soup(client.get(f"/schemes/{scheme.id}"))
    assert len(scheme_page.select("tbody tr .govuk-tag")) == 5


def test_scheme_pages_query_count_does_not_grow(client, officer):
    """The list and a scheme's page load rounds in one query, however many there are."""
    scheme = SchemeFactory()
    RoundFactory(scheme=scheme)

    def queries(path):
        with count_queries() as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    few = (queries("/schemes/"), queries(f"/schemes/{scheme.id}"))
    for _ in range(5):
        RoundFactory.create_batch(3, scheme=SchemeFactory())
        RoundFactory(scheme=scheme)
    assert (queries("/schemes/"), queries(f"/schemes/{scheme.id}")) == few


def test_admins_who_are_not_grants_officers_cannot_manage_schemes(client):
    """Schemes are the grants team's: an admin gets 403 and changes nothing; an admin who is
    also a grants officer may."""
    scheme = SchemeFactory()
    sign_in_as(client, UserFactory(roles=(Role.ADMIN,)))
    assert client.get("/schemes/").status_code == 403
    assert client.post("/schemes/new", data=scheme_answers()).status_code == 403
    assert client.post(f"/schemes/{scheme.id}/edit",
                       data=scheme_answers(name="Renamed")).status_code == 403
    assert scheme_named("Renamed") is None
    assert scheme_named("Community Plus Grants") is None

    sign_in_as(client, UserFactory(roles=(Role.ADMIN, Role.GRANTS_OFFICER)))
    assert client.get("/schemes/").status_code == 200


def test_unknown_scheme_is_not_found(client, officer):
    assert client.get("/schemes/987654").status_code == 404
    assert client.get("/schemes/987654/edit").status_code == 404
    assert client.get("/schemes/987654/rounds/new").status_code == 404
