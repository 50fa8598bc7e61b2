"""Writing the audit trail: one row per state change."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from hotline.database import insert_many, raw_utc
from hotline.models import AuditEvent
from hotline.services.notifications import outbox

# One audit event without its time: (order_id, actor_id, action, from_state, to_state, note).
# A plain tuple, not a class: the deadline sweep builds tens of thousands at once.
Event = tuple[int, int | None, str, str | None, str, str]
# The event's columns, then the time that `record_many` adds to every row.
_COLUMNS = ("order_id", "actor_id", "action", "from_state", "to_state", "note", "at")


def record(
    session: Session,
    *,
    order_id: int,
    actor_id: int | None,
    action: str,
    from_state: str | None,
    to_state: str,
    now: datetime,
    note: str = "",
) -> None:
    """Append one audit event for an order, inside the caller's transaction."""
    event = (order_id, actor_id, action, from_state, to_state, note)
    record_many(session, events=[event], now=now)


def note_event(
    session: Session, *, order, actor_id: int | None, action: str, now: datetime, note: str = ""
) -> None:
    """Append an event that leaves the order's state as it is (a request, a survey call)."""
    event = (order.id, actor_id, action, order.state, order.state, note)
    record_many(session, events=[event], now=now)


def note_and_tell(
    session: Session,
    *,
    order,
    actor_id: int | None,
    action: str,
    note: str,
    recipient: str,
    message: str,
    now: datetime,
) -> None:
    """A step beside the order's state (a notice, a task): its note on the trail, and an
    in-app message to whoever acts next (`recipient`: user:, role: or department:)."""
    note_event(session, order=order, actor_id=actor_id, action=action, now=now, note=note)
    outbox.enqueue(
        session, channel="in_app", recipient=recipient, text=message, now=now, order_id=order.id
    )


def record_many(session: Session, *, events: Sequence[Event], now: datetime) -> None:
    """Append audit events, all at `now`, with one executemany in the caller's transaction."""
    connection = session.connection()
    at = raw_utc(connection.dialect.name, now)
    insert_many(connection, AuditEvent.__table__, _COLUMNS, [(*event, at) for event in events])
