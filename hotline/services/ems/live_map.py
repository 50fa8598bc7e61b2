"""What the dispatcher's live map draws: vehicles, open incidents, open 12345 orders, places."""

from dataclasses import dataclass

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from hotline.core.ems.vocabulary import IncidentState
from hotline.core.orders.workflow import OPEN_STATES
from hotline.models import Hospital, Incident, Station, Vehicle, WorkOrder

MAX_ORDERS_ON_MAP = 20000


_VEHICLE_COLUMNS = (Vehicle.id, Vehicle.call_sign, Vehicle.status, Vehicle.lon, Vehicle.lat)


def vehicles(session: Session) -> list[Row]:
    """Every vehicle's id, call sign, status and position."""
    return list(session.execute(select(*_VEHICLE_COLUMNS)))


@dataclass(frozen=True)
class VehicleChanges:
    """The vehicles the map must redraw and the version it has then seen.

    `full` means `rows` are every vehicle (the map drops any marker not among them);
    otherwise only those changed since the version the map asked with.
    """

    version: int
    full: bool
    rows: list[Row]


def vehicle_changes(session: Session, since: int | None) -> VehicleChanges:
    """Every vehicle (`since` None, or a version this database never gave, e.g. after a
    restore), else the vehicles whose change_seq is above `since`.

    Why a version is safe to resume from: every vehicle change takes its change_seq from
    services/numbering.next_in_sequence, an UPDATE ... RETURNING on the counter row, whose
    row lock is held until the changing transaction ends. On PostgreSQL the next change
    waits for that lock, so number N+1 is taken only after N committed or rolled back:
    change_seqs become visible in increasing order, never a lower one after a higher one.
    SQLite has one writer at a time, the same order. So once a read sees change_seq M, no
    change at or below M can still appear, and `change_seq > M` next time misses none.
    """
    # Read before the rows: on PostgreSQL each statement has its own snapshot, and the rows'
    # snapshot is the later one, so it holds every change up to `newest`.
    newest = session.scalar(select(func.coalesce(func.max(Vehicle.change_seq), 0)))
    full = since is None or since > newest
    query = select(*_VEHICLE_COLUMNS, Vehicle.change_seq)
    if not full:
        query = query.where(Vehicle.change_seq > since)
    rows = list(session.execute(query))
    version = max([newest, *(r.change_seq for r in rows)])
    return VehicleChanges(version=version, full=full, rows=rows)


def open_incidents(session: Session) -> list[Incident]:
    """The open incidents, in no particular order."""
    return list(session.scalars(select(Incident).where(Incident.state == IncidentState.OPEN)))


def open_orders(session: Session) -> list[Row]:
    """Open 12345 work orders with a location: number, state and point (no caller data)."""
    return list(
        session.execute(
            select(WorkOrder.number, WorkOrder.state, WorkOrder.lon, WorkOrder.lat)
            .where(WorkOrder.state.in_([s.value for s in OPEN_STATES]), WorkOrder.lon.is_not(None))
            .limit(MAX_ORDERS_ON_MAP)
        )
    )


def places(session: Session) -> tuple[list[Station], list[Hospital]]:
    """Every station and every hospital."""
    return list(session.scalars(select(Station))), list(session.scalars(select(Hospital)))
