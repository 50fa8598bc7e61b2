"""Several hosts run the scheduler; exactly one leads (PostgreSQL advisory lock), another
takes over when the leader dies, and every escalation level is still applied exactly once.

The failover test runs two real `flask hotline scheduler` processes against PostgreSQL,
with deadlines spread over ten minutes: nine already past when the schedulers start (the
new leader must catch up) and one still to come (crossed during the run, some of them while
nobody leads)."""

import os
import signal
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text, update

from hotline.core.deadlines.escalation import Level
from hotline.database import utcnow
from hotline.models import AuditEvent, SchedulerJob, WorkOrder
from hotline.plugins import db
from hotline.services.maintenance import health
from hotline.services.scheduling.leadership import AdvisoryLock, FileLock
from tests import factories
from tests.conftest import make_app, postgres_url_or_skip, reset_postgres
from tests.schedulers import leader_row, start_scheduler, wait_for

ROOT = Path(__file__).resolve().parents[2]
ORDERS_PER_LEVEL = 15
WINDOW = timedelta(minutes=10)  # the deadlines' spread
# The part of it still in the future at the start: the leader leads and catches up within
# about 5 s, is killed, and its successor crosses the last threshold.
AHEAD = timedelta(seconds=15)


def test_one_file_lock_per_host(tmp_path):
    first, second = FileLock(tmp_path / "scheduler.lock"), FileLock(tmp_path / "scheduler.lock")
    assert first.try_acquire() and first.still_held()
    assert not second.try_acquire()
    first.release()
    assert second.try_acquire()
    second.release()


@pytest.mark.postgres
def test_the_advisory_lock_has_one_holder_and_is_lost_with_its_session():
    url = postgres_url_or_skip()
    first, second = AdvisoryLock(url), AdvisoryLock(url)
    try:
        assert first.try_acquire() and first.still_held()
        assert not second.try_acquire()
        # The server ends the leader's session (as it does when keepalives find it cut off):
        # the old leader sees that it lost the lock, and the other one can lead.
        engine = create_engine(url)
        with engine.begin() as conn:
            ended = conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = 'hotline-scheduler' AND pid IN "
                    "(SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)"
                )
            ).all()
        engine.dispose()
        assert len(ended) == 1
        assert not first.still_held()
        assert second.try_acquire()
    finally:
        first.release()
        second.release()


def _kinds(threshold):
    """(warn_at, due_at) for an order that reaches each level at `threshold`."""
    day = timedelta(days=1)
    return {
        Level.WARNING: (threshold, threshold + day),
        Level.REMINDER: (threshold - timedelta(hours=1), threshold),
        Level.SUPERVISION: (threshold - day - timedelta(hours=1), threshold - day),
        Level.OFFICIAL: (threshold - 3 * day - timedelta(hours=1), threshold - 3 * day),
    }


def _deadlines(app, start):
    """ORDERS_PER_LEVEL orders per level, their thresholds spread over WINDOW ending AHEAD
    after `start`; returns {order id: the level it must end at} and {order id: threshold}."""
    expected, thresholds = {}, {}
    count = ORDERS_PER_LEVEL * 4
    first = start + AHEAD - WINDOW
    with app.app_context():
        for n in range(count):
            threshold = first + WINDOW * n / (count - 1)
            level = Level(n % 4 + 1)
            warn_at, due_at = _kinds(threshold)[level]
            order = factories.order(now=start - timedelta(days=5))
            db.session.execute(
                update(WorkOrder)
                .where(WorkOrder.id == order.id)
                .values(warn_at=warn_at, due_at=due_at, escalation_level=0)
            )
            db.session.commit()
            expected[order.id] = level
            thresholds[order.id] = threshold
    return expected, thresholds


def _levels(app, ids) -> dict[int, int]:
    """{order id: its escalation level now} for `ids`."""
    with app.app_context():
        found = db.session.execute(
            select(WorkOrder.id, WorkOrder.escalation_level).where(WorkOrder.id.in_(ids))
        ).all()
        db.session.remove()
    return dict(found)


def _leader(app):
    return leader_row(app)[0]


@pytest.mark.postgres
def test_another_host_takes_over_and_every_level_is_applied_once(tmp_path):
    url = postgres_url_or_skip()
    reset_postgres(url)
    app = make_app(url, tmp_path / "instance")
    start = utcnow()
    expected, thresholds = _deadlines(app, start)
    past = {i: int(level) for i, level in expected.items() if thresholds[i] <= start}
    processes = {name: start_scheduler(url, tmp_path, name) for name in ("a", "b")}
    try:
        holder = wait_for(lambda: _leader(app), 30)
        assert holder, "no scheduler led within 30 s"
        pids = {str(p.pid): name for name, p in processes.items()}
        leader = pids[holder.rsplit(":", 1)[1]]
        follower = "b" if leader == "a" else "a"
        # The leader catches up on the past minutes (its sweep runs as it starts to lead);
        # the follower, up and waiting, runs nothing.
        assert wait_for(lambda: _levels(app, past) == past, 30), "no catch-up within 30 s"
        follower_log = tmp_path / f"{follower}.log"
        assert wait_for(lambda: "another process leads" in follower_log.read_text(), 30)
        with app.app_context():
            ran_by = set(db.session.scalars(select(SchedulerJob.last_run_by)))
            db.session.remove()
        assert ran_by == {holder}
        killed_at = time.monotonic()
        os.killpg(processes[leader].pid, signal.SIGKILL)
        processes[leader].wait(10)
        successor = wait_for(lambda: (h := _leader(app)) != holder and h, 60)
        takeover = time.monotonic() - killed_at
        assert successor, "nobody took over within 60 s"
        assert successor.rsplit(":", 1)[1] == str(processes[follower].pid)
        print(f"\nscheduler takeover after SIGKILL: {takeover:.1f} s")
        # Run until every threshold has passed and two more sweeps have run.
        remaining = (start + AHEAD - utcnow()).total_seconds() + 5
        time.sleep(max(remaining, 0))
        with app.app_context():
            ran_by = set(db.session.scalars(select(SchedulerJob.last_run_by)))
            db.session.remove()
        assert successor in ran_by
    finally:
        for process in processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(20)
            process.log_file.close()
    follower_log = (tmp_path / f"{follower}.log").read_text()
    assert "another process leads" in follower_log and "leading" in follower_log
    with app.app_context():
        levels = dict(db.session.execute(select(WorkOrder.id, WorkOrder.escalation_level)).all())
        notes = Counter(
            db.session.execute(
                select(AuditEvent.order_id, AuditEvent.note).where(AuditEvent.action == "escalate")
            ).all()
        )
        db.session.remove()
        db.engine.dispose()
    wrong = {i: (levels[i], int(level)) for i, level in expected.items() if levels[i] != level}
    assert wrong == {}, "orders not at the level their deadline gives"
    for order_id, level in expected.items():
        for step in range(1, int(level) + 1):
            name = Level(step).name.lower()
            assert notes[(order_id, name)] == 1, (order_id, name, notes[(order_id, name)])
    assert sum(notes.values()) == sum(int(level) for level in expected.values())


