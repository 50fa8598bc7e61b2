"""120 dispatch: recommending the nearest available ambulances and assigning them, safely.

Every vehicle change is a compare-and-set on its status in the database and takes the next
number of one counter; each process's FleetIndex catches up by reading the vehicles with a
higher number than it has seen, so recommendations follow changes made anywhere.
"""

import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hotline.core import geo, phone
from hotline.core.ems import vehicles as rules
from hotline.core.ems.nearest import FleetIndex, VehiclePoint, estimated_minutes
from hotline.core.ems.vehicles import VehicleStatus
from hotline.core.ems.vocabulary import WithdrawReason
from hotline.database import write_transaction
from hotline.models import Assignment, Incident, IncidentEvent, Vehicle
from hotline.services.errors import Conflict, NotFound, ValidationFailed
from hotline.services.numbering import next_in_sequence, next_incident_number
from hotline.services.reference import cache as routing

FLEET_SEQUENCE = "fleet"
AVAILABLE = VehicleStatus.AVAILABLE.value


@dataclass
class _Cache:
    index: FleetIndex
    seen: int


_caches: dict[str, _Cache] = {}
_lock = threading.Lock()


def fleet_index(session: Session) -> FleetIndex:
    """This process's index, brought up to date with the database (one indexed query)."""
    key = str(session.get_bind().url)
    with _lock:
        cache = _caches.get(key)
        seen = cache.seen if cache else -1
        rows = session.execute(
            select(Vehicle.id, Vehicle.lon, Vehicle.lat, Vehicle.status, Vehicle.change_seq)
            .where(Vehicle.change_seq > seen)
            .order_by(Vehicle.change_seq)
        ).all()
        if cache is None:
            cache = _caches[key] = _Cache(
                FleetIndex(VehiclePoint(r.id, r.lon, r.lat, r.status == AVAILABLE) for r in rows),
                max((r.change_seq for r in rows), default=0),
            )
            return cache.index
        for r in rows:
            cache.index.move(r.id, r.lon, r.lat, r.status == AVAILABLE)
            cache.seen = max(cache.seen, r.change_seq)
        return cache.index


def forget_indexes() -> None:
    """Drop the cached indexes (tests that recreate databases)."""
    with _lock:
        _caches.clear()


@dataclass(frozen=True)
class Recommendation:
    """One vehicle the dispatcher may send."""

    vehicle_id: int
    call_sign: str
    station: str
    distance_m: float
    minutes: float  # an estimate, not a route


def recommend(
    session: Session, lon: float, lat: float, k: int, speed_kmh: float, detour_factor: float
) -> list[Recommendation]:
    """The k nearest available vehicles with distance and estimated minutes."""
    nearby = fleet_index(session).nearest(lon, lat, k)
    ids = [n.vehicle_id for n in nearby]
    by_id = {v.id: v for v in session.scalars(select(Vehicle).where(Vehicle.id.in_(ids)))}
    return [
        Recommendation(
            n.vehicle_id, by_id[n.vehicle_id].call_sign, by_id[n.vehicle_id].station.name,
            round(n.distance_m),
            round(estimated_minutes(n.distance_m, speed_kmh, detour_factor), 1),
        )
        for n in nearby
        if n.vehicle_id in by_id
    ]  # fmt: skip


MAX_COMPLAINT = 2000


def create_incident(
    session: Session,
    actor_id: int,
    caller_phone: str,
    lon: float,
    lat: float,
    complaint: str,
    triage_level: int,
    now: datetime,
    timezone: str,
    address: str = "",
    synthetic: bool = False,
) -> Incident:
    """Register a 120 call's incident; every refusal names its field."""
    errors: dict[str, str] = {}
    phone_number = phone.normalise(caller_phone) if caller_phone.strip() else ""
    if phone_number is None:
        errors["caller_phone"] = "invalid_phone"
    if not geo.valid_coordinates(lon, lat):
        errors["location"] = "invalid_coordinates"
    complaint = complaint.strip()
    if not complaint:
        errors["complaint"] = "required"
    elif len(complaint) > MAX_COMPLAINT:
        errors["complaint"] = "too_long"
    if triage_level not in (1, 2, 3, 4):
        errors["triage_level"] = "invalid_choice"
    if errors:
        raise ValidationFailed(errors)
    district = routing.context(session).index.locate(lon, lat)
    with write_transaction(session):
        incident = Incident(
            number=next_incident_number(session, now, timezone), caller_phone=phone_number,
            lon=lon, lat=lat, address=address.strip()[:255], complaint=complaint,
            triage_level=triage_level, created_by_id=actor_id, created_at=now,
            district_id=routing.context(session).district_ids.get(district.code)
            if district else None,
            synthetic=synthetic,
        )  # fmt: skip
        session.add(incident)
        session.flush()
        _event(session, incident.id, None, actor_id, now, "create", f"triage {triage_level}")
    return incident


