"""Labels of deadlines: priorities, time-limit units, escalation levels."""

from flask_babel import lazy_gettext as _l

from hotline.core.deadlines.escalation import Level
from hotline.core.deadlines.extensions import ExtensionState
from hotline.core.deadlines.limits import LimitUnit, Priority
from hotline.core.deadlines.notices import NoticeState
from hotline.labels.registry import register

PRIORITY_LABELS = register(
    Priority,
    {
        "normal": _l("Normal"),
        "urgent": _l("Urgent"),
    },
)


UNIT_LABELS = register(
    LimitUnit,
    {
        "working_days": _l("working days"),
        "working_hours": _l("working hours"),
        "calendar_days": _l("calendar days"),
        "calendar_hours": _l("hours"),
    },
)


LEVEL_LABELS = register(
    Level,
    {
        0: _l("Not escalated"),
        1: _l("Deadline near"),
        2: _l("Reminded (overdue)"),
        3: _l("Under supervision"),
        4: _l("Raised to officials"),
    },
)


NOTICE_STATE_LABELS = register(
    NoticeState,
    {
        "open": _l("Waiting for the unit's answer"),
        "answered": _l("Answered"),
        "escalated": _l("Overdue: raised to officials"),
        "withdrawn": _l("Withdrawn: the order left the unit"),
    },
)

EXTENSION_STATE_LABELS = register(
    ExtensionState,
    {
        "pending": _l("Waiting for a decision"),
        "approved": _l("Extension approved"),
        "refused": _l("Extension refused"),
    },
)
