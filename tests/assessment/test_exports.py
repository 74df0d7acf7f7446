"""CSV and XLSX exports of the officers' list: every matching row, same filters and order. The
CSV is streamed a chunk of rows at a time; the XLSX is made by a background job (in-process
here, without Redis: tests/assessment/test_export_jobs.py follows the job itself)."""

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from models import CostLine
from models.base import db
from models.enums import ApplicationStatus
from portal.assessment import services
from tests.assessment.conftest import submitted, wards
from tests.factories import OrganisationFactory, RoundFactory, ThemeFactory
from tests.html import soup

HEADINGS = ["Reference", "Organisation", "Legal name", "Title", "Round", "Financial year",
            "Amount requested", "Total cost", "Wards", "Themes", "Submitted at", "Status"]


@pytest.fixture
def exported(ctx):
    """Two applications in one round (one submitted in summer time), one in another round."""
    round_ = RoundFactory(name="Spring round", financial_year="2024/25")
    theme = ThemeFactory(scheme=round_.scheme, name="Health and wellbeing")
    ward_a, ward_b = wards("Dalton", "Almondbury")
    organisation = OrganisationFactory(name="Dalton Men's Shed",
                                       legal_name="Dalton Men's Shed CIO")
    first = submitted(reference="CPG-2425-0001", organisation=organisation, round=round_,
                      title="Tools for the shed", amount_requested_pence=1_250_50,
                      wards=[ward_a, ward_b], themes=[theme],
                      submitted_at=datetime(2024, 6, 1, 13, 5, tzinfo=UTC))  # 14:05 BST
    first.cost_lines = [CostLine(description="Tools", amount_pence=1_000_00),
                        CostLine(description="Wood", amount_pence=500_25)]
    db.session.commit()
    submitted(reference="CPG-2425-0002", round=round_, title="Winter warm space",
              amount_requested_pence=900_00, status=ApplicationStatus.WITHDRAWN,
              submitted_at=datetime(2024, 1, 10, 9, 30, tzinfo=UTC))  # 09:30 GMT
    submitted(reference="OTH-2425-0001", amount_requested_pence=3_000_00)
    for day in range(1, 30):  # more than one page, to show exports are not paged
        submitted(reference=f"CPG-2425-{100 + day:04d}", round=round_,
                  submitted_at=datetime(2023, 5, day, tzinfo=UTC))
    return round_


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def made_xlsx(client, query: dict | str = ""):
    """Ask for the list as a workbook, as the list's button does, and download it from the
    export's page."""
    started = client.post("/assessment/exports", query_string=query)
    assert started.status_code == 302
    page = soup(client.get(started.headers["Location"]))
    link = page.select_one("#export-download a")
    assert not page.select_one("#export-download").has_attr("hidden")
    response = client.get(link["href"])
    assert response.status_code == 200
    return response


def test_csv_has_every_matching_row_with_the_columns(client, officer, exported):
    response = client.get("/assessment/applications.csv",
                          query_string={"round": exported.id, "sort": "reference",
                                        "order": "asc", "page": 2})
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="applications-')
    assert response.headers["Content-Disposition"].endswith('.csv"')
    assert response.headers["Cache-Control"] == "no-store"
    assert not response.get_data().startswith(b"\xef\xbb\xbf")  # no byte order mark
    rows = read_csv(response)
    assert rows[0] == HEADINGS
    assert len(rows) == 1 + 31  # all of them, not page 2 of the list
    assert rows[1] == ["CPG-2425-0001", "Dalton Men's Shed", "Dalton Men's Shed CIO",
                       "Tools for the shed", "Spring round", "2024/25", "1250.50", "1500.25",
                       "Almondbury, Dalton", "Health and wellbeing", "2024-06-01 14:05",
                       "Submitted"]
    assert rows[2][6:8] == ["900.00", ""]  # no cost lines: no total cost
    assert rows[2][10:] == ["2024-01-10 09:30", "Withdrawn"]


