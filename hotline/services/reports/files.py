"""Report files: the PDF, the same tables as CSV and XLSX, and the archive of scheduled
reports under reports/YYYY/ (one file per period, never generated twice)."""

import csv
import io
import os
import re
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from sqlalchemy.orm import Session

from hotline.core.accounts.permissions import Permission, allows
from hotline.core.orders.intake import OrderType
from hotline.core.reports.kpi import KeyFigure
from hotline.core.reports.periods import Period, PeriodKind, period_for, previous
from hotline.core.telephony.line import LineSettings
from hotline.database import utcnow
from hotline.labels import chinese
from hotline.models import User
from hotline.pdf import report as report_pdf
from hotline.services.reports import data as report_data
from hotline.services.reports.bases import Compared, compare
from hotline.services.reports.data import DepartmentRow, ReportData
from hotline.services.reports.handling_times import LateOrder
from hotline.services.reports.scope import CITY, Scoped

TITLES = {
    PeriodKind.DAY: "日报",
    PeriodKind.WEEK: "周报",
    PeriodKind.MONTH: "月报",
    PeriodKind.QUARTER: "季报",
    PeriodKind.YEAR: "年报",
    PeriodKind.RANGE: "统计报告",
}
ARCHIVE_NAME = re.compile(r"^(week|month)-\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.pdf$")


def _row(label: str, value: Compared) -> list:
    return [
        label,
        value.current,
        value.previous.difference,
        value.previous.percent(),
        value.year_earlier.difference,
        value.year_earlier.percent(),
    ]


COMPARED_HEADER = ["", "本期", "环比增减", "环比", "同比增减", "同比"]
HANDLING_HEADER = [
    "承办单位",
    "受理",
    *COMPARED_HEADER[2:],
    "本期办结",
    "平均办理时长（小时）",
    "平均时长环比（小时）",
    "平均时长同比（小时）",
    "中位数（整小时）",
    "中位数环比（小时）",
    "中位数同比（小时）",
]
LATE_HEADER = ["工单编号", "承办单位", "诉求分类", "办理期限", "办结时间", "级别"]


def _types(data: ReportData) -> list[list]:
    header = ["类型", *COMPARED_HEADER[1:]]
    return [header] + [_row(chinese(OrderType, t, t), c) for t, c in data.by_type.items()]


def _categories(data: ReportData) -> list[list]:
    return [["诉求分类", *COMPARED_HEADER[1:]]] + _compared(data, "by_category")


def _districts(data: ReportData) -> list[list]:
    return [["区", *COMPARED_HEADER[1:]]] + _compared(data, "by_district")


def _departments(data: ReportData) -> list[list]:
    rows = [report_pdf.department_rates(d, f) for d, f in data.departments]
    return [report_pdf.departments_header(), *rows]


def _handling_times(data: ReportData) -> list[list]:
    return [HANDLING_HEADER] + [_handling(row) for row in data.department_rows()]


def _late_orders(data: ReportData) -> list[list]:
    return [LATE_HEADER] + [_late(order, data.timezone) for order in data.late[1]]


def _daily(data: ReportData) -> list[list]:
    return [["日期", "工单数"]] + [[d.isoformat(), n] for d, n in sorted(data.volume.daily.items())]


def tables(data: ReportData) -> dict[str, list[list]]:
    """The report's tables as rows (first row the header), for CSV and XLSX."""
    return {name: build(data) for name, build in SHEETS.items()}


def _compared(data: ReportData, attribute: str) -> list[list]:
    """A breakdown of the volume (by category, by district) against both bases, by name."""
    now, then, last_year = (
        getattr(v, attribute) for v in (data.volume, data.previous_volume, data.year_volume)
    )
    return [
        _row(name, compare(now[name], then.get(name, 0), last_year.get(name, 0)))
        for name in sorted(now)
    ]


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _handling(row: DepartmentRow) -> list:
    """A department's received orders and handling time against both bases."""
    h = row.handling
    return [
        *_row(row.name, row.received),
        h.closed if h else 0,
        _rounded(h.average_hours if h else None),
        _rounded(row.average_change(row.handling_before)),
        _rounded(row.average_change(row.handling_year)),
        h.median_hours if h else None,
        row.median_change(row.handling_before),
        row.median_change(row.handling_year),
    ]


def _department_changes(data: ReportData) -> list[list]:
    """Every rate of each department with its changes in percentage points."""
    rates = report_pdf.ALL_DEPARTMENT_RATES
    header = ["承办单位"] + [
        h
        for name in (chinese(KeyFigure, rate) for rate in rates)
        for h in (name, "环比（百分点）", "同比（百分点）")
    ]
    return [header] + [
        report_pdf.department_changes(data, d, f, rates) for d, f in data.departments
    ]


