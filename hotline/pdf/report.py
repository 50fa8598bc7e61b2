"""The statistics report as a PDF, in Chinese, with the CJK font embedded.

Cover, key figures, then volume (by type and channel with 环比/同比, bar and line charts),
what people called about (top categories, hot issues, districts with a choropleth map),
departments, surveys (with callers' words, never their identity) and 120.
"""

import statistics
from datetime import datetime
from io import BytesIO
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from hotline.core.reports import kpi
from hotline.pdf import charts
from hotline.pdf.fonts import cjk_font
from hotline.services.reports.bases import Compared, compare
from hotline.services.reports.data import UNASSIGNED, ReportData

TYPES = {"complaint": "投诉", "tip_off": "举报", "inquiry": "咨询", "suggestion": "建议",
         "help": "求助", "praise": "表扬"}  # fmt: skip
CHANNELS = {"phone": "电话", "web": "网站", "letter": "信件", "email": "电子邮件", "sms": "短信",
            "app": "APP", "api": "接口"}  # fmt: skip


def _styles(font: str) -> dict[str, ParagraphStyle]:
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=24, leading=32, alignment=1),
        "h1": ParagraphStyle("h1", fontName=font, fontSize=15, leading=22, spaceBefore=8),
        "body": ParagraphStyle("body", fontName=font, fontSize=10, leading=15, wordWrap="CJK"),
    }


def _table(rows: list[list], font: str, widths=None, numbers_from: int = 1) -> Table:
    """A table whose header row repeats on every page; cells are plain strings (no markup).
    Columns from `numbers_from` on hold figures and are right-aligned."""
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e2e8f0")),
        ("ALIGN", (numbers_from, 1), (-1, -1), "RIGHT"),
    ]))  # fmt: skip
    return table


def _change(value: kpi.Change) -> str:
    return f"{value.difference:+g}（{value.percent()}）"


def _compared_row(label: str, value: Compared) -> list[str]:
    return [label, f"{value.current:g}", _change(value.previous), _change(value.year_earlier)]


def render(data: ReportData, title: str, scope_label: str, generated_at: datetime) -> bytes:
    """The report as PDF bytes; every text from the database is escaped or a plain cell."""
    font = cjk_font()
    styles = _styles(font)
    buffer = BytesIO()
    period = f"{data.period.start:%Y年%m月%d日} 至 {data.period.end:%Y年%m月%d日}"

    def number_pages(canvas, doc) -> None:
        canvas.setFont(font, 8)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"第 {doc.page} 页")

    doc = SimpleDocTemplate(buffer, pagesize=A4, title=title, author="12345/120 热线系统",
                            leftMargin=18 * mm, rightMargin=18 * mm)  # fmt: skip
    o = data.overall
    story = [
        Spacer(1, 60 * mm),
        Paragraph(escape(title), styles["title"]),
        Paragraph(escape(period), styles["title"]),
        Paragraph(escape(scope_label), styles["body"]),
        Paragraph(escape(f"生成时间 {generated_at:%Y-%m-%d %H:%M}"), styles["body"]),
        PageBreak(),
        Paragraph("关键指标", styles["h1"]),
        _table([
            ["指标", "本期", "环比", "同比"],
            _compared_row("受理工单", data.orders),
            *[[label, getattr(o, rate).percent(),
               *(_points(getattr(o, rate), getattr(base, rate)) for base in data.overall_bases)]
              for label, rate in KEY_RATES],
            ["120 事件", str(data.ems.incidents), "", ""],
            ["3分钟内派车", data.ems.dispatched_in_target.percent(), "", ""],
        ], font),  # fmt: skip
        Paragraph("一、受理量", styles["h1"]),
        _table([["类型", "本期", "环比", "同比"]]
               + [_compared_row(TYPES.get(t, t), v) for t, v in data.by_type.items()], font),
        Spacer(1, 4 * mm),
        charts.bar([TYPES.get(t, t) for t in data.volume.by_type],
             list(data.volume.by_type.values()), font),
        _table([["渠道", "工单数"]] + [[CHANNELS.get(c, c), str(n)]
                                       for c, n in sorted(data.volume.by_channel.items())], font),
        KeepTogether([
            Paragraph("每日受理量", styles["body"]),
            charts.line([f"{d:%m-%d}" for d in sorted(data.volume.daily)],
                  [data.volume.daily[d] for d in sorted(data.volume.daily)], font),
        ]),
        *_topics(data, styles, font),
        *_departments(data, styles, font),
        *_surveys(data, styles, font),
        Paragraph("五、120 急救调度", styles["h1"]),
        _table([["分级", "事件数"]] + [[f"{level} 级", str(n)]
                                       for level, n in sorted(data.ems.by_triage.items())], font),
        Paragraph(escape(_ems_text(data)), styles["body"]),
    ]  # fmt: skip
    doc.build(story, onFirstPage=number_pages, onLaterPages=number_pages)
    return buffer.getvalue()


