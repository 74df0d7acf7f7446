"""Reading the scoring pages' tables."""

from tests.html import soup


def table_rows(response, caption: str) -> list[list[str]]:
    """The body rows of the table with `caption`, as the text of each cell."""
    page = soup(response)
    table = next(t for t in page.select("table") if t.caption.get_text(strip=True) == caption)
    return [[cell.get_text(" ", strip=True) for cell in row.select("td, th")]
            for row in table.select("tbody tr")]


def main_text(response) -> str:
    return soup(response).select_one("main").get_text(" ", strip=True)