def _late(order: LateOrder, timezone: str) -> list:
    def local(at: datetime) -> str:
        return at.astimezone(ZoneInfo(timezone)).isoformat(sep=" ", timespec="minutes")

    return [
        order.number,
        order.department or "",
        order.category,
        local(order.due_at),
        local(order.closed_at) if order.closed_at else "",
        order.escalation_level,
    ]


# The sheets of the XLSX in order, each also a CSV of its own.
SHEETS: dict[str, Callable[[ReportData], list[list]]] = {
    "types": _types,
    "categories": _categories,
    "districts": _districts,
    "departments": _departments,
    "handling": _handling_times,
    "department_changes": _department_changes,
    "late": _late_orders,
    "daily": _daily,
}


def _safe_cell(value):
    """Spreadsheets run text starting with = + - @ as formulas (and may strip a leading tab
    or carriage return before one): such text gets a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(rows: list[list]) -> bytes:
    """One table as CSV in UTF-8 with a BOM (so that Excel reads the Chinese)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([_safe_cell(c) for c in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(named: dict[str, list[list]]) -> bytes:
    """Every table on its own sheet."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in named.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append([_safe_cell(c) for c in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def pdf(
    session: Session,
    *,
    period: Period,
    timezone: str,
    scoped: Scoped,
    now: datetime,
    line: LineSettings | None = None,
) -> tuple[ReportData, bytes]:
    """The report for a period and scope, as data and PDF bytes (the page's download, the
    command line and the archive all make it here); `line`: the phone line's settings."""
    data = report_data.build(
        session, period=period, timezone=timezone, scope=scoped.scope, now=now, line=line
    )
    title = f"12345/120 {TITLES[period.kind]}"
    generated_at = now.astimezone(ZoneInfo(timezone))
    return data, report_pdf.render(data, title, scoped.label, generated_at)


def sheets(
    session: Session, *, period: Period, timezone: str, scoped: Scoped
) -> dict[str, list[list]]:
    """The report's tables for a period and scope, for CSV and XLSX."""
    return tables(report_data.build(session, period=period, timezone=timezone, scope=scoped.scope))


def archive_path(reports_dir: Path, period: Period) -> Path:
    """reports/YYYY/month-2026-10-01_2026-10-31.pdf and the like."""
    name = f"{period.kind.value}-{period.start.isoformat()}_{period.end.isoformat()}.pdf"
    return reports_dir / f"{period.start.year}" / name


def _write_once(path: Path, content: bytes) -> bool:
    """Write the file unless it exists; atomic, and safe if two processes race."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return False
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as handle:
        handle.write(content)
        temporary = Path(handle.name)
    try:
        os.link(temporary, path)  # fails if another process made it first
    except FileExistsError:
        return False
    finally:
        temporary.unlink()
    return True


def generate_due(
    session: Session,
    *,
    today: date,
    timezone: str,
    reports_dir: Path,
    now: datetime | None = None,
    line: LineSettings | None = None,
) -> list[Path]:
    """The last complete month's and week's reports, if not archived yet (catches up after
    downtime; a report already archived is never generated again); `now` goes on the cover
    (default: the clock)."""
    now = now or utcnow()
    made = []
    for kind in (PeriodKind.MONTH, PeriodKind.WEEK):
        period = previous(period_for(kind, today))
        path = archive_path(reports_dir, period)
        if path.exists():
            continue
        _data, content = pdf(
            session, period=period, timezone=timezone, scoped=CITY, now=now, line=line
        )
        if _write_once(path, content):
            made.append(path)
    return made


def archive(reports_dir: Path) -> list[Path]:
    """The archived reports, newest first."""
    if not reports_dir.exists():
        return []
    files = [p for p in reports_dir.glob("*/*.pdf") if ARCHIVE_NAME.match(p.name)]
    return sorted(files, key=lambda p: p.name.split("-", 1)[1], reverse=True)


def archived_file(reports_dir: Path, year: str, name: str) -> Path | None:
    """One archived file by year and name, or None; nothing outside the archive."""
    if not re.fullmatch(r"\d{4}", year) or not ARCHIVE_NAME.match(name):
        return None
    path = reports_dir / year / name
    return path if path.is_file() else None


def archive_for(actor: User, reports_dir: Path) -> list[Path] | None:
    """The archive as `actor` may see it: None for those who may not open it."""
    if not allows(actor.role_enum, Permission.READ_REPORT_ARCHIVE):
        return None
    return archive(reports_dir)
