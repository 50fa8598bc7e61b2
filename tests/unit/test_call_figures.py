"""The phone line's figures on a hand-worked day: 接通率, the 15-second service level,
放弃率, average speed of answer, talk and after-call work, per hour, agent and queue."""

from datetime import UTC, datetime, timedelta

import pytest

from hotline.core.telephony.figures import (
    CallFigure,
    CallRow,
    Settings,
    breakdown,
    change,
    text,
)

# 09:00 in Beijing (UTC+8).
NINE = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
SETTINGS = Settings(after_call_seconds=30, short_abandon_seconds=5)


def call(queue, queued, *, answered=None, ended=None, outcome=None, agent=None) -> CallRow:
    """A call queued `queued` seconds after 09:00, answered and ended seconds after that."""
    at = NINE + timedelta(seconds=queued)
    return CallRow(
        queued_at=at,
        answered_at=at + timedelta(seconds=answered) if answered is not None else None,
        ended_at=at + timedelta(seconds=ended) if ended is not None else None,
        outcome=outcome,
        agent=agent,
        queue=queue,
    )


MINUTE = 60
DAY = [
    # A 12345 09:00 answered after 14 s by agent 1, talked 180 s: in the 15 s.
    call("12345", 0, answered=14, ended=14 + 180, outcome="answered", agent=1),
    # B 12345 09:10 answered after 16 s by agent 2, talked 120 s: NOT in the 15 s.
    call("12345", 10 * MINUTE, answered=16, ended=16 + 120, outcome="answered", agent=2),
    # C 12345 09:20 answered after exactly 15 s by agent 1, talked 60 s: in ("within 15 s").
    call("12345", 20 * MINUTE, answered=15, ended=15 + 60, outcome="answered", agent=1),
    # D 12345 09:30 hung up after 3 s (< 5 s): a short abandon, not offered.
    call("12345", 30 * MINUTE, ended=3, outcome="abandoned"),
    # E 12345 09:40 hung up after 40 s: offered, abandoned.
    call("12345", 40 * MINUTE, ended=40, outcome="abandoned"),
    # F 12345 10:05 refused, queue full: offered, neither answered nor abandoned.
    call("12345", 65 * MINUTE, ended=0, outcome="rejected"),
    # G 120 10:10 answered after 5 s by agent 3, still talking: answered, no talk time yet.
    call("120", 70 * MINUTE, answered=5, agent=3),
    # H 12345 10:20 still waiting: pending, not counted.
    call("12345", 80 * MINUTE),
    # I 120 10:30 hung up after exactly 5 s (not under 5 s): offered, abandoned.
    call("120", 90 * MINUTE, ended=5, outcome="abandoned"),
]


@pytest.fixture(scope="module")
def day():
    # A generator: the figures read the rows once (the service streams them).
    return breakdown((row for row in DAY), SETTINGS, "Asia/Shanghai")


def test_the_whole_day(day):
    whole = day.whole
    c = whole.counts
    # offered = A B C E F G I = 7 (D short, H pending); answered = A B C G = 4;
    # within 15 s = A(14) C(15) G(5) = 3; abandoned = E I = 2; rejected = F.
    assert (c.offered, c.answered, c.answered_in_target, c.abandoned) == (7, 4, 3, 2)
    assert (c.rejected, c.short_abandons, c.pending) == (1, 1, 1)
    assert whole.answer_rate.percent() == "57.1%"  # 4 / 7
    assert whole.service_level.percent() == "42.9%"  # 3 / 7
    assert whole.abandon_rate.percent() == "28.6%"  # 2 / 7
    assert whole.speed_of_answer == 12.5  # (14 + 16 + 15 + 5) / 4 = 50 / 4
    # Talk: the answered calls that ended, A B C: (180 + 120 + 60) / 3 = 120 s.
    assert whole.talk == 120.0
    assert whole.after_call == 30.0  # the configured 30 s for each of A B C
    assert whole.handling == 150.0  # 120 + 30


