"""Labels of reports: period kinds."""

from flask_babel import lazy_gettext as _l

from hotline.core.reports.periods import PeriodKind
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
