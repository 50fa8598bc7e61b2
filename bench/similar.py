"""并单 candidates (issue 16, item 3): the probable duplicates of one new order among
1,000,000 open and recent orders on PostgreSQL, as the intake form and the API ask for them.

Synthetic data, in bulk (work_orders.synthetic = true): ORDERS orders over the last DAYS
days, points spread over the city's built-up area (a 40 x 30 km box), the leaf categories at
random, descriptions from the labelled generator's phrases (tests/duplicate_pairs.py). COPY
with the secondary indexes built afterwards, then VACUUM ANALYZE. Then, RUNS times each:
`similar_to_draft` (an order being taken: category, point, words, now) and
`similar_to_order` (an existing order, by number), as a desk user; median and p95 in ms,
the pool sizes read, and the plan of the candidates' query.
Run: .venv/bin/python bench/similar.py [--database-url postgresql+psycopg://...]
     [--orders 1000000] [--runs 200]
The PostgreSQL database (default: env BENCH_PG_URL, else hotline_e_bench on 127.0.0.1:55432) has
its tables dropped first.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import BENCH_PASSWORD, prepared_app  # noqa: E402

NOW = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)
DAYS = 30  # open and recent: a month of a big city's orders
BATCH = 20_000
BOX = (116.2, 39.8, 116.65, 40.07)  # lon, lat: the built-up area


def arguments():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:55432/hotline_e_bench"
        ),
    )
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=200)
    return parser.parse_args()


def phrases() -> list[str]:
    from tests.duplicate_pairs import MATTERS, PLACES, STREETS

    said = [p for _parent, matters in MATTERS.values() for ps in matters.values() for p in ps]
    return [f"{s}{p}{x}" for s in STREETS for p in PLACES for x in said]


def order_rows(categories: list[int], departments: list[int], count: int):
    """The orders' varying columns, batch by batch."""
    rng = random.Random(16)
    texts = phrases()
    start = NOW - timedelta(days=DAYS)
    batch = []
    for i in range(count):
        created = start + timedelta(seconds=(i + rng.random()) * DAYS * 86400 / count)
        state = "closed" if rng.random() < 0.5 else rng.choice(("routed", "accepted", "replied"))
        batch.append(
            {
                "id": i + 1,
                "number": f"S{i:010d}",
                "channel": "phone",
                "order_type": "complaint",
                "category_id": rng.choice(categories),
                "department_id": rng.choice(departments),
                "district_id": 1,
                "state": state,
                "lon": rng.uniform(BOX[0], BOX[2]),
                "lat": rng.uniform(BOX[1], BOX[3]),
                "description": rng.choice(texts),
                "due_at": created + timedelta(days=15),
                "created_at": created,
                "updated_at": created,
                "routed_at": created,
            }
        )
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def build(app, url: str, count: int) -> int:
    """COPY the orders; the desk user's id."""
    import psycopg
    from sqlalchemy import select
    from sqlalchemy.dialects import postgresql

    from bench.crash import plain
    from bench.visibility import copy_rows, fixed_columns
    from hotline.database import utcnow
    from hotline.models import Category, Department, WorkOrder
    from hotline.plugins import db
    from hotline.services.accounts import users

    with app.app_context():
        categories = list(
            db.session.scalars(select(Category.id).where(Category.parent_id.is_not(None)))
        )
        departments = list(db.session.scalars(select(Department.id)))
        desk = users.create_user(
            db.session,
            username="bench_desk",
            display_name="bench_desk",
            role="desk",
            department_id=None,
            password=BENCH_PASSWORD,
            hash_method=app.config["PASSWORD_HASH_METHOD"],
            now=utcnow(),
        )
        db.session.commit()
        desk_id = desk.id
    fixed = fixed_columns(WorkOrder.__table__, postgresql.dialect())
    fixed.pop("description")
    with psycopg.connect(plain(url)) as conn:
        conn.execute("SET session_replication_role = replica")
        indexes = conn.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = "
            "'work_orders' AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
        ).fetchall()
        for name, _definition in indexes:
            conn.execute(f"DROP INDEX {name}")
        rows = (
            fixed | row for batch in order_rows(categories, departments, count) for row in batch
        )
        with conn.cursor() as cursor:
            copy_rows(cursor, "work_orders", rows)
        for _name, definition in indexes:
            conn.execute(definition)
        conn.execute(f"SELECT setval('work_orders_id_seq', {count})")
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE work_orders")
    return desk_id


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(app, desk_id: int, count: int, runs: int) -> None:
    """Time the draft's and the order's candidates; print the figures and one plan."""
    from sqlalchemy import select, text

    from hotline.models import Category, User, WorkOrder
    from hotline.plugins import db
    from hotline.services.orders import duplicates

    rng = random.Random(7)
    with app.app_context():
        desk = db.session.get(User, desk_id)
        codes = list(
            db.session.scalars(select(Category.code).where(Category.parent_id.is_not(None)))
        )
        texts = phrases()
        duplicates.similar_to_order(db.session, actor=desk, number=f"S{count - 1:010d}")  # jieba
        draft_ms, order_ms, found = [], [], []
        for i in range(runs):
            # Every other draft is a second call about a recent order (20 m away, its words).
            code, text_ = rng.choice(codes), rng.choice(texts)
            lon, lat = rng.uniform(BOX[0], BOX[2]), rng.uniform(BOX[1], BOX[3])
            if i % 2:
                row = db.session.execute(
                    select(Category.code, WorkOrder.lon, WorkOrder.lat, WorkOrder.description)
                    .join(Category, Category.id == WorkOrder.category_id)
                    .where(WorkOrder.number == f"S{rng.randrange(count - count // 30, count):010d}")
                ).one()
                code, lon, lat, text_ = row.code, row.lon + 0.0002, row.lat, row.description
            db.session.rollback()
            started = time.perf_counter()
            items = duplicates.similar_to_draft(
                db.session, actor=desk, category_code=code, lon=lon, lat=lat, text=text_, now=NOW
            )
            draft_ms.append((time.perf_counter() - started) * 1000)
            found.append(len(items))
            db.session.rollback()
            number = f"S{rng.randrange(count - count // 10, count):010d}"  # a recent one
            started = time.perf_counter()
            duplicates.similar_to_order(db.session, actor=desk, number=number)
            order_ms.append((time.perf_counter() - started) * 1000)
            db.session.rollback()
        for label, values in (("draft (intake form)", draft_ms), ("order (API)", order_ms)):
            print(
                f"{label}: median {statistics.median(values):.1f} ms, "
                f"p95 {percentile(values, 0.95):.1f} ms over {runs} runs"
            )
        print(f"candidates per draft: mean {statistics.mean(found):.2f}, max {max(found)}")
        plan = db.session.execute(
            text(
                "EXPLAIN (ANALYZE, BUFFERS) SELECT id FROM work_orders WHERE category_id IN "
                "(SELECT id FROM categories WHERE parent_id = (SELECT parent_id FROM categories "
                "WHERE code = :code)) AND created_at BETWEEN :a AND :b "
                "AND lat BETWEEN 39.90 AND 39.9037 AND lon BETWEEN 116.40 AND 116.4047 "
                "AND master_id IS NULL"
            ),
            {
                "code": codes[0],
                "a": (NOW - timedelta(hours=72)).replace(tzinfo=None),
                "b": NOW.replace(tzinfo=None),
            },
        )
        print("plan:\n  " + "\n  ".join(row[0] for row in plan))


def main() -> None:
    args = arguments()
    from bench.crash import reset_postgres

    with tempfile.TemporaryDirectory() as tmp:
        reset_postgres(args.database_url)
        started = time.perf_counter()
        _env, app = prepared_app(Path(tmp), args.database_url)
        desk_id = build(app, args.database_url, args.orders)
        print(f"PostgreSQL: built {args.orders:,} orders in {time.perf_counter() - started:.0f} s")
        measure(app, desk_id, args.orders, args.runs)
        with app.app_context():
            from hotline.plugins import db

            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
