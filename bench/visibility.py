"""What department staff may see (issue 15): their unit's orders plus the orders they hold
an open co-handling task on, over 1,000,000 orders on PostgreSQL (and 200,000 on SQLite).

`queries.visible_orders` looks the held order ids up first and writes
`department_id = X OR id IN (<ids>)`; the naive way, built here, is
`department_id = X OR id IN (SELECT order_id FROM order_tasks WHERE <held>)`. Times, for a
street unit's staff member holding ~50 open assisting tasks: the search page's count and its
first page, newest first (as `queries.search` runs them, no filters), and `get_order` of a held
order, each RUNS times (median and p95 in ms), with the ratio naive/current and the plans.

Synthetic data, in bulk: ORDERS work orders over six months over every unit of the reference
data (343 街乡镇 and the district and city bodies; work_orders.synthetic = true), and
20,000 order_tasks of which ~3,000 are open. PostgreSQL by COPY with the secondary indexes
built afterwards, then VACUUM ANALYZE; SQLite by executemany in batches of 20,000.
Run: .venv/bin/python bench/visibility.py [--database-url postgresql+psycopg://...]
     [--orders 1000000] [--sqlite-orders 200000 (0: no SQLite run)] [--runs 20]
The PostgreSQL database (default: env BENCH_PG_URL, else hotline_d on 127.0.0.1:55432) has
its tables dropped first.
"""

import argparse
import itertools
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import BENCH_PASSWORD, prepared_app  # noqa: E402

NOW = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)
DAYS = 183  # six months
TASKS = 20_000
OPEN_TASKS = 3_000  # open or accepted, across the city
HELD = 50  # open assisting tasks held by the measured street unit
BATCH = 20_000
USERNAME = "bench_street"
JOINED_LOADS = re.compile(
    r"Nested Loop Left Join|Memoize|Cache |Hits:|(categories|departments|districts)_[12]"
    r"|LEFT-JOIN|Planning Time"
    r"|Index Cond: \(id = (work_orders|departments_1)\."
)


def arguments():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:55432/hotline_d"
        ),
    )
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--sqlite-orders", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=20)
    return parser.parse_args()


# -- synthetic data ---------------------------------------------------------------------


def units(session) -> tuple[list[int], list[int], int]:
    """The 街乡镇 and the bodies (ids), and the measured street unit: 朝阳区三里屯街道."""
    from sqlalchemy import select

    from hotline.core.units.kinds import BODY, STREET
    from hotline.models import Department

    streets = list(session.scalars(select(Department.id).where(Department.level == STREET)))
    bodies = list(session.scalars(select(Department.id).where(Department.level == BODY)))
    held = session.scalar(select(Department.id).where(Department.name == "朝阳区三里屯街道"))
    return sorted(streets), sorted(bodies), held or streets[0]


def reference(session) -> dict:
    """What the generated rows refer to: units, their districts, the leaf categories."""
    from sqlalchemy import select

    from hotline.models import Category, Department

    streets, bodies, held = units(session)
    return {
        "streets": streets,
        "bodies": bodies,
        "held": held,
        "districts": dict(session.execute(select(Department.id, Department.district_id)).all()),
        "categories": list(
            session.scalars(select(Category.id).where(Category.parent_id.is_not(None)))
        ),
    }


