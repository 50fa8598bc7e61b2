"""The report PDF's 话务 section: the phone line's figures of the period against its 环比
and 同比 periods, then per queue, per agent and per hour (citywide reports, when the line
has calls on record)."""

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from hotline.core.telephony import figures
from hotline.core.telephony.agents import Skill
from hotline.core.telephony.figures import CallFigure
from hotline.core.telephony.line import SUPERVISOR_QUEUE
from hotline.labels import chinese
from hotline.pdf.layout import Writer
from hotline.services.telephony.figures import CallReport

F = CallFigure
QUEUE_COLUMNS = [F.OFFERED, F.ANSWERED, F.ABANDONED, F.ANSWER_RATE, F.SERVICE_LEVEL]
QUEUE_COLUMNS += [F.ABANDON_RATE, F.SPEED_OF_ANSWER, F.TALK]
AGENT_COLUMNS = [F.ANSWERED, F.SPEED_OF_ANSWER, F.TALK, F.AFTER_CALL, F.HANDLING]
SHORT = {  # column headers where the full label does not fit
    F.OFFERED: "呼入",
    F.ANSWERED: "接通",
    F.ABANDONED: "放弃",
    F.ANSWER_RATE: "接通率",
    F.SERVICE_LEVEL: "15秒接通率",
    F.ABANDON_RATE: "放弃率",
    F.SPEED_OF_ANSWER: "平均应答秒",
    F.TALK: "平均通话秒",
    F.AFTER_CALL: "平均话后秒",
    F.HANDLING: "平均处理秒",
}


def has_calls(report: CallReport | None) -> bool:
    """Whether the line has any call on record in the period or its two bases."""
    if report is None:
        return False
    breakdowns = (report.current, report.previous, report.year_earlier)
    return any(b.by_queue for b in breakdowns)


def change(
    now: figures.CallFigures, then: figures.CallFigures, figure: CallFigure, unit: bool = True
) -> str:
    """The change in the report's words: counts as they are, rates in 个百分点, times in 秒
    (`unit` False: the table's header names it)."""
    text = figures.change(now, then, figure).replace(" (", "（").replace(")", "）")
    if text == "n/a" or figure in figures.COUNTS or not unit:
        return text
    return text + ("个百分点" if figure in figures.RATES else "秒")


def queue_name(queue: str) -> str:
    """A queue's name in Chinese."""
    return chinese(Skill, queue, "值班长（锁定号码）" if queue == SUPERVISOR_QUEUE else queue)


def _header(columns: list[CallFigure]) -> list[str]:
    return [SHORT.get(f, chinese(CallFigure, f)) for f in columns]


def calls(report: CallReport | None, w: Writer, number: str = "七") -> list:
    """七、话务: the figures with 环比 and 同比, by queue, by agent and by hour."""
    if report is None or not has_calls(report):
        return []
    now, before, year = report.current.whole, report.previous.whole, report.year_earlier.whole
    overall = [
        [chinese(CallFigure, f), figures.text(now, f), change(now, before, f), change(now, year, f)]
        for f in CallFigure
    ]
    queues = [
        [queue_name(q), *(figures.text(found, f) for f in QUEUE_COLUMNS)]
        for q, found, _qb, _qy in report.queue_rows()
    ]
    queue_changes = [
        [queue_name(q)]
        + [
            cell
            for f in (F.ANSWER_RATE, F.SERVICE_LEVEL)
            for cell in (
                figures.text(found, f),
                change(found, qb, f, False),
                change(found, qy, f, False),
            )
        ]
        for q, found, qb, qy in report.queue_rows()
    ]
    agents = [
        [name, *(figures.text(a, f) for f in AGENT_COLUMNS[:1])]
        + [a.answered_in_target.percent(), *(figures.text(a, f) for f in AGENT_COLUMNS[1:])]
        for name, a in report.agent_rows()
    ] or [["—", "0", "n/a", "n/a", "n/a", "n/a", "n/a"]]
    hours = [
        [f"{hour:02d}时", *(figures.text(h, f) for f in QUEUE_COLUMNS)]
        for hour, h in report.current.by_hour.items()
    ]
    counts = now.counts
    return [
        w.paragraph(f"{number}、话务", "h1"),
        w.paragraph(
            "呼入量为进入排队的来电（含队列满被拒接的来电，不含等待不足规定秒数即挂断的短时放弃）；"
            "接通率 = 接通量 / 呼入量；15秒接通率 = 进入排队后15秒内接通的来电 / 呼入量；"
            "放弃率 = 放弃量 / 呼入量；平均应答时长自进入排队起算；话后处理时长按设定值计。"
            f"本期短时放弃 {counts.short_abandons} 次，队列满拒接 {counts.rejected} 次。"
        ),
        w.table([["指标", "本期", "环比", "同比"], *overall], widths=[50 * mm] + [38 * mm] * 3),
        Spacer(1, 3 * mm),
        w.paragraph("各队列"),
        w.table(
            [["队列", *_header(QUEUE_COLUMNS)], *queues],
            widths=[24 * mm] + [11 * mm] * 3 + [19 * mm] * 5,
        ),
        w.paragraph("各队列接通率、15秒接通率与环比、同比（单位：个百分点）"),
        w.table(
            [["队列", "接通率", "环比", "同比", "15秒接通率", "环比", "同比"], *queue_changes],
            widths=[30 * mm] + [22 * mm] * 6,
        ),
        Spacer(1, 3 * mm),
        w.paragraph("各坐席（坐席接通的来电；15秒内为其接通来电中15秒内接通的比例）"),
        w.table(
            [["坐席", "接通", "15秒内", *_header(AGENT_COLUMNS[1:])], *agents],
            widths=[46 * mm] + [19 * mm] * 6,
        ),
        Spacer(1, 3 * mm),
        w.paragraph("各时段（按进入排队的时刻）"),
        w.table(
            [["时段", *_header(QUEUE_COLUMNS)], *hours],
            widths=[24 * mm] + [11 * mm] * 3 + [19 * mm] * 5,
        ),
    ]
