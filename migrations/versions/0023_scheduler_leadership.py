"""The scheduler's leader and job runs, and the last errors, shared by every host

Several hosts each run a scheduler process; the one holding a PostgreSQL advisory lock leads
and refreshes scheduler_leader (one row); every job run is counted in scheduler_jobs, so that
/readyz and /metrics on any host know that the scheduler is alive and how late it is.
system_errors keeps the kind and place of each unexpected failure (no message: it may hold
personal data) for the administrators' health page.

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-28

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'scheduler_leader',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('holder', sa.String(length=128), nullable=False),
        sa.Column('since', sa.DateTime(), nullable=False),
        sa.Column('heartbeat_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduler_leader')),
    )
    op.create_table(
        'scheduler_jobs',
        sa.Column('job', sa.String(length=64), nullable=False),
        sa.Column('runs', sa.Integer(), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_started_at', sa.DateTime(), nullable=True),
        sa.Column('last_finished_at', sa.DateTime(), nullable=True),
        sa.Column('last_success_at', sa.DateTime(), nullable=True),
        sa.Column('last_duration_ms', sa.Integer(), nullable=True),
        sa.Column('last_error', sa.String(length=200), nullable=True),
        sa.Column('last_run_by', sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint('job', name=op.f('pk_scheduler_jobs')),
    )


    op.create_table(
        'system_errors',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('host', sa.String(length=128), nullable=False),
        sa.Column('source', sa.String(length=128), nullable=False),
        sa.Column('error', sa.String(length=200), nullable=False),
        sa.Column('request_id', sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_system_errors')),
    )
    op.create_index(op.f('ix_system_errors_at'), 'system_errors', ['at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_system_errors_at'), table_name='system_errors')
    op.drop_table('system_errors')
    op.drop_table('scheduler_jobs')
    op.drop_table('scheduler_leader')
