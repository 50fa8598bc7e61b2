"""Statistics reports over a large database: the monthly and the yearly report, and the
search page's main count, on SQLite and optionally on PostgreSQL.

Generates ORDERS work orders over two years with SQLAlchemy Core (realistic shares of types,
channels, categories, districts, departments and states; 60% of closed orders with a survey
answer), then times `report_data.build` plus the PDF for October 2026 and for 2026.
Targets: the monthly report under 10 s, the yearly under 60 s on SQLite on this machine.
Run: .venv/bin/python bench/report.py [--orders 10000000] [--keep]
     .venv/bin/python bench/report.py --reuse DIR      (time a database kept from a run)
     ... [--postgres postgresql+psycopg://...]         (copy the same rows there and time it;
                                                        the database must be empty)
"""

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import ROOT, prepared_app  # noqa: E402

START = datetime(2025, 1, 1, tzinfo=UTC)
DAYS = 700
TYPES = [
    ("complaint", 45),
    ("inquiry", 25),
    ("help", 12),
    ("suggestion", 8),
    ("tip_off", 6),
    ("praise", 4),
]
CHANNELS = [("phone", 80), ("web", 8), ("app", 6), ("api", 3), ("letter", 3)]


def generate(app, count: int) -> None:
    """Bulk rows, in batches of 20,000, with their surveys."""
    from sqlalchemy import select

    from hotline.models import Category, Department, District, Survey, WorkOrder
    from hotline.plugins import db

    rng = random.Random(6)
    with app.app_context():
        categories = db.session.scalars(
            select(Category.id).where(Category.parent_id.is_not(None))
        ).all()
        districts = db.session.scalars(select(District.id)).all()
        departments = db.session.scalars(select(Department.id)).all()
        types, type_weights = zip(*TYPES, strict=True)
        channels, channel_weights = zip(*CHANNELS, strict=True)
        orders, surveys = [], []
        order_table, survey_table = WorkOrder.__table__, Survey.__table__
        for i in range(count):
            created = START + timedelta(seconds=rng.uniform(0, DAYS * 86400))
            due = created + timedelta(days=rng.choice((3, 15)))
            state = rng.choices(("closed", "routed", "accepted", "cancelled"), (85, 8, 5, 2))[0]
            closed = created + timedelta(days=rng.uniform(0.5, 18)) if state == "closed" else None
            # Drawn in this order so that a seed gives the same rows as before.
            channel = rng.choices(channels, channel_weights)[0]
            order_type = rng.choices(types, type_weights)[0]
            category = rng.choice(categories)
            district, department = rng.choice(districts), rng.choice(departments)
            orders.append(
                {
                    "id": i + 1,
                    "number": f"R{i:010d}",
                    "version": 1,
                    "channel": channel,
                    "order_type": order_type,
                    "category_id": category,
                    "description": "bench",
                    "district_id": district,
                    "department_id": department,
                    "state": state,
                    "time_limit": 15,
                    "due_at": due,
                    "created_at": created,
                    "updated_at": created,
                    "routed_at": created,
                    "closed_at": closed,
                    "accepted_at": created + timedelta(hours=rng.uniform(0.2, 30)),
                    "accepted_in_time": rng.random() < 0.9,
                    "synthetic": True,
                }
            )
            if closed is not None and rng.random() < 0.6:
                satisfaction = rng.choices(("satisfied", "basic", "dissatisfied"), (80, 15, 5))[0]
                done = closed + timedelta(days=1, hours=2)
                surveys.append(
                    {
                        "order_id": i + 1,
                        "version": 1,
                        "round": 1,
                        "state": "done",
                        "department_id": department,
                        "district_id": district,
                        "created_at": closed,
                        "due_at": done,
                        "attempts": 0,
                        "last_attempt_day": "",
                        "resolved": satisfaction != "dissatisfied",
                        "satisfaction": satisfaction,
                        "attitude": "satisfied",
                        "score": 9,
                        "comment": "",
                        "reopened": False,
                        "completed_at": done,
                    }
                )
            if len(orders) == 20000:
                db.session.execute(order_table.insert(), orders)
                if surveys:
                    db.session.execute(survey_table.insert(), surveys)
                db.session.commit()
                orders, surveys = [], []
        if orders:
            db.session.execute(order_table.insert(), orders)
        if surveys:
            db.session.execute(survey_table.insert(), surveys)
        db.session.commit()


