"""/api/v1/openapi.json: the OpenAPI 3 description of every /api/v1 token endpoint."""

from flask import jsonify

from hotline.core.api.openapi import OPENAPI
from hotline.web.api import bp


@bp.route("/openapi.json")
def openapi():
    """The OpenAPI 3 description of this API (public: it holds no data)."""
    return jsonify(OPENAPI)
