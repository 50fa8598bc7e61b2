"""The phone line's figures (话务指标) from plain call rows, per hour, agent, queue and period.

Definitions (docs/DOMAIN.md "Call-centre telephony and its figures", core/telephony/calls.py):

- A call counts once its fate is known: it was answered (`answered_at`) or it ended. Calls
  still waiting or ringing are left out (`pending`), so that a live day's 接通率 does not
  dip for the calls in the queue right now.
- *offered* = the inbound calls that reached the queue for a person (`queued_at` in the
  period), rejected calls (queue full) included, short abandons left out: an abandon whose
  wait (`ended_at - queued_at`) is under the short-abandon setting
  (TELEPHONY_SHORT_ABANDON_SECONDS, 5 s unless set). Short abandons are counted apart.
- *answered* = offered calls an agent's phone answered; *abandoned* = offered calls the
  caller ended before an answer (short abandons excluded); rejected and not-answered calls
  are offered and neither answered nor abandoned.
- *wait* = `answered_at - queued_at` (from reaching the queue, not from the first ring).
- 接通率 = answered / offered; 15-second service level (15秒接通率) = answered with a wait of
  at most 15 s / offered; 放弃率 = abandoned / offered.
- average speed of answer = total wait of the answered / answered; average talk time =
  total `ended_at - answered_at` / answered calls that have ended; average after-call work
  = the configured after-call seconds (TELEPHONY_AFTER_CALL_SECONDS) per answered call that
  has ended: the line records no agent state history, so the time an agent actually spent
  (or cut short by choosing 示闲) is not known; average handling time = talk + after-call
  work per answered call that has ended.
- Every rate and average is None when its denominator is 0.
- Groups: the local hour (0-23) the call reached the queue, the agent (the one who answered;
  an unanswered call has no agent, so per agent only the answered figures mean something),
  the queue (12345, 120, survey, supervisor), and the whole period.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from hotline.core.reports.kpi import Rate
from hotline.core.telephony.calls import CallOutcome, counts_as_offered

SERVICE_LEVEL_SECONDS = 15  # GB/T 33358-2016: answered within 15 s


class CallFigure(StrEnum):
    """The figures of the line; each value names its field in `CallFigures`."""

    OFFERED = "offered"  # 呼入量
    ANSWERED = "answered"  # 接通量
    ABANDONED = "abandoned"  # 放弃量
    ANSWER_RATE = "answer_rate"  # 接通率
    SERVICE_LEVEL = "service_level"  # 15秒接通率
    ABANDON_RATE = "abandon_rate"  # 放弃率
    SPEED_OF_ANSWER = "speed_of_answer"  # 平均应答时长
    TALK = "talk"  # 平均通话时长
    AFTER_CALL = "after_call"  # 平均话后处理时长
    HANDLING = "handling"  # 平均处理时长


COUNTS = (CallFigure.OFFERED, CallFigure.ANSWERED, CallFigure.ABANDONED)
RATES = (CallFigure.ANSWER_RATE, CallFigure.SERVICE_LEVEL, CallFigure.ABANDON_RATE)
AVERAGES = (CallFigure.SPEED_OF_ANSWER, CallFigure.TALK, CallFigure.AFTER_CALL, CallFigure.HANDLING)


@dataclass(frozen=True)
class CallRow:
    """One call as the figures need it (times are aware; outcome None while live)."""

    queued_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    outcome: str | None
    agent: int | None
    queue: str


@dataclass(frozen=True)
class Settings:
    """The line's settings the figures depend on."""

    after_call_seconds: int = 30
    short_abandon_seconds: int = 5
    target_seconds: int = SERVICE_LEVEL_SECONDS


# What a call is for the counts: its kind, its wait and its talk (seconds, answered only).
Seen = tuple[str, float, float | None]
_PENDING, _SHORT, _ANSWERED, _ABANDONED, _REJECTED, _UNANSWERED = (
    "pending",
    "short",
    "answered",
    "abandoned",
    "rejected",
    "unanswered",
)


def classify(row: CallRow, settings: Settings) -> Seen:
    """Whether a call is pending, a short abandon, answered (with its wait and talk),
    abandoned, rejected or otherwise unanswered."""
    if row.answered_at is None:
        if row.outcome is None:
            return _PENDING, 0.0, None
        outcome = CallOutcome(row.outcome)
        waited = _seconds(row.ended_at, row.queued_at) if row.ended_at else 0.0
        if not counts_as_offered(outcome, waited, settings.short_abandon_seconds):
            return _SHORT, waited, None
        if outcome is CallOutcome.ABANDONED:
            return _ABANDONED, waited, None
        return (_REJECTED if outcome is CallOutcome.REJECTED else _UNANSWERED), waited, None
    wait = _seconds(row.answered_at, row.queued_at)
    talk = _seconds(row.ended_at, row.answered_at) if row.ended_at else None
    return _ANSWERED, wait, talk


def _seconds(later: datetime, earlier: datetime) -> float:
    """A duration to the millisecond, as the database sums it (SQLite's julianday() keeps
    milliseconds): a wait of 15.0004 s is within 15 s on every path."""
    return round((later - earlier).total_seconds(), 3)


