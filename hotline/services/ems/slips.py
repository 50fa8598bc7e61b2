"""The dispatch slip (派车单): what the crew takes, built from the incident and its vehicles."""

from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from hotline.models import Incident, User
from hotline.pdf.slip import Slip, SlipLine
from hotline.services.ems import incidents
from hotline.services.errors import NotFound
from hotline.services.reference import cache

SIMPLIFY_DEGREES = 0.002  # the district outline on the slip needs no more detail


def _district(session: Session, incident: Incident) -> tuple[str, list]:
    """The name and outer rings of the incident's district ("" and none when outside)."""
    ctx = cache.context(session)
    code = ctx.district_codes.get(incident.district_id) if incident.district_id else None
    if not code:
        return "", []
    jurisdiction = ctx.index.get(code)
    geometry = jurisdiction.geometry.simplify(SIMPLIFY_DEGREES)
    rings = [list(p.exterior.coords) for p in getattr(geometry, "geoms", [geometry])]
    return jurisdiction.name, [[(x, y) for x, y in ring] for ring in rings]


def slip(session: Session, *, incident_id: int, timezone: str) -> Slip:
    """The dispatch slip's content for an incident (its assigned vehicles)."""
    tz = ZoneInfo(timezone)
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound()
    assignments = incidents.assignments_of(session, incident_id)
    dispatcher = session.get(User, incident.created_by_id) if incident.created_by_id else None
    district_name, rings = _district(session, incident)
    return Slip(
        number=incident.number,
        called_at=f"{incident.created_at.astimezone(tz):%Y-%m-%d %H:%M:%S}",
        address=incident.address,
        lonlat=(incident.lon, incident.lat),
        complaint=incident.complaint,
        triage_level=incident.triage_level,
        dispatcher=dispatcher.display_name if dispatcher else "",
        vehicles=[
            SlipLine(
                a.vehicle.call_sign,
                a.vehicle.station.name,
                (a.vehicle.station.lon, a.vehicle.station.lat),
                f"{a.dispatched_at.astimezone(tz):%H:%M:%S}" if a.dispatched_at else "",
                a.hospital.name if a.hospital else "",
            )
            for a in assignments
        ],
        district_name=district_name,
        district_rings=rings,
        source=source_line(incident.source, incident.source_ref),
    )


def source_line(source: str, reference: str) -> str:
    """The linked centre and its reference as the slip prints them ("" for our own calls)."""
    if not source:
        return ""
    return f"{source} (ref {reference})" if reference else source
