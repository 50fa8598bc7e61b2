"""Labels of reports: period kinds, key figures, why a 街乡镇 is not ranked."""

from flask_babel import lazy_gettext as _l

from hotline.core.reports.kpi import KeyFigure
from hotline.core.reports.periods import PeriodKind
from hotline.core.reports.ranking import Unranked
from hotline.labels.registry import register

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
