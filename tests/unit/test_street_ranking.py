"""The 街乡镇 ranking: the average of 响应率, 解决率 and 满意率, ties, the minimum, n/a rates."""

from fractions import Fraction

import pytest

from hotline.core.reports.kpi import Rate
from hotline.core.reports.ranking import DEFAULT_MINIMUM_ORDERS, UnitFigures, Unranked, ends, rank


def unit(
    name: str,
    response=(1, 1),
    resolution=(1, 1),
    satisfaction=(1, 1),
    orders: int = 10,
    code: str = "",
) -> UnitFigures:
    return UnitFigures(
        unit_id=hash(name) % 10_000,
        district="朝阳区",
        name=name,
        code=code,
        orders=orders,
        response=Rate(*response),
        resolution=Rate(*resolution),
        satisfaction=Rate(*satisfaction),
    )


def places(rows) -> list[tuple[str, int | None]]:
    return [(r.unit.name, r.rank) for r in rows]


def test_ranked_by_the_average_of_the_three_rates():
    rows = rank(
        [
            unit("甲", response=(8, 10), resolution=(9, 10), satisfaction=(10, 10)),  # 90%
            unit("乙", response=(10, 10), resolution=(10, 10), satisfaction=(10, 10)),  # 100%
            unit("丙", response=(5, 10), resolution=(5, 10), satisfaction=(5, 10)),  # 50%
        ]
    )
    assert places(rows) == [("乙", 1), ("甲", 2), ("丙", 3)]
    assert rows[1].composite == Fraction(9, 10) and rows[1].composite_percent == "90.0%"


def test_ties_go_to_the_resolution_rate_then_the_satisfaction_rate_then_share_a_rank():
    rows = rank(
        [
            # All three average 80%; exact fractions, so 1/3-steps do not drift apart.
            unit("响应高", response=(10, 10), resolution=(7, 10), satisfaction=(7, 10)),
            unit("解决高", response=(7, 10), resolution=(10, 10), satisfaction=(7, 10)),
            unit("满意高", response=(7, 10), resolution=(7, 10), satisfaction=(10, 10)),
            unit("同分乙", response=(2, 3), resolution=(2, 3), satisfaction=(2, 3), code="2"),
            unit("同分甲", response=(4, 6), resolution=(4, 6), satisfaction=(4, 6), code="1"),
            unit("末位", response=(1, 10), resolution=(1, 10), satisfaction=(1, 10)),
        ]
    )
    # Equal figures share the place (1, 2, 2, 4 style) and are listed by code.
    assert places(rows) == [
        ("解决高", 1),
        ("满意高", 2),
        ("响应高", 3),
        ("同分甲", 4),
        ("同分乙", 4),
        ("末位", 6),
    ]


def test_too_few_orders_are_listed_but_not_ranked():
    rows = rank(
        [
            unit("少", orders=DEFAULT_MINIMUM_ORDERS - 1),
            unit("够", orders=DEFAULT_MINIMUM_ORDERS, resolution=(1, 2)),
            unit("零", orders=0),
        ]
    )
    assert places(rows) == [("够", 1), ("少", None), ("零", None)]
    assert [r.unranked for r in rows] == [None, Unranked.FEW_ORDERS, Unranked.FEW_ORDERS]
    # The minimum is the caller's: with 2, only the unit with none stays out.
    assert places(rank([unit("少", orders=4), unit("零", orders=0)], minimum_orders=2)) == [
        ("少", 1),
        ("零", None),
    ]
    with pytest.raises(ValueError):
        rank([], minimum_orders=-1)


def test_a_rate_that_is_n_a_keeps_a_unit_out_of_the_ranking():
    rows = rank(
        [
            unit("无回访", resolution=(0, 0), satisfaction=(0, 0)),  # no survey answers yet
            unit("有回访", response=(1, 10), resolution=(1, 10), satisfaction=(1, 10)),
            unit("未派单", response=(0, 0), orders=20),
        ]
    )
    # Never ranked above a unit with figures on the strength of one rate.
    assert places(rows) == [("有回访", 1), ("未派单", None), ("无回访", None)]
    assert rows[1].unranked is Unranked.NO_RATE and rows[1].composite is None
    assert rows[1].composite_percent == "n/a"
    assert rank([]) == []


def test_the_ends_show_each_unit_once():
    many = [unit(f"{n:02d}", response=(n, 30)) for n in range(1, 26)]
    top, bottom = ends(rank(many), 10)
    assert [r.unit.name for r in top][:2] == ["25", "24"] and len(top) == 10
    assert [r.unit.name for r in bottom][-1] == "01" and len(bottom) == 10
    few = rank(many[:15])
    assert ends(few, 10) == ([r for r in few if r.rank is not None], [])
