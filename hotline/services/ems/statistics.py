"""The 120 director's statistics of one period [start, end): what was called, who took and
dispatched it, where patients went, when, how far the ambulances drove, and the interval
chain (rules in `hotline.core.ems.intervals`).

Everything counts the incidents CALLED in the period (ix_incidents_created) and what hangs
on them: their assignments (trips), patients and destination hospitals, so the figures of
a month do not change when the month after is added. By dispatcher: the calls an account
took (incidents it created; those a linked centre sent through the API, `Incident.source`,
are one row 联动, key None), the vehicles it dispatched (`assigned_by_id`), and the call to
dispatch of the incidents it took. Kilometres: each trip (a dispatched assignment) from its
dispatch to its clearing; a trip not cleared is measured to the period's end, at most
OPEN_TRIP_LIMIT after its dispatch.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.core.ems.intervals import (
    Fix,
    Leg,
    Link,
    Spread,
    Track,
    chain,
    durations,
    first_vehicle,
    spread,
    track_metres,
)
from hotline.models import Assignment, Hospital, Incident, Patient, User, Vehicle, VehiclePosition

OPEN_TRIP_LIMIT = timedelta(hours=12)


@dataclass(frozen=True)
class DispatcherFigures:
    """One dispatcher's (or 联动's) calls, dispatches and call-to-dispatch times."""

    calls: int
    dispatches: int
    to_dispatch: Spread


@dataclass(frozen=True)
class VehicleFigures:
    """One vehicle's trips and metres driven on them."""

    trips: int
    metres: float


@dataclass(frozen=True)
class Figures:
    """The statistics of one period."""

    incidents: int
    linked: int  # 联动: sent by a linked centre
    by_state: dict[str, int]
    by_dispatcher: dict[int | None, DispatcherFigures]  # None: 联动
    dispatcher_names: dict[int, str]
    by_complaint: dict[str, int]  # patients by complaint code ("" not recorded)
    by_diagnosis: dict[str, int]
    by_hospital: dict[str, int]  # assignments by destination hospital's name
    by_hour: tuple[int, ...]  # 24 local hours
    by_weekday: tuple[int, ...]  # Monday first
    by_vehicle: dict[str, VehicleFigures]  # by call sign
    chain: dict[Link, Spread]

    @property
    def trips(self) -> int:
        """Dispatched assignments."""
        return sum(v.trips for v in self.by_vehicle.values())

    @property
    def kilometres(self) -> float:
        """Kilometres driven on all trips."""
        return sum(v.metres for v in self.by_vehicle.values()) / 1000


@dataclass
class _Incident:
    called: datetime
    creator: int | None  # None: 联动
    legs: list[Leg]


def _incidents(session: Session, start: datetime, end: datetime):
    """The period's incidents with their assignments, and the assignments' vehicle and
    dispatcher, in one query."""
    a = Assignment
    rows = session.execute(
        select(
            Incident.id,
            Incident.created_at,
            Incident.created_by_id,
            Incident.source,
            Incident.state,
            a.id,
            a.vehicle_id,
            a.assigned_by_id,
            a.dispatched_at,
            a.acknowledged_at,
            a.en_route_at,
            a.on_scene_at,
            a.at_hospital_at,
            a.cleared_at,
            a.track_m,
        )
        .outerjoin(a, a.incident_id == Incident.id)
        .where(Incident.created_at >= start, Incident.created_at < end)
    )
    incidents: dict[int, _Incident] = {}
    states: Counter[str] = Counter()
    trips: list[tuple[int, int | None, Leg]] = []  # vehicle, dispatcher, leg
    measured: dict[int, float] = {}  # the settled trips' metres, by assignment
    for row in rows:
        incident = incidents.get(row[0])
        if incident is None:
            incident = _Incident(row[1], None if row[3] else row[2], [])
            incidents[row[0]] = incident
            states[row[4]] += 1
        if row[5] is not None:
            leg = Leg(row[5], *row[8:14])
            incident.legs.append(leg)
            if leg.dispatched is not None:
                trips.append((row[6], row[7], leg))
            if row[14] is not None:
                measured[row[5]] = row[14]
    return incidents, states, trips, measured


def _first_legs(incidents: dict[int, _Incident]) -> list[tuple[_Incident, Leg]]:
    """Each incident with its first dispatched vehicle's leg (those with none left out)."""
    firsts = ((i, first_vehicle(i.legs)) for i in incidents.values())
    return [(i, leg) for i, leg in firsts if leg is not None]


