"""Tasks on an order: assistance asked of other units (协办, 吹哨) and second-level dispatch
to a sub-unit or a staff member of the lead unit (二级派单). Each step is audited on the
order's trail, told to whoever must act next, and guarded by the task's version."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from hotline.core.accounts.permissions import Permission, allows, roles_with
from hotline.core.accounts.roles import Role
from hotline.core.orders import tasks as rules
from hotline.core.orders.audit_actions import AuditAction
from hotline.core.orders.tasks import OPEN_TASK_STATES, TaskAction, TaskKind, TaskRefused, TaskState
from hotline.core.orders.workflow import State
from hotline.core.units.kinds import SUB_UNIT
from hotline.database import write_transaction
from hotline.models import Department, OrderTask, User, WorkOrder
from hotline.services import audit
from hotline.services.errors import (
    Conflict,
    NotFound,
    ValidationFailed,
    conflict_on_stale,
    required_text,
)
from hotline.services.notifications import outbox
from hotline.services.orders.queries import held_by_actor, load_for_action

OPEN = [state.value for state in OPEN_TASK_STATES]
# What the other side is told, in the centre's language (the in-app notices are Chinese).
_TOLD = {
    TaskAction.ACCEPT: "已签收",
    TaskAction.REPLY: "已答复",
    TaskAction.DECLINE: "已拒绝（非本单位职责）",
    TaskAction.WITHDRAW: "已被主办单位撤回",
}
_AUDIT = {
    TaskAction.ACCEPT: AuditAction.TASK_ACCEPT,
    TaskAction.REPLY: AuditAction.TASK_REPLY,
    TaskAction.DECLINE: AuditAction.TASK_DECLINE,
    TaskAction.WITHDRAW: AuditAction.TASK_WITHDRAW,
}


def _lead_order(
    session: Session, actor_id: int, number: str, expected_version: int | None
) -> tuple[User, WorkOrder, Department]:
    """The lead unit's staff member, its accepted order and the unit (load_for_action: own
    unit only)."""
    actor, order = load_for_action(
        session, actor_id=actor_id, number=number, roles=roles_with(Permission.HANDLE_ORDERS)
    )
    if expected_version is not None and order.version != expected_version:
        raise Conflict("stale_version")
    if order.state_enum is not State.ACCEPTED:
        raise ValidationFailed({"action": "accept_first"})
    return actor, order, session.get(Department, order.department_id)


def _open_tasks(session: Session, order_id: int) -> list[OrderTask]:
    query = select(OrderTask).where(OrderTask.order_id == order_id, OrderTask.state.in_(OPEN))
    return list(session.scalars(query.order_by(OrderTask.id)))


def has_open(session: Session, order_id: int) -> bool:
    """Whether any task on the order still waits for its holder."""
    return bool(_open_tasks(session, order_id))


def _holder_address(task: OrderTask) -> str:
    return f"user:{task.assignee_id}" if task.assignee_id else f"department:{task.department_id}"


def _holder_name(task: OrderTask) -> str:
    if task.assignee is not None:
        return f"{task.department.name} {task.assignee.display_name}"
    return task.department.name


def _new_task(
    order: WorkOrder,
    lead: Department,
    actor: User,
    kind: TaskKind,
    unit: Department,
    due_at: datetime,
    text: str,
) -> OrderTask:
    """A task of the order's lead unit, made now (the order's `updated_at`)."""
    return OrderTask(
        order_id=order.id,
        kind=kind.value,
        lead_department_id=lead.id,
        department_id=unit.id,
        whistle=kind is TaskKind.ASSIST and rules.is_whistle(lead.level, unit.level),
        instruction=text,
        due_at=due_at,
        state=TaskState.OPEN.value,
        reply_text="",
        created_by_id=actor.id,
        created_at=order.updated_at,
    )


def _check_due(due_at: datetime | None, now: datetime) -> datetime:
    if due_at is None:
        raise ValidationFailed({"due_at": "required"})
    if due_at <= now:
        raise ValidationFailed({"due_at": "not_in_future"})
    return due_at


def _within_order(due_at: datetime, order: WorkOrder, now: datetime) -> None:
    """A task is due by the order's own due time (an overdue order: within OVERDUE_GRACE),
    so that a task cannot hold the lead's reply past it."""
    latest = order.due_at if order.due_at > now else now + rules.OVERDUE_GRACE
    if due_at > latest:
        raise ValidationFailed({"due_at": "after_order_due"})


