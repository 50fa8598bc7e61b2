"""约车: dispatched shortly before the pick-up, once; the desk is told when nothing is free."""

from datetime import timedelta

from sqlalchemy import func, select

from hotline.core.accounts.roles import Role
from hotline.core.ems.vehicles import VehicleStatus
from hotline.models import Assignment, Incident, Notification
from hotline.plugins import db
from hotline.services.ems import bookings, fleet, incidents
from tests import factories
from tests.factories import NOW, TIANANMEN


def run(now):
    return bookings.dispatch_due(
        db.session, now=now, timezone="Asia/Shanghai", speed_kmh=40, detour_factor=1.3
    )


def test_a_booking_is_dispatched_once_shortly_before(any_app):
    with any_app.app_context():
        [vid] = factories.ambulances(1)
        desk = factories.user(Role.EMS_DISPATCHER)
        pickup = NOW + timedelta(hours=2)
        booking = bookings.create_booking(
            db.session,
            actor_id=desk.id,
            request=bookings.BookingRequest("13800138000", *TIANANMEN, pickup, note="透析"),
            now=NOW,
        )
        assert run(NOW) == (0, 0)  # not yet due
        assert run(pickup - timedelta(minutes=10)) == (1, 0)
        assert run(pickup - timedelta(minutes=9)) == (0, 0)
        db.session.refresh(booking)
        assert booking.state == "dispatched"
        assert db.session.scalar(select(Assignment.vehicle_id)) == vid
        assert db.session.get(Incident, booking.incident_id).complaint == "约车：透析"


def test_no_free_vehicle_alerts_once_then_dispatches_when_one_is_back(any_app):
    with any_app.app_context():
        [vid] = factories.ambulances(1)
        desk = factories.user(Role.EMS_DISPATCHER)
        busy = incidents.create_incident(
            db.session,
            actor_id=desk.id,
            call=incidents.Call("", *TIANANMEN, "胸痛", 1),
            now=NOW,
            timezone="Asia/Shanghai",
        )
        fleet.dispatch(
            db.session, actor_id=desk.id, incident_id=busy.id, vehicle_ids=[vid], now=NOW
        )
        pickup = NOW + timedelta(minutes=10)
        bookings.create_booking(
            db.session,
            actor_id=desk.id,
            request=bookings.BookingRequest("", *TIANANMEN, pickup),
            now=NOW,
        )
        assert run(NOW) == (0, 1)
        assert run(NOW + timedelta(minutes=1)) == (0, 1)
        alerts = db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.recipient == "role:ems_dispatcher"
            )
        )
        assert alerts == 1
        fleet.change_status(
            db.session,
            actor_id=desk.id,
            vehicle_id=vid,
            wanted=VehicleStatus.AVAILABLE,
            at=NOW + timedelta(minutes=2),
        )
        assert run(NOW + timedelta(minutes=3)) == (1, 0)
        assert db.session.scalar(select(func.count(Incident.id))) == 2  # no duplicate incident


def test_bad_bookings_are_refused(app):
    import pytest

    from hotline.services.errors import ValidationFailed

    with app.app_context():
        desk = factories.user(Role.EMS_DISPATCHER)
        with pytest.raises(ValidationFailed) as err:
            bookings.create_booking(
                db.session,
                actor_id=desk.id,
                request=bookings.BookingRequest("123", float("nan"), 39.9, NOW),
                now=NOW,
            )
        assert set(err.value.errors) == {"caller_phone", "location", "pickup_at"}


def test_the_booking_job_is_scheduled(app):
    from hotline.jobs import create_scheduler

    scheduler = create_scheduler(app, blocking=False)
    scheduler.start(paused=True)
    try:
        job = scheduler.get_job("dispatch_bookings")
        assert job.trigger.interval == timedelta(seconds=60) and job.coalesce is True
    finally:
        scheduler.shutdown(wait=False)
