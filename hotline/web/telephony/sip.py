"""Kamailio's side of the contract (docs/TELEPHONY.md): digest credentials, registrations,
routing decisions and call events. No session, no CSRF: Kamailio sends the shared secret,
from the line's own networks, straight (never through the proxy)."""

import hmac
from functools import wraps

from flask import Blueprint, current_app, jsonify, request

from hotline.core import phone
from hotline.core.telephony.calls import CallEvent
from hotline.database import utcnow
from hotline.plugins import csrf, db
from hotline.services.telephony import agents, credentials, dialing, events, routing
from hotline.web.observability import direct_peer_in
from hotline.web.telephony import line_secret, line_settings

bp = Blueprint("sip", __name__, url_prefix="/telephony/sip")
csrf.exempt(bp)  # Kamailio holds no cookie: the secret authenticates it
PBX_SCHEME = "pbx"  # read by the authorization tests: these answer Kamailio alone
FIELD_LIMIT = 255


def pbx_only(view):
    """403 unless the request carries the line's secret, straight from its networks."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        secret = line_secret()
        given = request.headers.get("X-Telephony-Secret", "")
        trusted = direct_peer_in(current_app.config["TELEPHONY_NETWORKS"])
        matches = hmac.compare_digest(given.encode(errors="replace"), secret.encode())
        if not secret or not trusted or not matches:
            return jsonify(error="forbidden"), 403
        return view(*args, **kwargs)

    wrapped.token_scheme = PBX_SCHEME
    return wrapped


def _field(name: str, required: bool = True) -> str:
    """A form (or query) value, at most FIELD_LIMIT characters; ValueError when missing."""
    value = (request.values.get(name) or "").strip()
    if (required and not value) or len(value) > FIELD_LIMIT or not value.isprintable():
        raise ValueError(name)
    return value


def _bad(exc: ValueError):
    field = str(exc) if str(exc).isidentifier() else "event"  # CallEvent's own message
    return jsonify(error="invalid", field=field), 400


@bp.route("/credentials")
@pbx_only
def credential():
    """The HA1 Kamailio checks a phone's digest against."""
    try:
        extension = _field("extension")
    except ValueError as exc:
        return _bad(exc)
    ha1 = credentials.ha1_of(db.session, extension)
    if ha1 is None:
        return jsonify(error="not_found"), 404
    return jsonify(extension=extension, ha1=ha1, realm=line_settings().realm)


@bp.route("/registration", methods=["POST"])
@pbx_only
def registration():
    """A phone registered (expires > 0) or unregistered (0)."""
    try:
        extension = _field("extension")
        expires = int(_field("expires"))
    except ValueError as exc:
        return _bad(exc)
    known = agents.note_registration(
        db.session, extension=extension, expires=max(0, min(expires, 86400)), now=utcnow()
    )
    return jsonify(ok=known), 200 if known else 404


@bp.route("/route", methods=["POST"])
@pbx_only
def route():
    """Which extension a call rings now, or its place in the queue, or a refusal."""
    try:
        sip_call_id, called = _field("call_id"), _field("called")
        raw = _field("caller", required=False)
        # +8613800138000 and 13800138000 are one caller (locks, history, 回拨 match).
        caller = phone.normalise(raw) or raw[:32] or "anonymous"
    except ValueError as exc:
        return _bad(exc)
    decision = routing.route(
        db.session,
        sip_call_id=sip_call_id,
        caller=caller,
        called=called,
        now=utcnow(),
        line=line_settings(),
    )
    return jsonify(decision.as_json())


@bp.route("/event", methods=["POST"])
@pbx_only
def event():
    """A step of a call: answered, rang out, refused, unreachable, hung up, ended."""
    try:
        sip_call_id, kind = _field("call_id"), CallEvent(_field("event"))
        extension = _field("extension", required=False)
    except ValueError as exc:
        return _bad(exc)
    known = events.note_event(
        db.session,
        sip_call_id=sip_call_id,
        event=kind,
        extension=extension,
        now=utcnow(),
        line=line_settings(),
    )
    return jsonify(ok=known)


@bp.route("/dial", methods=["POST"])
@pbx_only
def dial():
    """What a phone's dialled click-to-call token stands for: the citizen's number, once."""
    try:
        dialled, extension = _field("dialled"), _field("extension")
        sip_call_id = _field("call_id")
    except ValueError as exc:
        return _bad(exc)
    number = dialing.resolve_dial(
        db.session, dialled=dialled, extension=extension, sip_call_id=sip_call_id, now=utcnow()
    )
    if number is None:
        return jsonify(action="reject", code=404, reason="Not Found")
    return jsonify(action="dial", number=number)
