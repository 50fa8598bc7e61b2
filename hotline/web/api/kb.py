"""The knowledge base's search for API clients: /api/v1/kb/search."""

from flask import current_app, jsonify, request

from hotline.core.accounts.permissions import Permission
from hotline.core.api.openapi import MAX_KB_RESULTS
from hotline.plugins import db
from hotline.services.kb import search
from hotline.web.api import bp, refuse
from hotline.web.api.tokens import token_required
from hotline.web.helpers import parse_int
from hotline.web.kb.pages import today


@bp.route("/kb/search")
@token_required(Permission.SEARCH_KB)
def kb_search():
    """{"items": [{"id", "title", "category", "score", "snippet"}]}, best first."""
    query = (request.args.get("q") or "").strip()
    k = parse_int(request.args.get("k")) if request.args.get("k") else 5
    if not query or not k or not 1 <= k <= MAX_KB_RESULTS:
        return refuse(400, "invalid", "q is required and k between 1 and 20")
    hits = search.search(db.session, query, k=k, today=today(current_app))
    return jsonify(items=[search.as_json(hit) for hit in hits])
