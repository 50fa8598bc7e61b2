"""The scheduler's jobs; each is a thin wrapper around a service, safe to run twice.

`flask --app wsgi hotline scheduler` runs on every host (gunicorn never starts it); exactly
one of them leads and runs the jobs (services/scheduling/leadership.py), the others wait to
take over. `flask --app wsgi hotline serve` (development) runs it inside the server process.
"""

import functools
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy.orm import Session

from hotline.config import ROOT
from hotline.core.telephony.line import LineSettings
from hotline.database import database_now, utcnow
from hotline.plugins import db
from hotline.services.deadlines import escalation, notices
from hotline.services.ems import bookings, crew_jobs, trips
from hotline.services.hotspots import detection
from hotline.services.maintenance import backup, health, retention
from hotline.services.notifications import outbox as notifications
from hotline.services.orders import co_handling
from hotline.services.reports import files
from hotline.services.scheduling import leadership as leadership_rules
from hotline.services.scheduling import runs
from hotline.services.telephony import reconcile, recordings
from hotline.services.telephony.recordings import recordings_folder

log = logging.getLogger(__name__)
MIGRATIONS = ROOT / "migrations"


def sweep_deadlines(app: Flask) -> None:
    """Escalate overdue orders (idempotent: compare-and-set on the level)."""
    with app.app_context():
        moved = escalation.sweep(db.session, utcnow())
        if moved:
            log.info("deadline sweep escalated %d orders", len(moved))
        db.session.remove()


def escalate_notices(app: Flask) -> None:
    """督办单 unanswered in time go to the officials (compare-and-set: safe to run twice)."""
    with app.app_context():
        raised = notices.escalate_due(db.session, utcnow())
        if raised:
            log.info("supervision notices escalated: %d", raised)
        db.session.remove()


def remind_overdue_tasks(app: Flask) -> None:
    """协办 and 二级派单 tasks past their due time: the holder and the lead are told, once."""
    with app.app_context():
        told = co_handling.remind_overdue(db.session, utcnow())
        if told:
            log.info("overdue co-handling tasks reminded: %d", told)
        db.session.remove()


def find_hotspots(app: Flask) -> None:
    """热点: the orders since the last run, clustered with their window's (incremental)."""
    with app.app_context():
        result = detection.run(db.session, utcnow())
        if result.raised or result.grown:
            log.info("hotspots raised %s, grown %s", result.raised, result.grown)
        db.session.remove()


def reconcile_calls(app: Flask) -> None:
    """Complete the call records from Kamailio's accounting (idempotent: a cursor, and each
    row moves a call once): TELEPHONY_ACC_DATABASE, else make pbx's instance/pbx/acc.sqlite;
    without either, only lost calls are ended and the agents they held freed. The recent
    calls' recordings are named on their records."""
    url = app.config.get("TELEPHONY_ACC_DATABASE")
    beside = Path(app.instance_path) / "pbx" / "acc.sqlite"  # make pbx's, for development
    if not url and beside.is_file():
        url = f"sqlite:///{beside}"
    with app.app_context():
        if url:
            moved = reconcile.reconcile(
                db.session,
                engine=reconcile.acc_engine(url),
                now=utcnow(),
                line=LineSettings.from_config(app.config),
            )
            if moved:
                log.info("calls completed from Kamailio's accounting: %d", moved)
        else:  # no accounting: lost calls and held agents all the same
            reconcile.end_lost(db.session, now=utcnow())
        recordings.link_recent(db.session, folder=recordings_folder(app), now=utcnow())
        db.session.remove()


def deliver_notifications(app: Flask) -> None:
    """Send what is due in the outbox (claimed by compare-and-set: safe to run twice)."""
    with app.app_context():
        sender = app.config.get("NOTIFICATION_SENDER") or notifications.log_sender
        notifications.deliver_due(db.session, sender=sender, now=utcnow())
        db.session.remove()


def dispatch_bookings(app: Flask) -> None:
    """约车: send vehicles to the bookings due shortly (a booking keeps its incident)."""
    with app.app_context():
        sent, waiting = bookings.dispatch_due(
            db.session,
            now=utcnow(),
            timezone=app.config["TIMEZONE"],
            speed_kmh=app.config["EMS_SPEED_KMH"],
            detour_factor=app.config["EMS_DETOUR_FACTOR"],
        )
        if sent or waiting:
            log.info("bookings: %d dispatched, %d waiting for a vehicle", sent, waiting)
        db.session.remove()


def alert_unacknowledged_jobs(app: Flask) -> None:
    """Jobs their crew did not acknowledge (接单) in time: the dispatcher is alerted, once."""
    with app.app_context():
        alerted = crew_jobs.alert_unacknowledged(
            db.session, now=utcnow(), ack_seconds=app.config["EMS_ACK_SECONDS"]
        )
        if alerted:
            log.info("jobs not acknowledged in time: %d", alerted)
        db.session.remove()


