"""The API: /api/v1 (one blueprint, "api", token-authenticated; its modules add the routes)
and Open311 GeoReport v2 under /open311/v2 (its own blueprint, api_key-authenticated)."""

from flask import Blueprint, jsonify

from hotline.plugins import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token-authenticated: no cookies, so no cross-site forgery


def refuse(status: int, error: str, description: str, **extra):
    """An /api/v1 refusal: {"error", "description", ...} with `status`."""
    return jsonify(error=error, description=description, **extra), status


# The modules attach their routes to `bp`; imported last because they import it.
from hotline.web.api import ems, kb, locate, openapi, orders  # noqa: E402

__all__ = ["bp", "ems", "kb", "locate", "openapi", "orders", "refuse"]
