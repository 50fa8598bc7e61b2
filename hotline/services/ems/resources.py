"""120 around the dispatch itself: hospitals, terminals and their tracks, malicious-number
locks, the bulletin board and the director's figures."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hotline.core import geo, phone
from hotline.core.ems.vocabulary import Capability
from hotline.database import write_transaction
from hotline.models import (
    Assignment,
    Bulletin,
    Hospital,
    Incident,
    MaliciousNumber,
    Station,
    User,
    Vehicle,
    VehiclePosition,
)
from hotline.pdf.slip import Slip, SlipLine
from hotline.services.accounts.credentials import digest
from hotline.services.ems.fleet import FLEET_SEQUENCE
from hotline.services.errors import NotFound, ValidationFailed
from hotline.services.numbering import next_in_sequence
from hotline.services.reference import cache

MAX_TEXT = 2000


@dataclass(frozen=True)
class HospitalChoice:
    """A receiving hospital with its distance from the pick-up point."""

    hospital: Hospital
    distance_m: float


def suitable_hospitals(
    session: Session, lon: float, lat: float, capability: str | None, k: int = 3
) -> list[HospitalChoice]:
    """The k nearest hospitals that have the capability (any hospital when none is given)."""
    if capability and capability not in {c.value for c in Capability}:
        raise ValidationFailed({"capability": "invalid_choice"})
    hospitals = session.scalars(select(Hospital)).all()  # a city has hundreds, not millions
    fitting = [h for h in hospitals if not capability or capability in h.capabilities.split(",")]
    ranked = sorted(
        (HospitalChoice(h, geo.haversine_m(lon, lat, h.lon, h.lat)) for h in fitting),
        key=lambda c: (c.distance_m, c.hospital.id),
    )
    return ranked[:k]


def active_lock(session: Session, raw_phone: str, now: datetime) -> MaliciousNumber | None:
    """The malicious-caller lock on this number, if one is in force."""
    number = phone.normalise(raw_phone) if raw_phone.strip() else None
    if not number:
        return None
    return session.scalar(
        select(MaliciousNumber)
        .where(MaliciousNumber.phone == number, MaliciousNumber.until > now)
        .order_by(MaliciousNumber.until.desc())
    )


def lock_number(
    session: Session, actor_id: int, raw_phone: str, hours: int, reason: str, now: datetime
) -> MaliciousNumber:
    """恶意电话锁定 for a number of hours, with a reason (supervisors)."""
    errors = {}
    number = phone.normalise(raw_phone)
    if not number:
        errors["phone"] = "invalid_phone"
    if not 1 <= hours <= 24 * 90:
        errors["hours"] = "out_of_range"
    if not reason.strip():
        errors["reason"] = "required"
    if errors:
        raise ValidationFailed(errors)
    with write_transaction(session):
        lock = MaliciousNumber(
            phone=number, until=now + timedelta(hours=hours), reason=reason.strip()[:MAX_TEXT],
            set_by_id=actor_id, set_at=now,
        )  # fmt: skip
        session.add(lock)
    return lock


def post_bulletin(session: Session, actor_id: int, text: str, now: datetime) -> Bulletin:
    """A notice for dispatchers and stations."""
    text = text.strip()
    if not text or len(text) > MAX_TEXT:
        raise ValidationFailed({"text": "required" if not text else "too_long"})
    with write_transaction(session):
        bulletin = Bulletin(text=text, created_by_id=actor_id, created_at=now)
        session.add(bulletin)
    return bulletin


def bulletins(session: Session, limit: int = 20) -> list[Bulletin]:
    """The latest notices."""
    return list(session.scalars(select(Bulletin).order_by(Bulletin.created_at.desc()).limit(limit)))


def issue_terminal_token(session: Session, vehicle_id: int) -> str:
    """A new token for the vehicle's terminal; shown once, stored as SHA-256."""
    token = secrets.token_urlsafe(32)
    with write_transaction(session):
        vehicle = session.get(Vehicle, vehicle_id)
        if vehicle is None:
            raise NotFound()
        vehicle.api_token_hash = digest(token)
    return token


