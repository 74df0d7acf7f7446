"""Configuration, read only from environment variables (documented in the README).

PORTAL_ENV picks the profile: development (the default), testing or production. Defaults are
safe for production or absent: production refuses to start without SECRET_KEY.
"""

import importlib.util
import os
import secrets
from pathlib import Path

from portal.money import MoneyError, parse_pounds


class ConfigurationError(RuntimeError):
    """Raised at start-up when the environment cannot make a safe configuration."""


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def _env_pounds(name: str, default_pence: int) -> int:
    """An amount of money in pounds ("500000" or "£500,000"), as integer pence."""
    value = os.environ.get(name)
    if value in (None, ""):
        return default_pence
    try:
        return parse_pounds(value)
    except MoneyError as error:
        raise ConfigurationError(f"{name} must be an amount in pounds, like 500000") from error


def _development_secret_key(instance_path: Path) -> str:
    """Keep a generated key in instance/ so that sessions survive a restart in development."""
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def load_config(instance_path: Path) -> dict:
    """Build the Flask configuration for the profile named by PORTAL_ENV."""
    env = os.environ.get("PORTAL_ENV", "development")
    if env not in {"development", "testing", "production"}:
        raise ConfigurationError(
            f"PORTAL_ENV must be development, testing or production, not {env!r}"
        )
    production = env == "production"

    secret_key = os.environ.get("SECRET_KEY")
    if not secret_key:
        if production:
            raise ConfigurationError("SECRET_KEY must be set in production")
        secret_key = (
            secrets.token_hex(32) if env == "testing" else _development_secret_key(instance_path)
        )

    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'portal.db'}"
    redis_url = os.environ.get("REDIS_URL") or None

    return {
        "PORTAL_ENV": env,
        "TESTING": env == "testing",
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": sqlalchemy_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Each response's SQL time and query count in a Server-Timing header (for benchmarks).
        "SQL_TIMING": _env_bool("SQL_TIMING", False),
        "REDIS_URL": redis_url,
        # Background jobs go to this RQ queue when REDIS_URL is set (run in-process if not).
        "JOB_QUEUE": os.environ.get("JOB_QUEUE", "portal"),
        # When RQ's scheduler (`flask jobs scheduler`) queues the daily run: a cron line.
        "DAILY_CRON": os.environ.get("DAILY_CRON", "0 6 * * *"),
        # Sessions and cookies
        "SESSION_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", production),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": _env_int("REMEMBER_ME_DAYS", 30) * 24 * 3600,
        "PERMANENT_SESSION_LIFETIME": _env_int("SESSION_LIFETIME_MINUTES", 120) * 60,
        # However busy, a session without "Keep me signed in" ends this long after signing in.
        "SESSION_MAX_HOURS": _env_int("SESSION_MAX_HOURS", 12),
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "SERVER_NAME": os.environ.get("SERVER_NAME") or None,
        "MAX_CONTENT_LENGTH": _env_int("MAX_UPLOAD_MB", 10) * 1024 * 1024,
        # The most an uploaded Word, Excel or OpenDocument file (a ZIP) may unzip to.
        "MAX_UNCOMPRESSED_BYTES": _env_int("MAX_UNCOMPRESSED_MB", 100) * 1024 * 1024,
        # Where files' bytes live (portal/file_store.py): folders on this machine, the
        # database, or an S3-compatible bucket that every server shares.
        **_file_store(instance_path),
        "WTF_CSRF_TIME_LIMIT": _env_int("CSRF_TIME_LIMIT_MINUTES", 120) * 60,
        "HSTS_ENABLED": production,
        # How many proxies in front of the app set X-Forwarded-For/-Proto (0: trust none).
        "PROXY_COUNT": _env_int("PROXY_COUNT", 0),
        # Rate limits (Flask-Limiter syntax); stored in Redis when REDIS_URL is set. While
        # Redis is unreachable each process counts in its own memory, so signing in still works
        # (and is still limited); it goes back to Redis once Redis answers again.
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # A Redis that hangs rather than refuses must not hang every sign-in with it.
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        "RATELIMIT_ENABLED": _env_bool("RATELIMIT_ENABLED", True),
        "SIGN_IN_RATE_LIMIT": os.environ.get("SIGN_IN_RATE_LIMIT", "10 per minute; 50 per hour"),
        "RESET_RATE_LIMIT": os.environ.get("RESET_RATE_LIMIT", "5 per minute; 20 per hour"),
        # Registering: per address of the person registering, and per email address registered.
        "REGISTER_RATE_LIMIT": os.environ.get("REGISTER_RATE_LIMIT", "5 per minute; 20 per hour"),
        "REGISTER_EMAIL_RATE_LIMIT": os.environ.get("REGISTER_EMAIL_RATE_LIMIT", "3 per hour"),
        # Accounts
        "PASSWORD_HASH_TIME_COST": _env_int("PASSWORD_HASH_TIME_COST", 3),
        "VERIFY_EMAIL_HOURS": _env_int("VERIFY_EMAIL_HOURS", 72),
        "RESET_PASSWORD_MINUTES": _env_int("RESET_PASSWORD_MINUTES", 60),
        "INVITATION_DAYS": _env_int("INVITATION_DAYS", 14),
        # Awards: how long an organisation has to accept an offer, by default.
        "OFFER_ACCEPTANCE_DAYS": _env_int("OFFER_ACCEPTANCE_DAYS", 28),
        "STAFF_TWO_FACTOR": _env_bool("STAFF_TWO_FACTOR", True),
        # Mail: SMTP when MAIL_SERVER is set, otherwise .eml files in the outbox folder.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": _env_int("MAIL_PORT", 587),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _env_bool("MAIL_USE_TLS", True),
        "MAIL_USE_SSL": _env_bool("MAIL_USE_SSL", False),
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "grants@example.org"),
        "MAIL_OUTBOX": os.environ.get("MAIL_OUTBOX") or str(instance_path / "outbox"),
        # The council: the portal is not tied to any one council.
        "COUNCIL_NAME": os.environ.get("COUNCIL_NAME", "Your Council"),
        "SERVICE_NAME": os.environ.get("SERVICE_NAME", "Community grants and commissioning"),
        "COUNCIL_URL": os.environ.get("COUNCIL_URL", "/"),
        "COUNCIL_CONTACT_EMAIL": os.environ.get("COUNCIL_CONTACT_EMAIL", "grants@example.org"),
        "COUNCIL_ORG_ID": os.environ.get("COUNCIL_ORG_ID", ""),
        # Open data: the council's 360Giving publisher prefix (its grant ids start with it),
        # the department named in the Transparency Code file, and the licence published under.
        "GRANT_ID_PREFIX": os.environ.get("GRANT_ID_PREFIX", ""),
        "OPEN_DATA_DEPARTMENT": os.environ.get("OPEN_DATA_DEPARTMENT", "Communities"),
        "OPEN_DATA_LICENCE_NAME": os.environ.get("OPEN_DATA_LICENCE_NAME",
                                                 "Open Government Licence v3.0"),
        "OPEN_DATA_LICENCE_URL": os.environ.get(
            "OPEN_DATA_LICENCE_URL",
            "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"),
        # Decisions: an award, or a round's approved total, above this (in pounds) is a key
        # decision that only Cabinet can make.
        "KEY_DECISION_THRESHOLD_PENCE": _env_pounds("KEY_DECISION_THRESHOLD", 500_000_00),
        # Subsidy control: Minimal Financial Assistance to one organisation over this and the
        # previous two financial years may not pass this (in pounds).
        "SUBSIDY_THRESHOLD_PENCE": _env_pounds("SUBSIDY_THRESHOLD", 315_000_00),
        # Award letters: the letterhead and who signs them. The address is one line per part,
        # separated by "|"; the logo is a file under static/ (empty for none).
        "COUNCIL_ADDRESS": os.environ.get("COUNCIL_ADDRESS", "Council offices|Town Hall"),
        "LETTER_LOGO": os.environ.get("LETTER_LOGO", "images/favicon.svg"),
        "LETTER_SIGNATORY_NAME": os.environ.get("LETTER_SIGNATORY_NAME", "Head of Communities"),
        "LETTER_SIGNATORY_POSITION": os.environ.get("LETTER_SIGNATORY_POSITION",
                                                    "On behalf of the council"),
        # A round's letters are produced by jobs of this many letters each, so that every
        # worker takes a share of one round.
        "LETTER_BATCH_CHUNK": _env_int("LETTER_BATCH_CHUNK", 25),
    }


