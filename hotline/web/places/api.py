"""The gazetteer for API clients: GET /api/v1/places?q=...&k=5."""

from flask import jsonify, request

from hotline.core.accounts.permissions import Permission
from hotline.core.api import openapi
from hotline.core.places.keys import MAX_SUGGESTIONS
from hotline.plugins import db
from hotline.services.places import gazetteer
from hotline.web.api import bp, refuse
from hotline.web.api.tokens import token_required
from hotline.web.helpers import parse_int

MAX_QUERY = openapi.MAX_PLACE_QUERY
MAX_K = MAX_SUGGESTIONS


@bp.route("/places")
@token_required(Permission.SUGGEST_PLACES)
def places():
    """{"items": [{"name", "kind", "lon", "lat", "district"}]}, best first."""
    query = (request.args.get("q") or "").strip()
    k = parse_int(request.args.get("k")) if request.args.get("k") else 5
    if not query or len(query) > MAX_QUERY or not k or not 1 <= k <= MAX_K:
        return refuse(
            400,
            "invalid",
            f"q is required (at most {MAX_QUERY} characters), k from 1 to {MAX_K}",
        )
    return jsonify(items=[s.as_json() for s in gazetteer.suggest(db.session, query, k=k)])
