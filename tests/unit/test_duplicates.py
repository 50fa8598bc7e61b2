"""Duplicate candidates (并单): distance, time window, category relation, words; and the
precision and recall on labelled pairs of generated orders."""

from datetime import UTC, datetime, timedelta

from hotline.core.geo import haversine_m
from hotline.core.orders.duplicates import (
    Matter,
    Thresholds,
    bounding_box,
    candidates,
    cosine,
)
from tests.duplicate_pairs import generate

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
CATEGORY_PARENT = {1: 10, 2: 10, 3: 20}


def matter(key, text, *, category=1, lon=116.4, lat=39.9, hours=0.0) -> Matter:
    return Matter(
        key, category, CATEGORY_PARENT[category], lon, lat, T0 + timedelta(hours=hours), text
    )


def test_same_matter_nearby_is_a_candidate_with_its_distance_in_metres():
    new = matter(0, "幸福路小区门口井盖丢失，很危险")
    other = matter(7, "幸福路井盖丢失了，有人差点掉下去", lat=39.9003, hours=2)
    (found,) = candidates(new, [other])
    assert found.key == 7
    assert abs(found.distance_m - haversine_m(116.4, 39.9, 116.4, 39.9003)) < 0.1
    assert 33 < found.distance_m < 34
    assert found.hours_apart == 2 and not found.related_only and 0 < found.score <= 1


def test_radius_window_and_category_are_limits():
    new = matter(0, "井盖丢失")
    far = matter(1, "井盖丢失", lat=39.9 + 300 / 111_195)  # ~300 m
    late = matter(2, "井盖丢失", hours=100)
    unrelated = matter(3, "井盖丢失", category=3)
    assert candidates(new, [far, late, unrelated]) == []
    wide = Thresholds(radius_m=500, window_hours=200)
    assert {c.key for c in candidates(new, [far, late, unrelated], wide)} == {1, 2}


def test_a_sibling_category_is_related_but_needs_more_alike_words():
    new = matter(0, "井盖丢失很危险")
    sibling = matter(1, "井盖丢失很危险", category=2)
    (found,) = candidates(new, [sibling])
    assert found.related_only
    assert candidates(new, [matter(2, "井盖松动有响声", category=2)]) == []


def test_other_words_are_not_a_candidate_and_the_order_is_not_its_own():
    new = matter(5, "楼下餐馆油烟扰民")
    assert candidates(new, [matter(5, "楼下餐馆油烟扰民"), matter(6, "路灯不亮")]) == []


def test_bounding_box_holds_the_circle():
    lon, lat, r = 116.4, 39.9, 500
    min_lon, min_lat, max_lon, max_lat = bounding_box(lon, lat, r)
    assert haversine_m(lon, lat, max_lon, lat) >= r and haversine_m(lon, lat, lon, max_lat) >= r
    assert haversine_m(lon, lat, min_lon, lat) >= r and haversine_m(lon, lat, lon, min_lat) >= r
    assert haversine_m(lon, lat, max_lon, lat) < r * 1.01


def test_cosine_of_nothing_is_zero():
    assert cosine({}, {"a": 1.0}) == 0.0
    assert abs(cosine({"a": 1.0}, {"a": 2.0}) - 1.0) < 1e-9


def test_labelled_pairs_precision_and_recall_at_the_default_thresholds():
    parents = {"roads": 100, "water": 200, "environment": 300}
    codes: dict[str, int] = {}
    orders = generate(400)
    matters = [
        Matter(
            o.key,
            codes.setdefault(o.category, len(codes) + 1),
            parents[o.parent],
            o.lon,
            o.lat,
            o.at,
            o.text,
        )
        for o in orders
    ]
    incident = {o.key: o.incident for o in orders}
    true_positive = predicted = actual = 0
    for m in matters:
        found = {c.key for c in candidates(m, matters, limit=50)}
        same = {o.key for o in orders if o.incident == incident[m.key] and o.key != m.key}
        predicted += len(found)
        actual += len(same)
        true_positive += len(found & same)
    precision, recall = true_positive / predicted, true_positive / actual
    print(
        f"\nduplicates: {actual} same-matter pairs, precision {precision:.3f}, recall {recall:.3f}"
    )
    assert precision >= 0.9
    assert recall >= 0.45