def _file_store(instance_path: Path) -> dict:
    """FILE_STORE and the settings of each store. The folders are used by the `folder` store
    only, and none may be inside static/."""
    store = os.environ.get("FILE_STORE") or "folder"
    if store not in {"folder", "database", "s3"}:
        raise ConfigurationError(f"FILE_STORE must be folder, database or s3, not {store!r}")
    bucket = os.environ.get("S3_BUCKET", "")
    if store == "s3" and not bucket:
        raise ConfigurationError("S3_BUCKET must be set when FILE_STORE is s3")
    if store == "s3" and importlib.util.find_spec("boto3") is None:
        raise ConfigurationError("FILE_STORE=s3 needs boto3: pip install '.[s3]'")
    return {
        "FILE_STORE": store,
        # Uploaded documents, under random names.
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER") or str(instance_path / "uploads"),
        # Rendered letters, under their sha256.
        "LETTER_FOLDER": os.environ.get("LETTER_FOLDER") or str(instance_path / "letters"),
        # Exported spreadsheets made by background jobs.
        "EXPORT_FOLDER": os.environ.get("EXPORT_FOLDER") or str(instance_path / "exports"),
        # Published open-data files, kept for the publication history.
        "OPEN_DATA_FOLDER": os.environ.get("OPEN_DATA_FOLDER") or str(instance_path / "open-data"),
        "S3_BUCKET": bucket,
        # Unset for AWS itself; the endpoint of any other S3-compatible store.
        "S3_ENDPOINT_URL": os.environ.get("S3_ENDPOINT_URL") or None,
        # Put before every key, e.g. "portal/" to share a bucket.
        "S3_PREFIX": os.environ.get("S3_PREFIX", ""),
    }


def sqlalchemy_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
