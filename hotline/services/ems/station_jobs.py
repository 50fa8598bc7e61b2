"""A station duty room's view of its vehicles' jobs (站点提醒), and which slips it may print."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.models import Assignment, Incident, Station, Vehicle
from hotline.services.errors import NotFound

MAX_STATION_JOBS = 50


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
