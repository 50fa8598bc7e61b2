"""one vocabulary: the 12345 desk routes (not dispatches), 回访 are surveys, 举报 is a tip-off

Stored values that named two things are renamed (see docs/GLOSSARY.md):
- users.role: dispatcher -> desk, callback -> surveyor (and the in-app role addresses)
- work_orders.state dispatched -> routed, order_type report -> tip_off,
  columns dispatched_at -> routed_at and callback_consent -> survey_consent
- time_limit_rules.order_type report -> tip_off
- audit_events: dispatch -> route, redispatch -> reroute, callback_* -> survey_*,
  states dispatched -> routed (the append-only triggers are lifted for this one rewrite)
- the callbacks table becomes surveys, with its indexes and constraints

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-28

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

ROLES = [('dispatcher', 'desk'), ('callback', 'surveyor')]
STATES = [('dispatched', 'routed')]
TYPES = [('report', 'tip_off')]
ACTIONS = [('dispatch', 'route'), ('redispatch', 'reroute')] + [
    (f'callback_{what}', f'survey_{what}')
    for what in ('scheduled', 'skipped', 'answered', 'not_reached', 'declined', 'later')
]
INDEXES = ['completed', 'commented', 'state_due', 'created', 'answers']
FOREIGN_KEYS = [('completed_by_id', 'users'), ('order_id', 'work_orders'),
                ('department_id', 'departments'), ('district_id', 'districts')]

SQLITE_TRIGGERS = [
    "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events\n"
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events\n"
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
]


def _update(table, column, pairs):
    for old, new in pairs:
        op.execute(sa.text(f"UPDATE {table} SET {column} = :new WHERE {column} = :old")
                   .bindparams(old=old, new=new))


def _audit_rewrite(actions, states):
    """Rewrite stored audit values with the append-only triggers lifted, in this transaction."""
    postgres = op.get_bind().dialect.name == 'postgresql'
    if postgres:
        op.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change")
    else:
        op.execute("DROP TRIGGER audit_events_no_update")
        op.execute("DROP TRIGGER audit_events_no_delete")
    _update('audit_events', 'action', actions)
    _update('audit_events', 'from_state', states)
    _update('audit_events', 'to_state', states)
    if postgres:
        op.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_change")
    else:
        for sql in SQLITE_TRIGGERS:
            op.execute(sql)


def _rename_table(old, new):
    if op.get_bind().dialect.name == 'postgresql':
        op.rename_table(old, new)
        op.execute(f"ALTER SEQUENCE {old}_id_seq RENAME TO {new}_id_seq")
        op.execute(f"ALTER TABLE {new} RENAME CONSTRAINT pk_{old} TO pk_{new}")
        op.execute(f"ALTER TABLE {new} RENAME CONSTRAINT uq_{old}_order_round "
                   f"TO uq_{new}_order_round")
        for column, target in FOREIGN_KEYS:
            op.execute(f"ALTER TABLE {new} RENAME CONSTRAINT fk_{old}_{column}_{target} "
                       f"TO fk_{new}_{column}_{target}")
        for name in INDEXES:
            op.execute(f"ALTER INDEX ix_{old}_{name} RENAME TO ix_{new}_{name}")
        return
    # SQLite keeps constraint names inside CREATE TABLE: copy the table under the new names.
    op.rename_table(old, new)
    naming = {'pk': f'pk_{new}'}
    with op.batch_alter_table(new, recreate='always', naming_convention=naming) as batch_op:
        batch_op.drop_constraint(f'uq_{old}_order_round', type_='unique')
        batch_op.create_unique_constraint(f'uq_{new}_order_round', ['order_id', 'round'])
        for column, target in FOREIGN_KEYS:
            batch_op.drop_constraint(f'fk_{old}_{column}_{target}', type_='foreignkey')
            batch_op.create_foreign_key(f'fk_{new}_{column}_{target}', target, [column], ['id'])
    columns = {
        'completed': ['completed_at'],
        'state_due': ['state', 'due_at'],
        'created': ['created_at', 'state', 'department_id', 'district_id'],
        'answers': ['state', 'completed_at', 'department_id', 'district_id', 'resolved',
                    'satisfaction', 'reopened'],
    }
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS ix_{old}_{name}")
    for name, cols in columns.items():
        op.create_index(f'ix_{new}_{name}', new, cols)
    op.create_index(f'ix_{new}_commented', new, ['completed_at'],
                    sqlite_where=sa.text("comment != ''"))


def _rename_columns(pairs):
    # Both databases rename in place and carry the indexes on the column along.
    for old, new in pairs:
        op.execute(f"ALTER TABLE work_orders RENAME COLUMN {old} TO {new}")


def _migrate(forward):
    flip = (lambda pairs: pairs) if forward else (lambda pairs: [(b, a) for a, b in pairs])
    _update('users', 'role', flip(ROLES))
    _update('notifications', 'recipient', flip([(f'role:{a}', f'role:{b}') for a, b in ROLES]))
    _update('work_orders', 'state', flip(STATES))
    _update('work_orders', 'order_type', flip(TYPES))
    _update('time_limit_rules', 'order_type', flip(TYPES))
    _audit_rewrite(flip(ACTIONS), flip(STATES))


def upgrade():
    _migrate(forward=True)
    _rename_columns([('dispatched_at', 'routed_at'), ('callback_consent', 'survey_consent')])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ALTER INDEX ix_work_orders_dispatched RENAME TO ix_work_orders_routed")
    else:
        op.execute("DROP INDEX ix_work_orders_dispatched")
        op.create_index('ix_work_orders_routed', 'work_orders',
                        ['routed_at', 'department_id', 'district_id', 'accepted_in_time'])
    _rename_table('callbacks', 'surveys')


def downgrade():
    _rename_table('surveys', 'callbacks')
    _rename_columns([('routed_at', 'dispatched_at'), ('survey_consent', 'callback_consent')])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ALTER INDEX ix_work_orders_routed RENAME TO ix_work_orders_dispatched")
    else:
        op.execute("DROP INDEX ix_work_orders_routed")
        op.create_index('ix_work_orders_dispatched', 'work_orders',
                        ['dispatched_at', 'department_id', 'district_id', 'accepted_in_time'])
    _migrate(forward=False)
