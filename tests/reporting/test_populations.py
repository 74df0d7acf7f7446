"""`flask places populations` gives the council's wards their populations from a CSV file."""

from sqlalchemy import select

from models import AuditEvent, Ward
from models.base import db
from tests.reporting.places import locality


def run(ctx, tmp_path, text: str):
    lookup = tmp_path / "populations.csv"
    lookup.write_text(text, encoding="utf-8-sig")
    return ctx.test_cli_runner().invoke(args=["places", "populations", str(lookup)])


def populations() -> dict[str, int | None]:
    return dict(db.session.execute(select(Ward.name, Ward.population)).all())


def test_the_file_sets_the_wards_populations_by_name_in_any_case(ctx, tmp_path):
    locality("Huddersfield", {"Dalton": None, "Newsome": 19_000, "Lindley": 18_000})

    result = run(ctx, tmp_path, "ward,population\nDALTON,19500\n newsome ,19000\n"
                                "Lindley,18200\nBarnsley Central,20000\n")

    assert result.exit_code == 0, result.output
    assert result.output == ("Set the population of 2 wards.\n"
                             "These name none of this council's wards: Barnsley Central\n")
    assert populations() == {"Dalton": 19_500, "Newsome": 19_000, "Lindley": 18_200}
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "places.populations_set"))
    assert event.details == {"wards": ["Dalton", "Lindley"]}


def test_a_population_that_is_not_a_whole_number_changes_nothing(ctx, tmp_path):
    locality("Huddersfield", {"Dalton": None, "Newsome": 19_000})

    result = run(ctx, tmp_path, "ward,population\nDalton,19500\nNewsome,-3\nGolcar,1.5\n"
                                "Lindley,\n")

    assert result.exit_code == 1
    assert ("These populations are not whole numbers from 0 to 10,000,000: Golcar: '1.5', "
            "Lindley: '', Newsome: '-3'") in result.output
    assert populations() == {"Dalton": None, "Newsome": 19_000}
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "places.populations_set")) is None


def test_a_file_without_the_columns_is_refused(ctx, tmp_path):
    result = run(ctx, tmp_path, "name,people\nDalton,19500\n")
    assert result.exit_code == 1
    assert "needs a ward column and a population column" in result.output
