"""Documents kept with contracts

Revision ID: ad2a08a2c909
Revises: ae328e260117
Create Date: 2026-11-27 10:11:04.162425

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ad2a08a2c909'
down_revision = 'ae328e260117'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('contract_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('original_filename', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_contract_documents_contract_id_contracts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_contract_documents_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_documents')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_contract_documents_stored_name'))
    )
    with op.batch_alter_table('contract_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_documents_contract_id'), ['contract_id'], unique=False)


def downgrade():
    with op.batch_alter_table('contract_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_documents_contract_id'))

    op.drop_table('contract_documents')
