"""Reading the line: an agent's screen pop, the call records' search, the live view of
agents and waiting calls, and linking a call to the order or incident it produced."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core import phone
from hotline.core.accounts.permissions import Permission, allows
from hotline.core.accounts.roles import Role
from hotline.core.telephony.agents import AgentState, effective, skills_from_text
from hotline.core.telephony.calls import CallOutcome, CallState, is_stale
from hotline.core.telephony.line import LineSettings
from hotline.database import write_transaction
from hotline.encryption import phone_index
from hotline.models import Agent, Call, WorkOrder

PAGE = 100


@dataclass(frozen=True)
class Pop:
    """What an agent's screen shows while their phone rings or talks."""

    call: Call
    state: AgentState
    history: list[WorkOrder]


def screen_pop(
    session: Session, *, user_id: int, role: Role, now: datetime
) -> tuple[Agent | None, Pop | None]:
    """The agent's phone state and, while a call rings or talks, the caller and their
    earlier orders (newest first) as far as the agent's role may read orders: none for
    120, no confidential report for a role that may not know who made one."""
    agent = session.get(Agent, user_id)
    if agent is None:
        return None, None
    state = effective(AgentState(agent.state), agent.after_call_until, now)
    if agent.call_id is None or state not in (AgentState.RINGING, AgentState.TALKING):
        return agent, None
    call = session.get(Call, agent.call_id)
    if call is None:
        return agent, None
    return agent, Pop(call, state, _history(session, call, role))


def _history(session: Session, call: Call, role: Role) -> list[WorkOrder]:
    if not allows(role, Permission.READ_ORDERS) or call.caller_index is None:
        return []
    statement = (
        select(WorkOrder)
        .where(WorkOrder.caller_phone_index == call.caller_index)
        .order_by(WorkOrder.created_at.desc())
        .limit(10)
    )
    if not allows(role, Permission.SEE_CONFIDENTIAL_REPORTERS):
        statement = statement.where(WorkOrder.confidential.is_(False))
    return list(session.scalars(statement))


def taken_by(session: Session, *, call_id: int | None, user_id: int) -> Call | None:
    """The call if this user's phone took it (rang or answered), else None."""
    if call_id is None:
        return None
    call = session.get(Call, call_id)
    return call if call is not None and call.agent_id == user_id else None


def link_hook(session: Session, *, call_id: int | None, user_id: int):
    """An intake's `on_created` hook: the call this agent answered records the order."""

    def hook(order_id: int) -> None:
        if call_id is None:
            return
        call = session.get(Call, call_id)
        if call is not None and call.agent_id == user_id and call.order_id is None:
            call.order_id = order_id

    return hook


def link_incident(session: Session, *, call_id: int | None, user_id: int, incident_id: int) -> None:
    """The 120 call this dispatcher's phone took records the incident it produced."""
    if call_id is None:
        return
    with write_transaction(session):
        call = session.get(Call, call_id)
        if call is not None and call.agent_id == user_id and call.incident_id is None:
            call.incident_id = incident_id


@dataclass(frozen=True)
class CallQuery:
    """The call records' search: a period, and optionally an outcome, agent or number."""

    since: datetime
    until: datetime
    outcome: str = ""
    agent_id: int | None = None
    caller: str = ""
    after_id: int = 0


def search(session: Session, query: CallQuery) -> list[Call]:
    """Calls that reached the line in the period, oldest first, a page at a time."""
    statement = (
        select(Call)
        .where(Call.queued_at >= query.since, Call.queued_at < query.until)
        .where(Call.id > query.after_id)
        .order_by(Call.id)
        .limit(PAGE)
    )
    if query.outcome:
        statement = statement.where(Call.outcome == query.outcome)
    if query.agent_id is not None:
        statement = statement.where(Call.agent_id == query.agent_id)
    if query.caller:
        statement = statement.where(Call.caller_index == phone_index(query.caller))
    return list(session.scalars(statement))


@dataclass(frozen=True)
class LiveView:
    """The floor now: agents by state, calls waiting per queue and the longest wait."""

    agents: list[tuple[Agent, AgentState]]
    by_state: dict[str, int]
    waiting: dict[str, int]
    longest_wait_seconds: int


def live(session: Session, *, now: datetime, line: LineSettings) -> LiveView:
    """Agents by state (signed-out agents left out) and the calls waiting now."""
    agents = []
    for agent in session.scalars(
        select(Agent).where(Agent.state != AgentState.SIGNED_OUT).order_by(Agent.extension)
    ):
        agents.append((agent, effective(AgentState(agent.state), agent.after_call_until, now)))
    waiting: Counter[str] = Counter()
    longest = 0
    for queue, queued_at, polled in session.execute(
        select(Call.queue, Call.queued_at, Call.last_poll_at).where(
            Call.state == CallState.QUEUED, Call.direction == "in"
        )
    ):
        if is_stale(polled, now, line.retry_ms):
            continue
        waiting[queue] += 1
        longest = max(longest, int((now - queued_at).total_seconds()))
    by_state = Counter(state.value for _agent, state in agents)
    return LiveView(agents, dict(by_state), dict(waiting), longest)


def api_item(call: Call) -> dict:
    """A call as GET /api/v1/calls gives it."""

    def stamp(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "call_id": call.sip_call_id,
        "caller": phone.mask(call.caller),  # a list: masked, as the orders' lists are
        "called": call.called,
        "queued_at": stamp(call.queued_at),
        "offered_at": stamp(call.offered_at),
        "answered_at": stamp(call.answered_at),
        "ended_at": stamp(call.ended_at),
        "agent": call.agent.username if call.agent is not None else None,
        "outcome": call.outcome,
        "order": call.order.number if call.order is not None else None,
        "recording": call.recording,
    }


MISSED_WINDOW = timedelta(hours=24)


def missed_calls(
    session: Session, *, user_id: int, now: datetime, line: LineSettings
) -> list[Call]:
    """回拨: the last day's missed calls of the agent's queues (abandoned after more than the
    short-abandon time, or refused because the queue was full) that nobody has returned."""
    agent = session.get(Agent, user_id)
    if agent is None:
        return []
    queues = [skill.value for skill in skills_from_text(agent.skills)]
    returned = select(Call.returns_call_id).where(Call.returns_call_id.is_not(None))
    rows = session.scalars(
        select(Call)
        .where(
            Call.direction == "in",
            Call.queue.in_(queues),
            Call.outcome.in_([CallOutcome.ABANDONED, CallOutcome.REJECTED]),
            Call.queued_at >= now - MISSED_WINDOW,
            Call.id.not_in(returned),
        )
        .order_by(Call.queued_at.desc())
        .limit(PAGE)
    )
    short = timedelta(seconds=line.short_abandon_seconds)
    return [
        call
        for call in rows
        if call.caller
        and (call.outcome == CallOutcome.REJECTED or call.ended_at - call.queued_at >= short)
    ]
