"""security_events (append-only), login_sessions and login_throttles

The security log records logins, failures, lock-outs, logouts, account and token changes
and reads of protected data; UPDATE, DELETE and TRUNCATE are refused by triggers, as on the
audit trail. Sessions are kept on the server so that logout and time-outs end them; the
throttle slows password guessing per address and per username.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-28

"""
from alembic import op
import sqlalchemy as sa

# A copy, frozen here: the models' append_only_ddl may change later, this migration not.
APPEND_ONLY = {
    "sqlite": [
        "CREATE TRIGGER security_events_no_update BEFORE UPDATE ON security_events\n"
        "BEGIN SELECT RAISE(ABORT, 'security_events is append-only'); END",
        "CREATE TRIGGER security_events_no_delete BEFORE DELETE ON security_events\n"
        "BEGIN SELECT RAISE(ABORT, 'security_events is append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION security_events_append_only() RETURNS trigger AS $$\n"
        "BEGIN RAISE EXCEPTION 'security_events is append-only'; END; $$ LANGUAGE plpgsql",
        "CREATE TRIGGER security_events_no_change BEFORE UPDATE OR DELETE ON security_events\n"
        "FOR EACH ROW EXECUTE FUNCTION security_events_append_only()",
        "CREATE TRIGGER security_events_no_truncate BEFORE TRUNCATE ON security_events\n"
        "FOR EACH STATEMENT EXECUTE FUNCTION security_events_append_only()",
    ],
}


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'security_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('subject_user_id', sa.Integer(), nullable=True),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('ip', sa.String(length=64), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=True),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'],
                                name=op.f('fk_security_events_actor_id_users')),
        sa.ForeignKeyConstraint(['subject_user_id'], ['users.id'],
                                name=op.f('fk_security_events_subject_user_id_users')),
        sa.ForeignKeyConstraint(['order_id'], ['work_orders.id'],
                                name=op.f('fk_security_events_order_id_work_orders')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_security_events')),
    )
    op.create_index('ix_security_events_at', 'security_events', ['at', 'kind'], unique=False)
    for sql in APPEND_ONLY[op.get_bind().dialect.name]:
        op.execute(sql)
    op.create_table(
        'login_sessions',
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('ip', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_login_sessions_user_id_users')),
        sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_login_sessions')),
    )
    op.create_index(op.f('ix_login_sessions_user_id'), 'login_sessions', ['user_id'],
                    unique=False)
    op.create_table(
        'login_throttles',
        sa.Column('bucket', sa.String(length=128), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failure_at', sa.DateTime(), nullable=False),
        sa.Column('next_allowed_at', sa.DateTime(), nullable=False),
        sa.Column('lock_failures', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('bucket', name=op.f('pk_login_throttles')),
    )


def downgrade():
    op.drop_table('login_throttles')
    op.drop_index(op.f('ix_login_sessions_user_id'), table_name='login_sessions')
    op.drop_table('login_sessions')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION IF EXISTS security_events_append_only() CASCADE')
    op.drop_index('ix_security_events_at', table_name='security_events')
    op.drop_table('security_events')
