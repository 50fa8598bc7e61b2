"""The report PDF's sections on what people called about, the 街乡镇 ranking, the assisting
units, the surveys and 120."""

import statistics
from datetime import datetime
from zoneinfo import ZoneInfo

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer

from hotline.core.reports import ranking
from hotline.core.reports.kpi import KeyFigure
from hotline.core.reports.ranking import Ranked, Unranked
from hotline.core.surveys.rules import Satisfaction
from hotline.labels import chinese
from hotline.pdf import charts, report_ems
from hotline.pdf.layout import Writer, change, compared_row
from hotline.services.reports.bases import compare
from hotline.services.reports.data import ReportData
from hotline.services.reports.scope import CITYWIDE
from hotline.services.reports.streets import AssistRow


def topics(data: ReportData, w: Writer) -> list:
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

    def rows(pairs: list[tuple[str, int]], attribute: str) -> list[list[str]]:
        then, last_year = getattr(before, attribute), getattr(year, attribute)
        return [
            compared_row(name, compare(n, then.get(name, 0), last_year.get(name, 0)))
            for name, n in pairs
        ]

    hot = [[name, f"{c.current:g}", change(c.previous)] for name, c in data.hot]
    return [
        w.paragraph("二、诉求内容", "h1"),
        w.table(
            [["诉求分类（前十）", "本期", "环比", "同比"], *rows(top, "by_category")],
            widths=[62 * mm, 22 * mm, 38 * mm, 38 * mm],
        ),
        Spacer(1, 3 * mm),
        w.table(
            [["热点诉求（较上期增加最多）", "本期", "较上期增加"], *hot],
            widths=[82 * mm, 30 * mm, 48 * mm],
        ),
        Spacer(1, 3 * mm),
        KeepTogether(
            [
                w.paragraph(f"各区受理量（{unit}）"),
                charts.choropleth(data.shapes, values, w.font, unit),
            ]
        ),
        w.table([["区", "本期", "环比", "同比"], *rows(districts, "by_district")]),
        Spacer(1, 3 * mm),
        w.table(repeat_calls(data)),
    ]


def repeat_calls(data: ReportData) -> list[list[str]]:
    """重复来电: calls linked to an open order (追加诉求) against both bases (重复来电率 is
    among the key figures)."""
    o, bases = data.overall, data.overall_bases
    follow_ups = compare(o.counts.follow_ups, *(base.counts.follow_ups for base in bases))
    return [["重复来电", "本期", "环比", "同比"], compared_row("追加诉求来电", follow_ups)]


STREETS_HEADER = ["排名", "区", "街乡镇", "响应率", "解决率", "满意率", "综合", "受理"]
ASSISTS_HEADER = [
    "协办单位",
    "收到",
    "其中吹哨",
    "24小时内签收",
    "按期答复",
    "拒绝",
    "超期未办",
    "撤回",
]
# The report lists this many assisting units (most tasks first); the sheets list them all.
ASSIST_ROWS = 30


def street_row(row: Ranked) -> list[str]:
    """A 街乡镇's place, the three rates, their average and its orders (PDF and sheets)."""
    unit = row.unit
    place = str(row.rank) if row.rank is not None else chinese(Unranked, row.unranked, "—")
    rates = (unit.response, unit.resolution, unit.satisfaction)
    return [
        place,
        unit.district,
        unit.name,
        *(rate.percent() for rate in rates),
        row.composite_percent,
        str(unit.orders),
    ]


def assist_row(row: AssistRow) -> list:
    """An assisting unit's 协办 tasks and what became of them (PDF and sheets)."""
    return [
        row.department.name,
        row.received,
        row.whistles,
        row.responded_in_time,
        row.replied_on_time,
        row.declined,
        row.open_past_due,
        row.withdrawn,
    ]


def streets(data: ReportData, w: Writer) -> list:
    """街乡镇排名 by the average of 响应率, 解决率 and 满意率 (ties: 解决率, then 满意率): the
    first and last ten (all when few), then the unranked; and the assisting units."""
    rows = data.streets
    ranked = [r for r in rows if r.rank is not None]
    if len(rows) <= 2 * ranking.ENDS:
        shown = [street_row(r) for r in rows]
    else:
        top, bottom = ranking.ends(rows)
        gap = [["…", "", "", "", "", "", "", ""]] if bottom else []
        shown = [street_row(r) for r in top] + gap + [street_row(r) for r in bottom]
    left_out = len(rows) - len(ranked)
    note = (
        f"参与排名的街乡镇 {len(ranked)} 个，按响应率、解决率、满意率的平均值排名，"
        f"相同时依次比较解决率、满意率；本期受理少于 {data.minimum_orders} 件或指标无数据的"
        f" {left_out} 个不排名。"
    )
    story = [
        Spacer(1, 3 * mm),
        w.paragraph("街乡镇“三率”排名"),
        w.table(
            [STREETS_HEADER, *shown] if shown else [STREETS_HEADER, ["—"] * 8],
            widths=[n * mm for n in (28, 18, 44, 15, 15, 15, 15, 12)],
            numbers_from=3,
        ),
        w.paragraph(note),
    ]
    return story + _assists(data, w)


def _assists(data: ReportData, w: Writer) -> list:
    """协办单位: the tasks other units asked of them, and how they answered."""
    rows = [[str(c) for c in assist_row(r)] for r in data.assists[:ASSIST_ROWS]]
    more = len(data.assists) - len(rows)
    return [
        Spacer(1, 3 * mm),
        w.paragraph("协办单位办理情况（本期收到的协办任务，主办单位的指标不含协办）"),
        w.table(
            [ASSISTS_HEADER, *rows] if rows else [ASSISTS_HEADER, ["—", *["0"] * 7]],
            widths=[n * mm for n in (46, 12, 16, 24, 18, 12, 18, 12)],
        ),
        *([w.paragraph(f"另有 {more} 个单位见报表。")] if more > 0 else []),
    ]


