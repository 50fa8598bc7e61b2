"""Writing the audit trail: one row per state change."""

from datetime import datetime

from sqlalchemy.orm import Session

from hotline.models import AuditEvent

# One constant statement with bound parameters: compiled once, cached for every change.
INSERT_EVENT = AuditEvent.__table__.insert()


def record(
    session: Session,
    order_id: int,
    actor_id: int | None,
    action: str,
    from_state: str | None,
    to_state: str,
    now: datetime,
    note: str = "",
) -> None:
    """Append one audit event for an order, inside the caller's transaction."""
    session.connection().execute(
        INSERT_EVENT,
        {
            "order_id": order_id,
            "actor_id": actor_id,
            "at": now,
            "action": action,
            "from_state": from_state,
            "to_state": to_state,
            "note": note,
        },
    )
