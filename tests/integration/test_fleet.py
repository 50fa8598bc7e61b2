"""120 dispatch: recommendations follow the database, assignment is compare-and-set."""

import itertools
import threading
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.core.ems.vehicles import ASSIGNED, TIMELINE, TRANSITIONS, VehicleStatus
from hotline.models import Assignment, IncidentEvent, Vehicle
from hotline.plugins import db
from hotline.services.ems import fleet, incidents
from hotline.services.errors import Conflict, ValidationFailed
from tests import factories
from tests.factories import NOW

TIANANMEN = factories.TIANANMEN
_stations = itertools.count(1000)


def make_fleet(count: int, seed: int = 1) -> list[int]:
    return factories.ambulances(count, f"测试站{seed}", seed)


def incident(actor, **overrides):
    data = {
        "caller_phone": "13800138000",
        "lon": TIANANMEN[0],
        "lat": TIANANMEN[1],
        "complaint": "胸痛30分钟",
        "triage_level": 1,
    }
    data.update(overrides)
    call = incidents.Call(**data)
    return incidents.create_incident(
        db.session, actor_id=actor.id, call=call, now=NOW, timezone="Asia/Shanghai"
    )


def test_recommendation_follows_dispatches(any_app):
    with any_app.app_context():
        make_fleet(20)
        ems = factories.user(Role.EMS_DISPATCHER)
        case = incident(ems)
        assert case.number.startswith("120-20261120-") and case.district_id is not None
        first = fleet.recommend(
            db.session, lon=TIANANMEN[0], lat=TIANANMEN[1], k=3, speed_kmh=40, detour_factor=1.3
        )
        assert len(first) == 3 and first[0].distance_m <= first[1].distance_m
        assert first[0].minutes == pytest.approx(first[0].distance_m * 1.3 / (40000 / 60), abs=0.1)
        fleet.dispatch(
            db.session,
            actor_id=ems.id,
            incident_id=case.id,
            vehicle_ids=[first[0].vehicle_id],
            now=NOW,
            recommended=[r.vehicle_id for r in first],
        )
        again = fleet.recommend(
            db.session, lon=TIANANMEN[0], lat=TIANANMEN[1], k=3, speed_kmh=40, detour_factor=1.3
        )
        assert first[0].vehicle_id not in {r.vehicle_id for r in again}
        assert [r.vehicle_id for r in again[:2]] == [r.vehicle_id for r in first[1:]]


def test_choosing_another_vehicle_needs_a_reason(any_app):
    with any_app.app_context():
        ids = make_fleet(5)
        ems = factories.user(Role.EMS_DISPATCHER)
        case = incident(ems)
        with pytest.raises(ValidationFailed) as err:
            fleet.dispatch(
                db.session,
                actor_id=ems.id,
                incident_id=case.id,
                vehicle_ids=[ids[0]],
                now=NOW,
                recommended=[ids[1]],
            )
        assert err.value.errors == {"override_reason": "required"}
        fleet.dispatch(
            db.session,
            actor_id=ems.id,
            incident_id=case.id,
            vehicle_ids=[ids[0]],
            now=NOW,
            override_reason="车组更熟悉该小区",
            recommended=[ids[1]],
        )
        note = db.session.scalar(
            select(IncidentEvent.note).where(IncidentEvent.action == "dispatch")
        )
        assert note == "车组更熟悉该小区"


def test_twenty_dispatchers_one_vehicle_exactly_one_wins(any_app):
    with any_app.app_context():
        [vehicle_id] = make_fleet(1)
        ems = factories.user(Role.EMS_DISPATCHER)
        incidents = [incident(ems).id for _ in range(20)]
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def run(incident_id):
        with any_app.app_context():
            barrier.wait()
            try:
                fleet.dispatch(
                    db.session,
                    actor_id=ems.id,
                    incident_id=incident_id,
                    vehicle_ids=[vehicle_id],
                    now=NOW,
                )
                outcomes.append("won")
            except Conflict as exc:
                outcomes.append(exc.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in incidents]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["vehicle_taken"] * 19 + ["won"]
    with any_app.app_context():
        assert db.session.scalar(select(db.func.count(Assignment.id))) == 1
        vehicle = db.session.get(Vehicle, vehicle_id, populate_existing=True)
        assert vehicle.status == "dispatched" and vehicle.incident_id in incidents


def test_a_mass_casualty_dispatch_is_all_or_nothing(any_app):
    with any_app.app_context():
        ids = make_fleet(3)
        ems = factories.user(Role.EMS_DISPATCHER)
        first, second = incident(ems), incident(ems, triage_level=2)
        fleet.dispatch(
            db.session, actor_id=ems.id, incident_id=first.id, vehicle_ids=[ids[2]], now=NOW
        )
        with pytest.raises(Conflict):
            fleet.dispatch(
                db.session, actor_id=ems.id, incident_id=second.id, vehicle_ids=ids, now=NOW
            )
        statuses = dict(db.session.execute(select(Vehicle.id, Vehicle.status)).all())
        assert statuses == {ids[0]: "available", ids[1]: "available", ids[2]: "dispatched"}


