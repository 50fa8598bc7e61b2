"""The distribution (ACD): which agent's phone a call rings, or its place in the queue.

Kamailio asks for every new call and again every `retry_ms` while it waits. A call goes to
an agent only when it heads its queue (first in, first out) and a ready agent with the
queue's skill is registered; the agent is taken with a compare-and-set on its version, so
two calls asked at once can never ring one agent.
"""

from datetime import datetime, timedelta

from sqlalchemy import literal, or_, select, text, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.core.accounts.roles import Role
from hotline.core.telephony.agents import AgentState, Skill
from hotline.core.telephony.calls import CallOutcome, CallState, is_stale
from hotline.core.telephony.line import (
    SUPERVISOR_QUEUE,
    Decision,
    LineSettings,
    reject,
    ring,
    wait,
)
from hotline.database import write_transaction
from hotline.models import Agent, Call, MaliciousNumber, User
from hotline.services.errors import Conflict, conflict_on_stale

ATTEMPTS = 3  # a lost compare-and-set is tried again at once
# A waiting call's "still here" (last_poll_at) is written at most this often: in between,
# its turns are read-only (is_stale allows at least three seconds).
REFRESH = timedelta(seconds=1)
WAITING = text("agents.state IN ('ready', 'after_call')")  # as ix_agents_waiting says


def route(
    session: Session,
    *,
    sip_call_id: str,
    caller: str,
    called: str,
    now: datetime,
    line: LineSettings,
) -> Decision:
    """The decision for a call Kamailio asks about (a new one, or one waiting)."""
    queue = line.queues.get(called)
    if queue is None:
        return reject(404, "Not Found")
    unchanged = _still_waiting(session, sip_call_id, now, line)
    if unchanged is not None:
        session.rollback()  # end the read: nothing was written
        return unchanged
    for attempt in range(ATTEMPTS):
        try:
            with conflict_on_stale(), write_transaction(session):
                return _decide(session, sip_call_id, caller, called, queue, now, line)
        except (Conflict, IntegrityError):
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _decide(session, sip_call_id, caller, called, queue, now, line) -> Decision:
    call = session.scalar(select(Call).where(Call.sip_call_id == sip_call_id))
    if call is None:
        call = _new_call(session, sip_call_id, caller, called, queue, now)
        if _waiting(session, call.queue, now, line) > line.queue_max:
            end_call(call, CallOutcome.REJECTED, now)
            return reject(486, "Queue Full")
    if call.state == CallState.ENDED:
        return reject(487, "Request Terminated")
    if call.state == CallState.TALKING:
        return reject(500, "Already Answered")
    if call.state == CallState.RINGING:
        # Kamailio asks again only after an offer failed: the event may not have come.
        _release_ringing_agent(session, call, now)
    call.last_poll_at = now
    position = _position(session, call, now, line)
    if position > 1:
        return wait(position, line)
    extension = _claim_agent(session, call, now)
    if extension is None:
        return wait(1, line)
    call.state = CallState.RINGING.value
    call.offered_at = call.offered_at or now
    call.offers += 1
    return ring(extension, line)


def _new_call(session, sip_call_id, caller, called, queue: Skill, now) -> Call:
    lock = session.scalar(
        select(MaliciousNumber)
        .where(MaliciousNumber.phone == caller, MaliciousNumber.until > now)
        .order_by(MaliciousNumber.until.desc())
        .limit(1)
    )
    call = Call(
        sip_call_id=sip_call_id,
        queue=SUPERVISOR_QUEUE if lock is not None and lock.to_supervisor else queue.value,
        called=called,
        state=CallState.QUEUED.value,
        queued_at=now,
        last_poll_at=now,
        flagged=lock is not None,
        offers=0,
        reconciled=False,
        direction="in",
    )
    call.set_caller(caller)
    session.add(call)
    session.flush()
    return call


def _waiting(session: Session, queue: str, now: datetime, line: LineSettings) -> int:
    rows = session.execute(
        select(Call.last_poll_at).where(
            Call.queue == queue, Call.state == CallState.QUEUED, Call.direction == "in"
        )
    ).scalars()
    return sum(1 for polled in rows if not is_stale(polled, now, line.retry_ms))


def _position(session: Session, call, now: datetime, line: LineSettings) -> int:
    """1 + the live calls ahead of this one in its queue (a call Kamailio stopped asking
    about holds no place)."""
    ahead = session.execute(
        select(Call.last_poll_at).where(
            Call.queue == call.queue,
            Call.state == CallState.QUEUED,
            Call.direction == "in",  # an agent's click-to-call waits for no agent
            tuple_(Call.queued_at, Call.id) < tuple_(call.queued_at, call.id),
        )
    ).scalars()
    return 1 + sum(1 for polled in ahead if not is_stale(polled, now, line.retry_ms))


