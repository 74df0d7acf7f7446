"""Column types shared by the models."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database.

    SQLite drops the offset on the way out, so values are normalised to UTC on the way in and
    marked as UTC again when read.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use models.base.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_type(enum_class: type) -> Enum:
    """Store an enum as its string value, portably (no native PostgreSQL enum to migrate)."""
    return Enum(
        enum_class,
        native_enum=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def render_migration_item(kind: str, obj, autogen_context):
    """Alembic's render_item hook: write UTCDateTime as a plain timezone-aware DateTime, so that
    migration scripts never import the models."""
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def include_migration_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's include_object hook: the PostgreSQL-only trigram indexes (named *_trgm, made
    by a migration, not declared in the models that SQLite shares) are not to be dropped."""
    return not (type_ == "index" and reflected and compare_to is None
                and (name or "").endswith("_trgm"))