@pytest.mark.postgres
def test_a_hung_leader_is_ended_and_stands_down_when_it_wakes(tmp_path):
    """A frozen leader keeps its connection (its kernel answers keepalives) but writes no
    heartbeat: the waiting process ends its session after SCHEDULER_TAKEOVER_SECONDS."""
    url = postgres_url_or_skip()
    reset_postgres(url)
    app = make_app(url, tmp_path / "instance")
    settings = {"SCHEDULER_TAKEOVER_SECONDS": "4"}
    processes = {n: start_scheduler(url, tmp_path, n, **settings) for n in ("a", "b")}
    try:
        holder = wait_for(lambda: _leader(app), 30)
        assert holder
        pids = {str(p.pid): name for name, p in processes.items()}
        leader = pids[holder.rsplit(":", 1)[1]]
        other = "b" if leader == "a" else "a"
        time.sleep(2)
        os.killpg(processes[leader].pid, signal.SIGSTOP)
        stopped_at = time.monotonic()
        successor = wait_for(lambda: (h := _leader(app)) != holder and h, 60)
        takeover = time.monotonic() - stopped_at
        assert successor and successor.endswith(f":{processes[other].pid}")
        print(f"\nscheduler takeover from a hung leader: {takeover:.1f} s")
        woken_at = utcnow()
        os.killpg(processes[leader].pid, signal.SIGCONT)
        # Awake again, the old leader finds its session ended and stops running jobs.
        woke = wait_for(lambda: "leadership lost" in (tmp_path / f"{leader}.log").read_text(), 20)
        assert woke
        time.sleep(3)
        assert _leader(app) == successor
        with app.app_context():
            ran_by = set(db.session.scalars(select(SchedulerJob.last_run_by)))
            since_woken = set(
                db.session.scalars(
                    select(SchedulerJob.last_run_by).where(SchedulerJob.last_started_at > woken_at)
                )
            )
            db.session.remove()
            db.engine.dispose()
        assert successor in ran_by
        assert holder not in since_woken  # awake, it ran nothing: its leadership was unconfirmed
    finally:
        for process in processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGCONT)
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(20)
            process.log_file.close()


def test_a_scheduler_of_another_release_than_the_schema_does_not_lead(app):
    """A rolling upgrade: the database was migrated by a newer release (or not yet by this
    one); this release's scheduler waits instead of running jobs on a schema it does not know."""
    import threading

    from hotline.jobs import lead_when_possible

    app.config.update(SCHEDULER_RETRY_SECONDS=0.2, SCHEDULER_BEAT_SECONDS=0.2)
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    stop = threading.Event()
    thread = threading.Thread(target=lead_when_possible, args=(app, stop), daemon=True)
    thread.start()
    try:
        time.sleep(1.5)
        assert _leader(app) is None  # never led, never ran a job
        with app.app_context():
            assert db.session.scalars(select(SchedulerJob)).all() == []
            db.session.remove()
        with app.app_context(), db.engine.begin() as conn:
            head = health.head_revision(ROOT / "migrations")
            conn.execute(text("UPDATE alembic_version SET version_num = :h"), {"h": head})
        assert wait_for(lambda: _leader(app), 10)
    finally:
        stop.set()
        thread.join(10)


def test_a_daily_job_missed_across_a_takeover_is_run_by_the_new_leader(app):
    from datetime import UTC, datetime

    from hotline.jobs import missed_daily_jobs
    from hotline.services.scheduling import runs

    # 03:00 in Beijing: the backup's time (02:30) has passed today.
    now = datetime(2026, 11, 27, 19, 0, tzinfo=UTC)
    with app.app_context():
        runs.started(db.session, "back_up_database", "a:1", now - timedelta(days=1, hours=1))
        runs.started(db.session, "generate_reports", "a:1", now - timedelta(hours=1))
        # The backup last ran yesterday at 02:00: today's 02:30 run was missed.
        missed = missed_daily_jobs(db.session, "Asia/Shanghai", now)
        # Once it has run at 02:40 today, nothing is missed.
        runs.started(db.session, "back_up_database", "a:1", now - timedelta(minutes=20))
        after = missed_daily_jobs(db.session, "Asia/Shanghai", now)
    # The reports ran at 02:00 today, after 01:10; retention never ran: it waits for 03:30.
    assert missed == {"back_up_database"}
    assert after == frozenset()