def _candidates(call, now: datetime, limit: int):
    """The agents who may take this call now, longest waiting first (the partial index
    ix_agents_waiting holds exactly the ready and after-call agents, by ready_since)."""
    return (
        select(Agent.user_id, Agent.version, Agent.extension)
        .join(User, User.id == Agent.user_id)
        .where(
            # Written out, not bound: SQLite uses a partial index only for a WHERE that
            # states its condition in the same words.
            WAITING,
            # Ready, or after-call work over (core's takes_calls, in SQL).
            or_(Agent.state == AgentState.READY.value, Agent.after_call_until <= now),
            Agent.registered_until > now,
            User.active.is_(True),
            # The queue's agents only, in SQL: fifty ready 120 dispatchers waiting longer
            # must not hide a ready 12345 operator.
            User.role == Role.SUPERVISOR.value
            if call.queue == SUPERVISOR_QUEUE
            else (literal(",") + Agent.skills + ",").like(f"%,{call.queue},%"),
        )
        .order_by(Agent.ready_since, Agent.user_id)
        .limit(limit)
    )


def _claim_agent(session: Session, call: Call, now: datetime) -> str | None:
    """Take the longest-waiting ready agent who answers this queue; their extension.

    One agent at a time, locked on PostgreSQL with SKIP LOCKED: deciders at the same moment
    all want the longest-waiting agent, and would otherwise queue on its row lock (or, with
    a lock on every candidate, leave each other none). The compare-and-set on the version
    holds on both databases (SQLite's writers take turns)."""
    for _ in range(ATTEMPTS):
        locked = _candidates(call, now, limit=1).with_for_update(skip_locked=True, of=Agent)
        row = session.execute(locked).first()
        if row is None:
            return None
        taken = session.execute(
            update(Agent)
            .where(Agent.user_id == row.user_id, Agent.version == row.version)
            .values(
                state=AgentState.RINGING.value,
                state_since=now,
                call_id=call.id,
                version=row.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:
            call.agent_id = row.user_id
            return row.extension
    return None


def _anyone_free(session: Session, call, now: datetime) -> bool:
    """Whether an agent could take this call now (read only)."""
    return session.execute(_candidates(call, now, limit=1)).first() is not None


def _still_waiting(
    session: Session, sip_call_id: str, now: datetime, line: LineSettings
) -> Decision | None:
    """A waiting call asked about again, answered without the write lock when nothing
    changes: it is not first, or nobody is free, and it said it was alive less than
    REFRESH ago. None: the write path decides (the common peak case stays read-only)."""
    # Columns, not the row: the caller's sealed number is not opened on every turn.
    call = session.execute(
        select(Call.id, Call.queue, Call.queued_at, Call.state, Call.last_poll_at).where(
            Call.sip_call_id == sip_call_id
        )
    ).first()
    if call is None or call.state != CallState.QUEUED or call.last_poll_at is None:
        return None
    if now - call.last_poll_at > REFRESH:
        return None
    position = _position(session, call, now, line)
    if position > 1:
        return wait(position, line)
    return None if _anyone_free(session, call, now) else wait(1, line)


def _release_ringing_agent(session: Session, call: Call, now: datetime) -> None:
    """The offer to the ringing agent failed unreported: that agent is busy (示忙)."""
    if call.agent_id is not None:
        agent = session.get(Agent, call.agent_id)
        if agent is not None and agent.call_id == call.id:
            set_busy(agent, now)
    call.agent_id = None
    call.state = CallState.QUEUED.value


def set_busy(agent: Agent, now: datetime) -> None:
    """An agent whose phone did not take an offered call takes no more until they choose."""
    agent.state = AgentState.BUSY.value
    agent.state_since = now
    agent.call_id = None
    agent.ready_since = None
    agent.after_call_until = None


def ready_again(agent: Agent, now: datetime) -> None:
    """Back to ready after an offer that was not the agent's fault (the caller hung up),
    keeping the place in the waiting order the agent had."""
    agent.state = AgentState.READY.value
    agent.call_id = None
    agent.state_since = now
    agent.ready_since = agent.ready_since or now


def after_call(agent: Agent, at: datetime, line: LineSettings) -> None:
    """话后处理 from `at`: ready again, in the waiting order, when it is over."""
    agent.state = AgentState.AFTER_CALL.value
    agent.state_since = at
    agent.call_id = None
    agent.after_call_until = at + timedelta(seconds=line.after_call_seconds)
    agent.ready_since = agent.after_call_until


def end_call(call: Call, outcome: CallOutcome, now: datetime) -> None:
    """End a call with `outcome` (once: a later report changes nothing)."""
    if call.state != CallState.ENDED:
        call.state = CallState.ENDED.value
        call.outcome = outcome.value
        call.ended_at = now
