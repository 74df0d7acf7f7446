"""Indexes for the officers' applications list: its sorts and filters, and trigram search on PostgreSQL

Revision ID: b71c4bb74fa6
Revises: 97478e5fd8f6
Create Date: 2026-12-07 06:39:46.018573

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b71c4bb74fa6'
down_revision = '97478e5fd8f6'
branch_labels = None
depends_on = None

# (index, table, column): the list's search, `lower(column) LIKE '%text%'`, reads these on
# PostgreSQL (pg_trgm). They are not in the models, which SQLite shares; models.types
# .include_migration_object keeps autogenerate from dropping them.
TRIGRAM_INDEXES = [
    ("ix_applications_reference_trgm", "applications", "reference"),
    ("ix_applications_title_trgm", "applications", "title"),
    ("ix_organisations_name_trgm", "organisations", "name"),
]

# (index, table, columns) the models declare.
INDEXES = [
    ("ix_application_themes_theme_id_application_id", "application_themes",
     ["theme_id", "application_id"]),
    ("ix_application_wards_ward_id_application_id", "application_wards",
     ["ward_id", "application_id"]),
    ("ix_applications_amount_id", "applications", ["amount_requested_pence", "id"]),
    ("ix_applications_round_submitted_at_id", "applications", ["round_id", "submitted_at", "id"]),
    ("ix_applications_status_amount_id", "applications",
     ["status", "amount_requested_pence", "id"]),
    ("ix_applications_status_reference", "applications", ["status", "reference"]),
    ("ix_applications_status_submitted_at_id", "applications", ["status", "submitted_at", "id"]),
    ("ix_applications_submitted_at_id", "applications", ["submitted_at", "id"]),
    ("ix_organisations_lower_name", "organisations", [sa.text("lower(name)")]),
]


def upgrade():
    # The composite indexes lead with the round and the status: the single ones are redundant.
    op.drop_index("ix_applications_round_id", table_name="applications")
    op.drop_index("ix_applications_status", table_name="applications")
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, table, column in TRIGRAM_INDEXES:
            op.create_index(name, table, [sa.text(f"lower({column}) gin_trgm_ops")],
                            postgresql_using="gin")


def downgrade():
    # The pg_trgm extension stays: something else may have come to use it.
    if op.get_bind().dialect.name == "postgresql":
        for name, table, _ in TRIGRAM_INDEXES:
            op.drop_index(name, table_name=table)
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.create_index("ix_applications_status", "applications", ["status"], unique=False)
    op.create_index("ix_applications_round_id", "applications", ["round_id"], unique=False)
