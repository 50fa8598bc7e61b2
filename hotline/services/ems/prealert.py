"""院前预警: a receiving hospital's desk sees the patients coming to it (open assignments
whose destination it is) and acknowledges them. Only what the desk needs to prepare: no
names, no caller, no address."""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.core import geo
from hotline.core.accounts.security import SecurityKind
from hotline.core.ems import codes
from hotline.core.ems.nearest import estimated_minutes
from hotline.core.ems.patients import VITAL_RANGES
from hotline.core.ems.vehicles import VehicleStatus
from hotline.core.ems.vocabulary import IncidentAction
from hotline.database import write_transaction
from hotline.models import Assignment, Hospital, Incident, Patient, PatientEntry, SecurityEvent
from hotline.services.accounts import security_log
from hotline.services.ems.change import Change
from hotline.services.errors import NotFound

# The desk polls every few seconds: a read of a patient's record (codes, sex and age, vital
# signs) is logged once per patient, user and hour, which says who saw whose health data and
# when (to the hour) without a row per poll (thousands a shift for nothing new).
READ_LOG_EVERY = timedelta(hours=1)
S = VehicleStatus
# Patients on board first, then those about to be, then the vehicles still on their way.
ORDER = {S.TRANSPORTING: 0, S.AT_HOSPITAL: 1, S.ON_SCENE: 2, S.EN_ROUTE: 3, S.DISPATCHED: 4}
VITAL_KEYS = tuple(VITAL_RANGES)


@dataclass(frozen=True)
class IncomingPatient:
    """One patient as the desk sees it (sex and age, codes, the latest vital signs)."""

    patient_id: int
    sex: str
    age_years: int | None
    age_estimated: bool
    complaint_code: str
    diagnosis_code: str
    flags: frozenset[str]
    vitals: dict | None  # VITAL_KEYS and "phase"; None before the first measurement
    vitals_at: datetime | None


@dataclass(frozen=True)
class Incoming:
    """One vehicle coming (or about to come) to the hospital."""

    assignment_id: int
    incident_number: str
    call_sign: str
    status: str
    distance_m: float
    minutes: float  # an estimate from the vehicle's last position, not a route
    triage_level: int
    complaint: str
    patients: list[IncomingPatient]
    flags: frozenset[str]  # chest_pain, stroke: of any of its patients
    acknowledged_at: datetime | None


def _latest_vitals(session: Session, patient_ids: list[int]) -> dict[int, PatientEntry]:
    """Each patient's latest vital-signs entry: one row per patient is read (and unsealed),
    not the patient's whole history, on every poll of the desk."""
    ranked = (
        select(
            PatientEntry.id,
            func.row_number()
            .over(
                partition_by=PatientEntry.patient_id,
                order_by=(PatientEntry.at.desc(), PatientEntry.id.desc()),
            )
            .label("rank"),
        )
        .where(PatientEntry.patient_id.in_(patient_ids), PatientEntry.kind == "vitals")
        .subquery()
    )
    latest = select(ranked.c.id).where(ranked.c.rank == 1)
    entries = session.scalars(select(PatientEntry).where(PatientEntry.id.in_(latest)))
    return {entry.patient_id: entry for entry in entries}


def _patients(session: Session, assignments: list[Assignment]) -> dict[int, list[Patient]]:
    """The patients of each assignment: its vehicle's, or the incident's without a vehicle."""
    incident_ids = {a.incident_id for a in assignments}
    rows = session.scalars(
        select(Patient).where(Patient.incident_id.in_(incident_ids)).order_by(Patient.id)
    ).all()
    return {
        a.id: [
            p
            for p in rows
            if p.incident_id == a.incident_id and p.vehicle_id in (None, a.vehicle_id)
        ]
        for a in assignments
    }


def _patient(patient: Patient, entry: PatientEntry | None) -> IncomingPatient:
    values = json.loads(entry.values) if entry is not None else None
    return IncomingPatient(
        patient_id=patient.id,
        sex=patient.sex,
        age_years=patient.age_years,
        age_estimated=patient.age_estimated,
        complaint_code=patient.complaint_code,
        diagnosis_code=patient.diagnosis_code,
        flags=codes.flags(patient.complaint_code, patient.diagnosis_code),
        vitals={k: values.get(k) for k in (*VITAL_KEYS, "phase")} if values else None,
        vitals_at=entry.at if entry is not None else None,
    )


