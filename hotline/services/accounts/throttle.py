"""Slowing down password guessing per address and per username, without holding a worker.

A throttled attempt is answered at once (with how long to wait) and never reaches the
password hash: the attacker gets no guesses and the server spends nothing on them.
"""

from datetime import datetime, timedelta

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from hotline.core.accounts.security import FAILURE_MEMORY, login_delay
from hotline.database import raw_utc
from hotline.models import LoginThrottle
from hotline.services.ratelimit import address_key

_CREATE = text(
    "INSERT INTO login_throttles "
    "(bucket, failures, last_failure_at, next_allowed_at, lock_failures) "
    "VALUES (:bucket, 0, :at, :at, 0) ON CONFLICT (bucket) DO NOTHING"
)


def buckets(*, ip: str, username: str) -> dict[str, str]:
    """The buckets one login attempt counts in, by kind (an IPv6 client by its /64, as
    every rate limit counts it)."""
    return {"ip": f"ip:{address_key(ip)}", "user": f"user:{username.strip().lower()[:64]}"}


def wait_seconds(session: Session, *, keys: dict[str, str], now: datetime) -> int:
    """Seconds before another attempt from these buckets is heard (0: go ahead)."""
    rows = session.scalars(select(LoginThrottle).where(LoginThrottle.bucket.in_(keys.values())))
    wait = 0
    for row in rows:
        if row.next_allowed_at > now:
            wait = max(wait, int((row.next_allowed_at - now).total_seconds()) + 1)
    return wait


def unknown_user_locked(session: Session, *, keys: dict[str, str], now: datetime) -> bool:
    """Whether a username without an account is 'locked' as a real one would be."""
    row = session.get(LoginThrottle, keys["user"])
    return row is not None and row.locked_until is not None and row.locked_until > now


def count_failure(
    session: Session,
    *,
    keys: dict[str, str],
    now: datetime,
    lock_unknown: tuple[int, int] | None = None,
) -> None:
    """One more failure in each bucket, inside the caller's transaction.

    With `lock_unknown` = (max failures, lock minutes) the username has no account and is
    locked like a real one.
    """
    for kind, key in keys.items():
        # Create the row without a race (two first failures at once), then lock it.
        session.execute(_CREATE, {"bucket": key, "at": raw_utc(_dialect(session), now)})
        row = session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)
        if now - row.last_failure_at > FAILURE_MEMORY:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        row.next_allowed_at = now + timedelta(seconds=login_delay(kind, row.failures))
        if kind == "user" and lock_unknown is not None:
            max_failures, lock_minutes = lock_unknown
            row.lock_failures += 1
            if row.lock_failures >= max_failures:
                row.lock_failures = 0
                row.locked_until = now + timedelta(minutes=lock_minutes)
    session.flush()


def clear(session: Session, *, key: str) -> None:
    """Forget a bucket's failures (a successful login), inside the caller's transaction."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.bucket == key))


def _dialect(session: Session) -> str:
    return session.connection().dialect.name
