"""Password rules after NCSC guidance: a minimum length and a strength estimate (zxcvbn), no
composition rules."""

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from portal.accounts.passwords import MAX_LENGTH, MIN_LENGTH, password_problem

TOO_EASY = "Password is too easy to guess"
# Uncommon enough words that any three of them make a strong passphrase.
WORDS = ["kettle", "purple", "harbour", "lantern", "walnut", "gravel", "pelican", "thimble",
         "saffron", "quarry", "mitten", "orchard", "biscuit", "glacier", "ferret", "tundra"]


@pytest.fixture
def council():
    """The council's and the service's names, which people like to build passwords from."""
    app = Flask(__name__)
    app.config.update(COUNCIL_NAME="Kirklees Council", SERVICE_NAME="Community grants")
    with app.app_context():
        yield


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", f"Password must be {MIN_LENGTH} characters or more"),
        ("x" * (MAX_LENGTH + 1), f"Password must be {MAX_LENGTH} characters or fewer"),
    ],
)
def test_passwords_of_the_wrong_length_are_refused(password, problem):
    assert password_problem(password) == problem


@pytest.mark.parametrize("password", [
    "password123", "Qwertyuiop", "sam@example.org", " " * 12, "aaaaaaaaaaaa", "abcabcabcabc",
    "Password1!", "Kirklees2024!", "kirklees council 2025", "CommunityGrants2026",
    "Sam Volunteer 1990",
])
def test_weak_passwords_are_refused_with_a_plain_reason(council, password):
    message = password_problem(password, email="sam@example.org", full_name="Sam Volunteer")
    assert message.startswith(TOO_EASY)
    assert message.endswith("Try three random words, for example ‘kettle purple harbour’")


def test_the_reason_says_what_is_wrong(council):
    assert "Repeats like" in password_problem("aaaaaaaaaaaa")
    assert "council’s name" in password_problem("Kirklees2024!")


@given(st.lists(st.sampled_from(WORDS), min_size=3, max_size=6, unique=True))
def test_three_random_words_need_no_digits_capitals_or_symbols(words):
    assert password_problem(" ".join(words), email="sam@example.org") is None


def test_the_minimum_length_is_exact():
    assert password_problem("kettle-pur") is None
    assert len("kettle-pur") == MIN_LENGTH
    assert password_problem("kettle-pu") is not None
