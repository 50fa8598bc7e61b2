"""covering indexes for the statistics reports

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

REPORT = ['created_at', 'order_type', 'channel', 'category_id', 'district_id', 'department_id',
          'state']
DISTRICT = ['district_id', 'created_at', 'order_type', 'channel', 'category_id',
            'department_id', 'state']
DISPATCHED = ['dispatched_at', 'department_id', 'district_id', 'accepted_in_time']
DUE = ['due_at', 'state', 'department_id', 'district_id', 'closed_at']
ANSWERS = ['state', 'completed_at', 'order_id', 'resolved', 'satisfaction', 'reopened']


def upgrade():
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.create_index('ix_work_orders_report', REPORT, unique=False)
        batch_op.create_index('ix_work_orders_district_report', DISTRICT, unique=False)
        batch_op.drop_index('ix_work_orders_district_id')
        batch_op.create_index('ix_work_orders_dispatched', DISPATCHED, unique=False)
        batch_op.create_index('ix_work_orders_due', DUE, unique=False)
        batch_op.create_index('ix_work_orders_owner', ['id', 'department_id', 'district_id'],
                              unique=False)
    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.drop_index('ix_callbacks_created')
        batch_op.create_index('ix_callbacks_created', ['created_at', 'state', 'order_id'],
                              unique=False)
        batch_op.create_index('ix_callbacks_answers', ANSWERS, unique=False)
        batch_op.create_index('ix_callbacks_commented', ['completed_at'], unique=False,
                              sqlite_where=sa.text("comment != ''"),
                              postgresql_where=sa.text("comment != ''"))


def downgrade():
    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.drop_index('ix_callbacks_commented')
        batch_op.drop_index('ix_callbacks_answers')
        batch_op.drop_index('ix_callbacks_created')
        batch_op.create_index('ix_callbacks_created', ['created_at'], unique=False)
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_work_orders_owner')
        batch_op.drop_index('ix_work_orders_due')
        batch_op.drop_index('ix_work_orders_dispatched')
        batch_op.create_index('ix_work_orders_district_id', ['district_id'], unique=False)
        batch_op.drop_index('ix_work_orders_district_report')
        batch_op.drop_index('ix_work_orders_report')