def _topics(data: ReportData, styles, font: str) -> list:
    """二、诉求内容: top categories, hot issues, districts with the choropleth map."""
    volume, before, year = data.volume, data.previous_volume, data.year_volume
    top = sorted(volume.by_category.items(), key=lambda item: (-item[1], item[0]))[:10]
    districts = sorted(volume.by_district.items(), key=lambda item: (-item[1], item[0]))
    per_people = bool(districts) and all(name in data.populations for name, _ in districts)
    if per_people:
        values = {n: c * 10000 / data.populations[n] for n, c in volume.by_district.items()}
        unit = "件/万人"
    else:
        values, unit = dict(volume.by_district), "件"
    return [
        Paragraph("二、诉求内容", styles["h1"]),
        _table([["诉求分类（前十）", "本期", "环比", "同比"]] + [
            _compared_row(name, compare(n, before.by_category.get(name, 0),
                                        year.by_category.get(name, 0)))
            for name, n in top
        ], font, widths=[62 * mm, 22 * mm, 38 * mm, 38 * mm]),
        Spacer(1, 3 * mm),
        _table([["热点诉求（较上期增加最多）", "本期", "较上期增加"]] + [
            [name, f"{c.current:g}", _change(c.previous)] for name, c in data.hot
        ], font, widths=[82 * mm, 30 * mm, 48 * mm]),
        Spacer(1, 3 * mm),
        KeepTogether([
            Paragraph(escape(f"各区受理量（{unit}）"), styles["body"]),
            charts.choropleth(data.shapes, values, font, unit),
        ]),
        _table([["区", "本期", "环比", "同比"]] + [
            _compared_row(name, compare(n, before.by_district.get(name, 0),
                                        year.by_district.get(name, 0)))
            for name, n in districts
        ], font),
    ]  # fmt: skip


LEVELS = {0: "—", 1: "临期预警", 2: "催办", 3: "督办", 4: "领导督办"}


KEY_RATES = [("响应率", "response"), ("按时办结率", "on_time"), ("解决率", "resolution"),
             ("满意率", "satisfaction"), ("回访率", "survey")]  # fmt: skip
DEPARTMENT_RATES = [("满意率", "satisfaction"), ("按时办结", "on_time"), ("响应率", "response")]
# Every rate of a department, for the sheets (the PDF page has room for three).
ALL_DEPARTMENT_RATES = [
    *DEPARTMENT_RATES, ("解决率", "resolution"), ("回访率", "survey"), ("办结率", "completion"),
    ("退单率", "returned"), ("重办率", "reopen"),
]  # fmt: skip


def _points(now: kpi.Rate, then: kpi.Rate, unit: str = "个百分点") -> str:
    value = kpi.points(now, then)
    return "n/a" if value is None else f"{value:+.1f}{unit}"


def _hours_change(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1f}"


def department_changes(
    data: ReportData, department, figures: kpi.Figures, rates=DEPARTMENT_RATES
) -> list[str]:
    """A department's rates with their changes in percentage points (PDF and sheets)."""
    key = department.id if department else None
    row = [department.name if department else UNASSIGNED]
    for _label, rate in rates:
        now = getattr(figures, rate)
        row.append(now.percent())
        for bases in data.department_bases:
            then = bases.get(key)
            row.append("n/a" if then is None else _points(now, getattr(then, rate), ""))
    return row


