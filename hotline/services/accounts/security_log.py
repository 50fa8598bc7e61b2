"""Writing the append-only security log."""

from datetime import datetime

from sqlalchemy import insert
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


def about(
    session: Session,
    kind: SecurityKind,
    user,
    *,
    now: datetime,
    actor_id: int | None = None,
    ip: str = "",
    detail: str = "",
) -> None:
    """Append an event about an account (its id and name), inside the caller's transaction."""
    record(
        session,
        kind,
        now=now,
        actor_id=actor_id,
        subject_user_id=user.id,
        username=user.username,
        ip=ip,
        detail=detail,
    )


def record_alone(session: Session, kind: SecurityKind, **fields) -> None:
    """Append one security event in a transaction of its own (reads that must be logged)."""
    with write_transaction(session):
        record(session, kind, **fields)
