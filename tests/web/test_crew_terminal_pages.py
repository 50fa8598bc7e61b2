"""The crew terminal's shell, the station duty room's page and slips, the console's alert."""

from datetime import timedelta

from hotline.core.accounts.roles import Role
from hotline.database import utcnow
from hotline.models import Assignment, User, Vehicle
from hotline.plugins import db
from tests import factories, factories_crew


def test_terminal_shell_is_public_and_holds_no_data(app):
    page = app.test_client().get("/ems/terminal")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "js/terminal.js" in text and "vendor/leaflet" in text
    assert 'name="token"' in text and "Bearer" not in text
    assert 'id="patients"' in text and "js/terminal_patient.js" in text


def test_station_sees_its_own_jobs_and_slips_only(app, login):
    now = utcnow()
    with app.app_context():
        world = factories_crew.crew_world(now)
        incident_id, job_id = factories_crew.dispatch(
            world, world.vehicle_ids[0], now - timedelta(minutes=1), now
        )
        [other_vehicle] = factories.ambulances(1, "另一急救站（合成）", seed=8)
        other_station = db.session.get(Vehicle, other_vehicle).station_id
        other_incident, _ = factories_crew.dispatch(
            world, other_vehicle, now - timedelta(minutes=1), now
        )
        duty_user = factories_crew.station_user(world.station_id)
        dispatcher_user = db.session.get(User, world.dispatcher_id)
    duty, dispatcher = login(duty_user), login(dispatcher_user)
    assert duty.get("/ems/station").status_code == 200
    data = duty.get("/ems/station/jobs.json").get_json()
    assert data["newest"] == job_id and [j["job_id"] for j in data["jobs"]] == [job_id]
    assert data["jobs"][0]["acknowledged"] is False
    assert duty.get(f"/ems/station/jobs.json?station={other_station}").status_code == 404
    slip = duty.get(data["jobs"][0]["slip_url"])
    assert slip.status_code == 200 and slip.mimetype == "application/pdf"
    assert duty.get(f"/ems/station/slips/{other_incident}").status_code == 404
    assert duty.get(f"/ems/incidents/{incident_id}/slip").status_code == 403
    # The 120 centre picks a station.
    page = dispatcher.get("/ems/station").get_data(as_text=True)
    assert "另一急救站（合成）" in page
    theirs = dispatcher.get(f"/ems/station/jobs.json?station={other_station}").get_json()
    assert [j["incident_number"] for j in theirs["jobs"]] != []
    assert dispatcher.get(f"/ems/station/slips/{other_incident}").status_code == 200
    incident_page = dispatcher.get(f"/ems/incidents/{incident_id}").get_data(as_text=True)
    assert f"/ems/incidents/{incident_id}/patients" in incident_page  # EMS_MEDICAL's link
    operator = login(factories_crew_user(app, Role.OPERATOR))
    assert operator.get("/ems/station").status_code == 403


def factories_crew_user(app, role):
    with app.app_context():
        return factories.user(role)


def test_console_alert_and_reassign(app, login):
    now = utcnow()
    with app.app_context():
        world = factories_crew.crew_world(now)
        incident_id, job_id = factories_crew.dispatch(
            world, world.vehicle_ids[0], now - timedelta(minutes=3), now - timedelta(minutes=2)
        )
        dispatcher_user = db.session.get(User, world.dispatcher_id)
    dispatcher = login(dispatcher_user)
    page = dispatcher.get("/ems").get_data(as_text=True)
    assert 'id="ack-alerts"' in page and "js/console_alerts.js" in page
    [alert] = dispatcher.get("/ems/alerts").get_json()["waiting"]
    assert alert["overdue"] and alert["vehicles"], alert
    new_vehicle = world.vehicle_ids[1]
    assert new_vehicle in [v["vehicle_id"] for v in alert["vehicles"]]
    answer = dispatcher.post(alert["reassign_url"], {"vehicle_id": str(new_vehicle)})
    assert answer.status_code == 302 and f"/ems/incidents/{incident_id}" in answer.location
    with app.app_context():
        assert db.session.get(Vehicle, world.vehicle_ids[0]).status == "available"
        assert db.session.get(Assignment, job_id).cleared_at is not None
    [again] = dispatcher.get("/ems/alerts").get_json()["waiting"]
    assert again["vehicle_id"] == new_vehicle and not again["overdue"]
    # Twice: the job is cleared already, the dispatcher is sent back with the reason.
    assert (
        dispatcher.post(alert["reassign_url"], {"vehicle_id": str(new_vehicle)}).status_code == 303
    )
