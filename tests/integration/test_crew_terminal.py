"""The 120 crew terminal's API: jobs, acknowledgement, the overdue alert, reassignment and
Idempotency-Keys answered from the stored receipt."""

from datetime import timedelta

from sqlalchemy import func, select

from hotline import jobs as scheduler_jobs
from hotline.core.ems.vocabulary import IncidentAction
from hotline.database import utcnow
from hotline.models import Assignment, IncidentEvent, TerminalReceipt, User, Vehicle
from hotline.plugins import db
from hotline.services.ems import reassign
from hotline.services.errors import Conflict
from tests import factories_crew


def _trail(action: IncidentAction) -> int:
    query = select(func.count()).select_from(IncidentEvent).where(IncidentEvent.action == action)
    return db.session.scalar(query)


def _world(app, dispatched_ago=timedelta(seconds=5)):
    now = utcnow()
    with app.app_context():
        world = factories_crew.crew_world(now)
        incident_id, job_id = factories_crew.dispatch(
            world, world.vehicle_ids[0], now - dispatched_ago - timedelta(minutes=1),
            now - dispatched_ago,
        )  # fmt: skip
    return world, incident_id, job_id


def test_jobs_ack_once_and_only_own_vehicle(app):
    world, incident_id, job_id = _world(app)
    vid, other = world.vehicle_ids
    client = app.test_client()
    auth = {"Authorization": f"Bearer {world.tokens[0]}"}
    body = client.get(f"/api/v1/vehicles/{vid}/jobs", headers=auth).get_json()
    [job] = body["jobs"]
    assert body["status"] == "dispatched" and job["job_id"] == job_id and job["current"]
    assert job["caller_phone"] == factories_crew.CALLER and job["triage_level"] == 1
    assert job["hospital"]["recommended"] is True and job["acknowledged_at"] is None
    assert job["source"] == "" and job["address"] == "天安门广场东侧"
    assert client.get(f"/api/v1/vehicles/{other}/jobs", headers=auth).status_code == 403
    assert client.get(f"/api/v1/vehicles/{vid}/jobs").status_code == 401
    app.config["EMS_STREAM_SECONDS"] = 0.1
    answer = client.get(f"/api/v1/vehicles/{vid}/jobs/stream", headers=auth)
    assert answer.status_code == 200 and answer.mimetype == "text/event-stream"
    text = answer.get_data(as_text=True)
    answer.close()  # a stream's slot is given back when its response is closed
    assert "event: jobs" in text and f'"job_id": {job_id}' in text
    assert (
        client.get(f"/api/v1/vehicles/{vid}/jobs/stream?token={world.tokens[0]}").status_code == 401
    )
    # The streams a process holds open are bounded: past them a terminal is told to poll.
    app.config["EMS_STREAM_SLOTS"] = 1
    held = client.get(f"/api/v1/vehicles/{vid}/jobs/stream", headers=auth, buffered=False)
    busy = client.get(f"/api/v1/vehicles/{vid}/jobs/stream", headers=auth)
    assert (held.status_code, busy.status_code) == (200, 503)
    assert busy.headers["Retry-After"] == "30"
    held.close()  # the client went away: its slot is free again
    assert client.get(f"/api/v1/vehicles/{vid}/jobs/stream", headers=auth).status_code == 200
    # Another vehicle's token cannot acknowledge this job through its own vehicle.
    theirs = {"Authorization": f"Bearer {world.tokens[1]}"}
    assert client.post(f"/api/v1/vehicles/{other}/jobs/{job_id}/ack", json={},
                       headers=theirs).status_code == 404  # fmt: skip
    at = (utcnow() - timedelta(seconds=2)).isoformat()
    first = client.post(f"/api/v1/vehicles/{vid}/jobs/{job_id}/ack", json={"at": at}, headers=auth)
    later = (utcnow()).isoformat()
    again = client.post(f"/api/v1/vehicles/{vid}/jobs/{job_id}/ack", json={"at": later},
                        headers=auth)  # fmt: skip
    assert first.status_code == again.status_code == 200
    assert first.get_json()["acknowledged_at"] == again.get_json()["acknowledged_at"]
    with app.app_context():
        assignment = db.session.get(Assignment, job_id)
        assert assignment.acknowledged_at.isoformat() == first.get_json()["acknowledged_at"]
        assert 0 < (assignment.acknowledged_at - assignment.dispatched_at).total_seconds() < 10
        assert _trail(IncidentAction.ACKNOWLEDGE) == 1


