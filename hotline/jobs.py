"""The scheduler's jobs; each is a thin wrapper around a service, safe to run twice.

`flask --app wsgi hotline scheduler` runs on every host (gunicorn never starts it); exactly
one of them leads and runs the jobs (services/scheduling/leadership.py), the others wait to
take over. `flask --app wsgi hotline serve` (development) runs it inside the server process.
"""

import functools
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.deadlines import escalation
from hotline.services.ems import bookings
from hotline.services.maintenance import backup, retention
from hotline.services.notifications import outbox as notifications
from hotline.services.reports import files
from hotline.services.scheduling import leadership as leadership_rules
from hotline.services.scheduling import runs

log = logging.getLogger(__name__)


def sweep_deadlines(app: Flask) -> None:
    """Escalate overdue orders (idempotent: compare-and-set on the level)."""
    with app.app_context():
        moved = escalation.sweep(db.session, utcnow())
        if moved:
            log.info("deadline sweep escalated %d orders", len(moved))
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


# Every job: its function, its trigger and the trigger's arguments (the sweep's interval is
# a setting). The interval jobs run once at start; the reports daily, so that a missed 1st
# or Monday is made up (an archived report is never redone); the backup nightly, and
# retention after it.
JOBS: tuple[tuple[Callable[[Flask], None], str, dict], ...] = (
    (sweep_deadlines, "interval", {"seconds": "SWEEP_INTERVAL_SECONDS"}),
    (deliver_notifications, "interval", {"seconds": 30}),
    (dispatch_bookings, "interval", {"seconds": 60}),
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


def _tracked(job: Callable[[Flask], None], holder: str) -> Callable[[Flask], None]:
    """`job` with its start and end counted in scheduler_jobs (a failed count is no reason
    to skip the job: the job matters more than its statistics)."""

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
        record(app, lambda s: runs.started(s, name, holder, utcnow()))
        error: BaseException | None = None
        try:
            job(app)
        except Exception as failure:
            error = failure
            log.exception("scheduler: job %s failed", name)
        record(app, lambda s: runs.finished(s, name, utcnow(), error))

    return run


def create_scheduler(app: Flask, blocking: bool, holder: str | None = None) -> BaseScheduler:
    """A scheduler with every job, each run counted under `holder`; not started."""
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
        if trigger == "interval":
            settings["next_run_time"] = datetime.now(UTC)
        scheduler.add_job(
            _tracked(job, holder),
            trigger,
            args=[app],
            id=job.__name__,
            replace_existing=True,
            **settings,
        )
    return scheduler


def _beat(app: Flask, holder: str) -> None:
    with app.app_context():
        try:
            runs.beat(db.session, holder, utcnow())
        except Exception as error:
            log.warning("scheduler: heartbeat not written (%s)", type(error).__name__)
        finally:
            db.session.remove()


def _leader_silent(app: Flask, seconds: int) -> bool:
    """Whether the leader's heartbeat is older than `seconds` (or none was ever written)."""
    with app.app_context():
        try:
            state = runs.status(db.session, utcnow(), timedelta(seconds=seconds))
        except Exception:  # the database is away: nobody can be judged silent
            return False
        finally:
            db.session.remove()
    return not state.fresh


def lead_when_possible(app: Flask, stop: threading.Event) -> None:
    """Wait for the leadership, run the jobs while it lasts, wait again; until `stop`."""
    leadership = leadership_rules.for_database(
        app.config["SQLALCHEMY_DATABASE_URI"], app.instance_path
    )
    holder = leadership_rules.holder_name()
    retry, heartbeat = app.config["SCHEDULER_RETRY_SECONDS"], app.config["SCHEDULER_BEAT_SECONDS"]
    announced_waiting = False
    takeover = app.config["SCHEDULER_TAKEOVER_SECONDS"]
    while not stop.is_set():
        if not leadership.try_acquire():
            if not announced_waiting:
                log.info("scheduler %s: another process leads; waiting to take over", holder)
                announced_waiting = True
            if _leader_silent(app, takeover) and leadership.end_silent_holder(takeover):
                log.warning("scheduler %s: ended a leader silent for %d s", holder, takeover)
                continue
            stop.wait(retry)
            continue
        announced_waiting = False
        log.info("scheduler %s: leading", holder)
        scheduler = create_scheduler(app, blocking=False, holder=holder)
        try:
            _beat(app, holder)
            scheduler.start()
            while not stop.wait(heartbeat):
                if not leadership.still_held():
                    log.error("scheduler %s: leadership lost; jobs stopped", holder)
                    break
                _beat(app, holder)
        finally:
            scheduler.shutdown(wait=False)
            leadership.release()
    log.info("scheduler %s: stopped", holder)