def test_csv_follows_the_filters_and_the_sort(client, officer, exported):
    rows = read_csv(client.get("/assessment/applications.csv", query_string={
        "q": "CPG-2425-000", "sort": "amount", "order": "desc"}))
    assert [row[0] for row in rows[1:]] == ["CPG-2425-0001", "CPG-2425-0002"]
    rows = read_csv(client.get("/assessment/applications.csv?status=withdrawn&round=nonsense"))
    assert [row[0] for row in rows[1:]] == ["CPG-2425-0002"]


def test_xlsx_has_a_header_row_money_as_currency_and_widths(client, officer, exported, store):
    response = made_xlsx(client, {"round": exported.id, "sort": "reference", "order": "asc"})
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADINGS
    assert sheet["A1"].font.bold
    assert len(rows) == 1 + 31
    assert list(rows[1]) == ["CPG-2425-0001", "Dalton Men's Shed", "Dalton Men's Shed CIO",
                             "Tools for the shed", "Spring round", "2024/25", 1250.5, 1500.25,
                             "Almondbury, Dalton", "Health and wellbeing",
                             datetime(2024, 6, 1, 14, 5), "Submitted"]
    assert Decimal(str(sheet["G2"].value)) == Decimal("1250.50")
    assert sheet["G2"].number_format == sheet["H2"].number_format == '"£"#,##0.00'
    assert sheet["K2"].number_format == "dd/mm/yyyy hh:mm"
    assert sheet.column_dimensions["D"].width > sheet.column_dimensions["F"].width > 10


FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"Click\")", "+SUM(A1:A2)", "-2+3", "@cmd"]


@pytest.mark.parametrize("text", FORMULAS)
def test_exports_defuse_formulas(client, officer, text, store):
    """Text a spreadsheet would run as a formula gets a leading apostrophe in both files."""
    submitted(reference="CPG-2425-0001", title=text,
              organisation=OrganisationFactory(name=text, legal_name=text))
    row = read_csv(client.get("/assessment/applications.csv"))[1]
    assert row[1:4] == [f"'{text}"] * 3
    sheet = load_workbook(io.BytesIO(made_xlsx(client).get_data()))
    cells = sheet.active[2][1:4]
    assert [cell.value for cell in cells] == [f"'{text}"] * 3
    assert all(cell.data_type == "s" for cell in cells)


def test_formula_characters_inside_text_are_left_alone(client, officer):
    submitted(title="Tea + cake = friends", organisation=OrganisationFactory(name="A-Team"))
    row = read_csv(client.get("/assessment/applications.csv"))[1]
    assert row[1] == "A-Team"
    assert row[3] == "Tea + cake = friends"


def test_the_csv_is_streamed_heading_first(client, officer, exported):
    """The heading leaves before any row is read: the body is a generator, not a string."""
    response = client.get("/assessment/applications.csv")
    assert response.is_streamed
    assert "Content-Length" not in response.headers
    pieces = iter(response.response)
    assert next(pieces) == b",".join(heading.encode() for heading in HEADINGS) + b"\r\n"
    assert sum(piece.count(b"\r\n") for piece in pieces) == 32
    response.close()


@pytest.mark.parametrize("sort", ["submitted", "amount", "reference", "organisation"])
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_the_csv_read_in_chunks_is_the_same_as_read_at_once(client, officer, exported,
                                                            monkeypatch, sort, order):
    """Chunk after chunk, each read on from the last row of the one before, gives the rows in
    the list's order, none twice, none missed, rows with no value to sort by last."""
    submitted(reference="CPG-2425-0900", amount_requested_pence=None)
    submitted(reference="CPG-2425-0901", amount_requested_pence=None)
    query = {"sort": sort, "order": order}
    whole = read_csv(client.get("/assessment/applications.csv", query_string=query))
    monkeypatch.setattr(services, "EXPORT_CHUNK", 3)
    response = client.get("/assessment/applications.csv", query_string=query)
    assert read_csv(response) == whole
    assert len(whole) == 1 + 34
    if sort == "amount":
        assert [row[0] for row in whole[-2:]] == ["CPG-2425-0900", "CPG-2425-0901"][
            ::1 if order == "asc" else -1]
