"""The scheduler's jobs; each is a thin wrapper around a service, safe to run twice.

APScheduler runs in exactly one process: `flask --app wsgi hotline scheduler` in production
(beside gunicorn, which never starts it) or `flask --app wsgi hotline serve` in development,
which is a single process without the reloader.
"""

import logging
from collections.abc import Callable
from datetime import UTC, datetime
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


def create_scheduler(app: Flask, blocking: bool) -> BaseScheduler:
    """A scheduler with every job; not started."""
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
            job, trigger, args=[app], id=job.__name__, replace_existing=True, **settings
        )
    return scheduler
