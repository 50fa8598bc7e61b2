"""Supervision notices (督办单): issued by a supervisor on an open order, answered by the
unit handling it, escalated to the officials by the scheduler when unanswered in time."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core.accounts.permissions import Permission, roles_with
from hotline.core.deadlines.notices import MAX_TEXT, NoticeState, notice_number
from hotline.core.orders.audit_actions import AuditAction
from hotline.core.orders.workflow import OPEN_STATES
from hotline.database import write_transaction
from hotline.models import SupervisionNotice, WorkOrder
from hotline.services import audit
from hotline.services.errors import NotFound, ValidationFailed, required_text
from hotline.services.numbering import next_in_sequence
from hotline.services.orders.queries import load_for_action

OPEN = NoticeState.OPEN.value


def issue(
    session: Session,
    *,
    actor_id: int,
    number: str,
    instruction: str,
    respond_by: datetime,
    now: datetime,
    timezone: str,
) -> SupervisionNotice:
    """A supervisor's notice on an open order that a unit handles; the unit is told."""
    instruction = required_text(instruction, "instruction", MAX_TEXT)
    if respond_by <= now:
        raise ValidationFailed({"respond_by": "not_in_future"})
    with write_transaction(session):
        actor, order = load_for_action(
            session, actor_id=actor_id, number=number, roles=roles_with(Permission.ISSUE_NOTICES)
        )
        if order.state not in {s.value for s in OPEN_STATES} or order.department_id is None:
            raise ValidationFailed({"action": "not_allowed_in_state"})
        year = now.astimezone(ZoneInfo(timezone)).year
        notice = SupervisionNotice(
            number=notice_number(year, next_in_sequence(session, f"N{year}")),
            order_id=order.id,
            department_id=order.department_id,
            issued_by_id=actor.id,
            issued_at=now,
            instruction=instruction,
            respond_by=respond_by,
            state=OPEN,
            answer="",
        )
        session.add(notice)
        audit.note_and_tell(
            session,
            order=order,
            actor_id=actor.id,
            action=AuditAction.NOTICE_ISSUED,
            note=f"{notice.number}: {instruction}",
            recipient=f"department:{order.department_id}",
            message=f"工单{order.number}收到督办单{notice.number}，请按期回复。",
            now=now,
        )
    return notice


def answer(
    session: Session, *, actor_id: int, number: str, notice_id: int, text: str, now: datetime
) -> SupervisionNotice:
    """The unit the notice was issued to answers it (once); the supervisors are told."""
    text = required_text(text, "answer", MAX_TEXT)
    with write_transaction(session):
        actor, order = load_for_action(
            session, actor_id=actor_id, number=number, roles=roles_with(Permission.HANDLE_ORDERS)
        )
        notice = session.get(
            SupervisionNotice, notice_id, with_for_update={"of": SupervisionNotice}
        )
        # Another unit's notice (the order moved on) is not this user's to answer.
        if (
            notice is None
            or notice.order_id != order.id
            or notice.department_id != actor.department_id
        ):
            raise NotFound()
        if notice.state == NoticeState.ANSWERED.value:
            raise ValidationFailed({"action": "already_answered"})
        if notice.state == NoticeState.WITHDRAWN.value:  # the order left the unit meanwhile
            raise ValidationFailed({"action": "notice_withdrawn"})
        notice.state, notice.answer = NoticeState.ANSWERED.value, text
        notice.answered_by_id, notice.answered_at = actor.id, now
        audit.note_and_tell(
            session,
            order=order,
            actor_id=actor.id,
            action=AuditAction.NOTICE_ANSWERED,
            note=f"{notice.number}: {text}",
            recipient="role:supervisor",
            message=f"督办单{notice.number}（工单{order.number}）已回复。",
            now=now,
        )
    return notice


def withdraw_open(
    session: Session, *, order: WorkOrder, department_id: int, actor_id: int | None, now: datetime
) -> None:
    """The order left `department_id` (returned, transferred, re-routed): its open notices
    to that unit are withdrawn, noted on the trail, and the supervisors told, so that
    nothing escalates a unit that can no longer answer."""
    # Locked, and open when locked: an answer or an escalation written meanwhile stands.
    found = session.scalars(
        select(SupervisionNotice)
        .where(
            SupervisionNotice.order_id == order.id,
            SupervisionNotice.department_id == department_id,
            SupervisionNotice.state == OPEN,
        )
        .with_for_update(of=SupervisionNotice)
        .execution_options(populate_existing=True)
    ).all()
    for notice in found:
        notice.state = NoticeState.WITHDRAWN.value
        audit.note_and_tell(
            session,
            order=order,
            actor_id=actor_id,
            action=AuditAction.NOTICE_WITHDRAWN,
            note=notice.number,
            recipient="role:supervisor",
            message=f"工单{order.number}已离开原承办单位，督办单{notice.number}未回复，已撤回。",
            now=now,
        )


def escalate_due(session: Session, now: datetime) -> int:
    """Raise every open notice past its time to the officials, once (compare-and-set)."""
    with write_transaction(session):
        due = session.scalars(
            select(SupervisionNotice)
            .where(SupervisionNotice.state == OPEN, SupervisionNotice.respond_by <= now)
            .with_for_update(of=SupervisionNotice, skip_locked=True)
        ).all()
        for notice in due:
            notice.state, notice.escalated_at = NoticeState.ESCALATED.value, now
            order = session.get(WorkOrder, notice.order_id)
            audit.note_and_tell(
                session,
                order=order,
                actor_id=None,
                action=AuditAction.NOTICE_ESCALATED,
                note=notice.number,
                recipient="role:official",
                message=f"督办单{notice.number}（工单{order.number}）逾期未回复，提请领导督办。",
                now=now,
            )
    return len(due)


def for_order(session: Session, order_id: int) -> list[SupervisionNotice]:
    """The order's notices, oldest first."""
    query = select(SupervisionNotice).where(SupervisionNotice.order_id == order_id)
    return list(session.scalars(query.order_by(SupervisionNotice.id)))


def one(session: Session, order_id: int, notice_id: int) -> SupervisionNotice:
    """A notice of this order, or NotFound."""
    notice = session.get(SupervisionNotice, notice_id)
    if notice is None or notice.order_id != order_id:
        raise NotFound()
    return notice
