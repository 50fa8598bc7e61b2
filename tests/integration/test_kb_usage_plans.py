"""The knowledge base's figures for a period (the statistics page, the KPI page and the
report) read the usage events by their time index on SQLite, never the whole table."""

from datetime import UTC, datetime

from sqlalchemy import event

from hotline.plugins import db
from hotline.services.kb import usage


def test_period_figures_search_the_events_time_index(app):
    statements = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        if "kb_events" in statement:
            statements.append((statement, parameters))

    with app.app_context():
        engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            usage.report(
                db.session,
                since=datetime(2026, 10, 1, tzinfo=UTC),
                until=datetime(2026, 11, 1, tzinfo=UTC),
            )
            usage.recent_feedback(
                db.session,
                since=datetime(2026, 10, 1, tzinfo=UTC),
                until=datetime(2026, 11, 1, tzinfo=UTC),
            )
        finally:
            event.remove(engine, "before_cursor_execute", record)
        connection = db.session.connection()
        assert len(statements) == 2
        for statement, params in statements:
            plan = [
                row[-1]
                for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)
            ]
            steps = [s for s in plan if "kb_events" in s]
            assert steps and all(s.startswith("SEARCH") for s in steps), (statement, plan)
            assert any("ix_kb_events_at" in s for s in steps), plan
