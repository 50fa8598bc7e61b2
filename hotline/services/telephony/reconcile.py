"""Completing the call records from Kamailio's own accounting (acc), the source of truth
when the app missed events: it was down, restarted, or Kamailio rang the fallback hunt
group. Runs as a scheduler job over the rows added since its last run (a cursor in
app_settings), so it is cheap, and safe to run twice (each row moves a call at most once).

acc rows (Kamailio's `acc` table): an INVITE answered (200, at the answer) and a BYE (at
the end); `missed_calls`: an INVITE that failed (487 when the caller cancelled, else the
agent's phone or the line's failure). Times are the PBX's UTC (deploy/telephony/pbx.sh
runs Kamailio with TZ=UTC).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.orm import Session

from hotline.core.telephony.agents import AgentState, Skill
from hotline.core.telephony.calls import CallOutcome, CallState
from hotline.core.telephony.line import LineSettings
from hotline.database import write_transaction
from hotline.models import Agent, AppSetting, Call
from hotline.services.telephony.routing import end_call, ready_again

CURSOR_KEY = "telephony.acc_cursor"
BATCH = 2000
# A call still waiting or ringing this long after Kamailio last asked is lost (Kamailio
# itself stopped): it ends as not answered.
LOST_AFTER = timedelta(minutes=10)
_ENGINES: dict[str, Engine] = {}


@dataclass(frozen=True)
class AccRow:
    """One accounting row, as Kamailio wrote it."""

    table: str  # "acc" or "missed_calls"
    id: int
    method: str
    sip_code: str
    callid: str
    time: datetime
    caller: str
    called: str
    extension: str


def acc_engine(url: str) -> Engine:
    """One engine per accounting database per process."""
    if url not in _ENGINES:
        _ENGINES[url] = create_engine(url, pool_pre_ping=True)
    return _ENGINES[url]


def read_rows(engine: Engine, after: dict[str, int]) -> list[AccRow]:
    """The accounting rows after the cursor, oldest first."""
    rows: list[AccRow] = []
    with engine.connect() as connection:
        for table in ("acc", "missed_calls"):
            found = connection.execute(
                text(
                    f"SELECT id, method, sip_code, callid, time, caller, called, extension "  # noqa: S608 - fixed names
                    f"FROM {table} WHERE id > :after ORDER BY id LIMIT :batch"
                ),
                {"after": after.get(table, 0), "batch": BATCH},
            )
            for row in found:
                moment = row.time if isinstance(row.time, datetime) else _parse(row.time)
                rows.append(
                    AccRow(
                        table,
                        row.id,
                        row.method,
                        str(row.sip_code),
                        row.callid,
                        moment.replace(tzinfo=UTC),
                        row.caller,
                        row.called,
                        row.extension,
                    )
                )
    rows.sort(key=lambda r: (r.time, r.table, r.id))
    return rows


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(str(value).replace("T", " ").split(".")[0])


def reconcile(session: Session, *, engine: Engine, now: datetime, line: LineSettings) -> int:
    """Apply the accounting rows since the last run, end lost calls; how many calls moved."""
    with write_transaction(session):
        cursor = _cursor(session)
        rows = read_rows(engine, cursor)
        moved = set()
        for row in rows:
            if _apply(session, row, line):
                moved.add(row.callid)
            cursor[row.table] = max(cursor.get(row.table, 0), row.id)
        moved |= _end_lost(session, now)
        _save_cursor(session, cursor)
    return len(moved)


def _cursor(session: Session) -> dict[str, int]:
    setting = session.get(AppSetting, CURSOR_KEY)
    if setting is None:
        return {}
    acc, missed = (int(part) for part in setting.value.split(":"))
    return {"acc": acc, "missed_calls": missed}


def _save_cursor(session: Session, cursor: dict[str, int]) -> None:
    value = f"{cursor.get('acc', 0)}:{cursor.get('missed_calls', 0)}"
    setting = session.get(AppSetting, CURSOR_KEY)
    if setting is None:
        session.add(AppSetting(key=CURSOR_KEY, value=value))
    else:
        setting.value = value


def _apply(session: Session, row: AccRow, line: LineSettings) -> bool:
    call = session.scalar(select(Call).where(Call.sip_call_id == row.callid))
    answered = row.table == "acc" and row.method == "INVITE" and row.sip_code.startswith("2")
    ended = row.table == "acc" and row.method == "BYE"
    if call is None:
        if not (answered or row.table == "missed_calls") or row.called not in line.queues:
            return False
        call = _unseen_call(session, row, line)
    agent = (
        session.scalar(select(Agent).where(Agent.extension == row.extension))
        if (row.extension)
        else None
    )
    if answered and call.answered_at is None and call.state != CallState.ENDED:
        call.state = CallState.TALKING.value
        call.answered_at = row.time
        call.offered_at = call.offered_at or row.time
        call.agent_id = agent.user_id if agent is not None else call.agent_id
        call.reconciled = True
        return True
    if ended and call.state != CallState.ENDED:
        end_call(call, CallOutcome.ANSWERED, row.time)
        call.reconciled = True
        if agent is not None and agent.call_id == call.id:
            agent.state = AgentState.AFTER_CALL.value
            agent.state_since = row.time
            agent.call_id = None
            agent.after_call_until = row.time + timedelta(seconds=line.after_call_seconds)
            agent.ready_since = agent.after_call_until
        return True
    if row.table == "missed_calls" and call.state in (CallState.QUEUED, CallState.RINGING):
        cancelled = row.sip_code == "487"
        end_call(call, CallOutcome.ABANDONED if cancelled else CallOutcome.NOT_ANSWERED, row.time)
        call.reconciled = True
        _free_agent(session, call, row.time)
        return True
    return False


def _unseen_call(session: Session, row: AccRow, line: LineSettings) -> Call:
    """A call the app never routed (it was down: Kamailio rang the hunt group)."""
    queue: Skill = line.queues[row.called]
    call = Call(
        sip_call_id=row.callid,
        queue=queue.value,
        called=row.called,
        state=CallState.QUEUED.value,
        queued_at=row.time,
        offers=1,
        flagged=False,
        reconciled=True,
        direction="in",
    )
    call.set_caller(row.caller or "anonymous")
    session.add(call)
    session.flush()
    return call


def _end_lost(session: Session, now: datetime) -> set[str]:
    lost = session.scalars(
        select(Call).where(
            Call.state.in_([CallState.QUEUED, CallState.RINGING]),
            Call.last_poll_at < now - LOST_AFTER,
        )
    ).all()
    for call in lost:
        end_call(call, CallOutcome.NOT_ANSWERED, call.last_poll_at)
        call.reconciled = True
        _free_agent(session, call, now)
    return {call.sip_call_id for call in lost}


def _free_agent(session: Session, call: Call, now: datetime) -> None:
    """The agent a call that ended unanswered still held is ready again."""
    if call.agent_id is None:
        return
    holder = session.get(Agent, call.agent_id)
    if holder is not None and holder.call_id == call.id:
        ready_again(holder, now)
