"""UK identifiers in their normalised forms: charity numbers, company numbers and postcodes.

Each `normalise_*` returns the stored form or raises ValueError with a GOV.UK-style message.
"""

import re

# England and Wales charities: 6 or 7 digits, optionally "-1" style subsidiary suffix.
# Scotland: SC + 6 digits. Northern Ireland: NIC + 6 digits (NI charities register).
_CHARITY = re.compile(r"^(\d{6,7}(-\d{1,2})?|SC\d{6}|NIC\d{6})$")
# Companies House: 8 characters, either 8 digits (England and Wales, padded) or a 2-letter
# prefix (SC, NI, OC, SO, NC, R0, IP, SP, RS, SI, NP, NO, NL, LP, SL, NF, FC, GE, ...) + 6 digits.
_COMPANY = re.compile(r"^(\d{8}|[A-Z]{2}\d{6}|R0\d{6})$")
# UK postcode, as the ONS specifies the outward and inward codes (and GIR 0AA).
_POSTCODE = re.compile(
    r"^(GIR0AA|[A-PR-UWYZ](\d{1,2}|[A-HK-Y]\d{1,2}|\d[A-HJKPSTUW]|[A-HK-Y]\d[ABEHMNPRV-Y])"
    r"\d[ABD-HJLNP-UW-Z]{2})$")


def _squash(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def normalise_charity_number(value: str) -> str:
    number = _squash(value)
    if not _CHARITY.match(number):
        raise ValueError("Enter a charity number in the correct format, like 1234567 or SC012345")
    return number


def normalise_company_number(value: str) -> str:
    number = _squash(value)
    if number.isdigit() and 1 <= len(number) < 8:
        number = number.zfill(8)  # Companies House pads England and Wales numbers with zeros
    if not _COMPANY.match(number):
        raise ValueError("Enter a company number in the correct format, like 01234567 or SC123456")
    return number


def normalise_postcode(value: str) -> str:
    """'ls1 1aa' -> 'LS1 1AA': upper case with one space before the inward code."""
    squashed = _squash(value)
    if not _POSTCODE.match(squashed):
        raise ValueError("Enter a real postcode, like HD1 2TA")
    return f"{squashed[:-3]} {squashed[-3:]}"
