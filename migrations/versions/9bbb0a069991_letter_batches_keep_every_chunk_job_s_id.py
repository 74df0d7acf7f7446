"""Letter batches keep every chunk job's id (a round's letters are split into jobs)

Revision ID: 9bbb0a069991
Revises: 2f63fcb2a9d6
Create Date: 2026-12-07 12:24:13.842882

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9bbb0a069991'
down_revision = '2f63fcb2a9d6'
branch_labels = None
depends_on = None

batches = sa.table('letter_batches', sa.column('id', sa.Integer), sa.column('job_id', sa.String),
                   sa.column('job_ids', sa.JSON))


def upgrade():
    with op.batch_alter_table('letter_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('job_ids', sa.JSON(), nullable=True))
    connection = op.get_bind()
    # A batch queued before keeps its one job (an in-process one had none).
    for batch_id, job_id in connection.execute(sa.select(batches.c.id, batches.c.job_id)).all():
        connection.execute(batches.update().where(batches.c.id == batch_id)
                           .values(job_ids=[job_id] if job_id else []))
    with op.batch_alter_table('letter_batches', schema=None) as batch_op:
        batch_op.alter_column('job_ids', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column('job_id')


def downgrade():
    with op.batch_alter_table('letter_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('job_id', sa.VARCHAR(length=64), nullable=False,
                                      server_default=''))
    connection = op.get_bind()
    # Only the first job can be kept.
    for batch_id, job_ids in connection.execute(sa.select(batches.c.id,
                                                          batches.c.job_ids)).all():
        connection.execute(batches.update().where(batches.c.id == batch_id)
                           .values(job_id=job_ids[0] if job_ids else ''))
    with op.batch_alter_table('letter_batches', schema=None) as batch_op:
        batch_op.alter_column('job_id', existing_type=sa.VARCHAR(length=64),
                              server_default=None)
        batch_op.drop_column('job_ids')