HOTSPOT_ROWS = 20  # the table's rows; the map numbers the same ones
HOTSPOTS_HEADER = ["序号", "类别", "区", "工单数", "首件时间", "最近时间", "状态"]


def hotspots(data: ReportData, w: Writer) -> list:
    """热点: the clusters the scheduler raised in the period, on a map and in a table."""
    shown = data.hotspots[:HOTSPOT_ROWS]
    story = [Spacer(1, 3 * mm), w.paragraph("热点（同类诉求在时空上集中）")]
    if not shown:
        return [*story, w.paragraph("本期未发现热点。")]
    rows = [
        [
            str(n),
            h.category.name,
            h.district.name if h.district else "—",
            str(h.order_count),
            f"{local(h.first_at, data.timezone):%m-%d %H:%M}",
            f"{local(h.last_at, data.timezone):%m-%d %H:%M}",
            "持续" if h.state == "open" else "已消退",
        ]
        for n, h in enumerate(shown, start=1)
    ]
    dots = [(h.lon, h.lat, h.order_count) for h in shown]
    more = len(data.hotspots) - len(shown)
    note = f"本期共发现热点 {len(data.hotspots)} 个" + (
        f"，表中列出前 {len(shown)} 个。" if more else "。"
    )
    return [
        *story,
        KeepTogether([charts.spots(data.shapes, dots, w.font)]),
        w.table(
            [HOTSPOTS_HEADER, *rows],
            widths=[n * mm for n in (12, 40, 22, 18, 26, 26, 18)],
            numbers_from=3,
        ),
        w.paragraph(note),
    ]


def surveys(data: ReportData, w: Writer) -> list:
    """四、回访: rates, the satisfaction breakdown and the callers' words (no caller data)."""
    o = data.overall
    c = o.counts
    answers = (
        (Satisfaction.SATISFIED, c.satisfied),
        (Satisfaction.BASIC, c.basically_satisfied),
        (Satisfaction.DISSATISFIED, c.dissatisfied),
    )
    rates = (KeyFigure.SURVEY, KeyFigure.SATISFACTION, KeyFigure.RESOLUTION)
    rows = [
        ["回访", "数量"],
        ["应回访", str(c.surveys_planned)],
        ["已回访", str(c.surveys_made)],
        ["有效回访", str(c.valid_answers)],
        *([chinese(Satisfaction, answer), str(n)] for answer, n in answers),
        *([chinese(KeyFigure, rate), getattr(o, rate).percent()] for rate in rates),
    ]
    story = [w.paragraph("四、回访", "h1"), w.table(rows)]
    if data.comments:
        story.append(w.paragraph("来电人意见摘录"))
        for comment in data.comments:
            verdict = chinese(Satisfaction, comment.satisfaction, "—")
            resolved = "已解决" if comment.resolved else "未解决"
            story.append(w.paragraph(f"［{verdict}，{resolved}］{comment.comment[:200]}"))
    return story


def ems(data: ReportData, w: Writer) -> list:
    """五、120 急救调度: incidents by triage level, response times, vehicle use and the
    director's statistics; citywide reports only (a district's or department's report is
    read by 12345 staff, and 120 figures belong to no district or department)."""
    if data.scope != CITYWIDE:
        return []
    e = data.ems

    def seconds(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.0f} 秒"

    text = (
        f"呼救到派车：中位数 {seconds(e.median_to_dispatch)}，90百分位 "
        f"{seconds(e.percentile(e.to_dispatch, 0.9))}，95百分位 "
        f"{seconds(e.percentile(e.to_dispatch, 0.95))}；3分钟内派车 "
        f"{e.dispatched_in_target.percent()}（目标95%）。派车到达现场：中位数 "
        f"{seconds(statistics.median(e.to_scene) if e.to_scene else None)}，90百分位 "
        f"{seconds(e.percentile(e.to_scene, 0.9))}。车辆利用率（出车至恢复可用的时间占全部车辆"
        f"时间）{e.utilisation.percent()}。"
    )
    levels = [[f"{level} 级", str(n)] for level, n in sorted(e.by_triage.items())]
    return [
        w.paragraph("五、120 急救调度", "h1"),
        w.table([["分级", "事件数"], *levels]),
        w.paragraph(text),
        *report_ems.statistics(e.statistics, w),
    ]


def knowledge(data: ReportData, w: Writer) -> list:
    """六、知识库: the articles used most to answer calls, and the questions it could not
    answer (knowledge gaps); citywide reports only."""
    kb = data.knowledge
    if kb is None:
        return []
    top = [[title, str(uses), str(views)] for title, uses, views in kb.top] or [["—", "0", "0"]]
    gaps = [[query, str(count)] for query, count in kb.gaps] or [["—", "0"]]
    return [
        w.paragraph("六、知识库", "h1"),
        w.paragraph("答复使用最多的知识条目"),
        w.table([["知识条目", "答复次数", "查看次数"], *top]),
        w.paragraph("知识缺口（未找到答案的问题）"),
        w.table([["问题", "次数"], *gaps]),
    ]


def local(moment: datetime, timezone: str) -> datetime:
    """A stored (UTC) time in the report's time zone."""
    return moment.astimezone(ZoneInfo(timezone))
