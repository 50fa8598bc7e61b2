"""Factories for the destination hospital, the hospital desk and track playback tests."""

import json
from datetime import datetime

from hotline.core.accounts.roles import Role
from hotline.models import Hospital, Patient, PatientEntry, User
from hotline.plugins import db
from tests import factories


def hospital(name: str, lon: float, lat: float, capabilities: str = "") -> Hospital:
    """A receiving hospital."""
    row = Hospital(name=name, lon=lon, lat=lat, capabilities=capabilities, synthetic=True)
    db.session.add(row)
    db.session.commit()
    return row


def desk(hospital_id: int) -> User:
    """A hospital desk's account (the role and hospital set directly: the account's
    workplace is the administrators' pages' business, tested there)."""
    user = factories.user(Role.EMS_DISPATCHER)
    user.role, user.hospital_id = Role.HOSPITAL.value, hospital_id
    db.session.commit()
    return user


def patient(
    incident_id: int,
    vehicle_id: int | None,
    at: datetime,
    *,
    name: str = "张三",
    sex: str = "male",
    age: int | None = 63,
    complaint_code: str = "C01",
    diagnosis_code: str = "",
    vitals: list[dict] = (),
) -> Patient:
    """A patient record with timed vital-sign entries ({"at": ..., **values})."""
    row = Patient(
        incident_id=incident_id,
        vehicle_id=vehicle_id,
        name=name,
        sex=sex,
        age_years=age,
        complaint_code=complaint_code,
        diagnosis_code=diagnosis_code,
        created_at=at,
        updated_at=at,
    )
    db.session.add(row)
    db.session.flush()
    for entry in vitals:
        values = {k: v for k, v in entry.items() if k != "at"}
        db.session.add(
            PatientEntry(
                patient_id=row.id,
                kind="vitals",
                at=entry["at"],
                values=json.dumps(values),
                recorded_at=entry["at"],
            )
        )
    db.session.commit()
    return row
