"""Sign-in sessions kept on the server. The browser's session and remember cookies carry a
random key; the row holding its hash decides whether they still sign anyone in, so signing out,
a changed password or an admin's reset ends a session however its cookies were copied."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import joinedload

from models import SignInSession, User
from models.base import utcnow
from portal.extensions import db
from portal.tokens import hash_token, new_token


def start(user: User, remember: bool) -> None:
    """Open a session for `user` and give them its key (which `user.get_id()` then carries).

    "Keep me signed in" lasts REMEMBER_ME_DAYS; any other session ends SESSION_MAX_HOURS after
    signing in, however busy, besides ending after SESSION_LIFETIME_MINUTES idle.
    """
    now = utcnow()
    config = current_app.config
    lifetime = (timedelta(seconds=config["REMEMBER_COOKIE_DURATION"]) if remember
                else timedelta(hours=config["SESSION_MAX_HOURS"]))
    # The person's finished sessions are of no further use; clearing them keeps the table small.
    db.session.execute(delete(SignInSession).where(
        SignInSession.user_id == user.id,
        or_(SignInSession.ended_at.is_not(None), SignInSession.expires_at <= now)))
    key, key_hash = new_token()
    db.session.add(SignInSession(user_id=user.id, key_hash=key_hash, remember=remember,
                                 created_at=now, expires_at=now + lifetime))
    user.session_key = key


def load(login_id: str) -> User | None:
    """The user whose session `login_id` ("user id:key", from a cookie) names, if it is open."""
    user_id, _, key = login_id.partition(":")
    if not user_id.isdigit() or not key:
        return None
    found = db.session.scalar(
        select(SignInSession).options(joinedload(SignInSession.user))
        .where(SignInSession.key_hash == hash_token(key), SignInSession.user_id == int(user_id),
               SignInSession.ended_at.is_(None), SignInSession.expires_at > utcnow()))
    if found is None:
        return None
    found.user.session_key = key
    return found.user


def end(user: User) -> None:
    """End the session `user` was loaded for."""
    if user.session_key:
        db.session.execute(update(SignInSession)
                           .where(SignInSession.key_hash == hash_token(user.session_key))
                           .values(ended_at=utcnow()))


def end_all(user: User, keep_current: bool = False) -> None:
    """End every open session of `user`, or every one but the session they are using now."""
    ending = update(SignInSession).where(SignInSession.user_id == user.id,
                                         SignInSession.ended_at.is_(None))
    if keep_current and user.session_key:
        ending = ending.where(SignInSession.key_hash != hash_token(user.session_key))
    db.session.execute(ending.values(ended_at=utcnow()))
