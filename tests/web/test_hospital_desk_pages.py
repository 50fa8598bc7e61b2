"""The destination hospital and the pre-alert through the pages: the dispatcher picks the
hospital on the incident page (the recommended one preselected), the slip shows it and the
linked centre; only that hospital's desk lists the patient and may acknowledge it (another
hospital's: not listed, 404; other roles: 403), and the desk's reads are in the security log.
Track playback's JSON: positions of the window in time order, with the status changes."""

import re
import subprocess
from datetime import timedelta

from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.core.accounts.security import SecurityKind
from hotline.core.ems.vehicles import VehicleStatus
from hotline.models import Assignment, Incident, SecurityEvent
from hotline.plugins import db
from hotline.services.ems import fleet, terminals, tracks
from tests import factories
from tests import factories_hospitals as hf
from tests.factories import NOW, TIANANMEN


def _world(app):
    """Two hospitals, a desk for each, a dispatcher and a dispatched chest-pain incident."""
    with app.app_context():
        [vehicle_id] = factories.ambulances(1)
        dispatcher = factories.user(Role.EMS_DISPATCHER)
        near = hf.hospital("近医院（合成）", TIANANMEN[0] + 0.01, TIANANMEN[1], "trauma")
        far = hf.hospital("胸痛中心（合成）", TIANANMEN[0] + 0.05, TIANANMEN[1], "chest_pain")
        incident = factories.dispatched_incident(dispatcher, vehicle_id, NOW, NOW)
        incident.source, incident.source_ref = "110", "ABC-1"
        db.session.commit()
        assignment = db.session.scalar(select(Assignment))
        hf.patient(incident.id, vehicle_id, NOW, name="李秘密", vitals=[{"at": NOW, "pulse": 123}])
        return {
            "vehicle": vehicle_id,
            "dispatcher": dispatcher.username,
            "incident": incident.id,
            "assignment": assignment.id,
            "far": (far.id, hf.desk(far.id).username),
            "near": (near.id, hf.desk(near.id).username),
        }


def _as(login, username):
    return login(type("U", (), {"username": username}))


def test_destination_slip_and_the_right_desk_only(app, login):
    w = _world(app)
    dispatcher = _as(login, w["dispatcher"])
    page = dispatcher.get(f"/ems/incidents/{w['incident']}?capability=chest_pain").get_data(
        as_text=True
    )
    far_id, near_id = w["far"][0], w["near"][0]
    assert re.search(rf'<option value="{far_id}" selected>胸痛中心（合成）', page)
    assert f"/ems/tracks?incident={w['incident']}" in page
    url = f"/ems/incidents/{w['incident']}/assignments/{w['assignment']}/destination"
    assert dispatcher.post(url, {"hospital_id": far_id}).status_code == 303
    wrong = f"/ems/incidents/{w['incident'] + 1}/assignments/{w['assignment']}/destination"
    assert dispatcher.post(wrong, {"hospital_id": near_id}).status_code == 404

    slip = dispatcher.get(f"/ems/incidents/{w['incident']}/slip").get_data(as_text=True)
    assert "胸痛中心（合成）" in slip and "110 (ref ABC-1)" in slip
    pdf = dispatcher.get(f"/ems/incidents/{w['incident']}/slip.pdf").data
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    assert "胸痛中心（合成）" in text.stdout.decode()
    assert "联动来源" in text.stdout.decode() and "110 (ref ABC-1)" in text.stdout.decode()

    other = _as(login, w["near"][1])
    assert w["assignment"] not in other.get("/ems/hospital/incoming.json").get_json()["ids"]
    assert "T1-000" not in other.get("/ems/hospital").get_data(as_text=True)
    ack = f"/ems/hospital/assignments/{w['assignment']}/acknowledge"
    assert other.post(ack).status_code == 404

    desk = _as(login, w["far"][1])
    listing = desk.get("/ems/hospital").get_data(as_text=True)
    assert "T1-000" in listing and "胸痛" in listing and "123" in listing
    assert "李秘密" not in listing  # sex and age, never the name
    data = desk.get("/ems/hospital/incoming.json").get_json()
    assert data["ids"] == data["unacknowledged"] == [w["assignment"]]
    assert desk.post(ack).status_code == 303
    assert desk.get("/ems/hospital/incoming.json").get_json()["unacknowledged"] == []
    with app.app_context():
        assignment = db.session.get(Assignment, w["assignment"])
        assert assignment.hospital_acknowledged_at is not None
        reads = db.session.scalars(
            select(SecurityEvent).where(
                SecurityEvent.kind == SecurityKind.PATIENT_RECORD_READ.value
            )
        ).all()
        # The desk read the vital signs three times within the hour: one row; the other
        # hospital's desk never saw them.
        assert len(reads) == 1 and "patient #" in reads[0].detail
    incident_page = dispatcher.get(f"/ems/incidents/{w['incident']}").get_data(as_text=True)
    assert "院方已确认" in incident_page or "Pre-alert acknowledged" in incident_page


