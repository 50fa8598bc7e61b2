"""Acting on a work order: accept, return, reply, dispatch, approve, send back, cancel."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from hotline.core import workflow
from hotline.core.workflow import Action, State, TransitionError
from hotline.database import write_transaction
from hotline.models import Department, User, WorkOrder
from hotline.services import audit
from hotline.services.errors import Conflict, NotFound, ValidationFailed
from hotline.services.orders import visible_orders

MAX_NOTE = 4000


def perform(
    session: Session,
    actor_id: int,
    number: str,
    action: Action,
    now: datetime,
    note: str = "",
    department_id: int | None = None,
    expected_version: int | None = None,
) -> WorkOrder:
    """Apply one action under the transition table; audited; conflicts raise Conflict."""
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise ValidationFailed({"note": "too_long"})
    try:
        with write_transaction(session):
            actor = session.get(User, actor_id)
            if actor is None or not actor.active:
                raise NotFound()
            order = session.scalar(visible_orders(actor).where(WorkOrder.number == number))
            if order is None:
                raise NotFound()
            if expected_version is not None and order.version != expected_version:
                raise Conflict("stale_version")
            from_state = order.state_enum
            try:
                to_state = workflow.apply(from_state, action, actor.role_enum, note)
            except TransitionError as exc:
                raise ValidationFailed({"action": exc.code}) from exc
            audit_note = note
            if action is Action.RETURN and order.department is not None:
                audit_note = f"{order.department.name}: {note}"
            if action in workflow.ACTIONS_WITH_DEPARTMENT:
                department = _assign(session, order, department_id)
                audit_note = f"→ {department.name}" + (f": {note}" if note else "")
            _stamp(order, action, to_state, note, now)
            order.state = to_state.value
            order.updated_at = now
            session.flush()
            audit.record(
                session,
                order.id,
                actor.id,
                action.value,
                from_state.value,
                to_state.value,
                now,
                audit_note,
            )
    except StaleDataError as exc:
        raise Conflict("stale_version") from exc
    return order


def _assign(session: Session, order: WorkOrder, department_id: int | None) -> Department:
    if department_id is None:
        raise ValidationFailed({"department_id": "required"})
    department = session.scalar(
        select(Department).where(Department.id == department_id, Department.active)
    )
    if department is None:
        raise ValidationFailed({"department_id": "unknown_department"})
    if order.department_id == department.id and order.state_enum is State.DISPATCHED:
        raise ValidationFailed({"department_id": "same_department"})
    order.department_id = department.id
    order.routing_reason = "manual"
    return department


def _stamp(order: WorkOrder, action: Action, to_state: State, note: str, now: datetime) -> None:
    if action in workflow.ACTIONS_WITH_DEPARTMENT:
        order.dispatched_at = now
        order.accepted_at = None
    elif action is Action.ACCEPT:
        order.accepted_at = now
    elif action is Action.RETURN:
        order.return_count += 1
        order.department_id = None
    elif action is Action.REPLY:
        order.reply_text = note
        order.replied_at = now
    elif action is Action.APPROVE:
        order.closed_at = now
    if to_state is State.CANCELLED:
        order.closed_at = now
