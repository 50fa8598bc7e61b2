"""Supervision notices (督办单)

A supervisor's formal instruction on an order, with the time by which the handling unit must
answer; an unanswered notice is escalated to the officials by the scheduler.

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-28

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'supervision_notices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=32), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=True),
        sa.Column('issued_by_id', sa.Integer(), nullable=False),
        sa.Column('issued_at', sa.DateTime(), nullable=False),
        sa.Column('instruction', sa.Text(), nullable=False),
        sa.Column('respond_by', sa.DateTime(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('answer', sa.Text(), nullable=False),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.Column('escalated_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'],
                                name=op.f('fk_supervision_notices_answered_by_id_users')),
        sa.ForeignKeyConstraint(['department_id'], ['departments.id'],
                                name=op.f('fk_supervision_notices_department_id_departments')),
        sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'],
                                name=op.f('fk_supervision_notices_issued_by_id_users')),
        sa.ForeignKeyConstraint(['order_id'], ['work_orders.id'],
                                name=op.f('fk_supervision_notices_order_id_work_orders')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_notices')),
        sa.UniqueConstraint('number', name=op.f('uq_supervision_notices_number')),
    )
    op.create_index(op.f('ix_supervision_notices_order_id'), 'supervision_notices',
                    ['order_id'], unique=False)
    op.create_index(op.f('ix_supervision_notices_state'), 'supervision_notices', ['state'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_supervision_notices_state'), table_name='supervision_notices')
    op.drop_index(op.f('ix_supervision_notices_order_id'), table_name='supervision_notices')
    op.drop_table('supervision_notices')
