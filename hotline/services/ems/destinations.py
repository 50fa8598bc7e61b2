"""The destination hospital of each vehicle on an incident: the recommendation (the nearest
hospital able to treat what the patient needs) and the dispatcher's choice, on the trail."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core import geo
from hotline.core.ems.vocabulary import IncidentAction
from hotline.database import write_transaction
from hotline.models import Assignment, Hospital, Incident
from hotline.services.ems.change import Change
from hotline.services.ems.hospitals import HospitalChoice, suitable_hospitals
from hotline.services.errors import NotFound, ValidationFailed


def recommend_destination(
    session: Session, incident: Incident, capability: str | None
) -> HospitalChoice | None:
    """The nearest hospital with the capability (any hospital without one), or None."""
    nearest = suitable_hospitals(
        session, lon=incident.lon, lat=incident.lat, capability=capability, k=1
    )
    return nearest[0] if nearest else None


def destination_options(
    session: Session, incident: Incident, capability: str | None
) -> list[HospitalChoice]:
    """Every hospital for the select: the suitable ones first (nearest first), then the
    others by distance, so that a dispatcher can still send a patient elsewhere."""
    suitable = suitable_hospitals(
        session, lon=incident.lon, lat=incident.lat, capability=capability
    )
    seen = {c.hospital.id for c in suitable}
    others = sorted(
        (
            HospitalChoice(h, geo.haversine_m(incident.lon, incident.lat, h.lon, h.lat))
            for h in session.scalars(select(Hospital))
            if h.id not in seen
        ),
        key=lambda c: (c.distance_m, c.hospital.id),
    )
    return suitable + others


def set_destination(
    session: Session,
    *,
    actor_id: int | None,
    assignment_id: int,
    hospital_id: int | None,
    now: datetime,
    incident_id: int | None = None,
) -> Assignment:
    """Record (or change) the assignment's destination hospital while the assignment is
    open; a changed hospital must acknowledge the pre-alert again (it is a new patient for
    that desk). Choosing the hospital already set changes nothing; NotFound when the
    assignment is not the named incident's."""
    with write_transaction(session):
        assignment = session.get(Assignment, assignment_id, with_for_update={"of": Assignment})
        if assignment is None or incident_id not in (None, assignment.incident_id):
            raise NotFound()
        if assignment.cleared_at is not None:
            raise ValidationFailed({"hospital_id": "incident_not_open"})
        hospital = session.get(Hospital, hospital_id) if hospital_id else None
        if hospital is None:
            raise ValidationFailed({"hospital_id": "invalid_choice"})
        if assignment.hospital_id == hospital.id:
            return assignment
        assignment.hospital_id = hospital.id
        assignment.hospital_acknowledged_at = None
        assignment.hospital_acknowledged_by_id = None
        Change(session, actor_id, now).record(
            assignment.incident_id,
            IncidentAction.HOSPITAL_CHOSEN,
            assignment.vehicle_id,
            note=hospital.name,
        )
    return assignment
