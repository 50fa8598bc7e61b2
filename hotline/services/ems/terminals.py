"""Vehicle terminals: their tokens, the GPS fixes they send and the tracks kept from them."""

import secrets
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hotline.core import geo
from hotline.core.accounts.permissions import Permission
from hotline.core.accounts.security import SecurityKind
from hotline.database import write_transaction
from hotline.models import Vehicle, VehiclePosition
from hotline.services.accounts import security_log
from hotline.services.accounts.credentials import digest
from hotline.services.accounts.users import require_permission
from hotline.services.ems.change import FLEET_SEQUENCE
from hotline.services.errors import NotFound, ValidationFailed
from hotline.services.numbering import next_in_sequence

MAX_TRACK_POINTS = 20000


def issue_terminal_token(
    session: Session, vehicle_id: int, *, now: datetime, actor_id: int | None = None, ip: str = ""
) -> str:
    """A new token for the vehicle's terminal (the old one stops working); shown once,
    stored as SHA-256."""
    require_permission(session, actor_id, Permission.MANAGE_KEYS_AND_TOKENS)
    with write_transaction(session):
        vehicle = session.get(Vehicle, vehicle_id)
        if vehicle is None:
            raise NotFound()
        token = secrets.token_urlsafe(32)
        vehicle.api_token_hash = digest(token)
        security_log.record(
            session,
            SecurityKind.TERMINAL_TOKEN_ISSUED,
            now=now,
            actor_id=actor_id,
            ip=ip,
            detail=f"vehicle: {vehicle.call_sign} (#{vehicle.id})",
        )
    return token


def revoke_terminal_token(
    session: Session, vehicle_id: int, *, now: datetime, actor_id: int | None = None, ip: str = ""
) -> None:
    """The vehicle's terminal token stops working at once."""
    require_permission(session, actor_id, Permission.MANAGE_KEYS_AND_TOKENS)
    with write_transaction(session):
        vehicle = session.get(Vehicle, vehicle_id)
        if vehicle is None:
            raise NotFound()
        if vehicle.api_token_hash is None:
            return
        vehicle.api_token_hash = None
        security_log.record(
            session,
            SecurityKind.TERMINAL_TOKEN_REVOKED,
            now=now,
            actor_id=actor_id,
            ip=ip,
            detail=f"vehicle: {vehicle.call_sign} (#{vehicle.id})",
        )


def vehicles(session: Session) -> list[Vehicle]:
    """Every ambulance, by call sign, with whether its terminal holds a token."""
    return list(session.scalars(select(Vehicle).order_by(Vehicle.call_sign)))


def vehicle_for_token(session: Session, token: str | None) -> Vehicle | None:
    """The vehicle whose terminal holds this token."""
    if not token:
        return None
    return session.scalar(select(Vehicle).where(Vehicle.api_token_hash == digest(token)))


def record_position(
    session: Session, *, vehicle_id: int, lon: float, lat: float, at: datetime
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
            )
            .execution_options(synchronize_session=False)
        )


def track(
    session: Session, *, vehicle_id: int, start: datetime, end: datetime
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
            .limit(MAX_TRACK_POINTS)
        )
    )