def measure_trips(app: Flask) -> None:
    """Settled trips' kilometres, measured once from their GPS tracks (the statistics read
    them); a backlog is worked off a batch at a time."""
    with app.app_context():
        measured = trips.measure_settled(db.session, now=utcnow())
        if measured:
            log.info("trips measured: %d", measured)
        db.session.remove()


def generate_reports(app: Flask) -> None:
    """The last complete month's and week's reports into reports/YYYY/, once each."""
    with app.app_context():
        timezone, now = app.config["TIMEZONE"], utcnow()
        made = files.generate_due(
            db.session,
            today=now.astimezone(ZoneInfo(timezone)).date(),
            timezone=timezone,
            reports_dir=Path(app.config["REPORTS_DIR"]),
            now=now,
            line=LineSettings.from_config(app.config),
        )
        for path in made:
            log.info("report archived: %s", path)
        db.session.remove()


def back_up_database(app: Flask) -> None:
    """The nightly backup into BACKUP_DIR; the oldest beyond BACKUP_KEEP are removed."""
    with app.app_context():
        rotation = backup.rotate(
            db.engine,
            directory=backup.backup_dir(app.config, app.instance_path),
            keep=app.config["BACKUP_KEEP"],
            now=utcnow(),
            pg_bin_dir=app.config["POSTGRES_BIN_DIR"],
        )
        log.info("backup written: %s; %d old removed", rotation.made, len(rotation.removed))
        backup.log_export(db.session, rotation.made, now=utcnow())


def apply_retention(app: Flask) -> None:
    """Anonymise and delete what is past its retention period (idempotent)."""
    with app.app_context():
        retention.apply(db.session, periods=retention.periods(app.config), now=utcnow())
        db.session.remove()
    recordings.delete_expired(
        recordings_folder(app), now=utcnow(), days=app.config["TELEPHONY_RECORDING_DAYS"]
    )


# Every job: its function, its trigger and the trigger's arguments (the sweep's interval is
# a setting). The interval jobs run once at start; the reports daily, so that a missed 1st
# or Monday is made up (an archived report is never redone); the backup nightly, and
# retention after it.
JOBS: tuple[tuple[Callable[[Flask], None], str, dict], ...] = (
    (sweep_deadlines, "interval", {"seconds": "SWEEP_INTERVAL_SECONDS"}),
    (deliver_notifications, "interval", {"seconds": 30}),
    (escalate_notices, "interval", {"seconds": 60}),
    (remind_overdue_tasks, "interval", {"seconds": 60}),
    (find_hotspots, "interval", {"seconds": 60}),
    (dispatch_bookings, "interval", {"seconds": 60}),
    (alert_unacknowledged_jobs, "interval", {"seconds": 10}),
    (measure_trips, "interval", {"seconds": 120}),
    (reconcile_calls, "interval", {"seconds": 30}),
    (generate_reports, "cron", {"hour": 1, "minute": 10}),
    (back_up_database, "cron", {"hour": 2, "minute": 30}),
    (apply_retention, "cron", {"hour": 3, "minute": 30}),
)


def interval_seconds(app: Flask) -> dict[str, int]:
    """Each interval job's period in seconds (how late it is can be told from its last run)."""
    return {
        job.__name__: (app.config[a["seconds"]] if isinstance(a["seconds"], str) else a["seconds"])
        for job, trigger, a in JOBS
        if trigger == "interval"
    }


def _keep_error(session: Session, name: str, error: BaseException) -> None:
    health.record_error(
        session.get_bind(), source=f"job:{name}", error=error, request_id=None, now=utcnow()
    )


def _tracked(
    job: Callable[[Flask], None], holder: str, may_run: Callable[[], bool]
) -> Callable[[Flask], None]:
    """`job`, run only while `may_run()` (the leadership was confirmed lately), with its start
    and end counted in scheduler_jobs by the database's clock (a failed count is no reason to
    skip the job: the job matters more than its statistics)."""

    def record(app: Flask, step: Callable) -> None:
        with app.app_context():
            try:
                step(db.session)
            except Exception:
                log.exception("scheduler: could not record a run of %s", job.__name__)
            finally:
                db.session.remove()

    @functools.wraps(job)
    def run(app: Flask) -> None:
        name = job.__name__
        if not may_run():
            log.warning("scheduler %s: %s not run, the leadership is not confirmed", holder, name)
            return
        record(app, lambda s: runs.started(s, name, holder, database_now(s)))
        error: BaseException | None = None
        try:
            job(app)
        except Exception as failure:
            error = failure
            log.exception("scheduler: job %s failed", name)
        record(app, lambda s: runs.finished(s, name, database_now(s), error))
        if error is not None:  # on the health page with the requests' errors
            record(app, lambda s: _keep_error(s, name, error))

    return run


