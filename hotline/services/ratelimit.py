"""Fixed-window rate limits counted in the database, so every process shares them; the
client-address key every limit counts by; one-time keys (a form's token)."""

import ipaddress
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from hotline.database import write_transaction

_HIT = text(
    # "window" is quoted: it is a reserved word in PostgreSQL (not in SQLite).
    'INSERT INTO rate_counters (bucket, "window", count) VALUES (:bucket, :window, 1) '
    'ON CONFLICT (bucket, "window") DO UPDATE SET count = rate_counters.count + 1 '
    "RETURNING count"
)
_PURGE = text('DELETE FROM rate_counters WHERE "window" < :oldest')


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


def address_key(address: str | None) -> str:
    """The key a client address is counted under: an IPv4 address as it is, an IPv6 one by
    its /64 network."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        # One subscriber is given a whole /64 and may take a fresh address from it for
        # every request: counted one by one, nothing would ever add up.
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return str(ip)


def first_use(session: Session, *, key: str, issued: datetime) -> bool:
    """Count one use of a one-time key (a form's token); True only the first time.

    It is counted in the window it was issued in, so it is forgotten with the windows a
    day old: keys must expire before then.
    """
    with write_transaction(session):
        stamp = int(issued.timestamp())
        count = session.execute(_HIT, {"bucket": f"once:{key}"[:128], "window": stamp})
        return count.scalar_one() == 1
