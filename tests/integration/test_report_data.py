"""Report figures on a hand-built fixture: counts by type, channel and local day, and both
comparisons including a zero base."""

import subprocess
from datetime import UTC, date, datetime

from hotline.core.orders.workflow import Step
from hotline.core.reports.periods import PeriodKind, period_for
from hotline.pdf import report as report_pdf
from hotline.plugins import db
from hotline.services.reports import data as report_data
from hotline.services.reports import ems_figures, files
from tests import factories

TZ = "Asia/Shanghai"


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_volume_and_comparisons(any_app):
    with any_app.app_context():
        # October 2026 (Beijing time): 3 complaints by phone, 1 inquiry on the web.
        factories.order(now=at(2026, 9, 30, 16, 30))  # 1 Oct 00:30 in Beijing: October
        factories.order(now=at(2026, 10, 1, 17, 0))  # 2 Oct 01:00 in Beijing
        factories.order(now=at(2026, 10, 31, 15, 59))  # 31 Oct 23:59 in Beijing
        factories.order(
            now=at(2026, 10, 15, 2, 0), order_type="inquiry", category_code="1303", channel="web"
        )
        factories.order(now=at(2026, 10, 31, 16, 0))  # 1 Nov in Beijing: not October
        # September 2026: 2 complaints. October 2025: 1 complaint, no inquiry.
        factories.order(now=at(2026, 9, 10, 2, 0))
        factories.order(now=at(2026, 9, 29, 2, 0))
        factories.order(now=at(2025, 10, 20, 2, 0))
        data = report_data.build(
            db.session, period=period_for(PeriodKind.MONTH, date(2026, 10, 1)), timezone=TZ
        )
        assert data.volume.total == 4
        assert data.volume.by_type == {"complaint": 3, "inquiry": 1}
        assert data.volume.by_channel == {"phone": 3, "web": 1}
        assert data.volume.daily == {
            date(2026, 10, 1): 1,
            date(2026, 10, 2): 1,
            date(2026, 10, 15): 1,
            date(2026, 10, 31): 1,
        }
        assert data.orders.current == 4
        assert data.orders.previous.difference == 2 and data.orders.previous.percent() == "+100.0%"
        assert data.orders.year_earlier.difference == 3
        assert data.orders.year_earlier.percent() == "+300.0%"
        inquiry = data.by_type["inquiry"]
        assert inquiry.previous.percent() == "n/a" and inquiry.year_earlier.ratio is None
        assert data.overall.counts.received == 4


def test_ems_percentiles():
    figures = ems_figures.EmsFigures(3, {1: 2, 3: 1}, [60.0, 200.0, 120.0, 170.0], [600.0])
    assert figures.percentile(figures.to_dispatch, 0.5) == 120.0
    assert figures.percentile(figures.to_dispatch, 0.9) == 200.0
    assert figures.percentile([], 0.9) is None
    assert figures.dispatched_in_target.percent() == "75.0%"
    assert figures.median_to_dispatch == 145.0


