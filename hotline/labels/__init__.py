"""The one label source: every code the core and services use, as translatable text.

Labels are registered per enum (`registry.register`), so pages, PDFs, CSV and XLSX read the
same words; `chinese()` gives them in Chinese for the reports whatever the user's language.
The `*_LABELS` dicts are keyed by stored value, for templates.
"""

from hotline.labels.accounts import ROLE_LABELS, SECURITY_KIND_LABELS
from hotline.labels.deadlines import (
    EXTENSION_STATE_LABELS,
    LEVEL_LABELS,
    NOTICE_STATE_LABELS,
    PRIORITY_LABELS,
    UNIT_LABELS,
)
from hotline.labels.ems import (
    BOOKING_STATE_LABELS,
    CAPABILITY_LABELS,
    INCIDENT_ACTION_LABELS,
    INCIDENT_STATE_LABELS,
    STAMP_LABELS,
    VEHICLE_STATUS_LABELS,
    WITHDRAW_LABELS,
)
from hotline.labels.ems_patients import (
    ENTRY_KIND_LABELS,
    FLAG_LABELS,
    HISTORY_EXPORT_LABELS,
    PHASE_LABELS,
    REFUSAL_LABELS,
    SEX_LABELS,
)
from hotline.labels.ems_statistics import (
    LINK_LABELS,
    STAMP_POINT_LABELS,
    TOTAL_LABELS,
    WEEKDAY_LABELS,
)
from hotline.labels.errors import ERROR_LABELS
from hotline.labels.kb import ARTICLE_ACTION_LABELS, ARTICLE_STATE_LABELS, KB_EVENT_LABELS
from hotline.labels.operations import HEALTH_CHECK_LABELS
from hotline.labels.orders import (
    ACTION_LABELS,
    ARBITRATION_LABELS,
    CHANNEL_LABELS,
    KIND_LABELS,
    REASON_LABELS,
    STATE_LABELS,
    TASK_ACTION_LABELS,
    TASK_KIND_LABELS,
    TASK_STATE_LABELS,
    TYPE_LABELS,
)
from hotline.labels.places import MATCH_KIND_LABELS, PLACE_IMPORT_ERRORS, PLACE_KIND_LABELS
from hotline.labels.registry import chinese, label, label_of, register, registered
from hotline.labels.reports import KEY_FIGURE_LABELS, PERIOD_LABELS
from hotline.labels.surveys import (
    ATTITUDE_LABELS,
    OUTCOME_LABELS,
    SATISFACTION_LABELS,
    SURVEY_STATE_LABELS,
)
from hotline.labels.telephony import (
    AGENT_STATE_LABELS,
    CALL_EVENT_LABELS,
    CALL_OUTCOME_LABELS,
    CALL_STATE_LABELS,
    SKILL_LABELS,
)

__all__ = [
    "ENTRY_KIND_LABELS",
    "FLAG_LABELS",
    "HISTORY_EXPORT_LABELS",
    "PHASE_LABELS",
    "REFUSAL_LABELS",
    "SEX_LABELS",
    "LINK_LABELS",
    "STAMP_POINT_LABELS",
    "TOTAL_LABELS",
    "WEEKDAY_LABELS",
    "AGENT_STATE_LABELS",
    "CALL_EVENT_LABELS",
    "CALL_OUTCOME_LABELS",
    "CALL_STATE_LABELS",
    "SKILL_LABELS",
    "ARTICLE_ACTION_LABELS",
    "ARTICLE_STATE_LABELS",
    "HEALTH_CHECK_LABELS",
    "NOTICE_STATE_LABELS",
    "KB_EVENT_LABELS",
    "ACTION_LABELS",
    "ARBITRATION_LABELS",
    "BOOKING_STATE_LABELS",
    "EXTENSION_STATE_LABELS",
    "ATTITUDE_LABELS",
    "CAPABILITY_LABELS",
    "CHANNEL_LABELS",
    "ERROR_LABELS",
    "INCIDENT_ACTION_LABELS",
    "INCIDENT_STATE_LABELS",
    "KEY_FIGURE_LABELS",
    "KIND_LABELS",
    "LEVEL_LABELS",
    "OUTCOME_LABELS",
    "MATCH_KIND_LABELS",
    "PERIOD_LABELS",
    "PLACE_IMPORT_ERRORS",
    "PLACE_KIND_LABELS",
    "PRIORITY_LABELS",
    "REASON_LABELS",
    "ROLE_LABELS",
    "SATISFACTION_LABELS",
    "SECURITY_KIND_LABELS",
    "STAMP_LABELS",
    "STATE_LABELS",
    "SURVEY_STATE_LABELS",
    "TASK_ACTION_LABELS",
    "TASK_KIND_LABELS",
    "TASK_STATE_LABELS",
    "TYPE_LABELS",
    "UNIT_LABELS",
    "VEHICLE_STATUS_LABELS",
    "WITHDRAW_LABELS",
    "chinese",
    "error_text",
    "label",
    "label_of",
    "register",
    "registered",
]


def error_text(code: str) -> str:
    """A translated message for an error code (the code itself if unknown)."""
    text = ERROR_LABELS.get(code)
    return str(text) if text is not None else code
