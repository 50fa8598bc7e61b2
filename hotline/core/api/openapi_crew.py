"""The crew terminal's part of /api/v1's description: its jobs, their stream and
acknowledgement, and the Idempotency-Key of every terminal update (status and positions are
described again here, with the key)."""

from hotline.core.api.openapi_build import (
    INTEGER,
    INVALID,
    MAX_POSITIONS,
    OUTSIDE,
    RACE,
    REFUSED,
    STRING,
    TERMINAL_SCHEME,
    TIME,
    nullable,
    obj,
    operation,
    parameter,
    ref,
    terminal_post,
)

_ID = {"type": "integer", "minimum": 1}
_VEHICLE = parameter("vehicle_id", "path", _ID)
_JOB = parameter("job_id", "path", _ID, "The job's id (its assignment's id)")
IDEMPOTENCY_KEY = parameter(
    "Idempotency-Key",
    "header",
    {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"},
    "The same key again with the same request (method, path and body) gets the first answer "
    "and changes nothing (a queued update resent); with another request it gets 422 "
    "idempotency_key_reused; without a key the update is made every time",
)
_KEY_REUSED = "the Idempotency-Key was used for another request (idempotency_key_reused)"
_UNKNOWN_JOB = ("No such job of this vehicle", "Error")
_NULLABLE_TIME = {**TIME, "nullable": True}


def keyed_answers(answers: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """The answers of a write that takes an Idempotency-Key: 422 also for a reused key."""
    refused = answers.get("422")
    description = f"{refused[0]}; or {_KEY_REUSED}" if refused else "T" + _KEY_REUSED[1:]
    return {**answers, "422": (description, "Error")}


def _keyed(post: dict) -> dict:
    """A terminal POST with the Idempotency-Key header among its parameters."""
    return {**post, "parameters": [*post["parameters"], IDEMPOTENCY_KEY]}


SCHEMAS: dict[str, dict] = {
    "Job": obj(
        ["job_id", "incident_id", "incident_number", "lon", "lat", "complaint", "triage_level"],
        job_id=INTEGER,
        incident_id=INTEGER,
        incident_number=STRING,
        lon={"type": "number"},
        lat={"type": "number"},
        address=STRING,
        complaint=STRING,
        triage_level={"type": "integer", "minimum": 1, "maximum": 4},
        caller_phone={**STRING, "description": "In full: the crew calls the caller"},
        hospital=nullable(
            id=INTEGER,
            name=STRING,
            lon={"type": "number"},
            lat={"type": "number"},
            recommended={
                "type": "boolean",
                "description": "True: the nearest hospital, none was chosen yet",
            },
        ),
        source={**STRING, "description": "The linked centre it came from; empty for ours"},
        dispatched_at=_NULLABLE_TIME,
        acknowledged_at=_NULLABLE_TIME,
        current={"type": "boolean", "description": "The job the vehicle is on now"},
        vehicle_status=STRING,
    ),
    "Jobs": obj(
        ["vehicle_id", "status", "jobs"],
        vehicle_id=INTEGER,
        call_sign=STRING,
        status=STRING,
        jobs={"type": "array", "items": ref("Job"), "description": "The current job first"},
    ),
    "Acknowledgement": obj(
        [],
        at={**TIME, "description": "The terminal's time of the touch; the server's when absent"},
    ),
    "Acknowledged": obj(["job_id", "acknowledged_at"], job_id=INTEGER, acknowledged_at=TIME),
}

_STREAM = operation(
    "streamVehicleJobs",
    "Server-Sent Events: a `jobs` event (as GET .../jobs answers) at once and on every "
    "change; the stream ends after about 25 s and the terminal reconnects",
    TERMINAL_SCHEME,
    {"503": ("No stream is free on this server: poll GET .../jobs (Retry-After)", "Error")},
    parameters=[_VEHICLE],
)
_STREAM["responses"]["200"] = {
    "description": "The event stream",
    "content": {"text/event-stream": {"schema": STRING}},
}
_STREAM["responses"] = dict(sorted(_STREAM["responses"].items()))

PATHS: dict[str, dict] = {
    "/vehicles/{vehicle_id}/jobs": {
        "get": operation(
            "listVehicleJobs",
            "The vehicle's status and its jobs (the electronic dispatch slips)",
            TERMINAL_SCHEME,
            {"200": ("The jobs", "Jobs")},
            parameters=[_VEHICLE],
        )
    },
    "/vehicles/{vehicle_id}/jobs/stream": {"get": _STREAM},
    "/vehicles/{vehicle_id}/jobs/{job_id}/ack": {
        "post": {
            **operation(
                "acknowledgeVehicleJob",
                "接单: the crew took the job (once; a second acknowledgement changes nothing)",
                TERMINAL_SCHEME,
                keyed_answers(
                    {
                        "200": ("When it was acknowledged", "Acknowledged"),
                        "400": INVALID,
                        "404": _UNKNOWN_JOB,
                    }
                ),
                parameters=[_VEHICLE, _JOB, IDEMPOTENCY_KEY],
            ),
            "requestBody": {
                "required": False,
                "content": {"application/json": {"schema": ref("Acknowledgement")}},
            },
        }
    },  # fmt: skip
    # Described in openapi.py without the key; here with it.
    "/vehicles/{vehicle_id}/status": {
        "post": _keyed(
            terminal_post(
                "reportVehicleStatus",
                "A status change from the vehicle's terminal",
                "StatusChange",
                keyed_answers(
                    {
                        "200": ("The vehicle's status now", "VehicleStatus"),
                        "422": REFUSED,
                        "409": RACE,
                    }
                ),
            )
        )
    },
    "/vehicles/{vehicle_id}/positions": {
        "post": _keyed(
            terminal_post(
                "reportVehiclePositions",
                f"GPS fixes from the vehicle's terminal (1 to {MAX_POSITIONS})",
                "Positions",
                keyed_answers({"201": ("The fixes were recorded", "Accepted"), "422": OUTSIDE}),
            )
        )
    },
}
