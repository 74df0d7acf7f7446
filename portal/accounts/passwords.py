"""Password rules after NCSC guidance: a minimum length and a strength estimate, no composition
rules. Strength is zxcvbn's score, which knows breached and common passwords, keyboard patterns,
repeats, dates and the words of the person's own name, email address and council. Hashing is
Argon2id."""

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from zxcvbn import zxcvbn

MIN_LENGTH = 10
MAX_LENGTH = 128
# zxcvbn's 0-4 score; 3 is "safely unguessable" against online guessing and a slow hash.
MIN_SCORE = 3
ADVICE = "Try three random words, for example ‘kettle purple harbour’"
# Letters left once the person's and council's own words are taken out: fewer means the
# password is those words with digits or symbols added, like "Kirklees2024!".
MIN_OWN_LETTERS = 4


def password_problem(password: str, *, email: str = "", full_name: str = "") -> str | None:
    """Return the GOV.UK-style message for a password that breaks a rule, or None."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    context = _context_words(email, full_name)
    if _made_from(password, context):
        return ("Password is too easy to guess: it is made from your name, your email address "
                f"or the council’s name. {ADVICE}")
    estimate = zxcvbn(password, user_inputs=sorted(context))
    if estimate["score"] < MIN_SCORE:
        reason = estimate["feedback"]["warning"] or "It follows a pattern people often use."
        return f"Password is too easy to guess. {reason} {ADVICE}"
    return None


def _context_words(email: str, full_name: str) -> set[str]:
    """Words an attacker would try first: the person's and the service's own."""
    text = f"{email} {full_name}"
    if has_app_context():
        text += f" {current_app.config['COUNCIL_NAME']} {current_app.config['SERVICE_NAME']}"
    return {word for word in re.findall(r"[a-z]+", text.lower()) if len(word) >= 3}


def _made_from(password: str, words: set[str]) -> bool:
    """Whether the password's letters are those words and hardly anything else."""
    letters = original = re.sub(r"[^a-z]", "", password.lower())
    for word in sorted(words, key=len, reverse=True):
        letters = letters.replace(word, "")
    return bool(original) and len(letters) < MIN_OWN_LETTERS


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
