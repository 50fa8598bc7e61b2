"""Acting on a work order: accept, return, reply, dispatch, approve, send back, cancel,
reopen."""

from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core.deadlines import limits
from hotline.core.deadlines.escalation import EscalationPolicy
from hotline.core.orders import workflow
from hotline.core.orders.audit_actions import AuditAction
from hotline.core.orders.intake import MAX_PUBLIC_SUMMARY, OrderType
from hotline.core.orders.workflow import Action, Arbitration, State, Step, TransitionError
from hotline.core.text import clean_text
from hotline.database import write_transaction
from hotline.models import Department, TransferRule, User, WorkOrder
from hotline.services import audit
from hotline.services.deadlines import notices
from hotline.services.deadlines.limits import limit_for
from hotline.services.errors import Conflict, ValidationFailed, conflict_on_stale
from hotline.services.notifications import outbox

# Modules, not names: intake imports surveys, which import this module.
from hotline.services.orders import co_handling, duplicates, intake, public, routing
from hotline.services.orders.queries import load_for_action
from hotline.services.reference import cache
from hotline.services.reference.cache import CategoryRef, RoutingContext
from hotline.services.surveys import tasks

MAX_NOTE = 4000


def perform(
    session: Session,
    *,
    actor_id: int,
    number: str,
    step: Step,
    now: datetime,
    expected_version: int | None = None,
    category_code: str | None = None,
    timezone: str = limits.DEFAULT_TIMEZONE,
    public_summary: str | None = None,
) -> WorkOrder:
    """Apply one action under the transition table; audited; conflicts raise Conflict.

    A reply may set the order's public summary (`public_summary`; None leaves it as it is).
    """
    if step.action is Action.CLASSIFY and not category_code:
        raise ValidationFailed({"category_code": "required"})
    step = replace(step, note=step.note.strip())
    if step.action is not Action.CLASSIFY and len(step.note) > MAX_NOTE:
        raise ValidationFailed({"note": "too_long"})
    if public_summary is not None:
        public_summary = clean_text(public_summary).strip()
        if len(public_summary) > MAX_PUBLIC_SUMMARY:
            raise ValidationFailed({"public_summary": "too_long"})
    with conflict_on_stale(), write_transaction(session):
        actor, order = _load(session, actor_id, number, expected_version)
        if step.action is Action.CLASSIFY:
            _classify(session, actor, order, category_code, now, timezone)
        else:
            if step.action is Action.REPLY and public_summary is not None:
                order.public_summary = public_summary  # a refused reply rolls it back
            apply_action(session, actor=actor, order=order, step=step, now=now, timezone=timezone)
    return order


def apply_action(
    session: Session,
    *,
    actor: User,
    order: WorkOrder,
    step: Step,
    now: datetime,
    timezone: str = limits.DEFAULT_TIMEZONE,
) -> None:
    """The body of `perform`, inside the caller's write transaction (surveys reopen here)."""
    action, note = step.action, step.note
    from_state, previous_unit = order.state_enum, order.department_id
    if order.master_id is not None and from_state in workflow.OPEN_STATES:
        raise ValidationFailed({"action": "merged"})  # 并单: it follows its master
    if order.master_id is not None and action is Action.REOPEN:
        # A merged order's caller is not satisfied: it is handled on its own from now on,
        # by the unit that handled its master.
        master = session.get(WorkOrder, order.master_id)
        order.master_id, order.department_id = None, master.department_id
    to_state = _check(from_state, action, actor, note)
    refusal = workflow.arbitration_refusal(action, actor.role_enum, Arbitration(order.arbitration))
    if refusal is not None:
        raise ValidationFailed({"action": refusal})
    if action is Action.REPLY and co_handling.has_open(session, order.id):
        raise ValidationFailed({"action": "tasks_open"})
    audit_note, referred = note, False
    if action in workflow.HOPS:
        audit_note, referred = _hop(session, actor, order, step, now)
    if action in workflow.ACTIONS_WITH_DEPARTMENT:
        department = _assign(session, order, step.department_id)
        audit_note = f"→ {department.name}" + (f": {note}" if note else "")
        if order.arbitration == Arbitration.PENDING.value:
            order.arbitration = Arbitration.DECIDED.value  # the supervisor's word is final
    _stamp(order, action, to_state, note, now)
    if referred:
        # The third hop: no unit again, a supervisor decides (with the history on the page).
        to_state, order.department_id = State.RETURNED, None
        order.arbitration = Arbitration.PENDING.value
    if action is Action.REOPEN:
        _restart_clock(session, order, to_state, now, timezone)
    order.state = to_state.value
    order.updated_at = now
    session.flush()
    audit.record(
        session,
        order_id=order.id,
        actor_id=actor.id,
        action=AuditAction(action),
        from_state=from_state,
        to_state=to_state,
        now=now,
        note=audit_note,
    )
    if referred:
        _refer_to_supervisor(session, actor, order, now)
    if previous_unit is not None and order.department_id != previous_unit:
        notices.withdraw_open(
            session, order=order, department_id=previous_unit, actor_id=actor.id, now=now
        )
    if action is Action.CANCEL:
        # 并单: a cancelled master (invalid, a duplicate itself) frees its merged orders:
        # each goes back to its unit, on its own (their callers' matters stand).
        for follower in duplicates.open_followers(session, order.id):
            duplicates.detach(
                session, actor_id=actor.id, order=follower, now=now, why="主工单作废，恢复单独办理"
            )
    if action is Action.APPROVE:
        _tell_caller_closed(session, order, now)
        tasks.schedule(session, order=order, now=now, timezone=timezone)
        _close_merged(session, actor, order, now, timezone)
    elif action is Action.REOPEN:
        text = f"工单{order.number}回访未解决或不满意，已重办：{note[:200]}"
        recipient = f"department:{order.department_id or 'desk'}"
        outbox.enqueue(
            session, channel="in_app", recipient=recipient, text=text, now=now, order_id=order.id
        )


