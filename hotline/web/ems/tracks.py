"""Track replay: a vehicle's GPS fixes in a time window as one GeoJSON line, and the
playback page (an incident's vehicles, or one vehicle in a window) with its JSON."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, render_template, request, url_for

from hotline.core import days
from hotline.core.accounts.permissions import Permission
from hotline.database import utcnow
from hotline.labels import INCIDENT_ACTION_LABELS
from hotline.plugins import db
from hotline.services.ems import incidents, terminals, tracks
from hotline.web.ems import bp
from hotline.web.ems.map import geojson_response
from hotline.web.helpers import parse_int, requires
from hotline.web.maps import district_map


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


def local_window(args, timezone: str) -> tuple[datetime, datetime] | None:
    """The page's from/to (datetime-local: the app's time zone when none is given)."""
    try:
        start = datetime.fromisoformat(args.get("from", ""))
        end = datetime.fromisoformat(args.get("to", ""))
    except ValueError:
        return None
    if not (days.in_range(start) and days.in_range(end)):
        return None
    zone = ZoneInfo(timezone)
    start, end = (t if t.tzinfo else t.replace(tzinfo=zone) for t in (start, end))
    if end <= start or end - start > tracks.MAX_WINDOW:
        return None
    return start, end


def _ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


def playback_json(playback: tracks.Playback) -> dict:
    """The playback as the page's script reads it: times in epoch milliseconds."""
    return {
        "start": _ms(playback.start),
        "end": _ms(playback.end),
        "vehicles": [
            {
                "id": t.vehicle_id,
                "call_sign": t.call_sign,
                "points": [[_ms(f.at), f.lon, f.lat] for f in t.fixes],
                "marks": [
                    {
                        "t": _ms(m.at),
                        "label": str(INCIDENT_ACTION_LABELS.get(m.action, m.action)),
                        "lon": m.lon,
                        "lat": m.lat,
                    }
                    for m in t.marks
                ],
            }
            for t in playback.tracks
        ],
    }


@bp.route("/ems/tracks.json")
@requires(Permission.EMS_TRACKS)
def track_playback_data():
    """An incident's vehicles (?incident=) or one vehicle in a window (?vehicle=&from=&to=)."""
    incident_id = parse_int(request.args.get("incident"))
    if incident_id:
        playback = tracks.incident_playback(db.session, incident_id=incident_id, now=utcnow())
        return playback_json(playback)
    vehicle_id = parse_int(request.args.get("vehicle"))
    span = local_window(request.args, current_app.config["TIMEZONE"])
    if not vehicle_id or span is None:
        return {"error": "invalid_datetime"}, 400
    playback = tracks.vehicle_playback(
        db.session, vehicle_id=vehicle_id, start=span[0], end=span[1]
    )
    return playback_json(playback)


@bp.route("/ems/tracks")
@requires(Permission.EMS_TRACKS)
def track_playback():
    """Track playback on the map: a slider over time, play/pause and speed, status marks."""
    args = request.args
    incident_id = parse_int(args.get("incident"))
    vehicle_id = parse_int(args.get("vehicle"))
    data_url = None
    if incident_id:
        incidents.get(db.session, incident_id)  # 404 for an incident that does not exist
        data_url = url_for("ems.track_playback_data", incident=incident_id)
    elif vehicle_id and local_window(args, current_app.config["TIMEZONE"]):
        query = {"vehicle": vehicle_id, "from": args["from"], "to": args["to"]}
        data_url = url_for("ems.track_playback_data", **query)
    return render_template(
        "ems/tracks.html",
        fmap=district_map("520px"),
        vehicles=terminals.vehicles(db.session),
        chosen=vehicle_id,
        typed={"from": args.get("from", ""), "to": args.get("to", "")},
        incident_id=incident_id,
        data_url=data_url,
        invalid=bool(vehicle_id and not data_url),
    )
