"""The public JSON list of rounds open now: only open rounds, with what someone deciding
whether to apply needs to know."""

from datetime import UTC, datetime, timedelta

import pytest

from models.base import utcnow
from models.enums import Role, RoundStatus
from tests.conftest import sign_in_as
from tests.factories import RoundFactory, SchemeFactory, ThemeFactory, UserFactory
from tests.opendata.conftest import wards


def rounds(client) -> list[dict]:
    response = client.get("/open-data/rounds.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()["rounds"]


def test_an_open_round_in_full(client, ctx):
    scheme = SchemeFactory(name="Community Plus Grants")
    hardship = ThemeFactory(scheme=scheme, name="Tackling financial hardship")
    isolation = ThemeFactory(scheme=scheme, name="Reducing social isolation")
    almondbury, batley = wards("Almondbury", "Batley East")
    almondbury.ons_code = "E05001400"
    round_ = RoundFactory(
        scheme=scheme, name="Summer 2024", financial_year="2024/25",
        # 9am and 5pm in British Summer Time
        opens_at=datetime(2024, 7, 1, 8, 0, tzinfo=UTC),
        closes_at=utcnow().replace(year=utcnow().year + 1, month=1, day=15, hour=17, minute=0,
                                   second=0, microsecond=0),
        min_award_pence=500_00, max_award_pence=5_000_50, any_ward=False,
        wards=[batley, almondbury], themes=[isolation, hardship],
        guidance="Tell us who the project helps.")
    closes = round_.closes_at.date().isoformat()
    assert rounds(client) == [{
        "id": round_.id,
        "name": "Summer 2024",
        "scheme": "Community Plus Grants",
        "financial_year": "2024/25",
        "opens_at": "2024-07-01T09:00:00+01:00",
        # January: Greenwich Mean Time
        "closes_at": f"{closes}T17:00:00+00:00",
        "minimum_award": "500.00",
        "minimum_award_pence": 50000,
        "maximum_award": "5000.50",
        "maximum_award_pence": 500050,
        "themes": ["Reducing social isolation", "Tackling financial hardship"],
        "any_ward": False,
        "wards": [{"name": "Almondbury", "ons_code": "E05001400"},
                  {"name": "Batley East", "ons_code": None}],
        "guidance": "Tell us who the project helps.",
        "apply_url": f"http://localhost/applications/start?round_id={round_.id}",
    }]


def test_a_round_open_to_any_ward_lists_none(client, ctx):
    RoundFactory(any_ward=True)
    [listed] = rounds(client)
    assert listed["any_ward"] is True
    assert listed["wards"] == []


def test_only_rounds_open_now_are_listed_closing_soonest_first(client, ctx):
    now = utcnow()
    later = RoundFactory(name="Closes later", closes_at=now + timedelta(days=60))
    sooner = RoundFactory(name="Closes sooner", closes_at=now + timedelta(days=3))
    RoundFactory(name="Draft", status=RoundStatus.DRAFT)
    RoundFactory(name="Upcoming", opens_at=now + timedelta(days=2),
                 closes_at=now + timedelta(days=30))
    RoundFactory(name="Closed", opens_at=now - timedelta(days=30),
                 closes_at=now - timedelta(minutes=1))
    RoundFactory(name="Decided", opens_at=now - timedelta(days=30),
                 closes_at=now - timedelta(days=1), status=RoundStatus.DECIDED)
    assert [(r["id"], r["name"]) for r in rounds(client)] == [
        (sooner.id, "Closes sooner"), (later.id, "Closes later")]


def test_no_open_rounds_is_an_empty_list(client, ctx):
    assert rounds(client) == []


@pytest.mark.parametrize("role", [None, *Role])
def test_anyone_may_read_the_open_rounds(client, ctx, role):
    RoundFactory()
    if role is not None:
        sign_in_as(client, UserFactory(roles=(role,)))
    assert len(rounds(client)) == 1
