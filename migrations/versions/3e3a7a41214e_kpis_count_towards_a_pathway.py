"""KPIs count towards a pathway

Revision ID: 3e3a7a41214e
Revises: db2d0c74005c
Create Date: 2026-12-07 17:43:23.706484

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3e3a7a41214e'
down_revision = 'db2d0c74005c'
branch_labels = None
depends_on = None

# SQLite's batch mode copies the table to drop the column; reflecting the tables it refers to,
# and theirs, would reach organisations' expression index, which SQLite cannot reflect.
NO_RESOLVE = {"resolve_fks": False}


def upgrade():
    # Nullable: existing KPIs are in no pathway until a commissioner says which.
    with op.batch_alter_table('kpis', schema=None, reflect_kwargs=NO_RESOLVE) as batch_op:
        batch_op.add_column(sa.Column(
            'pathway', sa.Enum('financial_hardship', 'into_work', 'social_isolation',
                               name='pathway', native_enum=False, length=32),
            nullable=True))


def downgrade():
    with op.batch_alter_table('kpis', schema=None, reflect_kwargs=NO_RESOLVE) as batch_op:
        batch_op.drop_column('pathway')
