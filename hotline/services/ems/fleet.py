"""120 dispatch: recommending the nearest available ambulances and assigning them, safely.

Every vehicle change is a compare-and-set on its status in the database and takes the next
number of one counter (services/ems/change.py); each process's FleetIndex catches up by
reading the vehicles with a higher number than it has seen, so recommendations follow
changes made anywhere.
"""

import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core.ems import vehicles as rules
from hotline.core.ems.nearest import FleetIndex, VehiclePoint, estimated_minutes
from hotline.core.ems.vehicles import VehicleStatus
from hotline.core.ems.vocabulary import IncidentAction
from hotline.database import write_transaction
from hotline.models import Assignment, Vehicle
from hotline.services.ems.change import Change, open_incident
from hotline.services.errors import Conflict, NotFound, ValidationFailed

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
    session: Session, *, lon: float, lat: float, k: int, speed_kmh: float, detour_factor: float
) -> list[Recommendation]:
    """The k nearest available vehicles with distance and estimated minutes."""
    nearby = fleet_index(session).nearest(lon, lat, k)
    ids = [n.vehicle_id for n in nearby]
    by_id = {v.id: v for v in session.scalars(select(Vehicle).where(Vehicle.id.in_(ids)))}
    return [
        Recommendation(
            vehicle_id=n.vehicle_id,
            call_sign=by_id[n.vehicle_id].call_sign,
            station=by_id[n.vehicle_id].station.name,
            distance_m=round(n.distance_m),
            minutes=round(estimated_minutes(n.distance_m, speed_kmh, detour_factor), 1),
        )
        for n in nearby
        if n.vehicle_id in by_id
    ]


def dispatch(
    session: Session,
    *,
    actor_id: int | None,
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
        incident = open_incident(session, incident_id)
        change = Change(session, actor_id, now)
        return [_assign(change, incident.id, v, override_reason) for v in vehicle_ids]


def _assign(change: Change, incident_id: int, vehicle_id: int, reason: str) -> Assignment:
    """One vehicle onto the incident, if it is still available (else the dispatch fails)."""
    if not change.move(vehicle_id, AVAILABLE, VehicleStatus.DISPATCHED.value, incident_id):
        raise Conflict("vehicle_taken")
    assignment = Assignment(incident_id=incident_id, vehicle_id=vehicle_id, override_reason=reason)
    assignment.assigned_by_id = change.actor_id
    assignment.assigned_at = assignment.dispatched_at = change.at
    change.session.add(assignment)
    change.record(incident_id, IncidentAction.DISPATCH, vehicle_id, reason)
    return assignment


def change_status(
    session: Session,
    *,
    actor_id: int | None,
    vehicle_id: int,
    wanted: VehicleStatus,
    at: datetime,
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
        _stamp_assignment(session, vehicle_id, incident_id, wanted, at)
        change = Change(session, actor_id, at)
        keeps = incident_id if wanted in rules.ASSIGNED else None
        if not change.move(vehicle_id, current.value, wanted.value, keeps):
            raise Conflict("stale_version")
        change.record(incident_id, IncidentAction.for_status(wanted.value), vehicle_id)
    session.refresh(vehicle)
    return vehicle


def _stamp_assignment(
    session: Session,
    vehicle_id: int,
    incident_id: int | None,
    wanted: VehicleStatus,
    at: datetime,
) -> None:
    """Stamp the vehicle's open assignment with the time of `wanted` (monotonic times)."""
    if incident_id is None:
        return
    assignment = session.scalar(
        select(Assignment).where(
            Assignment.vehicle_id == vehicle_id,
            Assignment.incident_id == incident_id,
            Assignment.cleared_at.is_(None),
        )
    )
    if assignment is None:
        return
    times = {name: getattr(assignment, name) for name in rules.TIMELINE}
    try:
        field = rules.next_stamp(times, wanted, at)
    except rules.VehicleTransitionError as exc:
        raise ValidationFailed({"at": exc.code}) from exc
    if field is not None:
        setattr(assignment, field, at)
