"""院前急救病历: the crew writes its patients' records through the vehicle's terminal (one
job = one assignment); dispatchers, supervisors and the receiving hospital read them in
services/ems/patient_records.py, every read logged."""

import json
from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.core.ems import patients as rules
from hotline.core.ems.vocabulary import IncidentAction
from hotline.database import write_transaction
from hotline.models import Assignment, Patient, PatientEntry
from hotline.services.ems.change import Change
from hotline.services.errors import Conflict, NotFound, ValidationFailed

# The crew may finish its records for a while after clearing the job, then it is closed to
# the terminal (the record is read at the centre from then on).
JOB_OPEN_AFTER_CLEARED = timedelta(hours=2)
# A mass-casualty incident has many patients, but a terminal adding thousands is a fault.
MAX_PATIENTS_PER_JOB = 200
MAX_ENTRIES_PER_PATIENT = 500


def crew_job(session: Session, vehicle_id: int, job_id: int, now: datetime) -> Assignment:
    """The vehicle's assignment `job_id`, still open to its terminal; NotFound otherwise."""
    job = session.get(Assignment, job_id)
    if job is None or job.vehicle_id != vehicle_id:
        raise NotFound()
    if job.cleared_at is not None and job.cleared_at < now - JOB_OPEN_AFTER_CLEARED:
        raise NotFound()
    return job


def _window(job: Assignment, now: datetime) -> rules.Window:
    return rules.Window(
        dispatched_at=job.dispatched_at or job.assigned_at,
        at_hospital_at=job.at_hospital_at,
        now=now,
    )


def _fields(patient: Patient) -> rules.PatientFields:
    """The stored fields, as the rules read them (the base of an update)."""
    return rules.PatientFields(**{name: getattr(patient, name) for name in rules.FIELD_NAMES})


def _crew_patient(session: Session, job: Assignment, patient_id: int) -> Patient:
    """A patient this vehicle recorded on this job's incident, locked for the update."""
    patient = session.get(
        Patient, patient_id, with_for_update={"of": Patient}, populate_existing=True
    )
    if patient is None or (patient.incident_id, patient.vehicle_id) != (
        job.incident_id,
        job.vehicle_id,
    ):
        raise NotFound()
    return patient


def _last_entry_at(session: Session, patient_id: int) -> datetime | None:
    return session.scalar(
        select(func.max(PatientEntry.at)).where(PatientEntry.patient_id == patient_id)
    )


def create_patient(
    session: Session, *, vehicle_id: int, job_id: int, data: Mapping, now: datetime
) -> Patient:
    """A new patient of the job's incident, recorded by this vehicle's crew."""
    job = crew_job(session, vehicle_id, job_id, now)
    fields, errors = rules.parse_patient(data)
    errors = errors or rules.handover_errors(fields.handover_at, _window(job, now), None)
    if errors:
        raise ValidationFailed(errors)
    with write_transaction(session):
        count = session.scalar(
            select(func.count(Patient.id)).where(
                Patient.incident_id == job.incident_id, Patient.vehicle_id == vehicle_id
            )
        )
        if count >= MAX_PATIENTS_PER_JOB:
            raise ValidationFailed({"patient": "too_many"})
        patient = Patient(
            incident_id=job.incident_id,
            vehicle_id=vehicle_id,
            created_at=now,
            updated_at=now,
            version=1,
            **asdict(fields),
        )
        session.add(patient)
        session.flush()
        # The trail says that a record exists and whose it is, never what it holds.
        Change(session, None, now).record(
            job.incident_id,
            IncidentAction.PATIENT_RECORDED,
            vehicle_id=vehicle_id,
            note=f"#{patient.id}",
        )
    return patient


def update_patient(
    session: Session,
    *,
    vehicle_id: int,
    job_id: int,
    patient_id: int,
    data: Mapping,
    version: int,
    now: datetime,
) -> Patient:
    """Change the fields `data` gives, if the record is still at `version` (else Conflict)."""
    job = crew_job(session, vehicle_id, job_id, now)
    with write_transaction(session):
        patient = _crew_patient(session, job, patient_id)
        if patient.version != version:
            raise Conflict("stale_version")
        fields, errors = rules.parse_patient(data, _fields(patient))
        if "handover_at" in data and not errors:
            last = _last_entry_at(session, patient.id)
            errors = rules.handover_errors(fields.handover_at, _window(job, now), last)
        if errors:
            raise ValidationFailed(errors)
        for name, value in asdict(fields).items():
            setattr(patient, name, value)
        patient.updated_at, patient.version = now, patient.version + 1
    return patient


def add_entry(
    session: Session, *, vehicle_id: int, job_id: int, patient_id: int, data: Mapping, now: datetime
) -> PatientEntry:
    """A timed entry (vital signs, a treatment or a medication) on the patient's record."""
    job = crew_job(session, vehicle_id, job_id, now)
    entry, errors = rules.parse_entry(data)
    if errors:
        raise ValidationFailed(errors)
    with write_transaction(session):
        patient = _crew_patient(session, job, patient_id)
        errors = rules.entry_time_errors(entry.at, _window(job, now), patient.handover_at)
        if errors:
            raise ValidationFailed(errors)
        count = session.scalar(
            select(func.count(PatientEntry.id)).where(PatientEntry.patient_id == patient.id)
        )
        if count >= MAX_ENTRIES_PER_PATIENT:
            raise ValidationFailed({"entry": "too_many"})
        row = PatientEntry(
            patient_id=patient.id,
            kind=entry.kind,
            at=entry.at,
            values=json.dumps(entry.values, ensure_ascii=False),
            recorded_at=now,
        )
        session.add(row)
        patient.updated_at = now  # the version stays: entries are appended, never edited
    return row
