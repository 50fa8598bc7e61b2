"""Completing the call records from Kamailio's own accounting (acc), the source of truth
when the app missed events: it was down, restarted, or Kamailio rang the fallback hunt
group. Runs as a scheduler job over the rows added since its last run (a cursor in
app_settings), so it is cheap, and safe to run twice (each row moves a call at most once).

acc rows (Kamailio's `acc` table): an INVITE answered (200; its time is the INVITE's, to
the second) and a BYE (at the end); `missed_calls`: an INVITE that failed (487 when the
caller cancelled, else the agent's phone or the line's failure). Times are the PBX's UTC
(deploy/telephony/pbx.sh runs Kamailio with TZ=UTC).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, create_engine, or_, select, text
from sqlalchemy.orm import Session

from hotline.core.telephony.agents import ON_A_CALL, Skill
from hotline.core.telephony.calls import CallOutcome, CallState
from hotline.core.telephony.line import LineSettings
from hotline.database import write_transaction
from hotline.models import Agent, AppSetting, Call
from hotline.services.telephony.routing import after_call, end_call, ready_again

CURSOR_KEY = "telephony.acc_cursor"
BATCH = 2000
# A call still waiting or ringing this long after Kamailio last asked is lost (Kamailio
# itself stopped): it ends as not answered.
LOST_AFTER = timedelta(minutes=10)
# Rows younger than this wait for the next run: a call's later rows (its answer on another
# branch, its end) come with it.
SETTLE = timedelta(seconds=20)
GRACE = timedelta(seconds=2)
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


def read_rows(engine: Engine, after: dict[str, int], settled: datetime) -> list[AccRow]:
    """The accounting rows after the cursor and older than `settled`, oldest first."""
    rows: list[AccRow] = []
    with engine.connect() as connection:
        for table in ("acc", "missed_calls"):
            found = connection.execute(
                text(
                    f"SELECT id, method, sip_code, callid, time, caller, called, extension "  # noqa: S608 - fixed names
                    f"FROM {table} WHERE id > :after AND time < :settled ORDER BY id LIMIT :batch"
                ),
                {
                    "after": after.get(table, 0),
                    "batch": BATCH,
                    "settled": _as_stored(engine, settled),
                },
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


def _as_stored(engine: Engine, moment: datetime):
    """`moment` as the accounting table stores times: UTC text on SQLite (the trigger's
    `2026-11-29 02:29:43.500`, which compares as text), a plain timestamp otherwise."""
    naive = moment.astimezone(UTC).replace(tzinfo=None)
    return naive.strftime("%Y-%m-%d %H:%M:%S") if engine.dialect.name == "sqlite" else naive


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(str(value).replace("T", " ").split(".")[0])


def reconcile(session: Session, *, engine: Engine, now: datetime, line: LineSettings) -> int:
    """Apply the settled accounting rows since the last run, end lost calls; how many calls
    moved. A call's rows are read together: a branch that failed (an agent's phone refused
    or rang out) is not the call's end when another branch answered or it waited on."""
    with write_transaction(session):
        cursor = _cursor(session)
        by_call: dict[str, list[AccRow]] = {}
        for row in read_rows(engine, cursor, settled=now - SETTLE):
            by_call.setdefault(row.callid, []).append(row)
            cursor[row.table] = max(cursor.get(row.table, 0), row.id)
        moved = {callid for callid, rows in by_call.items() if _apply(session, rows, line)}
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


