"""Administration of 120 resources: stations, receiving hospitals and ambulances."""

from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from hotline.core import geo
from hotline.core.ems.vocabulary import Capability
from hotline.database import write_transaction
from hotline.models import Hospital, Station, Vehicle
from hotline.services.ems.change import FLEET_SEQUENCE, lock_vehicle
from hotline.services.errors import NotFound, ValidationFailed
from hotline.services.numbering import next_in_sequence
from hotline.services.reference import cache

PlaceOrVehicle = TypeVar("PlaceOrVehicle", Station, Hospital, Vehicle)
MAX_NAME = 120
MAX_CALL_SIGN = 32


@dataclass(frozen=True)
class Place:
    """A station or hospital as an admin types it: a name and a point."""

    name: str
    lon: float
    lat: float


def inventory(session: Session) -> dict[str, list]:
    """The admin page's lists: "stations", "hospitals" and "vehicles", each by name."""
    lists = {"stations": Station.name, "hospitals": Hospital.name, "vehicles": Vehicle.call_sign}
    return {
        key: list(session.scalars(select(order.class_).order_by(order)))
        for key, order in lists.items()
    }


def save_station(session: Session, *, station_id: int | None, place: Place) -> Station:
    """A new station (no id) or changes to one; its district is where the point falls."""
    return _save_place(session, Station, station_id, place)


def save_hospital(
    session: Session, *, hospital_id: int | None, place: Place, capabilities: list[str]
) -> Hospital:
    """A new receiving hospital (no id) or changes to one, with what it can treat."""
    wrong = not set(capabilities) <= {c.value for c in Capability}
    treats = ",".join(sorted(set(capabilities)))
    problems = {"capabilities": "invalid_choice"} if wrong else {}
    return _save_place(session, Hospital, hospital_id, place, problems, capabilities=treats)


def _save_place(
    session: Session,
    model: type[Station] | type[Hospital],
    object_id: int | None,
    place: Place,
    problems: dict[str, str] | None = None,
    **columns: str,
) -> Station | Hospital:
    """Add or change a station or hospital: its name, its point, the district the point
    falls in, and any other `columns`."""
    name, errors = _check_place(place)
    errors.update(problems or {})
    if errors:
        raise ValidationFailed(errors)
    with write_transaction(session):
        row = _existing(session, model, object_id) or model()
        _unique_name(session, model.name, name, object_id)
        row.name, row.lon, row.lat = name, place.lon, place.lat
        ctx = cache.context(session)
        found = ctx.index.locate(place.lon, place.lat)
        row.district_id = ctx.district_ids.get(found.code) if found else None
        for column, value in columns.items():
            setattr(row, column, value)
        session.add(row)
    return row


def save_vehicle(
    session: Session, *, vehicle_id: int | None, call_sign: str, station_id: int, now: datetime
) -> Vehicle:
    """A new ambulance, available at its station (no id), or a new call sign or station."""
    call_sign = call_sign.strip()
    if not call_sign or len(call_sign) > MAX_CALL_SIGN:
        raise ValidationFailed({"call_sign": "required" if not call_sign else "too_long"})
    with write_transaction(session):
        station = session.get(Station, station_id)
        if station is None:
            raise ValidationFailed({"station_id": "invalid_choice"})
        _unique_name(session, Vehicle.call_sign, call_sign, vehicle_id)
        if vehicle_id is not None:
            lock_vehicle(session, vehicle_id)  # before the counter, as every fleet change
        vehicle = _existing(session, Vehicle, vehicle_id)
        if vehicle is None:
            vehicle = Vehicle(lon=station.lon, lat=station.lat)
        # A new name or station is a change too: open maps and the fleet index catch up.
        vehicle.changed_at = now
        vehicle.change_seq = next_in_sequence(session, FLEET_SEQUENCE)
        vehicle.call_sign, vehicle.station_id = call_sign, station.id
        session.add(vehicle)
    return vehicle


def _existing(
    session: Session, model: type[PlaceOrVehicle], object_id: int | None
) -> PlaceOrVehicle | None:
    """The row to change (NotFound when it is gone), or None to add one."""
    found = None if object_id is None else session.get(model, object_id)
    if object_id is not None and found is None:
        raise NotFound()
    return found


def _unique_name(
    session: Session, column: InstrumentedAttribute, value: str, object_id: int | None
) -> None:
    other = session.scalar(select(column.class_.id).where(column == value))
    if other is not None and other != object_id:
        raise ValidationFailed({"name": "name_taken"})


def _check_place(place: Place) -> tuple[str, dict[str, str]]:
    """A station's or hospital's name and point, with what is wrong with them."""
    name = place.name.strip()
    errors = {}
    if not name or len(name) > MAX_NAME:
        errors["name"] = "required" if not name else "too_long"
    if not geo.valid_coordinates(place.lon, place.lat):
        errors["location"] = "invalid_coordinates"
    return name, errors
