"""Report files: the PDF, the same tables as CSV and XLSX, and the archive of scheduled
reports under reports/YYYY/ (one file per period, never generated twice)."""

import csv
import io
import os
import re
import tempfile
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from sqlalchemy.orm import Session

from hotline.core.reports.periods import Period, PeriodKind, period_for, previous
from hotline.pdf import report as report_pdf
from hotline.services.reports import data as report_data
from hotline.services.reports.data import UNASSIGNED, Compared, ReportData, Scope

TITLES = {
    PeriodKind.DAY: "日报", PeriodKind.WEEK: "周报", PeriodKind.MONTH: "月报",
    PeriodKind.QUARTER: "季报", PeriodKind.YEAR: "年报", PeriodKind.RANGE: "统计报告",
}  # fmt: skip
ARCHIVE_NAME = re.compile(r"^(week|month)-\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.pdf$")


def _row(label: str, value: Compared) -> list:
    return [label, value.current, value.previous.difference, value.previous.percent(),
            value.year_earlier.difference, value.year_earlier.percent()]  # fmt: skip


COMPARED_HEADER = ["", "本期", "环比增减", "环比", "同比增减", "同比"]


def tables(data: ReportData) -> dict[str, list[list]]:
    """The report's tables as rows (first row the header), for CSV and XLSX."""
    v, before, year = data.volume, data.previous_volume, data.year_volume

    def local(at) -> str:
        return at.astimezone(ZoneInfo(data.timezone)).isoformat(sep=" ", timespec="minutes")

    def compared_rows(attribute: str) -> list[list]:
        now, then, last_year = (getattr(x, attribute) for x in (v, before, year))
        return [
            _row(name, report_data.compare(now[name], then.get(name, 0), last_year.get(name, 0)))
            for name in sorted(now)
        ]

    return {
        "types": [["类型", *COMPARED_HEADER[1:]]]
        + [_row(report_pdf.TYPES.get(t, t), c) for t, c in data.by_type.items()],
        "categories": [["诉求分类", *COMPARED_HEADER[1:]]] + compared_rows("by_category"),
        "districts": [["区", *COMPARED_HEADER[1:]]] + compared_rows("by_district"),
        "departments": [
            ["承办单位", "受理", "响应率", "按时办结率", "解决率", "满意率", "退单率", "重办率"]
        ]
        + [
            [
                d.name if d else UNASSIGNED,
                f.counts.received,
                f.response.percent(),
                f.on_time.percent(),
                f.resolution.percent(),
                f.satisfaction.percent(),
                f.returned.percent(),
                f.reopen.percent(),
            ]
            for d, f in data.departments
        ],  # fmt: skip
        "handling": [
            [
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
        ]
        + [
            [
                *_row(row.name, row.received),
                h.closed if h else 0,
                None if h is None or h.average_hours is None else round(h.average_hours, 1),
                *(
                    None if change is None else round(change, 1)
                    for change in (
                        row.average_change(row.handling_before),
                        row.average_change(row.handling_year),
                    )
                ),
                h.median_hours if h else None,
                row.median_change(row.handling_before),
                row.median_change(row.handling_year),
            ]
            for row in data.department_rows()
            for h in [row.handling]
        ],  # fmt: skip
        "department_changes": [
            ["承办单位"]
            + [
                h
                for name, _ in report_pdf.ALL_DEPARTMENT_RATES
                for h in (name, "环比（百分点）", "同比（百分点）")
            ]
        ]
        + [
            report_pdf.department_changes(data, d, f, report_pdf.ALL_DEPARTMENT_RATES)
            for d, f in data.departments
        ],
        "late": [["工单编号", "承办单位", "诉求分类", "办理期限", "办结时间", "级别"]]
        + [
            [
                o.number,
                o.department or "",
                o.category,
                local(o.due_at),
                local(o.closed_at) if o.closed_at else "",
                o.escalation_level,
            ]
            for o in data.late[1]
        ],  # fmt: skip
        "daily": [["日期", "工单数"]] + [[d.isoformat(), n] for d, n in sorted(v.daily.items())],
    }


def _safe_cell(value):
    """Spreadsheets run text starting with = + - @ as formulas: such text gets a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
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
    session: Session, period: Period, timezone: str, scope: Scope, scope_label: str
) -> tuple[ReportData, bytes]:
    """The report for a period and scope, as data and PDF bytes."""
    data = report_data.build(session, period, timezone, scope)
    now = datetime.now(ZoneInfo(timezone))
    title = f"12345/120 {TITLES[period.kind]}"
    return data, report_pdf.render(data, title, scope_label, now)


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


def generate_due(session: Session, today: date, timezone: str, reports_dir: Path) -> list[Path]:
    """The last complete month's and week's reports, if not archived yet (catches up after
    downtime; a report already archived is never generated again)."""
    made = []
    for kind in (PeriodKind.MONTH, PeriodKind.WEEK):
        period = previous(period_for(kind, today))
        path = archive_path(reports_dir, period)
        if path.exists():
            continue
        _data, content = pdf(session, period, timezone, Scope(), "全市")
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
