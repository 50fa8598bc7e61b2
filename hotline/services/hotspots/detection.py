"""The scheduler's hotspot run: incremental over the orders since the last run.

Each run reads the orders received since its watermark (with a few minutes' overlap, so
that an order committed late is not missed: reading one twice changes nothing), and for
each category among them the category's orders in its window; clusters grow the open
hotspot they share orders with (or whose centre is within the radius), else they raise a
new hotspot and the supervisors are told, once. Hotspots with no new order for a window
are closed.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hotline.core.hotspots.clusters import Cluster, Rule, Sighting, find, same_place
from hotline.database import write_transaction
from hotline.models import AppSetting, Category, Hotspot, HotspotOrder, WorkOrder
from hotline.services.notifications import outbox

WATERMARK = "hotspots.watermark"  # the created_at up to which orders were read
OVERLAP = timedelta(minutes=5)  # orders committed late are read again, harmlessly
FIRST_RUN = timedelta(hours=24)  # with no watermark: the last day
OPEN, CLOSED = "open", "closed"


@dataclass(frozen=True)
class RunResult:
    """What one run did: orders read, hotspots raised and grown, hotspots closed."""

    orders_read: int
    raised: list[int]
    grown: list[int]
    closed: int


def rule_for(category: Category) -> Rule:
    """The category's thresholds, the defaults where it sets none."""
    default = Rule()
    return Rule(
        min_orders=category.hotspot_min_orders or default.min_orders,
        radius_m=float(category.hotspot_radius_m or default.radius_m),
        window=timedelta(hours=category.hotspot_window_hours)
        if category.hotspot_window_hours
        else default.window,
    )


def _watermark(session: Session, now: datetime) -> datetime:
    value = session.scalar(select(AppSetting.value).where(AppSetting.key == WATERMARK))
    return datetime.fromisoformat(value) - OVERLAP if value else now - FIRST_RUN


def _save_watermark(session: Session, mark: datetime) -> None:
    updated = session.execute(
        update(AppSetting).where(AppSetting.key == WATERMARK).values(value=mark.isoformat())
    )
    if updated.rowcount == 0:
        session.add(AppSetting(key=WATERMARK, value=mark.isoformat()))


def _sightings(
    session: Session, windows: dict[int, datetime], until: datetime
) -> dict[int, list[Sighting]]:
    """Each category's located orders from its window's start to `until`: one read of
    ix_work_orders_duplicates (category, created_at, point) for all, not a query each."""
    rows = session.execute(
        select(
            WorkOrder.id, WorkOrder.category_id, WorkOrder.lon, WorkOrder.lat, WorkOrder.created_at
        ).where(
            WorkOrder.created_at >= min(windows.values()),
            WorkOrder.created_at <= until,
            WorkOrder.category_id.in_(list(windows)),
            WorkOrder.lon.is_not(None),
            WorkOrder.lat.is_not(None),
        )
    ).all()
    found: dict[int, list[Sighting]] = defaultdict(list)
    for order_id, category_id, lon, lat, at in rows:
        if at >= windows[category_id]:
            found[category_id].append(Sighting(order_id, lon, lat, at))
    return found


def run(session: Session, now: datetime) -> RunResult:
    """One incremental run; safe to repeat (an order joins one hotspot at most)."""
    raised: list[int] = []
    grown: list[int] = []
    with write_transaction(session):
        since = _watermark(session, now)
        fresh = session.execute(
            select(WorkOrder.id, WorkOrder.category_id, WorkOrder.created_at).where(
                WorkOrder.created_at > since,
                WorkOrder.created_at <= now,
                WorkOrder.lon.is_not(None),
                WorkOrder.lat.is_not(None),
            )
        ).all()
        by_category: dict[int, list] = defaultdict(list)
        for order_id, category_id, created_at in fresh:
            by_category[category_id].append((order_id, created_at))
        categories = {
            c.id: c
            for c in session.scalars(select(Category).where(Category.id.in_(list(by_category))))
        }
        rules = {c: rule_for(category) for c, category in categories.items()}
        windows = {
            c: min(at for _id, at in new) - rules[c].window for c, new in by_category.items()
        }
        points = _sightings(session, windows, now) if windows else {}
        for category_id, new in by_category.items():
            rule = rules[category_id]
            clusters = find(points[category_id], [order_id for order_id, _at in new], rule)
            for cluster in clusters:
                hotspot, added = _place(session, category_id, cluster, rule, now)
                if hotspot is None:
                    continue
                (raised if added == hotspot.order_count else grown).append(hotspot.id)
        closed = _close_quiet(session, now)
        _save_watermark(session, now)
        if raised:
            _tell_supervisors(session, raised, now)
    return RunResult(len(fresh), raised, sorted(set(grown) - set(raised)), closed)


