"""The deadline sweep: moves overdue orders up the escalation levels, exactly once each.

Driven by the orders' state in the database, not by timers: a sweep after downtime catches
up on everything it missed. Each move is a compare-and-set on the level it saw, so two
sweeps at once (threads, processes) never record a level twice.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, case, column, func, insert, select, table, union, update
from sqlalchemy.orm import Session

from hotline.core.escalation import EscalationPolicy, Level
from hotline.core.workflow import State
from hotline.database import raw_utc, write_transaction
from hotline.models import Department, WorkOrder

# States in which the clock runs: the order waits for the desk or the department.
RUNNING = (
    State.REGISTERED.value,
    State.DISPATCHED.value,
    State.ACCEPTED.value,
    State.RETURNED.value,
)
BATCH = 500
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
    time, so that each is a range scan of ix_work_orders_sweep_warn or _due.
    """
    o = WorkOrder
    columns = (
        o.id, o.number, o.state, o.created_at, o.due_at, o.warn_at, o.escalation_level,
        o.department_id,
    )  # fmt: skip
    thresholds = (
        (Level.WARNING, o.warn_at, now),
        (Level.REMINDER, o.due_at, now),
        (Level.SUPERVISION, o.due_at, now - policy.supervision_after),
        (Level.OFFICIAL, o.due_at, now - policy.official_after),
    )
    branches = [
        select(*columns).where(
            o.state.in_(RUNNING),
            o.escalation_level.in_(list(range(level))),
            moment <= when,
        )
        for level, moment, when in thresholds
    ]
    return union(*branches).order_by("id")


def sweep(
    session: Session, now: datetime, policy: EscalationPolicy | None = None
) -> list[Escalated]:
    """Raise every order that is behind to the level it should have; return what moved."""
    policy = policy or EscalationPolicy()
    rows = session.execute(candidates(policy, now)).all()
    moved: list[Escalated] = []
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        with write_transaction(session):
            conn = session.connection()
            # Under the write lock (SQLite) or the row locks (PostgreSQL) the levels read
            # here cannot change before the update: a level another sweep already raised
            # is skipped, and the update's own `escalation_level = :seen` guards again.
            current = dict(
                conn.execute(
                    select(WorkOrder.id, WorkOrder.escalation_level)
                    .where(WorkOrder.id.in_([r.id for r in batch]))
                    .with_for_update()
                ).all()
            )
            stamp = raw_utc(conn.dialect.name, now)
            updates, events, notices = [], [], []
            for row in batch:
                seen = row.escalation_level
                target = int(policy.level(row.created_at, row.due_at, now, row.warn_at))
                if target <= seen or current.get(row.id) != seen:
                    continue
                updates.append({"order_id": row.id, "seen": seen, "level": target})
                for level in range(seen + 1, target + 1):
                    events.append(_event(row.id, row.state, level, stamp))
                    if level >= Level.REMINDER:
                        notices.append(_notice(row, level, stamp))
                moved.append(Escalated(row.number, Level(seen), Level(target)))
            if updates:
                conn.execute(_RAISE, updates)
                conn.execute(_INSERT_EVENT, events)
                if notices:  # a move to the warning level alone tells nobody yet
                    conn.execute(_INSERT_NOTICE, notices)
    return moved


_RAISE = (
    update(WorkOrder.__table__)
    .where(
        WorkOrder.__table__.c.id == bindparam("order_id"),
        WorkOrder.__table__.c.escalation_level == bindparam("seen"),
    )
    .values(escalation_level=bindparam("level"))
)


# The sweep writes tens of thousands of rows at once: untyped columns and pre-formatted
# times skip SQLAlchemy's per-value processing, which cost more than SQLite's own work.
_EVENT_COLUMNS = ("order_id", "actor_id", "at", "action", "from_state", "to_state", "note")
_INSERT_EVENT = insert(table("audit_events", *map(column, _EVENT_COLUMNS)))
_NOTICE_COLUMNS = (
    "channel", "recipient", "text", "order_id", "state", "attempts", "next_attempt_at",
    "last_error", "created_at",
)  # fmt: skip
_INSERT_NOTICE = insert(table("notifications", *map(column, _NOTICE_COLUMNS)))
_LEVEL_NOTES = {int(level): level.name.lower() for level in Level}
_RECIPIENTS = {int(level): r for level, r in RECIPIENTS.items()}
_TEXTS = {int(level): t for level, t in NOTICE_TEXT.items()}


def _event(order_id: int, state: str, level: int, stamp) -> dict:
    return {
        "order_id": order_id, "actor_id": None, "at": stamp, "action": "escalate",
        "from_state": state, "to_state": state, "note": _LEVEL_NOTES[level],
    }  # fmt: skip


def _notice(row, level: int, stamp) -> dict:
    recipient = _RECIPIENTS[level]
    if level == 2:  # Level.REMINDER
        recipient = f"department:{row.department_id or 'desk'}"
    return {
        "channel": "in_app", "recipient": recipient, "order_id": row.id, "state": "pending",
        "text": f"工单{row.number}{_TEXTS[level]}", "attempts": 0, "last_error": "",
        "next_attempt_at": stamp, "created_at": stamp,
    }  # fmt: skip


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
