"""The live wallboard (大屏): the page, its figures as JSON, and the district outlines for
its small map.

Supervisors, officials and the desk open it logged in (READ_WALLBOARD). A screen in the hall
opens `/wallboard?token=…` once: the token is exchanged for a grant in the browser's session
(and the address bar loses the token), and that grant opens these three endpoints and
nothing else; issuing a new token or revoking it ends the grant at the next poll.
"""

import copy
import json
from functools import wraps
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from hotline import labels
from hotline.core.accounts.permissions import Permission, allows
from hotline.database import utcnow
from hotline.plugins import db, login_manager
from hotline.services.accounts import wallboard_token
from hotline.services.hotspots import queries as hotspot_queries
from hotline.services.reports import wallboard
from hotline.web import maps
from hotline.web.telephony import line_secret, line_settings

bp = Blueprint("wallboard", __name__)
GRANT = "wallboard_grant"  # the session key of a screen's grant
REFRESH_SECONDS = 5


def wallboard_guard(view):
    """A logged-in user needs READ_WALLBOARD; nobody logged in needs a live screen grant
    (else the login page, as for any page)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if request.endpoint == "wallboard.page" and "token" in request.args:
            return _redeem()
        if current_user.is_authenticated:
            if not allows(current_user.role_enum, Permission.READ_WALLBOARD):
                if request.accept_mimetypes.best == "application/json":
                    return jsonify(error="forbidden"), 403
                abort(403)
            return view(*args, **kwargs)
        if wallboard_token.grant_valid(db.session, session.get(GRANT), now=utcnow()):
            return view(*args, **kwargs)
        session.pop(GRANT, None)
        return login_manager.unauthorized()

    wrapped.permission = Permission.READ_WALLBOARD  # the menu and the authorization tests
    wrapped.wallboard_grant = True  # the only views a screen's grant opens
    return wrapped


def _redeem():
    """`?token=`: the grant into the session and back to the bare URL, or 403."""
    grant = wallboard_token.redeem(
        db.session, request.args["token"], now=utcnow(), ip=request.remote_addr or ""
    )
    if grant is None:
        session.pop(GRANT, None)
        return render_template("reports/wallboard_refused.html"), 403
    session[GRANT] = grant
    return redirect(url_for("wallboard.page"))


@bp.route("/wallboard")
@wallboard_guard
def page():
    """The board's frame; the figures come from /wallboard/data every few seconds."""
    return render_template(
        "reports/wallboard.html",
        refresh_seconds=REFRESH_SECONDS,
        screen=not current_user.is_authenticated,
    )


def _labelled(board: dict) -> dict:
    """State and empty-district names in the reader's language."""
    for row in board["states"]:
        row["label"] = str(labels.STATE_LABELS.get(row["state"], row["state"]))
    for row in board["districts"]:
        row["name"] = row["name"] or _("Not located")
    for row in board["telephony"].get("agents", []):
        row["label"] = str(labels.AGENT_STATE_LABELS[row["state"]])
    return board


@bp.route("/wallboard/data")
@wallboard_guard
def data():
    """Today's figures as JSON (cached a few seconds for every screen of the process)."""
    timezone = current_app.config["TIMEZONE"]
    now = utcnow()
    # The phone line's part when the line is on (Kamailio has a secret to talk to us).
    line = line_settings() if line_secret() else None
    board = wallboard.cached_figures(
        db.session, timezone=timezone, now=now, database=str(db.engine.url), line=line
    )
    # A copy: the cached board is shared by every request (and every language).
    board = _labelled(copy.deepcopy(board))
    board["clock"] = now.astimezone(ZoneInfo(timezone)).strftime("%H:%M:%S")
    # The open hotspots (a handful; read each time: they change every minute).
    board["hotspots"] = {
        "enabled": True,
        "items": [hotspot_queries.marker(v) for v in hotspot_queries.open_now(db.session)],
    }
    response = jsonify(board)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/wallboard/districts.geojson")
@wallboard_guard
def districts():
    """The district outlines for the board's small map (the maps' own GeoJSON)."""
    return Response(
        json.dumps(maps.districts_geojson(), ensure_ascii=False), mimetype="application/geo+json"
    )
