"""The statistics report as a PDF, in Chinese, with the CJK font embedded.

Cover, key figures, then volume (by type and channel with 环比/同比, bar and line charts),
what people called about (top categories, hot issues, districts with a choropleth map),
departments (with the 街乡镇 ranking and the assisting units), surveys (with callers'
words, never their identity), 120, the knowledge base and the phone line (话务).
"""

from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    SimpleDocTemplate,
    Spacer,
    Table,
)

from hotline.core.deadlines.escalation import Level
from hotline.core.orders.intake import Channel, OrderType
from hotline.core.reports import kpi
from hotline.core.reports.kpi import KeyFigure
from hotline.labels import chinese
from hotline.models import Department
from hotline.pdf import charts, report_calls, report_sections
from hotline.pdf.fonts import cjk_font
from hotline.pdf.layout import Writer, compared_row, points
from hotline.services.reports.data import UNASSIGNED, DepartmentRow, ReportData

K = KeyFigure
KEY_RATES = [K.RESPONSE, K.ON_TIME, K.RESOLUTION, K.SATISFACTION, K.SURVEY, K.DIRECT, K.REPEAT]
DEPARTMENT_RATES = [K.SATISFACTION, K.ON_TIME, K.RESPONSE]
# Every rate of a department, for the sheets (the PDF page has room for three).
ALL_DEPARTMENT_RATES = [
    *DEPARTMENT_RATES,
    K.RESOLUTION,
    K.SURVEY,
    K.COMPLETION,
    K.RETURNED,
    K.REOPEN,
]
# The departments table: received orders, then these rates.
DEPARTMENTS_TABLE_RATES = [
    K.RESPONSE,
    K.ON_TIME,
    K.RESOLUTION,
    K.SATISFACTION,
    K.RETURNED,
    K.REOPEN,
]


def departments_header() -> list[str]:
    """The departments table's header, in Chinese."""
    return ["承办单位", "受理", *(chinese(KeyFigure, k) for k in DEPARTMENTS_TABLE_RATES)]


COMPARED = ["本期", "环比", "同比"]


def render(data: ReportData, title: str, scope_label: str, generated_at: datetime) -> bytes:
    """The report as PDF bytes; every text from the database is escaped or a plain cell."""
    w = Writer(cjk_font())
    buffer = BytesIO()

    def number_pages(canvas, doc) -> None:
        canvas.setFont(w.font, 8)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"第 {doc.page} 页")

    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author="12345/120 热线系统",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
    )
    period = f"{data.period.start:%Y年%m月%d日} 至 {data.period.end:%Y年%m月%d日}"
    story = [
        Spacer(1, 60 * mm),
        w.paragraph(title, "title"),
        w.paragraph(period, "title"),
        w.paragraph(scope_label),
        w.paragraph(f"生成时间 {generated_at:%Y-%m-%d %H:%M}"),
        PageBreak(),
        *_key_figures(data, w),
        *_volume(data, w),
        *report_sections.topics(data, w),
        *_departments(data, w),
        *report_sections.streets(data, w),
        *report_sections.hotspots(data, w),
        *report_sections.surveys(data, w),
        *report_sections.ems(data, w),
        *report_sections.knowledge(data, w),
        *report_calls.calls(data.calls, w),
    ]
    doc.build(story, onFirstPage=number_pages, onLaterPages=number_pages)
    return buffer.getvalue()


def _key_figures(data: ReportData, w: Writer) -> list:
    """关键指标: orders and the key rates against both bases, and 120."""
    o = data.overall
    rates = [
        [chinese(KeyFigure, rate), getattr(o, rate).percent()]
        + [points(getattr(o, rate), getattr(base, rate)) for base in data.overall_bases]
        for rate in KEY_RATES
    ]
    return [
        w.paragraph("关键指标", "h1"),
        w.table(
            [
                ["指标", *COMPARED],
                compared_row("受理工单", data.orders),
                *rates,
                ["120 事件", str(data.ems.incidents), "", ""],
                ["3分钟内派车", data.ems.dispatched_in_target.percent(), "", ""],
            ]
        ),
    ]