def _hop(
    session: Session, actor: User, order: WorkOrder, step: Step, now: datetime
) -> tuple[str, bool]:
    """A return or transfer: the audit note, and whether it goes to a supervisor instead.

    The order leaves its unit, so open tasks on it are withdrawn; a transfer goes to the
    unit an admin rule allows, unless it is the third hop (then nobody's until 裁定).
    """
    unit = session.get(Department, order.department_id)  # by id: the relationship may lag
    target = None
    if step.action is Action.TRANSFER:
        target = _transfer_target(session, order, step.department_id)
    referred = workflow.refers_to_supervisor(order.return_count + order.transfer_count)
    co_handling.withdraw_open(session, order=order, actor_id=actor.id, now=now, reason=step.note)
    if target is None:
        return f"{unit.name}: {step.note}", referred
    if referred:
        return f"{unit.name} → {target.name}（第三次退转，改交督办员裁定）: {step.note}", True
    order.department_id, order.routing_reason = target.id, "transfer"
    return f"{unit.name} → {target.name}: {step.note}", False


def _refer_to_supervisor(session: Session, actor: User, order: WorkOrder, now: datetime) -> None:
    """Note the referral on the trail and tell the supervisors."""
    hops = order.return_count + order.transfer_count
    note = f"第{hops}次退单或转办，由督办员裁定承办单位"
    audit.note_event(
        session,
        order=order,
        actor_id=actor.id,
        action=AuditAction.REFER_TO_SUPERVISOR,
        now=now,
        note=note,
    )
    text = f"工单{order.number}已{hops}次退单或转办，请裁定承办单位。"
    outbox.enqueue(
        session,
        channel="in_app",
        recipient="role:supervisor",
        text=text,
        now=now,
        order_id=order.id,
    )


def _close_merged(
    session: Session, actor: User, master: WorkOrder, now: datetime, timezone: str
) -> None:
    """并单: the orders merged into `master` close with it, with its reply; each caller is
    told and gets a survey. They stay without a unit: the unit's workload counts the master
    once (受理量 counts every order)."""
    for order in duplicates.open_followers(session, master.id):
        from_state = order.state
        order.state = State.CLOSED.value
        order.reply_text = master.reply_text
        order.replied_at = order.replied_at or now
        order.closed_at = order.updated_at = now
        session.flush()
        audit.record(
            session,
            order_id=order.id,
            actor_id=actor.id,
            action=AuditAction.APPROVE,
            from_state=from_state,
            to_state=State.CLOSED,
            now=now,
            note=f"随主工单{master.number}办结",
        )
        _tell_caller_closed(session, order, now)
        tasks.schedule(session, order=order, now=now, timezone=timezone)


def _tell_caller_closed(session: Session, order: WorkOrder, now: datetime) -> None:
    """The caller's SMS on closure, with the reply (never for synthetic demo orders)."""
    if order.caller_phone and not order.synthetic:
        text = f"【12345】您的工单{order.number}已办结，答复：{order.reply_text[:200]}"
        outbox.text_caller(session, phone=order.caller_phone, text=text, now=now, order_id=order.id)


def _restart_clock(
    session: Session, order: WorkOrder, to_state: State, now: datetime, timezone: str
) -> None:
    """A reopened order gets a new due time from now, under its own time limit."""
    calendar = cache.context(session).calendar
    unit = limits.LimitUnit(order.time_limit_unit)
    order.due_at = limits.due_at(now, order.time_limit, unit, calendar, timezone)
    order.warn_at = EscalationPolicy().warn_at(now, order.due_at, order.warning_percent)
    # The level belongs to the old deadline; the new one escalates from the start again.
    order.escalation_level = 0
    order.reopen_count += 1
    order.closed_at = order.replied_at = order.accepted_at = None
    order.accepted_in_time = False
    order.routed_at = now if to_state is State.ROUTED else None


def _load(
    session: Session, actor_id: int, number: str, expected_version: int | None
) -> tuple[User, WorkOrder]:
    actor, order = load_for_action(session, actor_id=actor_id, number=number)
    if expected_version is not None and order.version != expected_version:
        raise Conflict("stale_version")
    return actor, order


