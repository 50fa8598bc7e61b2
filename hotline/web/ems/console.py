"""The 120 dispatcher's console: taking the call, the recommendation, dispatch, vehicle
statuses, reinforcement, withdrawal, closing and the dispatch slip."""

from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from hotline import labels
from hotline.core.accounts.permissions import Permission
from hotline.core.ems import vehicles as vehicle_rules
from hotline.core.ems.vehicles import VehicleStatus
from hotline.core.ems.vocabulary import TRIAGE_LEVELS, Capability, WithdrawReason
from hotline.database import utcnow
from hotline.extensions import db
from hotline.models import Assignment, District, Incident, IncidentEvent, Vehicle
from hotline.pdf import slip as slip_pdf
from hotline.services.ems import fleet, resources
from hotline.services.errors import Conflict, NotFound, ValidationFailed
from hotline.web.helpers import flash_errors, parse_int, requires
from hotline.web.maps import district_map

bp = Blueprint("ems", __name__, url_prefix="/ems")
TAKEN = _l("Another dispatcher took that vehicle a moment ago: see the fresh recommendation.")


def _float(value: str | None) -> float | None:
    try:
        return float(value or "")
    except ValueError:
        return None


def _recommend(lon: float, lat: float, k: int | None = None):
    config = current_app.config
    return fleet.recommend(
        db.session, lon, lat, k or config["EMS_RECOMMENDATIONS"], config["EMS_SPEED_KMH"],
        config["EMS_DETOUR_FACTOR"],
    )  # fmt: skip


def _console(form: dict, errors: dict, lock=None, status: int = 200):
    open_incidents = db.session.scalars(
        select(Incident).where(Incident.state == "open").order_by(Incident.created_at.desc())
    ).all()
    return (
        render_template(
            "ems/console.html",
            form=form,
            errors={k: labels.error_text(v) for k, v in errors.items()},
            lock=lock,
            incidents=open_incidents,
            districts=db.session.scalars(select(District).order_by(District.code)).all(),
            capabilities=list(Capability),
            triage_levels=TRIAGE_LEVELS,
            bulletins=resources.bulletins(db.session, 5),
            fmap=district_map("360px"),
        ),
        status,
    )


@bp.route("")
@requires(Permission.EMS_DISPATCH)
def console():
    """A new 120 call, the open incidents and the bulletin board."""
    return _console({"triage_level": "2"}, {})


@bp.route("/lock")
@requires(Permission.EMS_DISPATCH)
def lock_check():
    """Is this number locked as malicious? Asked as soon as the number is typed."""
    lock = resources.active_lock(db.session, request.args.get("phone", ""), utcnow())
    if lock is None:
        return {"locked": False}
    return {"locked": True, "reason": lock.reason, "until": lock.until.isoformat()}


@bp.route("/incidents", methods=["POST"])
@requires(Permission.EMS_DISPATCH)
def create():
    """Register the incident; a locked number must be confirmed first."""
    form = request.form.to_dict()
    now = utcnow()
    lock = resources.active_lock(db.session, form.get("caller_phone", ""), now)
    if lock is not None and form.get("confirm_locked") != "on":
        return _console(form, {"caller_phone": "number_locked"}, lock, 409)
    lon, lat = _float(form.get("lon")), _float(form.get("lat"))
    if (lon is None or lat is None) and form.get("district_code"):
        district = db.session.scalar(select(District).where(District.code == form["district_code"]))
        if district is not None:
            lon, lat = district.label_lon, district.label_lat
    try:
        incident = fleet.create_incident(
            db.session, current_user.id, form.get("caller_phone", ""),
            lon if lon is not None else float("nan"), lat if lat is not None else float("nan"),
            form.get("complaint", ""), parse_int(form.get("triage_level")) or 0, now,
            current_app.config["TIMEZONE"], address=form.get("address", ""),
        )  # fmt: skip
    except ValidationFailed as exc:
        return _console(form, exc.errors, lock, 422)
    capability = form.get("capability") or ""
    return redirect(url_for("ems.incident", incident_id=incident.id, capability=capability))


def _incident(incident_id: int) -> Incident:
    incident = db.session.get(Incident, incident_id)
    if incident is None:
        abort(404)
    return incident


def _buttons(status: str) -> list[VehicleStatus]:
    """The statuses a dispatcher's button may set next (dispatch has its own form)."""
    allowed = vehicle_rules.TRANSITIONS[VehicleStatus(status)]
    return [s for s in VehicleStatus if s in allowed and s is not VehicleStatus.DISPATCHED]


