"""Checks on the HTML the portal sends."""

import re
import xml.etree.ElementTree as ET

import html5lib
from bs4 import BeautifulSoup

# Markup from our own templates shown as text: a tag with a GOV.UK class, a closing tag or a
# line break. People's input ("<script>", "<b>Bold</b>") is shown as typed and passes.
ESCAPED_MARKUP = re.compile(
    r'<[a-z][a-z0-9]*\s[^<>]*class="govuk-|</(?:a|span|p|strong|li)>|<br\s*/?>')
# Elements whose text is not part of the page as read: what people type, and code.
NOT_PAGE_TEXT = {"textarea", "script", "style"}


def assert_page_is_sound(markup: str) -> None:
    """The checks run on every HTML response the test client gets."""
    assert_no_escaped_markup(assert_well_formed(markup))


def assert_well_formed(markup: str) -> ET.Element:
    """Parse with the WHATWG parser in strict mode: any parse error fails the test. Returns the
    parsed page."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        return parser.parse(markup)
    except html5lib.html5parser.ParseError as error:
        line, column = parser.errors[-1][0] if parser.errors else ("?", "?")
        raise AssertionError(f"HTML is not well-formed at {line}:{column}: {error}") from error


def assert_no_escaped_markup(page: ET.Element) -> None:
    """Fail when the page's text shows our own markup as text, which happens when an HTML
    string is escaped on its way into a template (a Markup value joined with `~`, or HTML
    passed as a component's `text`)."""
    for element in page.iter():
        texts = [element.tail]
        if isinstance(element.tag, str) and element.tag not in NOT_PAGE_TEXT:  # not a comment
            texts.append(element.text)
        for text in filter(None, texts):
            if found := ESCAPED_MARKUP.search(text):
                raise AssertionError(f"The page shows markup as text: {found.string!r}")


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


def form_data(response, selector: str = "main form[method=post]") -> dict[str, str | list[str]]:
    """What a browser would send from the page's form as it stands: its boxes and text
    areas, checked radios and checkboxes, and selected options (several values for a name
    become a list, as date inputs' day, month and year boxes share no name). A page without
    the form gives nothing."""
    form = soup(response).select_one(selector)
    if form is None:
        return {}
    data: dict[str, list[str]] = {}
    for box in form.select("input[name]"):
        if box.get("type") in {"radio", "checkbox"} and not box.has_attr("checked"):
            continue
        if box.get("type") == "submit":
            continue
        data.setdefault(box["name"], []).append(box.get("value", ""))
    for area in form.select("textarea[name]"):
        data.setdefault(area["name"], []).append(area.get_text())
    for select in form.select("select[name]"):
        chosen = select.select_one("option[selected]") or select.select_one("option")
        data.setdefault(select["name"], []).append(chosen.get("value", "") if chosen else "")
    return {name: values[0] if len(values) == 1 else values for name, values in data.items()}


def rows_of(page: BeautifulSoup, table_id: str) -> list[list[str]]:
    """The text of each body row's cells of the table with the id."""
    return [[cell.get_text(" ", strip=True) for cell in row.select("th, td")]
            for row in page.select(f"table#{table_id} tbody tr")]