def _by_dispatcher(
    incidents: dict[int, _Incident],
    firsts: list[tuple[_Incident, Leg]],
    trips: list[tuple[int, int | None, Leg]],
) -> dict[int | None, DispatcherFigures]:
    """Calls and call-to-dispatch by the account that took them; dispatches by who sent."""
    calls: Counter[int | None] = Counter(i.creator for i in incidents.values())
    sent: Counter[int | None] = Counter(by for _v, by, _leg in trips if by is not None)
    waits: dict[int | None, list[float]] = defaultdict(list)
    for incident, leg in firsts:
        seconds = durations(incident.called, leg).get(Link.CALL_TO_DISPATCH)
        if seconds is not None:
            waits[incident.creator].append(seconds)
    return {
        key: DispatcherFigures(calls[key], sent[key], spread(waits[key]))
        for key in set(calls) | set(sent)
    }


def _counts(session: Session, column, start: datetime, end: datetime) -> dict[str, int]:
    """Patients of the period's incidents by a code column."""
    rows = session.execute(
        select(column, func.count())
        .join(Incident, Incident.id == Patient.incident_id)
        .where(Incident.created_at >= start, Incident.created_at < end)
        .group_by(column)
    )
    return dict(rows.all())


def _hospitals(session: Session, start: datetime, end: datetime) -> dict[str, int]:
    """The period's assignments by destination hospital."""
    rows = session.execute(
        select(Hospital.name, func.count(Assignment.id))
        .join(Assignment, Assignment.hospital_id == Hospital.id)
        .join(Incident, Incident.id == Assignment.incident_id)
        .where(Incident.created_at >= start, Incident.created_at < end)
        .group_by(Hospital.name)
    )
    return dict(rows.all())


def _vehicles(
    session: Session,
    trips: list[tuple[int, int | None, Leg]],
    measured: dict[int, float],
    end: datetime,
) -> dict[str, VehicleFigures]:
    """Trips and metres by vehicle: a settled trip's stored metres, and for the others (not
    yet measured) one indexed range read of each vehicle's fixes."""
    spans: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    counts: Counter[int] = Counter()
    stored: Counter[int] = Counter()
    for vehicle_id, _by, leg in trips:
        assert leg.dispatched is not None
        counts[vehicle_id] += 1
        if leg.assignment_id in measured:
            stored[vehicle_id] += measured[leg.assignment_id]
            continue
        until = leg.cleared or min(end, leg.dispatched + OPEN_TRIP_LIMIT)
        spans[vehicle_id].append((leg.dispatched, until))
    signs = dict(
        session.execute(
            select(Vehicle.id, Vehicle.call_sign).where(Vehicle.id.in_(list(counts)))
        ).all()
    )
    result = {
        signs.get(v, str(v)): VehicleFigures(counts[v], stored[v]) for v in counts if v not in spans
    }
    for vehicle_id, legs in spans.items():
        p = VehiclePosition
        rows = session.execute(
            select(p.at, p.lon, p.lat).where(
                p.vehicle_id == vehicle_id,
                p.at >= min(a for a, _b in legs),
                p.at <= max(b for _a, b in legs),
            )
        )
        track = Track(Fix(*row) for row in rows)
        metres = sum(track_metres(track.between(a, b)) for a, b in legs) + stored[vehicle_id]
        result[signs.get(vehicle_id, str(vehicle_id))] = VehicleFigures(counts[vehicle_id], metres)
    return result


def figures(session: Session, *, start: datetime, end: datetime, timezone: str) -> Figures:
    """The statistics of the incidents called in [start, end) (UTC; hours and weekdays in
    `timezone`)."""
    incidents, states, trips, measured = _incidents(session, start, end)
    firsts = _first_legs(incidents)
    by_dispatcher = _by_dispatcher(incidents, firsts, trips)
    ids = [key for key in by_dispatcher if key is not None]
    names = dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())
    zone = ZoneInfo(timezone)
    local = [i.called.astimezone(zone) for i in incidents.values()]
    hours, days = Counter(t.hour for t in local), Counter(t.weekday() for t in local)
    return Figures(
        incidents=len(incidents),
        linked=sum(1 for i in incidents.values() if i.creator is None),
        by_state=dict(states),
        by_dispatcher=by_dispatcher,
        dispatcher_names=names,
        by_complaint=_counts(session, Patient.complaint_code, start, end),
        by_diagnosis=_counts(session, Patient.diagnosis_code, start, end),
        by_hospital=_hospitals(session, start, end),
        by_hour=tuple(hours[h] for h in range(24)),
        by_weekday=tuple(days[d] for d in range(7)),
        by_vehicle=_vehicles(session, trips, measured, end),
        chain=chain((i.called, leg) for i, leg in firsts),
    )
