"""Unique, human-readable order numbers, safe under concurrent intake."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.orm import Session

from hotline.core.deadlines import order_number

_BUMP = text("UPDATE order_sequences SET last = last + 1 WHERE day = :day RETURNING last")
_CREATE = text(
    "INSERT INTO order_sequences (day, last) VALUES (:day, 0) ON CONFLICT (day) DO NOTHING"
)


def next_order_number(session: Session, now: datetime, timezone: str) -> str:
    """Take the next number of the local day; the row lock serialises concurrent callers."""
    local = now.astimezone(ZoneInfo(timezone))
    day = f"{local:%Y%m%d}"
    sequence = session.execute(_BUMP, {"day": day}).scalar()
    if sequence is None:
        session.execute(_CREATE, {"day": day})
        sequence = session.execute(_BUMP, {"day": day}).scalar_one()
    return order_number(local, sequence)
