"""Reports for officials and supervisors (department staff: their own department's only):
any period as PDF, CSV or XLSX, and the archive of scheduled reports."""

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user

from hotline import labels
from hotline.core import days
from hotline.core.accounts.permissions import Permission
from hotline.core.reports.periods import Period, PeriodKind, period_for
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.reports import files, scope
from hotline.web.helpers import parse_int, requires
from hotline.web.telephony import line_settings

bp = Blueprint("reports", __name__, url_prefix="/reports")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TABLES = tuple(files.SHEETS)
FORMATS = {"pdf", "xlsx"} | {f"csv-{name}" for name in TABLES}


def _day(value: str) -> date:
    day = date.fromisoformat(value)
    if not days.in_range(day):
        raise ValueError("out of range")
    return day


def parse_period(args: Mapping[str, str]) -> Period:
    """The period asked for: a unit containing a day, or a range (ValueError if wrong)."""
    kind = PeriodKind(args.get("kind", "month"))
    if kind is PeriodKind.RANGE:
        period = Period(kind, _day(args["from"]), _day(args["to"]))
    else:
        period = period_for(kind, _day(args.get("day", "")))
    if period.days > 3 * 366:
        raise ValueError("too long")
    return period


@bp.route("")
@requires(Permission.READ_REPORTS)
def index() -> str:
    """The form for a report and the archive."""
    choices = scope.choices(db.session, current_user)
    today = utcnow().astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()
    return render_template(
        "reports/index.html",
        kinds=list(PeriodKind),
        districts=choices.districts,
        departments=choices.departments,
        archive=files.archive_for(current_user, Path(current_app.config["REPORTS_DIR"])),
        today=today.isoformat(),
        tables=TABLES,
    )


@bp.route("/download")
@requires(Permission.READ_REPORTS)
def download() -> Response:
    """The report for the chosen period and scope, as PDF, one table as CSV, or XLSX."""
    fmt = request.args.get("format", "pdf")
    try:
        period = parse_period(request.args)
    except (ValueError, KeyError):
        return Response(labels.error_text("invalid_date"), status=400, mimetype="text/plain")
    if fmt not in FORMATS:
        abort(404)
    scoped = scope.scope_for(
        db.session,
        current_user,
        department_id=parse_int(request.args.get("department_id")),
        district_code=request.args.get("district_code"),
    )
    asked = {"period": period, "timezone": current_app.config["TIMEZONE"], "scoped": scoped}
    stem = f"report-{period.start.isoformat()}_{period.end.isoformat()}"
    if fmt == "pdf":
        _data, content = files.pdf(db.session, **asked, now=utcnow(), line=line_settings())
        return _file(content, "application/pdf", f"{stem}.pdf", inline=True)
    tables = files.sheets(db.session, **asked)
    if fmt == "xlsx":
        return _file(files.to_xlsx(tables), XLSX, f"{stem}.xlsx")
    name = fmt.removeprefix("csv-")
    return _file(files.to_csv(tables[name]), "text/csv", f"{stem}-{name}.csv")


def _file(content: bytes, mimetype: str, filename: str, inline: bool = False) -> Response:
    disposition = "inline" if inline else "attachment"
    header = {"Content-Disposition": f'{disposition}; filename="{filename}"'}
    return Response(content, mimetype=mimetype, headers=header)


@bp.route("/archive/<year>/<name>")
@requires(Permission.READ_REPORT_ARCHIVE)
def archived(year: str, name: str) -> Response:
    """One archived report."""
    path = files.archived_file(Path(current_app.config["REPORTS_DIR"]), year, name)
    if path is None:
        abort(404)
    return _file(path.read_bytes(), "application/pdf", name, inline=True)