def _open_incident(session: Session, incident_id: int) -> Incident:
    """The incident, if it exists and is still open."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound()
    if incident.state != "open":
        raise ValidationFailed({"incident": "incident_not_open"})
    return incident


def _event(session, incident_id, vehicle_id, actor_id, at, action, note="") -> None:
    session.add(
        IncidentEvent(
            incident_id=incident_id, vehicle_id=vehicle_id, actor_id=actor_id, at=at,
            action=action, note=note,
        )
    )  # fmt: skip


def _set_status(session, vehicle_id, seen, status, at, incident_id) -> bool:
    """The compare-and-set: True if the vehicle was still in `seen`."""
    result = session.execute(
        update(Vehicle)
        .where(Vehicle.id == vehicle_id, Vehicle.status == seen)
        .values(
            status=status,
            incident_id=incident_id,
            changed_at=at,
            change_seq=next_in_sequence(session, FLEET_SEQUENCE),
        )  # fmt: skip
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def dispatch(
    session: Session,
    actor_id: int,
    incident_id: int,
    vehicle_ids: list[int],
    now: datetime,
    override_reason: str = "",
    recommended: list[int] | None = None,
) -> list[Assignment]:
    """Assign every vehicle to the incident, or none: a vehicle someone else took first
    makes the whole dispatch fail with Conflict('vehicle_taken')."""
    if not vehicle_ids or len(set(vehicle_ids)) != len(vehicle_ids):
        raise ValidationFailed({"vehicle_ids": "required"})
    override_reason = override_reason.strip()
    chose_other = recommended is not None and not set(vehicle_ids) <= set(recommended)
    if chose_other and not override_reason:
        raise ValidationFailed({"override_reason": "required"})
    with write_transaction(session):
        incident = _open_incident(session, incident_id)
        assignments = []
        for vehicle_id in vehicle_ids:
            if not _set_status(
                session, vehicle_id, AVAILABLE, VehicleStatus.DISPATCHED.value, now, incident.id
            ):
                raise Conflict("vehicle_taken")
            assignment = Assignment(
                incident_id=incident.id, vehicle_id=vehicle_id, assigned_by_id=actor_id,
                override_reason=override_reason, assigned_at=now, dispatched_at=now,
            )  # fmt: skip
            session.add(assignment)
            assignments.append(assignment)
            _event(session, incident.id, vehicle_id, actor_id, now, "dispatch", override_reason)
    return assignments


def change_status(
    session: Session, actor_id: int | None, vehicle_id: int, wanted: VehicleStatus, at: datetime
) -> Vehicle:
    """A status from the vehicle's terminal or the dispatcher's buttons, by the table."""
    with write_transaction(session):
        # Fresh from the database: compare-and-set updates bypass the identity map.
        vehicle = session.scalar(
            select(Vehicle)
            .where(Vehicle.id == vehicle_id)
            .with_for_update(of=Vehicle)
            .execution_options(populate_existing=True)
        )
        if vehicle is None:
            raise NotFound()
        current = VehicleStatus(vehicle.status)
        if wanted is VehicleStatus.DISPATCHED:  # only `dispatch`, which names the incident
            raise ValidationFailed({"status": "dispatch_needs_an_incident"})
        try:
            rules.check(current, wanted)
        except rules.VehicleTransitionError as exc:
            raise ValidationFailed({"status": exc.code}) from exc
        incident_id = vehicle.incident_id
        assignment = None
        if incident_id is not None:
            assignment = session.scalar(
                select(Assignment).where(
                    Assignment.vehicle_id == vehicle_id,
                    Assignment.incident_id == incident_id,
                    Assignment.cleared_at.is_(None),
                )
            )
        if assignment is not None:
            times = {name: getattr(assignment, name) for name in rules.TIMELINE}
            try:
                field = rules.next_stamp(times, wanted, at)
            except rules.VehicleTransitionError as exc:
                raise ValidationFailed({"at": exc.code}) from exc
            if field is not None:
                setattr(assignment, field, at)
        keeps = wanted in rules.ASSIGNED
        if not _set_status(
            session, vehicle_id, current.value, wanted.value, at, incident_id if keeps else None
        ):
            raise Conflict("stale_version")
        _event(session, incident_id, vehicle_id, actor_id, at, f"status_{wanted.value}")
    session.refresh(vehicle)
    return vehicle


def close_incident(session: Session, actor_id: int, incident_id: int, now: datetime) -> Incident:
    """Close an incident; refused while a vehicle is still assigned to it."""
    with write_transaction(session):
        incident = _open_incident(session, incident_id)
        busy = session.scalar(select(Vehicle.id).where(Vehicle.incident_id == incident_id))
        if busy is not None:
            raise ValidationFailed({"incident": "vehicle_still_assigned"})
        incident.state, incident.closed_at = "closed", now
        _event(session, incident.id, None, actor_id, now, "close")
    return incident


def withdraw(
    session: Session, actor_id: int, incident_id: int, reason: str, note: str, now: datetime
) -> Incident:
    """撤警: cancel as false alarm, malicious or duplicate, releasing its vehicles."""
    if reason not in {r.value for r in WithdrawReason}:
        raise ValidationFailed({"reason": "invalid_choice"})
    with write_transaction(session):
        incident = _open_incident(session, incident_id)
        assigned = session.execute(
            select(Vehicle.id, Vehicle.status).where(Vehicle.incident_id == incident_id)
        ).all()
        for vehicle_id, status in assigned:
            if status == VehicleStatus.TRANSPORTING.value:
                raise ValidationFailed({"incident": "patient_on_board"})
            if not _set_status(session, vehicle_id, status, AVAILABLE, now, None):
                raise Conflict("stale_version")
            session.execute(
                update(Assignment)
                .where(
                    Assignment.incident_id == incident_id,
                    Assignment.vehicle_id == vehicle_id,
                    Assignment.cleared_at.is_(None),
                )
                .values(cleared_at=now)
            )
            _event(session, incident_id, vehicle_id, actor_id, now, "release")
        incident.state, incident.withdraw_reason = "withdrawn", reason
        incident.note, incident.closed_at = note.strip()[:2000], now
        _event(session, incident_id, None, actor_id, now, "withdraw", f"{reason}: {note}")
    return incident