def test_departments_surveys_and_120_on_a_hand_built_fixture(any_app):
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from hotline.core.accounts.roles import Role
    from hotline.core.ems.vehicles import VehicleStatus
    from hotline.core.orders.workflow import Action
    from hotline.core.surveys.rules import parse_call
    from hotline.services.ems import fleet
    from hotline.services.orders import handling
    from hotline.services.surveys import tasks

    with any_app.app_context():
        staff = factories.user(Role.DEPARTMENT, "东城区城市管理委员会")
        desk = factories.user(Role.DESK)
        caller = factories.user(Role.SURVEYOR)
        ems_desk = factories.user(Role.EMS_DISPATCHER)
        # Two October orders closed and called back: one satisfied, one dissatisfied; and
        # one in September, satisfied.
        answers = [
            (9, 8, "satisfied", "yes"),
            (10, 5, "satisfied", "yes"),
            (10, 12, "dissatisfied", "no"),
        ]
        for month, day, satisfaction, resolved in answers:
            when = at(2026, month, day, 2, 0)
            order = factories.order(now=when)
            for actor, action, note in (
                (staff, Action.ACCEPT, ""),
                (staff, Action.REPLY, "好"),
                (desk, Action.APPROVE, ""),
            ):
                step = Step(action, note)
                handling.perform(
                    db.session, actor_id=actor.id, number=order.number, step=step, now=when
                )
            [task] = tasks.for_order(db.session, order.id)
            form = {
                "outcome": "answered",
                "resolved": resolved,
                "satisfaction": satisfaction,
                "attitude": "satisfied",
                "score": "7",
            }
            tasks.record_call(
                db.session,
                actor_id=caller.id,
                survey_id=task.id,
                result=parse_call(form, ZoneInfo(TZ)),
                now=task.due_at,
                timezone=TZ,
            )
        # One 120 incident: dispatched 100 s after the call, on scene 10 minutes later.
        [vid] = factories.ambulances(1)
        called = at(2026, 10, 20, 2, 0)
        factories.dispatched_incident(ems_desk, vid, called, called + timedelta(seconds=100))
        fleet.change_status(
            db.session,
            actor_id=ems_desk.id,
            vehicle_id=vid,
            wanted=VehicleStatus.EN_ROUTE,
            at=called + timedelta(seconds=160),
        )
        fleet.change_status(
            db.session,
            actor_id=ems_desk.id,
            vehicle_id=vid,
            wanted=VehicleStatus.ON_SCENE,
            at=called + timedelta(seconds=700),
        )
        data = report_data.build(
            db.session, period=period_for(PeriodKind.MONTH, date(2026, 10, 1)), timezone=TZ
        )
        c = data.overall.counts
        assert (c.received, c.valid_answers, c.satisfied, c.dissatisfied, c.resolved) == (
            2,
            2,
            1,
            1,
            1,
        )
        assert (c.reopened, c.surveys_planned, c.surveys_made) == (1, 2, 2)
        assert data.overall.satisfaction.percent() == "50.0%"
        # 满意率 50% against 100% in September (环比 -50 points) and nothing a year before.
        september, year_before = data.overall_bases
        assert (
            september.satisfaction.percent() == "100.0%" and year_before.satisfaction.value is None
        )
        [changes] = [report_pdf.department_changes(data, d, f) for d, f in data.departments]
        assert changes[:4] == ["东城区城市管理委员会", "50.0%", "-50.0", "n/a"]
        [(department, figures)] = data.departments
        assert department.name == "东城区城市管理委员会" and figures.counts.received == 2
        assert data.ems.incidents == 1 and data.ems.by_triage == {1: 1}
        assert data.ems.to_dispatch == [100.0] and data.ems.to_scene == [600.0]
        assert data.ems.dispatched_in_target.percent() == "100.0%"
        assert [(name, c.current) for name, c in data.hot][:1] == [(data.hot[0][0], 2)]
        empty = report_data.build(
            db.session, period=period_for(PeriodKind.MONTH, date(2024, 10, 1)), timezone=TZ
        )
        assert (
            empty.overall.satisfaction.percent() == "n/a" and empty.ems.median_to_dispatch is None
        )


def test_departments_with_equal_figures_are_ranked_by_name_on_every_database(any_app):
    from hotline.services.reports import kpis
    from hotline.services.reports.scope import Window, bounds

    with any_app.app_context():
        # One October order each for five departments: every rate ties (no surveys yet).
        for code in ("0102", "0202", "0301", "0601", "0402"):
            factories.order(now=at(2026, 10, 5, 2, 0), category_code=code)
        start, end = bounds(period_for(PeriodKind.MONTH, date(2026, 10, 1)), timezone=TZ)
        _overall, ranked = kpis.report(db.session, Window(start, end))
        names = [department.name for department, _figures in ranked]
        assert len(names) == 5 and names == sorted(names)


