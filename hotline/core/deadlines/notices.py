"""Supervision notices (督办单): a supervisor's formal instruction on an order, with the time
by which the handling unit must answer; an unanswered notice escalates to the officials."""

from enum import StrEnum

MAX_TEXT = 4000  # an instruction or an answer


class NoticeState(StrEnum):
    """Where a notice stands (`supervision_notices.state`)."""

    OPEN = "open"  # waiting for the unit's answer
    ANSWERED = "answered"
    ESCALATED = "escalated"  # past its due time unanswered: raised to the officials
    WITHDRAWN = "withdrawn"  # the order left the unit unanswered: the unit can no longer answer


def notice_number(year: int, sequence: int) -> str:
    """The letter's number as the record shows it: 督〔2026〕第0007号."""
    return f"督〔{year}〕第{sequence:04d}号"
