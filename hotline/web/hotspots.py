"""Hotspots (热点): the list page for supervisors, officials and the desk, and
`GET /api/v1/hotspots?since=...` (a token of a role that may read them)."""

import json
from datetime import timedelta

from flask import Blueprint, Response, jsonify, render_template

from hotline.core.accounts.permissions import Permission
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.hotspots import queries
from hotline.web.api import bp as api_bp
from hotline.web.api import refuse, since_argument
from hotline.web.api.tokens import token_required
from hotline.web.helpers import requires
from hotline.web.maps import district_map

bp = Blueprint("hotspots", __name__, url_prefix="/hotspots")
RECENT = timedelta(days=7)  # the page: what changed in the last week


@bp.route("")
@requires(Permission.READ_HOTSPOTS)
def listing():
    """Open hotspots and those of the last week, newest change first, with their orders."""
    views = queries.since(db.session, utcnow() - RECENT)
    return render_template("hotspots/list.html", views=views, fmap=district_map("420px"))


@bp.route("/layer.geojson")
@requires(Permission.READ_HOTSPOTS)
def layer():
    """The week's hotspots as GeoJSON points with their radius, for the maps."""
    views = queries.since(db.session, utcnow() - RECENT)
    return Response(
        json.dumps(queries.feature_collection(views), ensure_ascii=False),
        mimetype="application/geo+json",
    )


@api_bp.route("/hotspots")
@token_required(Permission.READ_HOTSPOTS)
def api_hotspots():
    """Hotspots raised or grown since `since` (ISO 8601; default: the last day)."""
    try:
        moment = since_argument(utcnow() - timedelta(days=1))
    except ValueError as exc:
        return refuse(400, "invalid", str(exc))
    views = queries.since(db.session, moment)
    return jsonify({"items": [queries.document(v) for v in views]})
