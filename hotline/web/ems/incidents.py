"""An incident's page: the recommendation, hospitals, dispatch, vehicle statuses,
withdrawal or closing, and the dispatch slip (page and PDF)."""

from zoneinfo import ZoneInfo

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hotline.core.accounts.permissions import Permission, allows
from hotline.core.ems import vehicles as vehicle_rules
from hotline.core.ems.vehicles import VehicleStatus
from hotline.core.ems.vocabulary import Capability, IncidentState, WithdrawReason
from hotline.database import utcnow
from hotline.pdf import slip as slip_pdf
from hotline.plugins import db
from hotline.services.ems import destinations, fleet, hospitals, incidents, slips
from hotline.web.ems import bp
from hotline.web.ems.forms import DestinationForm, DispatchForm, StatusForm, WithdrawForm
from hotline.web.errors import returns_to
from hotline.web.helpers import requires


def recommendation(lon: float, lat: float, k: int | None = None) -> list[fleet.Recommendation]:
    """The nearest available vehicles with the application's speed and detour settings."""
    config = current_app.config
    return fleet.recommend(
        db.session,
        lon=lon,
        lat=lat,
        k=k or config["EMS_RECOMMENDATIONS"],
        speed_kmh=config["EMS_SPEED_KMH"],
        detour_factor=config["EMS_DETOUR_FACTOR"],
    )


def recommendation_json(lon: float, lat: float, k: int | None = None) -> dict:
    """The recommendation as the form shows it, for the map and the API."""
    return {
        "vehicles": [
            {
                "vehicle_id": r.vehicle_id,
                "call_sign": r.call_sign,
                "station": r.station,
                "distance_m": r.distance_m,
                "minutes": r.minutes,
                "minutes_is_estimate": True,
            }
            for r in recommendation(lon, lat, k)
        ]
    }


def _buttons(status: str) -> list[VehicleStatus]:
    """The statuses a dispatcher's button may set next (dispatch has its own form)."""
    allowed = vehicle_rules.TRANSITIONS[VehicleStatus(status)]
    return [s for s in VehicleStatus if s in allowed and s is not VehicleStatus.DISPATCHED]


@bp.route("/ems/incidents/<int:incident_id>")
@requires(Permission.EMS_DISPATCH)
def incident(incident_id: int):
    """The incident: recommendation, hospitals, its vehicles with their buttons, timeline."""
    page = incidents.incident_page(db.session, incident_id)
    case = page.incident
    capability = request.args.get("capability") or None
    if capability not in {c.value for c in Capability}:
        capability = None
    is_open = case.state == IncidentState.OPEN
    destination = destinations.recommend_destination(db.session, case, capability)
    return render_template(
        "ems/incident.html",
        incident=case,
        recommendations=recommendation(case.lon, case.lat) if is_open else [],
        hospitals=hospitals.suitable_hospitals(
            db.session, lon=case.lon, lat=case.lat, capability=capability
        ),
        capability=capability,
        capabilities=list(Capability),
        assignments=page.assignments,
        next_statuses={a.vehicle_id: _buttons(a.vehicle.status) for a in page.assignments},
        others=page.available,
        reasons=list(WithdrawReason),
        events=page.events,
        destination=destination.hospital if destination else None,
        destination_options=destinations.destination_options(db.session, case, capability),
        patient_records=allows(current_user.role_enum, Permission.EMS_MEDICAL),
    )


@bp.route(
    "/ems/incidents/<int:incident_id>/assignments/<int:assignment_id>/destination",
    methods=["POST"],
)
@requires(Permission.EMS_DISPATCH)
@returns_to("ems.incident")
def destination(incident_id: int, assignment_id: int):
    """The vehicle's destination hospital (recorded on the trail and the slip)."""
    form = DestinationForm()
    destinations.set_destination(
        db.session,
        actor_id=current_user.id,
        incident_id=incident_id,
        assignment_id=assignment_id,
        hospital_id=form.hospital_id.data,
        now=utcnow(),
    )
    flash(_("Saved."), "success")
    return redirect(url_for("ems.incident", incident_id=incident_id)), 303