@dataclass
class CallCounts:
    """The plain counts and second totals of a group of calls."""

    offered: int = 0
    answered: int = 0
    answered_in_target: int = 0
    abandoned: int = 0
    rejected: int = 0
    short_abandons: int = 0  # on record, not offered
    pending: int = 0  # still waiting or ringing: not counted yet
    wait_seconds: float = 0.0  # of the answered
    ended_answered: int = 0  # answered calls that have ended
    talk_seconds: float = 0.0  # of those
    after_call_seconds: float = 0.0  # of those

    def add(self, row: CallRow, settings: Settings) -> None:
        """Count one call by the definitions above."""
        self.count(classify(row, settings), settings)

    def count(self, seen: "Seen", settings: Settings) -> None:
        """Count a call already classified (one classification for all its groups)."""
        kind, wait, talk = seen
        if kind == _PENDING:
            self.pending += 1
        elif kind == _SHORT:
            self.short_abandons += 1
        elif kind == _ANSWERED:
            self.offered += 1
            self.answered += 1
            self.answered_in_target += wait <= settings.target_seconds
            self.wait_seconds += wait
            if talk is not None:
                self.ended_answered += 1
                self.talk_seconds += talk
                self.after_call_seconds += settings.after_call_seconds
        else:
            self.offered += 1
            self.abandoned += kind == _ABANDONED
            self.rejected += kind == _REJECTED

    def add_counts(self, other: "CallCounts") -> None:
        """Add another group's counts to these."""
        for name in (f.name for f in fields(CallCounts)):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def merged(self, other: "CallCounts") -> "CallCounts":
        """The two groups' counts added up."""
        names = [f.name for f in fields(CallCounts)]
        return CallCounts(**{n: getattr(self, n) + getattr(other, n) for n in names})


def _average(total: float, count: int) -> float | None:
    return total / count if count else None


@dataclass(frozen=True)
class CallFigures:
    """A group's counts, rates (`Rate`) and averages (seconds, None: nothing to average)."""

    counts: CallCounts
    answer_rate: Rate
    service_level: Rate
    abandon_rate: Rate
    speed_of_answer: float | None
    talk: float | None
    after_call: float | None
    handling: float | None

    @property
    def offered(self) -> int:
        """Calls offered."""
        return self.counts.offered

    @property
    def answered(self) -> int:
        """Calls answered."""
        return self.counts.answered

    @property
    def abandoned(self) -> int:
        """Calls abandoned (short abandons excluded)."""
        return self.counts.abandoned

    @property
    def answered_in_target(self) -> Rate:
        """Of the answered calls, those answered within the target (an agent's figure)."""
        return Rate(self.counts.answered_in_target, self.counts.answered)


def figures(counts: CallCounts) -> CallFigures:
    """Every rate and average of `counts`, by the definitions above."""
    c, ended = counts, counts.ended_answered
    return CallFigures(
        counts=c,
        answer_rate=Rate(c.answered, c.offered),
        service_level=Rate(c.answered_in_target, c.offered),
        abandon_rate=Rate(c.abandoned, c.offered),
        speed_of_answer=_average(c.wait_seconds, c.answered),
        talk=_average(c.talk_seconds, ended),
        after_call=_average(c.after_call_seconds, ended),
        handling=_average(c.talk_seconds + c.after_call_seconds, ended),
    )


@dataclass(frozen=True)
class Breakdown:
    """A period's figures as a whole and per local hour, agent and queue."""

    whole: CallFigures
    by_hour: dict[int, CallFigures] = field(default_factory=dict)
    by_agent: dict[int, CallFigures] = field(default_factory=dict)
    by_queue: dict[str, CallFigures] = field(default_factory=dict)


def breakdown(rows: Iterable[CallRow], settings: Settings, timezone: str) -> Breakdown:
    """The figures of `rows` (read once, so a stream will do), grouped in one pass."""
    zone = ZoneInfo(timezone)
    whole = CallCounts()
    hours: dict[int, CallCounts] = {}
    agents: dict[int, CallCounts] = {}
    queues: dict[str, CallCounts] = {}
    for row in rows:
        hour = row.queued_at.astimezone(zone).hour
        groups = [whole, hours.setdefault(hour, CallCounts())]
        groups.append(queues.setdefault(row.queue, CallCounts()))
        if row.agent is not None:
            groups.append(agents.setdefault(row.agent, CallCounts()))
        seen = classify(row, settings)
        for counts in groups:
            counts.count(seen, settings)
    return Breakdown(
        whole=figures(whole),
        by_hour={h: figures(c) for h, c in sorted(hours.items())},
        by_agent={a: figures(c) for a, c in agents.items()},
        by_queue={q: figures(c) for q, c in sorted(queues.items())},
    )


def value(found: CallFigures, figure: CallFigure) -> float | None:
    """A figure's number: a count, a rate in [0, 1] or an average in seconds (or None)."""
    if figure in COUNTS:
        return getattr(found, figure.value)
    if figure in RATES:
        return getattr(found, figure.value).value
    return getattr(found, figure.value)


def text(found: CallFigures, figure: CallFigure) -> str:
    """A figure as shown: '12', '95.0%', '8.5' (seconds) or 'n/a'."""
    if figure in RATES:
        return getattr(found, figure.value).percent()
    number = value(found, figure)
    if number is None:
        return "n/a"
    return f"{number:g}" if figure in COUNTS else f"{number:.1f}"


def change(now: CallFigures, then: CallFigures, figure: CallFigure) -> str:
    """The change against a base: counts '+4 (+33.3%)', rates in percentage points
    '+1.5', averages in seconds '-2.0'; 'n/a' when either side has no value."""
    current, base = value(now, figure), value(then, figure)
    if current is None or base is None:
        return "n/a"
    if figure in COUNTS:
        ratio = "n/a" if not base else f"{(current - base) / base * 100:+.1f}%"
        return f"{current - base:+g} ({ratio})"
    if figure in RATES:
        return f"{(current - base) * 100:+.1f}"
    return f"{current - base:+.1f}"