def vehicle_for_token(session: Session, token: str | None) -> Vehicle | None:
    """The vehicle whose terminal holds this token."""
    if not token:
        return None
    return session.scalar(select(Vehicle).where(Vehicle.api_token_hash == digest(token)))


def record_position(
    session: Session, vehicle_id: int, lon: float, lat: float, at: datetime
) -> None:
    """A GPS fix: kept on the track, and the vehicle's position if it is the newest."""
    if not geo.valid_coordinates(lon, lat):
        raise ValidationFailed({"location": "invalid_coordinates"})
    with write_transaction(session):
        session.add(VehiclePosition(vehicle_id=vehicle_id, at=at, lon=lon, lat=lat))
        session.execute(
            update(Vehicle)
            .where(
                Vehicle.id == vehicle_id,
                (Vehicle.position_at.is_(None)) | (Vehicle.position_at < at),
            )
            .values(
                lon=lon,
                lat=lat,
                position_at=at,
                changed_at=at,
                change_seq=next_in_sequence(session, FLEET_SEQUENCE),
            )  # fmt: skip
            .execution_options(synchronize_session=False)
        )


def track(
    session: Session, vehicle_id: int, start: datetime, end: datetime
) -> list[VehiclePosition]:
    """A vehicle's positions in [start, end), oldest first (for replay on the map)."""
    return list(
        session.scalars(
            select(VehiclePosition)
            .where(
                VehiclePosition.vehicle_id == vehicle_id,
                VehiclePosition.at >= start,
                VehiclePosition.at < end,
            )
            .order_by(VehiclePosition.at)
            .limit(20000)
        )
    )


@dataclass(frozen=True)
class LiveCounts:
    """The director's live figures."""

    open_incidents: int
    vehicles_by_status: dict[str, int]
    calls_last_hour: int


def live_counts(session: Session, now: datetime) -> LiveCounts:
    """Open incidents, vehicles by status and calls in the last hour."""
    return LiveCounts(
        session.scalar(select(func.count()).select_from(Incident).where(Incident.state == "open")),
        dict(session.execute(select(Vehicle.status, func.count()).group_by(Vehicle.status)).all()),
        session.scalar(
            select(func.count())
            .select_from(Incident)
            .where(Incident.created_at >= now - timedelta(hours=1))
        ),
    )


def response_times(session: Session, start: datetime, end: datetime) -> list[tuple[float, float]]:
    """(call to dispatch, dispatch to scene) in seconds for the first vehicle of each
    incident called in [start, end) that reached the scene."""
    rows = session.execute(
        select(
            Incident.created_at,
            func.min(Assignment.dispatched_at),
            func.min(Assignment.on_scene_at),
        )
        .join(Assignment, Assignment.incident_id == Incident.id)
        .where(Incident.created_at >= start, Incident.created_at < end)
        .group_by(Incident.id, Incident.created_at)
    ).all()
    return [
        ((dispatched - called).total_seconds(), (scene - dispatched).total_seconds())
        for called, dispatched, scene in rows
        if dispatched is not None and scene is not None
    ]


def slip(session: Session, incident_id: int, timezone: str) -> Slip:
    """The dispatch slip's content for an incident (its assigned vehicles)."""
    tz = ZoneInfo(timezone)
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound()
    assignments = session.scalars(
        select(Assignment).where(Assignment.incident_id == incident_id).order_by(Assignment.id)
    ).all()
    dispatcher = session.get(User, incident.created_by_id) if incident.created_by_id else None
    ctx = cache.context(session)
    code = ctx.district_codes.get(incident.district_id) if incident.district_id else None
    rings: list[list[tuple[float, float]]] = []
    if code:
        geometry = ctx.index.get(code).geometry.simplify(0.002)
        for polygon in getattr(geometry, "geoms", [geometry]):
            rings.append([(x, y) for x, y in polygon.exterior.coords])
    return Slip(
        number=incident.number,
        called_at=f"{incident.created_at.astimezone(tz):%Y-%m-%d %H:%M:%S}",
        address=incident.address,
        lonlat=(incident.lon, incident.lat),
        complaint=incident.complaint,
        triage_level=incident.triage_level,
        dispatcher=dispatcher.display_name if dispatcher else "",
        vehicles=[
            SlipLine(
                a.vehicle.call_sign,
                a.vehicle.station.name,
                (a.vehicle.station.lon, a.vehicle.station.lat),
                f"{a.dispatched_at.astimezone(tz):%H:%M:%S}" if a.dispatched_at else "",
            )
            for a in assignments
        ],  # fmt: skip
        district_name=ctx.index.get(code).name if code else "",
        district_rings=rings,
    )


