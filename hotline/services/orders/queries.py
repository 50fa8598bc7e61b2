"""Reading work orders as a given user sees them: visibility, search, queues."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from hotline.core.accounts import privacy
from hotline.core.accounts.permissions import Permission, allows
from hotline.core.accounts.roles import Role
from hotline.core.orders.search import OrderFilters
from hotline.core.orders.tasks import OPEN_TASK_STATES
from hotline.core.orders.workflow import Arbitration, State
from hotline.encryption import phone_index
from hotline.models import AuditEvent, Category, District, OrderTask, User, WorkOrder
from hotline.services.errors import Forbidden, NotFound
from hotline.services.orders import disclosure

# Deep pages cost a scan of everything before them; nobody reads page 200 of a search.
MAX_PAGE = 200
# Open tasks one person can hold and see the orders of: far more than any unit has open.
MAX_HELD = 5000


@dataclass(frozen=True)
class Page:
    """One page of results."""

    items: list
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one)."""
        return max(1, -(-self.total // self.page_size))


def held_by_actor(actor: User) -> ColumnElement[bool]:
    """SQL: the open tasks (协办, 二级派单) the actor holds: those given to the actor by name,
    and those given to the actor's unit."""
    # A named holder must still be in the unit: someone moved to another unit keeps nothing.
    return and_(
        OrderTask.state.in_([state.value for state in OPEN_TASK_STATES]),
        OrderTask.department_id == (actor.department_id or -1),
        or_(OrderTask.assignee_id.is_(None), OrderTask.assignee_id == actor.id),
    )


def visible_orders(actor: User, session: Session | None = None) -> Select:
    """All orders this user may see: department staff only their own unit's and, given a
    `session` to look them up, the orders they hold an open task on (协办, 二级派单)."""
    role = actor.role_enum
    if not allows(role, Permission.READ_ORDERS):
        raise Forbidden()
    query = select(WorkOrder)
    if role is Role.DEPARTMENT:
        own = WorkOrder.department_id == (actor.department_id or -1)
        held = [] if session is None else held_order_ids(session, actor)
        if held:
            # Ids, not a subquery: "unit = X OR id IN (1, 2, 3)" is two index scans on
            # PostgreSQL, where "OR id IN (SELECT ...)" filters the whole table.
            own = or_(own, WorkOrder.id.in_(held))
        query = query.where(own)
    return query


def held_order_ids(session: Session, actor: User) -> list[int]:
    """The orders the actor holds an open task on (a few per unit, at most MAX_HELD)."""
    query = select(OrderTask.order_id).where(held_by_actor(actor)).limit(MAX_HELD)
    return list(session.scalars(query))


def get_order(session: Session, *, actor: User, number: str) -> WorkOrder:
    """One order by number, or NotFound when it does not exist or is not the actor's to see."""
    order = session.scalar(visible_orders(actor, session).where(WorkOrder.number == number))
    if order is None:
        raise NotFound()
    return order


def load_for_action(
    session: Session, *, actor_id: int, number: str, roles: frozenset[Role] | None = None
) -> tuple[User, WorkOrder]:
    """The acting user and the order they act on: Forbidden for a role not in `roles`,
    NotFound for an inactive user or an order they may not see. Department staff act on
    their own unit's orders only: a task gives sight of an order, not its actions."""
    actor = session.get(User, actor_id)
    if actor is not None and roles is not None and actor.role_enum not in roles:
        raise Forbidden()
    if actor is None or not actor.active:
        raise NotFound()
    owned = visible_orders(actor)
    order = session.scalar(owned.where(WorkOrder.number == number))
    if order is None:
        raise NotFound()
    return actor, order


def timeline(session: Session, order: WorkOrder) -> list[AuditEvent]:
    """The order's audit events, oldest first."""
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.order_id == order.id).order_by(AuditEvent.id)
        )
    )


def _local_midnight(day, timezone: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(timezone))


def apply_filters(query: Select, filters: OrderFilters, timezone: str) -> Select:
    """Narrow an order query by the search filters (dates are local calendar days)."""
    if filters.number:
        query = query.where(WorkOrder.number == filters.number)
    if filters.caller_phone:
        query = query.where(WorkOrder.caller_phone_index == phone_index(filters.caller_phone))
    if filters.date_from:
        query = query.where(WorkOrder.created_at >= _local_midnight(filters.date_from, timezone))
    if filters.date_to:
        end = _local_midnight(filters.date_to + timedelta(days=1), timezone)
        query = query.where(WorkOrder.created_at < end)
    if filters.state:
        query = query.where(WorkOrder.state == filters.state.value)
    if filters.order_type:
        query = query.where(WorkOrder.order_type == filters.order_type.value)
    if filters.district_code:
        query = query.where(
            WorkOrder.district_id
            == select(District.id).where(District.code == filters.district_code).scalar_subquery()
        )
    if filters.department_id is not None:
        query = query.where(WorkOrder.department_id == filters.department_id)
    if filters.category_code:
        matching = select(Category.id).where(
            or_(
                Category.code == filters.category_code,
                Category.parent_id.in_(
                    select(Category.id).where(Category.code == filters.category_code)
                ),
            )
        )
        query = query.where(WorkOrder.category_id.in_(matching))
    return query