def test_per_queue(day):
    hotline, ems = day.by_queue["12345"], day.by_queue["120"]
    # 12345: offered A B C E F = 5, answered A B C = 3, within 15 s A C = 2, abandoned E = 1.
    assert (hotline.offered, hotline.answered, hotline.abandoned) == (5, 3, 1)
    assert text(hotline, CallFigure.ANSWER_RATE) == "60.0%"  # 3 / 5
    assert text(hotline, CallFigure.SERVICE_LEVEL) == "40.0%"  # 2 / 5
    assert text(hotline, CallFigure.ABANDON_RATE) == "20.0%"  # 1 / 5
    assert hotline.speed_of_answer == 15.0  # (14 + 16 + 15) / 3
    # 120: offered G I = 2, answered G, within 15 s G, abandoned I.
    assert (ems.offered, ems.answered, ems.abandoned) == (2, 1, 1)
    assert ems.answer_rate.value == ems.service_level.value == ems.abandon_rate.value == 0.5
    assert ems.speed_of_answer == 5.0
    # G is still talking: no answered call of the 120 has ended, nothing to average.
    assert ems.talk is None and ems.after_call is None and ems.handling is None
    assert text(ems, CallFigure.TALK) == "n/a"


def test_per_local_hour(day):
    assert list(day.by_hour) == [9, 10]
    nine, ten = day.by_hour[9], day.by_hour[10]
    # 09: A B C E offered (D short), A B C answered, A C within 15 s, E abandoned.
    assert (nine.offered, nine.answered, nine.counts.answered_in_target) == (4, 3, 2)
    assert (nine.answer_rate.percent(), nine.service_level.percent()) == ("75.0%", "50.0%")
    assert nine.abandon_rate.percent() == "25.0%"  # 1 / 4
    # 10: F G I offered (H pending), G answered within 15 s, I abandoned: 1/3 each.
    assert (ten.offered, ten.answered, ten.abandoned, ten.counts.pending) == (3, 1, 1, 1)
    assert ten.answer_rate.percent() == ten.abandon_rate.percent() == "33.3%"


def test_per_agent(day):
    assert set(day.by_agent) == {1, 2, 3}  # unanswered calls have no agent
    one, two, three = (day.by_agent[a] for a in (1, 2, 3))
    # Agent 1 answered A (14 s, talked 180 s) and C (15 s, 60 s).
    assert (one.answered, one.counts.answered_in_target) == (2, 2)
    assert one.speed_of_answer == 14.5  # (14 + 15) / 2
    assert (one.talk, one.after_call, one.handling) == (120.0, 30.0, 150.0)  # (180 + 60) / 2
    # Agent 2 answered B at 16 s: outside the 15 s.
    assert (two.answered, two.counts.answered_in_target, two.speed_of_answer) == (1, 0, 16.0)
    assert two.service_level.percent() == "0.0%"
    assert one.answered_in_target.percent() == "100.0%"  # 2 of agent 1's 2 answers
    assert (three.answered, three.talk) == (1, None)


def test_nothing_to_divide_by_is_none():
    empty = breakdown([], SETTINGS, "Asia/Shanghai").whole
    assert empty.answer_rate.value is None and empty.service_level.percent() == "n/a"
    assert empty.speed_of_answer is None and empty.talk is None and empty.handling is None
    # Only short abandons and live calls: still nothing offered.
    only = breakdown([DAY[3], DAY[7]], SETTINGS, "Asia/Shanghai").whole
    assert only.offered == 0 and only.abandon_rate.value is None


def test_a_longer_short_abandon_setting_takes_more_out():
    # With 45 s, D (3 s), E (40 s) and I (5 s) are all short abandons:
    # offered A B C F G = 5, answered A B C G = 4, abandoned 0.
    whole = breakdown(DAY, Settings(short_abandon_seconds=45), "Asia/Shanghai").whole
    assert (whole.offered, whole.abandoned, whole.counts.short_abandons) == (5, 0, 3)
    assert whole.answer_rate.percent() == "80.0%"  # 4 / 5


def test_changes_against_a_base(day):
    nine, ten = day.by_hour[9], day.by_hour[10]
    assert change(nine, ten, CallFigure.OFFERED) == "+1 (+33.3%)"  # 4 against 3
    assert change(nine, ten, CallFigure.ANSWER_RATE) == "+41.7"  # 75.0% - 33.3%, points
    assert change(nine, ten, CallFigure.SPEED_OF_ANSWER) == "+10.0"  # 15 s - 5 s
    assert change(ten, nine, CallFigure.TALK) == "n/a"  # nothing ended at 10
    empty = breakdown([], SETTINGS, "Asia/Shanghai").whole
    assert change(nine, empty, CallFigure.ANSWERED) == "+3 (n/a)"  # against zero