def desk_hospital(session: Session, hospital_id: int | None) -> Hospital | None:
    """The hospital a desk account works at (None for an account without one)."""
    return session.get(Hospital, hospital_id) if hospital_id else None


def incoming(
    session: Session, *, hospital_id: int | None, speed_kmh: float, detour_factor: float
) -> list[Incoming]:
    """The open assignments bound for the hospital, patients on board first."""
    hospital = desk_hospital(session, hospital_id)
    if hospital is None:
        return []
    rows = session.execute(
        select(Assignment, Incident)
        .join(Incident, Incident.id == Assignment.incident_id)
        .where(Assignment.hospital_id == hospital.id, Assignment.cleared_at.is_(None))
    ).all()
    patients = _patients(session, [a for a, _ in rows])
    vitals = _latest_vitals(session, [p.id for ps in patients.values() for p in ps])
    result = []
    for assignment, incident in rows:
        vehicle = assignment.vehicle
        distance = geo.haversine_m(vehicle.lon, vehicle.lat, hospital.lon, hospital.lat)
        seen = [_patient(p, vitals.get(p.id)) for p in patients[assignment.id]]
        result.append(
            Incoming(
                assignment_id=assignment.id,
                incident_number=incident.number,
                call_sign=vehicle.call_sign,
                status=vehicle.status,
                distance_m=round(distance),
                minutes=round(estimated_minutes(distance, speed_kmh, detour_factor), 1),
                triage_level=incident.triage_level,
                complaint=incident.complaint,
                patients=seen,
                flags=frozenset().union(*(p.flags for p in seen)),
                acknowledged_at=assignment.hospital_acknowledged_at,
            )
        )
    return sorted(result, key=lambda i: (ORDER.get(S(i.status), 9), i.triage_level, i.minutes))


def log_reads(session: Session, *, actor_id: int, rows: list[Incoming], now: datetime) -> int:
    """Write a PATIENT_RECORD_READ row for each patient the desk now shows (vital signs or
    not: sex, age and codes are health data too) that this user has not been logged reading
    within READ_LOG_EVERY; how many."""
    shown = {f"pre-alert: patient #{p.patient_id}" for r in rows for p in r.patients}
    if not shown:
        return 0
    logged = set(
        session.scalars(
            select(SecurityEvent.detail).where(
                SecurityEvent.at > now - READ_LOG_EVERY,
                SecurityEvent.kind == SecurityKind.PATIENT_RECORD_READ.value,
                SecurityEvent.actor_id == actor_id,
                SecurityEvent.detail.in_(shown),
            )
        )
    )
    missing = sorted(shown - logged)
    if missing:
        with write_transaction(session):
            for detail in missing:
                security_log.record(
                    session,
                    SecurityKind.PATIENT_RECORD_READ,
                    now=now,
                    actor_id=actor_id,
                    detail=detail,
                )
    return len(missing)


def acknowledge(
    session: Session, *, actor_id: int, hospital_id: int | None, assignment_id: int, now: datetime
) -> Assignment:
    """The desk acknowledges the pre-alert: NotFound unless the open assignment is bound for
    the user's own hospital. A second acknowledgement keeps the first one's time."""
    with write_transaction(session):
        assignment = session.get(Assignment, assignment_id, with_for_update={"of": Assignment})
        if (
            assignment is None
            or hospital_id is None
            or assignment.hospital_id != hospital_id
            or assignment.cleared_at is not None
        ):
            raise NotFound()
        if assignment.hospital_acknowledged_at is None:
            assignment.hospital_acknowledged_at = now
            assignment.hospital_acknowledged_by_id = actor_id
            Change(session, actor_id, now).record(
                assignment.incident_id,
                IncidentAction.HOSPITAL_ACKNOWLEDGED,
                assignment.vehicle_id,
                note=assignment.hospital.name,
            )
    return assignment