def order_rows(ref: dict, count: int):
    """The orders' varying columns, batch by batch: 60% to a 街乡镇, 40% to a body."""
    streets, bodies = ref["streets"], ref["bodies"]
    districts, categories = ref["districts"], ref["categories"]
    rng = random.Random(15)
    start = NOW - timedelta(days=DAYS)
    states = ("closed", "routed", "accepted", "replied", "returned")
    batch = []
    for i in range(count):
        created = start + timedelta(seconds=(i + rng.random()) * DAYS * 86400 / count)
        department = rng.choice(streets) if rng.random() < 0.6 else rng.choice(bodies)
        age = (NOW - created).days
        state = "closed" if age > 20 or rng.random() < 0.6 else rng.choice(states[1:])
        due = created + timedelta(days=15)
        batch.append(
            {
                "id": i + 1,
                "number": f"V{i:010d}",
                "channel": "phone",
                "order_type": "complaint",
                "category_id": rng.choice(categories),
                "district_id": districts[department] or 1,
                "department_id": department,
                "state": state,
                "due_at": due,
                "warn_at": created + timedelta(days=12),
                "created_at": created,
                "updated_at": created,
                "routed_at": created,
                "accepted_at": created + timedelta(hours=2),
                "closed_at": created + timedelta(days=rng.uniform(1, 14))
                if state == "closed"
                else None,
            }
        )
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def task_rows(ref: dict, orders: int, desk_id: int) -> list[dict]:
    """20,000 tasks on random orders; ~3,000 open, 50 of them (assisting) held by the
    measured unit, which also has 100 finished ones."""
    held = ref["held"]
    others = [d for d in ref["streets"] + ref["bodies"] if d != held]
    rng = random.Random(16)
    rows = []
    for i in range(TASKS):
        order_id = rng.randrange(1, orders + 1)
        created = NOW - timedelta(days=DAYS * (1 - order_id / orders)) + timedelta(hours=3)
        if i < HELD:
            holder, state = held, rng.choice(("open", "accepted"))
            # held tasks are on recent orders still being worked on
            order_id = rng.randrange(int(orders * 0.95), orders + 1)
        elif i < HELD + 100:
            holder, state = held, rng.choice(("replied", "declined", "withdrawn"))
        else:
            holder = rng.choice(others)
            is_open = rng.random() < (OPEN_TASKS - HELD) / (TASKS - HELD - 100)
            state = rng.choice(("open", "accepted")) if is_open else "replied"
        finished = None if state in ("open", "accepted") else created + timedelta(days=2)
        rows.append(
            {
                "order_id": order_id,
                "version": 1,
                "kind": "assist" if rng.random() < 0.8 or i < HELD + 100 else "assign",
                "lead_department_id": rng.choice(others),
                "department_id": holder,
                "assignee_id": None,
                "whistle": False,
                "instruction": "请协助核实现场情况（合成）",
                "due_at": created + timedelta(days=5),
                "state": state,
                "reply_text": "",
                "created_by_id": desk_id,
                "created_at": created,
                "accepted_at": None if state == "open" else created + timedelta(hours=4),
                "finished_at": finished,
                "finished_by_id": None,
            }
        )
    return rows


def fixed_columns(table, sealed_for=None) -> dict:
    """The columns every generated order shares; with a dialect, as stored (for COPY: the
    sealed columns' text sealed, once)."""
    from hotline.database import column_defaults
    from hotline.encryption import Sealed

    fixed = {
        **column_defaults(table),
        "description": "合成工单（基准）",
        "time_limit": 15,
        "synthetic": True,
    }
    if sealed_for is not None:
        for name, value in fixed.items():
            column_type = table.c[name].type
            if value is not None and isinstance(column_type, Sealed):
                fixed[name] = column_type.process_bind_param(value, sealed_for)
    return fixed


def create_users(app, department_id: int) -> tuple[int, int]:
    """The measured street unit's staff member, and a desk user who made the tasks."""
    from hotline.database import utcnow
    from hotline.plugins import db
    from hotline.services.accounts import users

    with app.app_context():
        made = []
        for name, role, unit in (
            (USERNAME, "department", department_id),
            ("bench_desk", "desk", None),
        ):
            user = users.create_user(
                db.session,
                username=name,
                display_name=name,
                role=role,
                department_id=unit,
                password=BENCH_PASSWORD,
                hash_method=app.config["PASSWORD_HASH_METHOD"],
                now=utcnow(),
            )
            made.append(user.id)
        db.session.commit()
        return made[0], made[1]


def build_postgres(app, url: str, count: int) -> None:
    """COPY the orders (secondary indexes dropped, then built again) and the tasks."""
    import psycopg
    from sqlalchemy.dialects import postgresql

    from bench.crash import plain
    from hotline.models import WorkOrder
    from hotline.plugins import db

    with app.app_context():
        _streets, _bodies, held = units(db.session)
        db.session.commit()
    _user_id, desk_id = create_users(app, held)
    table = WorkOrder.__table__
    fixed = fixed_columns(table, postgresql.dialect())
    with app.app_context():
        ref = reference(db.session)
        db.session.commit()
    batches = order_rows(ref, count)
    tasks = task_rows(ref, count, desk_id)
    with psycopg.connect(plain(url)) as conn:
        # The rows are consistent by construction: no per-row foreign-key triggers.
        conn.execute("SET session_replication_role = replica")
        indexes = conn.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = "
            "'work_orders' AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
        ).fetchall()
        for name, _definition in indexes:
            conn.execute(f"DROP INDEX {name}")
        with conn.cursor() as cursor:
            copy_rows(cursor, "work_orders", (fixed | row for batch in batches for row in batch))
        for _name, definition in indexes:
            conn.execute(definition)
        with conn.cursor() as cursor:
            copy_rows(cursor, "order_tasks", tasks)
        conn.execute(f"SELECT setval('work_orders_id_seq', {count})")
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE work_orders")
        conn.execute("VACUUM ANALYZE order_tasks")


