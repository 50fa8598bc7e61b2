"""The one token check of /api/v1: a user's token checked against the permission table, or
a vehicle terminal's token for its own vehicle. Both refuse alike: 401 without a valid
token, 403 when the token may not do this (JSON)."""

from functools import wraps

from flask import g, request

from hotline.core.accounts.permissions import Permission, allows
from hotline.core.api.openapi import TERMINAL_SCHEME, USER_SCHEME
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.accounts import credentials
from hotline.services.ems import terminals
from hotline.web.api import refuse


def bearer() -> str:
    """The token of an `Authorization: Bearer <token>` header ("" without one)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme == "Bearer" else ""


def _refused(holder: object | None, allowed: bool, why: str):
    """401 for no holder, 403 when the holder may not; None when the call may go on."""
    if holder is None:
        response, status = refuse(401, "unauthorized", "a valid Bearer token is required")
        response.headers["WWW-Authenticate"] = 'Bearer realm="hotline"'
        return response, status
    return None if allowed else refuse(403, "forbidden", why)


def _mark(wrapped, scheme: str, permission: Permission | None = None):
    wrapped.token_scheme = scheme  # read by the OpenAPI test: every token endpoint is described
    wrapped.token_permission = permission
    return wrapped


def token_required(permission: Permission):
    """A user's token whose role has `permission` in the table; the user is `g.api_user`."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = credentials.user_for_token(db.session, bearer(), now=utcnow())
            allowed = user is not None and allows(user.role_enum, permission)
            refusal = _refused(user, allowed, f"this role lacks the {permission.value} permission")
            if refusal is not None:
                return refusal
            g.api_user = user
            return view(*args, **kwargs)

        return _mark(wrapped, USER_SCHEME, permission)

    return decorator


def terminal_required(view):
    """A vehicle terminal's token, for its own vehicle only; the vehicle is `g.vehicle`."""

    @wraps(view)
    def wrapped(vehicle_id: int, **kwargs):
        vehicle = terminals.vehicle_for_token(db.session, bearer())
        allowed = vehicle is not None and vehicle.id == vehicle_id
        refusal = _refused(vehicle, allowed, "a terminal reports for its own vehicle only")
        if refusal is not None:
            return refusal
        g.vehicle = vehicle
        return view(vehicle_id, **kwargs)

    return _mark(wrapped, TERMINAL_SCHEME)
