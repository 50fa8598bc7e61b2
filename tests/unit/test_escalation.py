from datetime import UTC, datetime, timedelta

from hotline.core.deadlines.escalation import EscalationPolicy, Level

CREATED = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
DUE = CREATED + timedelta(days=10)


def test_levels_in_order():
    policy = EscalationPolicy()
    assert policy.level(CREATED, DUE, CREATED) is Level.NONE
    assert policy.level(CREATED, DUE, CREATED + timedelta(days=7, hours=23)) is Level.NONE
    assert policy.level(CREATED, DUE, CREATED + timedelta(days=8)) is Level.WARNING
    assert policy.level(CREATED, DUE, DUE) is Level.REMINDER
    assert policy.level(CREATED, DUE, DUE + timedelta(hours=23)) is Level.REMINDER
    assert policy.level(CREATED, DUE, DUE + timedelta(days=1)) is Level.SUPERVISION
    assert policy.level(CREATED, DUE, DUE + timedelta(days=3)) is Level.OFFICIAL
    assert policy.level(CREATED, DUE, DUE + timedelta(days=300)) is Level.OFFICIAL


def test_warn_at_is_the_share_of_the_time_limit():
    assert EscalationPolicy(warning_ratio=0.5).warn_at(CREATED, DUE) == CREATED + timedelta(days=5)
