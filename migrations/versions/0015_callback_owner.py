"""callbacks keep the rated department and the district; KPI indexes on them

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-23

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

ANSWERS = ['state', 'completed_at', 'department_id', 'district_id', 'resolved', 'satisfaction',
           'reopened']
OLD_ANSWERS = ['state', 'completed_at', 'order_id', 'resolved', 'satisfaction', 'reopened']


def upgrade():
    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('department_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('district_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_callbacks_department_id_departments'),
                                    'departments', ['department_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_callbacks_district_id_districts'),
                                    'districts', ['district_id'], ['id'])
    # Existing callbacks: the order's department and district now (the best there is).
    op.execute(
        "UPDATE callbacks SET department_id = (SELECT w.department_id FROM work_orders w "
        "WHERE w.id = callbacks.order_id), district_id = (SELECT w.district_id FROM "
        "work_orders w WHERE w.id = callbacks.order_id)"
    )
    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.drop_index('ix_callbacks_answers')
        batch_op.drop_index('ix_callbacks_created')
        batch_op.create_index('ix_callbacks_created',
                              ['created_at', 'state', 'department_id', 'district_id'],
                              unique=False)
        batch_op.create_index('ix_callbacks_answers', ANSWERS, unique=False)


def downgrade():
    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.drop_index('ix_callbacks_answers')
        batch_op.drop_index('ix_callbacks_created')
        batch_op.create_index('ix_callbacks_created', ['created_at', 'state', 'order_id'],
                              unique=False)
        batch_op.create_index('ix_callbacks_answers', OLD_ANSWERS, unique=False)
        batch_op.drop_constraint(batch_op.f('fk_callbacks_district_id_districts'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_callbacks_department_id_departments'),
                                 type_='foreignkey')
        batch_op.drop_column('district_id')
        batch_op.drop_column('department_id')
