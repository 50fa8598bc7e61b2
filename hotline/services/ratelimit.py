"""Fixed-window rate limits counted in the database, so every process shares them."""

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from hotline.database import write_transaction

_HIT = text(
    "INSERT INTO rate_counters (bucket, window, count) VALUES (:bucket, :window, 1) "
    "ON CONFLICT (bucket, window) DO UPDATE SET count = rate_counters.count + 1 "
    "RETURNING count"
)
_PURGE = text("DELETE FROM rate_counters WHERE window < :oldest")


def exceeded(session: Session, limits: dict[str, int], seconds: int, now: datetime) -> int | None:
    """Count one request in each bucket (one transaction); the first limit exceeded, or None."""
    stamp = int(now.timestamp())
    window = stamp - stamp % seconds  # the window's start, in epoch seconds
    over = None
    with write_transaction(session):
        for bucket, limit in limits.items():
            count = session.execute(_HIT, {"bucket": bucket[:128], "window": window}).scalar_one()
            if count > limit and over is None:
                over = limit
            if count == 1 and (window // seconds) % 16 == 0:
                # Now and then, forget windows that started more than a day ago.
                session.execute(_PURGE, {"oldest": stamp - 86400})
    return over


def allow(session: Session, *, bucket: str, limit: int, seconds: int, now: datetime) -> bool:
    """Count one request in `bucket`; False once more than `limit` came in this window."""
    return exceeded(session, {bucket: limit}, seconds, now) is None
