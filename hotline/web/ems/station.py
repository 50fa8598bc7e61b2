"""站点提醒: a station's duty room sees its vehicles' jobs as they are dispatched, with a
sound, and prints their slips. Dispatchers and supervisors pick a station from a list."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import current_app, render_template, request, url_for
from flask_login import current_user

from hotline.core.accounts.permissions import Permission, allows
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.ems import station_jobs as duty_room
from hotline.services.errors import NotFound
from hotline.web.ems import bp
from hotline.web.ems.incidents import slip_pdf_response
from hotline.web.helpers import parse_int, requires

RECENT = timedelta(hours=12)  # cleared jobs stay on the duty room's list this long


def _sees_every_station() -> bool:
    """Dispatchers and supervisors choose any station; a duty room sees its own only."""
    return allows(current_user.role_enum, Permission.EMS_DISPATCH)


def _station_id() -> int | None:
    """The station asked for: the user's own (None until the system administrator names it),
    or (for the 120 centre) the one chosen; 404 for another station than a duty room's own."""
    requested = parse_int(request.args.get("station"))
    if _sees_every_station():
        return requested
    own = current_user.station_id
    if requested is not None and requested != own:
        raise NotFound()
    return own


def _job_json(job: duty_room.StationJob, tz: ZoneInfo) -> dict:
    return {
        "job_id": job.assignment_id,
        "incident_number": job.incident_number,
        "call_sign": job.call_sign,
        "address": job.address,
        "complaint": job.complaint,
        "triage_level": job.triage_level,
        "dispatched_at": f"{job.dispatched_at.astimezone(tz):%H:%M:%S}"
        if job.dispatched_at
        else "",
        "acknowledged": job.acknowledged_at is not None,
        "cleared": job.cleared,
        "slip_url": url_for("ems.station_slip", incident_id=job.incident_id),
    }


@bp.route("/ems/station")
@requires(Permission.EMS_STATION_JOBS)
def station():
    """The duty room's page (the jobs arrive by polling station_jobs)."""
    station_id = _station_id()
    choices = duty_room.stations(db.session) if _sees_every_station() else []
    return render_template("ems/station.html", station_id=station_id, choices=choices)


@bp.route("/ems/station/jobs.json")
@requires(Permission.EMS_STATION_JOBS)
def station_jobs():
    """The station's jobs, newest first, and the newest job's id (the page beeps on a new one)."""
    station_id = _station_id()
    if station_id is None:
        raise NotFound()
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    listed = duty_room.station_jobs(db.session, station_id=station_id, since=utcnow() - RECENT)
    return {
        "newest": duty_room.station_newest(db.session, station_id),
        "jobs": [_job_json(j, tz) for j in listed],
    }


@bp.route("/ems/station/slips/<int:incident_id>")
@requires(Permission.EMS_STATION_JOBS)
def station_slip(incident_id: int):
    """The dispatch slip's PDF, for an incident one of the station's vehicles went to."""
    if not _sees_every_station():
        duty_room.check_station_incident(
            db.session,
            station_id=current_user.station_id,
            incident_id=incident_id,
            since=utcnow() - RECENT,
        )
    return slip_pdf_response(incident_id)
