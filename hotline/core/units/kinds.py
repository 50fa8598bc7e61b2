"""Kinds of responsible bodies: what a category names as responsible, and a department is.

Product reference data (the admin pages offer these kinds); the demo seeding names its
departments after them.
"""

# kind -> name suffix of the district body ("朝阳区" + suffix).
DISTRICT_BODIES: dict[str, str] = {
    "urban_management": "城市管理委员会",
    "housing": "住房和城乡建设委员会",
    "market": "市场监督管理局",
    "environment": "生态环境局",
    "transport": "交通委员会",
    "water": "水务局",
    "hrss": "人力资源和社会保障局",
    "education": "教育委员会",
    "health": "卫生健康委员会",
    "civil_affairs": "民政局",
    "police": "公安分局",
    "government": "人民政府办公室",
}

# City-level bodies for citywide matters: kind -> name.
CITY_BODIES: dict[str, str] = {
    "subway": "北京市地铁运营有限公司",
    "water_utility": "北京市自来水集团",
    "heating_utility": "北京市热力集团",
    "gas_utility": "北京市燃气集团",
    "power_utility": "国网北京市电力公司",
}

# 属地: a category of this kind is handled by the 街乡镇 where the matter is (接诉即办).
STREET_KIND = "street_office"

# Every kind, district bodies first, in the order the admin pages offer them.
KINDS: tuple[str, ...] = (*DISTRICT_BODIES, *CITY_BODIES, STREET_KIND)

# A unit's place in the tree: a district or city body, a 街乡镇, or a sub-unit of either.
BODY, STREET, SUB_UNIT = "body", "street", "sub_unit"
LEVELS: tuple[str, ...] = (BODY, STREET, SUB_UNIT)
