"""The rules of the patient record (院前急救病历): what the crew may write, field by field,
and the times it may give. Errors are {field: code}, as everywhere (labels/errors.py).

An entry's values are JSON in a fixed shape, read also by the hospital's pre-alert:
vitals = {"sbp", "dbp" (mmHg), "pulse", "resp" (/min), "spo2" (%), "temp" (°C),
"glucose" (mmol/L), "gcs" (3-15): a number or null each, "phase": "scene" | "transport"};
treatment = {"text"}; medication = {"text", "dose"} ("" when not given).
"""

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime

from hotline.core.ems import codes
from hotline.core.ems.clock import CLOCK_SKEW, parse_time

SEXES = ("male", "female", "unknown")
REFUSALS = ("", "treatment", "transport")
ENTRY_KINDS = ("vitals", "treatment", "medication")
PHASES = ("scene", "transport")
# Physiological bounds: outside them a value is a typing error, not a patient.
VITAL_RANGES: dict[str, tuple[float, float]] = {
    "sbp": (40, 300),
    "dbp": (20, 200),
    "pulse": (20, 250),
    "resp": (4, 60),
    "spo2": (50, 100),
    "temp": (30, 43),
    "glucose": (1, 40),
    "gcs": (3, 15),
}
AGE_RANGE = (0, 120)
LIMITS = {
    "name": 64,
    "history": 2000,
    "diagnosis_note": 500,
    "refusal_reason": 500,
    "receiving_doctor": 64,
    "text": 200,
    "dose": 64,
}
Errors = dict[str, str]


@dataclass(frozen=True)
class PatientFields:
    """What the crew writes about one patient (the timed entries apart)."""

    name: str = ""
    sex: str = "unknown"
    age_years: int | None = None
    age_estimated: bool = False
    complaint_code: str = ""
    history: str = ""
    diagnosis_code: str = ""
    diagnosis_note: str = ""
    refusal: str = ""
    refusal_reason: str = ""
    handover_at: datetime | None = None
    receiving_doctor: str = ""


@dataclass(frozen=True)
class EntryFields:
    """One timed entry: its kind, when, and its values in the fixed shape."""

    kind: str
    at: datetime
    values: dict


@dataclass(frozen=True)
class Window:
    """The assignment's times an entry or a hand-over must fit in."""

    dispatched_at: datetime  # the vehicle's dispatch (its assignment if never dispatched)
    at_hospital_at: datetime | None
    now: datetime


FIELD_NAMES = tuple(f.name for f in fields(PatientFields))


def _text(data: Mapping, field: str, errors: Errors, default: str) -> str:
    raw = data.get(field, default)
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        errors[field] = "invalid"
        return default
    value = raw.strip()
    if len(value) > LIMITS[field]:
        errors[field] = "too_long"
    return value


def _choice(data: Mapping, field: str, allowed: tuple[str, ...], errors: Errors, default: str):
    value = data.get(field, default)
    if value not in allowed:
        errors[field] = "invalid_choice"
        return default
    return value


def _age(data: Mapping, base: PatientFields, errors: Errors) -> int | None:
    raw = data.get("age_years", base.age_years)
    if raw is None or raw == "":
        return None
    try:
        age = _number(raw)
    except ValueError:
        errors["age_years"] = "invalid_number"
        return None
    if not float(age).is_integer() or not AGE_RANGE[0] <= age <= AGE_RANGE[1]:
        errors["age_years"] = "out_of_range"
        return None
    return int(age)


def _code(data: Mapping, field: str, errors: Errors, default: str) -> str:
    value = data.get(field, default) or ""
    lookup = codes.complaint if field == "complaint_code" else codes.diagnosis
    if not isinstance(value, str) or (value and lookup(value) is None):
        errors[field] = "unknown_complaint" if field == "complaint_code" else "unknown_diagnosis"
        return default
    return value