def test_who_may_open_the_desk(app, make, login):
    w = _world(app)
    for role in (Role.OPERATOR, Role.EMS_DISPATCHER, Role.SUPERVISOR):
        other = login(make(factories.user, role))
        assert other.get("/ems/hospital").status_code == 403, role
        ack = f"/ems/hospital/assignments/{w['assignment']}/acknowledge"
        assert other.post(ack).status_code == 403, role
    desk = _as(login, w["far"][1])
    assert desk.get("/").headers["Location"].endswith("/ems/hospital")
    assert desk.get("/ems/incidents/1").status_code == 403
    assert desk.get("/ems/tracks").status_code == 403


def test_track_json_in_time_order_within_the_window(app, make, login):
    w = _world(app)
    with app.app_context():
        # Fixes arrive out of order (a terminal's queue), one before and one after the window.
        for minute in (7, 2, 0, 5, -30, 90):
            terminals.record_position(
                db.session,
                vehicle_id=w["vehicle"],
                lon=TIANANMEN[0] + minute / 1000,
                lat=TIANANMEN[1],
                at=NOW + timedelta(minutes=minute),
            )
        fleet.change_status(
            db.session,
            actor_id=None,
            vehicle_id=w["vehicle"],
            wanted=VehicleStatus.EN_ROUTE,
            at=NOW + timedelta(minutes=4, seconds=50),
        )
    supervisor = login(make(factories.user, Role.SUPERVISOR))
    # NOW is 10:00 in Beijing: the window 09:59-10:10 local.
    query = f"vehicle={w['vehicle']}&from=2026-11-20T09:59&to=2026-11-20T10:10"
    data = supervisor.get(f"/ems/tracks.json?{query}").get_json()
    [track] = data["vehicles"]
    start = round(NOW.timestamp() * 1000)
    assert [p[0] for p in track["points"]] == [start + m * 60000 for m in (0, 2, 5, 7)]
    assert data["start"] == start - 60000 and data["end"] == start + 10 * 60000
    [dispatched, en_route] = track["marks"]
    assert dispatched["t"] == start and en_route["t"] == start + (4 * 60 + 50) * 1000
    assert en_route["lon"] == TIANANMEN[0] + 5 / 1000  # the fix nearest in time
    page = supervisor.get(f"/ems/tracks?{query}").get_data(as_text=True)
    assert "/ems/tracks.json?vehicle=" in page and "T1-000" in page
    whole = supervisor.get(f"/ems/tracks.json?incident={w['incident']}").get_json()
    assert whole["start"] == start and len(whole["vehicles"][0]["points"]) == 5
    bad = supervisor.get(
        f"/ems/tracks.json?vehicle={w['vehicle']}&from=2026-11-20T10:10&to=2026-11-20T09:00"
    )
    assert bad.status_code == 400
    assert supervisor.get("/ems/tracks.json?incident=999999").status_code == 404
    with app.app_context():
        assert db.session.get(Incident, w["incident"]).source == "110"
        # Its vehicle is never cleared: a month later the playback still stops a week in.
        late = tracks.incident_playback(
            db.session, incident_id=w["incident"], now=NOW + timedelta(days=30)
        )
        assert late.end == late.start + tracks.MAX_WINDOW
