"""The crew terminal's part of /api/v1 (one token per vehicle): its jobs (电子派车单), their
push stream and the acknowledgement (接单)."""

import json
import threading
import time
from collections.abc import Iterator

from flask import Response, current_app, request, stream_with_context
from sqlalchemy.orm import Session

from hotline.plugins import db
from hotline.services.ems import crew_jobs, receipts
from hotline.web.api import bp, refuse
from hotline.web.api.ems import receipted, terminal_time
from hotline.web.api.tokens import terminal_required

# A stream ends after this (the client reconnects), so that no server thread is held for a
# whole shift; the database is asked twice a second whether anything changed.
STREAM_SECONDS = 25
STREAM_POLL_SECONDS = 0.5
KEEPALIVE_SECONDS = 10
# Streams open at once in this process: each holds a server thread while it lasts, and the
# threads serve every other page too. Past the limit a terminal is told to poll instead (503
# with Retry-After: terminal.js falls back to polling). A push-only instance with many
# threads carries the streams of a whole fleet (docs/DEPLOY.md).
_open = {"streams": 0}
_open_lock = threading.Lock()


class _Slot:
    """One stream's place, given back once: when its body ends, or when the server closes
    the response (however it ends: the client gone, or the body never read)."""

    def __init__(self) -> None:
        self.held = True

    def give_back(self) -> None:
        with _open_lock:
            if self.held:
                self.held = False
                _open["streams"] -= 1


def _take_slot(limit: int) -> _Slot | None:
    with _open_lock:
        if _open["streams"] >= limit:
            return None
        _open["streams"] += 1
        return _Slot()


@bp.route("/vehicles/<int:vehicle_id>/jobs")
@terminal_required
def vehicle_jobs(vehicle_id: int):
    """The vehicle's status and its jobs (the current one first, then the queued ones)."""
    return crew_jobs.vehicle_jobs(db.session, vehicle_id)


def _event(payload: dict) -> str:
    return f"event: jobs\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"


def _changes(vehicle_id: int, seconds: float, slot: _Slot) -> Iterator[str]:
    """The jobs now, then again whenever the vehicle's fingerprint changes, until `seconds`."""
    end = time.monotonic() + seconds
    seen, quiet_since = None, time.monotonic()
    try:
        yield f"retry: {int(STREAM_POLL_SECONDS * 1000)}\n\n"
        while time.monotonic() < end:
            mark = crew_jobs.marker(db.session, vehicle_id)
            if mark != seen:
                seen, quiet_since = mark, time.monotonic()
                yield _event(crew_jobs.vehicle_jobs(db.session, vehicle_id))
            elif time.monotonic() - quiet_since >= KEEPALIVE_SECONDS:
                quiet_since = time.monotonic()
                yield ": keep-alive\n\n"  # proxies close idle connections
            db.session.commit()  # end the read snapshot and give the connection back
            time.sleep(STREAM_POLL_SECONDS)
    finally:
        slot.give_back()
        db.session.remove()


@bp.route("/vehicles/<int:vehicle_id>/jobs/stream")
@terminal_required
def vehicle_jobs_stream(vehicle_id: int):
    """Server-Sent Events: `jobs` events with what GET .../jobs answers, at once and on
    every change; the stream ends after about 25 s and the terminal reconnects."""
    seconds = current_app.config.get("EMS_STREAM_SECONDS", STREAM_SECONDS)
    if request.method == "HEAD":  # no body will be read: no stream, no slot
        return Response(mimetype="text/event-stream")
    db.session.commit()
    slot = _take_slot(current_app.config["EMS_STREAM_SLOTS"])
    if slot is None:
        response, status = refuse(503, "busy", "no stream free here: poll GET .../jobs")
        response.headers["Retry-After"] = "30"
        return response, status
    body = stream_with_context(_changes(vehicle_id, seconds, slot))
    response = Response(body, mimetype="text/event-stream")
    response.call_on_close(slot.give_back)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


@bp.route("/vehicles/<int:vehicle_id>/jobs/<int:job_id>/ack", methods=["POST"])
@terminal_required
def acknowledge_job(vehicle_id: int, job_id: int):
    """接单: {"at": "<ISO 8601 time with zone>"} (the terminal's time; now without one)."""
    body = request.get_json(silent=True)
    if body is None and not request.get_data():
        body = {}
    if not isinstance(body, dict):
        return refuse(400, "invalid", "a JSON object is required")
    try:
        at = terminal_time(body)
    except ValueError:
        return refuse(400, "invalid", "at: an ISO 8601 time with zone")

    def ack(session: Session) -> receipts.Answer:
        assignment = crew_jobs.acknowledge(session, vehicle_id=vehicle_id, job_id=job_id, at=at)
        acknowledged = assignment.acknowledged_at
        return 200, {"job_id": assignment.id, "acknowledged_at": acknowledged.isoformat()}

    return receipted(ack)
