"""Reports for officials and supervisors (department staff: their own department's only):
any period as PDF, CSV or XLSX, and the archive of scheduled reports."""

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import select

from hotline import labels
from hotline.core.accounts.permissions import Permission
from hotline.core.accounts.roles import Role
from hotline.core.reports.periods import Period, PeriodKind, period_for
from hotline.database import utcnow
from hotline.extensions import db
from hotline.models import Department, District
from hotline.services.reports import data, files
from hotline.services.reports.data import Scope
from hotline.web.helpers import parse_int, requires

bp = Blueprint("reports", __name__, url_prefix="/reports")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TABLES = ("types", "categories", "districts", "departments", "department_changes", "handling",
          "late", "daily")  # fmt: skip
FORMATS = {"pdf", "xlsx"} | {f"csv-{name}" for name in TABLES}


def _period(args) -> Period:
    """The period asked for: a unit containing a day, or a range (ValueError if wrong)."""
    kind = PeriodKind(args.get("kind", "month"))
    if kind is PeriodKind.RANGE:
        period = Period(kind, date.fromisoformat(args["from"]), date.fromisoformat(args["to"]))
    else:
        period = period_for(kind, date.fromisoformat(args.get("day", "")))
    if period.days > 3 * 366:
        raise ValueError("too long")
    return period


def _scope(args) -> tuple[Scope, str]:
    if current_user.role_enum is Role.DEPARTMENT:
        department = db.session.get(Department, current_user.department_id or -1)
        if department is None:
            abort(403)
        return Scope(department_id=department.id), department.name
    department_id = parse_int(args.get("department_id"))
    district_code = args.get("district_code") or None
    label = "全市"
    if department_id is not None:
        department = db.session.get(Department, department_id)
        label = department.name if department else "—"
    elif district_code:
        district = db.session.scalar(select(District).where(District.code == district_code))
        label = district.name if district else "—"
    return Scope(district_code=district_code, department_id=department_id), label


@bp.route("")
@requires(Permission.READ_REPORTS)
def index():
    """The form for a report and the archive."""
    districts, departments, archive = [], [], []
    if current_user.role_enum is not Role.DEPARTMENT:
        districts = db.session.scalars(select(District).order_by(District.code)).all()
        departments = db.session.scalars(select(Department).order_by(Department.name)).all()
        archive = files.archive(Path(current_app.config["REPORTS_DIR"]))
    today = utcnow().astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()
    return render_template(
        "reports/index.html", kinds=list(PeriodKind), districts=districts,
        departments=departments, archive=archive, today=today.isoformat(), tables=TABLES,
    )  # fmt: skip


@bp.route("/download")
@requires(Permission.READ_REPORTS)
def download():
    """The report for the chosen period and scope, as PDF, one table as CSV, or XLSX."""
    fmt = request.args.get("format", "pdf")
    try:
        period = _period(request.args)
    except (ValueError, KeyError):
        return Response(labels.error_text("invalid_date"), status=400, mimetype="text/plain")
    if fmt not in FORMATS:
        abort(404)
    scope, label = _scope(request.args)
    timezone = current_app.config["TIMEZONE"]
    stem = f"report-{period.start.isoformat()}_{period.end.isoformat()}"
    if fmt == "pdf":
        _data, content = files.pdf(db.session, period, timezone, scope, label)
        return _file(content, "application/pdf", f"{stem}.pdf", inline=True)
    tables = files.tables(data.build(db.session, period, timezone, scope))
    if fmt == "xlsx":
        return _file(files.to_xlsx(tables), XLSX, f"{stem}.xlsx")
    name = fmt.removeprefix("csv-")
    return _file(files.to_csv(tables[name]), "text/csv", f"{stem}-{name}.csv")


def _file(content: bytes, mimetype: str, filename: str, inline: bool = False) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(
        content, mimetype=mimetype,
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"'},
    )  # fmt: skip


@bp.route("/archive/<year>/<name>")
@requires(Permission.READ_REPORT_ARCHIVE)
def archived(year: str, name: str):
    """One archived report."""
    path = files.archived_file(Path(current_app.config["REPORTS_DIR"]), year, name)
    if path is None:
        abort(404)
    return _file(path.read_bytes(), "application/pdf", name, inline=True)
