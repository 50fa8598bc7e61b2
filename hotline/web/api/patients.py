"""院前急救病历 from the crew terminal (the vehicle's token): patients of its job, their
updates (compare-and-set on version) and timed entries, each write once per Idempotency-Key;
the records read back (each read in the security log); the coded lists for its selects."""

from dataclasses import asdict

from flask import request
from sqlalchemy.orm import Session

from hotline.core.ems import codes
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.ems import patient_records, patients, receipts
from hotline.services.ems.patient_records import PatientRecord
from hotline.web.api import bp, refuse
from hotline.web.api.ems import receipted
from hotline.web.api.tokens import terminal_required

JOB = "/vehicles/<int:vehicle_id>/jobs/<int:job_id>/patients"


def _object():
    """The request's JSON object, or None (then the caller answers 400)."""
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else None


def record_json(record: PatientRecord) -> dict:
    """A whole record as the API gives it (times in ISO 8601)."""
    fields = asdict(record.fields)
    handover = record.fields.handover_at
    fields["handover_at"] = handover.isoformat() if handover else None
    return {
        "patient_id": record.patient_id,
        "version": record.version,
        **fields,
        "flags": sorted(record.flags),
        "entries": [
            {"kind": e.kind, "at": e.at.isoformat(), "values": e.values} for e in record.entries
        ],
    }


def _written(patient) -> dict:
    """What a write answers (and its receipt keeps): ids and codes, no health data."""
    flags = codes.flags(patient.complaint_code, patient.diagnosis_code)
    return {"patient_id": patient.id, "version": patient.version, "flags": sorted(flags)}


@bp.route(JOB, methods=["GET", "POST"])
@terminal_required
def job_patients(vehicle_id: int, job_id: int):
    """GET: the records this crew wrote on its job; POST: a new patient on it."""
    # One rule for both methods: with two, an id out of range for one rule reads as 405.
    if request.method == "POST":
        return create_patient(vehicle_id, job_id)
    return crew_patients(vehicle_id, job_id)


def create_patient(vehicle_id: int, job_id: int):
    """A new patient on the job: {"name", "sex", "age_years", ...} (every field optional)."""
    body = _object()
    if body is None:
        return refuse(400, "invalid", "a JSON object is required")

    def create(session: Session) -> receipts.Answer:
        patient = patients.create_patient(
            session, vehicle_id=vehicle_id, job_id=job_id, data=body, now=utcnow()
        )
        return 201, _written(patient)

    return receipted(create)


@bp.route(f"{JOB}/<int:patient_id>", methods=["PUT"])
@terminal_required
def update_patient(vehicle_id: int, job_id: int, patient_id: int):
    """The fields given change, if "version" is still the record's (409 otherwise)."""
    body = _object()
    version = body.get("version") if body is not None else None
    if not isinstance(version, int) or isinstance(version, bool):
        return refuse(400, "invalid", "a JSON object with the record's version is required")

    def update(session: Session) -> receipts.Answer:
        patient = patients.update_patient(
            session,
            vehicle_id=vehicle_id,
            job_id=job_id,
            patient_id=patient_id,
            data=body,
            version=version,
            now=utcnow(),
        )
        return 200, _written(patient)

    return receipted(update)


@bp.route(f"{JOB}/<int:patient_id>/entries", methods=["POST"])
@terminal_required
def add_entry(vehicle_id: int, job_id: int, patient_id: int):
    """A timed entry: {"kind": "vitals", "at", "sbp", ...} or treatment/medication text."""
    body = _object()
    if body is None:
        return refuse(400, "invalid", "a JSON object is required")

    def add(session: Session) -> receipts.Answer:
        entry = patients.add_entry(
            session,
            vehicle_id=vehicle_id,
            job_id=job_id,
            patient_id=patient_id,
            data=body,
            now=utcnow(),
        )
        answer = {"entry_id": entry.id, "patient_id": patient_id, "kind": entry.kind}
        return 201, {**answer, "at": entry.at.isoformat()}

    return receipted(add)


def crew_patients(vehicle_id: int, job_id: int):
    """The records this crew wrote on its job, in full (each read logged)."""
    records = patient_records.crew_records(
        db.session, vehicle_id=vehicle_id, job_id=job_id, ip=request.remote_addr or "", now=utcnow()
    )
    return {"job_id": job_id, "patients": [record_json(r) for r in records]}


@bp.route("/vehicles/<int:vehicle_id>/patient-codes")
@terminal_required
def patient_codes(vehicle_id: int):
    """The coded lists for the terminal's selects, in Chinese and English, with their version."""

    def rows(entries: list[codes.Code]) -> list[dict]:
        return [asdict(entry) for entry in entries]

    return {
        "version": codes.LIST_VERSION,
        "complaints": rows(codes.complaints()),
        "diagnoses": rows(codes.diagnoses()),
    }
