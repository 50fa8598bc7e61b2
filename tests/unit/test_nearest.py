"""The nearest-vehicle index against a brute-force haversine ranking."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.core.ems.nearest import FleetIndex, VehiclePoint, estimated_minutes
from hotline.core.geo import haversine_m

BEIJING = (116.4, 39.9)


def fleet(rng: random.Random, n: int, spread: float = 0.5, share_available: float = 0.6):
    return [
        VehiclePoint(
            i,
            BEIJING[0] + rng.uniform(-spread, spread),
            BEIJING[1] + rng.uniform(-spread, spread),
            rng.random() < share_available,
        )
        for i in range(1, n + 1)
    ]


def brute(vehicles, lon, lat, k):
    ranked = sorted(
        (haversine_m(lon, lat, v.lon, v.lat), v.vehicle_id) for v in vehicles if v.available
    )
    return ranked[:k]


def assert_same_ranking(index, vehicles, lon, lat, k):
    got = index.nearest(lon, lat, k)
    expected = brute(vehicles, lon, lat, k)
    assert len(got) == len(expected)
    available = {v.vehicle_id for v in vehicles if v.available}
    assert all(g.vehicle_id in available for g in got)
    for g, (distance, _) in zip(got, expected, strict=True):
        assert g.distance_m == pytest.approx(distance, abs=1e-6)
    assert [g.distance_m for g in got] == sorted(g.distance_m for g in got)


@pytest.mark.parametrize("n", [1, 2, 7, 100, 1000, 10000])
def test_matches_brute_force_for_fleets_of_every_size(n):
    rng = random.Random(n)
    vehicles = fleet(rng, n)
    index = FleetIndex(vehicles)
    for _ in range(30):
        lon, lat = BEIJING[0] + rng.uniform(-0.6, 0.6), BEIJING[1] + rng.uniform(-0.6, 0.6)
        for k in (1, 3, 10):
            assert_same_ranking(index, vehicles, lon, lat, k)


def test_ties_and_a_vehicle_exactly_at_the_point():
    # Four vehicles on a circle around the point, one on it, one busy on it too.
    lon, lat = BEIJING
    vehicles = [
        VehiclePoint(1, lon + 0.01, lat, True), VehiclePoint(2, lon - 0.01, lat, True),
        VehiclePoint(3, lon, lat + 0.01, True), VehiclePoint(4, lon, lat - 0.01, True),
        VehiclePoint(5, lon, lat, True), VehiclePoint(6, lon, lat, False),
        VehiclePoint(7, lon + 0.01, lat, True),  # same place as 1: an exact tie
    ]  # fmt: skip
    index = FleetIndex(vehicles)
    got = index.nearest(lon, lat, 3)
    assert got[0].vehicle_id == 5 and got[0].distance_m == 0
    # 1, 2 and 7 are equally far (2 mirrors 1; 7 shares 1's place): any two of them.
    assert {g.vehicle_id for g in got[1:]} <= {1, 2, 7}
    assert got[1].distance_m == pytest.approx(got[2].distance_m, abs=1e-6)
    assert index.nearest(lon + 0.02, lat, 2)[0].vehicle_id == 1  # exact tie 1/7: lower id
    assert_same_ranking(index, vehicles, lon, lat, 6)


def test_busy_and_out_of_service_are_never_recommended():
    rng = random.Random(7)
    vehicles = fleet(rng, 500, share_available=0.05)
    index = FleetIndex(vehicles)
    busy = {v.vehicle_id for v in vehicles if not v.available}
    for _ in range(20):
        got = index.nearest(BEIJING[0] + rng.uniform(-0.5, 0.5), BEIJING[1], 10)
        assert not busy & {g.vehicle_id for g in got}
    assert FleetIndex([]).nearest(*BEIJING) == []
    assert FleetIndex([VehiclePoint(1, *BEIJING, False)]).nearest(*BEIJING) == []


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_status_changes_and_moves_follow_without_a_rebuild(data):
    rng = random.Random(data.draw(st.integers(0, 10**6)))
    vehicles = {v.vehicle_id: v for v in fleet(rng, 300)}
    index = FleetIndex(vehicles.values())
    for _ in range(data.draw(st.integers(1, 150))):
        vid = rng.randint(1, 320)
        if vid > 300 or rng.random() < 0.5:  # a move, or a vehicle joining the fleet
            lon, lat = BEIJING[0] + rng.uniform(-0.5, 0.5), BEIJING[1] + rng.uniform(-0.5, 0.5)
            available = rng.random() < 0.6
            vehicles[vid] = VehiclePoint(vid, lon, lat, available)
            index.move(vid, lon, lat, available)
        else:
            old = vehicles[vid]
            vehicles[vid] = VehiclePoint(vid, old.lon, old.lat, not old.available)
            index.set_available(vid, not old.available)
    lon, lat = BEIJING[0] + rng.uniform(-0.5, 0.5), BEIJING[1] + rng.uniform(-0.5, 0.5)
    assert_same_ranking(index, list(vehicles.values()), lon, lat, 5)


def test_removal_and_unknown_vehicles():
    index = FleetIndex([VehiclePoint(1, *BEIJING, True), VehiclePoint(2, 116.5, 39.9, True)])
    index.remove(1)
    assert [g.vehicle_id for g in index.nearest(*BEIJING, 3)] == [2]
    with pytest.raises(KeyError):
        index.set_available(1, True)


def test_estimated_minutes():
    # 10 km as the crow flies, 1.3 detour, 40 km/h: 19.5 minutes.
    assert estimated_minutes(10_000, 40, 1.3) == pytest.approx(19.5)
    with pytest.raises(ValueError):
        estimated_minutes(1000, 0, 1.3)


@pytest.mark.parametrize(
    ("query", "k"),
    [((121.47, 31.23), 3), ((116.4, 39.9), 10), ((116.40, 41.5), 5), ((60.0, 10.0), 2)],
)
def test_far_queries_lattices_and_clusters(query, k):
    # A lattice with exact ties on the cell edges, a dense cluster on one spot, and a few
    # vehicles far away; queries inside, at the edge of and far outside the fleet.
    vehicles = [
        VehiclePoint(i * 100 + j, 116.0 + i * 0.01, 39.6 + j * 0.01, (i + j) % 3 != 0)
        for i in range(60)
        for j in range(60)
    ]
    vehicles += [VehiclePoint(10**6 + n, 116.3, 39.95, True) for n in range(300)]
    vehicles += [
        VehiclePoint(2 * 10**6, 121.0, 31.0, True),
        VehiclePoint(2 * 10**6 + 1, 87.6, 43.8, True),
    ]
    index = FleetIndex(vehicles)
    assert_same_ranking(index, vehicles, *query, k)
    for lon, lat in [(116.0 + 0.01 * 7, 39.6 + 0.01 * 9), (116.3, 39.95), (115.0, 39.0)]:
        assert_same_ranking(index, vehicles, lon, lat, k)
