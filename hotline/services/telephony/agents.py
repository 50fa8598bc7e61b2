"""Agents' own choices (签入/签出, 示闲, 示忙, 小休) and their phones' registrations."""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core.telephony.agents import AgentState, effective, may_choose
from hotline.database import write_transaction
from hotline.models import Agent
from hotline.services.errors import Conflict, NotFound, ValidationFailed, conflict_on_stale

# A registration is believed a little past its expiry: the phone re-registers just before.
REGISTRATION_GRACE = timedelta(seconds=10)


def choose_state(
    session: Session, *, user_id: int, wanted: str, reason: str = "", now: datetime
) -> Agent:
    """The agent's own choice of state; refused while their phone rings or talks."""
    try:
        target = AgentState(wanted)
    except ValueError:
        raise ValidationFailed({"state": "invalid"}) from None
    with conflict_on_stale(), write_transaction(session):
        agent = session.get(Agent, user_id)
        if agent is None:
            raise NotFound("no_phone")
        current = effective(AgentState(agent.state), agent.after_call_until, now)
        refusal = may_choose(current, target, reason)
        if refusal == "on_a_call":
            raise Conflict("on_a_call")
        if refusal:
            raise ValidationFailed({"reason" if "reason" in refusal else "state": refusal})
        if current is target and target is not AgentState.BREAK:
            return agent  # a second click changes nothing, not even the waiting order
        agent.state = target.value
        agent.state_since = now
        agent.break_reason = reason.strip() if target is AgentState.BREAK else ""
        agent.after_call_until = None
        # Ready agents wait in order: the one ready longest gets the next call.
        agent.ready_since = now if target is AgentState.READY else None
    return agent


def note_registration(session: Session, *, extension: str, expires: int, now: datetime) -> bool:
    """Kamailio registered (or unregistered, `expires` 0) an extension's phone."""
    with write_transaction(session):
        agent = session.scalar(select(Agent).where(Agent.extension == extension))
        if agent is None:
            return False
        if expires > 0:
            agent.registered_until = now + timedelta(seconds=expires) + REGISTRATION_GRACE
        else:
            agent.registered_until = None
    return True


def agent_of(session: Session, user_id: int) -> Agent | None:
    """The user's phone and state, if they have a phone."""
    return session.get(Agent, user_id)
