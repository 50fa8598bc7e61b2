"""Login sessions kept on the server: logout and time-outs end them for good."""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hotline.core.accounts.security import SecurityKind, session_expired
from hotline.database import write_transaction
from hotline.models import LoginSession
from hotline.services.accounts import security_log

# last_seen_at is written at most this often: a write per request would queue every page
# view behind SQLite's writer lock, and a minute is nothing against a 30-minute idle limit.
TOUCH_EVERY = timedelta(seconds=60)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def start(session: Session, *, user_id: int, now: datetime, ip: str = "") -> str:
    """A new session for this user, inside the caller's transaction; returns its token."""
    token = secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            token_hash=_hash(token),
            user_id=user_id,
            started_at=now,
            last_seen_at=now,
            ip=(ip or "")[:64],
        )
    )
    return token


def check(
    session: Session, *, token: str | None, user_id: int, now: datetime, idle: int, absolute: int
) -> bool:
    """True if the token is a live session of this user; keeps it alive, or ends it if stale."""
    if not token or len(token) > 100:
        return False
    row = session.get(LoginSession, _hash(token))
    if row is None or row.user_id != user_id or row.ended_at is not None:
        return False
    if session_expired(
        started_at=row.started_at,
        last_seen_at=row.last_seen_at,
        now=now,
        idle=idle,
        absolute=absolute,
    ):
        with write_transaction(session):
            _end(session, row.token_hash, now)
            security_log.record(
                session, SecurityKind.SESSION_EXPIRED, now=now, subject_user_id=user_id
            )
        return False
    if now - row.last_seen_at >= TOUCH_EVERY:
        with write_transaction(session):
            session.execute(
                update(LoginSession)
                .where(LoginSession.token_hash == row.token_hash)
                .values(last_seen_at=now)
            )
    return True


def end(session: Session, *, token: str | None, now: datetime) -> int | None:
    """End the session (logout); the user it belonged to, or None if it was not live."""
    if not token or len(token) > 100:
        return None
    with write_transaction(session):
        row = session.get(LoginSession, _hash(token))
        if row is None or row.ended_at is not None:
            return None
        _end(session, row.token_hash, now)
        return row.user_id


def end_all(session: Session, *, user_id: int, now: datetime) -> None:
    """End every live session of a user, inside the caller's transaction."""
    session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
        .values(ended_at=now)
    )


def live_count(session: Session, *, user_id: int) -> int:
    """How many sessions of this user are not ended (time-outs are ended when next seen)."""
    query = select(LoginSession.token_hash).where(
        LoginSession.user_id == user_id, LoginSession.ended_at.is_(None)
    )
    return len(session.scalars(query).all())


def _end(session: Session, token_hash: str, now: datetime) -> None:
    session.execute(
        update(LoginSession).where(LoginSession.token_hash == token_hash).values(ended_at=now)
    )
