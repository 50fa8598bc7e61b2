"""Reassignment (更换车辆; not the 12345 desk's 改派): a job taken from a vehicle whose crew
did not answer and given to another, in one transaction, so the incident never stands
without a vehicle."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core.ems import vehicles as rules
from hotline.core.ems.vehicles import VehicleStatus
from hotline.core.ems.vocabulary import IncidentAction
from hotline.database import write_transaction
from hotline.models import Assignment, Vehicle
from hotline.services.ems.change import Change, open_incident
from hotline.services.errors import Conflict, NotFound, ValidationFailed

AVAILABLE = VehicleStatus.AVAILABLE.value
DISPATCHED = VehicleStatus.DISPATCHED.value


def reassign(
    session: Session, actor_id: int | None, assignment_id: int, new_vehicle_id: int, now: datetime
) -> Assignment:
    """Release the job's vehicle (available again, its assignment cleared) and dispatch
    `new_vehicle_id` to the incident instead; the new assignment."""
    with write_transaction(session):
        old = session.get(
            Assignment, assignment_id, with_for_update={"of": Assignment}, populate_existing=True
        )
        if old is None:
            raise NotFound()
        if old.cleared_at is not None:  # released or reassigned meanwhile
            raise Conflict("stale_version")
        if old.acknowledged_at is not None:  # the crew answered meanwhile: it is on its way
            raise Conflict("job_acknowledged")
        if old.vehicle_id == new_vehicle_id:
            raise ValidationFailed({"vehicle_id": "invalid_choice"})
        incident = open_incident(session, old.incident_id)
        change = Change(session, actor_id, now)
        _release(change, old)
        new_sign = _dispatch(change, old, new_vehicle_id)
        note = f"{old.vehicle.call_sign} → {new_sign}"
        change.record(incident.id, IncidentAction.REASSIGN, new_vehicle_id, note)
        new = Assignment(incident_id=incident.id, vehicle_id=new_vehicle_id)
        new.assigned_by_id, new.hospital_id = actor_id, old.hospital_id
        new.assigned_at = new.dispatched_at = now
        session.add(new)
    return new


def _release(change: Change, old: Assignment) -> None:
    """The old vehicle back to available (a crew that has not reached the patient yet)."""
    vehicle = change.session.scalar(
        select(Vehicle)
        .where(Vehicle.id == old.vehicle_id)
        .execution_options(populate_existing=True)
    )
    current = VehicleStatus(vehicle.status)
    if vehicle.incident_id != old.incident_id:
        raise Conflict("stale_version")
    try:
        rules.check(current, VehicleStatus.AVAILABLE)
    except rules.VehicleTransitionError as exc:
        raise ValidationFailed({"status": exc.code}) from exc
    if not change.move(vehicle.id, current.value, AVAILABLE, None):
        raise Conflict("stale_version")
    old.cleared_at = max(change.at, old.dispatched_at or old.assigned_at)
    change.record(old.incident_id, IncidentAction.RELEASE, vehicle.id)


def _dispatch(change: Change, old: Assignment, new_vehicle_id: int) -> str:
    """The new vehicle onto the incident if it is still available; its call sign."""
    vehicle = change.session.get(Vehicle, new_vehicle_id)
    if vehicle is None:
        raise NotFound()
    if not change.move(new_vehicle_id, AVAILABLE, DISPATCHED, old.incident_id):
        raise Conflict("vehicle_taken")
    change.record(old.incident_id, IncidentAction.DISPATCH, new_vehicle_id)
    return vehicle.call_sign
