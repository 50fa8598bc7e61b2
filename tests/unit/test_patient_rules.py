"""The patient record's rules: coded lists, ranges, choices and times (core/ems/patients.py)."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from hotline.core.ems import codes
from hotline.core.ems.patients import (
    VITAL_RANGES,
    PatientFields,
    Window,
    entry_time_errors,
    handover_errors,
    parse_entry,
    parse_patient,
    parse_vitals,
)
from hotline.core.ems.vocabulary import Capability

ICD10 = re.compile(r"^[A-Z][0-9]{2}(\.[0-9])?$")
T0 = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


def test_the_lists_load_with_unique_codes_and_known_capabilities():
    for rows in (codes.complaints(), codes.diagnoses()):
        assert len(rows) >= 25
        assert len({row.code for row in rows}) == len(rows)
        assert all(row.zh and row.en for row in rows)
        assert all(row.capability in {c.value for c in Capability} | {""} for row in rows)
    assert all(ICD10.match(row.code) for row in codes.diagnoses())
    assert codes.diagnosis("I21.9").zh == "急性心肌梗死"
    assert codes.complaint("C01").capability == "chest_pain"
    assert codes.diagnosis("X99.9") is None and codes.LIST_VERSION


def test_flags_name_chest_pain_and_stroke_only():
    assert codes.flags("C01", "") == {"chest_pain"}
    assert codes.flags("C15", "I63.9") == {"stroke"}  # trauma is no pre-alert flag
    assert codes.flags("C01", "I61.9") == {"chest_pain", "stroke"}
    assert codes.flags("", "") == frozenset() and codes.flags("nope", "T14.9") == frozenset()


@pytest.mark.parametrize(("key", "low", "high"), [(k, *v) for k, v in VITAL_RANGES.items()])
def test_each_vital_sign_is_kept_in_its_physiological_range(key, low, high):
    assert parse_vitals({key: low})[1] == {}
    assert parse_vitals({key: high})[1] == {}
    assert parse_vitals({key: low - 1})[1] == {key: "out_of_range"}
    assert parse_vitals({key: high + 1})[1] == {key: "out_of_range"}
    assert parse_vitals({key: "abc"})[1] == {key: "invalid_number"}
    assert parse_vitals({key: True})[1] == {key: "invalid_number"}


def test_vitals_keep_the_fixed_shape():
    values, errors = parse_vitals({"sbp": 120, "dbp": "80", "temp": 36.5, "phase": "transport"})
    assert errors == {}
    assert values == {
        "sbp": 120, "dbp": 80, "pulse": None, "resp": None, "spo2": None,
        "temp": 36.5, "glucose": None, "gcs": None, "phase": "transport",
    }  # fmt: skip
    assert parse_vitals({"sbp": 90, "dbp": 90})[1] == {"dbp": "dbp_not_below_sbp"}
    assert parse_vitals({"gcs": 7.5})[1] == {"gcs": "out_of_range"}
    assert parse_vitals({"phase": "scene"})[1] == {"values": "no_vitals"}
    assert parse_vitals({"pulse": 80, "phase": "home"})[1] == {"phase": "invalid_choice"}


def test_patient_fields_choices_lengths_and_refusal():
    fields, errors = parse_patient({"name": " 张三 ", "sex": "male", "age_years": 54})
    assert errors == {} and fields.name == "张三" and fields.age_years == 54
    assert parse_patient({"sex": "m"})[1] == {"sex": "invalid_choice"}
    assert parse_patient({"age_years": 121})[1] == {"age_years": "out_of_range"}
    assert parse_patient({"age_years": -1})[1] == {"age_years": "out_of_range"}
    assert parse_patient({"history": "x" * 2001})[1] == {"history": "too_long"}
    assert parse_patient({"complaint_code": "C00"})[1] == {"complaint_code": "unknown_complaint"}
    assert parse_patient({"diagnosis_code": "I21"})[1] == {"diagnosis_code": "unknown_diagnosis"}
    assert parse_patient({"refusal": "transport"})[1] == {
        "refusal_reason": "refusal_reason_required"
    }
    assert parse_patient({"refusal": "everything", "refusal_reason": "x"})[1] == {
        "refusal": "invalid_choice"
    }
    assert parse_patient({"password": "x"})[1] == {"password": "unknown_field"}
    assert parse_patient({"handover_at": "2026-11-29T10:00"})[1] == {
        "handover_at": "invalid_datetime"
    }


def test_an_update_keeps_what_it_leaves_out_and_a_withdrawn_refusal_drops_its_reason():
    base = PatientFields(name="李四", refusal="treatment", refusal_reason="家属拒绝")
    fields, errors = parse_patient({"age_years": 30}, base)
    assert errors == {} and fields.name == "李四" and fields.refusal_reason == "家属拒绝"
    fields, errors = parse_patient({"refusal": ""}, base)
    assert errors == {} and fields.refusal_reason == ""


def test_entries_by_kind():
    entry, errors = parse_entry({"kind": "vitals", "at": T0.isoformat(), "pulse": 88})
    assert errors == {} and entry.values["pulse"] == 88 and entry.at == T0
    entry, _ = parse_entry(
        {"kind": "medication", "at": T0.isoformat(), "text": "阿司匹林", "dose": "300 mg"}
    )
    assert entry.values == {"text": "阿司匹林", "dose": "300 mg"}
    entry, _ = parse_entry({"kind": "treatment", "at": T0.isoformat(), "text": "吸氧"})
    assert entry.values == {"text": "吸氧"}
    assert parse_entry({"kind": "treatment", "at": T0.isoformat()})[1] == {"text": "required"}
    assert parse_entry({"kind": "note", "at": T0.isoformat()})[1] == {"kind": "invalid_choice"}
    assert parse_entry({"kind": "vitals", "pulse": 80})[1] == {"at": "required"}
    assert parse_entry({"kind": "vitals", "at": "2026-11-29 08:00", "pulse": 80})[1] == {
        "at": "invalid_datetime"
    }


def test_entry_times_run_from_dispatch_to_handover_and_never_ahead_of_now():
    window = Window(dispatched_at=T0, at_hospital_at=None, now=T0 + timedelta(hours=1))
    assert entry_time_errors(T0, window, None) == {}
    # A tablet's clock a few minutes behind ours still fits: only more is refused.
    assert entry_time_errors(T0 - timedelta(minutes=4), window, None) == {}
    assert entry_time_errors(T0 - timedelta(minutes=6), window, None) == {"at": "before_dispatch"}
    assert entry_time_errors(T0 + timedelta(hours=2), window, None) == {"at": "in_future"}
    handover = T0 + timedelta(minutes=30)
    assert entry_time_errors(T0 + timedelta(minutes=31), window, handover) == {
        "at": "after_handover"
    }


def test_the_handover_follows_arrival_and_the_last_entry():
    arrival = T0 + timedelta(minutes=40)
    window = Window(dispatched_at=T0, at_hospital_at=arrival, now=T0 + timedelta(hours=1))
    assert handover_errors(None, window, None) == {}
    assert handover_errors(arrival, window, arrival - timedelta(minutes=1)) == {}
    assert handover_errors(arrival - timedelta(minutes=1), window, None) == {
        "handover_at": "before_at_hospital"
    }
    assert handover_errors(arrival, window, arrival + timedelta(minutes=1)) == {
        "handover_at": "before_last_entry"
    }
    assert handover_errors(T0 - timedelta(minutes=6), window, None) == {
        "handover_at": "before_dispatch"
    }
    assert handover_errors(T0 + timedelta(hours=2), window, None) == {"handover_at": "in_future"}
