"""The map's change-only vehicle feed: /api/v1/map/vehicles.geojson?since=<version> carries
exactly the vehicles changed since, the version advances, a bad `since` is refused or
answered with the full fleet (never a 500), and the order of change numbers it relies on."""

from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from hotline.core.accounts.roles import Role
from hotline.core.ems.vehicles import VehicleStatus
from hotline.models import Vehicle
from hotline.plugins import db
from hotline.services.ems import fleet, terminals
from hotline.services.ems.change import FLEET_SEQUENCE
from hotline.services.numbering import next_in_sequence
from tests import factories
from tests.conftest import Browser, make_app, postgres_url_or_skip, reset_postgres

FEED = "/api/v1/map/vehicles.geojson"


def _dispatcher(app) -> Browser:
    with app.app_context():
        username = factories.user(Role.EMS_DISPATCHER).username
    browser = Browser(app)
    assert browser.login(username).status_code == 302
    return browser


def _by_id(feed: dict) -> dict[int, tuple]:
    return {
        f["properties"]["id"]: (
            tuple(f["geometry"]["coordinates"]),
            f["properties"]["status"],
            f["properties"]["name"],
        )
        for f in feed["features"]
    }


def test_the_delta_holds_exactly_the_changed_vehicles_and_the_version_advances(any_app):
    with any_app.app_context():
        ids = factories.ambulances(20)
    dispatcher = _dispatcher(any_app)
    first = dispatcher.get(FEED)
    assert first.mimetype == "application/geo+json"
    full = first.get_json()
    assert full["full"] is True and len(full["features"]) == 20
    version = full["version"]

    moved, stopped = ids[:3], ids[5]
    with any_app.app_context():
        for n, vehicle_id in enumerate(moved):  # GPS fixes from the terminals
            terminals.record_position(
                db.session,
                vehicle_id=vehicle_id,
                lon=116.3 + n / 100,
                lat=39.95,
                at=factories.NOW + timedelta(minutes=n + 1),
            )
        fleet.change_status(
            db.session,
            actor_id=None,
            vehicle_id=stopped,
            wanted=VehicleStatus.OUT_OF_SERVICE,
            at=factories.NOW,
        )
    delta = dispatcher.get(FEED, query_string={"since": version}).get_json()
    assert delta["full"] is False
    assert sorted(_by_id(delta)) == sorted([*moved, stopped])
    assert delta["version"] > version
    assert _by_id(delta)[moved[1]][0] == (116.31, 39.95)
    assert _by_id(delta)[stopped][1] == "out_of_service"

    # The full fleet with the delta applied is the fleet now, at the same version.
    now = dispatcher.get(FEED).get_json()
    assert {**_by_id(full), **_by_id(delta)} == _by_id(now)
    assert now["version"] == delta["version"]
    # Nothing changed since: no vehicle, the same version.
    quiet = dispatcher.get(FEED, query_string={"since": delta["version"]}).get_json()
    assert quiet == {"type": "FeatureCollection", "version": delta["version"], "full": False,
                     "features": []}  # fmt: skip
    # An older GPS fix does not move the vehicle and is not a change for the map.
    with any_app.app_context():
        terminals.record_position(
            db.session, vehicle_id=moved[0], lon=116.5, lat=39.9, at=factories.NOW
        )
    stale = dispatcher.get(FEED, query_string={"since": delta["version"]}).get_json()
    assert stale["features"] == []


def test_a_bad_since_is_refused_or_answered_in_full(any_app):
    with any_app.app_context():
        ids = factories.ambulances(3)
        vehicle = db.session.get(Vehicle, ids[0])
        vehicle.call_sign = "<b>x</b>&"  # text from the database stays text
        db.session.commit()
    dispatcher = _dispatcher(any_app)
    version = dispatcher.get(FEED).get_json()["version"]
    for since in ("abc", "-1", "1.5", "", " 1", "١٢", "1e3", "9" * 19, "0x10"):
        response = dispatcher.get(FEED, query_string={"since": since})
        assert response.status_code == 400, since
        assert "since" in response.get_json()["errors"], since
    # Larger than any version given (a restored database, a stale tab): the full fleet.
    for since in (version + 1, 10**17):
        response = dispatcher.get(FEED, query_string={"since": since})
        assert response.status_code == 200
        assert response.get_json()["full"] is True
        assert len(response.get_json()["features"]) == 3
        raw = response.get_data(as_text=True)
        assert "<b>" not in raw and "&" not in raw
        assert "<b>x</b>&" in {f["properties"]["name"] for f in response.get_json()["features"]}
    assert dispatcher.get(FEED, query_string={"since": 0}).get_json()["full"] is False


def test_the_changes_keep_the_maps_permission(app, make, login):
    make(factories.ambulances, 2)
    department = login(make(factories.user, Role.DEPARTMENT, "东城区城市管理委员会"))
    assert department.get(FEED, query_string={"since": 0}).status_code == 403
    assert department.get(FEED, query_string={"since": "x"}).status_code == 403
    anonymous = app.test_client().get(FEED, query_string={"since": 0})
    assert anonymous.status_code in (302, 401)
    assert "features" not in anonymous.get_data(as_text=True)


@pytest.mark.postgres
def test_change_numbers_are_taken_one_transaction_at_a_time_on_postgresql(tmp_path):
    """What the feed's version relies on: while a transaction holds a change number, the
    next one cannot be taken (the counter row stays locked until commit), so numbers
    become visible in increasing order and a reader never misses a lower one. (SQLite has
    one writer at a time.)"""
    url = postgres_url_or_skip()
    reset_postgres(url)
    with make_app(url, tmp_path / "instance").app_context():
        db.engine.dispose()
    engine = create_engine(url)
    with Session(engine) as first, Session(engine) as second:
        taken = next_in_sequence(first, FLEET_SEQUENCE)
        first.commit()
        held = next_in_sequence(first, FLEET_SEQUENCE)
        assert held == taken + 1
        second.execute(text("SET LOCAL lock_timeout = '200ms'"))
        with pytest.raises(OperationalError, match="lock timeout"):
            next_in_sequence(second, FLEET_SEQUENCE)
        second.rollback()
        first.commit()
        assert next_in_sequence(second, FLEET_SEQUENCE) == held + 1
        second.commit()
    engine.dispose()


def test_a_renamed_vehicle_reaches_open_maps(app):
    from hotline.services.ems import resources

    with app.app_context():
        first, *_ = factories.ambulances(3)
        station_id = db.session.get(Vehicle, first).station_id
    dispatcher = _dispatcher(app)
    version = dispatcher.get(FEED).get_json()["version"]
    with app.app_context():
        resources.save_vehicle(
            db.session,
            vehicle_id=first,
            call_sign="京A-120改（合成）",
            station_id=station_id,
            now=factories.NOW,
        )
    delta = dispatcher.get(f"{FEED}?since={version}").get_json()
    assert [f["properties"]["name"] for f in delta["features"]] == ["京A-120改（合成）"]
