"""街乡镇 ranking as Beijing publishes it: 响应率, 解决率 and 满意率 each shown, ranked by
their average (ties by 解决率, then 满意率); units with too few orders are listed, not ranked.

The rates are the key figures of `core/reports/kpi.py`; here they are only compared. The
average is exact (fractions of the rates' own counts), so equal figures tie exactly.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from hotline.core.reports.kpi import Rate

# Below this many orders received in the period a unit is listed but not ranked.
DEFAULT_MINIMUM_ORDERS = 5
# How many units at each end the report shows (the page shows all of them).
ENDS = 10


class Unranked(StrEnum):
    """Why a unit is listed without a rank."""

    FEW_ORDERS = "few_orders"  # fewer orders than the minimum
    NO_RATE = "no_rate"  # one of the three rates has nothing to divide by (n/a)


@dataclass(frozen=True)
class UnitFigures:
    """One unit's lead work in the period: where it is, its orders and the three rates."""

    unit_id: int
    district: str
    name: str
    code: str  # the official division code ("" if none): the listing order within a tie
    orders: int
    response: Rate
    resolution: Rate
    satisfaction: Rate


@dataclass(frozen=True)
class Ranked:
    """A unit's place: `rank` (ties share it, 1, 2, 2, 4) or why it has none."""

    unit: UnitFigures
    rank: int | None
    composite: Fraction | None  # the average of the three rates, when all have a value
    unranked: Unranked | None = None

    @property
    def composite_percent(self) -> str:
        """'97.5%' or 'n/a', like a rate."""
        return "n/a" if self.composite is None else f"{float(self.composite) * 100:.1f}%"


def _exact(rate: Rate) -> Fraction | None:
    return Fraction(rate.numerator, rate.denominator) if rate.denominator else None


def composite(unit: UnitFigures) -> Fraction | None:
    """The average of 响应率, 解决率 and 满意率, or None if any of them is n/a."""
    values = [_exact(r) for r in (unit.response, unit.resolution, unit.satisfaction)]
    if any(v is None for v in values):
        return None
    return sum(values, Fraction(0)) / 3


def _why_not(unit: UnitFigures, score: Fraction | None, minimum: int) -> Unranked | None:
    if unit.orders < minimum:
        return Unranked.FEW_ORDERS
    if score is None:
        return Unranked.NO_RATE
    return None


def rank(
    units: Iterable[UnitFigures], minimum_orders: int = DEFAULT_MINIMUM_ORDERS
) -> list[Ranked]:
    """The ranked units best first, then the unranked ones (most orders first); equal
    composite, 解决率 and 满意率 share a rank and are listed by code, then name."""
    if minimum_orders < 0:
        raise ValueError("the minimum cannot be negative")
    ranked: list[tuple[tuple, UnitFigures, Fraction]] = []
    unranked: list[Ranked] = []
    for unit in units:
        score = composite(unit)
        why = _why_not(unit, score, minimum_orders)
        if why is not None:
            unranked.append(Ranked(unit, None, score, why))
            continue
        key = (score, _exact(unit.resolution), _exact(unit.satisfaction))
        ranked.append((key, unit, score))
    ranked.sort(key=lambda item: (*(-v for v in item[0]), item[1].code, item[1].name))
    result: list[Ranked] = []
    for position, (key, unit, score) in enumerate(ranked, start=1):
        tied = result and ranked[position - 2][0] == key
        result.append(Ranked(unit, result[-1].rank if tied else position, score))
    unranked.sort(key=lambda r: (-r.unit.orders, r.unit.code, r.unit.name))
    return result + unranked


def ends(rows: list[Ranked], count: int = ENDS) -> tuple[list[Ranked], list[Ranked]]:
    """The first and the last `count` ranked units (all in the first when there are no more
    than twice `count`, so no unit is shown twice)."""
    ranked = [r for r in rows if r.rank is not None]
    if len(ranked) <= 2 * count:
        return ranked, []
    return ranked[:count], ranked[-count:]