def test_idempotency_key_replay_answers_from_the_receipt(app):
    world, incident_id, job_id = _world(app)
    vid = world.vehicle_ids[0]
    client = app.test_client()
    headers = {"Authorization": f"Bearer {world.tokens[0]}", "Idempotency-Key": "q-1_A"}
    url = f"/api/v1/vehicles/{vid}/status"
    at = (utcnow() - timedelta(seconds=1)).isoformat()
    first = client.post(url, json={"status": "en_route", "at": at}, headers=headers)
    # The same request again (the answer was lost): the stored answer, nothing done twice.
    again = client.post(url, json={"status": "en_route", "at": at}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json() == {"vehicle_id": vid, "status": "en_route"}
    # The key with another body or path (a client's bug): refused, not the first's answer.
    fix = {"positions": [{"lon": 116.40, "lat": 39.91, "at": at}]}
    positions = f"/api/v1/vehicles/{vid}/positions"
    for path, body in ((url, {"status": "on_scene", "at": at}), (positions, fix)):
        reused = client.post(path, json=body, headers=headers)
        assert reused.status_code == 422 and reused.get_json()["error"] == "idempotency_key_reused"
    bad = dict(headers, **{"Idempotency-Key": "no spaces/allowed"})
    assert client.post(url, json={"status": "on_scene"}, headers=bad).status_code == 400
    # A refused change (en_route -> transporting is not in the table) stores no receipt.
    refused = dict(headers, **{"Idempotency-Key": "k2"})
    assert client.post(url, json={"status": "transporting"}, headers=refused).status_code == 422
    pos_headers = dict(headers, **{"Idempotency-Key": "fix-1"})
    for _ in range(2):
        answer = client.post(positions, json=fix, headers=pos_headers)
        assert answer.status_code == 201 and answer.get_json()["accepted"] == 1
    # Without a key: the old behaviour (made every time).
    plain = {"Authorization": headers["Authorization"]}
    assert client.post(url, json={"status": "on_scene"}, headers=plain).status_code == 200
    with app.app_context():
        assert _trail(IncidentAction.STATUS_EN_ROUTE) == 1
        assert db.session.get(Vehicle, vid).status == "on_scene"
        receipts = db.session.scalars(select(TerminalReceipt).order_by(TerminalReceipt.id)).all()
        assert [(r.key, r.status_code) for r in receipts] == [("q-1_A", 200), ("fix-1", 201)]
        assert db.session.get(Assignment, job_id).en_route_at.isoformat() == at


def test_unacknowledged_job_alerts_once(app, login):
    world, incident_id, job_id = _world(app, dispatched_ago=timedelta(seconds=90))
    scheduler_jobs.alert_unacknowledged_jobs(app)
    scheduler_jobs.alert_unacknowledged_jobs(app)
    assert any(job is scheduler_jobs.alert_unacknowledged_jobs for job, *_ in scheduler_jobs.JOBS)
    with app.app_context():
        assert db.session.get(Assignment, job_id).ack_overdue_at is not None
        assert _trail(IncidentAction.ACK_OVERDUE) == 1
    with app.app_context():
        dispatcher = login(db.session.get(User, world.dispatcher_id))
    [alert] = dispatcher.get("/ems/alerts").get_json()["waiting"]
    assert alert["job_id"] == job_id and alert["overdue"] and alert["seconds"] >= 90
    assert alert["phone"] == f"1380000{world.vehicle_ids[0]:04d}"


def test_reassign_releases_the_old_vehicle_and_dispatches_the_new(app):
    world, incident_id, job_id = _world(app)
    old, new = world.vehicle_ids
    with app.app_context():
        created = reassign.reassign(db.session, world.dispatcher_id, job_id, new, utcnow())
        assert created.vehicle_id == new and created.incident_id == incident_id
        assert db.session.get(Vehicle, old).status == "available"
        assert db.session.get(Vehicle, new).status == "dispatched"
        assert db.session.get(Assignment, job_id).cleared_at is not None
        assert _trail(IncidentAction.REASSIGN) == 1
        try:
            reassign.reassign(db.session, world.dispatcher_id, job_id, old, utcnow())
        except Conflict:
            pass
        else:
            raise AssertionError("a cleared job was reassigned again")
