"""联动: POST /api/v1/incidents for another emergency centre's (or a 120 dispatcher's) token,
made as the console makes them, and GET /api/v1/incidents/<id> to follow one."""

from flask import current_app, g, request

from hotline.core.accounts.permissions import Permission
from hotline.core.accounts.roles import Role
from hotline.core.ems.vehicles import TIMELINE
from hotline.database import utcnow
from hotline.models import Assignment, Incident
from hotline.plugins import db
from hotline.services.ems import incidents, linked, locks
from hotline.web.api import bp, refuse
from hotline.web.api.tokens import token_required
from hotline.web.ems.incidents import recommendation_json

FIELDS = ("lon", "lat", "complaint", "triage_level")


def _call(body: dict) -> incidents.Call:
    """The call of a JSON body; ValueError when a field is missing or of the wrong type (the
    service checks the values themselves, as for the console)."""
    if any(name not in body for name in FIELDS):
        raise ValueError("missing")
    texts = [body.get(n, "") for n in ("complaint", "caller_phone", "address")]
    numbers = [body["lon"], body["lat"], body["triage_level"]]
    if not all(isinstance(t, str) for t in texts) or not all(
        isinstance(n, int | float) and not isinstance(n, bool) for n in numbers
    ):
        raise ValueError("type")
    if not isinstance(body["triage_level"], int):
        raise ValueError("triage_level")
    return incidents.Call(
        caller_phone=texts[1],
        lon=float(body["lon"]),
        lat=float(body["lat"]),
        complaint=texts[0],
        triage_level=int(body["triage_level"]),
        address=texts[2],
    )


@bp.route("/incidents", methods=["POST"])
@token_required(Permission.EMS_LINK)
def create_incident():
    """A linked centre's case: 201 with the new incident and the recommended vehicles, or 200
    with the incident an earlier request with the same `source_ref` made."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return refuse(400, "invalid", "a JSON object is required")
    try:
        call = _call(body)
        source, ref = str(body.get("source", "")), str(body.get("source_ref", ""))
    except (TypeError, ValueError, OverflowError):
        return refuse(400, "invalid", "lon and lat (numbers), complaint, triage_level (1-4)")
    user, now = g.api_user, utcnow()
    lock = locks.active_lock(db.session, raw_phone=call.caller_phone, now=now)
    flag = ""
    if lock is not None and user.role == Role.LINKED_CENTRE:
        # Another centre is not told who is on the lock list: the case is made, and the
        # dispatcher sees the lock on its trail (and on the console's lock check).
        flag = "caller's number locked as malicious"
    elif lock is not None and body.get("confirm_locked") is not True:
        return refuse(409, "number_locked", "the caller's number is locked as malicious")
    made = linked.create(
        db.session,
        user=user,
        call=call,
        source=linked.source_of(user, source),
        source_ref=ref,
        now=now,
        timezone=current_app.config["TIMEZONE"],
        flag=flag,
    )
    answer = state_json(made.incident, incidents.assignments_of(db.session, made.incident.id))
    if made.incident.state == "open":
        answer["recommendation"] = recommendation_json(made.incident.lon, made.incident.lat)
    return answer, 201 if made.created else 200


@bp.route("/incidents/<int:incident_id>")
@token_required(Permission.EMS_LINK)
def incident_state(incident_id: int):
    """The incident's state, its vehicles and their times (a linked centre: only its own)."""
    incident = linked.visible(db.session, user=g.api_user, incident_id=incident_id)
    return state_json(incident, incidents.assignments_of(db.session, incident.id))


def _time(value) -> str | None:
    return value.isoformat() if value is not None else None


def state_json(incident: Incident, assignments: list[Assignment]) -> dict:
    """What a linked centre follows: no caller's phone, no complaint (it sent them)."""
    return {
        "id": incident.id,
        "number": incident.number,
        "state": incident.state,
        "withdraw_reason": incident.withdraw_reason or None,
        "triage_level": incident.triage_level,
        "source": incident.source,
        "source_ref": incident.source_ref,
        "created_at": incident.created_at.isoformat(),
        "closed_at": _time(incident.closed_at),
        "vehicles": [
            {
                "call_sign": a.vehicle.call_sign,
                "status": a.vehicle.status if a.cleared_at is None else "cleared",
                "hospital": a.hospital.name if a.hospital is not None else None,
                "acknowledged_at": _time(a.acknowledged_at),
                **{name: _time(getattr(a, name)) for name in TIMELINE},
            }
            for a in assignments
        ],
    }
