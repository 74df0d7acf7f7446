"""Checks on the HTML the portal sends."""

import html5lib
from bs4 import BeautifulSoup


def assert_well_formed(markup: str) -> None:
    """Parse with the WHATWG parser in strict mode: any parse error fails the test."""
    parser = html5lib.HTMLParser(strict=True)
    try:
        parser.parse(markup)
    except html5lib.html5parser.ParseError as error:
        line, column = parser.errors[-1][0] if parser.errors else ("?", "?")
        raise AssertionError(f"HTML is not well-formed at {line}:{column}: {error}") from error


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def error_messages(response) -> dict[str, str]:
    """The GOV.UK inline error messages on a page, by the id of the field they belong to."""
    page = soup(response)
    messages = {}
    for message in page.select(".govuk-error-message"):
        field_id = (message.get("id") or "").removesuffix("-error")
        messages[field_id] = message.get_text(" ", strip=True).removeprefix("Error:").strip()
    return messages


def summary_errors(response) -> list[str]:
    links = soup(response).select(".govuk-error-summary__list a")
    return [item.get_text(strip=True) for item in links]
