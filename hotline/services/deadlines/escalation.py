"""The deadline sweep: moves overdue orders up the escalation levels, exactly once each.

Driven by the orders' state in the database, not by timers: a sweep after downtime catches
up on everything it missed. Each move is a compare-and-set on the level it saw, so two
sweeps at once (threads, processes) never record a level twice.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, case, func, select, union
from sqlalchemy.orm import Session

from hotline.core.deadlines.escalation import EscalationPolicy, Level
from hotline.core.orders.workflow import State
from hotline.database import execute_many, write_transaction
from hotline.models import Department, WorkOrder
from hotline.services import audit
from hotline.services.notifications import outbox

# States in which the clock runs: the order waits for the desk or the department.
RUNNING = (
    State.REGISTERED.value,
    State.ROUTED.value,
    State.ACCEPTED.value,
    State.RETURNED.value,
)
BATCH = 2000
# Who hears of each level (催办 goes to the order's department).
NOTICE_TEXT = {  # outbox texts are stored as sent: in Chinese, like the SMS
    Level.REMINDER: "已超期，请尽快办理（催办）",
    Level.SUPERVISION: "超期未办结，已列入督办",
    Level.OFFICIAL: "严重超期，已提请领导督办",
}
RECIPIENTS = {
    Level.REMINDER: "department",
    Level.SUPERVISION: "role:supervisor",
    Level.OFFICIAL: "role:official",
}


@dataclass(frozen=True)
class Escalated:
    """One order moved from one level to a higher one."""

    number: str
    from_level: Level
    to_level: Level


def candidates(policy: EscalationPolicy, now: datetime):
    """Open orders whose level is behind their times.

    One branch per level, each an equality on (state, escalation_level) and a range on a
    time, so that each is a range scan of ix_work_orders_sweep_warn or _due. The branches
    select only the id, which the index holds, so the union touches no table row; only the
    distinct orders found are then read.
    """
    o = WorkOrder.__table__.c
    # The level each order should have, computed by the database as EscalationPolicy.level
    # does: reading no times into Python spares parsing ~30,000 datetimes per big sweep.
    target = case(
        (o.due_at <= now - policy.official_after, int(Level.OFFICIAL)),
        (o.due_at <= now - policy.supervision_after, int(Level.SUPERVISION)),
        (o.due_at <= now, int(Level.REMINDER)),
        (o.warn_at <= now, int(Level.WARNING)),
        else_=int(Level.NONE),
    ).label("target")
    columns = (o.id, o.number, o.state, o.escalation_level, o.department_id, target)
    thresholds = (
        (Level.WARNING, o.warn_at, now),
        (Level.REMINDER, o.due_at, now),
        (Level.SUPERVISION, o.due_at, now - policy.supervision_after),
        (Level.OFFICIAL, o.due_at, now - policy.official_after),
    )
    branches = [
        select(o.id).where(
            o.state.in_(RUNNING),
            o.escalation_level.in_(list(range(level))),
            moment <= when,
        )
        for level, moment, when in thresholds
    ]
    # A merged order (并单) follows its master: the master's deadline escalates, not its own.
    merged = o.master_id.is_not(None)
    return select(*columns).where(o.id.in_(union(*branches)), ~merged).order_by(o.id)


def sweep(
    session: Session, now: datetime, policy: EscalationPolicy | None = None
) -> list[Escalated]:
    """Raise every order that is behind to the level it should have; return what moved."""
    policy = policy or EscalationPolicy()
    # Core, not the ORM: the ORM's row loading cost more than the query itself.
    rows = session.connection().execute(candidates(policy, now)).all()
    moved: list[Escalated] = []
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        with write_transaction(session):
            conn = session.connection()
            # Under the write lock (SQLite) or the row locks (PostgreSQL) the levels read
            # here cannot change before the update: a level another sweep already raised
            # is skipped, and the update's own `escalation_level = :seen` guards again.
            current = dict(conn.execute(_LOCK_LEVELS, {"ids": [r.id for r in batch]}).all())
            updates, events, notices = [], [], []
            for row in batch:
                seen, target = row.escalation_level, row.target
                if target <= seen or current.get(row.id) != seen:
                    continue
                updates.append((target, row.id, seen))
                for level in range(seen + 1, target + 1):
                    events.append((row.id, None, "escalate", row.state, row.state, _NOTES[level]))
                    if level >= Level.REMINDER:
                        notices.append(_notice(row, level))
                moved.append(Escalated(row.number, _LEVELS[seen], _LEVELS[target]))
            execute_many(conn, _RAISE, updates)
            audit.record_many(session, events=events, now=now)
            # Notices from the reminder level up: a move to the warning level tells nobody yet.
            outbox.enqueue_many(session, messages=notices, now=now)
    return moved


_LOCK_LEVELS = (
    select(WorkOrder.__table__.c.id, WorkOrder.__table__.c.escalation_level)
    .where(WorkOrder.__table__.c.id.in_(bindparam("ids", expanding=True)))
    .with_for_update()
)
# The sweep writes tens of thousands of rows at once: straight to the driver's executemany.
_RAISE = "UPDATE work_orders SET escalation_level = ? WHERE id = ? AND escalation_level = ?"
_LEVELS = {int(level): level for level in Level}  # a lookup costs less than Level(n)
_NOTES = {int(level): level.name.lower() for level in Level}
_RECIPIENTS = {int(level): r for level, r in RECIPIENTS.items()}
_TEXTS = {int(level): t for level, t in NOTICE_TEXT.items()}


def _notice(row, level: int) -> outbox.Outgoing:
    recipient = _RECIPIENTS[level]
    if level == Level.REMINDER:
        recipient = f"department:{row.department_id or 'desk'}"
    return ("in_app", recipient, f"工单{row.number}{_TEXTS[level]}", row.id)


@dataclass(frozen=True)
class DepartmentOverdue:
    """One department's open orders past their deadline, by escalation level."""

    department_id: int | None
    department: str | None
    overdue: int
    reminded: int
    supervised: int
    official: int


def overdue_by_department(session: Session, now: datetime) -> list[DepartmentOverdue]:
    """Overdue open orders per department, worst first (one GROUP BY on the sweep index)."""
    o = WorkOrder
    level = o.escalation_level
    rows = session.execute(
        select(
            o.department_id,
            Department.name,
            func.count(),
            func.sum(case((level == Level.REMINDER, 1), else_=0)),
            func.sum(case((level == Level.SUPERVISION, 1), else_=0)),
            func.sum(case((level == Level.OFFICIAL, 1), else_=0)),
        )
        .select_from(o)
        .outerjoin(Department, Department.id == o.department_id)
        .where(o.state.in_(RUNNING), o.due_at < now)
        .group_by(o.department_id, Department.name)
        .order_by(func.count().desc(), Department.name)
    ).all()
    return [DepartmentOverdue(*row) for row in rows]
