"""Probable duplicates (并单 candidates): orders about the same matter, by place, time,
category and words.

A candidate must lie within the category's radius (great-circle metres) and time window of
the order, be of the same category or a sibling under the same major category (a related
one), and share enough words: cosine of TF-IDF weights over jieba words, the document
frequencies taken from the candidates being compared (what every nearby order says, such
as the street's name, weighs little). The score mixes words, distance and time; the
thresholds are data (`Thresholds`, per category from the database), not code.
"""

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from hotline.core.geo import EARTH_RADIUS_M, haversine_m
from hotline.core.kb.text import STOPWORDS, words

DEFAULT_RADIUS_M = 200
DEFAULT_WINDOW_HOURS = 72
IDF_FLOOR = 0.5  # a word's least weight: in a pool of two, shared words still count


@dataclass(frozen=True)
class Thresholds:
    """When two orders are probably the same matter."""

    radius_m: float = DEFAULT_RADIUS_M
    window_hours: float = DEFAULT_WINDOW_HOURS
    # The words' cosine a candidate needs at least (a related category needs more).
    min_text: float = 0.2
    min_text_related: float = 0.4
    # The score a candidate needs to be shown at all.
    min_score: float = 0.5


@dataclass(frozen=True)
class Matter:
    """What the comparison needs of an order (or of an order being taken)."""

    key: int  # the order's id (0: an intake draft)
    category_id: int
    parent_id: int | None  # the category's major category
    lon: float
    lat: float
    at: datetime
    text: str


@dataclass(frozen=True)
class Candidate:
    """A probable duplicate: how far, how long apart, how alike, and the score."""

    key: int
    distance_m: float
    hours_apart: float
    text_similarity: float
    related_only: bool  # a sibling category, not the same one
    score: float


# What callers say about any matter anywhere: where they stand and what they ask for.
BOILERPLATE = frozenset(
    [
        "路口",
        "十字路口",
        "门口",
        "附近",
        "对面",
        "旁边",
        "楼下",
        "小区",
        "路",
        "街",
        "号",
        "希望",
        "有关",
        "有关部门",
        "部门",
        "看看",
        "来看",
        "尽快",
        "处理",
        "麻烦",
        "派人",
        "已经",
        "好几天",
        "一下",
        "反映",
        "市民",
        "来电",
        "称",
        "表示",
        "诉求",
        "解决",
        "",
    ]
)


def tokens(text: str) -> list[str]:
    """The words compared: jieba's search-mode words without stop words or boilerplate."""
    return [w for w in words(text) if w not in BOILERPLATE and w not in STOPWORDS]


def bounding_box(lon: float, lat: float, radius_m: float) -> tuple[float, float, float, float]:
    """The lon/lat box (min_lon, min_lat, max_lon, max_lat) that holds every point within
    `radius_m` great-circle metres: an index prefilter; the distance is checked exactly."""
    # A hair wider than the circle: rounding must never cut off a point on its edge.
    dlat = math.degrees(radius_m / EARTH_RADIUS_M) * 1.001
    cos_lat = math.cos(math.radians(min(89.0, abs(lat) + dlat)))
    dlon = 180.0 if cos_lat <= 0 else min(180.0, dlat / cos_lat)
    return lon - dlon, lat - dlat, lon + dlon, lat + dlat


def _weights(counts: Counter[str], idf: Mapping[str, float]) -> dict[str, float]:
    return {w: (1 + math.log(n)) * idf.get(w, 1.0) for w, n in counts.items()}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Cosine of two sparse weight vectors (0 when either is empty)."""
    if not a or not b:
        return 0.0
    if len(b) < len(a):
        a, b = b, a
    dot = sum(v * b.get(k, 0.0) for k, v in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def idf_of(documents: Iterable[Iterable[str]]) -> dict[str, float]:
    """Smoothed inverse document frequency of each word over `documents`."""
    docs = [set(d) for d in documents]
    df: Counter[str] = Counter(w for d in docs for w in d)
    n = len(docs)
    # No +1: a word every order around says (the street's name) weighs almost nothing.
    return {w: math.log((1 + n) / k) + IDF_FLOOR for w, k in df.items()}


def related(a: Matter, b: Matter) -> bool | None:
    """True: same category; False: siblings (same major category); None: unrelated."""
    if a.category_id == b.category_id:
        return True
    if a.parent_id is not None and a.parent_id == b.parent_id:
        return False
    if a.parent_id == b.category_id or b.parent_id == a.category_id:
        return False
    return None


def candidates(
    order: Matter,
    others: Sequence[Matter],
    thresholds: Thresholds = Thresholds(),
    *,
    limit: int = 10,
) -> list[Candidate]:
    """The probable duplicates of `order` among `others`, best first."""
    window_s = thresholds.window_hours * 3600
    near: list[tuple[Matter, float, float, bool]] = []
    for other in others:
        if other.key == order.key and order.key:
            continue
        same = related(order, other)
        if same is None:
            continue
        apart = abs((other.at - order.at).total_seconds())
        if apart > window_s:
            continue
        distance = haversine_m(order.lon, order.lat, other.lon, other.lat)
        if distance > thresholds.radius_m:
            continue
        near.append((other, distance, apart, same))
    if not near:
        return []
    own = tokens(order.text)
    theirs = [tokens(other.text) for other, *_ in near]
    idf = idf_of([own, *theirs])
    mine = _weights(Counter(own), idf)
    found = []
    for (other, distance, apart, same), words_ in zip(near, theirs, strict=True):
        text = cosine(mine, _weights(Counter(words_), idf))
        if text < (thresholds.min_text if same else thresholds.min_text_related):
            continue
        closeness = 1 - distance / thresholds.radius_m if thresholds.radius_m else 1.0
        recency = 1 - apart / window_s if window_s else 1.0
        score = 0.6 * text + 0.25 * closeness + 0.15 * recency
        if not same:
            score *= 0.85
        if score < thresholds.min_score:
            continue
        found.append(
            Candidate(
                key=other.key,
                distance_m=round(distance, 1),
                hours_apart=round(apart / 3600, 2),
                text_similarity=round(text, 3),
                related_only=not same,
                score=round(score, 3),
            )
        )
    found.sort(key=lambda c: (-c.score, c.distance_m, c.key))
    return found[:limit]
