"""Generated orders with known matters, for the duplicates' labelled pairs and the bench.

An incident is one matter at one place (a missing manhole cover on a street); it brings
one to four calls in its first hours, each worded differently. Background orders of the
same categories lie around, some close by with another matter of the same category (the
hard cases: a manhole cover that rattles next to one that is missing).
"""

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

# category code -> (parent code, {matter: [ways a caller says it]})
MATTERS: dict[str, tuple[str, dict[str, list[str]]]] = {
    "manhole": (
        "roads",
        {
            "missing": ["井盖丢失，很危险", "井盖丢失了，有人差点掉下去", "井盖被偷了没有井盖"],
            "noisy": ["井盖松动车一过就响", "井盖松动噪音很大", "车压过井盖咣当响吵得睡不着"],
        },
    ),
    "streetlight": (
        "roads",
        {
            "dark": ["路灯不亮，晚上很黑", "一排路灯都坏了不亮", "路灯晚上不亮"],
            "daytime": ["白天路灯还亮着浪费电", "大白天路灯一直开着"],
        },
    ),
    "water_cut": (
        "water",
        {
            "cut": ["整栋楼停水了，一直没来水", "突然停水没有通知", "家里停水一天了没水用"],
            "pipe": ["水管爆裂路面冒水", "地下水管爆裂水流满路面", "自来水管爆了路面冒水"],
        },
    ),
    "noise": (
        "environment",
        {
            "restaurant": ["楼下餐馆油烟扰民", "餐馆排油烟熏得家里都是油烟味"],
            "construction": ["工地夜间施工噪音扰民", "半夜工地还在施工太吵了", "晚上施工噪音大"],
        },
    ),
}
STREETS = ["幸福路", "朝阳北路", "工体北路", "中关村大街", "望京西路", "学院路", "安定门外"]
PLACES = ["小区门口", "公交站旁边", "学校附近", "十字路口", "菜市场对面", "楼下"]
TAILS = ["", "", "请尽快处理", "希望有关部门来看看", "已经好几天了", "麻烦派人处理一下"]


@dataclass(frozen=True)
class Generated:
    """One generated order: its incident (the label), category and where and when."""

    key: int
    incident: int
    category: str
    parent: str
    lon: float
    lat: float
    at: datetime
    text: str


def _offset(rng: random.Random, lon: float, lat: float, metres: float) -> tuple[float, float]:
    """A point about `metres` away in a random direction (small distances)."""
    import math

    angle = rng.uniform(0, 2 * math.pi)
    d = rng.uniform(0, metres)
    dlat = d * math.cos(angle) / 111_195
    dlon = d * math.sin(angle) / (111_195 * math.cos(math.radians(lat)))
    return lon + dlon, lat + dlat


def _say(rng: random.Random, street: str, phrase: str) -> str:
    # Most callers name the street where it is; some only the matter.
    where = f"{street}{rng.choice(PLACES)}" if rng.random() < 0.8 else ""
    return f"{where}{phrase}{rng.choice(TAILS)}"


def generate(incidents: int, seed: int = 16, start: datetime | None = None) -> list[Generated]:
    """Orders of `incidents` incidents, with a hard neighbour of another matter for some."""
    rng = random.Random(seed)
    start = start or datetime(2026, 11, 1, tzinfo=UTC)
    out: list[Generated] = []
    for incident in range(incidents):
        category = rng.choice(list(MATTERS))
        parent, matters = MATTERS[category]
        matter = rng.choice(list(matters))
        street = rng.choice(STREETS)
        lon, lat = rng.uniform(116.2, 116.6), rng.uniform(39.8, 40.05)
        first = start + timedelta(minutes=rng.uniform(0, 30 * 24 * 60))
        for _ in range(rng.choice([1, 2, 2, 3, 4])):
            plon, plat = _offset(rng, lon, lat, 40)
            at = first + timedelta(minutes=rng.uniform(0, 6 * 60))
            text = _say(rng, street, rng.choice(matters[matter]))
            out.append(Generated(len(out) + 1, incident, category, parent, plon, plat, at, text))
        if rng.random() < 0.5:  # a neighbour: another matter of the same category
            other = rng.choice([m for m in matters if m != matter])
            plon, plat = _offset(rng, lon, lat, 60)
            at = first + timedelta(minutes=rng.uniform(0, 12 * 60))
            text = _say(rng, street, rng.choice(matters[other]))
            out.append(
                Generated(len(out) + 1, -1 - incident, category, parent, plon, plat, at, text)
            )
    return out
