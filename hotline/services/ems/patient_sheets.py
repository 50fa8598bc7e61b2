"""The printed patient record's content (pdf/patient.py): a record read through
services/ems/patient_records.py (so logged), in Chinese and local time."""

from datetime import datetime
from zoneinfo import ZoneInfo

from hotline.core.ems import codes
from hotline.labels.ems_patients import (
    ENTRY_KIND_LABELS,
    FLAG_LABELS,
    PHASE_LABELS,
    REFUSAL_LABELS,
    SEX_LABELS,
    chinese_of,
)
from hotline.pdf.patient import PatientSheet
from hotline.services.ems.patient_records import EntryRow, PatientRecord


def _time(value: datetime | None, tz: ZoneInfo, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return value.astimezone(tz).strftime(fmt) if value else ""


def _number(value) -> str:
    return "" if value is None else f"{value:g}"


def _vitals(entry: EntryRow, tz: ZoneInfo) -> list[str]:
    v = entry.values
    pressure = f"{_number(v.get('sbp'))}/{_number(v.get('dbp'))}".strip("/")
    rest = [_number(v.get(key)) for key in ("pulse", "resp", "spo2", "temp", "glucose", "gcs")]
    return [
        _time(entry.at, tz, "%H:%M"),
        chinese_of(PHASE_LABELS, v.get("phase") or ""),
        pressure,
        *rest,
    ]


def _care(entry: EntryRow, tz: ZoneInfo) -> list[str]:
    v = entry.values
    return [
        _time(entry.at, tz, "%H:%M"),
        chinese_of(ENTRY_KIND_LABELS, entry.kind),
        v["text"],
        v.get("dose", ""),
    ]


def _code(entry: codes.Code | None, raw: str, with_code: bool) -> str:
    if entry is None:
        return raw
    return f"{entry.code} {entry.zh}" if with_code else entry.zh


def sheet(record: PatientRecord, timezone: str) -> PatientSheet:
    """The record as the PDF prints it."""
    tz, f = ZoneInfo(timezone), record.fields
    age = "" if f.age_years is None else f"{'约' if f.age_estimated else ''}{f.age_years} 岁"
    refusal = chinese_of(REFUSAL_LABELS, f.refusal)
    facts = [
        ("事件编号", f"{record.incident_number}（病历 #{record.patient_id}）"),
        ("车辆", record.call_sign),
        ("现场地址", record.address),
        ("派车 / 到达现场", f"{_time(record.dispatched_at, tz)} / {_time(record.on_scene_at, tz)}"),
        ("姓名", f.name or "不详"),
        ("性别 / 年龄", f"{chinese_of(SEX_LABELS, f.sex)} / {age or '不详'}"),
        ("主诉", _code(codes.complaint(f.complaint_code), f.complaint_code, False)),
        ("现病史", f.history),
        ("初步诊断", _code(codes.diagnosis(f.diagnosis_code), f.diagnosis_code, True)),
        ("诊断备注", f.diagnosis_note),
        ("预警", "、".join(chinese_of(FLAG_LABELS, flag) for flag in sorted(record.flags))),
        ("拒绝", f"{refusal}：{f.refusal_reason}" if f.refusal else refusal),
        ("送往医院", record.hospital),
        ("到达医院", _time(record.at_hospital_at, tz)),
        ("交接时间 / 接诊医生", f"{_time(f.handover_at, tz)} / {f.receiving_doctor}".strip(" /")),
    ]
    entries = record.entries
    return PatientSheet(
        number=record.incident_number,
        patient_id=record.patient_id,
        facts=facts,
        vitals=[_vitals(e, tz) for e in entries if e.kind == "vitals"],
        care=[_care(e, tz) for e in entries if e.kind != "vitals"],
        list_version=codes.LIST_VERSION,
    )