@bp.route("/ems/incidents/<int:incident_id>/dispatch", methods=["POST"])
@requires(Permission.EMS_DISPATCH)
@returns_to("ems.incident")
def dispatch(incident_id: int):
    """Confirm the recommended vehicle(s), or others with a reason; also 增援."""
    form = DispatchForm()
    fleet.dispatch(
        db.session,
        actor_id=current_user.id,
        incident_id=incident_id,
        vehicle_ids=form.vehicle_ids(),
        now=utcnow(),
        override_reason=form.override_reason.data,
        recommended=form.recommended.data or [],
    )
    flash(_("Dispatched. Print the slip for the crew."), "success")
    return redirect(url_for("ems.incident", incident_id=incident_id)), 303


@bp.route("/ems/vehicles/<int:vehicle_id>/status", methods=["POST"])
@requires(Permission.EMS_DISPATCH)
def vehicle_status(vehicle_id: int):
    """The dispatcher's status buttons (the terminal uses the API)."""
    form = StatusForm().checked()  # a refusal goes back to the page the button was on
    wanted, back = form.status.data, form.incident_id.data
    fleet.change_status(
        db.session, actor_id=current_user.id, vehicle_id=vehicle_id, wanted=wanted, at=utcnow()
    )
    if back:
        return redirect(url_for("ems.incident", incident_id=back)), 303
    return redirect(url_for("ems.console")), 303


@bp.route("/ems/incidents/<int:incident_id>/withdraw", methods=["POST"])
@requires(Permission.EMS_DISPATCH)
@returns_to("ems.incident")
def withdraw(incident_id: int):
    """撤警, with a reason."""
    form = WithdrawForm()
    incidents.withdraw(
        db.session,
        actor_id=current_user.id,
        incident_id=incident_id,
        reason=form.reason.data,
        note=form.note.data,
        now=utcnow(),
    )
    flash(_("Saved."), "success")
    return redirect(url_for("ems.incident", incident_id=incident_id)), 303


@bp.route("/ems/incidents/<int:incident_id>/close", methods=["POST"])
@requires(Permission.EMS_DISPATCH)
@returns_to("ems.incident")
def close(incident_id: int):
    """Close the incident (refused while a vehicle is assigned)."""
    incidents.close_incident(
        db.session, actor_id=current_user.id, incident_id=incident_id, now=utcnow()
    )
    flash(_("Saved."), "success")
    return redirect(url_for("ems.incident", incident_id=incident_id)), 303


@bp.route("/ems/incidents/<int:incident_id>/slip")
@requires(Permission.EMS_DISPATCH)
def slip(incident_id: int):
    """The printable dispatch slip (派车单)."""
    timezone = current_app.config["TIMEZONE"]
    content = slips.slip(db.session, incident_id=incident_id, timezone=timezone)
    return render_template("ems/slip.html", slip=content, incident_id=incident_id)


@bp.route("/ems/incidents/<int:incident_id>/slip.pdf")
@requires(Permission.EMS_DISPATCH)
def slip_pdf_view(incident_id: int):
    """The dispatch slip as a PDF with an embedded Chinese font."""
    return slip_pdf_response(incident_id)


def slip_pdf_response(incident_id: int) -> Response:
    """The incident's dispatch slip as a PDF (the console's and a station's)."""
    timezone = current_app.config["TIMEZONE"]
    content = slips.slip(db.session, incident_id=incident_id, timezone=timezone)
    data = slip_pdf.render(content, utcnow().astimezone(ZoneInfo(timezone)))
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="slip-{content.number}.pdf"'},
    )


@bp.route("/ems/incidents/<int:incident_id>/recommend.json")
@requires(Permission.LIVE_MAP)
def recommend_json(incident_id: int):
    """The incident's recommendation (the map's popup)."""
    case = incidents.get(db.session, incident_id)
    return recommendation_json(case.lon, case.lat)
