"""Order statistics shared by the pages and the reports."""

import math
from collections.abc import Iterable


def percentile(values: Iterable[float], q: float) -> float | None:
    """The nearest-rank `q`-quantile (0 < q <= 1): the smallest value with at least a share
    `q` of the values at or below it, i.e. the ceil(q * n)-th smallest; None when empty.

    Worked example, ten values 10, 20, ..., 100: for q = 0.9, ceil(0.9 * 10) = 9, so the
    9th smallest, 90 (not the 10th, 100); for q = 0.95, ceil(9.5) = 10, so 100; for
    q = 0.5, ceil(5) = 5, so 50. The rank is rounded to 9 decimals before the ceiling, so
    that a product like 0.9 * 30 = 27.000000000000004 gives rank 27, not 28.
    """
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[max(1, math.ceil(round(q * len(ordered), 9))) - 1]
