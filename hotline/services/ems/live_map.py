"""What the dispatcher's live map draws: vehicles, open incidents, open 12345 orders, places."""

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from hotline.core.ems.vocabulary import IncidentState
from hotline.core.orders.workflow import OPEN_STATES
from hotline.models import Hospital, Incident, Station, Vehicle, WorkOrder

MAX_ORDERS_ON_MAP = 20000


def vehicles(session: Session) -> list[Row]:
    """Every vehicle's id, call sign, status and position."""
    query = select(Vehicle.id, Vehicle.call_sign, Vehicle.status, Vehicle.lon, Vehicle.lat)
    return list(session.execute(query))


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
