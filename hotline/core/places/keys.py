"""Search keys of a named place and the ranking of suggestions.

A suggestion is an indexed prefix lookup, never a scan: every place stores its keys (the
name and each alias; their suffixes, so that a word inside a name is a prefix too; the full
pinyin; the pinyin initials), each with its match kind. A query reads the keys that start
with it, kind by kind, and ranks the places found: a name that starts with the query first,
then a name that contains it, then full pinyin, then initials; within a kind an exact match
first, then popularity, then the kind of place (a 小区 before a bus stop), then the shorter
name.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from functools import cache

MAX_KEY = 64  # characters of a key (a longer name is found by its first 64)
MIN_SUFFIX = 2  # a name's suffixes shorter than this are no keys (one character is noise)
PER_KIND = 64  # keys read per match kind: enough to rank, never the whole index
MAX_QUERY = 64


# Suggestions one request may ask for (the API's k, the address box's list).
MAX_SUGGESTIONS = 20


class MatchKind(IntEnum):
    """How a key matched; the lower, the better."""

    PREFIX = 0  # the name or an alias starts with the query
    TEXT = 1  # the name or an alias contains it
    PINYIN = 2  # the full pinyin starts with it: gongtibeilu
    INITIALS = 3  # the pinyin initials start with it: gtbl


class PlaceKind(StrEnum):
    """What a named place is; the order is the tie-break of equal matches."""

    COMPOUND = "compound"  # 小区
    ROAD = "road"  # 道路
    JUNCTION = "junction"  # 路口
    HOSPITAL = "hospital"
    SCHOOL = "school"
    MARKET = "market"
    BUILDING = "building"  # 楼宇, 单位
    BUS_STOP = "bus_stop"
    OTHER = "other"


KIND_ORDER = {kind: position for position, kind in enumerate(PlaceKind)}
# What an import may write for the kind: the value, or its Chinese name.
KIND_WORDS = {kind.value: kind for kind in PlaceKind} | {
    "小区": PlaceKind.COMPOUND,
    "道路": PlaceKind.ROAD,
    "路口": PlaceKind.JUNCTION,
    "医院": PlaceKind.HOSPITAL,
    "学校": PlaceKind.SCHOOL,
    "市场": PlaceKind.MARKET,
    "楼宇": PlaceKind.BUILDING,
    "单位": PlaceKind.BUILDING,
    "公交站": PlaceKind.BUS_STOP,
    "其他": PlaceKind.OTHER,
}

# Beijing's readings where pypinyin's dictionary reads a place name otherwise (朝阳 is
# chaoyang in every Beijing name, not zhaoyang). pypinyin keeps them process-wide.
BEIJING_READINGS = {
    "朝阳": [["cháo"], ["yáng"]],
    "朝外": [["cháo"], ["wài"]],
    "朝内": [["cháo"], ["nèi"]],
    "什刹海": [["shí"], ["chà"], ["hǎi"]],
    "大栅栏": [["dà"], ["shí"], ["làn"]],
    "六铺炕": [["liù"], ["pù"], ["kàng"]],
}

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_DROP = re.compile(r"[\s\W_]+", re.UNICODE)  # spaces and punctuation: never part of a key
_RUNS = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[^\u3400-\u9fff\uf900-\ufaff]+")


def normalize(text: str) -> str:
    """The form keys and queries are compared in: NFKC (full-width letters and digits become
    ASCII), lower case, without spaces and punctuation, at most MAX_KEY characters."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text).lower())[:MAX_KEY]


@cache
def _reader():
    """pypinyin's reader with Beijing's readings, loaded on first use: its dictionaries cost
    a quarter of a second and tens of MB, which a process that builds no keys never pays."""
    from pypinyin import Style, lazy_pinyin, load_phrases_dict

    load_phrases_dict(BEIJING_READINGS)
    return lambda run: lazy_pinyin(run, style=Style.NORMAL)


def pinyin(text: str) -> tuple[str, str]:
    """The full pinyin and the initials of `text` (normalized): 工体北路 -> gongtibeilu, gtbl.
    A run of letters or digits stays whole in both: 3号院 -> 3haoyuan, 3hy."""
    full, initials = [], []
    for run in _RUNS.findall(normalize(text)):
        if _HAN.match(run):
            # The whole run at once: pypinyin reads a polyphonic character by its phrase.
            syllables = [s for s in _reader()(run) if s]
            full += syllables
            initials += [s[0] for s in syllables]
        else:
            full.append(run)
            initials.append(run)
    return normalize("".join(full)), normalize("".join(initials))


def place_keys(name: str, aliases: Iterable[str] = ()) -> set[tuple[str, MatchKind]]:
    """Every (key, kind) a place is found by."""
    keys: set[tuple[str, MatchKind]] = set()
    for text in (name, *aliases):
        word = normalize(text)
        if not word:
            continue
        keys.add((word, MatchKind.PREFIX))
        keys.update((word[i:], MatchKind.TEXT) for i in range(1, len(word) - MIN_SUFFIX + 1))
        full, initials = pinyin(text)
        if full and full != word:
            keys.add((full, MatchKind.PINYIN))
        if initials and initials != word and initials != full:
            keys.add((initials, MatchKind.INITIALS))
    return keys


def query_kinds(query: str) -> tuple[MatchKind, ...]:
    """The kinds worth reading for a normalized query: pinyin keys hold no Chinese."""
    if _HAN.search(query):
        return (MatchKind.PREFIX, MatchKind.TEXT)
    return tuple(MatchKind)


def upper_bound(prefix: str) -> str:
    """The least string above every string that starts with `prefix` (code-point order), so
    that `prefix <= key < upper_bound(prefix)` is an index range."""
    last = ord(prefix[-1]) + 1
    if 0xD800 <= last <= 0xDFFF:  # surrogates are no characters of UTF-8 text
        last = 0xE000
    return prefix[:-1] + chr(last)


@dataclass(frozen=True)
class Hit:
    """A place a query's keys found, with the best way it matched."""

    place_id: int
    name: str
    kind: str
    weight: int
    match: MatchKind
    exact: bool


def rank_key(hit: Hit) -> tuple:
    """The sort key of a hit: match kind, exact first, popularity, kind of place, shortness."""
    return (
        hit.match,
        not hit.exact,
        -hit.weight,
        KIND_ORDER.get(hit.kind, len(KIND_ORDER)),
        len(hit.name),
        hit.name,
        hit.place_id,
    )


def best_matches(found: Iterable[tuple[int, str, MatchKind]], query: str) -> dict[int, tuple]:
    """For each place id, its best (match, exact) among the keys found for `query`."""
    best: dict[int, tuple[MatchKind, bool]] = {}
    for place_id, key, match in found:
        candidate = (match, key == query)
        seen = best.get(place_id)
        if seen is None or (candidate[0], not candidate[1]) < (seen[0], not seen[1]):
            best[place_id] = candidate
    return best