def parse_patient(data: Mapping, base: PatientFields | None = None) -> tuple[PatientFields, Errors]:
    """The patient's fields from `data`; a field `data` leaves out keeps `base`'s value."""
    base = base or PatientFields()
    errors: Errors = {}
    # "version" is the compare-and-set's, "at" the time a queued terminal update was made.
    unknown = set(data) - set(FIELD_NAMES) - {"version", "at"}
    if unknown:
        errors[sorted(unknown)[0]] = "unknown_field"
    texts = {
        f: _text(data, f, errors, getattr(base, f))
        for f in ("name", "history", "diagnosis_note", "refusal_reason", "receiving_doctor")
    }
    try:
        handover_at = parse_time(data["handover_at"]) if "handover_at" in data else base.handover_at
    except ValueError:
        errors["handover_at"] = "invalid_datetime"
        handover_at = base.handover_at
    estimated = data.get("age_estimated", base.age_estimated)
    if not isinstance(estimated, bool):
        errors["age_estimated"] = "invalid_choice"
        estimated = base.age_estimated
    fields_ = PatientFields(
        sex=_choice(data, "sex", SEXES, errors, base.sex),
        age_years=_age(data, base, errors),
        age_estimated=estimated,
        complaint_code=_code(data, "complaint_code", errors, base.complaint_code),
        diagnosis_code=_code(data, "diagnosis_code", errors, base.diagnosis_code),
        refusal=_choice(data, "refusal", REFUSALS, errors, base.refusal),
        handover_at=handover_at,
        **texts,
    )
    if fields_.refusal and not fields_.refusal_reason and "refusal" not in errors:
        errors["refusal_reason"] = "refusal_reason_required"
    if not fields_.refusal:
        fields_ = replace(fields_, refusal_reason="")  # a withdrawn refusal keeps no reason
    return fields_, errors


def _number(raw: object) -> float:
    """A JSON number or a numeric string; ValueError otherwise (booleans are no numbers)."""
    if isinstance(raw, bool):
        raise ValueError("a boolean")
    if isinstance(raw, int | float):
        value = float(raw)
    elif isinstance(raw, str):
        value = float(raw.strip())
    else:
        raise ValueError("not a number")
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("not finite")
    return value


def parse_vitals(data: Mapping) -> tuple[dict, Errors]:
    """The vitals' values in the fixed shape: each in its range, dbp below sbp, one at least."""
    errors: Errors = {}
    values: dict = {}
    for key, (low, high) in VITAL_RANGES.items():
        raw = data.get(key)
        if raw is None or raw == "":
            values[key] = None
            continue
        try:
            number = _number(raw)
        except ValueError:
            errors[key] = "invalid_number"
            continue
        if not low <= number <= high or (key == "gcs" and not number.is_integer()):
            errors[key] = "out_of_range"
            continue
        values[key] = int(number) if number.is_integer() and key != "temp" else number
    sbp, dbp = values.get("sbp"), values.get("dbp")
    if sbp is not None and dbp is not None and dbp >= sbp:
        errors["dbp"] = "dbp_not_below_sbp"
    if not errors and all(values[key] is None for key in VITAL_RANGES):
        errors["values"] = "no_vitals"
    values["phase"] = _choice(data, "phase", PHASES, errors, "scene")
    return values, errors


def parse_entry(data: Mapping) -> tuple[EntryFields | None, Errors]:
    """A timed entry from `data` ({"kind", "at", then the kind's values}); None on errors."""
    errors: Errors = {}
    kind = _choice(data, "kind", ENTRY_KINDS, errors, "")
    try:
        at = parse_time(data.get("at"))
        if at is None:
            errors["at"] = "required"
    except ValueError:
        at, errors["at"] = None, "invalid_datetime"
    if kind == "vitals":
        values, more = parse_vitals(data)
    elif kind:
        values = {"text": _text(data, "text", errors, "")}
        if not values["text"] and "text" not in errors:
            errors["text"] = "required"
        if kind == "medication":
            values["dose"] = _text(data, "dose", errors, "")
        more = {}
    else:
        values, more = {}, {}
    errors.update(more)
    if errors or at is None:
        return None, errors
    return EntryFields(kind=kind, at=at, values=values), {}


def entry_time_errors(at: datetime, window: Window, handover_at: datetime | None) -> Errors:
    """An entry is timed from the vehicle's dispatch to the hand-over, and not in the future
    (a tablet's clock may be a few minutes off ours, either way)."""
    if at < window.dispatched_at - CLOCK_SKEW:
        return {"at": "before_dispatch"}
    if at > window.now + CLOCK_SKEW:
        return {"at": "in_future"}
    if handover_at is not None and at > handover_at:
        return {"at": "after_handover"}
    return {}


def handover_errors(
    handover_at: datetime | None, window: Window, last_entry_at: datetime | None
) -> Errors:
    """The hand-over comes after arrival at hospital and after every entry, not in the future."""
    if handover_at is None:
        return {}
    if handover_at < window.dispatched_at - CLOCK_SKEW:
        return {"handover_at": "before_dispatch"}
    if window.at_hospital_at is not None and handover_at < window.at_hospital_at:
        return {"handover_at": "before_at_hospital"}
    if last_entry_at is not None and handover_at < last_entry_at:
        return {"handover_at": "before_last_entry"}
    if handover_at > window.now + CLOCK_SKEW:
        return {"handover_at": "in_future"}
    return {}
