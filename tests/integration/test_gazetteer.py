"""The gazetteer on both databases: a labelled table of queries (prefix, full text, full
pinyin, initials) ranks the expected place first among the demo places and 3,000
distractors; reverse lookup equals brute force by great-circle distance; a candidate from
an order's confirmed location becomes a place."""

import math
import random

import numpy
from sqlalchemy import select

from hotline.core.geo import EARTH_RADIUS_M, haversine_m
from hotline.database import utcnow, write_transaction
from hotline.demo.places import DEMO_PLACES
from hotline.models import WorkOrder
from hotline.models.places import Place, PlaceCandidate
from hotline.plugins import db
from hotline.services.places import candidates, gazetteer
from tests import factories

# (query, the place expected first, how it matches)
LABELLED = [
    ("工体北", "工体北路", "prefix"),
    ("三里屯", "三里屯太古里", "prefix"),
    ("北京协和", "北京协和医院", "prefix"),
    ("望京西园", "望京西园三区", "prefix"),
    ("新发地", "新发地农产品批发市场", "prefix (alias)"),
    ("中关村", "中关村大街", "prefix"),
    ("国贸", "国贸桥", "prefix (alias)"),
    ("北大", "北京大学", "prefix (alias)"),
    ("芳城园一区", "方庄芳城园一区", "full text"),
    ("批发市场", "新发地农产品批发市场", "full text"),
    ("枢纽站", "东直门公交枢纽站", "full text"),
    ("客运站", "六里桥长途客运站", "full text"),
    ("豁口路口", "新街口豁口路口", "full text"),
    ("游乐园", "石景山游乐园", "full text"),
    ("第三医院", "北京大学第三医院", "full text"),
    ("gongtibeilu", "工体北路", "pinyin"),
    ("zhongguancun", "中关村大街", "pinyin"),
    ("shichahai", "什刹海", "pinyin"),
    ("Gong Ti Bei", "工体北路", "pinyin"),
    ("gtbl", "工体北路", "initials"),
    ("cyyy", "北京朝阳医院", "initials"),
    ("wjxy", "望京西园三区", "initials"),
    ("hlgxdj", "回龙观西大街", "initials"),
    ("sjsyly", "石景山游乐园", "initials"),
    ("qh", "清华大学", "initials (alias)"),
    ("bjdx", "北京大学", "initials"),
]
POOL = "安平福康宁华兴盛源泰丰裕春秋梅兰竹菊松柏金玉明光景园"
SUFFIXES = ("小区", "路", "站", "大厦", "市场", "街", "里")


def _places(rng: random.Random) -> list:
    labelled = [
        {"name": n, "aliases": a, "kind": k, "lon": lon, "lat": lat, "district": d, "weight": 10}
        for n, a, k, lon, lat, d in DEMO_PLACES
    ]
    distractors = [
        {
            "name": "".join(rng.choice(POOL) for _ in range(rng.randint(2, 4)))
            + rng.choice(SUFFIXES)
            + str(i),
            "kind": rng.choice(["compound", "road", "bus_stop", "market"]),
            "lon": rng.uniform(116.1, 116.7),
            "lat": rng.uniform(39.7, 40.1),
            "district": "朝阳区",
            "weight": rng.randint(0, 9),
        }
        for i in range(3000)
    ]
    return gazetteer.rows_from(labelled + distractors)


def _brute_force(lons, lats, lon: float, lat: float) -> float:
    """The shortest great-circle distance to every place (core/geo.haversine_m, vectorized)."""
    p1, l1 = math.radians(lat), math.radians(lon)
    a = (
        numpy.sin((lats - p1) / 2) ** 2
        + math.cos(p1) * numpy.cos(lats) * numpy.sin((lons - l1) / 2) ** 2
    )
    return float((2 * EARTH_RADIUS_M * numpy.arcsin(numpy.minimum(1.0, numpy.sqrt(a)))).min())


def test_labelled_queries_and_reverse_lookup(any_app):
    rng = random.Random(16)
    with any_app.app_context():
        session = db.session
        rows = _places(rng)
        with write_transaction(session):
            gazetteer.add_many(session, rows, now=utcnow())
        wrong = []
        for query, expected, how in LABELLED:
            found = [s.name for s in gazetteer.suggest(session, query, k=5)]
            if not found or found[0] != expected:
                wrong.append((query, how, expected, found))
        assert len(LABELLED) >= 20 and wrong == []
        # The API's k and an unmatched query.
        assert len(gazetteer.suggest(session, "小区", k=3)) == 3
        assert gazetteer.suggest(session, "不存在的地名xyz") == []
        assert gazetteer.suggest(session, "  ·  ") == []

        lons = numpy.radians([r.lon for r in rows])
        lats = numpy.radians([r.lat for r in rows])
        checked = 0
        for _ in range(2000):
            lon, lat = rng.uniform(116.05, 116.75), rng.uniform(39.65, 40.15)
            got = gazetteer.nearest(session, lon, lat, radius_m=50_000)
            best = _brute_force(lons, lats, lon, lat)
            assert got is not None and abs(got.distance_m - best) < 1e-6, (lon, lat)
            assert haversine_m(lon, lat, got.place.lon, got.place.lat) == got.distance_m
            checked += 1
        assert checked == 2000
        # Far from every place: nothing within the radius.
        assert gazetteer.nearest(session, 100.0, 30.0) is None


def test_a_confirmed_location_becomes_a_candidate_then_a_place(any_app):
    with any_app.app_context():
        factories.order(address="工体北路8号院", lon="116.4440", lat="39.9335")
        factories.order(address="工体北路8号院", lon="116.4441", lat="39.9336")
        factories.order(address="", lon="116.4441", lat="39.9336")  # no address: none
        session = db.session
        waiting = candidates.waiting(session)
        assert [(c.address, c.orders, c.district) for c in waiting] == [
            ("工体北路8号院", 2, "朝阳区")
        ]
        order_ids = set(session.scalars(select(PlaceCandidate.order_id)))
        assert order_ids <= set(session.scalars(select(WorkOrder.id))) and len(order_ids) == 2
        admin = factories.user(factories.Role.SYSTEM_ADMIN)
        place_id = candidates.decide(
            session,
            candidate_id=waiting[0].candidate_id,
            accept=True,
            name="工体北路8号院",
            kind="compound",
            actor_id=admin.id,
            now=utcnow(),
        )
        place = session.get(Place, place_id)
        assert (place.source, place.kind, place.district) == ("order", "compound", "朝阳区")
        assert candidates.waiting(session) == []
        assert [s.name for s in gazetteer.suggest(session, "gtbl8hy")] == ["工体北路8号院"]


def test_the_nearest_search_ends_near_a_pole(app):
    from hotline.services.places import gazetteer

    with app.app_context():
        assert gazetteer.nearest(db.session, 116.4, 90.0) is None  # returns, finds nothing