@bp.route("/incidents/<int:incident_id>")
@requires(Permission.EMS_DISPATCH)
def incident(incident_id: int):
    """The incident: recommendation, hospitals, its vehicles with their buttons, timeline."""
    case = _incident(incident_id)
    capability = request.args.get("capability") or None
    if capability not in {c.value for c in Capability}:
        capability = None
    assignments = db.session.scalars(
        select(Assignment).where(Assignment.incident_id == incident_id).order_by(Assignment.id)
    ).all()
    return render_template(
        "ems/incident.html",
        incident=case,
        recommendations=_recommend(case.lon, case.lat) if case.state == "open" else [],
        hospitals=resources.suitable_hospitals(db.session, case.lon, case.lat, capability),
        capability=capability,
        capabilities=list(Capability),
        assignments=assignments,
        next_statuses={a.vehicle_id: _buttons(a.vehicle.status) for a in assignments},
        others=db.session.scalars(
            select(Vehicle).where(Vehicle.status == "available").order_by(Vehicle.call_sign)
        ).all(),
        reasons=list(WithdrawReason),
        events=db.session.scalars(
            select(IncidentEvent)
            .where(IncidentEvent.incident_id == incident_id)
            .order_by(IncidentEvent.id)
        ).all(),
    )


@bp.route("/incidents/<int:incident_id>/dispatch", methods=["POST"])
@requires(Permission.EMS_DISPATCH)
def dispatch(incident_id: int):
    """Confirm the recommended vehicle(s), or others with a reason; also 增援."""
    ids = [v for v in (parse_int(x) for x in request.form.getlist("vehicle_id")) if v]
    other = parse_int(request.form.get("other_vehicle_id"))
    if other:
        ids.append(other)
    recommended = [v for v in (parse_int(x) for x in request.form.getlist("recommended")) if v]
    try:
        fleet.dispatch(
            db.session, current_user.id, incident_id, ids, utcnow(),
            request.form.get("override_reason", ""), recommended,
        )  # fmt: skip
    except NotFound:
        abort(404)
    except Conflict:
        flash(TAKEN, "error")
    except ValidationFailed as exc:
        flash_errors(exc)
    else:
        flash(_("Dispatched. Print the slip for the crew."), "success")
    return redirect(url_for("ems.incident", incident_id=incident_id)), 303


@bp.route("/vehicles/<int:vehicle_id>/status", methods=["POST"])
@requires(Permission.EMS_DISPATCH)
def vehicle_status(vehicle_id: int):
    """The dispatcher's status buttons (the terminal uses the API)."""
    back = parse_int(request.form.get("incident_id"))
    try:
        wanted = VehicleStatus(request.form.get("status", ""))
        fleet.change_status(db.session, current_user.id, vehicle_id, wanted, utcnow())
    except ValueError:
        flash(labels.error_text("invalid_choice"), "error")
    except NotFound:
        abort(404)
    except (ValidationFailed, Conflict) as exc:
        flash_errors(exc)
    if back:
        return redirect(url_for("ems.incident", incident_id=back)), 303
    return redirect(url_for("ems.console")), 303


@bp.route("/incidents/<int:incident_id>/<action>", methods=["POST"])
@requires(Permission.EMS_DISPATCH)
def finish(incident_id: int, action: str):
    """撤警 (withdraw, with a reason) or close."""
    try:
        if action == "withdraw":
            fleet.withdraw(
                db.session, current_user.id, incident_id, request.form.get("reason", ""),
                request.form.get("note", ""), utcnow(),
            )  # fmt: skip
        elif action == "close":
            fleet.close_incident(db.session, current_user.id, incident_id, utcnow())
        else:
            abort(404)
    except NotFound:
        abort(404)
    except (ValidationFailed, Conflict) as exc:
        flash_errors(exc)
    else:
        flash(_("Saved."), "success")
    return redirect(url_for("ems.incident", incident_id=incident_id)), 303


@bp.route("/incidents/<int:incident_id>/slip")
@requires(Permission.EMS_DISPATCH)
def slip(incident_id: int):
    """The printable dispatch slip (派车单)."""
    _incident(incident_id)
    content = resources.slip(db.session, incident_id, current_app.config["TIMEZONE"])
    return render_template("ems/slip.html", slip=content, incident_id=incident_id)


@bp.route("/incidents/<int:incident_id>/slip.pdf")
@requires(Permission.EMS_DISPATCH)
def slip_pdf_view(incident_id: int):
    """The dispatch slip as a PDF with an embedded Chinese font."""
    _incident(incident_id)
    timezone = current_app.config["TIMEZONE"]
    content = resources.slip(db.session, incident_id, timezone)
    data = slip_pdf.render(content, utcnow().astimezone(ZoneInfo(timezone)))
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="slip-{content.number}.pdf"'},
    )


def recommendation_json(lon: float, lat: float, k: int | None = None) -> dict:
    """The recommendation as the form shows it, for the map and the API."""
    return {
        "vehicles": [
            {
                "vehicle_id": r.vehicle_id, "call_sign": r.call_sign, "station": r.station,
                "distance_m": r.distance_m, "minutes": r.minutes, "minutes_is_estimate": True,
            }
            for r in _recommend(lon, lat, k)
        ]
    }  # fmt: skip


@bp.route("/incidents/<int:incident_id>/recommend.json")
@requires(Permission.LIVE_MAP)
def recommend_json(incident_id: int):
    """The incident's recommendation (the map's popup)."""
    case = _incident(incident_id)
    return recommendation_json(case.lon, case.lat)
