"""Beijing address text → district and 街乡镇 (sub-district), with a confidence.

Precision comes first: a wrong 街乡镇 sends a work order to the wrong office, an unknown one
only asks the operator to pick it, so every doubtful case answers `street_code=None`.

The rules, each from a real trap (tests/unit/test_address_parsing.py has the cases):
- Text is normalised (NFKC: full-width digits and letters to half-width; white space dropped).
- A district is named by its full name (朝阳区; old names 崇文区, 宣武区, 密云县, 延庆县, 通县),
  or by its stem (朝阳) only where it starts the address (after 北京/北京市) or follows a
  non-Chinese character, and is not followed by a road or landmark word (朝阳路, 朝阳门,
  朝阳医院 name no district).
- A 街乡镇 is named by its full name (三里屯街道) anywhere, or by its stem, the name without
  街道/地区/乡/镇/回族乡/满族乡 (三里屯, and so 南磨房乡 or 回龙观镇 too), only where the stem
  starts a word: at the start, after a district, after 区/县/市 or after a non-Chinese
  character (大望京 is in 崔各庄, not 望京; 胡同南口 is not 南口地区), and is not followed by a
  road or landmark word (中关村大街, 三里屯路, 东四环, 建国门外大街, 东四十条, 天坛医院).
- Stems that are roads or gates (学院路, 金融街, 安定门, 广安门外) name only themselves, which
  may lie on the unit's border or beyond: only the full name counts. 中关村 and 亦庄 are also
  the names of the science park and the development zone: they count only with a unit suffix
  (亦庄镇). A stem
  that is a district's own stem (丰台, 海淀, 怀柔, 密云, 延庆) names the district.
- A "weak" stem needs the district in the text, consistent with it: two-character stems
  that are common words or other places (河北, 光明, 新村, 南口, 天桥, 古城) — every
  two-character stem but a short list of distinctive neighbourhoods (双井, 望京, 劲松 …),
  stems ending in 桥 (卢沟桥, 太平桥: the bridge is a landmark), and a few longer ones
  (大兴庄 starts with 大兴; 山东庄, 河南寨 start with a province; 亚运村, 奥运村 and 首都机场
  are also wider areas; 十里堡 is also a place in 朝阳; 观音寺, 五里店 are common names).
  Written with a unit suffix (沙河镇, 温泉镇) a weak stem needs no district.
- A name shared by two districts (八里庄, 东风) is decided by the district in the text,
  unknown without one; a 街乡镇 of another district than the one written is unknown.
- The longest name at a position wins (朝阳门街道 over 朝阳, 大兴庄镇 over 大兴); a full name
  beats a stem; two different units of equal strength are unknown.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Division:
    """One administrative division: a district or a 街乡镇."""

    code: str  # 110105 (district) or 110105004 (街乡镇)
    name: str  # 朝阳区 / 三里屯街道
    parent_code: str | None  # a 街乡镇's district code; None for a district


@dataclass(frozen=True)
class Located:
    """What an address names: district and 街乡镇 codes, either may be unknown."""

    district_code: str | None
    street_code: str | None  # None when the text does not name a 街乡镇 (or it is ambiguous)
    confidence: float  # 0..1: how sure the street (or, without one, the district) is


# Old names still written on addresses: 崇文/宣武 merged into 东城/西城 in 2010, the counties
# became districts in 2015 (密云, 延庆) and 1997 (通县 → 通州).
DISTRICT_ALIASES = {
    "崇文区": "东城区",
    "宣武区": "西城区",
    "密云县": "密云区",
    "延庆县": "延庆区",
    "通县": "通州区",
}

# Longest first, so 回族乡 is cut before 乡.
STREET_SUFFIXES = ("回族乡", "满族乡", "街道", "地区", "乡", "镇")

# Two-character stems distinctive enough to name their unit without the district: each is a
# well-known neighbourhood or town name with no other common meaning in Beijing.
STRONG_SHORT_STEMS = frozenset(
    [
        "双井",
        "望京",
        "劲松",
        "方庄",
        "上地",
        "安贞",
        "垡头",
        "管庄",
        "常营",
        "金盏",
        "孙河",
        "将台",
        "大屯",
        "建外",
        "朝外",
        "宋庄",
        "旧宫",
        "瀛海",
        "霍营",
        "鲁谷",
        "万柳",
        "斋堂",
        "漷县",
        "榆垡",
        "采育",
    ]
)

# Longer stems that still need the district: see the module docstring for why each.
WEAK_LONG_STEMS = frozenset(
    ["大兴庄", "山东庄", "河南寨", "亚运村", "奥运村", "首都机场", "十里堡", "观音寺", "五里店"]
)

# Brand names of special zones (the science park, the development zone): with a suffix only.
ZONE_STEMS = frozenset({"中关村", "亦庄"})

# After a stem (or a district stem), these say the text names a road, bridge, gate, station,
# ring road, numbered lane, zone or institution called after the place, not the place: such
# things lie on the unit's border or elsewhere (中关村大街, 东四环, 东四十条, 天坛医院).
_ROAD_AFTER = re.compile(
    r"[东西南北中前后]?(?:大街|大道|路|街|道|胡同|巷|桥|门|里|环|条|站|口|公路|高速|河)"
    r"|[东西南北]?[一二三四五六七八九十]+(?:条|街|路|巷|环)"
    r"|[内外]|市(?!场)"
    r"|经济|开发区|科技园|园区|工业园|产业|机场|航站楼|医院"
)

# A stem written with a unit suffix (亦庄镇, 沙河镇, 温泉镇, 南磨房乡: the old 乡/镇 names of
# today's 地区 and 街道) names the unit even where the bare stem would be too weak.
_UNIT_AFTER = re.compile(r"镇|乡|地区|街道")

_SPACES = re.compile(r"\s+")


# Confidence of a 街乡镇 found, by (full name?, how the district was written): a full name
# beats a stem, a district written in full beats its stem beats none (the 街乡镇 gave it).
_STREET_CONFIDENCE = {
    (True, "full"): 0.98,
    (True, "stem"): 0.93,
    (True, "none"): 0.88,
    (False, "full"): 0.85,
    (False, "stem"): 0.8,
    (False, "none"): 0.75,
}
_PREFIXES = ("中国", "北京市", "北京")

# Term kinds in the index.
_DISTRICT_FULL, _DISTRICT_STEM, _STREET_FULL, _STREET_STEM, _STREET_WEAK, _STREET_ZONE = range(6)


def _is_chinese(char: str) -> bool:
    """True for a CJK ideograph (the characters names are made of)."""
    return "\u4e00" <= char <= "\u9fff"


def street_stem(name: str) -> str:
    """The 街乡镇 name without its suffix (三里屯街道 → 三里屯, 于家务回族乡 → 于家务)."""
    for suffix in STREET_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def normalise(text: str) -> str:
    """Half-width digits and letters, no white space."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


