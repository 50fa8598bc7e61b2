"""Address → district and 街乡镇: µs per address, AddressParser against a naive scan.

The addresses are the test table's (tests/unit/test_address_parsing.py), repeated to about
100,000 calls. The naive way scans every name with `in` per address: districts by full
name, then 街乡镇 by full name, then by stem (name without 街道/地区/乡/镇), kept within the
district when one was found, the longest wins. It is also scored on the table: its wrong
街乡镇 are the reason for the parser's rules.
Run: .venv/bin/python bench/locate.py [--calls 100000]
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hotline.core.units.address import AddressParser, Division, normalise, street_stem  # noqa: E402
from hotline.services.units.divisions import load_divisions  # noqa: E402
from tests.unit.test_address_parsing import CASES  # noqa: E402

TAIL = "小区3号楼2单元501室"


class NaiveScan:
    """Every name tested with `in` on every address."""

    def __init__(self, districts: list[Division], streets: list[Division]) -> None:
        self.districts = [(d.name, d.code) for d in districts]
        self.streets = [(s.name, s.code, s.parent_code) for s in streets]
        self.stems = [(street_stem(s.name), s.code, s.parent_code) for s in streets]
        self.stems = [(stem, c, p) for stem, c, p in self.stems if len(stem) >= 2]

    def locate(self, text: str) -> tuple[str | None, str | None]:
        """(district code, 街乡镇 code) by plain substring tests."""
        text = normalise(text)
        district = next((code for name, code in self.districts if name in text), None)
        for names in (self.streets, self.stems):
            hits = [
                (len(name), code, parent)
                for name, code, parent in names
                if name in text and (district is None or parent == district)
            ]
            if hits:
                _, code, parent = max(hits)
                return parent, code
        return district, None


def timed(label: str, fn, texts: list[str], calls: int, repeat: int = 3) -> float:
    """Best of `repeat` runs of about `calls` calls: µs per address."""
    rounds = max(1, calls // len(texts))
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(rounds):
            for text in texts:
                fn(text)
        best = min(best, time.perf_counter() - start)
    per_call = best / (rounds * len(texts)) * 1e6
    print(f"{label:<40} {per_call:8.2f} µs/address ({rounds * len(texts):,} calls)")
    return per_call


def score(locate, label: str) -> None:
    """Wrong and found 街乡镇 on the test table."""
    wrong = found = named = 0
    for text, _, street in CASES:
        got = locate(text)
        named += street is not None
        found += street is not None and got == street
        wrong += got is not None and got != street
    print(f"{label:<40} found {found}/{named}, wrong {wrong} (of {len(CASES)} addresses)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=100_000)
    args = parser.parse_args()
    districts, streets = load_divisions(ROOT / "gis_data")
    start = time.perf_counter()
    address = AddressParser(districts, streets)
    build_ms = (time.perf_counter() - start) * 1000
    naive = NaiveScan(districts, streets)
    texts = [text for text, _, _ in CASES]
    print(
        f"{len(districts)} districts, {len(streets)} 街乡镇; {len(texts)} addresses, "
        f"mean {sum(map(len, texts)) / len(texts):.1f} characters; index built in {build_ms:.1f} ms"
    )
    fast = timed("AddressParser.locate", address.locate, texts, args.calls)
    slow = timed("naive scan of every name with `in`", naive.locate, texts, args.calls)
    print(f"ratio naive/parser: {slow / fast:5.1f}x")
    # Operators type the flat too: the same addresses with a building and flat number.
    longer = [f"{text}{TAIL}" for text in texts]
    print(f"the same with {TAIL!r} appended ({sum(map(len, longer)) / len(longer):.1f} characters)")
    fast_long = timed("AddressParser.locate", address.locate, longer, args.calls)
    slow_long = timed("naive scan of every name with `in`", naive.locate, longer, args.calls)
    print(f"ratio naive/parser: {slow_long / fast_long:5.1f}x")
    fast = max(fast, fast_long)
    score(lambda t: address.locate(t).street_code, "AddressParser on the table")
    score(lambda t: naive.locate(t)[1], "naive scan on the table")
    print(f"target <= 20 µs/address: {'met' if fast <= 20 else 'NOT met'}")


if __name__ == "__main__":
    main()
