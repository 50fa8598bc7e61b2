"""Writing the audit trail: one row per state change."""

from datetime import datetime

from sqlalchemy.orm import Session

from hotline.models import AuditEvent, WorkOrder

_INSERT_EVENT = AuditEvent.__table__.insert()


def record(
    session: Session,
    order: WorkOrder,
    actor_id: int | None,
    action: str,
    from_state: str | None,
    to_state: str,
    now: datetime,
    note: str = "",
) -> None:
    """Append one audit event for `order` (inside the caller's transaction)."""
    session.add(
        AuditEvent(
            order_id=order.id,
            actor_id=actor_id,
            at=now,
            action=action,
            from_state=from_state,
            to_state=to_state,
            note=note,
        )
    )


def record_values(
    session: Session,
    order_id: int,
    actor_id: int | None,
    action: str,
    from_state: str | None,
    to_state: str,
    now: datetime,
    note: str = "",
) -> None:
    """Append one audit event by id, without loading the order (for bulk and hot paths)."""
    session.connection().execute(
        _INSERT_EVENT,
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
