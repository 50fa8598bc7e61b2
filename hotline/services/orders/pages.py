"""What the order pages show: read functions that gather one page's data for one user."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from hotline.core.accounts.permissions import Permission, allows
from hotline.core.accounts.roles import Role
from hotline.core.orders import workflow
from hotline.core.orders.tasks import TaskAction, TaskState, actions_for
from hotline.core.orders.workflow import Action, Arbitration, State
from hotline.models import (
    AuditEvent,
    Category,
    Department,
    District,
    ExtensionRequest,
    OrderTask,
    Reminder,
    Survey,
    User,
    WorkOrder,
)
from hotline.services.deadlines import extensions, reminders
from hotline.services.orders import co_handling, disclosure, queries
from hotline.services.surveys import tasks
from hotline.services.units import directory


@dataclass(frozen=True)
class SearchChoices:
    """The search form's lists; department staff get no department list (only their own)."""

    districts: list[District]
    departments: list[Department]
    categories: list[Category]


def search_choices(session: Session, actor: User) -> SearchChoices:
    """The districts, departments and categories the actor can filter by."""
    departments = (
        [] if actor.role_enum is Role.DEPARTMENT else directory.active_departments(session)
    )
    return SearchChoices(directory.districts(session), departments, directory.categories(session))


@dataclass(frozen=True)
class OrderDetail:
    """One order as its page shows it to one user: timeline, actions and their choices."""

    order: WorkOrder
    events: list[AuditEvent]
    actions: list[Action]
    departments: list[Department]  # for the actions that choose a department
    categories: list[Category]  # for classifying
    pending_extensions: list[ExtensionRequest]
    surveys: list[Survey]
    can_set_reminder: bool
    can_request_extension: bool
    work: "TaskPanel"


@dataclass(frozen=True)
class TaskPanel:
    """The order's tasks (协办, 二级派单) as one user sees them: every task, the steps open
    to this user on each, and, for the lead unit, whom it may ask or assign."""

    tasks: list[OrderTask]
    steps: dict[int, list[TaskAction]]
    transfer_targets: list[Department]
    assisting_units: list[Department]
    sub_units: list[Department]
    staff: list[User]


def _task_panel(session: Session, actor: User, order: WorkOrder, lead: bool) -> TaskPanel:
    every = co_handling.for_order(session, order.id)
    steps = {}
    for task in every:
        holder = actor.role_enum is Role.DEPARTMENT and co_handling.is_holder(task, actor)
        if lead or holder:
            by_lead = lead and not holder
            found = actions_for(TaskState(task.state), by_lead=by_lead, whistle=task.whistle)
            if found:
                steps[task.id] = found
    working = lead and order.state_enum is State.ACCEPTED
    unit = order.department_id
    return TaskPanel(
        tasks=every,
        steps=steps,
        transfer_targets=directory.transfer_targets(session, unit) if lead else [],
        assisting_units=directory.assisting_units(session, unit) if working else [],
        sub_units=directory.sub_units(session, unit) if working else [],
        staff=directory.staff(session, unit) if working else [],
    )


def order_detail(
    session: Session, *, actor: User, number: str, ip: str, now: datetime
) -> OrderDetail:
    """The order page's data (the read logged if it shows protected data); NotFound when
    the actor may not see the order."""
    order = queries.get_order(session, actor=actor, number=number)
    disclosure.log_order_read(session, actor=actor, order=order, ip=ip, now=now)
    role = actor.role_enum
    lead = role is Role.DEPARTMENT and order.department_id == actor.department_id
    actions = workflow.available_actions(order.state_enum, role, Arbitration(order.arbitration))
    if role is Role.DEPARTMENT and not lead:
        actions = []  # an assisting unit or sub-unit sees the order; its tasks are its part
    if order.master_id is not None and order.state_enum in workflow.OPEN_STATES:
        actions = []  # 并单: a merged order follows its master (the desk may undo it)
    chooses_department = bool(workflow.ACTIONS_WITH_DEPARTMENT & set(actions))
    work = _task_panel(session, actor, order, lead)
    if not work.transfer_targets:
        actions = [a for a in actions if a is not Action.TRANSFER]  # no rule: 退单 only
    return OrderDetail(
        order=order,
        events=queries.timeline(session, order),
        actions=actions,
        departments=directory.active_departments(session) if chooses_department else [],
        categories=queries.routable_categories(session) if Action.CLASSIFY in actions else [],
        pending_extensions=extensions.pending(session, order.id),
        surveys=tasks.for_order(session, order.id),
        can_set_reminder=allows(role, Permission.SET_REMINDERS),
        can_request_extension=lead and order.state in extensions.WORKING_STATES,
        work=work,
    )


@dataclass(frozen=True)
class QueuePage:
    """The unit's open orders with who holds what on each, those with a reminder due, and
    the tasks the user holds on other orders (协办, 二级派单)."""

    items: list[WorkOrder]
    notices: dict[int, Reminder]
    holders: dict[int, list[OrderTask]]
    tasks: list[OrderTask]


def department_queue(session: Session, *, actor: User, now: datetime) -> QueuePage:
    """The actor's department's queue, most urgent first, with the reminders due by `now`."""
    items = queries.department_queue(session, actor)
    ids = [o.id for o in items]
    return QueuePage(
        items,
        reminders.due_orders(session, ids, now),
        co_handling.open_by_order(session, ids),
        co_handling.held_by(session, actor),
    )
