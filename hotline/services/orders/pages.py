"""What the order pages show: read functions that gather one page's data for one user."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from hotline.core.accounts.permissions import Permission, allows
from hotline.core.accounts.roles import Role
from hotline.core.orders import workflow
from hotline.core.orders.workflow import Action
from hotline.models import (
    AuditEvent,
    Category,
    Department,
    District,
    ExtensionRequest,
    Reminder,
    Survey,
    User,
    WorkOrder,
)
from hotline.services.deadlines import extensions, reminders
from hotline.services.orders import disclosure, queries
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


def order_detail(
    session: Session, *, actor: User, number: str, ip: str, now: datetime
) -> OrderDetail:
    """The order page's data (the read logged if it shows protected data); NotFound when
    the actor may not see the order."""
    order = queries.get_order(session, actor=actor, number=number)
    disclosure.log_order_read(session, actor=actor, order=order, ip=ip, now=now)
    role = actor.role_enum
    actions = workflow.available_actions(order.state_enum, role)
    chooses_department = bool(workflow.ACTIONS_WITH_DEPARTMENT & set(actions))
    return OrderDetail(
        order=order,
        events=queries.timeline(session, order),
        actions=actions,
        departments=directory.active_departments(session) if chooses_department else [],
        categories=queries.routable_categories(session) if Action.CLASSIFY in actions else [],
        pending_extensions=extensions.pending(session, order.id),
        surveys=tasks.for_order(session, order.id),
        can_set_reminder=allows(role, Permission.SET_REMINDERS),
        can_request_extension=allows(role, Permission.HANDLE_ORDERS)
        and order.state in extensions.WORKING_STATES,
    )


@dataclass(frozen=True)
class QueuePage:
    """The department's open orders and, among them, those with a reminder due."""

    items: list[WorkOrder]
    notices: dict[int, Reminder]


def department_queue(session: Session, *, actor: User, now: datetime) -> QueuePage:
    """The actor's department's queue, most urgent first, with the reminders due by `now`."""
    items = queries.department_queue(session, actor)
    return QueuePage(items, reminders.due_orders(session, [o.id for o in items], now))