def _departments(data: ReportData, styles, font: str) -> list:
    """三、承办单位: rates ranked, handling times, and the orders that ran late."""

    def hours(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.1f}"

    late_count, late = data.late
    story = [
        Paragraph("三、承办单位", styles["h1"]),
        _table([["承办单位", "受理", "响应率", "按时办结率", "解决率", "满意率", "退单率",
                 "重办率"]] + [
            [d.name if d else UNASSIGNED, str(f.counts.received), f.response.percent(),
             f.on_time.percent(), f.resolution.percent(), f.satisfaction.percent(),
             f.returned.percent(), f.reopen.percent()]
            for d, f in data.departments
        ], font, widths=[48 * mm] + [18 * mm] * 7),
        Spacer(1, 3 * mm),
        # Handling time from dispatch to closure of the orders closed in the period, in hours.
        _table([["承办单位", "受理", "环比", "同比", "办结", "平均小时", "环比", "同比",
                 "中位小时"]] + [
            [row.name, f"{row.received.current:g}", row.received.previous.percent(),
             row.received.year_earlier.percent(), str(h.closed) if h else "0",
             hours(h.average_hours if h else None),
             *(_hours_change(row.average_change(base))
               for base in (row.handling_before, row.handling_year)),
             "n/a" if h is None or h.median_hours is None else str(h.median_hours)]
            for row in data.department_rows()
            for h in [row.handling]
        ], font, widths=[46 * mm, 12 * mm, 18 * mm, 18 * mm, 12 * mm, 17 * mm, 16 * mm,
                         16 * mm, 17 * mm]),
        Spacer(1, 3 * mm),
        Paragraph("主要指标与上期（环比）、上年同期（同比）比较，单位：百分点", styles["body"]),
        _table([["承办单位", *(h for name, _ in DEPARTMENT_RATES for h in (name, "环比", "同比"))]]
               + [department_changes(data, d, f) for d, f in data.departments],
               font, widths=[50 * mm] + [15 * mm, 12.5 * mm, 12.5 * mm] * 3),
        Paragraph(escape(f"期限在本期内、未按期办结的工单 {late_count} 件"
                         + (f"（按期限先后列出前 {len(late)} 件）" if late else "")),
                  styles["body"]),
    ]  # fmt: skip
    if late:
        header = ["工单编号", "承办单位", "诉求分类", "办理期限", "办结时间", "级别"]
        story.append(_table([header] + [
            [o.number, o.department or "—", o.category, _local(o.due_at, data),
             _local(o.closed_at, data) if o.closed_at else "未办结",
             LEVELS.get(o.escalation_level, str(o.escalation_level))]
            for o in late
        ], font, widths=[30 * mm, 52 * mm, 28 * mm, 24 * mm, 24 * mm, 16 * mm],
           numbers_from=len(header)))  # fmt: skip
    return story


def _local(at: datetime, data: ReportData) -> str:
    return f"{at.astimezone(ZoneInfo(data.timezone)):%m-%d %H:%M}"


def _surveys(data: ReportData, styles, font: str) -> list:
    """四、回访: rates, the satisfaction breakdown and the callers' words (no caller data)."""
    o = data.overall
    c = o.counts
    labels = {"satisfied": "满意", "basic": "基本满意", "dissatisfied": "不满意"}
    rows = [["回访", "数量"], ["应回访", str(c.surveys_planned)],
            ["已回访", str(c.surveys_made)],
            ["有效回访", str(c.valid_answers)], ["满意", str(c.satisfied)],
            ["基本满意", str(c.basically_satisfied)], ["不满意", str(c.dissatisfied)],
            ["回访率", o.survey.percent()], ["满意率", o.satisfaction.percent()],
            ["解决率", o.resolution.percent()]]  # fmt: skip
    story = [Paragraph("四、回访", styles["h1"]), _table(rows, font)]
    if data.comments:
        story.append(Paragraph("来电人意见摘录", styles["body"]))
        for comment in data.comments:
            verdict = labels.get(comment.satisfaction or "", "—")
            resolved = "已解决" if comment.resolved else "未解决"
            text = f"［{verdict}，{resolved}］{comment.comment[:200]}"
            story.append(Paragraph(escape(text), styles["body"]))
    return story


def _ems_text(data: ReportData) -> str:
    e = data.ems

    def seconds(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.0f} 秒"

    return (
        f"呼救到派车：中位数 {seconds(e.median_to_dispatch)}，90百分位 "
        f"{seconds(e.percentile(e.to_dispatch, 0.9))}，95百分位 "
        f"{seconds(e.percentile(e.to_dispatch, 0.95))}；3分钟内派车 "
        f"{e.dispatched_in_target.percent()}（目标95%）。派车到达现场：中位数 "
        f"{seconds(statistics.median(e.to_scene) if e.to_scene else None)}，90百分位 "
        f"{seconds(e.percentile(e.to_scene, 0.9))}。车辆利用率（出车至恢复可用的时间占全部车辆"
        f"时间）{e.utilisation.percent()}。"
    )
