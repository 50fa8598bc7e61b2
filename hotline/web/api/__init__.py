"""The API: /api/v1 (one blueprint, "api", token-authenticated; its modules add the routes)
and Open311 GeoReport v2 under /open311/v2 (its own blueprint, api_key-authenticated)."""

from datetime import UTC, datetime

from flask import Blueprint, jsonify, request

from hotline.plugins import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token-authenticated: no cookies, so no cross-site forgery


def refuse(status: int, error: str, description: str, **extra):
    """An /api/v1 refusal: {"error", "description", ...} with `status`."""
    return jsonify(error=error, description=description, **extra), status


def since_argument(default: datetime) -> datetime:
    """The `since` query argument (ISO 8601 with a time zone) as UTC, or `default` when
    absent; ValueError with the reason for the client otherwise."""
    raw = request.args.get("since", "")
    if not raw:
        return default
    try:
        moment = datetime.fromisoformat(raw)
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC)  # 0001-01-01T00:00+14:00 is before year 1
    except (ValueError, OverflowError):
        raise ValueError("since must be an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise ValueError("since needs a time zone (e.g. +08:00 or Z)")
    if not 2000 <= moment.year <= 2999:
        raise ValueError("since must be a time of this millennium")
    return moment


# The modules attach their routes to `bp`; imported last because they import it.
from hotline.web.api import (  # noqa: E402
    crew,
    ems,
    incidents,
    kb,
    locate,
    openapi,
    orders,
    patients,
)

__all__ = [
    "bp",
    "crew",
    "ems",
    "incidents",
    "kb",
    "locate",
    "openapi",
    "orders",
    "patients",
    "refuse",
    "since_argument",
]
