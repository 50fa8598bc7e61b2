"""The deadline sweep: each level exactly once, whatever runs it and however late."""

import multiprocessing
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hotline.core.deadlines.escalation import Level
from hotline.models import AuditEvent, Notification, WorkOrder
from hotline.plugins import db
from hotline.services.deadlines import escalation
from hotline.services.notifications import outbox
from tests import factories
from tests.conftest import config_for

# Ordered at NOW (Fri 20 Nov 2026 10:00 Beijing), 施工噪音, 5 working days:
# due Fri 27 Nov 17:30 (09:30 UTC); the warning starts at 80 % of that span.
DUE = factories.NOW.replace(day=27, hour=9, minute=30)


def level_of(order_id: int) -> int:
    """Read from the database, not from the session's identity map."""
    return db.session.scalar(select(WorkOrder.escalation_level).where(WorkOrder.id == order_id))


def levels(app) -> dict[str, int]:
    with app.app_context():
        return dict(db.session.execute(select(WorkOrder.number, WorkOrder.escalation_level)).all())


def escalations(app) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent.note)
                .where(AuditEvent.action == "escalate")
                .order_by(AuditEvent.id)
            )
        )


def test_each_threshold_is_passed_exactly_once(any_app):
    with any_app.app_context():
        order = factories.order()
        closed = factories.order(
            order_type="inquiry", category_code="1303", close_at_intake="on", intake_answer="答"
        )
        steps = [
            (factories.NOW + timedelta(days=1), Level.NONE),
            (DUE - timedelta(hours=20), Level.WARNING),
            (DUE - timedelta(hours=19), Level.WARNING),
            (DUE + timedelta(minutes=1), Level.REMINDER),
            (DUE + timedelta(days=1, minutes=1), Level.SUPERVISION),
            (DUE + timedelta(days=3, minutes=1), Level.OFFICIAL),
            (DUE + timedelta(days=30), Level.OFFICIAL),
        ]
        for now, expected in steps:
            escalation.sweep(db.session, now)
            escalation.sweep(db.session, now)  # twice: changes nothing more
            assert level_of(order.id) == expected, now
        assert level_of(closed.id) == 0
        # The bulk writes bypass the column types: times must read back exactly.
        stamps = db.session.scalars(
            select(AuditEvent.at).where(AuditEvent.action == "escalate").order_by(AuditEvent.id)
        ).all()
        assert stamps == [steps[1][0], steps[3][0], steps[4][0], steps[5][0]]
        notice = db.session.scalar(select(Notification).order_by(Notification.id.desc()))
        assert notice.created_at == steps[5][0] and notice.next_attempt_at == steps[5][0]
        due = outbox.deliver_due(db.session, sender=lambda m: None, now=steps[5][0])
        assert due >= 3  # reminder, supervision and official notices are due at once
    assert escalations(any_app) == ["warning", "reminder", "supervision", "official"]


def test_after_downtime_one_sweep_catches_up_once(app):
    with app.app_context():
        factories.order()
        moved = escalation.sweep(db.session, DUE + timedelta(days=5))
        assert [(m.from_level, m.to_level) for m in moved] == [(Level.NONE, Level.OFFICIAL)]
        assert escalation.sweep(db.session, DUE + timedelta(days=5, hours=1)) == []
    assert escalations(app) == ["warning", "reminder", "supervision", "official"]


def test_concurrent_sweeps_in_threads_escalate_once(any_app):
    with any_app.app_context():
        for _ in range(30):
            factories.order()
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            with any_app.app_context():
                barrier.wait()
                escalation.sweep(db.session, DUE + timedelta(days=4))
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert set(levels(any_app).values()) == {Level.OFFICIAL}
    assert len(escalations(any_app)) == 30 * 4


def _sweep_in_process(config: dict, now_iso: str, start) -> None:
    from datetime import datetime

    from hotline import create_app

    app = create_app(config)
    with app.app_context():
        start.wait()
        escalation.sweep(db.session, datetime.fromisoformat(now_iso))
        db.engine.dispose()


