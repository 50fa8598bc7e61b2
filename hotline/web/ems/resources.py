"""Administration of 120 resources: stations, hospitals and ambulances."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hotline.core.accounts.permissions import Permission
from hotline.core.ems.vehicles import VehicleStatus
from hotline.core.ems.vocabulary import Capability
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.ems import fleet
from hotline.services.ems import resources as service
from hotline.web.ems import bp
from hotline.web.ems.forms import ResourceForm
from hotline.web.errors import returns_to
from hotline.web.helpers import requires

IN_OR_OUT_OF_SERVICE = {VehicleStatus.OUT_OF_SERVICE.value, VehicleStatus.AVAILABLE.value}


@bp.route("/admin/ems")
@requires(Permission.MANAGE_ORGANISATION)
def resources():
    """Stations, hospitals and ambulances."""
    return render_template(
        "ems/admin.html",
        **service.inventory(db.session),
        capabilities=list(Capability),
        VehicleStatus=VehicleStatus,
    )


def _save(kind: str, object_id: int | None, form: ResourceForm) -> None:
    if kind == "stations":
        service.save_station(db.session, station_id=object_id, place=form.place())
    elif kind == "hospitals":
        capabilities = form.capability.data or []
        service.save_hospital(
            db.session, hospital_id=object_id, place=form.place(), capabilities=capabilities
        )
    elif kind == "vehicles":
        service.save_vehicle(
            db.session,
            vehicle_id=object_id,
            call_sign=form.call_sign.data,
            station_id=form.station_id.data or 0,
            now=utcnow(),
        )
    else:
        abort(404)


@bp.route("/admin/ems/<kind>", methods=["POST"], defaults={"object_id": None})
@bp.route("/admin/ems/<kind>/<int:object_id>", methods=["POST"])
@requires(Permission.MANAGE_ORGANISATION)
@returns_to("ems.resources")
def save_resource(kind: str, object_id: int | None):
    """Add (no id) or change a station, a hospital or an ambulance."""
    _save(kind, object_id, ResourceForm())
    flash(_("Saved."), "success")
    return redirect(url_for("ems.resources")), 303


@bp.route("/admin/ems/vehicles/<int:vehicle_id>/<action>", methods=["POST"])
@requires(Permission.MANAGE_ORGANISATION)
@returns_to("ems.resources")
def vehicle_action(vehicle_id: int, action: str):
    """Take out of service or put back in service (terminal tokens are the security
    administrator's: admin.tokens)."""
    if action in IN_OR_OUT_OF_SERVICE:
        fleet.change_status(
            db.session,
            actor_id=current_user.id,
            vehicle_id=vehicle_id,
            wanted=VehicleStatus(action),
            at=utcnow(),
        )
        flash(_("Saved."), "success")
    else:
        abort(404)
    return redirect(url_for("ems.resources")), 303