def save_station(
    session: Session, station_id: int | None, name: str, lon: float, lat: float
) -> Station:
    """A new station (no id) or changes to one; its district is where the point falls."""
    name, errors = _check_place(name, lon, lat)
    if errors:
        raise ValidationFailed(errors)
    with write_transaction(session):
        station = _existing(session, Station, station_id) or Station()
        _unique_name(session, Station, Station.name, name, station_id)
        station.name, station.lon, station.lat = name, lon, lat
        station.district_id = _district_id(session, lon, lat)
        session.add(station)
    return station


def save_hospital(
    session: Session,
    hospital_id: int | None,
    name: str,
    lon: float,
    lat: float,
    capabilities: list[str],
) -> Hospital:
    """A new receiving hospital (no id) or changes to one, with what it can treat."""
    name, errors = _check_place(name, lon, lat)
    if not set(capabilities) <= {c.value for c in Capability}:
        errors["capabilities"] = "invalid_choice"
    if errors:
        raise ValidationFailed(errors)
    with write_transaction(session):
        hospital = _existing(session, Hospital, hospital_id) or Hospital()
        _unique_name(session, Hospital, Hospital.name, name, hospital_id)
        hospital.name, hospital.lon, hospital.lat = name, lon, lat
        hospital.capabilities = ",".join(sorted(set(capabilities)))
        hospital.district_id = _district_id(session, lon, lat)
        session.add(hospital)
    return hospital


def save_vehicle(
    session: Session, vehicle_id: int | None, call_sign: str, station_id: int, now: datetime
) -> Vehicle:
    """A new ambulance, available at its station (no id), or a new call sign or station."""
    call_sign = call_sign.strip()
    if not call_sign or len(call_sign) > 32:
        raise ValidationFailed({"call_sign": "required" if not call_sign else "too_long"})
    with write_transaction(session):
        station = session.get(Station, station_id)
        if station is None:
            raise ValidationFailed({"station_id": "invalid_choice"})
        _unique_name(session, Vehicle, Vehicle.call_sign, call_sign, vehicle_id)
        vehicle = _existing(session, Vehicle, vehicle_id)
        if vehicle is None:
            vehicle = Vehicle(
                lon=station.lon, lat=station.lat, changed_at=now,
                change_seq=next_in_sequence(session, FLEET_SEQUENCE),
            )  # fmt: skip
        vehicle.call_sign, vehicle.station_id = call_sign, station.id
        session.add(vehicle)
    return vehicle


def _existing(session: Session, model, object_id: int | None):
    if object_id is None:
        return None
    found = session.get(model, object_id)
    if found is None:
        raise NotFound()
    return found


def _unique_name(session: Session, model, column, value: str, object_id: int | None) -> None:
    other = session.scalar(select(model.id).where(column == value))
    if other is not None and other != object_id:
        raise ValidationFailed({"name": "name_taken"})


def _check_place(name: str, lon: float, lat: float) -> tuple[str, dict[str, str]]:
    """A station's or hospital's name and point, with what is wrong with them."""
    name = name.strip()
    errors = {}
    if not name or len(name) > 120:
        errors["name"] = "required" if not name else "too_long"
    if not geo.valid_coordinates(lon, lat):
        errors["location"] = "invalid_coordinates"
    return name, errors


def _district_id(session: Session, lon: float, lat: float) -> int | None:
    ctx = cache.context(session)
    found = ctx.index.locate(lon, lat)
    return ctx.district_ids.get(found.code) if found else None
