"""A call's life in the queue, the events Kamailio reports, and how each call ends.

Definitions (docs/TELEPHONY.md, DOMAIN): a call is *offered* when it reaches the queue for
a person (`queued_at`); it is *answered* when an agent's phone answers; *abandoned* when
the caller hangs up before an answer; *not answered* when it ends unanswered otherwise
(nobody's phone answered and the line gave up); *rejected* when the queue was full. The
wait of a call is from reaching the queue to the answer. Short abandons (the caller hung
up within TELEPHONY_SHORT_ABANDON_SECONDS of reaching the queue) are kept on record but
left out of the offered calls of the figures; rejected calls count as offered and not
answered.
"""

from datetime import datetime, timedelta
from enum import StrEnum


class CallState(StrEnum):
    """Where a call is now."""

    QUEUED = "queued"  # waiting for a free agent
    RINGING = "ringing"  # offered to one agent's phone
    TALKING = "talking"
    ENDED = "ended"


class CallOutcome(StrEnum):
    """How a call ended."""

    ANSWERED = "answered"
    ABANDONED = "abandoned"
    NOT_ANSWERED = "not_answered"
    REJECTED = "rejected"


class CallEvent(StrEnum):
    """What Kamailio reports about a call."""

    ANSWERED = "answered"
    NO_ANSWER = "no_answer"  # the agent's phone rang out
    BUSY = "busy"  # the agent's phone refused
    UNAVAILABLE = "unavailable"  # the agent's phone is not registered or not reachable
    ABANDONED = "abandoned"  # the caller hung up before an answer
    ENDED = "ended"  # the answered call ended


# Events after which the call waits for the next agent, and the ringing agent is busy.
OFFER_FAILED = frozenset({CallEvent.NO_ANSWER, CallEvent.BUSY, CallEvent.UNAVAILABLE})


def outcome_of_hang_up(state: CallState, answered: bool) -> CallOutcome:
    """The outcome when the caller hangs up in `state`."""
    if answered or state is CallState.TALKING:
        return CallOutcome.ANSWERED
    return CallOutcome.ABANDONED


def is_stale(last_poll_at: datetime | None, now: datetime, retry_ms: int) -> bool:
    """Whether a queued call stopped asking (Kamailio lost it): it no longer holds the head
    of the queue. Five missed turns, and never under three seconds."""
    if last_poll_at is None:
        return False
    patience = max(timedelta(seconds=3), timedelta(milliseconds=5 * retry_ms))
    return now - last_poll_at > patience


def counts_as_offered(outcome: CallOutcome | None, wait_seconds: float, short_abandon: int) -> bool:
    """Whether a call counts among the offered calls of the figures: every call that
    reached the line, the rejected ones included (the caller got no answer: leaving them
    out would flatter 接通率), but the short abandons."""
    return not (outcome is CallOutcome.ABANDONED and wait_seconds < short_abandon)
