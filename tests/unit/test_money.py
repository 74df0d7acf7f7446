"""Money typed in pounds is parsed strictly into pence and shown back the same way."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.money import MAX_PENCE, MoneyError, format_pounds, parse_pounds, pounds_for_input


@pytest.mark.parametrize(("typed", "pence"), [
    ("£1,250.50", 125050),
    ("1250", 125000),
    ("£5,000", 500000),
    ("1250.50", 125050),
    ("1250.5", 125050),
    (" £ 12,500 ", 1250000),
    ("0", 0),
    ("0.01", 1),
    ("1,000,000", 100000000),
    ("£100,000,000,000", MAX_PENCE),  # the largest amount accepted
])
def test_amounts_in_pounds_become_pence(typed, pence):
    assert parse_pounds(typed) == pence


@pytest.mark.parametrize("typed", [
    "-5", "£-5", "1,25", "12,50.00", "1.234", "1.", ".5", "abc", "", "   ", "£", "5p", "£5 00p",
    "1e3", "£100,000,000,000.01", "9" * 25, None, "１２", "٥٠٠",
])
def test_anything_else_is_refused(typed):
    with pytest.raises(MoneyError):
        parse_pounds(typed)


@pytest.mark.parametrize(("pence", "shown", "whole"), [
    (125050, "£1,250.50", "£1,250.50"),
    (500000, "£5,000.00", "£5,000"),
    (0, "£0.00", "£0"),
    (5, "£0.05", "£0.05"),
])
def test_pence_are_shown_as_pounds(pence, shown, whole):
    assert format_pounds(pence) == shown
    assert format_pounds(pence, whole=True) == whole


def test_no_amount_is_shown_as_nothing():
    assert format_pounds(None) == ""
    assert pounds_for_input(None) == ""
    assert pounds_for_input(125050) == "1250.50"


@given(pence=st.integers(0, MAX_PENCE), whole=st.booleans())
def test_formatting_then_parsing_gives_back_the_pence(pence, whole):
    assert parse_pounds(format_pounds(pence, whole=whole)) == pence
    assert parse_pounds(pounds_for_input(pence)) == pence
