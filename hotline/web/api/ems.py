"""The 120 part of /api/v1: recommendations for 120 dispatchers' tokens; status and
positions from the vehicles' terminals (one token per vehicle), each update made once per
Idempotency-Key (a terminal resends what it queued offline)."""

from datetime import datetime

from flask import g, jsonify, request
from sqlalchemy.orm import Session

from hotline.core.accounts.permissions import Permission
from hotline.core.api.openapi import MAX_POSITIONS, MAX_RECOMMENDATIONS
from hotline.core.ems import clock
from hotline.core.ems.vehicles import VehicleStatus
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.ems import fleet, receipts, terminals
from hotline.web.api import bp, refuse
from hotline.web.api.tokens import terminal_required, token_required
from hotline.web.ems.incidents import recommendation_json


def _point(args) -> tuple[float, float, int]:
    """lon, lat and k of a query string; ValueError when one is missing or out of range."""
    try:
        lon, lat, k = float(args["lon"]), float(args["lat"]), int(args.get("k", "3"))
    except KeyError as exc:
        raise ValueError("missing") from exc
    if not 1 <= k <= MAX_RECOMMENDATIONS or not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValueError("out of range")
    return lon, lat, k


@bp.route("/dispatch/recommend")
@token_required(Permission.EMS_DISPATCH)
def recommend():
    """The k nearest available vehicles for a point (a 120 dispatcher's token)."""
    try:
        lon, lat, k = _point(request.args)
    except ValueError:
        return refuse(400, "invalid", "lon and lat (degrees) are required; k is 1-20")
    return recommendation_json(lon, lat, k)


def receipted(do):
    """The answer of `do(session) -> (status, body)`, made once per the request's
    Idempotency-Key for this terminal's vehicle (no key: made every time); 400 for a
    malformed key, 422 `idempotency_key_reused` for a key this vehicle used for another
    request (method, path or body). For every terminal write (the patient records' too)."""
    key = request.headers.get("Idempotency-Key")
    if key is not None and not receipts.valid_key(key):
        return refuse(400, "invalid", "Idempotency-Key: 1-64 characters of A-Z a-z 0-9 _ -")
    digest = receipts.request_digest(request.method, request.path, request.get_data())
    status, body = receipts.answered(db.session, g.vehicle.id, key, do, now=utcnow(), digest=digest)
    return jsonify(body), status


def terminal_time(body: dict) -> datetime:
    """The time of a terminal's update ("at"; now when absent); ValueError when malformed or
    ahead of ours by more than the clock's allowance (core/ems/clock.py)."""
    return clock.terminal_time(body.get("at"), utcnow())


@bp.route("/vehicles/<int:vehicle_id>/status", methods=["POST"])
@terminal_required
def vehicle_status(vehicle_id: int):
    """{"status": "en_route", "at": "2026-11-23T10:00:00+08:00"} from the terminal."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return refuse(400, "invalid", "a JSON object is required")
    try:
        wanted, at = VehicleStatus(str(body.get("status"))), terminal_time(body)
    except ValueError:
        return refuse(400, "invalid", "status and an ISO 8601 time with zone")

    def change(session: Session) -> receipts.Answer:
        vehicle = fleet.change_status(
            session, actor_id=None, vehicle_id=vehicle_id, wanted=wanted, at=at
        )
        return 200, {"vehicle_id": vehicle.id, "status": vehicle.status}

    return receipted(change)


@bp.route("/vehicles/<int:vehicle_id>/positions", methods=["POST"])
@terminal_required
def vehicle_positions(vehicle_id: int):
    """{"positions": [{"lon": .., "lat": .., "at": ..}, ...]} (or one object) from the GPS."""
    body = request.get_json(silent=True)
    fixes = body.get("positions", [body]) if isinstance(body, dict) else None
    if not isinstance(fixes, list) or not 1 <= len(fixes) <= MAX_POSITIONS:
        return refuse(400, "invalid", f"1 to {MAX_POSITIONS} positions")
    try:
        parsed = [(float(f["lon"]), float(f["lat"]), terminal_time(f)) for f in fixes]
    except (KeyError, TypeError, ValueError):
        return refuse(400, "invalid", "each position needs lon, lat and at")

    def record(session: Session) -> receipts.Answer:
        for lon, lat, at in parsed:
            terminals.record_position(session, vehicle_id=vehicle_id, lon=lon, lat=lat, at=at)
        return 201, {"vehicle_id": vehicle_id, "accepted": len(parsed)}

    return receipted(record)
