"""Address parsing on the official Beijing list: 0 wrong 街乡镇, at least 90% found.

Each expected 街乡镇 is one the text names (by full name, or by its stem where the place is
the unit); the test checks each expected code against gis_data/beijing_streets.csv.
"""

import csv
from pathlib import Path

import pytest

from hotline.core.units.address import AddressParser, Division
from hotline.services.units.divisions import load_divisions

GIS = Path(__file__).resolve().parents[2] / "gis_data"

# (address as typed, expected district code or None, expected 街乡镇 code or None).
# A None district means the text names none (and no 街乡镇 gives it away).
CASES: list[tuple[str, str | None, str | None]] = [
    # Full names, with the district, with and without 北京市.
    ("北京市朝阳区三里屯街道工体北路8号院", "110105", "110105004"),
    ("朝阳区望京街道望京西园222号楼", "110105", "110105026"),
    ("东城区朝阳门街道朝阳门北小街", "110101", "110101007"),
    ("北京市东城区东华门街道", "110101", "110101001"),
    ("东城区建国门街道", "110101", "110101008"),
    ("东城区永定门外街道", "110101", "110101017"),
    ("东城区体育馆路街道", "110101", "110101015"),
    ("西城区金融街街道", "110102", "110102011"),
    ("海淀区学院路街道", "110108", "110108010"),
    ("海淀区中关村街道", "110108", "110108011"),
    ("海淀区八里庄街道", "110108", "110108005"),
    ("丰台区丰台街道", "110106", "110106009"),
    ("丰台区北宫镇", "110106", "110106100"),
    ("房山区东风街道", "110111", "110111005"),
    ("石景山区八宝山街道", "110107", "110107001"),
    ("昌平区天通苑北街道", "110114", "110114008"),
    ("大兴区观音寺街道", "110115", "110115009"),
    ("密云区密云镇", "110118", "110118100"),
    ("密云区果园街道", "110118", "110118002"),
    ("顺义区光明街道", "110113", "110113002"),
    ("顺义区张镇", "110113", "110113110"),
    ("平谷区大兴庄镇", "110117", "110117111"),
    ("怀柔区喇叭沟门满族乡", "110116", "110116213"),
    ("通州区于家务回族乡", "110112", "110112209"),
    ("房山区霞云岭乡", "110111", "110111208"),
    # Full names without a district: the unit gives the district.
    ("朝阳门街道", "110101", "110101007"),
    ("南磨房地区", "110105", "110105021"),
    # Without the suffix (the stem), with the district.
    ("朝阳区双井富力城", "110105", "110105016"),
    ("朝阳区劲松七区", "110105", "110105017"),
    ("朝阳区潘家园旧货市场", "110105", "110105018"),
    ("朝阳区垡头", "110105", "110105019"),
    ("朝阳区太阳宫", "110105", "110105024"),
    ("朝阳区十八里店", "110105", "110105028"),
    ("朝阳区常营", "110105", "110105033"),
    ("朝阳区金盏乡", "110105", "110105036"),
    ("朝阳区崔各庄大望京村", "110105", "110105038"),
    ("朝阳区黑庄户", "110105", "110105040"),
    ("朝阳区东风", "110105", "110105030"),
    ("朝阳区八里庄", "110105", "110105015"),
    ("朝阳区酒仙桥", "110105", "110105011"),
    ("朝阳区团结湖", "110105", "110105013"),
    ("朝阳区建外SOHO", "110105", "110105001"),
    ("东城区东四", "110101", "110101006"),
    ("东城区和平里", "110101", "110101010"),
    ("东城区交道口", "110101", "110101003"),
    ("东城区龙潭", "110101", "110101014"),
    ("西城区什刹海", "110102", "110102012"),
    ("西城区大栅栏", "110102", "110102013"),
    ("西城区陶然亭", "110102", "110102016"),
    ("西城区新街口", "110102", "110102003"),
    ("西城区月坛", "110102", "110102007"),
    ("海淀区西三旗", "110108", "110108019"),
    ("海淀区马连洼", "110108", "110108020"),
    ("海淀区紫竹院公园", "110108", "110108006"),
    ("海淀区清华园", "110108", "110108014"),
    ("海淀区温泉镇", "110108", "110108026"),
    ("海淀区苏家坨", "110108", "110108029"),
    ("丰台区方庄", "110106", "110106013"),
    ("丰台区马家堡", "110106", "110106015"),
    ("丰台区长辛店", "110106", "110106011"),
    ("石景山区古城", "110107", "110107004"),
    ("石景山区苹果园", "110107", "110107005"),
    ("石景山区鲁谷", "110107", "110107011"),
    ("门头沟区潭柘寺", "110109", "110109101"),
    ("门头沟区龙泉", "110109", "110109007"),
    ("房山区良乡", "110111", "110111008"),
    ("房山区周口店", "110111", "110111009"),
    ("房山区十渡", "110111", "110111111"),
    ("通州区宋庄", "110112", "110112104"),
    ("通州区马驹桥", "110112", "110112109"),
    ("通州区北苑", "110112", "110112003"),
    ("顺义区后沙峪", "110113", "110113004"),
    ("顺义区杨镇", "110113", "110113006"),
    ("昌平区回龙观", "110114", "110114011"),
    ("昌平区沙河镇", "110114", "110114004"),
    ("昌平区北七家", "110114", "110114115"),
    ("大兴区黄村", "110115", "110115005"),
    ("大兴区西红门", "110115", "110115007"),
    ("大兴区亦庄镇", "110115", "110115004"),
    ("大兴区庞各庄", "110115", "110115108"),
    ("怀柔区雁栖镇", "110116", "110116004"),
    ("怀柔区喇叭沟门", "110116", "110116213"),
    ("平谷区金海湖", "110117", "110117006"),
    ("密云区古北口", "110118", "110118111"),
    ("延庆区八达岭", "110119", "110119102"),
    # District by its stem only, or by an old name.
    ("朝阳双井", "110105", "110105016"),
    ("北京昌平回龙观", "110114", "110114011"),
    ("通州北苑", "110112", "110112003"),
    ("宣武区白纸坊", "110102", "110102019"),
    ("崇文区天坛", "110101", "110101016"),
    ("延庆县永宁镇", "110119", "110119103"),
    # Distinctive stems without the district.
    ("望京", "110105", "110105026"),
    ("回龙观镇", "110114", "110114011"),
    ("南磨房乡", "110105", "110105021"),
    # Spaces, full-width digits and spaces, typos in the district.
    ("北京市 朝阳区 双井", "110105", "110105016"),
    ("朝阳区\u3000双井\u3000街道", "110105", "110105016"),
    ("海淀区中关村大街２７号", "110108", None),
    ("朝杨区双井", "110105", "110105016"),
    ("（朝阳区）望京", "110105", "110105026"),
    # Roads, lanes, bridges, gates and compounds: no 街乡镇 named.
    ("海淀区中关村大街27号", "110108", None),
    ("朝阳区三里屯路19号", "110105", None),
    ("东城区东四十条", "110101", None),
    ("朝阳区东四环中路", "110105", None),
    ("东城区朝阳门北大街", "110101", None),
    ("朝阳区朝阳门外大街", "110105", None),
    ("朝阳门外大街", None, None),
    ("朝阳北路", None, None),
    ("海淀区北宫门", "110108", None),
    ("西城区太平桥大街", "110102", None),
    ("西城区鼓楼西大街", "110102", None),
    ("门头沟区永定河", "110109", None),
    ("海淀区海淀黄庄", "110108", None),
    ("海淀黄庄", "110108", None),
    ("昌平区天通苑", "110114", None),
    ("海淀区上地十街10号", "110108", None),
    ("朝阳区将台路", "110105", None),
    # Another district's unit, or a common word: unknown, never a guess.
    ("朝阳区北苑家园", "110105", None),
    ("东城区光明楼", "110101", None),
    ("海淀区三里屯", "110108", None),
    ("八里庄街道", None, None),
    ("八里庄", None, None),
    ("东风乡", None, None),
    ("北苑家园", None, None),
    ("大望京村", None, None),
    ("中关村", None, None),
    ("天坛医院", None, None),
    ("河北省廊坊市", None, None),
    ("高碑店市", None, None),
    ("果园", None, None),
    # Special zones are not 街乡镇.
    ("北京经济技术开发区", None, None),
    ("大兴区北京经济技术开发区科创十三街", "110115", None),
    ("大兴国际机场", "110115", None),
    ("中关村科技园区密云园", None, None),
    ("亦庄", None, None),
]


