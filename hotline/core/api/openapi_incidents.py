"""The linked centres' part of /api/v1's description (联动: POST and GET /incidents)."""

from hotline.core.api.openapi_build import (
    INTEGER,
    INVALID,
    NULLABLE_STRING,
    STRING,
    TIME,
    USER_SCHEME,
    obj,
    operation,
    parameter,
    ref,
    request_body,
)
from hotline.core.ems.vocabulary import TRIAGE_LEVELS, IncidentState, WithdrawReason

_NULLABLE_TIME = {**TIME, "nullable": True}
_STAMPS = ("assigned_at", "dispatched_at", "en_route_at", "on_scene_at")
_STAMPS += ("transporting_at", "at_hospital_at", "cleared_at", "acknowledged_at")

SCHEMAS = {
    "LinkedCall": obj(
        ["lon", "lat", "complaint", "triage_level"],
        lon={"type": "number", "minimum": -180, "maximum": 180},
        lat={"type": "number", "minimum": -90, "maximum": 90},
        complaint={**STRING, "minLength": 1, "maxLength": 2000},
        triage_level={"type": "integer", "enum": list(TRIAGE_LEVELS)},
        caller_phone={**STRING, "description": "Chinese mobile or landline; may be empty"},
        address={**STRING, "maxLength": 255},
        source_ref={
            **STRING,
            "pattern": r"^[\w\-./:#]{1,64}$",
            "description": "The centre's own reference: a repeated request finds the incident",
        },
        source={
            **STRING,
            "maxLength": 64,
            "description": "A dispatcher's token only: the centre the case came from (a linked "
            "centre's token is recorded with its own name)",
        },
        confirm_locked={
            "type": "boolean",
            "description": "A dispatcher's token: true to go on although the number is locked "
            "as malicious (a linked centre is never told: the dispatcher sees the lock)",
        },
    ),
    "IncidentState": obj(
        ["id", "number", "state", "triage_level", "source", "created_at", "vehicles"],
        id=INTEGER,
        number={**STRING, "description": "120-20261129-0042"},
        state={"type": "string", "enum": [s.value for s in IncidentState]},
        withdraw_reason={
            "type": "string",
            "nullable": True,
            "enum": [r.value for r in WithdrawReason] + [None],
        },
        triage_level=INTEGER,
        source={**STRING, "description": "The linked centre; empty when 120 took the call"},
        source_ref=STRING,
        created_at=TIME,
        closed_at=_NULLABLE_TIME,
        vehicles={
            "type": "array",
            "items": obj(
                ["call_sign", "status"],
                call_sign=STRING,
                status={**STRING, "description": "The vehicle's status, or cleared"},
                hospital={**NULLABLE_STRING, "description": "The destination hospital"},
                **{name: _NULLABLE_TIME for name in _STAMPS},
            ),
        },
        recommendation={
            **ref("Recommendation"),
            "description": "POST only: the nearest available vehicles, as the console shows",
        },
    ),
}

PATHS = {
    "/incidents": {
        "post": operation(
            "createIncident",
            "联动: an incident handed over by another centre (110, 119, 122) or keyed by 120",
            USER_SCHEME,
            {
                "201": ("The incident was made", "IncidentState"),
                "200": ("An earlier request with this source_ref made it", "IncidentState"),
                "400": INVALID,
                "409": (
                    "A dispatcher's token: the caller's number is locked (confirm_locked)",
                    "Error",
                ),
                "422": ("A value is refused (errors by field)", "Error"),
            },
            requestBody=request_body("LinkedCall"),
        )
    },
    "/incidents/{incident_id}": {
        "get": operation(
            "getIncident",
            "The incident's state, its vehicles and their times (a centre: its own only)",
            USER_SCHEME,
            {"200": ("The incident", "IncidentState"), "404": ("No such incident", "Error")},
            parameters=[parameter("incident_id", "path", {"type": "integer", "minimum": 1})],
        )
    },
}
