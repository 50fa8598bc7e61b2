"""The system administrator's health page: readiness, the work's figures, the scheduler's
leader and jobs, and the last unexpected errors of every host."""

from datetime import timedelta

from flask import current_app, render_template

from hotline.core.accounts.permissions import Permission
from hotline.database import database_now, utcnow
from hotline.jobs import interval_seconds
from hotline.plugins import db
from hotline.services.maintenance import health
from hotline.services.scheduling import runs
from hotline.web.admin import bp
from hotline.web.helpers import requires
from hotline.web.observability import current_readiness


@bp.route("/health", endpoint="health")
@requires(Permission.READ_SYSTEM_HEALTH)
def health_page():
    """Everything /readyz and /metrics say, at a glance."""
    now = utcnow()
    stale = timedelta(seconds=current_app.config["SCHEDULER_STALE_SECONDS"])
    return render_template(
        "admin/health.html",
        readiness=current_readiness(),
        figures=health.figures(db.session, now),
        scheduler=runs.status(db.session, database_now(db.session), stale),
        periods=interval_seconds(current_app),
        errors=health.last_errors(db.session),
        now=now,
    )
