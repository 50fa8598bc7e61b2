"""What Kamailio reports about a call: answered, rang out, refused, hung up, ended.

Each report moves the call and the agent it concerns, once: a repeated or late report
changes nothing (Kamailio may send one twice, or after the app restarted).
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core.telephony.agents import AgentState
from hotline.core.telephony.calls import OFFER_FAILED, CallEvent, CallOutcome, CallState
from hotline.core.telephony.line import LineSettings
from hotline.database import write_transaction
from hotline.models import Agent, Call
from hotline.services.errors import Conflict, ValidationFailed, conflict_on_stale
from hotline.services.telephony.routing import after_call, end_call, ready_again, set_busy

ATTEMPTS = 3


def note_event(
    session: Session,
    *,
    sip_call_id: str,
    event: str,
    extension: str = "",
    now: datetime,
    line: LineSettings,
) -> bool:
    """Apply one report; False when the call is unknown (the app did not route it)."""
    try:
        kind = CallEvent(event)
    except ValueError:
        raise ValidationFailed({"event": "invalid"}) from None
    for attempt in range(ATTEMPTS):
        try:
            with conflict_on_stale(), write_transaction(session):
                call = session.scalar(select(Call).where(Call.sip_call_id == sip_call_id))
                if call is None:
                    return False
                agent = _agent(session, call, extension)
                _apply(call, agent, kind, now, line)
                return True
        except Conflict:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _agent(session: Session, call: Call, extension: str) -> Agent | None:
    """The agent the report concerns: the extension named, else the call's agent."""
    if extension:
        agent = session.scalar(select(Agent).where(Agent.extension == extension))
        if agent is not None:
            return agent
    return session.get(Agent, call.agent_id) if call.agent_id is not None else None


def _apply(call: Call, agent: Agent | None, kind: CallEvent, now, line: LineSettings) -> None:
    holds_call = agent is not None and agent.call_id == call.id
    state = CallState(call.state)
    if (
        call.direction == "out"
        and state is not CallState.TALKING
        and kind is not (CallEvent.ANSWERED)
    ):
        # Click to call: the citizen did not answer (or the agent gave up): it ends there.
        end_call(call, CallOutcome.NOT_ANSWERED, now)
        if holds_call:
            ready_again(agent, now)
        return
    if kind is CallEvent.ANSWERED and state in (CallState.QUEUED, CallState.RINGING):
        call.state = CallState.TALKING.value
        call.answered_at = now
        call.offered_at = call.offered_at or now
        # An outgoing call moves its agent only if it took them out of the queue (they were
        # ready): a busy or signed-out agent calling a citizen stays as they are.
        if agent is not None and (call.direction == "in" or holds_call):
            call.agent_id = agent.user_id
            _talking(agent, call, now)
    elif kind in OFFER_FAILED and state is CallState.RINGING:
        if holds_call and agent.user_id == call.agent_id:
            set_busy(agent, now)
            if kind is CallEvent.UNAVAILABLE:
                agent.registered_until = None  # Kamailio knows no phone behind it
        call.state = CallState.QUEUED.value
        call.agent_id = None
    elif kind is CallEvent.ABANDONED and state is not CallState.ENDED:
        if state is CallState.TALKING:  # a hang-up reported as a cancel: it was answered
            _ended(call, agent if holds_call else None, now, line)
            return
        end_call(call, CallOutcome.ABANDONED, now)
        call.agent_id = None
        if holds_call:
            ready_again(agent, now)  # the offer was not the agent's fault
    elif kind is CallEvent.ENDED and state is not CallState.ENDED:
        # Kamailio reports an end only for an answered call (a confirmed dialog): one the app
        # still has waiting was answered while it was down (the hunt group); its answer's
        # time comes from Kamailio's accounting (reconcile).
        _ended(call, agent if holds_call else None, now, line)


def _talking(agent: Agent, call: Call, now: datetime) -> None:
    agent.state = AgentState.TALKING.value
    agent.state_since = now
    agent.call_id = call.id
    agent.ready_since = None


def _ended(call: Call, agent: Agent | None, now: datetime, line: LineSettings) -> None:
    end_call(call, CallOutcome.ANSWERED, now)
    if agent is not None:
        after_call(agent, now, line)