def _check(state: State, action: Action, actor: User, note: str) -> State:
    try:
        return workflow.apply(state, action, actor.role_enum, note)
    except TransitionError as exc:
        raise ValidationFailed({"action": exc.code}) from exc


def _classify(
    session: Session,
    actor: User,
    order: WorkOrder,
    category_code: str,
    now: datetime,
    timezone: str,
) -> None:
    """Give an unrouted order (a mailbox letter, say) its category; route it if rules can."""
    ctx = cache.context(session)
    category = ctx.categories.get(category_code)
    if category is None or not category.is_leaf or not category.kind:
        raise ValidationFailed({"category_code": "unknown_category"})
    _check(order.state_enum, Action.CLASSIFY, actor, "")
    note = f"{order.category.name} → {category.name}"
    # A letter leaves the mailbox's own category once, at its first classification.
    first_classification = order.category.code == public.MAILBOX_CATEGORY
    _set_category(order, category, ctx, now, timezone)
    session.flush()
    audit.note_event(
        session, order=order, actor_id=actor.id, action=AuditAction.CLASSIFY, now=now, note=note
    )
    if first_classification and order.source == "mailbox":
        _receipt_for_letter(session, order, now)
    _route_by_rules(session, actor, order, category, ctx, now)


def _receipt_for_letter(session: Session, order: WorkOrder, now: datetime) -> None:
    """The intake receipt of a mailbox letter: sent only now that a person has read it and
    found it a real matter, so that typing a stranger's number texts nobody."""
    if order.caller_phone and not order.synthetic:
        text = intake.RECEIPT.format(number=order.number)
        outbox.text_caller(session, phone=order.caller_phone, text=text, now=now, order_id=order.id)


def _set_category(
    order: WorkOrder, category: CategoryRef, ctx: RoutingContext, now: datetime, timezone: str
) -> None:
    """The new category and its time limit, counted from the order's creation."""
    order.category_id = category.id
    limit = limit_for(ctx, OrderType(order.order_type), category, order.priority)
    order.time_limit, order.time_limit_unit = limit.amount, limit.unit.value
    order.warning_percent = limit.warning_percent
    order.due_at = limits.due_at(order.created_at, limit.amount, limit.unit, ctx.calendar, timezone)
    order.warn_at = EscalationPolicy().warn_at(
        order.created_at, order.due_at, limit.warning_percent
    )
    order.updated_at = now


def _route_by_rules(
    session: Session,
    actor: User,
    order: WorkOrder,
    category: CategoryRef,
    ctx: RoutingContext,
    now: datetime,
) -> None:
    """Route a classified order where the rules say, if they name a department and the actor
    may route."""
    state = order.state_enum
    district_code = ctx.district_codes.get(order.district_id) if order.district_id else None
    preview = routing.preview(ctx, category, order.lon, order.lat, district_code)
    department = preview.decision.department
    if department is None or Action.ROUTE not in workflow.available_actions(state, actor.role_enum):
        return
    order.department_id, order.routing_reason = department.id, preview.decision.reason
    order.state, order.routed_at = State.ROUTED.value, now
    session.flush()
    note = f"→ {department.name}: {preview.decision.reason}"
    audit.record(
        session,
        order_id=order.id,
        actor_id=actor.id,
        action=AuditAction.ROUTE,
        from_state=state,
        to_state=State.ROUTED,
        now=now,
        note=note,
    )


def _assign(session: Session, order: WorkOrder, department_id: int | None) -> Department:
    department = _active_unit(session, department_id)
    if order.department_id == department.id and order.state_enum is State.ROUTED:
        raise ValidationFailed({"department_id": "same_department"})
    order.department_id = department.id
    order.routing_reason = "manual"
    return department


def _active_unit(session: Session, department_id: int | None) -> Department:
    """The active unit an action names, or ValidationFailed on `department_id`."""
    if department_id is None:
        raise ValidationFailed({"department_id": "required"})
    department = session.scalar(
        select(Department).where(Department.id == department_id, Department.active)
    )
    if department is None:
        raise ValidationFailed({"department_id": "unknown_department"})
    return department


def _transfer_target(session: Session, order: WorkOrder, department_id: int | None) -> Department:
    """The unit a transfer goes to: active, and allowed from this unit by an admin rule."""
    department = _active_unit(session, department_id)
    rule = session.scalar(
        select(TransferRule.id).where(
            TransferRule.from_department_id == order.department_id,
            TransferRule.to_department_id == department.id,
        )
    )
    if rule is None:
        raise ValidationFailed({"department_id": "transfer_not_allowed"})
    return department


def _stamp(order: WorkOrder, action: Action, to_state: State, note: str, now: datetime) -> None:
    if action in workflow.ACTIONS_WITH_DEPARTMENT or action is Action.TRANSFER:
        order.routed_at = now
        order.accepted_at = None
        order.accepted_in_time = False
    elif action is Action.ACCEPT:
        order.accepted_at = now
        order.accepted_in_time = limits.accepted_in_time(order.routed_at, now)
    if action is Action.TRANSFER:
        order.transfer_count += 1
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
