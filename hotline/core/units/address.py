"""Beijing address text → district and 街乡镇 (sub-district), with a confidence.

Interface only for now; the matching rules follow in the next commit.
"""

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


class AddressParser:
    """Finds the district and the 街乡镇 an address names, from the official name list."""

    def __init__(self, districts: Iterable[Division], streets: Iterable[Division]) -> None:
        """Index the names once; `locate` then costs microseconds."""
        self._districts = {d.name: d for d in districts}
        self._streets = {s.name: s for s in streets}

    def locate(self, text: str) -> Located:
        """District and 街乡镇 named by `text`; unknown (None) rather than a guess."""
        district = next((d for n, d in self._districts.items() if n in text), None)
        return Located(district.code if district else None, None, 0.9 if district else 0.0)
