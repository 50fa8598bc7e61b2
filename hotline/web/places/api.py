"""The gazetteer for API clients: GET /api/v1/places?q=...&k=5."""

from flask import jsonify, request

from hotline.core.accounts.permissions import Permission
from hotline.core.api import openapi
from hotline.plugins import db
from hotline.services.places import gazetteer
from hotline.web.api import bp, refuse
from hotline.web.api.tokens import token_required
from hotline.web.helpers import parse_int

MAX_QUERY = 100
MAX_K = gazetteer.MAX_SUGGESTIONS

# The path's description in the OpenAPI document. It belongs in core/api/openapi.py; until
# that module lists it, it is added here, before the app serves the document.
PLACES_PATH = {
    "get": openapi._operation(
        "suggestPlaces",
        "Named places (小区, schools, hospitals, bus stops, junctions) for typed text: "
        "prefix, full text or pinyin initials (gtbl for 工体北路), best first",
        openapi.USER_SCHEME,
        {"200": ("Places in rank order", "Places"), "400": ("The request is malformed", "Error")},
        parameters=[
            {
                **openapi._parameter(
                    "q",
                    "query",
                    {"type": "string", "minLength": 1, "maxLength": MAX_QUERY},
                    "What is typed: 工体, 工体北路 or gtbl",
                ),
                "required": True,
            },
            openapi._parameter(
                "k",
                "query",
                {"type": "integer", "minimum": 1, "maximum": gazetteer.MAX_SUGGESTIONS},
                "How many places (default 5)",
            ),
        ],
    )
}
PLACES_SCHEMA = {
    "type": "object",
    "required": ["items"],
    "properties": {
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "kind", "lon", "lat", "district"],
                "properties": {
                    "name": {"type": "string"},
                    "kind": {"type": "string"},
                    "lon": {"type": "number"},
                    "lat": {"type": "number"},
                    "district": {"type": "string"},
                },
            },
        }
    },
}
openapi.OPENAPI["paths"].setdefault("/places", PLACES_PATH)
openapi.OPENAPI["components"]["schemas"].setdefault("Places", PLACES_SCHEMA)


@bp.route("/places")
@token_required(Permission.SUGGEST_PLACES)
def places():
    """{"items": [{"name", "kind", "lon", "lat", "district"}]}, best first."""
    query = (request.args.get("q") or "").strip()
    k = parse_int(request.args.get("k")) if request.args.get("k") else 5
    if not query or len(query) > MAX_QUERY or not k or not 1 <= k <= gazetteer.MAX_SUGGESTIONS:
        return refuse(
            400,
            "invalid",
            f"q is required (at most {MAX_QUERY} characters), k from 1 to {MAX_K}",
        )
    return jsonify(items=[s.as_json() for s in gazetteer.suggest(db.session, query, k=k)])
