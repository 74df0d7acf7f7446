"""Contracts pay their quarterly instalments in advance (the default) or in arrears

Revision ID: ae328e260117
Revises: cfaf03d5bdc3
Create Date: 2026-11-27 09:52:15.243599

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ae328e260117'
down_revision = 'cfaf03d5bdc3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pays_in_advance', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_column('pays_in_advance')
