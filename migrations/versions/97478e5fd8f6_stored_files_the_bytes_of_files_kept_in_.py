"""stored files: the bytes of files kept in the database (FILE_STORE=database)

Revision ID: 97478e5fd8f6
Revises: a25573b07274
Create Date: 2026-12-07 06:39:08.257250

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '97478e5fd8f6'
down_revision = 'a25573b07274'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('bytes', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('size >= 0', name=op.f('ck_stored_files_size_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_files')),
    sa.UniqueConstraint('kind', 'name', name=op.f('uq_stored_files_kind'))
    )
    if op.get_bind().dialect.name == "postgresql":
        # PDFs, Word and Excel files (ZIPs) and images are compressed already: store them out
        # of line without PostgreSQL trying to compress them again.
        op.execute("ALTER TABLE stored_files ALTER COLUMN bytes SET STORAGE EXTERNAL")


def downgrade():
    op.drop_table('stored_files')
