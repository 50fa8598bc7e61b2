"""The crew's jobs (电子派车单): what a vehicle's terminal shows, its acknowledgement (接单),
the dispatcher's alert when nobody acknowledges, and a station's list of its vehicles' jobs.

A job is an assignment of the vehicle that is not cleared; its id is the assignment's id.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.core.ems.vocabulary import IncidentAction
from hotline.database import write_transaction
from hotline.models import Assignment, Hospital, Incident, Station, Vehicle
from hotline.services.ems import destinations
from hotline.services.ems.change import Change
from hotline.services.errors import Conflict, NotFound

MAX_STATION_JOBS = 50


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


def marker(session: Session, vehicle_id: int) -> tuple:
    """A cheap fingerprint of what the terminal shows: it changes with every new job, every
    status and destination change (the stream compares it twice a second)."""
    seq = session.scalar(select(Vehicle.change_seq).where(Vehicle.id == vehicle_id))
    newest, destinations, acknowledged = session.execute(
        select(
            func.max(Assignment.id),
            func.count(Assignment.hospital_id),
            func.count(Assignment.acknowledged_at),
        ).where(Assignment.vehicle_id == vehicle_id, Assignment.cleared_at.is_(None))
    ).one()
    return seq, newest, destinations, acknowledged


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


@dataclass(frozen=True)
class StationJob:
    """One job of a station's vehicle, for its duty room."""

    assignment_id: int
    incident_id: int
    incident_number: str
    call_sign: str
    address: str
    complaint: str
    triage_level: int
    dispatched_at: datetime | None
    acknowledged_at: datetime | None
    cleared: bool


def stations(session: Session) -> list[Station]:
    """Every station, by name (dispatchers pick one)."""
    return list(session.scalars(select(Station).order_by(Station.name)))


def station_jobs(session: Session, *, station_id: int, since: datetime) -> list[StationJob]:
    """The jobs of the station's vehicles dispatched since `since` or still open, newest
    first."""
    if session.get(Station, station_id) is None:
        raise NotFound()
    rows = session.execute(
        select(Assignment, Incident)
        .join(Incident, Incident.id == Assignment.incident_id)
        .join(Vehicle, Vehicle.id == Assignment.vehicle_id)
        .where(
            Vehicle.station_id == station_id,
            (Assignment.cleared_at.is_(None)) | (Assignment.assigned_at >= since),
        )
        .order_by(Assignment.id.desc())
        .limit(MAX_STATION_JOBS)
    ).all()
    return [
        StationJob(
            a.id, i.id, i.number, a.vehicle.call_sign, i.address, i.complaint, i.triage_level,
            a.dispatched_at, a.acknowledged_at, a.cleared_at is not None,
        )
        for a, i in rows
    ]  # fmt: skip


def station_newest(session: Session, station_id: int) -> int:
    """The newest assignment id of the station's vehicles (0 without): the page's marker."""
    newest = session.scalar(
        select(func.max(Assignment.id))
        .join(Vehicle, Vehicle.id == Assignment.vehicle_id)
        .where(Vehicle.station_id == station_id)
    )
    return newest or 0


def check_station_incident(
    session: Session, *, station_id: int | None, incident_id: int, since: datetime
) -> None:
    """NotFound unless one of the station's vehicles was assigned to the incident since
    `since` or is still on it (a vehicle moved to the station brings no old slips along)."""
    found = session.scalar(
        select(Assignment.id)
        .join(Vehicle, Vehicle.id == Assignment.vehicle_id)
        .where(
            Assignment.incident_id == incident_id,
            Vehicle.station_id == station_id,
            (Assignment.cleared_at.is_(None)) | (Assignment.assigned_at >= since),
        )
        .limit(1)
    )
    if station_id is None or found is None:
        raise NotFound()
