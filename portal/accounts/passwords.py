"""Password rules after NCSC guidance: a minimum length and a deny-list of common passwords,
no composition rules. Hashing is Argon2id."""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 10
MAX_LENGTH = 128


@cache
def _common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords from breach corpora, as shipped with zxcvbn."""
    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, email: str = "") -> str | None:
    """Return the GOV.UK-style message for a password that breaks a rule, or None."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    lowered = password.lower()
    if lowered in _common_passwords() or (email and lowered == email.lower()):
        return (
            "Password is too easy to guess. Try three random words, "
            "for example ‘kettle purple harbour’"
        )
    return None


def _hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=current_app.config["PASSWORD_HASH_TIME_COST"])


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    """Check a password; without a stored hash, spend the same time so timing reveals nothing."""
    hasher = _hasher()
    if password_hash is None:
        hasher.hash(password)
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
