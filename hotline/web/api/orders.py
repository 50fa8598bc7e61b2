"""The orders API under /api/v1/orders: per-user tokens, scoped exactly like the pages."""

from flask import current_app, g, jsonify, request

from hotline.core.accounts.permissions import Permission
from hotline.core.api.openapi import MAX_PAGE_SIZE
from hotline.core.orders.search import parse_filters
from hotline.database import utcnow
from hotline.labels import error_text
from hotline.plugins import db
from hotline.services.api import orders
from hotline.services.orders import duplicates
from hotline.web.api import bp, refuse
from hotline.web.api.tokens import token_required
from hotline.web.helpers import parse_int


def _query(args: dict[str, str]) -> tuple[orders.OrderQuery, dict[str, str]]:
    """The search filters, page and page size of a query string, and the errors found."""
    filters, errors = parse_filters(args)
    page = parse_int(args.get("page")) if args.get("page") else 1
    size = parse_int(args.get("page_size")) if args.get("page_size") else 25
    if not page:
        errors["page"] = "invalid"
    if not size or size > MAX_PAGE_SIZE:
        errors["page_size"] = "out_of_range"
    return orders.OrderQuery(filters, page or 1, size or 1), errors


@bp.route("/orders")
@token_required(Permission.READ_ORDERS)
def order_list():
    """Orders the user may see, with the search page's filters, paginated."""
    query, errors = _query(request.args.to_dict())
    if errors:
        texts = {field: error_text(code) for field, code in errors.items()}
        return refuse(400, "invalid", "invalid filters", errors=texts)
    timezone = current_app.config["TIMEZONE"]
    found = orders.search(db.session, actor=g.api_user, query=query, timezone=timezone, **_reader())
    return jsonify(found)


@bp.route("/orders/<number>")
@token_required(Permission.READ_ORDERS)
def order_detail(number: str):
    """One order with its audit events; 404 when it does not exist or is not the user's."""
    return jsonify(orders.detail(db.session, actor=g.api_user, number=number, **_reader()))


@bp.route("/orders/<number>/similar")
@token_required(Permission.READ_ORDERS)
def order_similar(number: str):
    """并单 candidates: open or recent orders probably about the same matter, with the
    distance in metres and a similarity score; 404 when the order is not the user's."""
    items = duplicates.similar_to_order(db.session, actor=g.api_user, number=number)
    return jsonify({"items": items})


def _reader() -> dict:
    """Where and when the read happens, for the security log."""
    return {"ip": request.remote_addr or "", "now": utcnow()}
