"""The hotspot search (pure): grid neighbours against brute force, and the rule's limits."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from hotline.core.geo import haversine_m
from hotline.core.hotspots.clusters import Grid, Rule, Sighting, find, neighbours

T0 = datetime(2026, 11, 20, tzinfo=UTC)


def scatter(n: int, seed: int = 1) -> list[Sighting]:
    rng = random.Random(seed)
    return [
        Sighting(
            i,
            rng.uniform(116.38, 116.42),
            rng.uniform(39.89, 39.92),
            T0 + timedelta(hours=rng.uniform(0, 48)),
        )
        for i in range(n)
    ]


def test_grid_neighbours_are_exactly_the_brute_force_ones():
    points = scatter(1500)
    rule = Rule(min_orders=3, radius_m=250, window=timedelta(hours=12))
    grid = Grid(points, rule.radius_m)
    for point in points[:300]:
        fast = {p.order_id for p in neighbours(grid, point, rule)}
        brute = {
            p.order_id
            for p in points
            if abs(p.at - point.at) <= rule.window
            and haversine_m(point.lon, point.lat, p.lon, p.lat) <= rule.radius_m
        }
        assert fast == brute


def test_only_new_points_start_a_cluster_and_overlapping_groups_are_one():
    centre = (116.40, 39.90)
    close = [
        Sighting(i, centre[0] + i * 0.0002, centre[1], T0 + timedelta(hours=i)) for i in range(6)
    ]
    far = [Sighting(100, 116.50, 39.95, T0)]
    rule = Rule(min_orders=5, radius_m=300)
    assert find(close + far, [], rule) == []  # nothing new: nothing searched
    (cluster,) = find(close + far, [0, 5, 100], rule)
    assert cluster.members == frozenset(range(6))
    assert cluster.first_at == T0 and cluster.last_at == T0 + timedelta(hours=5)
    # Too few within the window: the same points spread over three days make no hotspot.
    spread = [Sighting(p.order_id, p.lon, p.lat, T0 + timedelta(days=p.order_id)) for p in close]
    assert find(spread, [0, 5], rule) == []


def test_a_rule_needs_two_orders_a_radius_and_a_window():
    for bad in ({"min_orders": 1}, {"radius_m": 0}, {"window": timedelta(0)}):
        with pytest.raises(ValueError):
            Rule(**bad)
