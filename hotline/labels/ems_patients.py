"""Labels of the 120 patient record (院前急救病历) and of the incident history's export: the
hospital desk, the printed record and the CSV read the same words. The record's choices are
tuples in `hotline.core.ems.patients`, not enums, so these are plain dicts keyed by value."""

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from hotline.labels.ems import CAPABILITY_LABELS

SEX_LABELS = {"male": _l("Male"), "female": _l("Female"), "unknown": _l("Sex unknown")}
REFUSAL_LABELS = {
    "": _l("None"),
    "treatment": _l("Refused treatment"),
    "transport": _l("Refused transport"),
}
ENTRY_KIND_LABELS = {
    "vitals": _l("Vital signs"),
    "treatment": _l("Treatment"),
    "medication": _l("Medication"),
}
PHASE_LABELS = {"scene": _l("at the scene"), "transport": _l("in transport")}
# The pre-alert flags (core/ems/codes.flags) are the receiving centres' capabilities.
FLAG_LABELS = {flag: CAPABILITY_LABELS[flag] for flag in ("chest_pain", "stroke")}

# The incident history's CSV columns (services/ems/statistics_search.export), in order;
# the chief complaint's column is added for those who may read medical data.
HISTORY_EXPORT_LABELS = {
    "number": _l("Incident number"),
    "called_at": _l("Call time"),
    "district": _l("District"),
    "triage": _l("Triage level"),
    "outcome": _l("Outcome"),
    "withdraw_reason": _l("Withdrawal reason"),
    "vehicles": _l("Vehicles"),
    "hospitals": _l("Destination hospital"),
    "complaint_codes": _l("Complaint category"),
    "source": _l("Linked source"),
    "complaint": _l("Chief complaint"),
}


def chinese_of(labels: dict, value: str) -> str:
    """The value's label in Chinese whatever the user's language (for the printed record and
    the CSV, which are Chinese); the value itself without a label."""
    with force_locale("zh"):
        return str(labels[value]) if value in labels else value
