"""The crew's jobs where two things meet: an acknowledgement and a reassignment, a vehicle
without a terminal, a stream never read, a vehicle moved to another station."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from hotline.database import utcnow
from hotline.models import Assignment, Station, Vehicle
from hotline.plugins import db
from hotline.services.ems import crew_jobs, reassign, station_jobs
from hotline.services.errors import Conflict
from hotline.web.api import crew
from tests import factories_crew


def _world(app, ago=timedelta(minutes=5)):
    now = utcnow()
    with app.app_context():
        world = factories_crew.crew_world(now, count=3)
        incident_id, job_id = factories_crew.dispatch(
            world, world.vehicle_ids[0], now - ago - timedelta(minutes=1), now - ago
        )
    return world, incident_id, job_id


def test_an_acknowledged_job_is_not_reassigned_and_a_reassigned_one_not_acknowledged(app):
    world, _incident, job_id = _world(app)
    first, second, third = world.vehicle_ids
    now = utcnow()
    with app.app_context():
        crew_jobs.acknowledge(db.session, vehicle_id=first, job_id=job_id, at=now)
        with pytest.raises(Conflict) as refused:
            reassign.reassign(db.session, world.dispatcher_id, job_id, third, now)
        assert refused.value.code == "job_acknowledged"
        _other, waiting_job = factories_crew.dispatch(
            world, second, now - timedelta(minutes=3), now - timedelta(minutes=2)
        )
        new = reassign.reassign(db.session, world.dispatcher_id, waiting_job, third, now)
        assert new.vehicle_id == third
        with pytest.raises(Conflict) as late:
            crew_jobs.acknowledge(db.session, vehicle_id=second, job_id=waiting_job, at=now)
        assert late.value.code == "job_cleared"
        assert db.session.get(Assignment, waiting_job).acknowledged_at is None


def test_a_vehicle_without_a_terminal_raises_no_acknowledgement_alert(app):
    world, _incident, job_id = _world(app)
    with app.app_context():
        db.session.get(Vehicle, world.vehicle_ids[0]).api_token_hash = None
        db.session.commit()
        assert crew_jobs.alert_unacknowledged(db.session, now=utcnow(), ack_seconds=60) == 0
        assert crew_jobs.waiting(db.session, now=utcnow(), ack_seconds=60) == []
        assert db.session.get(Assignment, job_id).ack_overdue_at is None


def test_a_stream_never_read_gives_its_slot_back_and_head_takes_none(app):
    world, _incident, _job = _world(app)
    # (A test client's response left unclosed keeps its slot: count from what is open.)
    before = crew._open["streams"]
    app.config.update(EMS_STREAM_SLOTS=before + 1, EMS_STREAM_SECONDS=0.1)
    client = app.test_client()
    auth = {"Authorization": f"Bearer {world.tokens[0]}"}
    url = f"/api/v1/vehicles/{world.vehicle_ids[0]}/jobs/stream"
    for _ in range(3):
        assert client.head(url, headers=auth).status_code == 200
    assert crew._open["streams"] == before
    unread = client.get(url, headers=auth, buffered=False)
    assert crew._open["streams"] == before + 1
    unread.close()  # closed without reading a byte
    assert crew._open["streams"] == before
    answer = client.get(url, headers=auth)
    assert answer.status_code == 200
    answer.close()


def test_a_vehicle_moved_to_a_station_brings_no_old_slips(app):
    world, incident_id, job_id = _world(app, ago=timedelta(days=2))
    with app.app_context():
        vehicle = db.session.get(Vehicle, world.vehicle_ids[0])
        crew_jobs.acknowledge(db.session, vehicle_id=vehicle.id, job_id=job_id, at=utcnow())
        db.session.get(Assignment, job_id).cleared_at = utcnow() - timedelta(days=1)
        other = Station(name="另一急救站（合成）", lon=116.3, lat=39.9, synthetic=True)
        db.session.add(other)
        db.session.flush()
        db.session.get(Vehicle, vehicle.id).station_id = other.id
        db.session.commit()
        since = utcnow() - timedelta(hours=12)
        with pytest.raises(Exception) as refused:
            station_jobs.check_station_incident(
                db.session, station_id=other.id, incident_id=incident_id, since=since
            )
        assert type(refused.value).__name__ == "NotFound"
        assert db.session.scalar(select(Assignment.id).where(Assignment.id == job_id))