def test_handling_times_returns_late_orders_and_vehicle_use_on_a_hand_built_fixture(any_app):
    from datetime import timedelta

    from sqlalchemy import update

    from hotline.core.accounts.roles import Role
    from hotline.core.ems.vehicles import VehicleStatus
    from hotline.core.orders.workflow import Action
    from hotline.models import WorkOrder
    from hotline.services.ems import fleet
    from hotline.services.orders import handling

    with any_app.app_context():
        staff = factories.user(Role.DEPARTMENT, "东城区城市管理委员会")
        desk = factories.user(Role.DESK)
        ems_desk = factories.user(Role.EMS_DISPATCHER)
        december = at(2026, 12, 20, 2, 0)

        def handled(created: datetime, hours: float, due: datetime) -> WorkOrder:
            order = factories.order(now=created)
            db.session.execute(
                update(WorkOrder)
                .where(WorkOrder.id == order.id)
                .values(due_at=due, version=WorkOrder.version + 1)
            )
            db.session.commit()
            done = created + timedelta(hours=hours)
            for actor, action, note in (
                (staff, Action.ACCEPT, ""),
                (staff, Action.REPLY, "好"),
                (desk, Action.APPROVE, ""),
            ):
                step = Step(action, note)
                handling.perform(
                    db.session, actor_id=actor.id, number=order.number, step=step, now=done
                )
            return order

        # Closed in October after 10 h and 30.5 h, and (below) 122 h: average 54.17 h, median
        # in hour 30.
        handled(at(2026, 9, 10, 2, 0), 20, december)  # September: 20 h
        handled(at(2026, 10, 5, 2, 0), 10, december)
        handled(at(2026, 10, 6, 2, 0), 30.5, december)
        # Due 20 Oct (Beijing), closed 3 days later: late, and counted in the handling times.
        late_closed = handled(at(2026, 10, 18, 2, 0), 50 + 72, at(2026, 10, 20, 2, 0))
        # Due 10 Oct and still open: late.
        still_open = factories.order(now=at(2026, 10, 2, 2, 0))
        db.session.execute(
            update(WorkOrder)
            .where(WorkOrder.id == still_open.id)
            .values(
                due_at=at(2026, 10, 10, 2, 0), escalation_level=3, version=WorkOrder.version + 1
            )
        )
        db.session.commit()
        # Returned (退单) by the department in October.
        returned = factories.order(now=at(2026, 10, 7, 2, 0))
        handling.perform(
            db.session,
            actor_id=staff.id,
            number=returned.number,
            step=Step(Action.RETURN, "不属于本单位职责"),
            now=at(2026, 10, 7, 3, 0),
        )

        # Two ambulances: one out 1 h in October, one from 1 h before October to 2 h into it.
        first, second = factories.ambulances(2)
        for vehicle, start, hours in (
            (first, at(2026, 10, 20, 2, 0), 1),
            (second, at(2026, 9, 30, 15, 0), 3),
        ):
            factories.dispatched_incident(ems_desk, vehicle, start, start, triage=2)
            fleet.change_status(
                db.session,
                actor_id=ems_desk.id,
                vehicle_id=vehicle,
                wanted=VehicleStatus.AVAILABLE,
                at=start + timedelta(hours=hours),
            )

        data = report_data.build(
            db.session, period=period_for(PeriodKind.MONTH, date(2026, 10, 1)), timezone=TZ
        )
        times = data.handling["东城区城市管理委员会"]
        assert times.closed == 3 and times.median_hours == 30
        assert abs(times.average_hours - (10 + 30.5 + 122) / 3) < 1e-6
        [(department, figures)] = [(d, f) for d, f in data.departments if d is not None]
        # Dispatched to it in October and kept: 4 (3 closed, 1 open); returned: 1 -> 1/5.
        assert (figures.counts.routed, figures.counts.returned) == (4, 1)
        assert figures.returned.percent() == "20.0%"
        count, late = data.late
        # The returned order waits at the desk past its deadline (13 Oct): late as well.
        assert count == 3
        # Late is exactly what 按时办结 does not count among the orders due.
        assert count == data.overall.counts.due - data.overall.counts.closed_by_due
        assert [o.number for o in late] == [still_open.number, returned.number, late_closed.number]
        assert late[0].closed_at is None and late[0].escalation_level == 3
        assert late[1].department is None and late[2].closed_at == at(2026, 10, 23, 4, 0)
        # Its orders: 4 kept in October (+1 returned), 1 in September, none in October 2025.
        [row] = [r for r in data.department_rows() if r.name == "东城区城市管理委员会"]
        assert row.received.current == 4 and row.received.previous.percent() == "+300.0%"
        assert row.received.year_earlier.percent() == "n/a"
        assert row.handling.closed == 3 and row.handling_before.average_hours == 20
        assert abs(row.average_change(row.handling_before) - (54.1666 - 20)) < 1e-3
        assert row.handling_year is None and row.average_change(row.handling_year) is None
        assert row.median_change(row.handling_before) == 30 - 20  # hours 30 and 20
        handling_sheet = files.tables(data)["handling"]
        [sheet_row] = [r for r in handling_sheet if r[0] == "东城区城市管理委员会"]
        assert sheet_row[-3:] == [30, 10, None]
        rows = files.tables(data)["late"]
        assert rows[1][:4] == [
            still_open.number,
            "东城区城市管理委员会",
            still_open.category.name,
            "2026-10-10 10:00+08:00",
        ]
        assert rows[3][4] == "2026-10-23 12:00+08:00"
        capacity = 2 * 31 * 86400
        assert (data.ems.utilisation.numerator, data.ems.utilisation.denominator) == (
            3 * 3600,
            capacity,
        )
        pdf = report_pdf.render(data, "月报", "全市", at(2026, 11, 1, 8, 0))
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        assert "54.2" in text and "+34.2" in text and "督办" in text
        assert still_open.number in text and "未办结" in text and "10-10 10:00" in text
        assert "车辆利用率" in text and "0.2%" in text
