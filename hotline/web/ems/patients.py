"""院前急救病历 at the centre: an incident's patient records for 120 dispatchers and
supervisors, and a record's PDF for them and the destination hospital's desk. Personal
health data: any other role gets 404 (not 403: not even the record's existence is told),
and every record shown or printed is a row of the security log (in the services)."""

from zoneinfo import ZoneInfo

from flask import Response, current_app, render_template, request
from flask_login import current_user

from hotline.core.accounts.permissions import Permission
from hotline.core.ems.patients import VITAL_RANGES
from hotline.database import utcnow
from hotline.labels import ems_codes
from hotline.pdf import patient as patient_pdf
from hotline.plugins import db
from hotline.services.ems import patient_records, patient_sheets
from hotline.web.ems import bp
from hotline.web.helpers import hidden_unless


@bp.route("/ems/incidents/<int:incident_id>/patients")
@hidden_unless(Permission.EMS_MEDICAL)
def incident_patients(incident_id: int):
    """The incident's patients, each record in full (each read logged)."""
    records = patient_records.incident_records(
        db.session,
        incident_id,
        actor_id=current_user.id,
        ip=request.remote_addr or "",
        now=utcnow(),
    )
    return render_template(
        "ems/patients.html",
        incident_id=incident_id,
        records=records,
        complaint_label=ems_codes.complaint_label,
        diagnosis_label=ems_codes.diagnosis_label,
        vital_keys=list(VITAL_RANGES),
    )


@bp.route("/ems/patients/<int:patient_id>.pdf")
@hidden_unless(Permission.EMS_MEDICAL, Permission.HOSPITAL_PREALERT)
def patient_pdf_view(patient_id: int):
    """One record as a PDF (embedded Chinese font) for the hospital and the archive."""
    record = patient_records.read_record(
        db.session,
        patient_id,
        actor_id=current_user.id,
        ip=request.remote_addr or "",
        now=utcnow(),
        via="pdf",
    )
    timezone = current_app.config["TIMEZONE"]
    printed_at = utcnow().astimezone(ZoneInfo(timezone))
    data = patient_pdf.render(patient_sheets.sheet(record, timezone), printed_at)
    name = f"patient-{record.incident_number}-{record.patient_id}.pdf"
    return Response(
        data,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{name}"',
            "Cache-Control": "no-store",  # health data stays out of shared caches
        },
    )
