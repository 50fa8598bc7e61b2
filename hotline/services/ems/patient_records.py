"""Reading patient records (院前急救病历): personal health data, so every read of a record
writes a PATIENT_RECORD_READ row to the security log, whoever reads it: a 120 dispatcher or
supervisor, the receiving hospital's desk (its own patients only), or the crew's terminal."""

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core.accounts.permissions import Permission, allows
from hotline.core.accounts.roles import Role
from hotline.core.accounts.security import SecurityKind
from hotline.core.ems import codes
from hotline.core.ems.patients import FIELD_NAMES, PatientFields
from hotline.database import write_transaction
from hotline.models import Assignment, Incident, Patient, PatientEntry, User
from hotline.services.accounts import security_log
from hotline.services.ems.patients import crew_job
from hotline.services.errors import NotFound


@dataclass(frozen=True)
class EntryRow:
    """One timed entry, unsealed."""

    kind: str
    at: datetime
    values: dict


@dataclass(frozen=True)
class PatientRecord:
    """A whole record as it is shown and printed: the patient, the job's times, the entries."""

    patient_id: int
    version: int
    fields: PatientFields
    entries: list[EntryRow]
    flags: frozenset[str]
    incident_id: int
    incident_number: str
    address: str
    call_sign: str
    hospital: str
    dispatched_at: datetime | None
    on_scene_at: datetime | None
    at_hospital_at: datetime | None
    created_at: datetime
    updated_at: datetime


def _jobs(session: Session, patients: list[Patient]) -> dict[tuple[int, int], Assignment]:
    """The job each patient was recorded on, by (incident, vehicle): the vehicle's latest
    assignment on that incident; one query for all the patients."""
    incident_ids = {p.incident_id for p in patients if p.vehicle_id is not None}
    if not incident_ids:
        return {}
    jobs: dict[tuple[int, int], Assignment] = {}
    for job in session.scalars(
        select(Assignment)
        .where(Assignment.incident_id.in_(incident_ids))
        .order_by(Assignment.assigned_at, Assignment.id)
    ):
        jobs[(job.incident_id, job.vehicle_id)] = job  # later assignments replace earlier ones
    return jobs


def _assignment(session: Session, patient: Patient) -> Assignment | None:
    """The job the patient was recorded on: the vehicle's latest on that incident."""
    return _jobs(session, [patient]).get((patient.incident_id, patient.vehicle_id))


def _entries(session: Session, patients: list[Patient]) -> dict[int, list[EntryRow]]:
    """Each patient's entries in time order (unsealed), one query for all the patients."""
    entries: dict[int, list[EntryRow]] = {p.id: [] for p in patients}
    for e in session.scalars(
        select(PatientEntry)
        .where(PatientEntry.patient_id.in_(entries))
        .order_by(PatientEntry.at, PatientEntry.id)
    ):
        entries[e.patient_id].append(EntryRow(e.kind, e.at, json.loads(e.values)))
    return entries


def _records(session: Session, patients: list[Patient]) -> list[PatientRecord]:
    """The patients' records in full (unsealed): a mass-casualty incident's hundreds of
    patients in four queries, not three per patient."""
    jobs, entries = _jobs(session, patients), _entries(session, patients)
    ids = {p.incident_id for p in patients}
    incidents = {i.id: i for i in session.scalars(select(Incident).where(Incident.id.in_(ids)))}
    return [
        _record(p, incidents[p.incident_id], jobs.get((p.incident_id, p.vehicle_id)), entries[p.id])
        for p in patients
    ]


def _record(
    patient: Patient, incident: Incident, job: Assignment | None, entries: list[EntryRow]
) -> PatientRecord:
    """The patient's record from its incident, job and entries."""
    return PatientRecord(
        patient_id=patient.id,
        version=patient.version,
        fields=PatientFields(**{name: getattr(patient, name) for name in FIELD_NAMES}),
        entries=entries,
        flags=codes.flags(patient.complaint_code, patient.diagnosis_code),
        incident_id=incident.id,
        incident_number=incident.number,
        address=incident.address,
        call_sign=job.vehicle.call_sign if job else "",
        hospital=job.hospital.name if job and job.hospital else "",
        dispatched_at=job.dispatched_at if job else None,
        on_scene_at=job.on_scene_at if job else None,
        at_hospital_at=job.at_hospital_at if job else None,
        created_at=patient.created_at,
        updated_at=patient.updated_at,
    )


def _log(
    session: Session, records: list[PatientRecord], *, actor_id: int | None, ip: str, now, via: str
) -> None:
    """One security-log row per record read, in a transaction of its own."""
    with write_transaction(session):
        for record in records:
            security_log.record(
                session,
                SecurityKind.PATIENT_RECORD_READ,
                now=now,
                actor_id=actor_id,
                ip=ip,
                detail=f"patient #{record.patient_id}, incident {record.incident_number}, {via}",
            )


def _may_read(session: Session, user: User | None, patient: Patient) -> bool:
    """120 dispatchers and supervisors read every record; a hospital desk its own patients."""
    if user is None or not user.active:
        return False
    if allows(user.role_enum, Permission.EMS_MEDICAL):
        return True
    if user.role_enum != Role.HOSPITAL or user.hospital_id is None:
        return False
    job = _assignment(session, patient)
    return job is not None and job.hospital_id == user.hospital_id


def read_record(
    session: Session, patient_id: int, *, actor_id: int, ip: str, now: datetime, via: str
) -> PatientRecord:
    """One patient's record for this user (NotFound if they may not read it), logged."""
    patient = session.get(Patient, patient_id)
    if patient is None or not _may_read(session, session.get(User, actor_id), patient):
        raise NotFound()
    [record] = _records(session, [patient])
    _log(session, [record], actor_id=actor_id, ip=ip, now=now, via=via)
    return record


def incident_records(
    session: Session, incident_id: int, *, actor_id: int, ip: str, now: datetime
) -> list[PatientRecord]:
    """Every patient record of an incident (EMS_MEDICAL), each read logged."""
    user = session.get(User, actor_id)
    if user is None or not user.active or not allows(user.role_enum, Permission.EMS_MEDICAL):
        raise NotFound()
    if session.get(Incident, incident_id) is None:
        raise NotFound()
    patients = session.scalars(
        select(Patient).where(Patient.incident_id == incident_id).order_by(Patient.id)
    ).all()
    records = _records(session, list(patients))
    _log(session, records, actor_id=actor_id, ip=ip, now=now, via="incident page")
    return records


def crew_records(
    session: Session, *, vehicle_id: int, job_id: int, ip: str, now: datetime
) -> list[PatientRecord]:
    """The records this vehicle's crew wrote on its job, read back by its terminal, logged."""
    job = crew_job(session, vehicle_id, job_id, now)
    patients = session.scalars(
        select(Patient)
        .where(Patient.incident_id == job.incident_id, Patient.vehicle_id == vehicle_id)
        .order_by(Patient.id)
    ).all()
    records = _records(session, list(patients))
    _log(session, records, actor_id=None, ip=ip, now=now, via=f"terminal of vehicle #{vehicle_id}")
    return records
