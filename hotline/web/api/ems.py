"""The 120 JSON API: recommendations for dispatchers' tokens; status and positions from the
vehicles' terminals (one token per vehicle)."""

from datetime import datetime, timedelta
from functools import wraps

from flask import Blueprint, g, jsonify, request

from hotline.core.accounts.roles import Role
from hotline.core.ems.vehicles import VehicleStatus
from hotline.database import utcnow
from hotline.extensions import csrf, db
from hotline.services.accounts import credentials
from hotline.services.ems import fleet, terminals
from hotline.services.errors import Conflict, NotFound, ValidationFailed
from hotline.web.ems.incidents import recommendation_json

bp = Blueprint("ems_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token-authenticated, no cookies
MAX_K = 20
MAX_CLOCK_AHEAD = timedelta(minutes=5)


def _bearer() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme == "Bearer" else ""


def _error(code: str, status: int, **extra):
    return jsonify(error=code, **extra), status


@bp.route("/dispatch/recommend")
def recommend():
    """The k nearest available vehicles for a point (a 120 dispatcher's token)."""
    user = credentials.user_for_token(db.session, _bearer())
    if user is None:
        return _error("unauthorized", 401)
    if user.role_enum not in (Role.EMS_DISPATCHER, Role.SUPERVISOR):
        return _error("forbidden", 403)
    try:
        lon, lat = float(request.args["lon"]), float(request.args["lat"])
        k = int(request.args.get("k", "3"))
    except (KeyError, ValueError):
        return _error("invalid", 400, description="lon and lat (degrees) are required; k is 1-20")
    if not 1 <= k <= MAX_K or not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return _error("invalid", 400, description="lon and lat (degrees) are required; k is 1-20")
    return recommendation_json(lon, lat, k)


def terminal(view):
    """The vehicle's own token, for its own id only."""

    @wraps(view)
    def wrapped(vehicle_id: int):
        vehicle = terminals.vehicle_for_token(db.session, _bearer())
        if vehicle is None:
            return _error("unauthorized", 401)
        if vehicle.id != vehicle_id:
            return _error("forbidden", 403)
        g.vehicle = vehicle
        return view(vehicle_id)

    return wrapped


def _time(body: dict) -> datetime:
    """The terminal's time; one ahead of ours by more than a few minutes is a wrong clock,
    and would block every later status (times must not go backwards)."""
    raw = body.get("at")
    now = utcnow()
    if raw is None:
        return now
    at = datetime.fromisoformat(str(raw))
    if at.tzinfo is None:
        raise ValueError("a time zone is required")
    if at > now + MAX_CLOCK_AHEAD:
        raise ValueError("the time is in the future")
    return at


@bp.route("/vehicles/<int:vehicle_id>/status", methods=["POST"])
@terminal
def vehicle_status(vehicle_id: int):
    """{"status": "en_route", "at": "2026-11-23T10:00:00+08:00"} from the terminal."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _error("invalid", 400, description="a JSON object is required")
    try:
        wanted, at = VehicleStatus(str(body.get("status"))), _time(body)
    except ValueError:
        return _error("invalid", 400, description="status and an ISO 8601 time with zone")
    try:
        vehicle = fleet.change_status(
            db.session, actor_id=None, vehicle_id=vehicle_id, wanted=wanted, at=at
        )
    except NotFound:
        return _error("not_found", 404)
    except ValidationFailed as exc:
        return _error("invalid", 422, errors=exc.errors)
    except Conflict:
        return _error("conflict", 409)
    return {"vehicle_id": vehicle.id, "status": vehicle.status}


@bp.route("/vehicles/<int:vehicle_id>/positions", methods=["POST"])
@terminal
def vehicle_positions(vehicle_id: int):
    """{"positions": [{"lon": .., "lat": .., "at": ..}, ...]} (or one object) from the GPS."""
    body = request.get_json(silent=True)
    fixes = body.get("positions", [body]) if isinstance(body, dict) else None
    if not isinstance(fixes, list) or not 1 <= len(fixes) <= 500:
        return _error("invalid", 400, description="1 to 500 positions")
    try:
        parsed = [(float(f["lon"]), float(f["lat"]), _time(f)) for f in fixes]
    except (KeyError, TypeError, ValueError):
        return _error("invalid", 400, description="each position needs lon, lat and at")
    try:
        for lon, lat, at in parsed:
            terminals.record_position(db.session, vehicle_id=vehicle_id, lon=lon, lat=lat, at=at)
    except ValidationFailed as exc:
        return _error("invalid", 422, errors=exc.errors)
    return {"vehicle_id": vehicle_id, "accepted": len(parsed)}, 201