def search(
    session: Session,
    *,
    actor: User,
    filters: OrderFilters,
    page: int,
    page_size: int,
    timezone: str,
    ip: str,
    now: datetime,
) -> Page:
    """Orders matching the filters that the actor may see, newest first.

    A search by phone is for roles that see phones in full only, never finds a confidential
    report for a role that may not know its reporter, and is logged.
    """
    query = apply_filters(visible_orders(actor, session), filters, timezone)
    if filters.caller_phone:
        if not privacy.may_search_by_phone(actor.role_enum):
            raise Forbidden()
        if not privacy.matches_confidential_by_caller(actor.role_enum):
            query = query.where(WorkOrder.confidential.is_(False))
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    page = min(max(1, page), MAX_PAGE)
    items = session.scalars(
        query.order_by(WorkOrder.created_at.desc(), WorkOrder.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    if filters.caller_phone:
        disclosure.log_phone_search(
            session, actor=actor, number=filters.caller_phone, results=total or 0, ip=ip, now=now
        )
    return Page(list(items), total or 0, page, page_size)


def department_queue(session: Session, actor: User) -> list[WorkOrder]:
    """The actor's department's open orders, most urgent first."""
    if not allows(actor.role_enum, Permission.HANDLE_ORDERS):
        raise Forbidden()
    states = [State.ROUTED.value, State.ACCEPTED.value]
    return list(
        session.scalars(
            visible_orders(actor)
            .where(WorkOrder.state.in_(states), WorkOrder.master_id.is_(None))
            .order_by(WorkOrder.due_at, WorkOrder.id)
            .limit(500)
        )
    )


def desk_queues(session: Session, actor: User) -> dict[str, list[WorkOrder]]:
    """The desk's queues: to route by hand, returned, replies to review, and the orders sent
    round too often that wait for a supervisor's decision (裁定)."""
    if not allows(actor.role_enum, Permission.WORK_DESK):
        raise Forbidden()
    pending = WorkOrder.arbitration == Arbitration.PENDING.value
    queues = {}
    for name, condition in (
        ("unrouted", WorkOrder.state == State.REGISTERED.value),
        ("returned", and_(WorkOrder.state == State.RETURNED.value, ~pending)),
        ("arbitration", and_(WorkOrder.state == State.RETURNED.value, pending)),
        ("review", WorkOrder.state == State.REPLIED.value),
    ):
        queues[name] = list(
            session.scalars(
                select(WorkOrder)
                .where(condition, WorkOrder.master_id.is_(None))  # 并单: with their master
                .order_by(WorkOrder.due_at, WorkOrder.id)
                .limit(200)
            )
        )
    return queues


def caller_history(session: Session, caller_phone: str, limit: int = 20) -> list[WorkOrder]:
    """Earlier orders from the same phone, newest first (repeat callers, 重复来电)."""
    return list(
        session.scalars(
            select(WorkOrder)
            .where(WorkOrder.caller_phone_index == phone_index(caller_phone))
            .order_by(WorkOrder.created_at.desc())
            .limit(limit)
        )
    )


def routable_categories(session: Session) -> list[Category]:
    """Active leaf categories with a responsible kind: what an order can be classified as."""
    parents = select(Category.parent_id).where(Category.parent_id.is_not(None))
    return list(
        session.scalars(
            select(Category)
            .where(
                Category.active,
                Category.id.not_in(parents),
                Category.department_kind.is_not(None),
            )
            .order_by(Category.code)
        )
    )


def mailbox_queue(session: Session, limit: int = 200) -> list[WorkOrder]:
    """Mailbox letters waiting for the intake desk to classify them, oldest first."""
    return list(
        session.scalars(
            select(WorkOrder)
            .where(WorkOrder.state == State.REGISTERED.value, WorkOrder.source == "mailbox")
            .order_by(WorkOrder.created_at, WorkOrder.id)
            .limit(limit)
        )
    )
