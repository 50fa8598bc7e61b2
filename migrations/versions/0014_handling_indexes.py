"""covering indexes for handling times and returns in the reports

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-23

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

CLOSED = ['state', 'closed_at', 'department_id', 'district_id', 'dispatched_at']
ACTIONS = ['action', 'at', 'actor_id', 'order_id']


def upgrade():
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.create_index('ix_work_orders_closed', CLOSED, unique=False)
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_action_at', ACTIONS, unique=False)


def downgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_action_at')
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_work_orders_closed')
