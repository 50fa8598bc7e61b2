"""The wallboard's figures on a day of 60,000 orders (and last week's same weekday).

Generates, in bulk with SQLAlchemy Core, today's orders up to 20:00 (local) and last week's
whole day, each with 5% follow-up calls in the audit trail and a mix of open states, then
times `services/reports/wallboard.figures` (uncached: what one refresh costs when the
few-second cache has expired; target well under 100 ms) and the cached call every screen
makes in between. For comparison, the naive way: one count per hour, per state and per
category and district (the queries a page without grouping would send).
Run: .venv/bin/python bench/wallboard.py [--orders 60000] [--database-url postgresql+psycopg://…]
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import prepared_app  # noqa: E402

TZ = "Asia/Shanghai"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # 20:00 in Beijing, a Friday
# Calls by local hour: quiet at night, peaks mid-morning and early afternoon.
CURVE = [1, 1, 1, 1, 1, 2, 4, 7, 10, 11, 10, 9, 8, 9, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]
OPEN = ["registered", "routed", "accepted", "returned", "replied"]


def _rows(rng, count, start, end, ids, fixed, prefix):
    """`count` orders between `start` and `end`, by the day's curve."""
    hours = [h for h in range(24) if start + timedelta(hours=h) < end]
    weights = [CURVE[h] for h in hours]
    for i in range(count):
        hour = rng.choices(hours, weights)[0]
        created = start + timedelta(hours=hour, seconds=rng.uniform(0, 3599))
        created = min(created, end - timedelta(seconds=1))
        state = rng.choice(OPEN) if rng.random() < 0.7 else "closed"
        due = created + timedelta(hours=rng.choice([2, 24, 72, 120]))
        yield {
            **fixed,
            "number": f"{prefix}{i:08d}",
            "category_id": rng.choice(ids["categories"]),
            "district_id": rng.choice(ids["districts"]),
            "state": state,
            "due_at": due,
            "warn_at": created + (due - created) * 0.8,
            "created_at": created,
            "updated_at": created,
            "routed_at": created,
            "closed_at": due if state == "closed" else None,
        }


def generate(conn, count: int, ids: dict) -> None:
    """Today's orders up to NOW and last week's whole day, 5% of each with a follow-up."""
    from sqlalchemy import select

    from hotline.core import wallboard
    from hotline.database import column_defaults
    from hotline.models import AuditEvent, WorkOrder

    table = WorkOrder.__table__
    fixed = {
        **column_defaults(table),
        "channel": "phone",
        "order_type": "complaint",
        "description": "bench",
        "department_id": ids["department"],
        "time_limit": 5,
        "synthetic": True,
    }
    rng = random.Random(16)
    today = wallboard.today(NOW, TZ)
    before = wallboard.week_before(today, TZ)
    for prefix, day, end in (("T", today, NOW), ("W", before, before.end)):
        rows = list(_rows(rng, count, day.start, end, ids, fixed, prefix))
        for i in range(0, len(rows), 20000):
            conn.execute(table.insert(), rows[i : i + 20000])
        numbers = {r["number"]: r["created_at"] for r in rows if rng.random() < 0.05}
        found = conn.execute(
            select(WorkOrder.id, WorkOrder.number).where(WorkOrder.number.like(f"{prefix}%"))
        ).all()
        events = [
            {
                "order_id": order_id,
                "actor_id": None,
                "at": min(numbers[number] + timedelta(minutes=30), end - timedelta(seconds=1)),
                "action": "follow_up_call",
                "from_state": None,
                "to_state": "routed",
                "note": "bench",
            }
            for order_id, number in found
            if number in numbers
        ]
        conn.execute(AuditEvent.__table__.insert(), events)


def naive(session) -> float:
    """One count per hour (orders and follow-ups, both days), per state, per category and
    per district: the way without GROUP BY."""
    from sqlalchemy import func, select

    from hotline.core import wallboard
    from hotline.models import AuditEvent, Category, District, WorkOrder

    start = time.perf_counter()
    today = wallboard.today(NOW, TZ)
    for day in (today, wallboard.week_before(today, TZ)):
        for h in range(24):
            a, b = day.start + timedelta(hours=h), day.start + timedelta(hours=h + 1)
            session.scalar(
                select(func.count()).where(WorkOrder.created_at >= a, WorkOrder.created_at < b)
            )
            session.scalar(
                select(func.count()).where(
                    AuditEvent.action == "follow_up_call", AuditEvent.at >= a, AuditEvent.at < b
                )
            )
    for state in OPEN:
        session.scalar(select(func.count()).where(WorkOrder.state == state))
    window = (WorkOrder.created_at >= today.start, WorkOrder.created_at < today.end)
    for column, model in ((WorkOrder.category_id, Category), (WorkOrder.district_id, District)):
        for key in session.scalars(select(model.id)):
            session.scalar(select(func.count()).where(column == key, *window))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=60_000, help="orders a day")
    parser.add_argument("--database-url", default=None, help="an empty PostgreSQL database")
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="hotline-wallboard-"))
    _env, app = prepared_app(directory, args.database_url)
    from sqlalchemy import select

    from hotline.models import Category, Department, District
    from hotline.plugins import db
    from hotline.services.reports import wallboard

    with app.app_context():
        ids = {
            "categories": list(db.session.scalars(select(Category.id))),
            "districts": list(db.session.scalars(select(District.id))),
            "department": db.session.scalar(select(Department.id).limit(1)),
        }
        db.session.commit()
        start = time.perf_counter()
        with db.engine.begin() as conn:
            generate(conn, args.orders, ids)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        print(
            f"{db.engine.dialect.name}: generated 2 x {args.orders:,} orders in "
            f"{time.perf_counter() - start:.1f} s"
        )
        wallboard.figures(db.session, timezone=TZ, now=NOW)  # warm the page cache
        times = []
        for _ in range(7):
            start = time.perf_counter()
            board = wallboard.figures(db.session, timezone=TZ, now=NOW)
            times.append(time.perf_counter() - start)
        median = statistics.median(times)
        print(
            f"figures (uncached): median {median * 1000:.1f} ms, max {max(times) * 1000:.1f} ms "
            f"(target well under 100 ms: {'met' if median < 0.1 else 'NOT met'}); "
            f"orders today {board['orders']['total']:,}, calls {board['calls']['total']:,}, "
            f"open {board['open']:,}, overdue {board['overdue']:,}"
        )
        wallboard.forget()
        wallboard.cached_figures(db.session, timezone=TZ, now=NOW, database="bench")
        start = time.perf_counter()
        for _ in range(1000):
            wallboard.cached_figures(db.session, timezone=TZ, now=NOW, database="bench")
        cached = (time.perf_counter() - start) / 1000
        print(f"cached (every other screen within the cache's seconds): {cached * 1e6:.1f} µs")
        slow = naive(db.session)
        print(
            f"naive per-hour count loop: {slow * 1000:.1f} ms; "
            f"ratio naive/figures {slow / median:.1f}x"
        )


if __name__ == "__main__":
    main()
