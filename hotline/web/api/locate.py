"""Where a typed address is: /api/v1/locate, for the systems that take calls."""

from flask import jsonify, request

from hotline.core.accounts.permissions import Permission
from hotline.core.api.openapi import MAX_ADDRESS
from hotline.plugins import db
from hotline.services.units import locating
from hotline.web.api import bp, refuse
from hotline.web.api.tokens import token_required


@bp.route("/locate")
@token_required(Permission.TAKE_CALLS)
def locate():
    """{"district_code", "district", "street_code", "street", "confidence"}."""
    address = (request.args.get("address") or "").strip()
    if not address or len(address) > MAX_ADDRESS:
        return refuse(400, "invalid", f"address is required, at most {MAX_ADDRESS} characters")
    found = locating.locate(db.session, address)
    return jsonify(
        district_code=found.district_code,
        district=found.district,
        street_code=found.street_code,
        street=found.street,
        confidence=found.confidence,
    )
