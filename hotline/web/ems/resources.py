"""Administration of 120 resources: stations, hospitals, ambulances and terminal tokens."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from hotline.core.accounts.permissions import Permission
from hotline.core.ems.vehicles import VehicleStatus
from hotline.core.ems.vocabulary import Capability
from hotline.database import utcnow
from hotline.extensions import db
from hotline.models import Hospital, Station, Vehicle
from hotline.services.ems import fleet
from hotline.services.ems import resources as ems
from hotline.services.errors import Conflict, NotFound, ValidationFailed
from hotline.web.helpers import flash_errors, parse_int, requires

bp = Blueprint("ems_admin", __name__, url_prefix="/admin/ems")


def _coordinate(name: str) -> float:
    try:
        return float(request.form.get(name) or "nan")
    except ValueError:
        return float("nan")


@bp.route("")
@requires(Permission.ADMINISTER)
def resources():
    """Stations, hospitals and ambulances."""
    return render_template(
        "ems/admin.html",
        stations=db.session.scalars(select(Station).order_by(Station.name)).all(),
        hospitals=db.session.scalars(select(Hospital).order_by(Hospital.name)).all(),
        vehicles=db.session.scalars(select(Vehicle).order_by(Vehicle.call_sign)).all(),
        capabilities=list(Capability),
    )


@bp.route("/<kind>", methods=["POST"], defaults={"object_id": None})
@bp.route("/<kind>/<int:object_id>", methods=["POST"])
@requires(Permission.ADMINISTER)
def save(kind: str, object_id: int | None):
    """Add (no id) or change a station, a hospital or an ambulance."""
    form = request.form
    name, lon, lat = form.get("name", ""), _coordinate("lon"), _coordinate("lat")
    try:
        if kind == "stations":
            ems.save_station(db.session, object_id, name, lon, lat)
        elif kind == "hospitals":
            ems.save_hospital(db.session, object_id, name, lon, lat, form.getlist("capability"))
        elif kind == "vehicles":
            station_id = parse_int(form.get("station_id")) or 0
            ems.save_vehicle(db.session, object_id, form.get("call_sign", ""), station_id, utcnow())
        else:
            abort(404)
    except NotFound:
        abort(404)
    except ValidationFailed as exc:
        flash_errors(exc)
    else:
        flash(_("Saved."), "success")
    return redirect(url_for("ems_admin.resources")), 303


@bp.route("/vehicles/<int:vehicle_id>/<action>", methods=["POST"])
@requires(Permission.ADMINISTER)
def vehicle(vehicle_id: int, action: str):
    """Take out of service, put back in service, or issue a terminal token."""
    try:
        if action == "token":
            token = ems.issue_terminal_token(db.session, vehicle_id)
            flash(_("Terminal token (shown once): %(token)s", token=token), "success")
        elif action in ("out_of_service", "available"):
            fleet.change_status(
                db.session, current_user.id, vehicle_id, VehicleStatus(action), utcnow()
            )
            flash(_("Saved."), "success")
        else:
            abort(404)
    except NotFound:
        abort(404)
    except (ValidationFailed, Conflict) as exc:
        flash_errors(exc)
    return redirect(url_for("ems_admin.resources")), 303
