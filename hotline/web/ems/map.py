"""The dispatcher's live map and its GeoJSON feeds, the director's view, bulletins,
malicious-number locks and track replay."""

import json
import statistics
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from hotline import labels
from hotline.core.accounts.permissions import Permission, allows
from hotline.core.accounts.roles import Role
from hotline.core.ems.vocabulary import DISPATCH_TARGET_SECONDS
from hotline.core.orders.workflow import OPEN_STATES
from hotline.database import utcnow
from hotline.extensions import db
from hotline.models import Booking, Hospital, Incident, MaliciousNumber, Station, Vehicle, WorkOrder
from hotline.services.ems import bookings, resources
from hotline.services.errors import ValidationFailed
from hotline.web.helpers import flash_errors, parse_int, requires
from hotline.web.maps import district_map

bp = Blueprint("ems_map", __name__)
MAX_ORDERS_ON_MAP = 20000


def geojson_response(features: list[dict]) -> Response:
    """A FeatureCollection in which no text can be read as HTML: <, > and & are escaped as
    JSON unicode escapes, which JSON.parse turns back into the original characters."""
    body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                      separators=(",", ":"))  # fmt: skip
    body = body.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    return Response(body, mimetype="application/geo+json")


def _point(lon: float, lat: float, properties: dict) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
        "properties": properties,
    }


@bp.route("/api/v1/map/vehicles.geojson")
@requires(Permission.LIVE_MAP)
def vehicles_feed():
    """Every vehicle with its status."""
    rows = db.session.execute(
        select(Vehicle.id, Vehicle.call_sign, Vehicle.status, Vehicle.lon, Vehicle.lat)
    ).all()
    return geojson_response(
        [_point(r.lon, r.lat, {"id": r.id, "name": r.call_sign, "status": r.status}) for r in rows]
    )


@bp.route("/api/v1/map/incidents.geojson")
@requires(Permission.LIVE_MAP)
def incidents_feed():
    """Open incidents."""
    rows = db.session.scalars(select(Incident).where(Incident.state == "open")).all()
    # The patient's complaint is for the 120 desk only, not for the 12345 dispatch desk.
    medical = allows(current_user.role_enum, Permission.EMS_MEDICAL)
    return geojson_response([
        _point(i.lon, i.lat, {"id": i.id, "name": i.number, "triage": i.triage_level,
                              "text": i.complaint[:200] if medical else ""})
        for i in rows
    ])  # fmt: skip


@bp.route("/api/v1/map/orders.geojson")
@requires(Permission.LIVE_MAP)
def orders_feed():
    """Open 12345 work orders with a location (no caller data)."""
    rows = db.session.execute(
        select(WorkOrder.number, WorkOrder.state, WorkOrder.lon, WorkOrder.lat)
        .where(WorkOrder.state.in_([s.value for s in OPEN_STATES]), WorkOrder.lon.is_not(None))
        .limit(MAX_ORDERS_ON_MAP)
    ).all()
    return geojson_response(
        [_point(r.lon, r.lat, {"name": r.number, "state": r.state}) for r in rows]
    )


@bp.route("/api/v1/map/places.geojson")
@requires(Permission.LIVE_MAP)
def places_feed():
    """Stations and hospitals."""
    stations = db.session.scalars(select(Station)).all()
    hospitals = db.session.scalars(select(Hospital)).all()
    return geojson_response(
        [_point(s.lon, s.lat, {"kind": "station", "name": s.name}) for s in stations]
        + [_point(h.lon, h.lat, {"kind": "hospital", "name": h.name}) for h in hospitals]
    )


@bp.route("/ems/map")
@requires(Permission.LIVE_MAP)
def dispatch_map():
    """Vehicles, incidents, open orders, stations and hospitals, refreshed every few seconds."""
    return render_template("ems/map.html", fmap=district_map("640px"))


