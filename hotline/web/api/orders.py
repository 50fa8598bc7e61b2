"""The internal orders API under /api/v1/: per-user tokens, scoped exactly like the pages."""

from functools import wraps

from flask import Blueprint, current_app, g, jsonify, request

from hotline.core.accounts import privacy
from hotline.core.accounts.permissions import Permission, allows
from hotline.core.orders.search import parse_filters
from hotline.extensions import csrf, db
from hotline.labels import error_text
from hotline.services.accounts import credentials
from hotline.services.errors import Forbidden, NotFound
from hotline.services.orders import queries
from hotline.web.api.openapi import OPENAPI
from hotline.web.helpers import parse_int

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token-authenticated; no cookies, so no cross-site forgery
MAX_PAGE_SIZE = 100


def token_required(view):
    """Authorization: Bearer <token>; 401 without a valid one, 403 for a role without access."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        user = credentials.user_for_token(db.session, token.strip()) if scheme == "Bearer" else None
        if user is None:
            response = jsonify(error="unauthorized", description="a valid Bearer token is required")
            response.headers["WWW-Authenticate"] = 'Bearer realm="hotline"'
            return response, 401
        if not allows(user.role_enum, Permission.READ_ORDERS):
            return jsonify(error="forbidden", description="this role may not read orders"), 403
        g.api_user = user
        return view(*args, **kwargs)

    return wrapped


def _iso(value) -> str | None:
    return None if value is None else value.isoformat()


def _order(order, with_events: bool = False) -> dict:
    role = g.api_user.role_enum
    visibility = privacy.caller_visibility(role, order.confidential)
    caller = None
    if visibility is not privacy.CallerVisibility.HIDDEN:
        caller = {
            "name": order.caller_name,
            "phone": privacy.shown_phone(role, order.confidential, order.caller_phone),
        }
    document = {
        "number": order.number,
        "state": order.state,
        "type": order.order_type,
        "channel": order.channel,
        "category": {"code": order.category.code, "name": order.category.name},
        "department": (
            {"id": order.department.id, "name": order.department.name} if order.department else None
        ),
        "district": (
            {"code": order.district.code, "name": order.district.name} if order.district else None
        ),
        "location": ({"lon": order.lon, "lat": order.lat} if order.lon is not None else None),
        "address": order.address,
        "description": order.description,
        "confidential": order.confidential,
        "caller": caller,
        "created_at": _iso(order.created_at),
        "due_at": _iso(order.due_at),
        "closed_at": _iso(order.closed_at),
        "escalation_level": order.escalation_level,
        "synthetic": order.synthetic,
    }
    if with_events:
        document["events"] = [
            {
                "at": _iso(e.at),
                "action": e.action,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "actor": e.actor.display_name if e.actor else None,
                "note": e.note,
            }
            for e in queries.timeline(db.session, order)
        ]
    return document


@bp.route("/orders")
@token_required
def order_list():
    """Orders the user may see, with the search page's filters, paginated."""
    filters, errors = parse_filters(request.args.to_dict())
    page = parse_int(request.args.get("page")) if request.args.get("page") else 1
    size = parse_int(request.args.get("page_size")) if request.args.get("page_size") else 25
    if not page:
        errors["page"] = "invalid"
    if not size or size > MAX_PAGE_SIZE:
        errors["page_size"] = "out_of_range"
    if errors:
        return jsonify(error="invalid", errors={k: error_text(v) for k, v in errors.items()}), 400
    result = queries.search(
        db.session, g.api_user, filters, page, size, current_app.config["TIMEZONE"]
    )
    return jsonify(
        items=[_order(o) for o in result.items],
        total=result.total,
        page=result.page,
        page_size=result.page_size,
    )


@bp.route("/orders/<number>")
@token_required
def order_detail(number: str):
    """One order with its audit events; 404 when it does not exist or is not the user's."""
    try:
        order = queries.get_order(db.session, g.api_user, number)
    except (NotFound, Forbidden):
        return jsonify(error="not_found", description="no such order"), 404
    return jsonify(_order(order, with_events=True))


@bp.route("/openapi.json")
def openapi():
    """The OpenAPI 3 description of this API."""
    return jsonify(OPENAPI)