def create_scheduler(
    app: Flask,
    blocking: bool,
    holder: str | None = None,
    may_run: Callable[[], bool] = lambda: True,
    run_now: frozenset[str] = frozenset(),
) -> BaseScheduler:
    """A scheduler with every job, each run counted under `holder` and run only while
    `may_run()`; the jobs named in `run_now` run at once too; not started."""
    holder = holder or leadership_rules.holder_name()
    kind = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = kind(
        timezone=app.config["TIMEZONE"],
        # A missed run is made up once (coalesce), if it is at most 5 minutes late; the
        # sweep catches up on whatever it missed anyway, because it reads the orders' state.
        job_defaults={"coalesce": True, "misfire_grace_time": 300, "max_instances": 1},
    )
    for job, trigger, arguments in JOBS:
        settings = {k: app.config[v] if isinstance(v, str) else v for k, v in arguments.items()}
        if trigger == "interval" or job.__name__ in run_now:
            settings["next_run_time"] = datetime.now(UTC)
        scheduler.add_job(
            _tracked(job, holder, may_run),
            trigger,
            args=[app],
            id=job.__name__,
            replace_existing=True,
            **settings,
        )
    return scheduler


def missed_daily_jobs(session: Session, timezone: str, now: datetime) -> frozenset[str]:
    """The daily jobs that ran before but not at their last time (their leader died or was
    upgraded across it): a new leader runs them at once. A job that never ran waits for its
    time (a fresh install does not back up an empty database at once)."""
    jobs = runs.status(session, now, timedelta()).jobs
    last = {j.job: j.last_started_at for j in jobs}
    local_now = now.astimezone(ZoneInfo(timezone))
    missed = set()
    for job, trigger, arguments in JOBS:
        started = last.get(job.__name__)
        if trigger != "cron" or started is None:
            continue
        due = local_now.replace(
            hour=arguments["hour"], minute=arguments["minute"], second=0, microsecond=0
        )
        if due > local_now:
            due -= timedelta(days=1)
        if started < due:
            missed.add(job.__name__)
    return frozenset(missed)


def _beat(app: Flask, holder: str) -> None:
    with app.app_context():
        try:
            runs.beat(db.session, holder, database_now(db.session))
        except Exception as error:
            log.warning("scheduler: heartbeat not written (%s)", type(error).__name__)
        finally:
            db.session.remove()


def _leader_silent(app: Flask, seconds: int) -> bool:
    """Whether the leader's heartbeat is older than `seconds` by the database's clock (every
    host's clock may differ; the database's is one), or none was ever written."""
    with app.app_context():
        try:
            now = database_now(db.session)
            state = runs.status(db.session, now, timedelta(seconds=seconds))
        except Exception:  # the database is away: nobody can be judged silent
            return False
        finally:
            db.session.remove()
    return not state.fresh


def _schema_current(app: Flask) -> bool:
    """Whether the database is at this code's migration: a scheduler of an older or newer
    release than the schema (a rolling upgrade) must not run jobs on it."""
    with app.app_context():
        try:
            return health.schema_current(db.session, MIGRATIONS)
        except Exception:
            return False
        finally:
            db.session.remove()


def lead_when_possible(app: Flask, stop: threading.Event) -> None:
    """Wait for the leadership, run the jobs while it lasts, wait again; until `stop`."""
    leadership = leadership_rules.for_database(
        app.config["SQLALCHEMY_DATABASE_URI"], app.instance_path
    )
    holder = leadership_rules.holder_name()
    retry, heartbeat = app.config["SCHEDULER_RETRY_SECONDS"], app.config["SCHEDULER_BEAT_SECONDS"]
    takeover = app.config["SCHEDULER_TAKEOVER_SECONDS"]
    announced = ""
    confirmed = [0.0]  # when the lock was last confirmed (monotonic: it runs through a SIGSTOP)

    def may_run() -> bool:
        return time.monotonic() - confirmed[0] < 2 * heartbeat + 1

    def wait(reason: str, message: str) -> None:
        nonlocal announced
        if announced != reason:
            log.info("scheduler %s: %s", holder, message)
            announced = reason
        stop.wait(retry)

    while not stop.is_set():
        if not _schema_current(app):
            wait("schema", "the database is not at this release's migration; waiting")
            continue
        if not leadership.try_acquire():
            if _leader_silent(app, takeover) and leadership.end_silent_holder(takeover):
                log.warning("scheduler %s: ended a leader silent for %d s", holder, takeover)
                continue
            wait("follower", "another process leads; waiting to take over")
            continue
        announced = ""
        log.info("scheduler %s: leading", holder)
        confirmed[0] = time.monotonic()
        with app.app_context():
            try:
                missed = missed_daily_jobs(
                    db.session, app.config["TIMEZONE"], database_now(db.session)
                )
            except Exception:  # the database is away: nothing is run early
                missed = frozenset()
            finally:
                db.session.remove()
        scheduler = create_scheduler(app, False, holder, may_run, missed)
        try:
            _beat(app, holder)
            scheduler.start()
            while not stop.wait(heartbeat):
                if not leadership.still_held():
                    log.error("scheduler %s: leadership lost; jobs stopped", holder)
                    break
                if not _schema_current(app):
                    log.warning("scheduler %s: the schema changed under it; standing down", holder)
                    break
                confirmed[0] = time.monotonic()
                _beat(app, holder)
        finally:
            confirmed[0] = 0.0
            scheduler.shutdown(wait=False)
            leadership.release()
    log.info("scheduler %s: stopped", holder)
