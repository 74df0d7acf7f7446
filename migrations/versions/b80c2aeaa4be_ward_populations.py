"""Wards' populations, for per head figures

Revision ID: b80c2aeaa4be
Revises: 9d017b21baf0
Create Date: 2026-12-07 15:34:17.855579

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b80c2aeaa4be'
down_revision = '9d017b21baf0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('wards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('population', sa.Integer(), nullable=True))
        # Autogenerate does not see check constraints on an existing table.
        batch_op.create_check_constraint(
            batch_op.f('ck_wards_population_not_negative'), 'population >= 0')


def downgrade():
    with op.batch_alter_table('wards', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_wards_population_not_negative'), type_='check')
        batch_op.drop_column('population')
