"""The dispatcher's live map and its GeoJSON feeds (under /api/v1/map, with the login
session: they serve the map page, not API clients)."""

import json

from flask import Response, jsonify, render_template, request
from flask_login import current_user

from hotline.core.accounts.permissions import Permission, allows
from hotline.labels import error_text
from hotline.plugins import db
from hotline.services.ems import live_map
from hotline.web.ems import bp
from hotline.web.helpers import requires
from hotline.web.maps import district_map

MAX_TEXT_ON_MAP = 200


MAX_VERSION_DIGITS = 18  # a change_seq fits PostgreSQL's bigint with room to spare


def geojson_response(features: list[dict], **members: object) -> Response:
    """A FeatureCollection (with any foreign `members`, e.g. version) in which no text can
    be read as HTML: <, > and & are escaped as JSON unicode escapes, which JSON.parse turns
    back into the original characters."""
    collection = {"type": "FeatureCollection", **members, "features": features}
    body = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
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
    """Every vehicle with its status, or with ?since=<version> only those changed since the
    version an earlier answer gave; every answer carries the version to ask with next and
    whether it is the full fleet (a `since` this database never gave gets the full fleet)."""
    since = request.args.get("since")
    if since is not None and not (
        since.isascii() and since.isdigit() and len(since) <= MAX_VERSION_DIGITS
    ):
        message = error_text("invalid")
        return jsonify(error="since", description=message, errors={"since": message}), 400
    changes = live_map.vehicle_changes(db.session, None if since is None else int(since))
    return geojson_response(
        [
            _point(r.lon, r.lat, {"id": r.id, "name": r.call_sign, "status": r.status})
            for r in changes.rows
        ],
        version=changes.version,
        full=changes.full,
    )


@bp.route("/api/v1/map/incidents.geojson")
@requires(Permission.LIVE_MAP)
def incidents_feed():
    """Open incidents."""
    # The patient's complaint is for the 120 desk only, not for the 12345 desk.
    medical = allows(current_user.role_enum, Permission.EMS_MEDICAL)
    return geojson_response(
        [
            _point(
                i.lon,
                i.lat,
                {
                    "id": i.id,
                    "name": i.number,
                    "triage": i.triage_level,
                    "text": i.complaint[:MAX_TEXT_ON_MAP] if medical else "",
                },
            )
            for i in live_map.open_incidents(db.session)
        ]
    )


@bp.route("/api/v1/map/orders.geojson")
@requires(Permission.LIVE_MAP)
def orders_feed():
    """Open 12345 work orders with a location (no caller data)."""
    return geojson_response(
        [
            _point(r.lon, r.lat, {"name": r.number, "state": r.state})
            for r in live_map.open_orders(db.session)
        ]
    )


@bp.route("/api/v1/map/places.geojson")
@requires(Permission.LIVE_MAP)
def places_feed():
    """Stations and hospitals."""
    stations, hospitals = live_map.places(db.session)
    return geojson_response(
        [_point(s.lon, s.lat, {"kind": "station", "name": s.name}) for s in stations]
        + [_point(h.lon, h.lat, {"kind": "hospital", "name": h.name}) for h in hospitals]
    )


@bp.route("/ems/map")
@requires(Permission.LIVE_MAP)
def dispatch_map():
    """Vehicles, incidents, open orders, stations and hospitals, refreshed every few seconds."""
    can_replay = allows(current_user.role_enum, Permission.EMS_TRACKS)
    return render_template("ems/map.html", fmap=district_map("640px"), can_replay=can_replay)
