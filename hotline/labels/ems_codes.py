"""Labels of the patient record's coded lists: the names come from the data files (zh and en
side by side), so the label picks the column by the page's locale instead of a msgid."""

from flask import has_request_context
from flask_babel import get_locale

from hotline.core.ems import codes
from hotline.core.ems.codes import Code


def _english() -> bool:
    """Whether the current page is in English (Chinese is the default, also outside requests)."""
    if not has_request_context():
        return False
    locale = get_locale()
    return locale is not None and locale.language == "en"


def name(entry: Code) -> str:
    """The entry's name in the current language."""
    return entry.en if _english() else entry.zh


def complaint_label(code: str) -> str:
    """The complaint category's name ("" for no code, the code itself if unknown)."""
    entry = codes.complaint(code)
    return name(entry) if entry else code


def diagnosis_label(code: str) -> str:
    """The diagnosis as "I21.9 name" ("" for no code, the code itself if unknown)."""
    entry = codes.diagnosis(code)
    return f"{entry.code} {name(entry)}" if entry else code


def choices() -> dict[str, list[dict[str, str]]]:
    """Both lists for a select: code, label and capability, with the list version."""
    return {
        "version": codes.LIST_VERSION,
        "complaints": [
            {"code": c.code, "label": name(c), "capability": c.capability}
            for c in codes.complaints()
        ],
        "diagnoses": [
            {"code": c.code, "label": f"{c.code} {name(c)}", "capability": c.capability}
            for c in codes.diagnoses()
        ],
    }