class AddressParser:
    """Finds the district and the 街乡镇 an address names, from the official name list."""

    def __init__(self, districts: Iterable[Division], streets: Iterable[Division]) -> None:
        """Index every name by its first character; `locate` then costs microseconds."""
        district_list = list(districts)
        by_name = {d.name: d.code for d in district_list}
        district_stems = {d.name.removesuffix("区"): d.code for d in district_list}
        # term → (kind, codes); kinds of the same term never collide except 街乡镇 stems shared
        # by two districts, which share one entry with both codes.
        terms: dict[str, tuple[int, tuple[str, ...]]] = {}
        self._parent: dict[str, str] = {}
        for name, code in by_name.items():
            terms[name] = (_DISTRICT_FULL, (code,))
        for alias, current in DISTRICT_ALIASES.items():
            if current in by_name:
                terms[alias] = (_DISTRICT_FULL, (by_name[current],))
        for stem, code in district_stems.items():
            terms.setdefault(stem, (_DISTRICT_STEM, (code,)))
        full: dict[str, list[str]] = {}
        stems: dict[str, list[str]] = {}
        for street in streets:
            self._parent[street.code] = street.parent_code or ""
            full.setdefault(street.name, []).append(street.code)
            stem = street_stem(street.name)
            if stem != street.name:
                stems.setdefault(stem, []).append(street.code)
        for name, codes in full.items():
            terms[name] = (_STREET_FULL, tuple(codes))
        for stem, codes in stems.items():
            kind = self._stem_kind(stem)
            if kind is not None and stem not in terms:
                terms[stem] = (kind, tuple(codes))
        # Two first characters → terms starting with them, longest first (the longest match
        # wins); every name has at least two characters. A character class of the first
        # characters lets `locate` jump, in C, over the characters no name starts with.
        self._index: dict[str, list[tuple[str, int, tuple[str, ...]]]] = {}
        for term in sorted(terms, key=len, reverse=True):
            self._index.setdefault(term[:2], []).append((term, *terms[term]))
        firsts = "".join(sorted({term[0] for term in terms}))
        self._first = re.compile("[" + re.escape(firsts) + "]")

    @staticmethod
    def _stem_kind(stem: str) -> int | None:
        """How a 街乡镇 stem may be used: strong, weak (district needed) or not at all."""
        if len(stem) < 2:
            return None
        if stem in ZONE_STEMS:
            return _STREET_ZONE
        # Roads and the old city's gates; 西红门, 大红门 and 喇叭沟门 are villages, not gates.
        if stem.endswith(("路", "街", "门内", "门外")) or (
            stem.endswith("门") and not stem.endswith(("红门", "沟门"))
        ):
            return None
        if stem.endswith("桥") or stem in WEAK_LONG_STEMS:
            return _STREET_WEAK
        if len(stem) == 2 and stem not in STRONG_SHORT_STEMS:
            return _STREET_WEAK
        return _STREET_STEM

    def locate(self, text: str) -> Located:
        """District and 街乡镇 named by `text`; unknown (None) rather than a guess."""
        text = normalise(text)
        start = 0
        for prefix in _PREFIXES:
            if text.startswith(prefix, start):
                start += len(prefix)
        district_hits: dict[str, int] = {}  # code → strength (2 full name, 1 stem)
        street_hits: list[tuple[int, tuple[str, ...]]] = []  # (kind, codes)
        index = self._index
        search = self._first.search
        last_end = start  # the end of the last name taken: a stem may begin there
        found = search(text, start)
        while found is not None:
            i = found.start()
            entries = index.get(text[i : i + 2])
            if entries is not None:
                before = text[i - 1] if i > start else ""
                # A stem starts a word: at the start, after a name, 区/县/市 or a non-Chinese
                # character; a district stem only at the start or after a non-Chinese one.
                opens = i == start or not _is_chinese(before)
                boundary = opens or i == last_end or before in "区县市"
                for term, kind, codes in entries:
                    if not text.startswith(term, i):
                        continue
                    after = i + len(term)
                    if kind == _DISTRICT_FULL:
                        district_hits[codes[0]] = 2
                    elif kind == _STREET_FULL:
                        if len(term) <= 2 and not boundary:
                            continue
                        street_hits.append((kind, codes))
                    else:
                        if not (opens if kind == _DISTRICT_STEM else boundary):
                            continue
                        if _ROAD_AFTER.match(text, after):
                            continue
                        if kind == _DISTRICT_STEM:
                            district_hits.setdefault(codes[0], 1)
                        elif kind in (_STREET_STEM, _STREET_WEAK):
                            if _UNIT_AFTER.match(text, after):
                                kind = _STREET_STEM
                            street_hits.append((kind, codes))
                        elif _UNIT_AFTER.match(text, after):  # a special zone's brand name
                            street_hits.append((_STREET_STEM, codes))
                        else:
                            continue
                    last_end = after
                    break
                else:
                    after = i + 1
            else:
                after = i + 1
            found = search(text, after)
        return self._resolve(district_hits, street_hits)

    def _resolve(
        self, district_hits: dict[str, int], street_hits: list[tuple[int, tuple[str, ...]]]
    ) -> Located:
        """Combine the names found into one answer, unknown where they disagree."""
        district = None
        by_stem = False
        if len(district_hits) == 1:
            district, strength = next(iter(district_hits.items()))
            by_stem = strength == 1
        parent = self._parent
        best: dict[str, int] = {}  # street code → strength (2 full name, 1 stem)
        contradicted = False
        for kind, codes in street_hits:
            if district_hits:
                kept = [c for c in codes if parent[c] in district_hits]
                if not kept:
                    contradicted = True
                    continue
            elif kind == _STREET_WEAK:
                continue
            else:
                kept = codes
            strength = 2 if kind == _STREET_FULL else 1
            for code in kept:
                if best.get(code, 0) < strength:
                    best[code] = strength
        if best and not contradicted:
            top = max(best.values())
            chosen = [code for code, strength in best.items() if strength == top]
            if len(chosen) == 1:
                street = chosen[0]
                written = "none" if district is None else "stem" if by_stem else "full"
                return Located(parent[street], street, _STREET_CONFIDENCE[top == 2, written])
        if district is None:
            return Located(None, None, 0.0)
        if contradicted:  # the text names a 街乡镇 of another district too
            return Located(district, None, 0.5 if by_stem else 0.65)
        return Located(district, None, 0.8 if by_stem else 0.95)
