"""Track replay: a vehicle's GPS fixes in a time window, as one GeoJSON line."""

from datetime import datetime

from flask import request

from hotline.core import days
from hotline.core.accounts.permissions import Permission
from hotline.plugins import db
from hotline.services.ems import terminals
from hotline.web.ems import bp
from hotline.web.ems.map import geojson_response
from hotline.web.helpers import requires


def window(args) -> tuple[datetime, datetime] | None:
    """The [from, to) window of the query string: ISO 8601 with zones, `to` after `from`."""
    try:
        start = datetime.fromisoformat(args.get("from", ""))
        end = datetime.fromisoformat(args.get("to", ""))
    except ValueError:
        return None
    if start.tzinfo is None or end.tzinfo is None or end <= start:
        return None
    if not (days.in_range(start) and days.in_range(end)):
        return None
    return start, end


@bp.route("/ems/vehicles/<int:vehicle_id>/track.geojson")
@requires(Permission.EMS_TRACKS)
def track(vehicle_id: int):
    """A vehicle's track in a time window, as one line (replayed on the map)."""
    span = window(request.args)
    if span is None:
        return {"error": "invalid_datetime"}, 400
    points = terminals.track(db.session, vehicle_id=vehicle_id, start=span[0], end=span[1])
    line = {"type": "LineString", "coordinates": [[p.lon, p.lat] for p in points]}
    times = [p.at.isoformat() for p in points]
    feature = {"type": "Feature", "geometry": line, "properties": {"times": times}}
    return geojson_response([feature])
