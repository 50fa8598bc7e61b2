"""Routing on the real Beijing district polygons."""

from pathlib import Path

import pytest

from hotline.core.geo import JurisdictionIndex, haversine_m, load_geojson
from hotline.core.orders.routing import DepartmentDirectory, DepartmentRef, RuleRef

BEIJING = Path(__file__).resolve().parents[2] / "gis_data" / "beijing_districts.geojson"


@pytest.fixture(scope="module")
def index():
    return JurisdictionIndex(load_geojson(BEIJING))


def test_sixteen_districts(index):
    assert len(index) == 16
    assert {j.name for j in index.jurisdictions} >= {"东城区", "海淀区", "延庆区", "平谷区"}


def test_every_district_contains_its_own_interior(index):
    for jurisdiction in index.jurisdictions:
        point = jurisdiction.geometry.representative_point()
        assert index.locate(point.x, point.y).code == jurisdiction.code


@pytest.mark.parametrize(
    "lon, lat, district",
    [
        (116.3975, 39.9087, "东城区"),  # Tiananmen
        (116.4108, 39.8822, "东城区"),  # Temple of Heaven
        (116.3964, 39.9929, "朝阳区"),  # Bird's Nest
        (116.2755, 39.9999, "海淀区"),  # Summer Palace
        (116.3105, 39.9834, "海淀区"),  # Zhongguancun
        (116.1675, 39.9149, "石景山区"),  # Shougang Park
        (116.0160, 40.3560, "延庆区"),  # Badaling Great Wall
        (116.5630, 40.4320, "怀柔区"),  # Mutianyu Great Wall
    ],
)
def test_landmarks(index, lon, lat, district):
    assert index.locate(lon, lat).name == district


@pytest.mark.parametrize(
    "lon, lat",
    [
        (117.2000, 39.1300),  # Tianjin
        (121.4700, 31.2300),  # Shanghai
        (114.8800, 40.7700),  # Zhangjiakou
        (115.4600, 38.8700),  # Baoding
        (116.8200, 39.9500),  # Yanjiao, Sanhe (Hebei), enclosed by Beijing's districts
        (0.0, 0.0),
    ],
)
def test_points_outside_the_city(index, lon, lat):
    assert index.locate(lon, lat) is None


def test_haversine_one_degree_of_latitude():
    assert haversine_m(116.0, 39.0, 116.0, 40.0) == pytest.approx(111_195, rel=1e-3)


DEPARTMENTS = [
    DepartmentRef(1, "东城区城市管理委员会", "urban_management", "110101"),
    DepartmentRef(2, "朝阳区城市管理委员会", "urban_management", "110105"),
    DepartmentRef(3, "北京市热力集团", "heating_utility", None),
    DepartmentRef(4, "东城区人民政府办公室", "government", "110101"),
]


def test_district_kind_routing():
    directory = DepartmentDirectory(DEPARTMENTS, [])
    decision = directory.route("0401", "urban_management", "110105")
    assert decision.department.id == 2 and decision.reason == "district_kind"


def test_city_level_bodies_need_no_location():
    directory = DepartmentDirectory(DEPARTMENTS, [])
    decision = directory.route("0301", "heating_utility", None)
    assert decision.department.id == 3 and decision.reason == "city_level_kind"


def test_no_location_or_no_department_goes_to_manual_triage():
    directory = DepartmentDirectory(DEPARTMENTS, [])
    assert directory.route("0401", "urban_management", None).department is None
    assert directory.route("0401", "urban_management", "110119").reason == "no_department"
    assert directory.route("9999", None, "110101").reason == "no_category_kind"


def test_explicit_rules_win_most_specific_first():
    rules = [RuleRef("0401", None, 4), RuleRef("0401", "110105", 1)]
    directory = DepartmentDirectory(DEPARTMENTS, rules)
    assert directory.route("0401", "urban_management", "110105").department.id == 1
    assert directory.route("0401", "urban_management", "110101").department.id == 4
    assert directory.route("0401", "urban_management", None).reason == "explicit_rule_city"


def test_the_grid_agrees_with_the_tree_everywhere(index):
    import random

    rng = random.Random(7)
    min_x, min_y, max_x, max_y = index.bounds()
    points = [
        (rng.uniform(min_x - 0.1, max_x + 0.1), rng.uniform(min_y - 0.1, max_y + 0.1))
        for _ in range(5000)
    ]
    # Points exactly on the borders: every 50th vertex of every polygon.
    for jurisdiction in index.jurisdictions:
        for polygon in getattr(jurisdiction.geometry, "geoms", [jurisdiction.geometry]):
            points += list(polygon.exterior.coords)[::50]
    points += [(min_x, min_y), (max_x, max_y), (max_x, min_y)]
    for lon, lat in points:
        assert index.locate(lon, lat) == index.locate_exhaustive(lon, lat), (lon, lat)