def _volume(data: ReportData, w: Writer) -> list:
    """一、受理量: by type against both bases, by channel, and day by day."""
    volume, days = data.volume, sorted(data.volume.daily)
    by_type = [compared_row(chinese(OrderType, t, t), v) for t, v in data.by_type.items()]
    channels = [[chinese(Channel, c, c), str(n)] for c, n in sorted(volume.by_channel.items())]
    bar_labels = [chinese(OrderType, t, t) for t in volume.by_type]
    daily = charts.line([f"{d:%m-%d}" for d in days], [volume.daily[d] for d in days], w.font)
    return [
        w.paragraph("一、受理量", "h1"),
        w.table([["类型", *COMPARED], *by_type]),
        Spacer(1, 4 * mm),
        charts.bar(bar_labels, list(volume.by_type.values()), w.font),
        w.table([["渠道", "工单数"], *channels]),
        KeepTogether([w.paragraph("每日受理量"), daily]),
    ]


def department_rates(department: Department | None, figures: kpi.Figures) -> list:
    """A department's received orders and rates (PDF and sheets, under departments_header)."""
    rates = (getattr(figures, rate) for rate in DEPARTMENTS_TABLE_RATES)
    name = department.name if department else UNASSIGNED
    return [name, figures.counts.received, *(rate.percent() for rate in rates)]


def department_changes(
    data: ReportData,
    department: Department | None,
    figures: kpi.Figures,
    rates: list[KeyFigure] = DEPARTMENT_RATES,
) -> list[str]:
    """A department's rates with their changes in percentage points (PDF and sheets)."""
    key = department.id if department else None
    row = [department.name if department else UNASSIGNED]
    for rate in rates:
        now = getattr(figures, rate)
        row.append(now.percent())
        for bases in data.department_bases:
            then = bases.get(key)
            row.append("n/a" if then is None else points(now, getattr(then, rate), ""))
    return row


def _handling(row: DepartmentRow) -> list[str]:
    """Handling time from dispatch to closure of the orders closed in the period, in hours."""
    h = row.handling

    def hours(value: float | None, sign: str = "") -> str:
        return "n/a" if value is None else f"{value:{sign}.1f}"

    received = row.received
    return [
        row.name,
        f"{received.current:g}",
        received.previous.percent(),
        received.year_earlier.percent(),
        str(h.closed) if h else "0",
        hours(h.average_hours if h else None),
        *(
            hours(row.average_change(base), "+")
            for base in (row.handling_before, row.handling_year)
        ),
        "n/a" if h is None or h.median_hours is None else str(h.median_hours),
    ]


def _departments(data: ReportData, w: Writer) -> list:
    """三、承办单位: rates ranked, handling times, and the orders that ran late."""
    late_count, late = data.late
    names = [chinese(KeyFigure, rate) for rate in DEPARTMENT_RATES]
    changes = ["承办单位", *(h for name in names for h in (name, "环比", "同比"))]
    story = [
        w.paragraph("三、承办单位", "h1"),
        w.table(
            [departments_header()]
            + [[str(c) for c in department_rates(d, f)] for d, f in data.departments],
            widths=[48 * mm] + [18 * mm] * 7,
        ),
        Spacer(1, 3 * mm),
        w.table(
            [["承办单位", "受理", "环比", "同比", "办结", "平均小时", "环比", "同比", "中位小时"]]
            + [_handling(row) for row in data.department_rows()],
            widths=[n * mm for n in (46, 12, 18, 18, 12, 17, 16, 16, 17)],
        ),
        Spacer(1, 3 * mm),
        w.paragraph("主要指标与上期（环比）、上年同期（同比）比较，单位：百分点"),
        w.table(
            [changes] + [department_changes(data, d, f) for d, f in data.departments],
            widths=[50 * mm] + [15 * mm, 12.5 * mm, 12.5 * mm] * 3,
        ),
        w.paragraph(
            f"期限在本期内、未按期办结的工单 {late_count} 件"
            + (f"（按期限先后列出前 {len(late)} 件）" if late else "")
        ),
    ]
    if late:
        story.append(_late(data, w))
    return story


def _late(data: ReportData, w: Writer) -> Table:
    """The first orders that ran late, by deadline, with their escalation level."""

    def local(at: datetime) -> str:
        return f"{at.astimezone(ZoneInfo(data.timezone)):%m-%d %H:%M}"

    header = ["工单编号", "承办单位", "诉求分类", "办理期限", "办结时间", "级别"]
    rows = [
        [
            o.number,
            o.department or "—",
            o.category,
            local(o.due_at),
            local(o.closed_at) if o.closed_at else "未办结",
            chinese(Level, o.escalation_level, str(o.escalation_level)),
        ]
        for o in data.late[1]
    ]
    widths = [30 * mm, 52 * mm, 28 * mm, 24 * mm, 24 * mm, 16 * mm]
    return w.table([header, *rows], widths=widths, numbers_from=len(header))
