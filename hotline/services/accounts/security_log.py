"""Writing the append-only security log."""

from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from hotline.core.accounts.security import SecurityKind
from hotline.database import write_transaction
from hotline.models import SecurityEvent


def record(
    session: Session,
    kind: SecurityKind,
    *,
    now: datetime,
    actor_id: int | None = None,
    subject_user_id: int | None = None,
    username: str = "",
    ip: str = "",
    order_id: int | None = None,
    detail: str = "",
) -> None:
    """Append one security event inside the caller's transaction."""
    session.execute(
        insert(SecurityEvent).values(
            at=now,
            kind=kind.value,
            actor_id=actor_id,
            subject_user_id=subject_user_id,
            username=(username or "")[:64],
            ip=(ip or "")[:64],
            order_id=order_id,
            detail=detail,
        )
    )


def record_alone(session: Session, kind: SecurityKind, **fields) -> None:
    """Append one security event in a transaction of its own (reads that must be logged)."""
    with write_transaction(session):
        record(session, kind, **fields)


def recent(
    session: Session,
    *,
    kinds: list[str] | None = None,
    user_id: int | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[SecurityEvent]:
    """Security events, newest first, optionally of some kinds or about one account."""
    query = select(SecurityEvent).order_by(SecurityEvent.id.desc()).limit(limit)
    if kinds:
        query = query.where(SecurityEvent.kind.in_(kinds))
    if user_id is not None:
        query = query.where(
            (SecurityEvent.actor_id == user_id) | (SecurityEvent.subject_user_id == user_id)
        )
    if before_id is not None:
        query = query.where(SecurityEvent.id < before_id)
    return list(session.scalars(query))
