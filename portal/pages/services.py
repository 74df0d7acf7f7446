"""What the service's own pages need to know."""

from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal import jobs
from portal.extensions import db


def database_is_reachable() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return False
    return True


def _redis_health() -> str:
    if not current_app.config["REDIS_URL"]:
        return "not configured"
    return "ok" if jobs.redis_is_reachable() else "unavailable"


def health() -> dict[str, str]:
    """The database's and Redis's state, and the service's overall: "error" without the
    database (nothing works), "degraded" without a configured Redis (pages and sign-in work,
    rate limits fall back to each process's memory, background jobs cannot start), else
    "ok"."""
    redis = _redis_health()
    if not database_is_reachable():
        return {"status": "error", "database": "unavailable", "redis": redis}
    status = "degraded" if redis == "unavailable" else "ok"
    return {"status": status, "database": "ok", "redis": redis}