@pytest.fixture(scope="module")
def divisions() -> tuple[list[Division], list[Division]]:
    """The official list, loaded once."""
    return load_divisions(GIS)


@pytest.fixture(scope="module")
def parser(divisions: tuple[list[Division], list[Division]]) -> AddressParser:
    """One parser over the official list."""
    return AddressParser(*divisions)


def _special_zones() -> list[dict[str, str]]:
    """The CSV's special-zone rows (development zones, the airport)."""
    with (GIS / "beijing_streets.csv").open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["level"] == "special_zone"]


def test_load_divisions(divisions: tuple[list[Division], list[Division]]) -> None:
    """16 districts and 343 街乡镇, each under a known district, no special zone."""
    districts, streets = divisions
    assert len(districts) == 16 and len(streets) == 343
    codes = {d.code for d in districts}
    assert all(s.parent_code in codes and s.code.startswith(s.parent_code) for s in streets)
    zone_codes = {row["code"] for row in _special_zones()}
    assert len(zone_codes) == 6 and not zone_codes & {s.code for s in streets}


def test_expected_values_are_on_the_official_list(
    divisions: tuple[list[Division], list[Division]],
) -> None:
    """Every expected 街乡镇 exists under the expected district."""
    districts, streets = divisions
    parent = {s.code: s.parent_code for s in streets}
    codes = {d.code for d in districts}
    assert len(CASES) >= 80
    assert len({text for text, _, _ in CASES}) == len(CASES)
    for text, district, street in CASES:
        assert district is None or district in codes, text
        if street is not None:
            assert parent.get(street) == district, text


