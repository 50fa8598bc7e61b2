"""院前预警: the receiving hospital's desk (one account per hospital) sees the patients
coming to it and acknowledges them; the page refreshes itself from the JSON beside it."""

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hotline.core.accounts.permissions import Permission
from hotline.database import utcnow
from hotline.labels.ems_codes import complaint_label, diagnosis_label
from hotline.labels.ems_patients import PHASE_LABELS, SEX_LABELS
from hotline.plugins import db
from hotline.services.ems import prealert
from hotline.web.ems import bp
from hotline.web.helpers import requires


def _incoming() -> list[prealert.Incoming]:
    """The user's hospital's incoming patients; their vital-sign reads logged."""
    config = current_app.config
    rows = prealert.incoming(
        db.session,
        hospital_id=current_user.hospital_id,
        speed_kmh=config["EMS_SPEED_KMH"],
        detour_factor=config["EMS_DETOUR_FACTOR"],
    )
    prealert.log_reads(db.session, actor_id=current_user.id, rows=rows, now=utcnow())
    return rows


def _rows_html(rows: list[prealert.Incoming]) -> str:
    return render_template(
        "ems/_incoming.html",
        rows=rows,
        complaint_label=complaint_label,
        diagnosis_label=diagnosis_label,
        sex_labels=SEX_LABELS,
        phase_labels=PHASE_LABELS,
    )


@bp.route("/ems/hospital")
@requires(Permission.HOSPITAL_PREALERT)
def hospital_desk():
    """The incoming patients, patients on board first, with their ETA and vital signs."""
    rows = _incoming()
    return render_template(
        "ems/hospital_desk.html",
        rows_html=_rows_html(rows),
        ids=[r.assignment_id for r in rows],
        hospital=prealert.desk_hospital(db.session, current_user.hospital_id),
    )


@bp.route("/ems/hospital/incoming.json")
@requires(Permission.HOSPITAL_PREALERT)
def hospital_incoming():
    """The same list for the page's refresh: the assignments' ids and the table's rows."""
    rows = _incoming()
    return {
        "ids": [r.assignment_id for r in rows],
        "unacknowledged": [r.assignment_id for r in rows if r.acknowledged_at is None],
        "html": _rows_html(rows),
    }


@bp.route("/ems/hospital/assignments/<int:assignment_id>/acknowledge", methods=["POST"])
@requires(Permission.HOSPITAL_PREALERT)
def hospital_acknowledge(assignment_id: int):
    """确认: the desk has seen the pre-alert (404 unless the patient comes to its hospital)."""
    prealert.acknowledge(
        db.session,
        actor_id=current_user.id,
        hospital_id=current_user.hospital_id,
        assignment_id=assignment_id,
        now=utcnow(),
    )
    flash(_("Acknowledged."), "success")
    return redirect(url_for("ems.hospital_desk")), 303
