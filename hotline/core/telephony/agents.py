"""Agents (坐席): the states a person with a phone goes through, and which they may choose.

An agent chooses signed out (签出), ready (示闲), busy (示忙) or break (小休, with a reason).
The call distribution puts a ready agent's phone ringing, then on a call; when the call ends
the agent is in after-call work (话后处理) for a set time and then ready again without a
click. Ready agents wait in order: the one ready longest gets the next call.
"""

from datetime import datetime
from enum import StrEnum


class AgentState(StrEnum):
    """Where an agent is; the first four are the agent's own choice."""

    SIGNED_OUT = "signed_out"  # 签出: takes no calls
    READY = "ready"  # 示闲: waits for a call
    BUSY = "busy"  # 示忙: signed in, takes no calls (also after a call they did not answer)
    BREAK = "break"  # 小休, with a reason
    RINGING = "ringing"  # a call is offered to the agent's phone
    TALKING = "talking"  # on a call
    AFTER_CALL = "after_call"  # 话后处理: then ready, by itself


class Skill(StrEnum):
    """A queue an agent answers: the number citizens dial, or the survey desk (回访)."""

    HOTLINE = "12345"
    EMS = "120"
    SURVEY = "survey"  # 回访: calling citizens back (the "callback" skill)


CHOSEN = frozenset({AgentState.SIGNED_OUT, AgentState.READY, AgentState.BUSY, AgentState.BREAK})
ON_A_CALL = frozenset({AgentState.RINGING, AgentState.TALKING})
BREAK_REASON_LIMIT = 60


def may_choose(current: AgentState, wanted: AgentState, reason: str = "") -> str | None:
    """Why an agent in `current` may not choose `wanted`, or None when they may."""
    if wanted not in CHOSEN:
        return "not_a_choice"
    if current in ON_A_CALL:
        return "on_a_call"  # the call decides; the agent chooses again after it
    if wanted is AgentState.BREAK and not reason.strip():
        return "reason_required"
    if len(reason) > BREAK_REASON_LIMIT:
        return "too_long"
    return None


def effective(state: AgentState, after_call_until: datetime | None, now: datetime) -> AgentState:
    """The state as of `now`: after-call work whose time is up is ready."""
    if state is AgentState.AFTER_CALL and (after_call_until is None or after_call_until <= now):
        return AgentState.READY
    return state


def takes_calls(state: AgentState, after_call_until: datetime | None, now: datetime) -> bool:
    """Whether the distribution may ring this agent now."""
    return effective(state, after_call_until, now) is AgentState.READY


def skills_from_text(text: str) -> frozenset[Skill]:
    """The skills in a comma-separated column; unknown words are ignored."""
    known = {skill.value for skill in Skill}
    return frozenset(Skill(word) for word in text.split(",") if word.strip() in known)


def skills_to_text(skills) -> str:
    """The column's text for a set of skills, in a stable order."""
    return ",".join(sorted(Skill(skill).value for skill in skills))
