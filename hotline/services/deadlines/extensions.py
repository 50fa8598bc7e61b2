"""Extensions (延期): asked by the department before the deadline, decided by a supervisor."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core.accounts.permissions import Permission, allows, roles_with
from hotline.core.deadlines.escalation import EscalationPolicy
from hotline.core.deadlines.extensions import DECISION_AUDIT_ACTIONS, ExtensionState
from hotline.core.orders.audit_actions import AuditAction
from hotline.core.orders.workflow import State
from hotline.database import write_transaction
from hotline.models import ExtensionRequest, User, WorkOrder
from hotline.services import audit
from hotline.services.errors import Forbidden, NotFound, ValidationFailed
from hotline.services.orders.queries import load_for_action
from hotline.services.reference import cache

WORKING_STATES = (State.ROUTED.value, State.ACCEPTED.value)
MAX_REASON = 2000


def request_extension(
    session: Session,
    *,
    actor_id: int,
    number: str,
    new_day: date,
    reason: str,
    now: datetime,
    timezone: str,
) -> ExtensionRequest:
    """The department asks for a new due day; refused once the deadline has passed."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": "required"})
    if len(reason) > MAX_REASON:
        raise ValidationFailed({"reason": "too_long"})
    with write_transaction(session):
        actor, order = load_for_action(
            session, actor_id=actor_id, number=number, roles=roles_with(Permission.HANDLE_ORDERS)
        )
        if order.state not in WORKING_STATES:
            raise ValidationFailed({"action": "not_allowed_in_state"})
        if now >= order.due_at:
            raise ValidationFailed({"day": "after_deadline"})
        end = cache.context(session).calendar.work_end
        requested = datetime.combine(new_day, end, tzinfo=ZoneInfo(timezone))
        if requested <= order.due_at:
            raise ValidationFailed({"day": "not_later"})
        if pending(session, order.id):
            raise ValidationFailed({"day": "already_pending"})
        request = ExtensionRequest(
            order_id=order.id,
            requested_by_id=actor.id,
            requested_at=now,
            previous_due_at=order.due_at,
            requested_due_at=requested,
            reason=reason,
            status=ExtensionState.PENDING.value,
        )
        session.add(request)
        note = f"{new_day.isoformat()}: {reason}"
        audit.note_event(
            session,
            order=order,
            actor_id=actor.id,
            action=AuditAction.EXTENSION_REQUEST,
            now=now,
            note=note,
        )
    return request


def decide(
    session: Session,
    *,
    actor_id: int,
    request_id: int,
    approve: bool,
    note: str,
    now: datetime,
    timezone: str,
) -> ExtensionRequest:
    """A supervisor approves (the due time moves) or refuses a pending request."""
    decision = ExtensionState.APPROVED if approve else ExtensionState.REFUSED
    with write_transaction(session):
        actor = session.get(User, actor_id)
        if actor is None or not allows(actor.role_enum, Permission.DECIDE_EXTENSIONS):
            raise Forbidden()
        # Locked (PostgreSQL): two supervisors deciding at once are decided one by one, and
        # the second is told it was decided already.
        request = session.get(
            ExtensionRequest,
            request_id,
            with_for_update={"of": ExtensionRequest},  # not its joined order's outer join
            populate_existing=True,
        )
        if request is None:
            raise NotFound()
        if request.status != ExtensionState.PENDING:
            raise ValidationFailed({"action": "already_decided"})
        order = request.order
        session.refresh(order)  # the sweep changes levels without the ORM
        request.status = decision.value
        request.decided_by_id, request.decided_at = actor.id, now
        request.decision_note = note.strip()[:MAX_REASON]
        if approve:
            _move_deadline(order, request.requested_due_at, now)
        session.flush()
        local_day = request.requested_due_at.astimezone(ZoneInfo(timezone)).date()
        note = f"{local_day.isoformat()}: {request.decision_note}"
        audit.note_event(
            session,
            order=order,
            actor_id=actor.id,
            action=DECISION_AUDIT_ACTIONS[decision],
            now=now,
            note=note,
        )
    return request


def _move_deadline(order: WorkOrder, due_at: datetime, now: datetime) -> None:
    """The approved due time, and the escalation level that belongs to it."""
    order.due_at = due_at
    policy = EscalationPolicy()
    order.warn_at = policy.warn_at(order.created_at, order.due_at, order.warning_percent)
    # The level belongs to the old deadline: an order overdue on it is not overdue on
    # the new one. It only comes down here; the sweep raises it again when due.
    order.escalation_level = min(
        order.escalation_level,
        int(policy.level(order.created_at, order.due_at, now, order.warn_at)),
    )
    order.updated_at = now


def pending(session: Session, order_id: int | None = None) -> list[ExtensionRequest]:
    """Pending requests, oldest first (of one order, or all)."""
    query = select(ExtensionRequest).where(ExtensionRequest.status == ExtensionState.PENDING.value)
    if order_id is not None:
        query = query.where(ExtensionRequest.order_id == order_id)
    return list(session.scalars(query.order_by(ExtensionRequest.requested_at)))
