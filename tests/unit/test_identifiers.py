"""UK charity numbers, company numbers and postcodes: what is accepted, how it is stored."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.organisations.identifiers import (
    COMPANY_PREFIXES,
    normalise_charity_number,
    normalise_company_number,
    normalise_postcode,
)

CHARITY_MESSAGE = "Enter a charity number in the correct format, like 1234567 or SC012345"
COMPANY_MESSAGE = "Enter a company number in the correct format, like 01234567 or SC123456"
POSTCODE_MESSAGE = "Enter a real postcode, like HD1 2TA"


def messy(text: str, draw_spaces: list[int], lower: bool) -> str:
    """`text` with spaces put in and perhaps in lower case, as people type it."""
    for position in sorted(draw_spaces, reverse=True):
        text = text[:position] + " " + text[position:]
    return text.lower() if lower else text


@pytest.mark.parametrize(("typed", "stored"), [
    ("1234567", "1234567"),  # England and Wales, 7 digits (CIOs and newer charities)
    ("202918", "202918"),  # older 6-digit numbers
    (" 123 4567 ", "1234567"),
    ("1234567-1", "1234567-1"),  # a linked charity
    ("sc012345", "SC012345"),  # Scotland
    ("SC 012345", "SC012345"),
    ("nic100002", "NIC100002"),  # Northern Ireland
])
def test_charity_numbers_are_accepted_and_normalised(typed, stored):
    assert normalise_charity_number(typed) == stored


@pytest.mark.parametrize("typed", [
    "", None, "12345", "12345678", "0123456", "1234567-123", "SC12345", "SC0123456", "NI100002",
    "AB123456", "1234567A", "١٢٣٤٥٦٧",  # Arabic-Indic digits are not a charity number
])
def test_charity_numbers_in_the_wrong_format_are_refused(typed):
    with pytest.raises(ValueError, match=f"^{CHARITY_MESSAGE}$"):
        normalise_charity_number(typed)


@pytest.mark.parametrize(("typed", "stored"), [
    ("01234567", "01234567"),
    ("1234567", "01234567"),  # Companies House pads with zeros to 8 characters
    ("123", "00000123"),
    ("sc123456", "SC123456"),
    ("SC 1234", "SC001234"),
    ("oc123456", "OC123456"),  # LLP
    ("NI012345", "NI012345"),
    ("R0123456", "R0123456"),  # Northern Ireland, before partition
    ("RS007385", "RS007385"),  # registered society
    ("IP525R", "IP00525R"),  # industrial and provident society
    ("ip 28581 r", "IP28581R"),
    ("CE010135", "CE010135"),  # CIOs appear at Companies House too
])
def test_company_numbers_are_accepted_and_normalised(typed, stored):
    assert normalise_company_number(typed) == stored


@pytest.mark.parametrize("typed", [
    "", None, "123456789", "00000000", "0", "SC000000", "IP00000R",
    "AB123456",  # not a Companies House prefix
    "SC1234567", "S0123456", "IP123456R", "XX12345R", "1234-567", "١٢٣٤٥٦٧٨",
])
def test_company_numbers_in_the_wrong_format_are_refused(typed):
    with pytest.raises(ValueError, match=f"^{COMPANY_MESSAGE}$"):
        normalise_company_number(typed)


@pytest.mark.parametrize(("typed", "stored"), [
    ("HD1 2TA", "HD1 2TA"),
    ("hd12ta", "HD1 2TA"),
    ("  hd1   2ta ", "HD1 2TA"),
    ("M1 1AE", "M1 1AE"),  # A9 9AA
    ("B33 8TH", "B33 8TH"),  # A99 9AA
    ("CR2 6XH", "CR2 6XH"),  # AA9 9AA
    ("DN55 1PT", "DN55 1PT"),  # AA99 9AA
    ("W1A 0AX", "W1A 0AX"),  # A9A 9AA
    ("EC1A 1BB", "EC1A 1BB"),  # AA9A 9AA
    ("sw1a1aa", "SW1A 1AA"),
    ("GIR 0AA", "GIR 0AA"),
])
def test_postcodes_are_accepted_and_normalised(typed, stored):
    assert normalise_postcode(typed) == stored


@pytest.mark.parametrize("typed", [
    "", None, "HD1", "HD1 2T", "HD1 2TAA", "12 3AB",
    "QA1 1AA",  # no postcode starts with Q
    "HJ1 1AA",  # J is never second
    "HD1 2CA",  # C is never in the inward code
    "HD1-2TA", "HD١ 2TA",
])
def test_postcodes_in_the_wrong_format_are_refused(typed):
    with pytest.raises(ValueError, match=f"^{POSTCODE_MESSAGE}$"):
        normalise_postcode(typed)


@given(number=st.integers(1, 10**8 - 1), spaces=st.lists(st.integers(0, 8), max_size=3))
def test_any_england_and_wales_company_number_is_padded_to_eight_digits(number, spaces):
    stored = normalise_company_number(messy(str(number), spaces, lower=False))
    assert stored == f"{number:08d}"
    assert normalise_company_number(stored) == stored


@given(prefix=st.sampled_from(sorted(COMPANY_PREFIXES)), number=st.integers(1, 999_999),
       spaces=st.lists(st.integers(0, 8), max_size=3), lower=st.booleans())
def test_any_prefixed_company_number_is_padded_to_eight_characters(prefix, number, spaces,
                                                                   lower):
    stored = normalise_company_number(messy(f"{prefix}{number}", spaces, lower))
    assert stored == f"{prefix}{number:06d}"


@given(number=st.integers(100_000, 9_999_999), spaces=st.lists(st.integers(0, 7), max_size=3),
       scotland=st.booleans(), lower=st.booleans())
def test_any_charity_number_is_stored_without_spaces_in_capitals(number, spaces, scotland,
                                                                 lower):
    typed = f"SC{number % 10**6:06d}" if scotland else str(number)
    stored = normalise_charity_number(messy(typed, spaces, lower))
    assert stored == typed
    assert normalise_charity_number(stored) == stored


POSTCODES = st.from_regex(
    r"\A[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW]|[A-HK-Y][0-9][ABEHMNPRV-Y])"
    r" [0-9][ABD-HJLNP-UW-Z]{2}\Z")


@given(postcode=POSTCODES, lower=st.booleans())
def test_every_postcode_of_the_ons_formats_is_accepted_however_it_is_spaced(postcode, lower):
    """Whatever the spacing and case, the stored form is the outward code, one space, the
    inward code, in capitals; storing it again changes nothing."""
    typed = postcode.replace(" ", "  " if lower else "")
    stored = normalise_postcode(typed.lower() if lower else typed)
    assert stored == postcode
    assert re.fullmatch(r"[A-Z0-9]{2,4} [0-9][A-Z]{2}", stored)
    assert normalise_postcode(stored) == stored
