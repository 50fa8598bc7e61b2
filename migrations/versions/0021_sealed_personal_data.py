"""Callers' personal data sealed at rest (SM4-GCM) and found by a blind index (HMAC-SM3)

work_orders.caller_phone, caller_name, caller_address and caller_email, incidents' and
bookings' caller_phone and the SMS recipients in the outbox are sealed with the app's data
key (hotline/encryption.py); work_orders.caller_phone_index holds the phone's keyed hash for
exact lookups. Existing rows are sealed here, in batches. On SQLite, run
`flask --app wsgi hotline compact` afterwards so that no page of the file keeps the old
plaintext (docs/SECURITY.md).

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-28

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

BATCH = 1000
# (table, sealed columns): the purpose each value is bound to is "<table>.<column>".
SEALED = {
    'work_orders': ('caller_phone', 'caller_name', 'caller_address', 'caller_email'),
    'incidents': ('caller_phone',),
    'bookings': ('caller_phone',),
}


def upgrade():
    op.add_column('work_orders', sa.Column('caller_phone_index', sa.String(length=64),
                                           nullable=True))
    op.drop_index('ix_work_orders_caller_phone_created', table_name='work_orders')
    op.create_index('ix_work_orders_caller_phone_index_created', 'work_orders',
                    ['caller_phone_index', 'created_at'], unique=False)
    # Sealed values are longer than the old VARCHAR limits. SQLite ignores declared lengths
    # (and recreating work_orders there would trip the foreign keys pointing at it), so the
    # types change on PostgreSQL only; hotline.database.compare_type knows this.
    if op.get_bind().dialect.name == 'postgresql':
        for table, columns in SEALED.items():
            for column in columns:
                op.alter_column(table, column, type_=sa.Text())
    _seal_existing_rows()


def _seal_existing_rows():
    from hotline.core import crypto
    from hotline.encryption import keyring

    ring = keyring()
    bind = op.get_bind()
    for table, columns in SEALED.items():
        last = 0
        while True:
            rows = bind.execute(
                sa.text(f"SELECT id, {', '.join(columns)} FROM {table} WHERE id > :last "
                        f"ORDER BY id LIMIT {BATCH}"),
                {'last': last},
            ).all()
            if not rows:
                break
            for row in rows:
                values = {}
                for column, value in zip(columns, row[1:]):
                    if value and not crypto.is_sealed(value):
                        values[column] = ring.seal(value, f'{table}.{column}')
                if table == 'work_orders' and row[1]:
                    plain = row[1] if not crypto.is_sealed(row[1]) else ring.open(
                        row[1], 'work_orders.caller_phone')
                    values['caller_phone_index'] = ring.blind_index(plain, 'phone')
                if values:
                    assignments = ', '.join(f'{name} = :{name}' for name in values)
                    bind.execute(sa.text(f'UPDATE {table} SET {assignments} WHERE id = :id'),
                                 {**values, 'id': row[0]})
            last = rows[-1][0]
    notes = bind.execute(sa.text("SELECT id, recipient FROM notifications WHERE channel = 'sms'"))
    for note_id, recipient in notes.all():
        if recipient and not crypto.is_sealed(recipient):
            bind.execute(sa.text('UPDATE notifications SET recipient = :r WHERE id = :id'),
                         {'r': ring.seal(recipient[:32], 'notifications.recipient'),
                          'id': note_id})


def downgrade():
    from hotline.core import crypto
    from hotline.encryption import keyring

    ring = keyring()
    bind = op.get_bind()
    for table, columns in SEALED.items():
        rows = bind.execute(sa.text(f"SELECT id, {', '.join(columns)} FROM {table}")).all()
        for row in rows:
            values = {column: ring.open(value, f'{table}.{column}')
                      for column, value in zip(columns, row[1:]) if crypto.is_sealed(value)}
            if values:
                assignments = ', '.join(f'{name} = :{name}' for name in values)
                bind.execute(sa.text(f'UPDATE {table} SET {assignments} WHERE id = :id'),
                             {**values, 'id': row[0]})
    notes = bind.execute(sa.text("SELECT id, recipient FROM notifications WHERE channel = 'sms'"))
    for note_id, recipient in notes.all():
        if crypto.is_sealed(recipient):
            bind.execute(sa.text('UPDATE notifications SET recipient = :r WHERE id = :id'),
                         {'r': ring.open(recipient, 'notifications.recipient'), 'id': note_id})
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_work_orders_caller_phone_index_created')
        batch_op.create_index('ix_work_orders_caller_phone_created',
                              ['caller_phone', 'created_at'], unique=False)
        batch_op.drop_column('caller_phone_index')
