"""Duplicate orders (并单): candidates for an order or for an order being taken, and the
desk's merge and unmerge.

Candidates are read through ix_work_orders_duplicates: the related categories (the same
one and its siblings), the time window around the order, and a lon/lat box around its
point that holds the category's radius; the exact distance, the words and the score are
the core's (`hotline.core.orders.duplicates`). Department staff see only candidates they
may see (the same query as every order page).

A merged order follows its master: it leaves its unit (what an unmerge gives back is kept
in `order_merges`), no action applies to it, and when the master is closed it is closed
too, its caller told and a survey scheduled (handling's approve path).
"""

from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from hotline.core.accounts.permissions import Permission, allows
from hotline.core.orders import duplicates as core
from hotline.core.orders.audit_actions import AuditAction
from hotline.core.orders.workflow import OPEN_STATES, State
from hotline.database import write_transaction
from hotline.models import Category, DuplicateRule, OrderMerge, User, WorkOrder
from hotline.services import audit
from hotline.services.deadlines import notices
from hotline.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from hotline.services.orders import co_handling
from hotline.services.orders.queries import get_order, visible_orders

MAX_CANDIDATES = 10
# Orders of the window read at most (a box in a dense place, a long window): the newest.
MAX_POOL = 2000
_OPEN = [s.value for s in OPEN_STATES]
_NOT_CANDIDATES = [State.CANCELLED.value, State.CLOSED_AT_INTAKE.value]


def thresholds_for(session: Session, category_id: int) -> core.Thresholds:
    """The category's radius and window (an admin's rule), or the defaults."""
    rule = session.get(DuplicateRule, category_id)
    if rule is None:
        return core.Thresholds()
    return core.Thresholds(radius_m=rule.radius_m, window_hours=rule.window_hours)


def _related(session: Session, category_id: int) -> tuple[int | None, list[int]]:
    """The category's parent, and the categories related to it (itself, its siblings)."""
    parent_id = session.scalar(select(Category.parent_id).where(Category.id == category_id))
    if parent_id is None:
        return None, [category_id]
    siblings = session.scalars(select(Category.id).where(Category.parent_id == parent_id))
    return parent_id, sorted({category_id, *siblings})


def _candidates(
    session: Session, actor: User, matter: core.Matter, exclude_id: int | None
) -> list[dict]:
    """The matter's probable duplicates the actor may see, best first, as dicts."""
    thresholds = thresholds_for(session, matter.category_id)
    parent_id, categories = _related(session, matter.category_id)
    min_lon, min_lat, max_lon, max_lat = core.bounding_box(
        matter.lon, matter.lat, thresholds.radius_m
    )
    window = timedelta(hours=thresholds.window_hours)
    query = (
        visible_orders(actor, session)
        .where(
            WorkOrder.category_id.in_(categories),
            WorkOrder.created_at >= matter.at - window,
            WorkOrder.created_at <= matter.at + window,
            WorkOrder.lat.between(min_lat, max_lat),
            WorkOrder.lon.between(min_lon, max_lon),
            WorkOrder.master_id.is_(None),
            WorkOrder.state.not_in(_NOT_CANDIDATES),
        )
        .order_by(WorkOrder.created_at.desc())
        .limit(MAX_POOL)
    )
    if exclude_id is not None:
        query = query.where(WorkOrder.id != exclude_id)
    rows = {o.id: o for o in session.scalars(query)}
    parents = {matter.category_id: parent_id}
    for cid in categories:
        parents.setdefault(cid, parent_id)
    others = [
        core.Matter(
            o.id, o.category_id, parents[o.category_id], o.lon, o.lat, o.created_at, o.description
        )
        for o in rows.values()
    ]
    found = core.candidates(matter, others, thresholds, limit=MAX_CANDIDATES)
    return [_item(rows[c.key], c) for c in found]


def _item(order: WorkOrder, candidate: core.Candidate) -> dict:
    return {
        "number": order.number,
        "state": order.state,
        "open": order.state in _OPEN,
        "category": order.category.name,
        "address": order.address,
        "description": order.description[:120],
        "created_at": order.created_at.isoformat(),
        "distance_m": candidate.distance_m,
        "hours_apart": candidate.hours_apart,
        "text_similarity": candidate.text_similarity,
        "related_category": candidate.related_only,
        "score": candidate.score,
    }


def similar_to_order(session: Session, *, actor: User, number: str) -> list[dict]:
    """Probable duplicates of an order the actor may see (none without a point)."""
    order = get_order(session, actor=actor, number=number)
    if order.lon is None or order.lat is None:
        return []
    parent_id = order.category.parent_id
    matter = core.Matter(
        order.id,
        order.category_id,
        parent_id,
        order.lon,
        order.lat,
        order.created_at,
        order.description,
    )
    return _candidates(session, actor, matter, order.id)


def similar_to_draft(
    session: Session,
    *,
    actor: User,
    category_code: str,
    lon: float,
    lat: float,
    text: str,
    now: datetime,
) -> list[dict]:
    """Probable duplicates of an order being taken: its category, point and words."""
    category = session.scalar(select(Category).where(Category.code == category_code))
    if category is None:
        raise ValidationFailed({"category_code": "unknown_category"})
    matter = core.Matter(0, category.id, category.parent_id, lon, lat, now, text)
    return _candidates(session, actor, matter, None)


def merged_into(session: Session, order: WorkOrder) -> WorkOrder | None:
    """The master a merged order follows."""
    return session.get(WorkOrder, order.master_id) if order.master_id else None


