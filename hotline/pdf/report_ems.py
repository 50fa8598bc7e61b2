"""The report PDF's 120 statistics: totals, dispatchers, the interval chain, complaints,
diagnoses, hospitals, hours and weekdays, vehicles, each against 环比 and 同比. The cells
come from `services/ems/statistics_report` (as on the director's page); this module only
names the rows in Chinese and draws the charts."""

from flask_babel import force_locale
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer

from hotline.core.ems.intervals import Link
from hotline.core.ems.totals import Total
from hotline.labels import chinese
from hotline.labels.ems_codes import complaint_label, diagnosis_label
from hotline.labels.ems_statistics import WEEKDAY_LABELS
from hotline.pdf import charts
from hotline.pdf.layout import Writer
from hotline.services.ems import statistics_report as rows
from hotline.services.ems.statistics_report import Statistics

COMPARED = ["本期", "环比", "同比"]
LINKED = "联动（其他中心）"
NOT_RECORDED = "未填写"


def _weekday(day: int) -> str:
    with force_locale("zh"):
        return str(WEEKDAY_LABELS[day])


def _coded(label, code: str) -> str:
    with force_locale("zh"):
        return label(code) if code else NOT_RECORDED


def _table(w: Writer, header: list[str], body: list[list[str]], widths: list[float]) -> list:
    empty = [["—"] + [""] * (len(header) - 1)]
    return [w.table([header, *(body or empty)], widths=[n * mm for n in widths])]


def statistics(s: Statistics | None, w: Writer) -> list:
    """The director's statistics of the report's period, or nothing without them."""
    if s is None:
        return []
    return [
        w.paragraph("（一）总量（按呼救时间统计本期事件；环比为上期，同比为上年同期）"),
        *_table(
            w,
            ["指标", *COMPARED],
            [[chinese(Total, k), *c] for k, c in rows.totals(s)],
            [62, 22, 38, 38],
        ),
        Spacer(1, 3 * mm),
        w.paragraph("（二）调度员（接警、派车车次；呼救到派车，单位：秒）"),
        *_table(
            w,
            ["调度员", "接警", "环比", "同比", "派车", "环比", "同比", "中位数", "P90", "P95"],
            [[rows.dispatcher_name(s, k) or LINKED, *c] for k, c in rows.dispatchers(s)],
            [28, 11, 22, 22, 11, 22, 22, 12, 12, 12],
        ),
        Spacer(1, 3 * mm),
        *_chain(s, w),
        *_counted(s, w),
        *_when(s, w),
        w.paragraph(
            "（八）车辆出车与行驶里程（按GPS轨迹计算，剔除隐含速度超过200公里/小时的漂移点）"
        ),
        *_table(
            w,
            ["车辆", "车次", "环比", "同比", "公里", "环比", "同比"],
            [[k, *c] for k, c in rows.vehicles(s)],
            [30, 14, 30, 30, 16, 27, 27],
        ),
    ]


def _chain(s: Statistics, w: Writer) -> list:
    header = ["区间", "件数"] + [
        h for name in ("中位数", "P90", "P95") for h in (name, "环比", "同比")
    ]
    return [
        w.paragraph("（三）时间链（每起事件首辆派出车辆；单位：秒；环比、同比为与基期之差）"),
        *_table(
            w,
            header,
            [[chinese(Link, k), *c] for k, c in rows.links(s)],
            [40, 11] + [14, 13, 13] * 3,
        ),
        Spacer(1, 3 * mm),
    ]


def _counted(s: Statistics, w: Writer) -> list:
    widths = [70, 18, 36, 36]
    return [
        w.paragraph("（四）主诉分类（患者人数）"),
        *_table(
            w,
            ["主诉分类", *COMPARED],
            [[_coded(complaint_label, k), *c] for k, c in rows.complaints(s)],
            widths,
        ),
        Spacer(1, 3 * mm),
        w.paragraph("（五）初步诊断（患者人数）"),
        *_table(
            w,
            ["初步诊断", *COMPARED],
            [[_coded(diagnosis_label, k), *c] for k, c in rows.diagnoses(s)],
            widths,
        ),
        Spacer(1, 3 * mm),
        w.paragraph("（六）送往医院（车次）"),
        *_table(w, ["医院", *COMPARED], [[k, *c] for k, c in rows.hospitals(s)], widths),
        Spacer(1, 3 * mm),
    ]


def _when(s: Statistics, w: Writer) -> list:
    hours, days = rows.hours(s), rows.weekdays(s)
    hour_chart = charts.bar([f"{h}" for h, _c in hours], [int(c[0]) for _h, c in hours], w.font)
    day_names = [_weekday(d) for d, _c in days]
    day_chart = charts.bar(day_names, [int(c[0]) for _d, c in days], w.font)
    return [
        KeepTogether([w.paragraph("（七）按呼救时段（时）"), hour_chart]),
        *_table(
            w,
            ["时段", *COMPARED],
            [[f"{h:02d}:00", *c] for h, c in hours],
            [40, 22, 40, 40],
        ),
        KeepTogether([w.paragraph("按星期"), day_chart]),
        *_table(
            w,
            ["星期", *COMPARED],
            [[name, *c] for name, (_d, c) in zip(day_names, days, strict=True)],
            [40, 22, 40, 40],
        ),
        Spacer(1, 3 * mm),
    ]
