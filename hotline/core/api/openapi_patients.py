"""The patient records' part of /api/v1's description (院前急救病历 from the crew terminal)."""

from hotline.core.api.openapi_build import (
    INTEGER,
    INVALID,
    STRING,
    TERMINAL_SCHEME,
    TIME,
    obj,
    operation,
    parameter,
    request_body,
)
from hotline.core.api.openapi_crew import IDEMPOTENCY_KEY, keyed_answers
from hotline.core.ems.patients import (
    AGE_RANGE,
    ENTRY_KINDS,
    LIMITS,
    PHASES,
    REFUSALS,
    SEXES,
    VITAL_RANGES,
)

_ID = {"type": "integer", "minimum": 1}
_JOB = "/vehicles/{vehicle_id}/jobs/{job_id}/patients"
_PATH = [parameter(name, "path", _ID) for name in ("vehicle_id", "job_id")]
_PATIENT = [*_PATH, parameter("patient_id", "path", _ID)]
_UNKNOWN_JOB = ("No such job of this vehicle, or cleared more than two hours ago", "Error")
_REFUSED = ("A field is refused: codes by field (out_of_range, before_dispatch...)", "Error")


def _text(field: str) -> dict:
    return {**STRING, "maxLength": LIMITS[field]}


def _vital(key: str) -> dict:
    low, high = VITAL_RANGES[key]
    return {"type": "number", "minimum": low, "maximum": high, "nullable": True}


_FIELDS = {
    "name": {**_text("name"), "description": "Empty when unknown"},
    "sex": {"type": "string", "enum": list(SEXES)},
    "age_years": {
        "type": "integer",
        "minimum": AGE_RANGE[0],
        "maximum": AGE_RANGE[1],
        "nullable": True,
    },
    "age_estimated": {"type": "boolean"},
    "complaint_code": {**STRING, "description": "A code of GET .../patient-codes complaints"},
    "history": _text("history"),
    "diagnosis_code": {**STRING, "description": "An ICD-10 code of the diagnoses list"},
    "diagnosis_note": _text("diagnosis_note"),
    "refusal": {"type": "string", "enum": list(REFUSALS)},
    "refusal_reason": {**_text("refusal_reason"), "description": "Required with a refusal"},
    "handover_at": {**TIME, "nullable": True},
    "receiving_doctor": _text("receiving_doctor"),
}
_CODE_LIST = {
    "type": "array",
    "items": obj(["code", "zh", "en", "capability"], code=STRING, zh=STRING, en=STRING,
                 capability=STRING),
}  # fmt: skip

SCHEMAS = {
    "PatientFields": obj([], **_FIELDS),
    "PatientUpdate": obj(["version"], version=INTEGER, **_FIELDS),
    "PatientEntryIn": obj(
        ["kind", "at"],
        kind={"type": "string", "enum": list(ENTRY_KINDS)},
        at=TIME,
        phase={"type": "string", "enum": list(PHASES), "description": "vitals: default scene"},
        text={**_text("text"), "description": "treatment and medication"},
        dose={**_text("dose"), "description": "medication"},
        **{key: _vital(key) for key in VITAL_RANGES},
    ),
    "PatientWritten": obj(
        ["patient_id", "version", "flags"],
        patient_id=INTEGER,
        version=INTEGER,
        flags={"type": "array", "items": {"type": "string", "enum": ["chest_pain", "stroke"]}},
    ),
    "PatientEntryWritten": obj(
        ["entry_id", "patient_id", "kind", "at"],
        entry_id=INTEGER,
        patient_id=INTEGER,
        kind=STRING,
        at=TIME,
    ),
    "PatientRecords": obj(
        ["job_id", "patients"],
        job_id=INTEGER,
        patients={
            "type": "array",
            "items": obj(
                ["patient_id", "version", "entries"],
                patient_id=INTEGER,
                version=INTEGER,
                flags={"type": "array", "items": STRING},
                entries={
                    "type": "array",
                    "items": obj(
                        ["kind", "at", "values"], kind=STRING, at=TIME, values={"type": "object"}
                    ),
                },  # fmt: skip
                **_FIELDS,
            ),
        },
    ),
    "PatientCodes": obj(
        ["version", "complaints", "diagnoses"],
        version={**STRING, "description": "The lists' version, e.g. 2026.1"},
        complaints=_CODE_LIST,
        diagnoses=_CODE_LIST,
    ),
}


def _write(operation_id: str, summary: str, schema: str, params: list, answer: tuple) -> dict:
    return operation(
        operation_id,
        summary,
        TERMINAL_SCHEME,
        keyed_answers({**answer, "400": INVALID, "404": _UNKNOWN_JOB, "422": _REFUSED}),
        parameters=[*params, IDEMPOTENCY_KEY],
        requestBody=request_body(schema),
    )


PATHS = {
    _JOB: {
        "get": operation(
            "listJobPatients",
            "The patient records this crew wrote on its job, in full (each read is logged)",
            TERMINAL_SCHEME,
            {"200": ("The records", "PatientRecords"), "404": _UNKNOWN_JOB},
            parameters=_PATH,
        ),
        "post": _write(
            "createPatient",
            "A patient of the job's incident (every field optional: the name may be unknown)",
            "PatientFields",
            _PATH,
            {"201": ("The new record's id and version", "PatientWritten")},
        ),
    },
    _JOB + "/{patient_id}": {
        "put": _write(
            "updatePatient",
            "The fields given change if the version is still the record's",
            "PatientUpdate",
            _PATIENT,
            {
                "200": ("The record's new version", "PatientWritten"),
                "409": ("The record changed since that version", "Error"),
            },
        )
    },
    _JOB + "/{patient_id}/entries": {
        "post": _write(
            "addPatientEntry",
            "Timed vital signs, a treatment or a medication",
            "PatientEntryIn",
            _PATIENT,
            {"201": ("The entry was recorded", "PatientEntryWritten")},
        )
    },
    "/vehicles/{vehicle_id}/patient-codes": {
        "get": operation(
            "listPatientCodes",
            "The chief-complaint categories and diagnoses (ICD-10) for the record's selects",
            TERMINAL_SCHEME,
            {"200": ("The coded lists", "PatientCodes")},
            parameters=[parameter("vehicle_id", "path", _ID)],
        )
    },
}
