"""KPI pages for a chosen period."""

from collections.abc import Mapping
from datetime import date
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from hotline import labels
from hotline.core import days
from hotline.core.accounts.permissions import Permission
from hotline.core.reports import ranking
from hotline.core.reports.periods import Period, PeriodKind
from hotline.core.telephony import figures as call_figures
from hotline.database import utcnow
from hotline.labels.reports import CALL_FIGURE_LABELS, QUEUE_LABELS, UNRANKED_LABELS
from hotline.plugins import db
from hotline.services.reports import kpi_page
from hotline.web.helpers import parse_int, requires
from hotline.web.telephony import line_settings

bp = Blueprint("kpi", __name__)
MAX_DAYS = 3 * 366
MAX_MINIMUM = 10_000


def parse_period(args: Mapping[str, str], today: date) -> tuple[Period, dict[str, str]]:
    """From and to (inclusive local days) from the query string, and the error code of a
    wrong one (then this month so far)."""
    this_month = Period(PeriodKind.RANGE, today.replace(day=1), today)
    try:
        start = date.fromisoformat(args.get("from") or this_month.start.isoformat())
        end = date.fromisoformat(args.get("to") or today.isoformat())
    except ValueError:
        return this_month, {"period": "invalid_date"}
    if not (days.in_range(start) and days.in_range(end)):
        return this_month, {"period": "invalid_date"}
    if end < start:
        return this_month, {"period": "before_start"}
    if (end - start).days > MAX_DAYS:
        return this_month, {"period": "out_of_range"}
    return Period(PeriodKind.RANGE, start, end), {}


@bp.route("/kpi")
@requires(Permission.READ_KPIS)
def index() -> str:
    """The period's KPIs: department staff see their own department only."""
    timezone = current_app.config["TIMEZONE"]
    period, errors = parse_period(request.args, utcnow().astimezone(ZoneInfo(timezone)).date())
    department_id = parse_int(request.args.get("department_id"))
    line = line_settings()
    figures = kpi_page.page(
        db.session,
        current_user,
        period=period,
        timezone=timezone,
        department_id=department_id,
        now=utcnow(),
        minimum_orders=parse_minimum(request.args.get("min_orders")),
        line=line,
    )
    return render_template(
        "reports/kpi.html",
        start=period.start,
        end=period.end,
        errors={k: labels.error_text(v) for k, v in errors.items()},
        page=figures,
        unranked_labels=UNRANKED_LABELS,
        calls=call_figures,
        call_labels=CALL_FIGURE_LABELS,
        queue_labels=QUEUE_LABELS,
        line=line,
    )


def parse_minimum(value: str | None) -> int:
    """The fewest orders a 街乡镇 needs to be ranked (?min_orders=), within 0..MAX_MINIMUM;
    the default when missing or not a number."""
    number = parse_int(value)
    if number is None:
        return ranking.DEFAULT_MINIMUM_ORDERS
    return min(max(number, 0), MAX_MINIMUM)
