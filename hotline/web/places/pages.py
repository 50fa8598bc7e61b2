"""/places/suggest and /places/nearest for the address box and the map; /admin/places for
the system administrator: import a file, accept or reject the candidates."""

import math

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hotline import labels
from hotline.core.accounts.permissions import Permission
from hotline.core.geo import valid_coordinates
from hotline.core.places.importing import ImportFailed, Problem
from hotline.core.places.keys import PlaceKind
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.errors import Conflict, NotFound, ValidationFailed
from hotline.services.places import candidates, gazetteer
from hotline.web.helpers import parse_int, requires

bp = Blueprint("places", __name__)

SUGGESTIONS = 8
MAX_UPLOAD = 20 * 1024 * 1024
SHOWN_PROBLEMS = 50

KIND_LABELS = labels.PLACE_KIND_LABELS
IMPORT_ERRORS = labels.PLACE_IMPORT_ERRORS


def error_text(code: str) -> str:
    """The import's message for a code."""
    text = IMPORT_ERRORS.get(code)
    return str(text) if text is not None else labels.error_text(code)


def _item(suggestion: gazetteer.Suggestion) -> dict:
    label = KIND_LABELS.get(suggestion.kind)
    return {**suggestion.as_json(), "kind_label": str(label) if label else suggestion.kind}


@bp.route("/places/suggest")
@requires(Permission.SUGGEST_PLACES)
def suggest():
    """The named places for what is typed so far: {"items": [...]}, best first."""
    query = (request.args.get("q") or "").strip()[:100]
    return jsonify(items=[_item(s) for s in gazetteer.suggest(db.session, query, k=SUGGESTIONS)])


def _coordinate(name: str) -> float | None:
    try:
        value = float((request.args.get(name) or "").strip()[:20])
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@bp.route("/places/nearest")
@requires(Permission.SUGGEST_PLACES)
def nearest():
    """The nearest named place to a map click: {"item": {...} or null, "distance_m"}."""
    lon, lat = _coordinate("lon"), _coordinate("lat")
    # Web-mercator maps end at 85 degrees: nearer a pole there is no map to click on.
    if lon is None or lat is None or not valid_coordinates(lon, lat) or abs(lat) > 85:
        return jsonify(error="invalid", description=labels.error_text("invalid_coordinates")), 400
    found = gazetteer.nearest(db.session, lon, lat)
    if found is None:
        return jsonify(item=None, distance_m=None)
    return jsonify(item=_item(found.place), distance_m=round(found.distance_m))


def _page(problems: list[Problem] | None = None, status: int = 200):
    shown = problems[:SHOWN_PROBLEMS] if problems else []
    return (
        render_template(
            "admin/places.html",
            counts=gazetteer.counts(db.session),
            waiting=candidates.waiting(db.session),
            kinds=KIND_LABELS,
            problems=[(p.line, p.column, error_text(p.code)) for p in shown],
            more_problems=len(problems or []) - len(shown),
        ),
        status,
    )


@bp.route("/admin/places")
@requires(Permission.MANAGE_ORGANISATION)
def admin():
    """Named places by source, the import form and the waiting candidates."""
    return _page()


@bp.route("/admin/places/import", methods=["POST"])
@requires(Permission.MANAGE_ORGANISATION)
def import_places():
    """Import a CSV or GeoJSON file: every row or none; bad rows listed by line."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(labels.error_text("required"), "error")
        return _page(status=422)
    data = upload.stream.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        flash(_("The file is larger than 20 MB."), "error")
        return _page(status=422)
    try:
        result = gazetteer.import_file(db.session, data, upload.filename, now=utcnow())
    except ImportFailed as exc:
        flash(error_text(exc.code), "error")
        return _page(status=422)
    if result.problems:
        flash(_("Nothing was imported: correct the rows below and upload the file again."), "error")
        return _page(result.problems, status=422)
    flash(
        _(
            "%(added)d places added, %(updated)d updated.",
            added=result.added,
            updated=result.updated,
        ),
        "success",
    )
    return redirect(url_for("places.admin"), 303)


@bp.route("/admin/places/candidates", methods=["POST"])
@requires(Permission.MANAGE_ORGANISATION)
def decide():
    """Accept a candidate as a named place (its name and kind as edited) or reject it."""
    candidate_id = parse_int(request.form.get("candidate_id"))
    accept = request.form.get("decision") == "accept"
    kind = request.form.get("kind") or PlaceKind.OTHER.value
    name = (request.form.get("name") or "").strip()
    try:
        if candidate_id is None:
            raise NotFound()
        candidates.decide(
            db.session,
            candidate_id=candidate_id,
            accept=accept,
            name=name,
            kind=kind,
            actor_id=current_user.id,
            now=utcnow(),
        )
    except (NotFound, Conflict) as exc:
        db.session.rollback()
        flash(labels.error_text(exc.code), "error")
    except ValidationFailed as exc:
        db.session.rollback()
        for code in exc.errors.values():
            flash(error_text(code), "error")
    else:
        flash(_("Added to the gazetteer.") if accept else _("Rejected."), "success")
    return redirect(url_for("places.admin"), 303)