def ask_for_help(
    session: Session,
    *,
    actor_id: int,
    number: str,
    department_ids: list[int],
    instruction: str,
    due_at: datetime | None,
    now: datetime,
    expected_version: int | None = None,
) -> list[OrderTask]:
    """The lead unit asks other units to assist (协办); a 街乡镇 asking a body blows the
    whistle (吹哨), which the body may not decline. Each unit is told."""
    text = required_text(instruction, "instruction", rules.MAX_INSTRUCTION)
    due_at = _check_due(due_at, now)
    if not department_ids:
        raise ValidationFailed({"department_ids": "required"})
    if len(set(department_ids)) > rules.MAX_ASSISTING_UNITS:
        raise ValidationFailed({"department_ids": "too_many_units"})
    with conflict_on_stale(), write_transaction(session):
        actor, order, lead = _lead_order(session, actor_id, number, expected_version)
        _within_order(due_at, order, now)
        busy = {task.department_id for task in _open_tasks(session, order.id)}
        order.updated_at = now  # a new version: the lead's other open pages are stale
        created = []
        for department_id in dict.fromkeys(department_ids):
            unit = session.get(Department, department_id)
            if unit is None or not unit.active:
                raise ValidationFailed({"department_ids": "unknown_department"})
            if order.department_id in (unit.id, unit.parent_id):
                raise ValidationFailed({"department_ids": "own_unit"})
            if unit.level == SUB_UNIT:  # another unit's 科室 is reached through that unit
                raise ValidationFailed({"department_ids": "unknown_department"})
            if unit.id in busy:
                raise ValidationFailed({"department_ids": "task_open_already"})
            created.append(_new_task(order, lead, actor, TaskKind.ASSIST, unit, due_at, text))
        session.add_all(created)
        session.flush()
        for task in created:
            word = "吹哨" if task.whistle else "协办"
            audit.note_and_tell(
                session,
                order=order,
                actor_id=actor.id,
                action=AuditAction.TASK_ASSIST,
                note=f"{word} → {task.department.name}: {text}",
                recipient=_holder_address(task),
                message=f"工单{order.number}：{lead.name}请求{word}，请签收并按期答复。",
                now=now,
            )
    return created


def assign(
    session: Session,
    *,
    actor_id: int,
    number: str,
    sub_unit_id: int | None,
    user_id: int | None,
    instruction: str,
    due_at: datetime | None,
    now: datetime,
    expected_version: int | None = None,
) -> OrderTask:
    """Second-level dispatch: the lead unit gives the work to one of its sub-units or to a
    staff member (exactly one of the two), who replies to the unit; one holder at a time."""
    text = required_text(instruction, "instruction", rules.MAX_INSTRUCTION)
    due_at = _check_due(due_at, now)
    if (sub_unit_id is None) == (user_id is None):
        raise ValidationFailed({"target": "required"})
    with conflict_on_stale(), write_transaction(session):
        actor, order, lead = _lead_order(session, actor_id, number, expected_version)
        _within_order(due_at, order, now)
        if any(t.kind == TaskKind.ASSIGN.value for t in _open_tasks(session, order.id)):
            raise ValidationFailed({"target": "already_assigned"})
        unit, assignee = lead, None
        if sub_unit_id is not None:
            unit = session.get(Department, sub_unit_id)
            if unit is None or not unit.active or unit.parent_id != order.department_id:
                raise ValidationFailed({"target": "not_a_sub_unit"})
        else:
            assignee = session.get(User, user_id)
            if (
                assignee is None
                or not assignee.active
                or assignee.department_id != order.department_id
                or assignee.role_enum is not Role.DEPARTMENT
            ):
                raise ValidationFailed({"target": "not_a_sub_unit"})
        order.updated_at = now
        task = _new_task(order, lead, actor, TaskKind.ASSIGN, unit, due_at, text)
        task.assignee_id = assignee.id if assignee else None
        session.add(task)
        session.flush()
        audit.note_and_tell(
            session,
            order=order,
            actor_id=actor.id,
            action=AuditAction.TASK_ASSIGN,
            note=f"→ {_holder_name(task)}: {text}",
            recipient=_holder_address(task),
            message=f"工单{order.number}已派给您办理，请按期向{lead.name}答复。",
            now=now,
        )
    return task