def test_the_whole_run_with_monotonic_times_and_closing(any_app):
    with any_app.app_context():
        [vid] = make_fleet(1)
        ems = factories.user(Role.EMS_DISPATCHER)
        case = incident(ems)
        fleet.dispatch(db.session, actor_id=ems.id, incident_id=case.id, vehicle_ids=[vid], now=NOW)
        with pytest.raises(ValidationFailed):
            incidents.close_incident(db.session, actor_id=ems.id, incident_id=case.id, now=NOW)
        steps = [
            VehicleStatus.EN_ROUTE,
            VehicleStatus.ON_SCENE,
            VehicleStatus.TRANSPORTING,
            VehicleStatus.AT_HOSPITAL,
            VehicleStatus.RETURNING,
        ]
        for minutes, status in enumerate(steps, start=1):
            fleet.change_status(
                db.session,
                actor_id=ems.id,
                vehicle_id=vid,
                wanted=status,
                at=NOW + timedelta(minutes=minutes),
            )
        with pytest.raises(ValidationFailed):  # returning -> on_scene is not in the table
            fleet.change_status(
                db.session,
                actor_id=ems.id,
                vehicle_id=vid,
                wanted=VehicleStatus.ON_SCENE,
                at=NOW + timedelta(hours=1),
            )
        assignment = db.session.scalar(select(Assignment))
        times = [getattr(assignment, name) for name in TIMELINE]
        assert None not in times and times == sorted(times)
        incidents.close_incident(
            db.session, actor_id=ems.id, incident_id=case.id, now=NOW + timedelta(hours=1)
        )
        fleet.change_status(
            db.session,
            actor_id=ems.id,
            vehicle_id=vid,
            wanted=VehicleStatus.AVAILABLE,
            at=NOW + timedelta(hours=1),
        )
        assert (
            fleet.recommend(
                db.session, lon=TIANANMEN[0], lat=TIANANMEN[1], k=1, speed_kmh=40, detour_factor=1.3
            )[0].vehicle_id
            == vid
        )


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    moves=st.lists(
        st.tuples(st.sampled_from(list(VehicleStatus) + ["close"]), st.integers(-5, 30)),
        max_size=15,
    )
)
def test_random_status_sequences_keep_the_invariants(app, moves):
    with app.app_context():
        ems = db.session.scalar(select(factories.User).where(factories.User.username == "hypo"))
        ems = ems or factories.user(Role.EMS_DISPATCHER, username="hypo")
        [vid] = make_fleet(1, seed=next(_stations))
        case = incident(ems)
        fleet.dispatch(db.session, actor_id=ems.id, incident_id=case.id, vehicle_ids=[vid], now=NOW)
        at = NOW
        for wanted, minutes in moves:
            at_try = at + timedelta(minutes=minutes)
            before = db.session.get(Vehicle, vid, populate_existing=True).status
            try:
                if wanted == "close":
                    incidents.close_incident(
                        db.session, actor_id=ems.id, incident_id=case.id, now=at_try
                    )
                    assert before not in ASSIGNED
                    continue
                fleet.change_status(
                    db.session, actor_id=ems.id, vehicle_id=vid, wanted=wanted, at=at_try
                )
                assert wanted in TRANSITIONS[VehicleStatus(before)]
                at = max(at, at_try)
            except ValidationFailed:
                db.session.rollback()
            vehicle = db.session.get(Vehicle, vid, populate_existing=True)
            assert (vehicle.incident_id is not None) == (vehicle.status in ASSIGNED)
            for a in db.session.scalars(select(Assignment).where(Assignment.vehicle_id == vid)):
                stamped = [t for t in (getattr(a, n) for n in TIMELINE) if t is not None]
                assert stamped == sorted(stamped)


def test_the_index_sees_changes_made_by_another_process(any_app):
    """Another process changes vehicles through its own connection; this one catches up."""
    from sqlalchemy import create_engine, text

    with any_app.app_context():
        ids = make_fleet(3)
        nearest = fleet.recommend(
            db.session, lon=TIANANMEN[0], lat=TIANANMEN[1], k=1, speed_kmh=40, detour_factor=1.3
        )[0].vehicle_id
        other = create_engine(any_app.config["SQLALCHEMY_DATABASE_URI"])
        with other.begin() as conn:
            seq = conn.execute(
                text("SELECT COALESCE(MAX(change_seq), 0) + 1 FROM vehicles")
            ).scalar()
            conn.execute(
                text(
                    "UPDATE vehicles SET status = 'out_of_service', change_seq = :s WHERE id = :v"
                ),
                {"s": seq, "v": nearest},
            )
            conn.execute(
                text("UPDATE vehicles SET lon = :lon, lat = :lat, change_seq = :s WHERE id = :v"),
                {
                    "lon": TIANANMEN[0],
                    "lat": TIANANMEN[1],
                    "s": seq + 1,
                    "v": ids[-1] if ids[-1] != nearest else ids[0],
                },
            )
        other.dispose()
        db.session.commit()  # a new transaction sees the other connection's commit
        moved = ids[-1] if ids[-1] != nearest else ids[0]
        best = fleet.recommend(
            db.session, lon=TIANANMEN[0], lat=TIANANMEN[1], k=3, speed_kmh=40, detour_factor=1.3
        )
        assert nearest not in {r.vehicle_id for r in best}
        assert best[0].vehicle_id == moved and best[0].distance_m == 0
