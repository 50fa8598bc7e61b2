"""Labels of reports: period kinds, key figures, why a 街乡镇 is not ranked, the phone
line's figures."""

from flask_babel import lazy_gettext as _l

from hotline.core.reports.kpi import KeyFigure
from hotline.core.reports.periods import PeriodKind
from hotline.core.reports.ranking import Unranked
from hotline.core.telephony.figures import CallFigure
from hotline.core.telephony.line import SUPERVISOR_QUEUE
from hotline.labels.registry import register
from hotline.labels.telephony import SKILL_LABELS

PERIOD_LABELS = register(
    PeriodKind,
    {
        "day": _l("Day"),
        "week": _l("Week"),
        "month": _l("Month"),
        "quarter": _l("Quarter"),
        "year": _l("Year"),
        "range": _l("Date range"),
    },
)


KEY_FIGURE_LABELS = register(
    KeyFigure,
    {
        "response": _l("Response rate"),
        "on_time": _l("On-time completion"),
        "resolution": _l("Resolution rate"),
        "satisfaction": _l("Satisfaction rate"),
        "survey": _l("Survey rate"),
        "completion": _l("Completion rate"),
        "returned": _l("Return rate"),
        "reopen": _l("Reopen rate"),
        "direct": _l("Direct closure rate"),
        "repeat": _l("Repeat-call rate"),
    },
)


UNRANKED_LABELS = register(
    Unranked,
    {
        "few_orders": _l("Not ranked: too few orders"),
        "no_rate": _l("Not ranked: a rate is n/a"),
    },
)


CALL_FIGURE_LABELS = register(
    CallFigure,
    {
        "offered": _l("Calls offered"),
        "answered": _l("Calls answered"),
        "abandoned": _l("Calls abandoned"),
        "answer_rate": _l("Answer rate"),
        "service_level": _l("Answered within 15 s"),
        "abandon_rate": _l("Abandonment rate"),
        "speed_of_answer": _l("Average speed of answer (s)"),
        "talk": _l("Average talk time (s)"),
        "after_call": _l("Average after-call work (s)"),
        "handling": _l("Average handling time (s)"),
    },
)
# The queues of the call figures: the skills, and the supervisor's queue of locked numbers.
QUEUE_LABELS = {**SKILL_LABELS, SUPERVISOR_QUEUE: _l("Supervisor (locked numbers)")}
