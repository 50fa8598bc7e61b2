"""The destination hospital and its pre-alert: the nearest suitable hospital recommended,
the choice on the trail, the patient seen by that hospital's desk only (sex, age, codes,
latest vital signs, ETA from the vehicle's position), its acknowledgement recorded."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from hotline.core import geo
from hotline.core.accounts.roles import Role
from hotline.core.accounts.security import SecurityKind
from hotline.core.ems.vehicles import VehicleStatus
from hotline.models import Assignment, Incident, IncidentEvent, SecurityEvent
from hotline.plugins import db
from hotline.services.ems import destinations, fleet, prealert, terminals
from hotline.services.errors import NotFound, ValidationFailed
from tests import factories
from tests import factories_hospitals as hf
from tests.factories import NOW, TIANANMEN

SPEED, DETOUR = 40.0, 1.3


def _world():
    """Two hospitals near Tiananmen (the nearer one without a chest-pain centre), one
    dispatched vehicle; the ids."""
    [vehicle_id] = factories.ambulances(1)
    dispatcher = factories.user(Role.EMS_DISPATCHER)
    near = hf.hospital("近医院（合成）", TIANANMEN[0] + 0.01, TIANANMEN[1], "trauma")
    far = hf.hospital(
        "胸痛中心医院（合成）", TIANANMEN[0] + 0.05, TIANANMEN[1], "chest_pain,stroke"
    )
    incident = factories.dispatched_incident(dispatcher, vehicle_id, NOW, NOW)
    assignment = db.session.scalar(select(Assignment).where(Assignment.incident_id == incident.id))
    return dispatcher.id, vehicle_id, near.id, far.id, incident.id, assignment.id


def test_destination_is_recommended_set_on_the_trail_and_changed(any_app):
    with any_app.app_context():
        actor, vehicle_id, near, far, incident_id, assignment_id = _world()
        incident = db.session.get(Incident, incident_id)
        assert (
            destinations.recommend_destination(db.session, incident, "chest_pain").hospital.id
            == far
        )
        assert destinations.recommend_destination(db.session, incident, None).hospital.id == near
        options = destinations.destination_options(db.session, incident, "chest_pain")
        assert options[0].hospital.id == far and near in [o.hospital.id for o in options]

        destinations.set_destination(
            db.session, actor_id=actor, assignment_id=assignment_id, hospital_id=far, now=NOW
        )
        again = NOW + timedelta(minutes=1)  # the same hospital again: nothing new on the trail
        destinations.set_destination(
            db.session, actor_id=actor, assignment_id=assignment_id, hospital_id=far, now=again
        )
        trail = db.session.scalars(
            select(IncidentEvent).where(IncidentEvent.action == "hospital_chosen")
        ).all()
        assert [(e.note, e.vehicle_id, e.actor_id) for e in trail] == [
            ("胸痛中心医院（合成）", vehicle_id, actor)
        ]
        with pytest.raises(ValidationFailed):
            destinations.set_destination(
                db.session, actor_id=actor, assignment_id=assignment_id, hospital_id=999, now=again
            )
        with pytest.raises(NotFound):  # not this incident's assignment
            destinations.set_destination(
                db.session,
                actor_id=actor,
                incident_id=incident_id + 1,
                assignment_id=assignment_id,
                hospital_id=near,
                now=again,
            )
        for status in ("en_route", "on_scene", "returning"):  # cleared on returning
            fleet.change_status(
                db.session,
                actor_id=actor,
                vehicle_id=vehicle_id,
                wanted=VehicleStatus(status),
                at=again,
            )
        with pytest.raises(ValidationFailed):
            destinations.set_destination(
                db.session, actor_id=actor, assignment_id=assignment_id, hospital_id=near, now=again
            )


def test_prealert_reaches_the_destination_hospital_only_and_is_acknowledged(any_app):
    with any_app.app_context():
        actor, vehicle_id, near, far, incident_id, assignment_id = _world()
        destinations.set_destination(
            db.session, actor_id=actor, assignment_id=assignment_id, hospital_id=far, now=NOW
        )
        desk, other = hf.desk(far), hf.desk(near)
        first, latest = NOW + timedelta(minutes=5), NOW + timedelta(minutes=9)
        hf.patient(
            incident_id,
            vehicle_id,
            NOW,
            diagnosis_code="I21.9",
            vitals=[
                {
                    "at": latest,
                    "sbp": 90,
                    "dbp": 60,
                    "pulse": 118,
                    "spo2": 91,
                    "phase": "transport",
                },
                {"at": first, "sbp": 150, "dbp": 95, "pulse": 100, "phase": "scene"},
            ],
        )
        terminals.record_position(
            db.session, vehicle_id=vehicle_id, lon=TIANANMEN[0], lat=TIANANMEN[1] + 0.02, at=latest
        )
        [row] = prealert.incoming(
            db.session, hospital_id=far, speed_kmh=SPEED, detour_factor=DETOUR
        )
        hospital_lonlat = (TIANANMEN[0] + 0.05, TIANANMEN[1])
        distance = geo.haversine_m(TIANANMEN[0], TIANANMEN[1] + 0.02, *hospital_lonlat)
        assert row.minutes == pytest.approx(distance * DETOUR / (SPEED * 1000 / 60), abs=0.05)
        assert row.status == "dispatched" and row.triage_level == 1 and row.complaint == "胸痛"
        [seen] = row.patients
        assert (seen.sex, seen.age_years, seen.complaint_code) == ("male", 63, "C01")
        assert seen.vitals["sbp"] == 90 and seen.vitals["phase"] == "transport"
        assert seen.vitals["temp"] is None and seen.vitals_at == latest
        assert row.flags == {"chest_pain"} and "name" not in vars(seen)
        assert (
            prealert.incoming(db.session, hospital_id=near, speed_kmh=SPEED, detour_factor=DETOUR)
            == []
        )

        with pytest.raises(NotFound):  # another hospital's desk
            prealert.acknowledge(
                db.session,
                actor_id=other.id,
                hospital_id=near,
                assignment_id=assignment_id,
                now=latest,
            )
        prealert.acknowledge(
            db.session, actor_id=desk.id, hospital_id=far, assignment_id=assignment_id, now=latest
        )
        assignment = db.session.get(Assignment, assignment_id)
        assert assignment.hospital_acknowledged_at == latest
        assert assignment.hospital_acknowledged_by_id == desk.id
        event = db.session.scalar(
            select(IncidentEvent).where(IncidentEvent.action == "hospital_acknowledged")
        )
        assert (event.actor_id, event.note, event.at) == (desk.id, "胸痛中心医院（合成）", latest)


def test_transporting_first_and_reads_logged_once_an_hour(any_app):
    with any_app.app_context():
        actor, vehicle_id, near, far, incident_id, assignment_id = _world()
        [second] = factories.ambulances(1, name="第二站（合成）", seed=2)
        other_incident = factories.dispatched_incident(
            factories.user(Role.EMS_DISPATCHER),
            second,
            NOW,
            NOW,
            triage=3,
        )
        other = db.session.scalar(
            select(Assignment).where(Assignment.incident_id == other_incident.id)
        )
        for a in (assignment_id, other.id):
            destinations.set_destination(
                db.session, actor_id=actor, assignment_id=a, hospital_id=far, now=NOW
            )
        for status in ("en_route", "on_scene", "transporting"):
            fleet.change_status(
                db.session, actor_id=actor, vehicle_id=second, wanted=VehicleStatus(status), at=NOW
            )
        hf.patient(other_incident.id, second, NOW, vitals=[{"at": NOW, "pulse": 80}])
        # No vital signs yet: its sex, age and codes are shown, so its read is logged too.
        hf.patient(incident_id, vehicle_id, NOW, sex="female")
        rows = prealert.incoming(db.session, hospital_id=far, speed_kmh=SPEED, detour_factor=DETOUR)
        assert [r.assignment_id for r in rows] == [other.id, assignment_id]  # on board first
        assert [p.vitals for p in rows[1].patients] == [None]
        desk = hf.desk(far)
        assert prealert.log_reads(db.session, actor_id=desk.id, rows=rows, now=NOW) == 2
        later = NOW + timedelta(minutes=59)
        assert prealert.log_reads(db.session, actor_id=desk.id, rows=rows, now=later) == 0
        assert (
            prealert.log_reads(
                db.session, actor_id=desk.id, rows=rows, now=NOW + timedelta(hours=1)
            )
            == 2
        )
        kinds = db.session.scalars(
            select(SecurityEvent.kind).where(SecurityEvent.actor_id == desk.id)
        ).all()
        assert kinds == [SecurityKind.PATIENT_RECORD_READ.value] * 4