def test_address_table(parser: AddressParser) -> None:
    """0 wrong 街乡镇, >= 90% found where the text names one; figures printed."""
    wrong, found, named, district_wrong = [], 0, 0, []
    for text, district, street in CASES:
        got = parser.locate(text)
        assert 0.0 <= got.confidence <= 1.0
        if street is not None:
            named += 1
            found += got.street_code == street
        if got.street_code is not None and got.street_code != street:
            wrong.append((text, street, got.street_code))
        if got.district_code != district:
            district_wrong.append((text, district, got.district_code))
    rate = found / named
    print(
        f"\naddress table: {len(CASES)} addresses, {named} name a 街乡镇: found {found} "
        f"({rate:.1%}), wrong {len(wrong)}, district differs {len(district_wrong)}"
    )
    assert wrong == []
    assert district_wrong == []
    assert rate >= 0.9


def test_every_unit_by_its_full_name(
    parser: AddressParser, divisions: tuple[list[Division], list[Division]]
) -> None:
    """Each of the 343 units, written with its district, is found exactly and surely."""
    districts, streets = divisions
    district_name = {d.code: d.name for d in districts}
    misses = []
    for street in streets:
        got = parser.locate(f"{district_name[street.parent_code or '']}{street.name}1号")
        exact = (got.district_code, got.street_code) == (street.parent_code, street.code)
        if not exact or got.confidence < 0.9:
            misses.append((street.name, got))
    print(f"\nfull names with their district: {len(streets) - len(misses)}/{len(streets)} exact")
    assert misses == []


def test_special_zones_are_never_returned(
    parser: AddressParser, divisions: tuple[list[Division], list[Division]]
) -> None:
    """A special zone's name, alone or after its district, gives no 街乡镇."""
    districts, _ = divisions
    district_name = {d.code: d.name for d in districts}
    for row in _special_zones():
        for text in (row["name"], f"{district_name[row['district_code']]}{row['name']}1号"):
            assert parser.locate(text).street_code is None, text


def test_nothing_named(parser: AddressParser) -> None:
    """Empty or foreign text is unknown with no confidence."""
    for text in ("", "   ", "上海市浦东新区", "12345"):
        got = parser.locate(text)
        assert (got.district_code, got.street_code, got.confidence) == (None, None, 0.0)
