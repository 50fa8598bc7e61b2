"""KPI pages for a chosen period, and the in-app notice inbox."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import select

from hotline import labels
from hotline.core.accounts.permissions import Permission
from hotline.core.accounts.roles import Role
from hotline.database import utcnow
from hotline.extensions import db
from hotline.models import Department
from hotline.services.notifications import outbox
from hotline.services.reports import kpis
from hotline.web.helpers import parse_int, requires

bp = Blueprint("kpi", __name__)
MAX_DAYS = 3 * 366


def _period(timezone: str) -> tuple[date, date, dict[str, str]]:
    """From and to (inclusive local days) from the query string; this month by default."""
    today = utcnow().astimezone(ZoneInfo(timezone)).date()
    errors: dict[str, str] = {}
    try:
        start = date.fromisoformat(request.args.get("from") or today.replace(day=1).isoformat())
        end = date.fromisoformat(request.args.get("to") or today.isoformat())
    except ValueError:
        errors["period"] = "invalid_date"
        start, end = today.replace(day=1), today
    if end < start:
        errors["period"] = "before_start"
        start, end = today.replace(day=1), today
    elif (end - start).days > MAX_DAYS:
        errors["period"] = "out_of_range"
        start, end = today.replace(day=1), today
    return start, end, errors


@bp.route("/kpi")
@requires(Permission.READ_KPIS)
def index():
    """The period's KPIs: department staff see their own department only."""
    timezone = current_app.config["TIMEZONE"]
    tz = ZoneInfo(timezone)
    start, end, errors = _period(timezone)
    if current_user.role_enum is Role.DEPARTMENT:
        department_id = current_user.department_id or -1
    else:
        department_id = parse_int(request.args.get("department_id"))
    overall, rows = kpis.report(
        db.session,
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
        department_id,
    )
    departments = []
    if current_user.role_enum is not Role.DEPARTMENT:
        departments = db.session.scalars(select(Department).order_by(Department.name)).all()
    return render_template(
        "reports/kpi.html",
        start=start,
        end=end,
        errors={k: labels.error_text(v) for k, v in errors.items()},
        overall=overall,
        rows=rows,
        departments=departments,
        department_id=department_id,
    )


@bp.route("/notices")
@requires(Permission.READ_NOTICES)
def notices():
    """In-app notices addressed to me, my role or my department."""
    recipients = outbox.inbox_recipients(
        current_user.id, current_user.role, current_user.department_id
    )
    return render_template("notifications/inbox.html", notices=outbox.inbox(db.session, recipients))