def followers(session: Session, master: WorkOrder) -> list[WorkOrder]:
    """The orders merged into `master`, oldest first."""
    query = select(WorkOrder).where(WorkOrder.master_id == master.id).order_by(WorkOrder.id)
    return list(session.scalars(query))


def _desk(session: Session, actor_id: int) -> User:
    actor = session.get(User, actor_id)
    if actor is None or not actor.active:
        raise NotFound()
    if not allows(actor.role_enum, Permission.WORK_DESK):
        raise Forbidden()
    return actor


def _locked(session: Session, order_id: int, master_id: int) -> tuple[WorkOrder, WorkOrder]:
    """The two orders locked for update (ascending ids: no deadlock), freshly read."""
    rows = session.scalars(
        select(WorkOrder)
        .where(WorkOrder.id.in_([order_id, master_id]))
        .order_by(WorkOrder.id)
        .with_for_update(of=WorkOrder)
        .execution_options(populate_existing=True)
    ).all()
    found = {row.id: row for row in rows}
    return found[order_id], found[master_id]


def merge(
    session: Session, *, actor_id: int, number: str, master_number: str, now: datetime
) -> WorkOrder:
    """The desk merges an open order into an open master: audited on both."""
    with write_transaction(session):
        actor = _desk(session, actor_id)
        order = get_order(session, actor=actor, number=number)
        master = session.scalar(
            visible_orders(actor).where(WorkOrder.number == master_number.strip())
        )
        if master is None:
            raise ValidationFailed({"master_number": "merge_target_unknown"})
        if master.id == order.id:
            raise ValidationFailed({"master_number": "merge_same_order"})
        # Both rows locked, in id order, and read again: two merges of the same orders (a
        # cycle, a chain) or a merge and the master's approval take turns, and the checks
        # below see what the other one wrote.
        order, master = _locked(session, order.id, master.id)
        if order.state not in _OPEN or master.state not in _OPEN:
            raise ValidationFailed({"master_number": "merge_not_open"})
        if order.master_id is not None or master.master_id is not None:
            raise ValidationFailed({"master_number": "already_merged"})
        if session.scalar(select(exists().where(WorkOrder.master_id == order.id))):
            raise ValidationFailed({"number": "has_merged_orders"})
        previous_unit = order.department_id
        session.add(
            OrderMerge(
                order_id=order.id,
                master_id=master.id,
                prior_state=order.state,
                prior_department_id=previous_unit,
                merged_by_id=actor.id,
                merged_at=now,
            )
        )
        reason = f"并入工单{master.number}"
        co_handling.withdraw_open(session, order=order, actor_id=actor.id, now=now, reason=reason)
        order.master_id, order.department_id, order.updated_at = master.id, None, now
        master.updated_at = now  # a new version: a page showing the master before is stale
        session.flush()
        if previous_unit is not None:
            notices.withdraw_open(
                session, order=order, department_id=previous_unit, actor_id=actor.id, now=now
            )
        audit.note_event(
            session, order=order, actor_id=actor.id, action=AuditAction.MERGE, now=now, note=reason
        )
        audit.note_event(
            session,
            order=master,
            actor_id=actor.id,
            action=AuditAction.MERGE,
            now=now,
            note=f"工单{order.number}并入本单",
        )
    return order


def unmerge(session: Session, *, actor_id: int, number: str, now: datetime) -> WorkOrder:
    """The desk undoes a merge: the order goes back to its unit, audited on both."""
    with write_transaction(session):
        actor = _desk(session, actor_id)
        order = get_order(session, actor=actor, number=number)
        if order.master_id is None:
            raise ValidationFailed({"number": "not_merged"})
        if order.state not in _OPEN:
            raise ValidationFailed({"number": "merge_not_open"})
        detach(session, actor_id=actor.id, order=order, now=now, why="撤销并单")
    return order


def detach(
    session: Session, *, actor_id: int | None, order: WorkOrder, now: datetime, why: str
) -> None:
    """Inside the caller's transaction: the merged order goes back to its unit (as before
    the merge), noted on both trails with `why`."""
    record = session.scalar(
        select(OrderMerge)
        .where(OrderMerge.order_id == order.id, OrderMerge.undone_at.is_(None))
        .order_by(OrderMerge.id.desc())
        .limit(1)
    )
    if record is None:  # pragma: no cover - every merge writes one
        raise Conflict()
    master = session.get(WorkOrder, order.master_id)
    record.undone_at, record.undone_by_id = now, actor_id
    order.master_id, order.department_id = None, record.prior_department_id
    order.updated_at = now
    session.flush()
    audit.note_event(
        session,
        order=order,
        actor_id=actor_id,
        action=AuditAction.UNMERGE,
        now=now,
        note=f"{why}：不再随工单{master.number}办理",
    )
    audit.note_event(
        session,
        order=master,
        actor_id=actor_id,
        action=AuditAction.UNMERGE,
        now=now,
        note=f"工单{order.number}{why}",
    )


def open_followers(session: Session, master_id: int) -> list[WorkOrder]:
    """The merged orders of a master still open (closed with it), locked, oldest first."""
    query = (
        select(WorkOrder)
        .where(WorkOrder.master_id == master_id, WorkOrder.state.in_(_OPEN))
        .order_by(WorkOrder.id)
        .with_for_update(of=WorkOrder)
    )
    return list(session.scalars(query))
