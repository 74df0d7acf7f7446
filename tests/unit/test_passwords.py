"""Password rules after NCSC guidance: length and a deny-list, no composition rules."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.accounts.passwords import MAX_LENGTH, MIN_LENGTH, password_problem


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "Password must be 10 characters or more"),
        ("x" * (MAX_LENGTH + 1), "Password must be 128 characters or fewer"),
        ("password123", "Password is too easy to guess"),
        ("Qwertyuiop", "Password is too easy to guess"),
        ("sam@example.org", "Password is too easy to guess"),
    ],
)
def test_weak_passwords_are_refused(password, problem):
    assert password_problem(password, email="sam@example.org").startswith(problem)


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=24, max_size=MAX_LENGTH))
def test_long_lower_case_phrases_need_no_digits_capitals_or_symbols(password):
    """Any long phrase passes: the deny-list holds no passwords this long."""
    assert password_problem(password) is None


def test_the_minimum_length_is_exact():
    assert password_problem("kettle-pur") is None
    assert len("kettle-pur") == MIN_LENGTH
    assert password_problem("kettle-pu") is not None