def copy_rows(cursor, table: str, rows) -> None:
    """COPY dicts of one shape into `table` (datetimes as naive UTC, as UTCDateTime stores)."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    with cursor.copy(f"COPY {table} ({', '.join(first)}) FROM STDIN") as copy:
        for row in itertools.chain([first], rows):
            copy.write_row(
                [v.replace(tzinfo=None) if isinstance(v, datetime) else v for v in row.values()]
            )


def build_sqlite(app, count: int) -> None:
    """The same rows by executemany in batches, then ANALYZE."""
    from hotline.models import OrderTask, WorkOrder
    from hotline.plugins import db

    with app.app_context():
        _streets, _bodies, held = units(db.session)
        db.session.commit()
    _user_id, desk_id = create_users(app, held)
    with app.app_context():
        fixed = fixed_columns(WorkOrder.__table__)
        ref = reference(db.session)
        db.session.commit()
        with db.engine.begin() as conn:
            for batch in order_rows(ref, count):
                conn.execute(WorkOrder.__table__.insert(), [{**fixed, **row} for row in batch])
            conn.execute(OrderTask.__table__.insert(), task_rows(ref, count, desk_id))
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        db.session.commit()


# -- timing -----------------------------------------------------------------------------


def naive_visible(actor):
    """The naive way: the held orders as a subquery in the same statement."""
    from sqlalchemy import or_, select

    from hotline.models import OrderTask, WorkOrder
    from hotline.services.orders.queries import held_by_actor

    held = select(OrderTask.order_id).where(held_by_actor(actor))
    return select(WorkOrder).where(
        or_(WorkOrder.department_id == (actor.department_id or -1), WorkOrder.id.in_(held))
    )


def search_queries(query, page_size: int):
    """The two statements `queries.search` runs for page 1 without filters."""
    from sqlalchemy import func, select

    from hotline.models import WorkOrder

    count = select(func.count()).select_from(query.order_by(None).subquery())
    page = query.order_by(WorkOrder.created_at.desc(), WorkOrder.id.desc()).limit(page_size)
    return count, page.offset(0)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed(fn, session, runs: int) -> tuple[list[float], object]:
    """Milliseconds per call of `fn(session)` (two warm-up calls first) and its last result."""
    result = None
    for _ in range(2):
        fn(session)
        session.commit()
    values = []
    for _ in range(runs):
        started = time.perf_counter()
        result = fn(session)
        values.append((time.perf_counter() - started) * 1000)
        session.commit()
    return values, result


def plan_lines(session, statement) -> list[str]:
    """EXPLAIN ANALYZE's lines (EXPLAIN QUERY PLAN on SQLite) of `statement`, literal."""
    dialect = session.get_bind().dialect
    sql = str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    conn = session.connection()
    if dialect.name == "postgresql":
        rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, COSTS OFF) " + sql).all()
        lines = [r[0] for r in rows]
    else:
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql).all()
        lines = [f"{r[0]}/{r[1]}: {r[3]}" for r in rows]
    session.commit()
    # The joined loads of an order's category, unit and district are the same both ways.
    lines = [line for line in lines if not JOINED_LOADS.search(line)]
    return [line if len(line) < 150 else line[:147] + "..." for line in lines]


