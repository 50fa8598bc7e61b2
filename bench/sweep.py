"""One deadline sweep over 1,000,000 orders of which 1% are due for a level change.

Also times the supervisors' overdue-by-department query on the same data.

The orders are generated in bulk with SQLAlchemy Core into a fresh SQLite file (WAL,
synchronous=FULL). Prints the time of the sweep (target < 1 s) and, for comparison, the
naive way: loading every open order and computing its level in Python.
Run: .venv/bin/python bench/sweep.py [--orders 1000000]
"""

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import prepared_app  # noqa: E402

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def generate(conn, count: int, category_id: int, department_id: int) -> int:
    """Bulk rows: most closed or not yet near their deadline; 1% due for a change."""
    from hotline.database import column_defaults
    from hotline.models import WorkOrder

    table = WorkOrder.__table__
    fixed = {
        **column_defaults(table),
        "channel": "phone",
        "order_type": "complaint",
        "category_id": category_id,
        "description": "bench",
        "department_id": department_id,
        "time_limit": 15,
        "synthetic": True,
    }
    rng = random.Random(3)
    due_for_change = 0
    batch = []
    for i in range(count):
        closed = rng.random() < 0.7
        if not closed and rng.random() < 0.0334:  # 1% of all: open and past a threshold
            created = NOW - timedelta(days=20)
            due = NOW - timedelta(hours=rng.uniform(1, 200))
            level = 0
            due_for_change += 1
        elif not closed:  # recent and well within the time limit
            created = NOW - timedelta(days=rng.uniform(0, 2))
            due = NOW + timedelta(days=rng.uniform(10, 15))
            level = 0
        else:
            created = NOW - timedelta(days=rng.uniform(20, 365))
            due = created + timedelta(days=15)
            level = rng.choice([0, 0, 0, 1, 2])
        batch.append(_order(fixed, i, closed, created, due, level))
        if len(batch) == 20000:
            conn.execute(table.insert(), batch)
            batch = []
    if batch:
        conn.execute(table.insert(), batch)
    return due_for_change


def _order(fixed: dict, i: int, closed: bool, created: datetime, due: datetime, level: int):
    """One generated order's row."""
    return {
        **fixed,
        "number": f"B{i:09d}",
        "state": "closed" if closed else "routed",
        "due_at": due,
        "warn_at": created + (due - created) * 0.8,
        "escalation_level": level,
        "created_at": created,
        "updated_at": created,
        "routed_at": created,
        "closed_at": due if closed else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="hotline-sweep-"))
    _env, app = prepared_app(directory)
    from sqlalchemy import select

    from hotline.models import Category, Department
    from hotline.plugins import db
    from hotline.services.deadlines import escalation

    with app.app_context():
        category_id = db.session.scalar(select(Category.id).where(Category.code == "0401"))
        department_id = db.session.scalar(select(Department.id).limit(1))
        db.session.commit()
        start = time.perf_counter()
        with db.engine.begin() as conn:
            due = generate(conn, args.orders, category_id, department_id)
        elapsed = time.perf_counter() - start
        print(f"generated {args.orders:,} orders ({due:,} due for a change) in {elapsed:.1f} s")
        naive = _naive(db.session)
        start = time.perf_counter()
        moved = escalation.sweep(db.session, NOW)
        elapsed = time.perf_counter() - start
        met = "met" if elapsed < 1 else "NOT met"
        print(
            f"sweep: {len(moved):,} orders escalated in {elapsed:.2f} s "
            f"(target < 1 s: {met}); ratio naive/sweep {naive / elapsed:.1f}x"
        )
        _dashboard(db.session)
        start = time.perf_counter()
        again = escalation.sweep(db.session, NOW)
        elapsed = time.perf_counter() - start
        print(f"second sweep at the same time: {len(again)} escalated in {elapsed:.3f} s")


def _naive(session) -> float:
    """The naive way, for comparison: load every open order and check its level in Python."""
    from sqlalchemy import select

    from hotline.core.deadlines.escalation import EscalationPolicy
    from hotline.models import WorkOrder
    from hotline.services.deadlines import escalation

    start = time.perf_counter()
    open_rows = session.execute(
        select(WorkOrder.created_at, WorkOrder.due_at, WorkOrder.escalation_level).where(
            WorkOrder.state.in_(escalation.RUNNING)
        )
    ).all()
    policy = EscalationPolicy()
    behind = sum(1 for r in open_rows if policy.level(r.created_at, r.due_at, NOW) > r[2])
    naive = time.perf_counter() - start
    session.commit()
    print(
        f"naive: load {len(open_rows):,} open orders and check each: {naive:.2f} s "
        f"({behind:,} behind)"
    )
    return naive


def _dashboard(session) -> None:
    """The supervisors' overdue-by-department query, best of five."""
    from hotline.services.deadlines import escalation

    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        rows = escalation.overdue_by_department(session, NOW)
        best = min(best, time.perf_counter() - start)
        session.commit()
    met = "met" if best < 0.1 else "NOT met"
    print(
        f"overdue dashboard query: {sum(r.overdue for r in rows):,} overdue orders in "
        f"{len(rows)} departments, {best * 1000:.1f} ms (target < 100 ms: {met})"
    )


if __name__ == "__main__":
    main()