def _place(
    session: Session,
    category_id: int,
    cluster: Cluster,
    rule: Rule,
    now: datetime,
) -> tuple[Hotspot | None, int]:
    """Add the cluster to its hotspot (or a new one); the hotspot and the orders added."""
    members = list(cluster.members)
    taken = dict(
        session.execute(
            select(HotspotOrder.order_id, HotspotOrder.hotspot_id).where(
                HotspotOrder.order_id.in_(members)
            )
        ).all()
    )
    hotspot = None
    if taken:
        hotspot = session.get(Hotspot, Counter(taken.values()).most_common(1)[0][0])
    if hotspot is None or hotspot.state != OPEN:
        hotspot = next(
            (
                h
                for h in session.scalars(
                    select(Hotspot).where(Hotspot.state == OPEN, Hotspot.category_id == category_id)
                )
                if same_place(h.lon, h.lat, cluster.lon, cluster.lat, rule)
            ),
            None,
        )
    joining = [order_id for order_id in members if order_id not in taken]
    if not joining:
        return None, 0
    if hotspot is None and len(joining) < rule.min_orders:
        # Most of the cluster belongs to a hotspot that has closed: the few new orders are
        # no new hotspot by themselves (they would raise one of one and tell again).
        return None, 0
    if hotspot is None:
        districts = session.scalars(
            select(WorkOrder.district_id).where(WorkOrder.id.in_(members))
        ).all()
        hotspot = Hotspot(
            category_id=category_id,
            district_id=Counter(districts).most_common(1)[0][0],  # most of its orders
            lon=cluster.lon,
            lat=cluster.lat,
            radius_m=rule.radius_m,
            order_count=0,
            first_at=cluster.first_at,
            last_at=cluster.last_at,
            state=OPEN,
            created_at=now,
            updated_at=now,
        )
        session.add(hotspot)
        session.flush()
    # The centre moves to the mean of its orders (weighted by how many each side has).
    total = hotspot.order_count + len(joining)
    share = len(joining) / total
    hotspot.lon += (cluster.lon - hotspot.lon) * share
    hotspot.lat += (cluster.lat - hotspot.lat) * share
    hotspot.order_count = total
    hotspot.first_at = min(hotspot.first_at, cluster.first_at)
    hotspot.last_at = max(hotspot.last_at, cluster.last_at)
    hotspot.last_growth, hotspot.updated_at = len(joining), now
    session.add_all(HotspotOrder(order_id=o, hotspot_id=hotspot.id) for o in joining)
    session.flush()
    return hotspot, len(joining)


def _close_quiet(session: Session, now: datetime) -> int:
    """Close the open hotspots whose latest order is older than their window."""
    closed = 0
    for hotspot in session.scalars(select(Hotspot).where(Hotspot.state == OPEN)):
        if hotspot.last_at < now - rule_for(hotspot.category).window:
            hotspot.state, hotspot.updated_at = CLOSED, now
            closed += 1
    return closed


def _tell_supervisors(session: Session, hotspot_ids: list[int], now: datetime) -> None:
    """One in-app message per new hotspot to the supervisors (never again for it)."""
    messages = []
    for hotspot in session.scalars(select(Hotspot).where(Hotspot.id.in_(hotspot_ids))):
        where = hotspot.district.name if hotspot.district else ""
        text = (
            f"发现热点：{where}{hotspot.category.name}，{hotspot.order_count}件工单"
            f"集中在约{hotspot.radius_m:.0f}米范围内。"
        )
        messages.append(("in_app", "role:supervisor", text, None))
    outbox.enqueue_many(session, messages=messages, now=now)
