"""UK identifiers in their normalised forms: charity numbers, company numbers and postcodes.

Each `normalise_*` returns the stored form or raises ValueError with a GOV.UK-style message.
"""

import re

# Every pattern is re.ASCII: otherwise \d also matches other scripts' digits, such as "١٢٣",
# which would then be stored as they were typed.

# England and Wales charities: 6 or 7 digits, never starting with 0, optionally a "-1" style
# suffix for a linked charity. Scotland: SC + 6 digits. Northern Ireland: NIC + 6 digits.
_CHARITY = re.compile(r"^([1-9]\d{5,6}(-\d{1,2})?|SC\d{6}|NIC\d{6})$", re.ASCII)

# Companies House numbers are 8 characters: 8 digits (England and Wales), or a prefix naming the
# register and 6 digits. Only real prefixes are accepted, so a mistyped letter is caught.
COMPANY_PREFIXES = frozenset({
    "AC", "CE", "CS", "ES", "EN", "FC", "GE", "GN", "GS", "IC", "IP", "LP", "NA", "NC", "NF",
    "NI", "NL", "NO", "NP", "NR", "NV", "NZ", "OC", "R0", "RC", "RS", "SA", "SC", "SE", "SF",
    "SG", "SI", "SL", "SO", "SP", "SR", "SZ", "ZC",
})
_DIGITS = re.compile(r"^\d{1,8}$", re.ASCII)
_PREFIXED = re.compile(r"^([A-Z][A-Z0])(\d{1,6})$", re.ASCII)
# Older industrial and provident (now community benefit) societies: IP, SP or NP, 5 digits, R.
_SOCIETY = re.compile(r"^(IP|SP|NP)(\d{1,5})R$", re.ASCII)

# UK postcode, as the ONS specifies the outward and inward codes (and GIR 0AA).
_POSTCODE = re.compile(
    r"^(GIR0AA|[A-PR-UWYZ](\d{1,2}|[A-HK-Y]\d{1,2}|\d[A-HJKPSTUW]|[A-HK-Y]\d[ABEHMNPRV-Y])"
    r"\d[ABD-HJLNP-UW-Z]{2})$", re.ASCII)


def _squash(value: str | None) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def normalise_charity_number(value: str | None) -> str:
    number = _squash(value)
    if not _CHARITY.match(number):
        raise ValueError("Enter a charity number in the correct format, like 1234567 or SC012345")
    return number


def normalise_company_number(value: str | None) -> str:
    """Companies House pads numbers with zeros to 8 characters, and so do we: '123456' ->
    '00123456', 'sc 1234' -> 'SC001234', 'IP525R' -> 'IP00525R'."""
    number = _squash(value)
    if _DIGITS.match(number):
        number = number.zfill(8)
    elif (prefixed := _PREFIXED.match(number)) and prefixed[1] in COMPANY_PREFIXES:
        number = prefixed[1] + prefixed[2].zfill(6)
    elif society := _SOCIETY.match(number):
        number = f"{society[1]}{society[2].zfill(5)}R"
    else:
        number = ""
    serial = number if number.isdigit() else number[2:].rstrip("R")
    if not number or int(serial) == 0:  # all zeros is nobody's number
        raise ValueError("Enter a company number in the correct format, like 01234567 or SC123456")
    return number


def normalise_postcode(value: str | None) -> str:
    """'ls1 1aa' -> 'LS1 1AA': upper case with one space before the inward code."""
    squashed = _squash(value)
    if not _POSTCODE.match(squashed):
        raise ValueError("Enter a real postcode, like HD1 2TA")
    return f"{squashed[:-3]} {squashed[-3:]}"
