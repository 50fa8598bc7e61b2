"""Slowing down password guessing per address and per username, without holding a worker.

Every attempt first takes its turn (`reserve`); one that comes too early is answered at
once (with how long to wait) and never reaches the password hash: the attacker gets no
guesses and the server spends nothing on them.
"""

import ipaddress
from collections.abc import Iterable
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


def buckets(*, ip: str, username: str, trusted: Iterable[str] = ()) -> dict[str, str]:
    """The buckets one login attempt counts in, by kind (an IPv6 client by its /64, as
    every rate limit counts it). The username as typed, case and all: it is looked up so,
    and an unknown name must be locked exactly as the account it is not. An address in a
    `trusted` network (the centre's own NAT, say) has no bucket of its own: one person's
    typing must not shut out every seat behind it; its usernames are still throttled."""
    keys = {"user": f"user:{username.strip()[:64]}"}
    if not in_networks(ip, trusted):
        keys["ip"] = f"ip:{address_key(ip)}"
    return keys


def in_networks(address: str, networks: Iterable[str]) -> bool:
    """Whether `address` lies in one of `networks` (CIDR strings; bad ones are ignored)."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    for network in networks:
        try:
            if ip in ipaddress.ip_network(network.strip(), strict=False):
                return True
        except ValueError:
            continue
    return False


def waits(session: Session, *, keys: dict[str, str], now: datetime) -> dict[str, int]:
    """Seconds before another attempt is heard, per kind of bucket (0: go ahead), read
    without a write: a flood of early attempts must not queue at SQLite's writer lock."""
    kinds = {key: kind for kind, key in keys.items()}
    query = select(LoginThrottle.bucket, LoginThrottle.next_allowed_at).where(
        LoginThrottle.bucket.in_(keys.values())
    )
    found = {kinds[bucket]: _seconds_until(at, now) for bucket, at in session.execute(query)}
    return {kind: found.get(kind, 0) for kind in keys}  # no "ip" for a trusted network


def reserve(session: Session, *, keys: dict[str, str], now: datetime) -> int:
    """Take this attempt's turn before its password is checked, inside the caller's
    transaction: 0 and the attempt counted as a failure in every bucket (a success gives
    it back), or the seconds to wait and nothing counted.

    Counted before the hash, not after: otherwise every attempt that arrives while the
    first ones are still being hashed passes the check, and a burst is hashed in full.
    """
    rows = []
    for key in keys.values():
        # Create the row without a race (two first attempts at once), then lock it.
        created = session.execute(_CREATE, {"bucket": key, "at": raw_utc(_dialect(session), now)})
        if created.rowcount == 1:
            _forget_old(session, now)
        rows.append(session.get(LoginThrottle, key, with_for_update=True, populate_existing=True))
    wait = max((_seconds_until(row.next_allowed_at, now) for row in rows), default=0)
    if wait:
        return wait
    for kind, row in zip(keys, rows, strict=True):
        if now - row.last_failure_at > FAILURE_MEMORY:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        row.next_allowed_at = now + timedelta(seconds=login_delay(kind, row.failures))
    session.flush()
    return 0


def give_back(session: Session, *, keys: dict[str, str], now: datetime) -> None:
    """A successful login: its reserved failure is taken back (the username's bucket is
    forgotten, the address's counts one less), inside the caller's transaction."""
    clear(session, key=keys["user"])
    if "ip" not in keys:  # a trusted network has no bucket of its own
        return
    row = session.get(LoginThrottle, keys["ip"], with_for_update=True, populate_existing=True)
    if row is not None:
        row.failures = max(0, row.failures - 1)
        row.next_allowed_at = min(row.next_allowed_at, now)
        session.flush()


def unknown_user_locked(session: Session, *, keys: dict[str, str], now: datetime) -> bool:
    """Whether a username without an account is 'locked' as a real one would be."""
    row = session.get(LoginThrottle, keys["user"])
    return row is not None and row.locked_until is not None and row.locked_until > now


def lock_unknown(
    session: Session, *, keys: dict[str, str], now: datetime, max_failures: int, lock_minutes: int
) -> None:
    """Count a failure for a username without an account towards the lock-out a real
    account would get (inside the caller's transaction)."""
    row = session.get(LoginThrottle, keys["user"], with_for_update=True, populate_existing=True)
    row.lock_failures += 1
    if row.lock_failures >= max_failures:
        row.lock_failures = 0
        row.locked_until = now + timedelta(minutes=lock_minutes)
    session.flush()


def _forget_old(session: Session, now: datetime) -> None:
    """Drop buckets quiet for a day and not locked (when a new one is made: the table stays
    as small as the last day's guessing)."""
    session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.last_failure_at < now - timedelta(days=1),
            (LoginThrottle.locked_until.is_(None)) | (LoginThrottle.locked_until < now),
        )
    )


def _seconds_until(moment: datetime, now: datetime) -> int:
    return int((moment - now).total_seconds()) + 1 if moment > now else 0


def clear(session: Session, *, key: str) -> None:
    """Forget a bucket's failures (a successful login), inside the caller's transaction."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.bucket == key))


def _dialect(session: Session) -> str:
    return session.connection().dialect.name
