"""The wallboard's figures on a small known set of orders (SQLite and PostgreSQL), and the
plans of its counting queries on SQLite: every one reads a covering index."""

from datetime import timedelta

from sqlalchemy import event, update

from hotline.core.accounts.roles import Role
from hotline.models import WorkOrder
from hotline.plugins import db
from hotline.services.orders import follow_ups
from hotline.services.reports import wallboard
from tests import factories

TZ = "Asia/Shanghai"
NOW = factories.NOW  # 10:00 in Beijing


def _known_set() -> dict[str, str]:
    """Today: three orders at 08:xx, 09:xx, 09:xx (Dongcheng, noise), one in Chaoyang at
    09:xx, a follow-up call at 09:30; last week: two orders before 10:00, one after; older:
    one overdue order, one due within the hour, one closed."""
    operator = factories.user(Role.OPERATOR)
    first = factories.order(now=NOW - timedelta(hours=1, minutes=50))  # 08:10
    factories.order(now=NOW - timedelta(minutes=50))  # 09:10
    factories.order(now=NOW - timedelta(minutes=40))  # 09:20
    lon, lat = factories.BIRDS_NEST
    factories.order(now=NOW - timedelta(minutes=20), lon=str(lon), lat=str(lat))  # 09:40
    follow_ups.link_call(
        db.session,
        number=first.number,
        actor_id=operator.id,
        text="又来电催促",
        channel="phone",
        now=NOW - timedelta(minutes=30),
    )
    week = timedelta(days=7)
    factories.order(now=NOW - week - timedelta(hours=2))  # 08:00 last week
    factories.order(now=NOW - week - timedelta(minutes=1))  # 09:59
    factories.order(now=NOW - week + timedelta(hours=5))  # 15:00: after the same time
    late = factories.order(now=NOW - timedelta(days=30))
    soon = factories.order(now=NOW - timedelta(days=20))
    cancelled = factories.order(now=NOW - timedelta(days=20))
    closed = {"state": "closed", "closed_at": NOW - timedelta(days=19)}
    db.session.execute(update(WorkOrder).where(WorkOrder.id == cancelled.id).values(**closed))
    db.session.execute(
        update(WorkOrder).where(WorkOrder.id == soon.id).values(due_at=NOW + timedelta(hours=1))
    )
    db.session.commit()
    return {"late": late.number, "soon": soon.number}


def test_the_figures_of_a_known_day(any_app):
    with any_app.app_context():
        _known_set()
        board = wallboard.figures(db.session, timezone=TZ, now=NOW)
    orders, calls = board["orders"], board["calls"]
    assert orders["today"][8:11] == [1, 3, 0] and orders["total"] == 4
    assert sum(v for v in orders["today"] if v) == 4 and orders["today"][11] is None
    assert orders["last_week"][8:10] == [1, 1] and orders["last_week"][15] == 1
    assert orders["last_week_same_time"] == 2  # the 15:00 order is after the same time
    assert calls["today"][9] == 4 and calls["total"] == 5 and calls["follow_ups"] == 1
    states = {s["state"]: s["count"] for s in board["states"]}
    assert states["routed"] == 9 and board["open"] == 9  # the closed one is not
    assert board["overdue"] == 1  # the order of 30 days ago; `soon` is due in an hour
    assert board["due_soon"] == 1
    assert board["categories"] == [{"name": "施工噪音", "count": 4}]
    assert board["districts"] == [{"name": "东城区", "count": 3}, {"name": "朝阳区", "count": 1}]


def test_the_cache_answers_every_screen_with_one_set_of_queries(app):
    with app.app_context():
        _known_set()
        wallboard.forget()
        statements = []
        engine = db.engine

        def count(*_args):
            statements.append(1)

        event.listen(engine, "before_cursor_execute", count)
        try:
            for _ in range(10):
                wallboard.cached_figures(db.session, timezone=TZ, now=NOW, database="x")
        finally:
            event.remove(engine, "before_cursor_execute", count)
            wallboard.forget()
        assert 0 < len(statements) <= 10  # one board's queries, not ten boards'


def test_every_counting_query_reads_a_covering_index(app):
    with app.app_context():
        _known_set()
        statements = []

        def record(_conn, _cursor, statement, parameters, _context, _many):
            if "count(" in statement:
                statements.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            wallboard.figures(db.session, timezone=TZ, now=NOW)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        connection = db.session.connection()
        assert len(statements) == 6
        for statement, params in statements:
            plan = [
                r[-1] for r in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)
            ]
            steps = [s for s in plan if "work_orders" in s or "audit_events" in s]
            assert steps, (statement, plan)
            for step in steps:
                assert step.startswith("SEARCH") and "COVERING INDEX" in step, (statement, plan)
