"""The crew's jobs (电子派车单): what a vehicle's terminal shows, its acknowledgement (接单),
the dispatcher's alert when nobody acknowledges, and a station's list of its vehicles' jobs.

A job is an assignment of the vehicle that is not cleared; its id is the assignment's id.
"""

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.core.ems.vocabulary import IncidentAction
from hotline.database import write_transaction
from hotline.models import Assignment, Hospital, Incident, Vehicle
from hotline.services.ems import destinations
from hotline.services.ems.change import Change
from hotline.services.errors import Conflict, NotFound


def _hospital(session: Session, assignment: Assignment, incident: Incident) -> dict | None:
    """The destination: the one set on the assignment, else the one the dispatcher's page
    recommends (the nearest hospital)."""
    hospital: Hospital | None = assignment.hospital
    recommended = hospital is None
    if hospital is None:
        choice = destinations.recommend_destination(session, incident, None)
        hospital = choice.hospital if choice else None
    if hospital is None:
        return None
    return {
        "id": hospital.id,
        "name": hospital.name,
        "lon": hospital.lon,
        "lat": hospital.lat,
        "recommended": recommended,
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _job(session: Session, assignment: Assignment, incident: Incident, status: str) -> dict:
    """The electronic slip of one job, as the terminal shows it (the crew needs the full
    caller's number: the token sees its own vehicle's jobs only)."""
    return {
        "job_id": assignment.id,
        "incident_id": incident.id,
        "incident_number": incident.number,
        "lon": incident.lon,
        "lat": incident.lat,
        "address": incident.address,
        "complaint": incident.complaint,
        "triage_level": incident.triage_level,
        "caller_phone": incident.caller_phone,
        "hospital": _hospital(session, assignment, incident),
        "source": incident.source,
        "dispatched_at": _iso(assignment.dispatched_at),
        "acknowledged_at": _iso(assignment.acknowledged_at),
        "current": False,
        "vehicle_status": status,
    }


def vehicle_jobs(session: Session, vehicle_id: int) -> dict:
    """The vehicle's status and its jobs, the current one (its incident) first."""
    vehicle = session.get(Vehicle, vehicle_id, populate_existing=True)
    if vehicle is None:
        raise NotFound()
    rows = session.execute(
        select(Assignment, Incident)
        .join(Incident, Incident.id == Assignment.incident_id)
        .where(Assignment.vehicle_id == vehicle_id, Assignment.cleared_at.is_(None))
        .order_by(Assignment.id)
        .execution_options(populate_existing=True)
    ).all()
    jobs = [_job(session, a, i, vehicle.status) for a, i in rows]
    for job in jobs:
        job["current"] = job["incident_id"] == vehicle.incident_id
    jobs.sort(key=lambda j: not j["current"])
    return {
        "vehicle_id": vehicle.id,
        "call_sign": vehicle.call_sign,
        "status": vehicle.status,
        "jobs": jobs,
    }


# The streams' fingerprints: one read of every vehicle's change number and of the open
# jobs, shared by every stream of the process and taken again when older than this (a
# stream asks twice a second; a fleet of 600 streaming asked 1,200 queries a second).
MARKERS_TTL = 0.4


@dataclass
class _Markers:
    taken: float
    by_vehicle: dict[int, tuple]


_markers: dict[str, _Markers] = {}
_markers_lock = threading.Lock()


def _read_markers(session: Session) -> dict[int, tuple]:
    """Each vehicle's change number, and its open jobs' newest id, destinations' sum and
    acknowledgements (the open jobs are few: a partial index reads them)."""
    jobs = {
        row[0]: tuple(row[1:])
        for row in session.execute(
            select(
                Assignment.vehicle_id,
                func.max(Assignment.id),
                func.sum(Assignment.hospital_id),
                func.count(Assignment.acknowledged_at),
            )
            .where(Assignment.cleared_at.is_(None))
            .group_by(Assignment.vehicle_id)
        )
    }
    return {
        vehicle_id: (seq, *jobs.get(vehicle_id, (None, None, 0)))
        for vehicle_id, seq in session.execute(select(Vehicle.id, Vehicle.change_seq))
    }


def marker(session: Session, vehicle_id: int) -> tuple:
    """A cheap fingerprint of what the terminal shows: it changes with every new job, every
    status, position and destination change and every acknowledgement (a stream compares it
    twice a second; the process reads every vehicle's at most every MARKERS_TTL)."""
    key = str(session.get_bind().url)
    with _markers_lock:
        kept = _markers.get(key)
        if kept is None or time.monotonic() - kept.taken > MARKERS_TTL:
            kept = _markers[key] = _Markers(time.monotonic(), _read_markers(session))
    return kept.by_vehicle.get(vehicle_id, ())


def acknowledge(session: Session, *, vehicle_id: int, job_id: int, at: datetime) -> Assignment:
    """接单: the crew took the job at `at` (its terminal's time); a second one changes nothing."""
    with write_transaction(session):
        assignment = session.get(
            Assignment, job_id, with_for_update={"of": Assignment}, populate_existing=True
        )
        if assignment is None or assignment.vehicle_id != vehicle_id:
            raise NotFound()
        if assignment.acknowledged_at is None and assignment.cleared_at is not None:
            raise Conflict("job_cleared")  # reassigned or released before the crew answered
        if assignment.acknowledged_at is None:
            # A terminal clock a little behind ours must not give a negative time to answer.
            dispatched = assignment.dispatched_at or assignment.assigned_at
            assignment.acknowledged_at = max(at, dispatched)
            change = Change(session, None, assignment.acknowledged_at)
            change.record(assignment.incident_id, IncidentAction.ACKNOWLEDGE, vehicle_id)
    return assignment


def _unacknowledged():
    """Open jobs not acknowledged, of vehicles whose terminal holds a token (a vehicle
    without one cannot acknowledge: its crew works from the printed slip)."""
    return (
        select(Assignment)
        .join(Vehicle, Vehicle.id == Assignment.vehicle_id)
        .where(
            Assignment.acknowledged_at.is_(None),
            Assignment.cleared_at.is_(None),
            Assignment.dispatched_at.is_not(None),
            Vehicle.api_token_hash.is_not(None),
        )
        .order_by(Assignment.dispatched_at)
    )


def alert_unacknowledged(session: Session, *, now: datetime, ack_seconds: int) -> int:
    """Mark the jobs not acknowledged within `ack_seconds` as overdue, each once, with a row
    on the trail; the number marked (the scheduler's job: safe to run twice)."""
    due = now - timedelta(seconds=ack_seconds)
    with write_transaction(session):
        late = session.scalars(
            _unacknowledged()
            .where(Assignment.ack_overdue_at.is_(None), Assignment.dispatched_at <= due)
            .with_for_update(of=Assignment, skip_locked=True)
        ).all()
        for assignment in late:
            assignment.ack_overdue_at = now
            change = Change(session, None, now)
            change.record(assignment.incident_id, IncidentAction.ACK_OVERDUE, assignment.vehicle_id)
    return len(late)


@dataclass(frozen=True)
class Waiting:
    """A dispatched job its crew has not acknowledged yet, for the dispatcher's alert."""

    assignment_id: int
    incident_id: int
    incident_number: str
    vehicle_id: int
    call_sign: str
    phone: str
    seconds: int
    overdue: bool
    lon: float
    lat: float


def waiting(session: Session, *, now: datetime, ack_seconds: int) -> list[Waiting]:
    """The jobs waiting for their crew's acknowledgement, oldest first; overdue ones are
    those past `ack_seconds` (or already alerted)."""
    rows = session.execute(
        _unacknowledged()
        .add_columns(Incident.number, Incident.lon, Incident.lat)
        .join(Incident, Incident.id == Assignment.incident_id)
        .execution_options(populate_existing=True)
    ).all()
    answer = []
    for a, number, lon, lat in rows:
        seconds = max(0, int((now - a.dispatched_at).total_seconds()))
        overdue = a.ack_overdue_at is not None or seconds >= ack_seconds
        answer.append(
            Waiting(
                a.id, a.incident_id, number, a.vehicle_id, a.vehicle.call_sign,
                a.vehicle.phone, seconds, overdue, lon, lat,
            )
        )  # fmt: skip
    return answer
