"""Lists as CSV and XLSX downloads (the officers' applications, the funding pots and schemes),
from the rows a service gives, with cells a spreadsheet would run as formulas defused."""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import IO, Any

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from models.base import utcnow
from portal.dates import to_london

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CURRENCY_FORMAT = '"£"#,##0.00'
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
# Column widths by heading; other headings get the default.
WIDTHS = {"Reference": 16, "Organisation": 36, "Legal name": 36, "Title": 44, "Round": 28,
          "Financial year": 14, "Amount requested": 18, "Total cost": 14, "Wards": 36,
          "Themes": 40, "Submitted at": 18, "Status": 12, "Scheme": 36}


def defused(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe, so it is
    shown as typed; numbers and dates are left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(headings: list[str], rows: list[list[Any]]) -> str:
    """Money as plain numbers with 2 decimals, times as 2024-06-01 14:05 (UK time)."""
    return "".join(csv_stream(headings, [rows]))


def csv_stream(headings: list[str], chunks: Iterable[list[list[Any]]]) -> Iterator[str]:
    """The CSV's text a piece at a time, as `to_csv` writes it: the heading row at once, then
    each chunk of rows as it comes, so no more than a chunk is ever held."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headings)
    yield _taken(out)
    for rows in chunks:
        for row in rows:
            writer.writerow([_csv_text(value) for value in row])
        yield _taken(out)


def _taken(out: io.StringIO) -> str:
    """What was written to `out` since last taken, leaving it empty."""
    text = out.getvalue()
    out.seek(0)
    out.truncate()
    return text


def _csv_text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return defused(value)


@dataclass(frozen=True)
class Sheet:
    """One worksheet: its tab's title, heading row, rows (read once, in order, so they may be
    a generator), and which headings hold money."""

    title: str
    headings: list[str]
    rows: Iterable[list[Any]]
    money_columns: set[str]


def to_xlsx(headings: list[str], rows: list[list[Any]], money_columns: set[str]) -> bytes:
    """A workbook of one sheet of applications."""
    return workbook([Sheet("Applications", headings, rows, money_columns)])


def workbook(sheets: list[Sheet]) -> bytes:
    """A workbook with a sheet for each of `sheets` (see `save_workbook`), as bytes."""
    out = io.BytesIO()
    save_workbook(sheets, out)
    return out.getvalue()


def save_workbook(sheets: list[Sheet], target: str | IO[bytes]) -> None:
    """Write a workbook with a sheet for each of `sheets` to `target` (a path or a binary
    file), each with a bold header row, money cells in pounds and readable column widths.
    Write-only mode streams the rows to a temporary file as they come, strings inline, so
    memory stays flat however many there are; only cells that need a format are made as
    cells, which keeps thousands of rows quick."""
    book = Workbook(write_only=True)
    try:
        for sheet in sheets:
            _write_sheet(book, sheet)
    except BaseException:
        # Rows that failed to come leave each sheet writing to its temporary file: closed
        # now, not when collected (where it fails, the file being gone by then).
        for sheet in book.worksheets:
            if not sheet.closed:
                sheet.close()
        raise
    book.save(target)


def _write_sheet(book: Workbook, contents: Sheet) -> None:
    sheet = book.create_sheet(contents.title)
    for number, heading in enumerate(contents.headings, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = WIDTHS.get(heading, 20)
    sheet.freeze_panes = "A2"
    sheet.append([_cell(sheet, heading, font=Font(bold=True)) for heading in contents.headings])
    money = [heading in contents.money_columns for heading in contents.headings]
    for row in contents.rows:
        sheet.append([_xlsx_value(sheet, value, is_money)
                      for value, is_money in zip(row, money, strict=True)])


def _xlsx_value(sheet, value: Any, is_money: bool) -> Any:
    if is_money and isinstance(value, Decimal):
        return _cell(sheet, value, number_format=CURRENCY_FORMAT)
    if isinstance(value, datetime):
        # Excel has no time zones: the UK wall-clock time is what people expect to read.
        return _cell(sheet, value.replace(tzinfo=None), number_format=DATETIME_FORMAT)
    return defused(value)


def _cell(sheet, value: Any, *, number_format: str | None = None,
          font: Font | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if number_format:
        cell.number_format = number_format
    if font:
        cell.font = font
    return cell


def download(body: str | bytes | Iterable[str], mimetype: str, name: str, extension: str,
             made_at: datetime | None = None) -> Response:
    """An attachment named after what it holds and when it was made (now unless `made_at`),
    never cached (see portal/security.py). A body that is an iterable is streamed."""
    filename = f"{name}-{to_london(made_at or utcnow()):%Y-%m-%d-%H%M}.{extension}"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})
