"""Which time limit an order gets: the most specific rule, then the category, then the type."""

from hotline.core.deadlines.escalation import EscalationPolicy
from hotline.core.deadlines.limits import Limit, LimitRule, LimitUnit, Priority, resolve_limit
from hotline.core.orders.intake import OrderType

DAYS, HOURS = LimitUnit.WORKING_DAYS, LimitUnit.CALENDAR_HOURS
NOISE, ROADS = 11, 12
RULES = [
    LimitRule(Limit(10, DAYS, 70), order_type=OrderType.COMPLAINT),
    LimitRule(Limit(5, DAYS), order_type=OrderType.COMPLAINT, category_id=NOISE),
    LimitRule(Limit(24, HOURS, 50), priority=Priority.URGENT),
    LimitRule(Limit(4, HOURS), priority=Priority.URGENT, category_id=ROADS),
]


def resolve(order_type, category, priority=Priority.NORMAL, category_limit=None):
    return resolve_limit(RULES, order_type, category, priority, category_limit, "working_days")


def test_without_rules_the_type_default_applies():
    assert resolve_limit([], OrderType.INQUIRY, NOISE, Priority.NORMAL) == Limit(3, DAYS, 80)
    assert resolve_limit([], OrderType.COMPLAINT, NOISE, Priority.URGENT) == Limit(15, DAYS)


def test_the_most_specific_rule_wins():
    assert resolve(OrderType.COMPLAINT, ROADS) == Limit(10, DAYS, 70)  # type rule
    assert resolve(OrderType.COMPLAINT, NOISE) == Limit(5, DAYS)  # type + category
    assert resolve(OrderType.COMPLAINT, NOISE, Priority.URGENT) == Limit(24, HOURS, 50)
    assert resolve(OrderType.HELP, ROADS, Priority.URGENT) == Limit(4, HOURS)


def test_a_categorys_own_limit_beats_a_type_rule_but_not_an_urgent_rule():
    assert resolve(OrderType.COMPLAINT, 99, category_limit=7) == Limit(7, DAYS)
    assert resolve(OrderType.COMPLAINT, 99, Priority.URGENT, category_limit=7).amount == 24


def test_ties_go_to_the_earlier_rule():
    rules = [
        LimitRule(Limit(2, DAYS), category_id=NOISE),
        LimitRule(Limit(9, DAYS), category_id=NOISE),
    ]
    assert resolve_limit(rules, OrderType.TIP_OFF, NOISE, Priority.NORMAL).amount == 2


def test_the_warning_follows_the_orders_own_share():
    from datetime import UTC, datetime, timedelta

    created = datetime(2026, 11, 20, tzinfo=UTC)
    due = created + timedelta(days=10)
    policy = EscalationPolicy()
    assert policy.warn_at(created, due, 50) == created + timedelta(days=5)
    assert policy.warn_at(created, due) == created + timedelta(days=8)
    warn = created + timedelta(days=5)
    assert policy.level(created, due, created + timedelta(days=6), warn) == 1
    assert policy.level(created, due, created + timedelta(days=6)) == 0