@bp.route("/ems/vehicles/<int:vehicle_id>/track.geojson")
@requires(Permission.EMS_TRACKS)
def track(vehicle_id: int):
    """A vehicle's track in a time window, as one line (replayed on the map)."""
    try:
        start = datetime.fromisoformat(request.args.get("from", ""))
        end = datetime.fromisoformat(request.args.get("to", ""))
    except ValueError:
        return {"error": "invalid_datetime"}, 400
    if start.tzinfo is None or end.tzinfo is None or end <= start:
        return {"error": "invalid_datetime"}, 400
    points = resources.track(db.session, vehicle_id, start, end)
    line = {"type": "LineString", "coordinates": [[p.lon, p.lat] for p in points]}
    times = [p.at.isoformat() for p in points]
    feature = {"type": "Feature", "geometry": line, "properties": {"times": times}}
    return geojson_response([feature])


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@bp.route("/ems/director", methods=["GET", "POST"])
@requires(Permission.EMS_DIRECTOR)
def director():
    """主任查询: live counts, the bulletin board and the history with response times."""
    now = utcnow()
    if request.method == "POST":
        if current_user.role_enum is not Role.SUPERVISOR:
            abort(403)
        try:
            resources.post_bulletin(db.session, current_user.id, request.form.get("text", ""), now)
        except ValidationFailed as exc:
            flash_errors(exc)
        else:
            flash(_("Saved."), "success")
        return redirect(url_for("ems_map.director")), 303
    times = resources.response_times(db.session, now - timedelta(days=7), now)
    to_dispatch = [t[0] for t in times]
    to_scene = [t[1] for t in times]
    within = sum(1 for t in to_dispatch if t <= DISPATCH_TARGET_SECONDS)
    return render_template(
        "ems/director.html",
        live=resources.live_counts(db.session, now),
        bulletins=resources.bulletins(db.session),
        history=db.session.scalars(
            select(Incident).order_by(Incident.created_at.desc()).limit(100)
        ).all(),
        figures={
            "count": len(times),
            "dispatch_median": statistics.median(to_dispatch) if to_dispatch else None,
            "dispatch_p90": _percentile(to_dispatch, 0.9),
            "dispatch_p95": _percentile(to_dispatch, 0.95),
            "scene_median": statistics.median(to_scene) if to_scene else None,
            "scene_p90": _percentile(to_scene, 0.9),
            "within_target": within,
        },
        target=DISPATCH_TARGET_SECONDS,
    )


@bp.route("/ems/locks", methods=["GET", "POST"])
@requires(Permission.EMS_LOCKS)
def locks():
    """恶意电话锁定: lock a number for a time with a reason."""
    now = utcnow()
    if request.method == "POST":
        try:
            resources.lock_number(
                db.session, current_user.id, request.form.get("phone", ""),
                parse_int(request.form.get("hours")) or 0, request.form.get("reason", ""), now,
            )  # fmt: skip
        except ValidationFailed as exc:
            flash_errors(exc)
        else:
            flash(_("Saved."), "success")
        return redirect(url_for("ems_map.locks")), 303
    active = db.session.scalars(
        select(MaliciousNumber).where(MaliciousNumber.until > now).order_by(MaliciousNumber.until)
    ).all()
    return render_template("ems/locks.html", locks=active)


@bp.route("/ems/bookings", methods=["GET", "POST"])
@requires(Permission.EMS_DISPATCH)
def booking_list():
    """约车: book a transport for a time; the scheduler sends the nearest vehicle before it."""
    now = utcnow()
    if request.method == "POST":
        form = request.form
        try:
            pickup = datetime.fromisoformat(form.get("pickup_at", ""))
            if pickup.tzinfo is None:
                pickup = pickup.replace(tzinfo=ZoneInfo(current_app.config["TIMEZONE"]))
            bookings.create_booking(
                db.session, current_user.id, form.get("caller_phone", ""),
                _number(form.get("lon")), _number(form.get("lat")), pickup, now,
                form.get("address", ""), form.get("note", ""),
            )  # fmt: skip
        except ValueError:
            flash(labels.error_text("invalid_datetime"), "error")
        except ValidationFailed as exc:
            flash_errors(exc)
        else:
            flash(_("Saved."), "success")
        return redirect(url_for("ems_map.booking_list")), 303
    items = db.session.scalars(
        select(Booking)
        .where(Booking.pickup_at >= now - timedelta(days=1))
        .order_by(Booking.pickup_at)
    ).all()
    return render_template("ems/bookings.html", bookings=items, lead=bookings.LEAD)


def _number(value: str | None) -> float:
    try:
        return float(value or "nan")
    except ValueError:
        return float("nan")
