"""The register, the list of open rounds, the officers' review and the public open-data page
run the same number of SQL statements however many grants, rounds and publications there
are."""

from itertools import count

from models.enums import Role
from portal.opendata import services
from tests.awards.conftest import accepted_grant
from tests.conftest import sign_in_as
from tests.factories import RoundFactory, SchemeFactory, ThemeFactory, UserFactory
from tests.opendata.conftest import grant, wards
from tests.querycount import count_queries

_numbers = count(1)


def queries_for(client, path: str) -> int:
    with count_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements)


def add_grants(how_many: int) -> None:
    """Grants each with their own organisation, round, scheme, two wards and a theme."""
    for number in (next(_numbers) for _ in range(how_many)):
        round_ = RoundFactory()
        grant(round=round_, wards=wards(f"North {number}", f"South {number}"),
              themes=[ThemeFactory(scheme=round_.scheme)])


def test_register_query_count_does_not_grow(client, ctx):
    paths = ["/grants-awarded", "/grants-awarded?q=project&year=2024-25"]
    add_grants(2)
    few = [queries_for(client, path) for path in paths]
    add_grants(30)
    assert [queries_for(client, path) for path in paths] == few


def test_open_rounds_query_count_does_not_grow(client, ctx):
    def add_rounds(how_many: int) -> None:
        for number in (next(_numbers) for _ in range(how_many)):
            scheme = SchemeFactory()
            RoundFactory(scheme=scheme, any_ward=False, wards=wards(f"Ward {number}"),
                         themes=[ThemeFactory(scheme=scheme)])

    add_rounds(1)
    few = queries_for(client, "/open-data/rounds.json")
    add_rounds(20)
    assert queries_for(client, "/open-data/rounds.json") == few


def test_the_review_and_open_data_pages_query_count_does_not_grow(client, ctx, monkeypatch,
                                                                  round_):
    """However many grants, withheld grants and publications there are."""
    monkeypatch.setitem(ctx.config, "COUNCIL_ORG_ID", "GB-LAE-TST")
    monkeypatch.setitem(ctx.config, "GRANT_ID_PREFIX", "360G-test")
    officer = UserFactory(roles=(Role.GRANTS_OFFICER,))
    sign_in_as(client, officer)
    paths = ["/open-data/manage/2024-25", "/open-data"]

    def add(how_many: int) -> None:
        for _ in range(how_many):
            accepted_grant(round_)
            services.withhold(officer, accepted_grant(round_).award, "A reason")
            services.publish(officer, "2024-25", services.review(officer, "2024-25").dataset.digest)

    add(1)
    few = [queries_for(client, path) for path in paths]
    add(4)
    assert [queries_for(client, path) for path in paths] == few