def act(
    session: Session,
    *,
    actor_id: int,
    number: str,
    task_id: int,
    action: TaskAction,
    note: str,
    now: datetime,
    expected_version: int | None = None,
) -> OrderTask:
    """The holder accepts, replies to or declines a task; the lead unit withdraws it.
    NotFound for anyone else (another unit cannot learn the task exists)."""
    note = (note or "").strip()
    if len(note) > rules.MAX_REPLY:
        raise ValidationFailed({"note": "too_long"})
    with conflict_on_stale(), write_transaction(session):
        actor = session.get(User, actor_id)
        task = session.get(OrderTask, task_id)
        if actor is None or not actor.active or task is None:
            raise NotFound()
        if not allows(actor.role_enum, Permission.HANDLE_ORDERS):
            raise NotFound()
        order = session.get(WorkOrder, task.order_id)
        if order.number != number:
            raise NotFound()
        by_lead = action is TaskAction.WITHDRAW
        if by_lead:
            allowed = actor.department_id == task.lead_department_id == order.department_id
        else:
            allowed = is_holder(task, actor)
        if not allowed:
            raise NotFound()
        if expected_version is not None and task.version != expected_version:
            raise Conflict("stale_version")
        try:
            to = rules.move(
                TaskState(task.state), action, by_lead=by_lead, whistle=task.whistle, note=note
            )
        except TaskRefused as exc:
            raise ValidationFailed({"action": exc.code}) from exc
        task.state = to.value
        if action is TaskAction.ACCEPT:
            task.accepted_at = now
        else:
            task.finished_at, task.finished_by_id = now, actor.id
            if action is not TaskAction.WITHDRAW:
                task.reply_text = note
        session.flush()
        who = _holder_name(task)
        tell = _holder_address(task) if by_lead else f"department:{task.lead_department_id}"
        audit.note_and_tell(
            session,
            order=order,
            actor_id=actor.id,
            action=_AUDIT[action],
            note=f"{who}: {note}" if note else who,
            recipient=tell,
            message=f"工单{order.number}的任务（{who}）{_TOLD[action]}。",
            now=now,
        )
    return task


def withdraw_open(
    session: Session, *, order: WorkOrder, actor_id: int | None, now: datetime, reason: str
) -> None:
    """Close every open task of an order that leaves its lead unit (returned, transferred,
    re-routed, cancelled): the holders lose sight of it and are told."""
    for task in _open_tasks(session, order.id):
        task.state = TaskState.WITHDRAWN.value
        task.finished_at, task.finished_by_id = now, actor_id
        audit.note_and_tell(
            session,
            order=order,
            actor_id=actor_id,
            action=AuditAction.TASK_WITHDRAW,
            note=f"{_holder_name(task)}: {reason}",
            recipient=_holder_address(task),
            message=f"工单{order.number}已离开{task.lead_department.name}，您的任务已撤回。",
            now=now,
        )


def is_holder(task: OrderTask, actor: User) -> bool:
    """Whether `actor` holds the task: its named staff member (still in the unit), or any
    staff of its unit."""
    if task.department_id != actor.department_id:
        return False
    return task.assignee_id is None or task.assignee_id == actor.id


def remind_overdue(session: Session, now: datetime) -> int:
    """Tell the holder and the lead unit, once, of each open task past its due time (催办):
    a 吹哨 body that does not answer holds the lead's reply. Compare-and-set on
    `overdue_told_at`, so two schedulers never tell twice."""
    with write_transaction(session):
        due = session.scalars(
            select(OrderTask)
            .where(
                OrderTask.state.in_(OPEN),
                OrderTask.due_at <= now,
                OrderTask.overdue_told_at.is_(None),
            )
            .order_by(OrderTask.due_at)
            .limit(500)
            .with_for_update(of=OrderTask, skip_locked=True)
        ).all()
        for task in due:
            task.overdue_told_at = now
            order = session.get(WorkOrder, task.order_id)
            who = _holder_name(task)
            message = f"工单{order.number}的任务（{who}）已超过答复时限，请尽快办理。"
            audit.note_and_tell(
                session,
                order=order,
                actor_id=None,
                action=AuditAction.TASK_OVERDUE,
                note=who,
                recipient=_holder_address(task),
                message=message,
                now=now,
            )
            lead = f"department:{task.lead_department_id}"
            outbox.enqueue(
                session, channel="in_app", recipient=lead, text=message, now=now, order_id=order.id
            )
    return len(due)


def holder_addresses(session: Session, order_id: int) -> list[str]:
    """The in-app addresses of whoever holds an open task on the order."""
    return [_holder_address(task) for task in _open_tasks(session, order_id)]


def held_by(session: Session, actor: User, limit: int = 500) -> list[OrderTask]:
    """The open tasks the actor holds, the earliest due first, with their orders."""
    query = (
        select(OrderTask)
        .where(held_by_actor(actor))
        .options(selectinload(OrderTask.order))
        .order_by(OrderTask.due_at)
    )
    return list(session.scalars(query.limit(limit)))


def for_order(session: Session, order_id: int) -> list[OrderTask]:
    """The order's tasks, oldest first."""
    query = select(OrderTask).where(OrderTask.order_id == order_id).order_by(OrderTask.id)
    return list(session.scalars(query))


def open_by_order(session: Session, order_ids: list[int]) -> dict[int, list[OrderTask]]:
    """Who holds what: the open tasks of these orders, by order."""
    found: dict[int, list[OrderTask]] = {}
    if not order_ids:
        return found
    query = select(OrderTask).where(OrderTask.order_id.in_(order_ids), OrderTask.state.in_(OPEN))
    for task in session.scalars(query.order_by(OrderTask.id)):
        found.setdefault(task.order_id, []).append(task)
    return found
