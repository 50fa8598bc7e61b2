"""The gazetteer's keys, ranking, import rules and reverse lookup's bound (no app)."""

import math
import random

from hotline.core.geo import haversine_m
from hotline.core.places import grid, importing, keys
from hotline.core.places.keys import Hit, MatchKind


def test_keys_hold_the_name_its_suffixes_pinyin_and_initials():
    found = keys.place_keys("工体北路", ["工体"])
    assert ("工体北路", MatchKind.PREFIX) in found
    assert ("工体", MatchKind.PREFIX) in found
    assert ("北路", MatchKind.TEXT) in found  # a word inside the name
    assert ("路", MatchKind.TEXT) not in found  # one character is no key
    assert ("gongtibeilu", MatchKind.PINYIN) in found
    assert ("gtbl", MatchKind.INITIALS) in found


def test_normalize_and_pinyin():
    assert keys.normalize(" ＳＯＨＯ 现代城·A座 ") == "soho现代城a座"
    assert keys.pinyin("3号院") == ("3haoyuan", "3hy")
    assert keys.pinyin("重庆银行") == ("chongqingyinhang", "cqyh")  # read by the phrase
    assert keys.pinyin("朝阳医院")[1] == "cyyy"  # Beijing's reading, not zhaoyang


def test_upper_bound_is_a_prefix_range():
    for prefix in ("gtbl", "工体"):
        high = keys.upper_bound(prefix)
        assert prefix < prefix + "\U0010ffff" < high
        assert not high.startswith(prefix)
    assert keys.upper_bound("gtbl") == "gtbm"
    assert keys.upper_bound("a\ud7ff") == "a\ue000"  # skips the surrogates


def test_ranking_prefix_then_text_then_pinyin_then_initials():
    hits = [
        Hit(1, "北工体", "road", 100, MatchKind.TEXT, False),
        Hit(2, "工体北路", "road", 0, MatchKind.PREFIX, False),
        Hit(3, "工体", "other", 0, MatchKind.PREFIX, True),
        Hit(4, "高田", "compound", 999, MatchKind.INITIALS, False),
        Hit(5, "工体东路", "road", 5, MatchKind.PREFIX, False),
        Hit(6, "工体西路", "bus_stop", 5, MatchKind.PREFIX, False),
    ]
    assert [h.place_id for h in sorted(hits, key=keys.rank_key)] == [3, 5, 6, 2, 1, 4]


def test_best_match_of_a_place_found_by_several_keys():
    found = [
        (7, "北路", MatchKind.TEXT),
        (7, "工体北路", MatchKind.PREFIX),
        (8, "gt", MatchKind.INITIALS),
    ]
    assert keys.best_matches(found, "工体北路") == {
        7: (MatchKind.PREFIX, True),
        8: (MatchKind.INITIALS, False),
    }


def test_query_kinds_skip_pinyin_for_chinese():
    assert keys.query_kinds("工体") == (MatchKind.PREFIX, MatchKind.TEXT)
    assert keys.query_kinds("gtbl") == tuple(MatchKind)


def test_import_reports_bad_rows_by_line():
    data = (
        "name,aliases,kind,lon,lat,district\n"
        "工体北路,,road,116.44,39.93,朝阳区\n"
        ",,road,116.44,39.93,朝阳区\n"
        "某小区,,castle,116.44,39.93,朝阳区\n"
        "某路口,,路口,abc,39.93,朝阳区\n"
        "\n"
        "协和医院,协和|东单协和,医院,116.417,39.913,东城区\n"
    ).encode("utf-8-sig")
    rows, problems = importing.read(data, "places.csv")
    assert [(p.line, p.code) for p in problems] == [
        (3, "required"),
        (4, "unknown_kind"),
        (5, "invalid_coordinates"),
    ]
    assert [(r.line, r.name, r.kind, r.aliases) for r in rows] == [
        (2, "工体北路", "road", ()),
        (7, "协和医院", "hospital", ("协和", "东单协和")),
    ]


def test_import_reads_geojson_points():
    data = (
        '{"type": "FeatureCollection", "features": ['
        '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [116.4, 39.9]},'
        ' "properties": {"name": "天安门", "kind": "other", "aliases": ["天安门城楼"]}},'
        '{"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[1, 2]]},'
        ' "properties": {"name": "线"}}]}'
    ).encode()
    rows, problems = importing.read(data, "x.geojson")
    assert [r.name for r in rows] == ["天安门"] and rows[0].aliases == ("天安门城楼",)
    assert [(p.line, p.code) for p in problems] == [(2, "invalid_coordinates")]


def test_the_way_out_of_a_square_is_a_lower_bound():
    rng = random.Random(5)
    for _ in range(2000):
        lon, lat = rng.uniform(115.5, 117.5), rng.uniform(39.4, 41.0)
        r = rng.randint(0, 4)
        x0, x1, y0, y1 = grid.square(lon, lat, r)
        bound = grid.way_out_m(lon, lat, r)
        # A point just outside the square, anywhere around it, is never nearer.
        ox = rng.choice([x0 - 0.001, x1 + 1.001, rng.uniform(x0, x1 + 1)])
        oy = rng.choice([y0 - 0.001, y1 + 1.001]) if x0 <= ox <= x1 + 1 else rng.uniform(y0, y1 + 1)
        outside = haversine_m(lon, lat, ox * grid.CELL, oy * grid.CELL)
        assert outside >= bound * (1 - 1e-9)
        assert math.isfinite(bound) and bound >= 0