def time_reports(app, label: str) -> None:
    from sqlalchemy import func, select

    from hotline.core.orders.search import OrderFilters
    from hotline.core.reports.periods import PeriodKind, period_for
    from hotline.models import WorkOrder
    from hotline.plugins import db
    from hotline.services.orders.queries import apply_filters
    from hotline.services.reports import data as report_data
    from hotline.services.reports import files
    from hotline.services.reports.scope import CITY, Scope

    with app.app_context():
        for kind, target in ((PeriodKind.MONTH, 10), (PeriodKind.YEAR, 60)):
            period = period_for(kind, date(2026, 10, 15))
            start = time.perf_counter()
            data, pdf = files.pdf(
                db.session,
                period=period,
                timezone="Asia/Shanghai",
                scoped=CITY,
                now=datetime.now(UTC),
            )
            took = time.perf_counter() - start
            db.session.commit()
            verdict = "met" if took < target else "NOT met"
            print(
                f"{label}: {kind.value} report ({data.volume.total:,} orders, {len(pdf):,} "
                f"bytes of PDF) in {took:.1f} s (target < {target} s: {verdict})"
            )
        period = period_for(PeriodKind.MONTH, date(2026, 10, 15))
        start = time.perf_counter()
        data = report_data.build(
            db.session, period=period, timezone="Asia/Shanghai", scope=Scope(district_code="110105")
        )
        db.session.commit()
        print(
            f"{label}: month report figures for 朝阳区 ({data.volume.total:,} orders) in "
            f"{time.perf_counter() - start:.1f} s"
        )
        filters = OrderFilters(date_from=date(2026, 10, 1), date_to=date(2026, 10, 31))
        start = time.perf_counter()
        total = db.session.scalar(
            apply_filters(select(func.count()).select_from(WorkOrder), filters, "Asia/Shanghai")
        )
        counted = time.perf_counter() - start
        start = time.perf_counter()
        first_page = db.session.execute(
            apply_filters(select(WorkOrder.id, WorkOrder.number), filters, "Asia/Shanghai")
            .order_by(WorkOrder.created_at.desc(), WorkOrder.id.desc())
            .limit(20)
        ).all()
        listed = time.perf_counter() - start
        db.session.commit()
        print(
            f"{label}: search page for October 2026: count ({total:,}) in {counted * 1000:.0f} "
            f"ms, newest {len(first_page)} in {listed * 1000:.0f} ms"
        )


def copy_to_postgres(sqlite_file: Path, url: str) -> object:
    """The same reference data, orders and surveys in an empty PostgreSQL database."""
    import sqlite3

    import psycopg
    from flask_migrate import upgrade

    from hotline import create_app
    from hotline.demo import seed as demo
    from hotline.plugins import db

    os.environ["DATABASE_URL"] = url
    app = create_app()
    with app.app_context():
        upgrade()
        demo.seed_reference_data(db.session, ROOT / "gis_data" / "beijing_districts.geojson")
    source = sqlite3.connect(sqlite_file)
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as target:
        for table in ("categories", "districts", "departments"):  # same ids on both sides
            query = f"SELECT id, name FROM {table} ORDER BY id"  # noqa: S608 (fixed names)
            if source.execute(query).fetchall() != target.execute(query).fetchall():
                raise SystemExit(f"{table} differ between the two databases")
        held = target.execute("SELECT count(*) FROM work_orders").fetchone()[0]
        if held == source.execute("SELECT count(*) FROM work_orders").fetchone()[0]:
            return app  # copied by an earlier run
        for table in ("work_orders", "surveys"):
            copy_table(source, target, table)
        target.autocommit = True
        target.execute("VACUUM ANALYZE work_orders")
        target.execute("VACUUM ANALYZE surveys")
    return app


def copy_table(source, target, table: str) -> None:
    """COPY one table's rows, with its secondary indexes built afterwards (much faster)."""
    columns = [row[1] for row in source.execute(f"PRAGMA table_info({table})")]
    booleans = {
        name
        for name, kind in target.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s",
            (table,),
        )
        if kind == "boolean"
    }
    flags = [i for i, name in enumerate(columns) if name in booleans]
    indexes = target.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
        (table,),
    ).fetchall()
    for name, _definition in indexes:
        target.execute(f"DROP INDEX {name}")
    names = ", ".join(columns)
    with target.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in source.execute(f"SELECT {names} FROM {table}"):  # noqa: S608 (fixed names)
            if flags:
                row = list(row)
                for i in flags:
                    row[i] = None if row[i] is None else bool(row[i])
            copy.write_row(row)
    for _name, definition in indexes:
        target.execute(definition)
    target.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--reuse", type=Path, help="a directory kept from an earlier run")
    parser.add_argument("--keep", action="store_true", help="print the directory to reuse")
    parser.add_argument("--postgres", help="an empty PostgreSQL database's URL")
    args = parser.parse_args()
    directory = args.reuse or Path(tempfile.mkdtemp(prefix="hotline-report-"))
    _env, app = prepared_app(directory)
    if args.reuse is None:
        start = time.perf_counter()
        generate(app, args.orders)
        print(f"SQLite: generated {args.orders:,} orders in {time.perf_counter() - start:.0f} s")
    time_reports(app, "SQLite")
    if args.postgres:
        start = time.perf_counter()
        pg_app = copy_to_postgres(directory / "hotline.db", args.postgres)
        print(f"PostgreSQL: copied the same rows in {time.perf_counter() - start:.0f} s")
        time_reports(pg_app, "PostgreSQL")
    if args.keep or args.reuse:
        print(f"database kept in {directory}")
    else:
        shutil.rmtree(directory)


if __name__ == "__main__":
    main()
