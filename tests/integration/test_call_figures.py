"""The phone line's figures read from the call records, on SQLite and PostgreSQL: the
hand-worked day of tests/unit/test_call_figures.py stored as calls, with a 环比 and a
同比 day, an outbound call and a call of another day left out, summed in SQL from the
covering ix_calls_figures and held to core's row-by-row reference."""

from datetime import date, timedelta

from sqlalchemy import event

from hotline.core.accounts.roles import Role
from hotline.core.reports.periods import Period, PeriodKind
from hotline.core.telephony.figures import CallFigure, CallRow, breakdown, change
from hotline.core.telephony.line import LineSettings
from hotline.models import Call
from hotline.plugins import db
from hotline.services.telephony import figures
from tests import factories
from tests.unit.test_call_figures import DAY, NINE

TZ = "Asia/Shanghai"
LINE = LineSettings(after_call_seconds=30, short_abandon_seconds=5)
PERIOD = Period(PeriodKind.DAY, date(2026, 11, 20), date(2026, 11, 20))


def store(row: CallRow, key: str, agents: dict[int, int], direction: str = "in") -> None:
    """A call record as the line leaves it, from a hand-worked row."""
    call = Call(
        sip_call_id=key,
        queue=row.queue,
        called=row.queue,
        state="ended" if row.outcome else ("talking" if row.answered_at else "queued"),
        outcome=row.outcome,
        queued_at=row.queued_at,
        offered_at=row.answered_at,
        answered_at=row.answered_at,
        ended_at=row.ended_at,
        agent_id=agents[row.agent] if row.agent is not None else None,
        direction=direction,
        offers=1 if row.answered_at else 0,
        flagged=False,
        reconciled=False,
    )
    call.set_caller("13800000001")
    db.session.add(call)


def seed() -> dict[int, int]:
    """The hand-worked day, one answered call the day before and two a year before."""
    agents = {n: factories.user(Role.OPERATOR, username=f"agent{n}").id for n in (1, 2, 3)}
    for n, row in enumerate(DAY):
        store(row, f"day-{n}", agents)
    answered = DAY[0]  # 14 s to answer
    for key, back in (("before", 1), ("year-1", 365), ("year-2", 365)):
        shifted = CallRow(
            answered.queued_at - timedelta(days=back),
            answered.answered_at - timedelta(days=back),
            answered.ended_at - timedelta(days=back),
            "answered",
            1,
            "12345",
        )
        store(shifted, key, agents)
    # Left out: a click-to-call of the same day, and a call at 23:59 local the day before.
    store(DAY[0], "out", agents, direction="out")
    late = NINE - timedelta(hours=9, minutes=1)
    store(CallRow(late, None, late, "abandoned", None, "12345"), "late", agents)
    db.session.commit()
    return agents


def test_the_figures_from_the_records(any_app):
    with any_app.app_context():
        agents = seed()
        statements = []

        def record(_conn, _cursor, statement, parameters, _context, _many):
            if "FROM calls" in statement:
                statements.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            found = figures.report(db.session, period=PERIOD, timezone=TZ, line=LINE)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        whole = found.current.whole
        # As worked by hand: offered 7, answered 4, 3 within 15 s, 2 abandoned.
        assert (whole.offered, whole.answered, whole.abandoned) == (7, 4, 2)
        assert (whole.counts.short_abandons, whole.counts.pending) == (1, 1)
        assert whole.answer_rate.percent() == "57.1%"
        assert whole.service_level.percent() == "42.9%"
        assert whole.abandon_rate.percent() == "28.6%"
        assert (whole.speed_of_answer, whole.talk, whole.after_call) == (12.5, 120.0, 30.0)
        assert set(found.current.by_queue) == {"12345", "120"}
        assert list(found.current.by_hour) == [9, 10]
        # Agents by name, most answered first.
        assert [name for name, _f in found.agent_rows()] == ["Test operator"] * 3
        assert [f.answered for _n, f in found.agent_rows()] == [2, 1, 1]
        assert set(found.agents) == set(agents.values())
        # 环比: one call answered in 14 s the day before; 同比: two a year before.
        assert found.previous.whole.offered == 1
        assert found.year_earlier.whole.offered == 2
        assert change(whole, found.previous.whole, CallFigure.OFFERED) == "+6 (+600.0%)"
        assert change(whole, found.previous.whole, CallFigure.ANSWER_RATE) == "-42.9"
        assert change(whole, found.year_earlier.whole, CallFigure.SPEED_OF_ANSWER) == "-1.5"
        queues = {q: (now.offered, before.offered) for q, now, before, _y in found.queue_rows()}
        assert queues == {"12345": (5, 1), "120": (2, 0)}
        # Three periods, one query each over the queued_at index (SQLite's plan).
        assert len(statements) == 3
        if db.engine.dialect.name == "sqlite":
            statement, params = statements[0]
            plan = db.session.connection().exec_driver_sql(
                f"EXPLAIN QUERY PLAN {statement}", params
            )
            assert "COVERING INDEX ix_calls_figures" in " ".join(str(r[-1]) for r in plan)
        # The SQL sums give what core's row-by-row reference gives, group by group.
        start, end = figures.bounds(PERIOD, timezone=TZ)
        settings = figures.settings_of(LINE)
        reference = breakdown(figures.rows(db.session, start, end), settings, TZ)
        summed = figures.breakdown(db.session, start=start, end=end, line=LINE, timezone=TZ)
        assert summed == reference
