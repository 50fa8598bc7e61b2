"""Timed reminders (定时催办): an operator or supervisor asks to be reminded of an order."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core.accounts.permissions import Permission, roles_with
from hotline.core.orders.audit_actions import AuditAction
from hotline.database import write_transaction
from hotline.models import Reminder
from hotline.services import audit
from hotline.services.errors import ValidationFailed
from hotline.services.orders.queries import load_for_action


def set_reminder(
    session: Session, *, actor_id: int, number: str, remind_at: datetime, note: str, now: datetime
) -> Reminder:
    """A reminder at a future time; audited on the order."""
    if remind_at <= now:
        raise ValidationFailed({"remind_at": "not_in_future"})
    with write_transaction(session):
        actor, order = load_for_action(
            session, actor_id=actor_id, number=number, roles=roles_with(Permission.SET_REMINDERS)
        )
        note = note.strip()[:1000]
        reminder = Reminder(
            order_id=order.id, set_by_id=actor.id, set_at=now, remind_at=remind_at, note=note
        )
        session.add(reminder)
        trail = f"{remind_at.isoformat()}: {note}"
        audit.note_event(
            session,
            order=order,
            actor_id=actor.id,
            action=AuditAction.REMIND_SET,
            now=now,
            note=trail,
        )
    return reminder


def due_for(session: Session, *, user_id: int, now: datetime) -> list[Reminder]:
    """The reminders this user set whose time has come, latest first."""
    return list(
        session.scalars(
            select(Reminder)
            .where(Reminder.set_by_id == user_id, Reminder.remind_at <= now)
            .order_by(Reminder.remind_at.desc())
            .limit(200)
        )
    )


def due_orders(session: Session, order_ids: list[int], now: datetime) -> dict[int, Reminder]:
    """Among these orders, those with a reminder whose time has come (the latest one each)."""
    if not order_ids:
        return {}
    rows = session.scalars(
        select(Reminder)
        .where(Reminder.order_id.in_(order_ids), Reminder.remind_at <= now)
        .order_by(Reminder.remind_at)
    )
    return {r.order_id: r for r in rows}
