"""The 120 dispatcher's console: the call form, the lock check, registering the call, and
the alert for jobs their crew has not acknowledged (call the crew, or reassign)."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hotline.core.accounts.permissions import Permission
from hotline.core.ems.vocabulary import TRIAGE_LEVELS, Capability
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.ems import bulletins, crew_jobs, incidents, locks, reassign
from hotline.services.errors import ValidationFailed
from hotline.services.telephony import records
from hotline.web.ems import bp
from hotline.web.ems.forms import CallForm
from hotline.web.ems.incidents import recommendation
from hotline.web.errors import messages_of, returns_to
from hotline.web.helpers import parse_int, requires
from hotline.web.maps import district_map

CONSOLE_BULLETINS = 5
LOCKED = ValidationFailed({"caller_phone": "number_locked"})


def _console(typed: dict, refusal: ValidationFailed | None = None, lock=None, status=200):
    page = render_template(
        "ems/console.html",
        form=typed,
        errors=messages_of(refusal) if refusal else {},
        lock=lock,
        incidents=incidents.open_incidents(db.session),
        districts=incidents.districts(db.session),
        capabilities=list(Capability),
        triage_levels=TRIAGE_LEVELS,
        bulletins=bulletins.bulletins(db.session, CONSOLE_BULLETINS),
        fmap=district_map("360px"),
    )
    return page, status


@bp.route("/ems")
@requires(Permission.EMS_DISPATCH)
def console():
    """A new 120 call, the open incidents and the bulletin board."""
    return _console({"triage_level": "2"})


@bp.route("/ems/lock")
@requires(Permission.EMS_DISPATCH)
def lock_check():
    """Is this number locked as malicious? Asked as soon as the number is typed."""
    lock = locks.active_lock(db.session, raw_phone=request.args.get("phone", ""), now=utcnow())
    if lock is None:
        return {"locked": False}
    return {"locked": True, "reason": lock.reason, "until": lock.until.isoformat()}


@bp.route("/ems/incidents", methods=["POST"])
@requires(Permission.EMS_DISPATCH)
def create():
    """Register the incident; a locked number must be confirmed first."""
    form = CallForm()
    now = utcnow()
    lock = locks.active_lock(db.session, raw_phone=form.caller_phone.data, now=now)
    if lock is not None and not form.confirm_locked.data:
        return _console(form.typed(), LOCKED, lock, 409)
    code = form.district_code.data
    call = form.call(incidents.district_point(db.session, code) if code else None)
    timezone = current_app.config["TIMEZONE"]
    try:
        incident = incidents.create_incident(
            db.session, actor_id=current_user.id, call=call, now=now, timezone=timezone
        )
    except ValidationFailed as exc:
        # Kept here: the form is drawn again with what the dispatcher typed and the reasons.
        return _console(form.typed(), exc, lock, 422)
    # The phone call it came from (screen pop's reference) records the incident.
    records.link_incident(
        db.session,
        call_id=parse_int(request.form.get("call_ref")),
        user_id=current_user.id,
        incident_id=incident.id,
    )
    capability = form.capability.data
    return redirect(url_for("ems.incident", incident_id=incident.id, capability=capability))


def _waiting_json(w: crew_jobs.Waiting) -> dict:
    """One waiting job; an overdue one with the nearest available vehicles to reassign to."""
    answer = {
        "job_id": w.assignment_id,
        "incident_id": w.incident_id,
        "incident_number": w.incident_number,
        "incident_url": url_for("ems.incident", incident_id=w.incident_id),
        "vehicle_id": w.vehicle_id,
        "call_sign": w.call_sign,
        "phone": w.phone,
        "seconds": w.seconds,
        "overdue": w.overdue,
        "reassign_url": url_for("ems.reassign_job", assignment_id=w.assignment_id),
        "vehicles": [],
    }
    if w.overdue:
        answer["vehicles"] = [
            {"vehicle_id": r.vehicle_id, "call_sign": r.call_sign, "minutes": r.minutes}
            for r in recommendation(w.lon, w.lat, None)
        ]
    return answer


@bp.route("/ems/alerts")
@requires(Permission.EMS_DISPATCH)
def alerts():
    """The jobs waiting for their crew's acknowledgement (接单), polled by the console."""
    ack_seconds = current_app.config["EMS_ACK_SECONDS"]
    waiting = crew_jobs.waiting(db.session, now=utcnow(), ack_seconds=ack_seconds)
    return {"ack_seconds": ack_seconds, "waiting": [_waiting_json(w) for w in waiting]}


@bp.route("/ems/assignments/<int:assignment_id>/reassign", methods=["POST"])
@requires(Permission.EMS_DISPATCH)
@returns_to("ems.console")
def reassign_job(assignment_id: int):
    """更换车辆: the job to another vehicle (the silent crew's vehicle is released)."""
    vehicle_id = parse_int(request.form.get("vehicle_id"))
    if vehicle_id is None:
        raise ValidationFailed({"vehicle_id": "required"})
    new = reassign.reassign(db.session, current_user.id, assignment_id, vehicle_id, utcnow())
    flash(_("Reassigned. Print the slip for the crew."), "success")
    return redirect(url_for("ems.incident", incident_id=new.incident_id))