def test_concurrent_sweeps_in_two_processes_escalate_once(tmp_path, any_app):
    url = any_app.config["SQLALCHEMY_DATABASE_URI"]
    with any_app.app_context():
        for _ in range(30):
            factories.order()
        db.session.remove()  # give the connection back before the pool goes
        db.engine.dispose()
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    config = config_for(url, tmp_path / "instance-procs")
    now = (DUE + timedelta(days=4)).isoformat()
    processes = [
        context.Process(target=_sweep_in_process, args=(config, now, start)) for _ in range(2)
    ]
    for p in processes:
        p.start()
    start.set()
    for p in processes:
        p.join(timeout=120)
        assert p.exitcode == 0
    with any_app.app_context():
        count = db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "escalate")
        )
    assert count == 30 * 4
    assert set(levels(any_app).values()) == {Level.OFFICIAL}


def test_sweep_command_prints_what_changed(app):
    with app.app_context():
        order = factories.order()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["hotline", "sweep", "--now", "2026-11-28T09:00:00+08:00"])
    assert result.exit_code == 0, result.output
    assert f"{order.number}: none -> reminder" in result.output
    again = runner.invoke(args=["hotline", "sweep", "--now", "2026-11-28T09:00:00+08:00"])
    assert "0 orders escalated." in again.output
    bad = runner.invoke(args=["hotline", "sweep", "--now", "monday"])
    assert bad.exit_code != 0 and "ISO 8601" in bad.output


def test_the_scheduler_is_configured_for_one_process(app):
    from hotline.jobs import create_scheduler

    scheduler = create_scheduler(app, blocking=False)
    scheduler.start(paused=True)
    try:
        job = scheduler.get_job("sweep_deadlines")
        assert job.trigger.interval == timedelta(seconds=60)
        assert job.misfire_grace_time == 300 and job.coalesce is True
        assert job.max_instances == 1
    finally:
        scheduler.shutdown(wait=False)


@pytest.mark.parametrize("level", [1, 3])
def test_escalation_shows_on_the_order_page(make, login, level):
    from hotline.core.accounts.roles import Role

    order = make(factories.order, now=factories.NOW - timedelta(days=400 if level == 3 else 0))
    make(lambda: escalation.sweep(db.session, factories.NOW + timedelta(days=6)))
    staff = login(make(factories.user, Role.DEPARTMENT, "东城区城市管理委员会"))
    page = staff.get(f"/orders/{order.number}").get_data(as_text=True)
    assert f"level-{4 if level == 3 else 1}" in page


def test_overdue_dashboard_counts_by_department_and_level(make, login):
    from hotline.core.accounts.roles import Role

    for _ in range(2):
        make(factories.order)  # 东城区城市管理委员会
    make(factories.order, lon="116.3964", lat="39.9929")  # 朝阳区城市管理委员会
    make(factories.order, lon="117.2", lat="39.13")  # outside: still at the desk
    later = DUE + timedelta(days=2)
    make(lambda: escalation.sweep(db.session, later))
    with_rows = make(lambda: escalation.overdue_by_department(db.session, later))
    counts = {r.department: (r.overdue, r.supervised) for r in with_rows}
    assert counts["东城区城市管理委员会"] == (2, 2)
    assert counts["朝阳区城市管理委员会"] == (1, 1)
    assert counts[None][0] == 1
    make(factories.order, now=factories.NOW - timedelta(days=400))  # overdue today as well
    supervisor = login(make(factories.user, Role.SUPERVISOR))
    page = supervisor.get("/orders/overdue").get_data(as_text=True)
    assert "东城区城市管理委员会" in page
    staff = login(make(factories.user, Role.DEPARTMENT, "东城区城市管理委员会"))
    assert staff.get("/orders/overdue").status_code == 403
