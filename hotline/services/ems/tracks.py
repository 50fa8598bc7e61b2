"""Track playback: a vehicle's (or an incident's vehicles') GPS fixes in a time window, oldest
first, with the status changes of the trail placed at the fix nearest in time."""

from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core.ems.vocabulary import IncidentAction
from hotline.models import Incident, IncidentEvent, Vehicle
from hotline.services.ems import incidents, terminals
from hotline.services.errors import NotFound, ValidationFailed

MAX_WINDOW = timedelta(days=7)  # a week of fixes every few seconds is already a long play

# What a vehicle's line on the trail marks along its track: its status changes, the
# dispatch (which sets "dispatched") and the crew's acknowledgement.
MARKED = frozenset(
    {a.value for a in IncidentAction if a.value.startswith("status_")}
    | {IncidentAction.DISPATCH.value, IncidentAction.ACKNOWLEDGE.value}
)


@dataclass(frozen=True)
class Fix:
    """One GPS position."""

    at: datetime
    lon: float
    lat: float


@dataclass(frozen=True)
class Mark:
    """A status change, where the vehicle was then (None without any fix in the window)."""

    at: datetime
    action: str
    lon: float | None
    lat: float | None


@dataclass(frozen=True)
class VehicleTrack:
    """One vehicle's fixes and marks in the window."""

    vehicle_id: int
    call_sign: str
    fixes: list[Fix]
    marks: list[Mark]


@dataclass(frozen=True)
class Playback:
    """What the playback page plays: the window and each vehicle's track."""

    start: datetime
    end: datetime
    tracks: list[VehicleTrack]


def nearest_fix(fixes: list[Fix], at: datetime) -> Fix | None:
    """The fix nearest in time to `at` (fixes oldest first); the earlier one on a tie."""
    if not fixes:
        return None
    i = bisect_left([f.at for f in fixes], at)
    candidates = fixes[max(0, i - 1) : i + 1]
    return min(candidates, key=lambda f: abs((f.at - at).total_seconds()))


def _track(session: Session, vehicle: Vehicle, start: datetime, end: datetime) -> VehicleTrack:
    points = terminals.track(session, vehicle_id=vehicle.id, start=start, end=end)
    fixes = [Fix(p.at, p.lon, p.lat) for p in points]
    events = session.scalars(
        select(IncidentEvent)
        .where(
            IncidentEvent.vehicle_id == vehicle.id,
            IncidentEvent.at >= start,
            IncidentEvent.at < end,
            IncidentEvent.action.in_(MARKED),
        )
        .order_by(IncidentEvent.at, IncidentEvent.id)
    )
    marks = []
    for event in events:
        fix = nearest_fix(fixes, event.at)
        marks.append(
            Mark(event.at, event.action, fix.lon if fix else None, fix.lat if fix else None)
        )
    return VehicleTrack(vehicle.id, vehicle.call_sign, fixes, marks)


def vehicle_playback(
    session: Session, *, vehicle_id: int, start: datetime, end: datetime
) -> Playback:
    """One vehicle in [start, end)."""
    if end <= start:
        raise ValidationFailed({"to": "invalid_datetime"})
    vehicle = session.get(Vehicle, vehicle_id)
    if vehicle is None:
        raise NotFound()
    return Playback(start, end, [_track(session, vehicle, start, end)])


def incident_playback(session: Session, *, incident_id: int, now: datetime) -> Playback:
    """Every vehicle of the incident, from the call to the last clearing (now while one is
    still out), MAX_WINDOW at most: an assignment never cleared must not play months."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound()
    assignments = incidents.assignments_of(session, incident_id)
    cleared = [a.cleared_at for a in assignments]
    if not cleared:
        end = incident.closed_at or now
    else:
        end = now if None in cleared else max(c for c in cleared if c)
    # [start, stop) is half-open: a second more keeps the last clearing's own fix and mark.
    stop = min(
        max(end, incident.created_at) + timedelta(seconds=1), incident.created_at + MAX_WINDOW
    )
    vehicles: dict[int, Vehicle] = {}
    for a in assignments:
        vehicles.setdefault(a.vehicle_id, a.vehicle)
    tracks = [_track(session, v, incident.created_at, stop) for v in vehicles.values()]
    return Playback(incident.created_at, stop, tracks)
