"""Random single-use tokens for emailed links. Only a token's SHA-256 is stored, so a copy of
the database cannot be used to sign in."""

import hashlib
import secrets
from datetime import datetime

from models.base import utcnow


def new_token() -> tuple[str, str]:
    """Return (token to email, hash to store)."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_is_usable(used_at: datetime | None, expires_at: datetime) -> bool:
    """An emailed link works once, and only until it expires."""
    return used_at is None and expires_at > utcnow()
