"""Emailed links carry random tokens; only their hashes are stored."""

from datetime import timedelta

from models.base import utcnow
from portal.tokens import hash_token, link_is_usable, new_token


def test_tokens_are_random_and_only_their_hash_is_kept():
    first, first_hash = new_token()
    second, _ = new_token()
    assert first != second
    assert len(first) >= 43  # 32 random bytes
    assert first_hash == hash_token(first) != first


def test_links_work_once_and_until_they_expire():
    later = utcnow() + timedelta(minutes=5)
    assert link_is_usable(None, later)
    assert not link_is_usable(utcnow(), later)
    assert not link_is_usable(None, utcnow() - timedelta(seconds=1))
