"""The hotline's key figures, defined once, from plain counts (see docs/DOMAIN.md).

Every rate is a `Rate`: numerator, denominator and value. A zero denominator gives the
value None, shown as "n/a"; nothing here ever divides by zero.
"""

from dataclasses import dataclass
from enum import StrEnum


class KeyFigure(StrEnum):
    """The rates a period is judged by; each value names its field in `Figures`."""

    RESPONSE = "response"  # 响应率
    ON_TIME = "on_time"  # 按时办结率
    RESOLUTION = "resolution"  # 解决率
    SATISFACTION = "satisfaction"  # 满意率
    SURVEY = "survey"  # 回访率
    COMPLETION = "completion"  # 办结率
    RETURNED = "returned"  # 退单率
    REOPEN = "reopen"  # 重办率
    DIRECT = "direct"  # 直接办结率
    REPEAT = "repeat"  # 重复来电率


@dataclass(frozen=True)
class Rate:
    """numerator / denominator, or None when there is nothing to divide by."""

    numerator: int
    denominator: int

    def __post_init__(self) -> None:
        if self.numerator < 0 or self.denominator < 0:
            raise ValueError("counts cannot be negative")
        if self.numerator > self.denominator:
            raise ValueError("a rate's numerator cannot exceed its denominator")

    @property
    def value(self) -> float | None:
        """The ratio in [0, 1], or None for a zero denominator."""
        return self.numerator / self.denominator if self.denominator else None

    def percent(self, digits: int = 1) -> str:
        """'97.5%' or 'n/a'."""
        value = self.value
        return "n/a" if value is None else f"{value * 100:.{digits}f}%"


@dataclass(frozen=True)
class Change:
    """A figure against its base period: absolute difference and percentage (None: zero base)."""

    current: float
    base: float

    @property
    def difference(self) -> float:
        """current - base."""
        return self.current - self.base

    @property
    def ratio(self) -> float | None:
        """(current - base) / base, or None when the base is zero."""
        return (self.current - self.base) / self.base if self.base else None

    def percent(self, digits: int = 1) -> str:
        """'+12.5%', '-3.0%' or 'n/a'."""
        ratio = self.ratio
        return "n/a" if ratio is None else f"{ratio * 100:+.{digits}f}%"


def survey_rate(made: int, planned: int) -> Rate:
    """回访率 = surveys made (caller reached) / surveys planned."""
    return Rate(made, planned)


def satisfaction_rate(satisfied: int, basically_satisfied: int, valid_answers: int) -> Rate:
    """满意率 = (满意 + 基本满意) / valid survey answers."""
    return Rate(satisfied + basically_satisfied, valid_answers)


def resolution_rate(resolved: int, valid_answers: int) -> Rate:
    """解决率 = "resolved" answers / valid survey answers."""
    return Rate(resolved, valid_answers)


def response_rate(accepted_in_time: int, routed: int) -> Rate:
    """响应率 = orders accepted within the response limit / orders routed."""
    return Rate(accepted_in_time, routed)


def on_time_rate(closed_by_due: int, due: int) -> Rate:
    """按时办结率 = orders closed by their due time / orders due in the period."""
    return Rate(closed_by_due, due)


def completion_rate(closed: int, received: int) -> Rate:
    """办结率 = closed / received in the period."""
    return Rate(closed, received)


def direct_closure_rate(closed_at_intake: int, received: int) -> Rate:
    """直接办结率 = orders closed at intake (answered on the call) / orders received."""
    return Rate(closed_at_intake, received)


def reopen_rate(reopened: int, valid_answers: int) -> Rate:
    """重办率 = surveys that reopened their order / valid survey answers."""
    return Rate(reopened, valid_answers)


def repeat_call_rate(follow_ups: int, received: int) -> Rate:
    """重复来电率 = follow-up calls / (orders received + follow-up calls), in the period.

    docs/DOMAIN.md names the figure without defining it. Every call about a matter either
    opens an order or is linked to an open one (追加诉求), so the denominator is the calls
    that reached an order and the rate is the share of them that repeated a known matter.
    """
    return Rate(follow_ups, received + follow_ups)


def points(now: Rate, then: Rate) -> float | None:
    """How many percentage points `now` is above `then` (None if either has no value)."""
    if now.value is None or then.value is None:
        return None
    return (now.value - then.value) * 100


def return_rate(returned: int, routed: int) -> Rate:
    """退单率 = orders the department sent back / (those + orders routed to it and kept).

    A returned order leaves the department, so it is not among `routed` (orders whose
    last dispatch to the department fell in the period): the two add up to what it received.
    """
    return Rate(returned, returned + routed)


@dataclass(frozen=True)
class Counts:
    """The plain counts of one period (for one department or for all)."""

    received: int = 0
    closed: int = 0
    routed: int = 0
    accepted_in_time: int = 0
    due: int = 0
    closed_by_due: int = 0
    surveys_planned: int = 0
    surveys_made: int = 0
    valid_answers: int = 0
    resolved: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    dissatisfied: int = 0
    reopened: int = 0
    returned: int = 0  # 退单 by the department's staff in the period
    closed_at_intake: int = 0  # of the received: answered and closed on the call
    follow_ups: int = 0  # calls linked to an open order in the period (追加诉求)


@dataclass(frozen=True)
class Figures:
    """All rates of one period, computed from its counts."""

    counts: Counts
    survey: Rate
    satisfaction: Rate
    resolution: Rate
    response: Rate
    on_time: Rate
    completion: Rate
    reopen: Rate
    returned: Rate
    direct: Rate
    repeat: Rate


def figures(counts: Counts) -> Figures:
    """Every rate of `counts`, by the definitions above."""
    return Figures(
        counts=counts,
        survey=survey_rate(counts.surveys_made, counts.surveys_planned),
        satisfaction=satisfaction_rate(
            counts.satisfied, counts.basically_satisfied, counts.valid_answers
        ),
        resolution=resolution_rate(counts.resolved, counts.valid_answers),
        response=response_rate(counts.accepted_in_time, counts.routed),
        on_time=on_time_rate(counts.closed_by_due, counts.due),
        completion=completion_rate(counts.closed, counts.received),
        reopen=reopen_rate(counts.reopened, counts.valid_answers),
        returned=return_rate(counts.returned, counts.routed),
        direct=direct_closure_rate(counts.closed_at_intake, counts.received),
        repeat=repeat_call_rate(counts.follow_ups, counts.received),
    )
