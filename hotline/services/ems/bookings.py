"""Scheduled transport (约车): booked ahead, dispatched to the nearest available vehicle
shortly before the pick-up time by the scheduler; the desk is alerted if none is free."""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core import geo, phone
from hotline.database import write_transaction
from hotline.models import Booking, Incident
from hotline.services.ems import fleet
from hotline.services.errors import Conflict, ValidationFailed
from hotline.services.notifications import outbox

LEAD = timedelta(minutes=15)  # how long before the pick-up the vehicle is sent
TRIAGE_FOR_TRANSPORT = 4


def create_booking(
    session: Session,
    actor_id: int,
    caller_phone: str,
    lon: float,
    lat: float,
    pickup_at: datetime,
    now: datetime,
    address: str = "",
    note: str = "",
) -> Booking:
    """A booking for a future pick-up; every refusal names its field."""
    errors: dict[str, str] = {}
    number = phone.normalise(caller_phone) if caller_phone.strip() else ""
    if number is None:
        errors["caller_phone"] = "invalid_phone"
    if not geo.valid_coordinates(lon, lat):
        errors["location"] = "invalid_coordinates"
    if pickup_at <= now:
        errors["pickup_at"] = "not_in_future"
    if errors:
        raise ValidationFailed(errors)
    with write_transaction(session):
        booking = Booking(
            caller_phone=number, lon=lon, lat=lat, address=address.strip()[:255],
            note=note.strip()[:2000], pickup_at=pickup_at, created_by_id=actor_id,
            created_at=now,
        )  # fmt: skip
        session.add(booking)
    return booking


def dispatch_due(
    session: Session, now: datetime, timezone: str, speed_kmh: float, detour: float
) -> tuple[int, int]:
    """Send the nearest available vehicle to every booking due within LEAD; returns
    (dispatched, still waiting). Safe to run twice: a booking keeps its incident."""
    due = session.scalars(
        select(Booking)
        .where(Booking.state == "pending", Booking.pickup_at <= now + LEAD)
        .order_by(Booking.pickup_at)
    ).all()
    sent = waiting = 0
    for booking in due:
        if booking.incident_id is None:
            incident = fleet.create_incident(
                session, booking.created_by_id, booking.caller_phone, booking.lon, booking.lat,
                f"约车：{booking.note}".strip("："), TRIAGE_FOR_TRANSPORT, now, timezone,
                address=booking.address,
            )  # fmt: skip
            with write_transaction(session):
                booking.incident_id = incident.id
        if _send_nearest(session, booking, now, speed_kmh, detour):
            sent += 1
            continue
        waiting += 1
        if booking.alerted_at is None:
            with write_transaction(session):
                booking.alerted_at = now
                outbox.enqueue(
                    session, "in_app", "role:ems_dispatcher",
                    f"约车{booking.pickup_at:%m-%d %H:%M}无可派车辆，请人工处理", now,
                )  # fmt: skip
    return sent, waiting


def _send_nearest(session, booking, now, speed_kmh, detour) -> bool:
    incident = session.get(Incident, booking.incident_id)
    if incident is None or incident.state != "open":
        return False
    for choice in fleet.recommend(session, booking.lon, booking.lat, 3, speed_kmh, detour):
        try:
            fleet.dispatch(session, booking.created_by_id, incident.id, [choice.vehicle_id], now)
        except Conflict:
            continue  # taken a moment ago: the next nearest
        with write_transaction(session):
            booking.state = "dispatched"
        return True
    return False
