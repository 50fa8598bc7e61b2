"""120, the crew's side

assignments: the crew's acknowledgement (接单) and the dispatcher's alert when it is late,
the destination hospital and its desk's acknowledgement of the pre-alert; incidents: the
linked centre (联动) and its reference, unique per centre; patients and patient_entries:
the 院前急救病历, sealed; terminal_receipts: the answers to terminals' Idempotency-Keys;
users: a station duty room's station, a hospital desk's hospital; vehicles: the phone on
board.

Revision ID: 0032
Revises: 0031
Create Date: 2026-11-29

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('patients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('vehicle_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('sex', sa.String(length=8), nullable=False),
    sa.Column('age_years', sa.Integer(), nullable=True),
    sa.Column('age_estimated', sa.Boolean(), nullable=False),
    sa.Column('complaint_code', sa.String(length=16), nullable=False),
    sa.Column('history', sa.Text(), nullable=False),
    sa.Column('diagnosis_code', sa.String(length=16), nullable=False),
    sa.Column('diagnosis_note', sa.Text(), nullable=False),
    sa.Column('refusal', sa.String(length=16), nullable=False),
    sa.Column('refusal_reason', sa.Text(), nullable=False),
    sa.Column('handover_at', sa.DateTime(), nullable=True),
    sa.Column('receiving_doctor', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_patients_incident_id_incidents')),
    sa.ForeignKeyConstraint(['vehicle_id'], ['vehicles.id'], name=op.f('fk_patients_vehicle_id_vehicles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patients'))
    )
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patients_incident_id'), ['incident_id'], unique=False)

    op.create_table('terminal_receipts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vehicle_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('request_digest', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['vehicle_id'], ['vehicles.id'], name=op.f('fk_terminal_receipts_vehicle_id_vehicles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_terminal_receipts')),
    sa.UniqueConstraint('vehicle_id', 'key', name='uq_terminal_receipts_key')
    )
    with op.batch_alter_table('terminal_receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_terminal_receipts_created_at'), ['created_at'], unique=False)

    op.create_table('patient_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('values', sa.Text(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_patient_entries_patient_id_patients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patient_entries'))
    )
    with op.batch_alter_table('patient_entries', schema=None) as batch_op:
        batch_op.create_index('ix_patient_entries_patient_at', ['patient_id', 'at'], unique=False)

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acknowledged_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('ack_overdue_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('hospital_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('hospital_acknowledged_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('hospital_acknowledged_by_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_assignments_hospital_id'), ['hospital_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_assignments_hospital_id_hospitals'), 'hospitals', ['hospital_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_assignments_hospital_acknowledged_by_id_users'), 'users', ['hospital_acknowledged_by_id'], ['id'])
        batch_op.create_index('ix_assignments_unacknowledged', ['dispatched_at'], unique=False, sqlite_where=sa.text('cleared_at IS NULL AND acknowledged_at IS NULL'), postgresql_where=sa.text('cleared_at IS NULL AND acknowledged_at IS NULL'))
        batch_op.create_index('ix_assignments_open_hospital', ['hospital_id'], unique=False, sqlite_where=sa.text('cleared_at IS NULL'), postgresql_where=sa.text('cleared_at IS NULL'))
        batch_op.create_index('ix_assignments_open_vehicle', ['vehicle_id'], unique=False, sqlite_where=sa.text('cleared_at IS NULL'), postgresql_where=sa.text('cleared_at IS NULL'))
    # Jobs already under way at the upgrade were never on a terminal: no late-acknowledgement
    # alert for them.
    op.execute("UPDATE assignments SET ack_overdue_at = dispatched_at WHERE cleared_at IS NULL")

    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('source_ref', sa.String(length=64), nullable=False, server_default=''))
        batch_op.create_index('ix_incidents_created', ['created_at'], unique=False)
        batch_op.create_index('uq_incidents_source_ref', ['created_by_id', 'source_ref'], unique=True, sqlite_where=sa.text("source_ref != ''"), postgresql_where=sa.text("source_ref != ''"))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('station_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('hospital_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_users_hospital_id_hospitals'), 'hospitals', ['hospital_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_users_station_id_stations'), 'stations', ['station_id'], ['id'])

    with op.batch_alter_table('vehicles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=20), nullable=False, server_default=''))



def downgrade():
    with op.batch_alter_table('vehicles', schema=None) as batch_op:
        batch_op.drop_column('phone')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_station_id_stations'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_users_hospital_id_hospitals'), type_='foreignkey')
        batch_op.drop_column('hospital_id')
        batch_op.drop_column('station_id')

    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index('uq_incidents_source_ref', sqlite_where=sa.text("source_ref != ''"), postgresql_where=sa.text("source_ref != ''"))
        batch_op.drop_index('ix_incidents_created')
        batch_op.drop_column('source_ref')
        batch_op.drop_column('source')

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_assignments_hospital_acknowledged_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_assignments_hospital_id_hospitals'), type_='foreignkey')
        batch_op.drop_index('ix_assignments_open_vehicle', sqlite_where=sa.text('cleared_at IS NULL'), postgresql_where=sa.text('cleared_at IS NULL'))
        batch_op.drop_index('ix_assignments_open_hospital', sqlite_where=sa.text('cleared_at IS NULL'), postgresql_where=sa.text('cleared_at IS NULL'))
        batch_op.drop_index('ix_assignments_unacknowledged', sqlite_where=sa.text('cleared_at IS NULL AND acknowledged_at IS NULL'), postgresql_where=sa.text('cleared_at IS NULL AND acknowledged_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_assignments_hospital_id'))
        batch_op.drop_column('hospital_acknowledged_by_id')
        batch_op.drop_column('hospital_acknowledged_at')
        batch_op.drop_column('hospital_id')
        batch_op.drop_column('ack_overdue_at')
        batch_op.drop_column('acknowledged_at')

    with op.batch_alter_table('patient_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_patient_entries_patient_at')

    op.drop_table('patient_entries')
    with op.batch_alter_table('terminal_receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_terminal_receipts_created_at'))

    op.drop_table('terminal_receipts')
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patients_incident_id'))

    op.drop_table('patients')
