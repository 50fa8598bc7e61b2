"""Co-handling, transfers and second-level dispatch

order_tasks holds the work on an order besides its lead unit's own: assistance asked of
other units (协办, 吹哨) and second-level dispatch to a sub-unit or a staff member (二级派单).
transfer_rules lists the unit pairs an admin allows to transfer orders directly (转办).
work_orders gains transfer_count and arbitration (an order returned or transferred for the
third time waits for a supervisor); every existing order starts at 0 and '' (its figures are
unchanged).

Revision ID: 0027
Revises: 0026
Create Date: 2026-11-29

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'order_tasks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('lead_department_id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('assignee_id', sa.Integer(), nullable=True),
        sa.Column('whistle', sa.Boolean(), nullable=False),
        sa.Column('instruction', sa.Text(), nullable=False),
        sa.Column('due_at', sa.DateTime(), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('reply_text', sa.Text(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('accepted_at', sa.DateTime(), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('finished_by_id', sa.Integer(), nullable=True),
        sa.Column('overdue_told_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['order_id'], ['work_orders.id'],
                                name=op.f('fk_order_tasks_order_id_work_orders')),
        sa.ForeignKeyConstraint(['lead_department_id'], ['departments.id'],
                                name=op.f('fk_order_tasks_lead_department_id_departments')),
        sa.ForeignKeyConstraint(['department_id'], ['departments.id'],
                                name=op.f('fk_order_tasks_department_id_departments')),
        sa.ForeignKeyConstraint(['assignee_id'], ['users.id'],
                                name=op.f('fk_order_tasks_assignee_id_users')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_order_tasks_created_by_id_users')),
        sa.ForeignKeyConstraint(['finished_by_id'], ['users.id'],
                                name=op.f('fk_order_tasks_finished_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_order_tasks')),
    )
    op.create_index(op.f('ix_order_tasks_order_id'), 'order_tasks', ['order_id'])
    op.create_index('ix_order_tasks_department_state', 'order_tasks', ['department_id', 'state'])
    op.create_index('ix_order_tasks_assignee_state', 'order_tasks', ['assignee_id', 'state'])
    op.create_index('ix_order_tasks_report', 'order_tasks',
                    ['kind', 'created_at', 'department_id', 'state', 'whistle', 'accepted_at',
                     'finished_at', 'due_at'])
    op.create_table(
        'transfer_rules',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('from_department_id', sa.Integer(), nullable=False),
        sa.Column('to_department_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['from_department_id'], ['departments.id'],
                                name=op.f('fk_transfer_rules_from_department_id_departments')),
        sa.ForeignKeyConstraint(['to_department_id'], ['departments.id'],
                                name=op.f('fk_transfer_rules_to_department_id_departments')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_transfer_rules')),
        sa.UniqueConstraint('from_department_id', 'to_department_id', name='uq_transfer_rule'),
    )
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('transfer_count', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('arbitration', sa.String(length=12), nullable=False,
                                      server_default=''))


def downgrade():
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.drop_column('arbitration')
        batch_op.drop_column('transfer_count')
    op.drop_table('transfer_rules')
    op.drop_index('ix_order_tasks_report', table_name='order_tasks')
    op.drop_index('ix_order_tasks_assignee_state', table_name='order_tasks')
    op.drop_index('ix_order_tasks_department_state', table_name='order_tasks')
    op.drop_index(op.f('ix_order_tasks_order_id'), table_name='order_tasks')
    op.drop_table('order_tasks')
