"""The phone line

agents: a person's extension, the SIP digest's HA1 (sealed), queues (skills) and state,
with a version for compare-and-set; calls: every call's way through the queue and how it
ended, with what it produced (ix_calls_state_queued: retention's anonymisation; ix_calls_figures: the call figures
from the index alone); malicious_numbers.to_supervisor: such a number's calls go to
a supervisor.

Revision ID: 0031
Revises: 0030
Create Date: 2026-11-29

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'calls',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('sip_call_id', sa.String(length=255), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('direction', sa.String(length=8), nullable=False),
        sa.Column('queue', sa.String(length=16), nullable=False),
        sa.Column('caller', sa.Text(), nullable=False),
        sa.Column('caller_index', sa.String(length=64), nullable=True),
        sa.Column('called', sa.String(length=32), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('outcome', sa.String(length=16), nullable=True),
        sa.Column('queued_at', sa.DateTime(), nullable=False),
        sa.Column('offered_at', sa.DateTime(), nullable=True),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('last_poll_at', sa.DateTime(), nullable=True),
        sa.Column('offers', sa.Integer(), nullable=False),
        sa.Column('agent_id', sa.Integer(), nullable=True),
        sa.Column('flagged', sa.Boolean(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=True),
        sa.Column('incident_id', sa.Integer(), nullable=True),
        sa.Column('recording', sa.String(length=255), nullable=True),
        sa.Column('reconciled', sa.Boolean(), nullable=False),
        sa.Column('dial_token', sa.String(length=64), nullable=True),
        sa.Column('dial_expires_at', sa.DateTime(), nullable=True),
        sa.Column('returns_call_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['agent_id'], ['users.id'], name=op.f('fk_calls_agent_id_users')),
        sa.ForeignKeyConstraint(['order_id'], ['work_orders.id'],
                                name=op.f('fk_calls_order_id_work_orders')),
        sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'],
                                name=op.f('fk_calls_incident_id_incidents')),
        sa.ForeignKeyConstraint(['returns_call_id'], ['calls.id'],
                                name=op.f('fk_calls_returns_call_id_calls')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calls')),
        sa.UniqueConstraint('sip_call_id', name=op.f('uq_calls_sip_call_id')),
        sa.UniqueConstraint('dial_token', name=op.f('uq_calls_dial_token')),
    )
    op.create_index('ix_calls_queue_state_queued', 'calls', ['queue', 'state', 'queued_at'])
    op.create_index('ix_calls_queued_at', 'calls', ['queued_at'])
    op.create_index('ix_calls_caller_index', 'calls', ['caller_index', 'queued_at'])
    op.create_index('ix_calls_state_queued', 'calls', ['state', 'queued_at'])
    op.create_index('ix_calls_figures', 'calls', ['queued_at', 'direction', 'queue', 'agent_id',
                                                  'outcome', 'answered_at', 'ended_at'])
    op.create_index(op.f('ix_calls_returns_call_id'), 'calls', ['returns_call_id'])
    op.create_table(
        'agents',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('extension', sa.String(length=16), nullable=False),
        sa.Column('ha1', sa.Text(), nullable=False),
        sa.Column('skills', sa.String(length=64), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('state_since', sa.DateTime(), nullable=False),
        sa.Column('break_reason', sa.String(length=60), nullable=False),
        sa.Column('ready_since', sa.DateTime(), nullable=True),
        sa.Column('after_call_until', sa.DateTime(), nullable=True),
        sa.Column('call_id', sa.Integer(), nullable=True),
        sa.Column('registered_until', sa.DateTime(), nullable=True),
        sa.Column('credential_issued_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_agents_user_id_users')),
        sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_agents_call_id_calls')),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_agents')),
        sa.UniqueConstraint('extension', name=op.f('uq_agents_extension')),
    )
    op.create_index('ix_agents_waiting', 'agents', ['ready_since', 'user_id'],
                    sqlite_where=sa.text("state IN ('ready', 'after_call')"),
                    postgresql_where=sa.text("state IN ('ready', 'after_call')"))
    op.add_column(
        'malicious_numbers',
        sa.Column('to_supervisor', sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade():
    with op.batch_alter_table('malicious_numbers', schema=None) as batch_op:
        batch_op.drop_column('to_supervisor')
    op.drop_index('ix_agents_waiting', table_name='agents')
    op.drop_table('agents')
    op.drop_index(op.f('ix_calls_returns_call_id'), table_name='calls')
    op.drop_index('ix_calls_figures', table_name='calls')
    op.drop_index('ix_calls_state_queued', table_name='calls')
    op.drop_index('ix_calls_caller_index', table_name='calls')
    op.drop_index('ix_calls_queued_at', table_name='calls')
    op.drop_index('ix_calls_queue_state_queued', table_name='calls')
    op.drop_table('calls')
