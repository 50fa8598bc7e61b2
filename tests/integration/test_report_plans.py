"""The report's aggregations read indexes only on SQLite: on 10,000,000 orders that is the
difference between 34 s and several minutes for a year (docs/PERFORMANCE.md)."""

from datetime import date

import pytest
from sqlalchemy import event

from hotline.core.reports.periods import PeriodKind, period_for
from hotline.plugins import db
from hotline.services.reports import data

TZ = "Asia/Shanghai"


def report_plans(kind: PeriodKind, scope: data.Scope) -> list[tuple[str, str]]:
    """Each aggregation the report ran, with SQLite's plan for it."""
    statements = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        # Only the statements over the 12345 tables (millions of rows): the 120 tables hold
        # thousands of rows a month.
        big = ("work_orders", "surveys", "audit_events", "order_tasks")
        if ("count(" in statement or "surveys.comment" in statement) and any(
            table in statement for table in big
        ):
            statements.append((statement, parameters))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        data.build(
            db.session, period=period_for(kind, date(2026, 10, 15)), timezone=TZ, scope=scope
        )
    finally:
        event.remove(engine, "before_cursor_execute", record)
    connection = db.session.connection()
    return [
        (
            statement,
            " / ".join(
                row[-1]
                for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)
            ),
        )
        for statement, params in statements
    ]


@pytest.mark.parametrize("kind", [PeriodKind.MONTH, PeriodKind.YEAR])
@pytest.mark.parametrize(
    "scope",
    [data.Scope(), data.Scope(district_code="110105")],
    ids=["city", "district"],
)
def test_every_order_and_survey_aggregation_reads_a_covering_index(app, kind, scope):
    with app.app_context():
        plans = report_plans(kind, scope)
        assert len(plans) >= 8
        for statement, plan in plans:
            big = ("work_orders", "surveys", "audit_events", "order_tasks")
            steps = [s for s in plan.split(" / ") if any(table in s for table in big)]
            assert steps, statement
            for step in steps:
                # The excerpts read only surveys with words (a partial index), then the table.
                narrow = "COVERING INDEX" in step or "ix_surveys_commented" in step
                assert step.startswith("SEARCH") and narrow, (statement, plan)


def test_a_year_counts_its_comparison_year_once(app):
    with app.app_context():
        plans = report_plans(PeriodKind.YEAR, data.Scope())
        breakdowns = [s for s, _plan in plans if "GROUP BY work_orders.order_type" in s]
        # The current year and 2025, which is both the 环比 and the 同比 base; a month has 3.
        assert len(breakdowns) == 2