def _apply(session: Session, rows: list[AccRow], line: LineSettings) -> bool:
    """One call's accounting rows (oldest first): answered, ended, or ended unanswered."""
    answer = next(
        (
            r
            for r in rows
            if r.table == "acc" and r.method == "INVITE" and r.sip_code.startswith("2")
        ),
        None,
    )
    end = next((r for r in rows if r.table == "acc" and r.method == "BYE"), None)
    misses = [r for r in rows if r.table == "missed_calls"]
    call = session.scalar(select(Call).where(Call.sip_call_id == rows[0].callid))
    if call is None:
        if rows[0].called not in line.queues:
            return False  # not a queue's call (click to call: the app made its record)
        call = _unseen_call(session, rows[0], line)
    moved = False
    answered_on_record = call.state != CallState.ENDED or call.outcome == CallOutcome.ANSWERED
    if answer is not None and call.answered_at is None and answered_on_record:
        agent = _agent(session, answer.extension)
        call.state = CallState.TALKING.value
        # acc keeps the INVITE's time, to the second: never before the call reached the
        # queue or rang (a wait of such a call is understated, never negative).
        call.answered_at = max(answer.time, call.offered_at or call.queued_at)
        call.offered_at = call.offered_at or call.answered_at
        call.agent_id = agent.user_id if agent is not None else call.agent_id
        call.reconciled = moved = True
    if end is not None and call.answered_at is not None and call.state != CallState.ENDED:
        end_call(call, CallOutcome.ANSWERED, end.time)
        call.reconciled = moved = True
        agent = _agent(session, end.extension) or (
            session.get(Agent, call.agent_id) if call.agent_id else None
        )
        if agent is not None and agent.call_id == call.id:
            after_call(agent, end.time, line)
    if answer is None and misses and _ended_unanswered(session, call, misses[-1]):
        moved = True
    return moved


def _ended_unanswered(session: Session, call: Call, last: AccRow) -> bool:
    """A call whose last branch failed ends there, unless the app heard more of it."""
    if call.answered_at is not None or call.state not in (CallState.QUEUED, CallState.RINGING):
        return False
    # Asked about after its last failed branch: it went on waiting (the app heard the rest);
    # only a call the app lost track of ends here.
    if call.last_poll_at is not None and call.last_poll_at > last.time + GRACE:
        return False
    cancelled = last.sip_code == "487"
    end_call(call, CallOutcome.ABANDONED if cancelled else CallOutcome.NOT_ANSWERED, last.time)
    call.reconciled = True
    _free_agent(session, call, last.time)
    return True


def _agent(session: Session, extension: str) -> Agent | None:
    if not extension:
        return None
    return session.scalar(select(Agent).where(Agent.extension == extension))


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
    """Calls nobody will report on any more: incoming ones Kamailio stopped asking about
    for LOST_AFTER, outgoing ones whose dial token expired unused; agents a lost or ended
    call still holds are freed."""
    lost = session.scalars(
        select(Call).where(
            Call.state.in_([CallState.QUEUED, CallState.RINGING]),
            or_(
                Call.last_poll_at < now - LOST_AFTER,
                (Call.direction == "out")
                & (Call.state == CallState.QUEUED)
                & (Call.dial_expires_at < now),
            ),
        )
    ).all()
    for call in lost:
        end_call(call, CallOutcome.NOT_ANSWERED, call.last_poll_at or call.dial_expires_at)
        call.dial_token = None
        call.reconciled = True
        _free_agent(session, call, now)
    held = session.scalars(
        select(Agent)
        .join(Call, Call.id == Agent.call_id)
        .where(Call.state == CallState.ENDED, Agent.state.in_(list(ON_A_CALL)))
    ).all()
    for agent in held:
        ready_again(agent, now)  # the call's end reached the call, never its agent
    return {call.sip_call_id for call in lost}


def end_lost(session: Session, *, now: datetime) -> int:
    """Run the lost-call sweep alone (no accounting database: it still has to run)."""
    with write_transaction(session):
        return len(_end_lost(session, now))


def _free_agent(session: Session, call: Call, now: datetime) -> None:
    """The agent a call that ended unanswered still held is ready again."""
    if call.agent_id is None:
        return
    holder = session.get(Agent, call.agent_id)
    if holder is not None and holder.call_id == call.id:
        ready_again(holder, now)
