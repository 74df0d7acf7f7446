"""`flask opendata ward-codes` gives the council's wards their ONS codes from a lookup."""

from sqlalchemy import select

from models import AuditEvent, Ward
from models.base import db
from tests.opendata.conftest import wards


def run(ctx, tmp_path, text: str):
    lookup = tmp_path / "lookup.csv"
    lookup.write_text(text, encoding="utf-8-sig")
    return ctx.test_cli_runner().invoke(args=["opendata", "ward-codes", str(lookup)])


def codes() -> dict[str, str]:
    return dict(db.session.execute(select(Ward.name, Ward.ons_code)).all())


def test_the_ons_lookup_sets_the_councils_wards_codes(ctx, tmp_path):
    wards("Dalton", "Newsome")

    result = run(ctx, tmp_path, "WD24CD,WD24NM,LAD24CD,LAD24NM\n"
                                "E05001321,dalton,E08000034,Kirklees\n"
                                "E05001335,Newsome,E08000034,Kirklees\n"
                                "E05000650,Barnsley Central,E08000016,Barnsley\n")

    assert result.exit_code == 0, result.output
    assert result.output == ("Set the ONS code of 2 wards; 1 rows name none of this council's "
                             "wards.\n")
    assert codes() == {"Dalton": "E05001321", "Newsome": "E05001335"}
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "opendata.ward_codes_set"))
    assert event.details == {"wards": ["Dalton", "Newsome"]}


def test_a_malformed_code_changes_nothing(ctx, tmp_path):
    wards("Dalton", "Newsome")

    result = run(ctx, tmp_path, "code,ward\nE05001321,Dalton\n1234,Newsome\n")

    assert result.exit_code == 1
    assert "These are not ONS ward codes (like E05001313): Newsome: '1234'" in result.output
    assert codes() == {"Dalton": "", "Newsome": ""}


def test_a_lookup_without_the_columns_is_refused(ctx, tmp_path):
    result = run(ctx, tmp_path, "name,gss\nDalton,E05001321\n")
    assert result.exit_code == 1
    assert "needs a ward code column" in result.output
