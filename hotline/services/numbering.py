"""Unique, human-readable order numbers, safe under concurrent intake."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.orm import Session

from hotline.core.deadlines.limits import order_number

_BUMP = text("UPDATE order_sequences SET last = last + 1 WHERE day = :day RETURNING last")
_CREATE = text(
    "INSERT INTO order_sequences (day, last) VALUES (:day, 0) ON CONFLICT (day) DO NOTHING"
)


def next_in_sequence(session: Session, key: str) -> int:
    """The next value of a named counter (at most 8 characters); the row lock serialises
    concurrent callers until their transaction ends."""
    sequence = session.execute(_BUMP, {"day": key}).scalar()
    if sequence is None:
        session.execute(_CREATE, {"day": key})
        sequence = session.execute(_BUMP, {"day": key}).scalar_one()
    return sequence


def next_order_number(session: Session, now: datetime, timezone: str) -> str:
    """Take the next number of the local day."""
    local = now.astimezone(ZoneInfo(timezone))
    return order_number(local, next_in_sequence(session, f"{local:%Y%m%d}"))


def next_incident_number(session: Session, now: datetime, timezone: str) -> str:
    """A 120 incident number of the local day, e.g. 120-20261123-0042."""
    local = now.astimezone(ZoneInfo(timezone))
    return f"120-{local:%Y%m%d}-{next_in_sequence(session, f'E{local:%y%m%d}'):04d}"
