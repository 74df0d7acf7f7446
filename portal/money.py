"""Money is integer pence. People type pounds ("£1,250.50"); pages show them the same way."""

import re
from decimal import Decimal, InvalidOperation

from babel import Locale
from babel.numbers import format_currency

MAX_PENCE = 10**13  # £100 billion: far beyond any grant, well inside a BigInteger

# Optional £, ASCII digits with thousands commas in the right places, then 1 or 2 pence digits.
_POUNDS = re.compile(r"^£?\s*([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]{1,2})?$")
# Parsed once: a dashboard formats hundreds of amounts, and parsing the name each time is a
# third of the cost of each.
_EN_GB = Locale.parse("en_GB")


class MoneyError(ValueError):
    """The text is not an amount of money."""


def parse_pounds(text: str) -> int:
    """'£1,250.50' -> 125050. Strict: no negatives, no stray characters, at most 2 decimals."""
    cleaned = (text or "").strip().replace(" ", "")
    if not _POUNDS.match(cleaned):
        raise MoneyError(text)
    try:
        pence = int(Decimal(cleaned.lstrip("£").replace(",", "")) * 100)
    except InvalidOperation as error:
        raise MoneyError(text) from error
    if pence > MAX_PENCE:
        raise MoneyError(text)
    return pence


def format_pounds(pence: int | None, *, whole: bool = False) -> str:
    """125050 -> '£1,250.50'; with whole=True and no pence, '£1,250'."""
    if pence is None:
        return ""
    pounds = Decimal(pence) / 100
    if whole and pence % 100 == 0:
        return format_currency(pounds, "GBP", format="¤#,##0", locale=_EN_GB,
                               currency_digits=False)
    return format_currency(pounds, "GBP", locale=_EN_GB)


def pounds_for_input(pence: int | None) -> str:
    """The value to put back in a text box: '1250.50', or '' when there is none."""
    return "" if pence is None else f"{Decimal(pence) / 100:.2f}"


def exact_pounds(pence: int | None) -> Decimal | None:
    """125050 -> Decimal('1250.50'): exact, with two decimals, for files people open in a
    spreadsheet; None (no amount) stays None."""
    return None if pence is None else Decimal(pence).scaleb(-2)
