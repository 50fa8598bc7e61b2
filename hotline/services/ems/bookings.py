"""Scheduled transport (约车): booked ahead, dispatched to the nearest available vehicle
shortly before the pick-up time by the scheduler; the desk is alerted if none is free."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core.ems.calls import caller_and_place
from hotline.core.ems.vocabulary import BookingState, IncidentState
from hotline.database import write_transaction
from hotline.models import Booking, Incident
from hotline.services.ems import fleet, incidents
from hotline.services.errors import Conflict, ValidationFailed
from hotline.services.notifications import outbox

LEAD = timedelta(minutes=15)  # how long before the pick-up the vehicle is sent
SHOWN_AFTER_PICKUP = timedelta(days=1)  # how long a booking stays on the list
TRIAGE_FOR_TRANSPORT = 4
CHOICES = 3  # the nearest vehicles tried in turn


@dataclass(frozen=True)
class BookingRequest:
    """A transport as the desk books it."""

    caller_phone: str
    lon: float
    lat: float
    pickup_at: datetime
    address: str = ""
    note: str = ""


def create_booking(
    session: Session, *, actor_id: int, request: BookingRequest, now: datetime
) -> Booking:
    """A booking for a future pick-up; every refusal names its field."""
    number, errors = caller_and_place(request.caller_phone, request.lon, request.lat)
    if request.pickup_at <= now:
        errors["pickup_at"] = "not_in_future"
    if errors:
        raise ValidationFailed(errors)
    with write_transaction(session):
        booking = Booking(
            caller_phone=number,
            lon=request.lon,
            lat=request.lat,
            address=request.address.strip()[:255],
            note=request.note.strip()[:2000],
            pickup_at=request.pickup_at,
            created_by_id=actor_id,
            created_at=now,
        )
        session.add(booking)
    return booking


def upcoming(session: Session, *, now: datetime) -> list[Booking]:
    """Bookings from a day ago on, by pick-up time (the desk's list)."""
    return list(
        session.scalars(
            select(Booking)
            .where(Booking.pickup_at >= now - SHOWN_AFTER_PICKUP)
            .order_by(Booking.pickup_at)
        )
    )


def dispatch_due(
    session: Session, *, now: datetime, timezone: str, speed_kmh: float, detour_factor: float
) -> tuple[int, int]:
    """Send the nearest available vehicle to every booking due within LEAD; returns
    (dispatched, still waiting). Safe to run twice: a booking keeps its incident."""
    due = session.scalars(
        select(Booking)
        .where(Booking.state == BookingState.PENDING.value, Booking.pickup_at <= now + LEAD)
        .order_by(Booking.pickup_at)
    ).all()
    sent = waiting = 0
    for booking in due:
        if booking.incident_id is None:
            _open_incident(session, booking, now, timezone)
        if _send_nearest(session, booking, now, (speed_kmh, detour_factor)):
            sent += 1
            continue
        waiting += 1
        if booking.alerted_at is None:
            _alert(session, booking, now)
    return sent, waiting


def _open_incident(session: Session, booking: Booking, now: datetime, timezone: str) -> None:
    """The booking's incident, registered when it falls due."""
    call = incidents.Call(
        caller_phone=booking.caller_phone,
        lon=booking.lon,
        lat=booking.lat,
        complaint=f"约车：{booking.note}".strip("："),
        triage_level=TRIAGE_FOR_TRANSPORT,
        address=booking.address,
    )
    incident = incidents.create_incident(
        session, actor_id=booking.created_by_id, call=call, now=now, timezone=timezone
    )
    with write_transaction(session):
        booking.incident_id = incident.id


def _alert(session: Session, booking: Booking, now: datetime) -> None:
    """Tell the 120 desk, once, that no vehicle is free for the booking."""
    with write_transaction(session):
        booking.alerted_at = now
        outbox.enqueue(
            session,
            channel="in_app",
            recipient="role:ems_dispatcher",
            text=f"约车{booking.pickup_at:%m-%d %H:%M}无可派车辆，请人工处理",
            now=now,
        )


def _send_nearest(
    session: Session, booking: Booking, now: datetime, pace: tuple[float, float]
) -> bool:
    incident = session.get(Incident, booking.incident_id)
    if incident is None or incident.state != IncidentState.OPEN:
        return False
    nearest = fleet.recommend(
        session,
        lon=booking.lon,
        lat=booking.lat,
        k=CHOICES,
        speed_kmh=pace[0],
        detour_factor=pace[1],
    )
    for choice in nearest:
        try:
            fleet.dispatch(
                session,
                actor_id=booking.created_by_id,
                incident_id=incident.id,
                vehicle_ids=[choice.vehicle_id],
                now=now,
            )
        except Conflict:
            continue  # taken a moment ago: the next nearest
        with write_transaction(session):
            booking.state = BookingState.DISPATCHED.value
        return True
    return False