def measure(app, label: str, runs: int) -> None:
    """Current vs naive for the measured unit's staff member: count, page, get_order."""
    from sqlalchemy import func, select

    from hotline.models import OrderTask, User, WorkOrder
    from hotline.plugins import db
    from hotline.services.orders import queries

    with app.app_context():
        session = db.session
        actor = session.scalar(select(User).where(User.username == USERNAME))
        actor_id, unit = actor.id, actor.department_id
        session.commit()

        def me():
            return session.get(User, actor_id)

        orders = session.scalar(select(func.count()).select_from(WorkOrder))
        own = session.scalar(select(func.count()).where(WorkOrder.department_id == unit))
        open_tasks = session.scalar(
            select(func.count()).where(OrderTask.state.in_(("open", "accepted")))
        )
        held_ids = queries.held_order_ids(session, me())
        held_order = session.scalar(
            select(WorkOrder.number)
            .where(WorkOrder.id.in_(held_ids), WorkOrder.department_id != unit)
            .order_by(WorkOrder.id)
            .limit(1)
        )
        page_size = app.config["PAGE_SIZE"]
        session.commit()
        print(
            f"{label}: {orders:,} orders, {open_tasks:,} open tasks; the unit has {own:,} "
            f"orders of its own and holds {len(held_ids)} open tasks; page size {page_size}"
        )

        def current_count(s):
            count, _page = search_queries(queries.visible_orders(me(), s), page_size)
            return s.scalar(count)

        def current_page(s):
            _count, page = search_queries(queries.visible_orders(me(), s), page_size)
            return [o.number for o in s.scalars(page).all()]

        def naive_count(s):
            count, _page = search_queries(naive_visible(me()), page_size)
            return s.scalar(count)

        def naive_page(s):
            _count, page = search_queries(naive_visible(me()), page_size)
            return [o.number for o in s.scalars(page).all()]

        def current_search(s):
            page = queries.search(
                s,
                actor=me(),
                filters=queries.OrderFilters(),
                page=1,
                page_size=page_size,
                timezone="Asia/Shanghai",
                ip="127.0.0.1",
                now=NOW,
            )
            return (page.total, [o.number for o in page.items])

        def naive_search(s):
            return (naive_count(s), naive_page(s))

        def current_get(s):
            return queries.get_order(s, actor=me(), number=held_order).number

        def naive_get(s):
            return s.scalar(naive_visible(me()).where(WorkOrder.number == held_order)).number

        # Held ids looked up once per call (current_*), as search and get_order do.
        cases = [
            ("count", current_count, naive_count),
            ("first page", current_page, naive_page),
            ("search (both)", current_search, naive_search),
            ("get_order (held)", current_get, naive_get),
        ]
        print(f"  {'':18} {'current p50/p95':>18} {'naive p50/p95':>18} {'naive/current':>14}")
        for name, current, naive in cases:
            cur, cur_result = timed(current, session, runs)
            nai, nai_result = timed(naive, session, runs)
            if cur_result != nai_result:
                raise SystemExit(f"{name}: the two ways disagree: {cur_result!r} {nai_result!r}")
            ratio = statistics.median(nai) / statistics.median(cur)
            print(
                f"  {name:18} {statistics.median(cur):8.1f} /{percentile(cur, 0.95):7.1f} ms"
                f" {statistics.median(nai):8.1f} /{percentile(nai, 0.95):7.1f} ms"
                f" {ratio:12.1f}x"
            )
        total, first = current_search(session)
        print(f"  (n={runs} each; the two ways' results equal: {total:,} orders, {first[0]} first)")
        session.commit()
        held_query = select(OrderTask.order_id).where(queries.held_by_actor(me()))
        current_query = queries.visible_orders(me(), session)
        count, page = search_queries(current_query, page_size)
        naive_count_q, naive_page_q = search_queries(naive_visible(me()), page_size)
        get_q = current_query.where(WorkOrder.number == held_order)
        naive_get_q = naive_visible(me()).where(WorkOrder.number == held_order)
        for name, statement in (
            ("held ids (current, first)", held_query.limit(queries.MAX_HELD)),
            ("count, current", count),
            ("count, naive", naive_count_q),
            ("first page, current", page),
            ("first page, naive", naive_page_q),
            ("get_order, current", get_q),
            ("get_order, naive", naive_get_q),
        ):
            print(f"  plan: {name}")
            for line in plan_lines(session, statement):
                print(f"    {line}")


def main() -> None:
    args = arguments()
    from bench.crash import reset_postgres

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        reset_postgres(args.database_url)
        started = time.perf_counter()
        _env, app = prepared_app(directory, args.database_url)
        build_postgres(app, args.database_url, args.orders)
        print(
            f"PostgreSQL: built {args.orders:,} orders and {TASKS:,} tasks (with the "
            f"reference data and migrations) in {time.perf_counter() - started:.0f} s"
        )
        measure(app, "PostgreSQL", args.runs)
        with app.app_context():
            from hotline.plugins import db

            db.session.remove()
            db.engine.dispose()
    if args.sqlite_orders:
        with tempfile.TemporaryDirectory() as tmp:
            directory = Path(tmp)
            started = time.perf_counter()
            _env, app = prepared_app(directory)
            build_sqlite(app, args.sqlite_orders)
            print(
                f"SQLite: built {args.sqlite_orders:,} orders and {TASKS:,} tasks in "
                f"{time.perf_counter() - started:.0f} s"
            )
            measure(app, "SQLite", args.runs)


if __name__ == "__main__":
    main()
