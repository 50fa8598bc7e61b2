"""The phone line's figures for a period, with the same for the 环比 and 同比 periods.

Only inbound calls count (click-to-call calls are the centre's own). The counts are summed
in SQL per UTC hour, queue and agent, from the covering index ix_calls_figures alone, and
core/telephony/figures.py turns them into rates and averages: a busy day's 60,000 calls
become a few hundred groups (the wallboard refreshes every few seconds). `rows` reads the
calls one by one for core's own `breakdown`, the definitions' reference: the tests hold the
SQL sums to it on both databases.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from hotline.core.reports.periods import Period
from hotline.core.telephony import figure_groups, figures
from hotline.core.telephony.calls import CallOutcome
from hotline.core.telephony.line import LineSettings
from hotline.models import Call, User
from hotline.services.reports.bases import for_bases
from hotline.services.reports.handling_times import seconds_between
from hotline.services.reports.scope import bounds

BATCH = 5000


def settings_of(line: LineSettings) -> figures.Settings:
    """The figures' settings from the line's."""
    return figures.Settings(
        after_call_seconds=line.after_call_seconds,
        short_abandon_seconds=line.short_abandon_seconds,
    )


def rows(session: Session, start: datetime, end: datetime) -> Iterator[figures.CallRow]:
    """Inbound calls that reached the line in [start, end), streamed."""
    statement = (
        select(
            Call.queued_at,
            Call.answered_at,
            Call.ended_at,
            Call.outcome,
            Call.agent_id,
            Call.queue,
        )
        .where(Call.queued_at >= start, Call.queued_at < end, Call.direction == "in")
        .execution_options(yield_per=BATCH)
    )
    for row in session.execute(statement):
        yield figures.CallRow(*row)


def breakdown(
    session: Session, *, start: datetime, end: datetime, line: LineSettings, timezone: str
) -> figures.Breakdown:
    """The figures of [start, end) as a whole and per local hour, agent and queue."""
    return figure_groups.breakdown_of_groups(
        groups(session, start, end, settings_of(line)), timezone
    )


def groups(
    session: Session, start: datetime, end: datetime, settings: figures.Settings
) -> list[figure_groups.Group]:
    """The calls of [start, end) counted in SQL per UTC hour, queue and agent, by the same
    definitions as core's `classify` (tests/integration/test_call_figures.py holds them to
    it)."""
    statement = _summed(session, settings).where(
        Call.queued_at >= start, Call.queued_at < end, Call.direction == "in"
    )
    return [_group(row, settings) for row in session.execute(statement)]


def _summed(session: Session, settings: figures.Settings):
    """The SELECT of the sums per hour, queue and agent (its columns in _group's order)."""
    answered = Call.answered_at.is_not(None)
    unanswered_end = Call.answered_at.is_(None) & Call.outcome.is_not(None)
    # An unanswered call's wait (0 when its end is unknown), as classify() measures it.
    waited = func.coalesce(_ms(session, Call.ended_at, Call.queued_at), 0)
    short = (
        unanswered_end
        & (Call.outcome == CallOutcome.ABANDONED.value)
        & (waited < settings.short_abandon_seconds)
    )
    counted = unanswered_end & ~short
    wait = _ms(session, Call.answered_at, Call.queued_at)
    ended = answered & Call.ended_at.is_not(None)

    def total(condition, value=1):
        return func.coalesce(func.sum(case((condition, value), else_=0)), 0)

    hour = _hour(session)
    return select(
        hour,
        Call.queue,
        Call.agent_id,
        total(Call.answered_at.is_(None) & Call.outcome.is_(None)),
        total(short),
        total(answered),
        total(answered & (wait <= settings.target_seconds)),
        total(answered, wait),
        total(ended),
        total(ended, _ms(session, Call.ended_at, Call.answered_at)),
        total(counted & (Call.outcome == CallOutcome.ABANDONED.value)),
        total(counted & (Call.outcome == CallOutcome.REJECTED.value)),
        total(counted),
    ).group_by(hour, Call.queue, Call.agent_id)


def _group(row, settings: figures.Settings) -> figure_groups.Group:
    """One row of _summed as core's counts."""
    bucket, queue, agent, pending, shorts, answers, in_target, waits, ends, talks = row[:10]
    abandons, rejects, unanswered = row[10:]
    counts = figures.CallCounts(
        offered=int(answers) + int(unanswered),
        answered=int(answers),
        answered_in_target=int(in_target),
        abandoned=int(abandons),
        rejected=int(rejects),
        short_abandons=int(shorts),
        pending=int(pending),
        wait_seconds=float(waits),
        ended_answered=int(ends),
        talk_seconds=float(talks),
        after_call_seconds=float(int(ends) * settings.after_call_seconds),
    )
    return figure_groups.Group(_hour_start(bucket), queue, agent, counts)


def _ms(session: Session, later, earlier):
    """`later - earlier` in seconds to the millisecond, as core's classify() measures."""
    return func.round(seconds_between(session, later, earlier), 3)


def _hour(session: Session):
    """A call's UTC hour, as the database can group by it."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date_trunc("hour", Call.queued_at)
    return func.strftime("%Y-%m-%d %H:00:00", Call.queued_at)


def _hour_start(bucket) -> datetime:
    """The hour's start as an aware UTC time, from either database's value."""
    if isinstance(bucket, str):
        bucket = datetime.fromisoformat(bucket)
    return bucket.replace(tzinfo=UTC) if bucket.tzinfo is None else bucket.astimezone(UTC)


@dataclass(frozen=True)
class CallReport:
    """A period's figures, those of its 环比 and 同比 periods, and the agents' names."""

    period: Period
    current: figures.Breakdown
    previous: figures.Breakdown
    year_earlier: figures.Breakdown
    agents: dict[int, str]  # user id -> display name

    def agent_rows(self) -> list[tuple[str, figures.CallFigures]]:
        """The agents' figures by name, most answered first."""
        named = [(self.agents.get(a, str(a)), f) for a, f in self.current.by_agent.items()]
        return sorted(named, key=lambda row: (-row[1].answered, row[0]))

    def queue_rows(
        self,
    ) -> list[tuple[str, figures.CallFigures, figures.CallFigures, figures.CallFigures]]:
        """Each queue's figures with the same queue's in the two bases (empty if none)."""
        nothing = figures.figures(figures.CallCounts())
        return [
            (
                queue,
                found,
                self.previous.by_queue.get(queue, nothing),
                self.year_earlier.by_queue.get(queue, nothing),
            )
            for queue, found in self.current.by_queue.items()
        ]


def report(session: Session, *, period: Period, timezone: str, line: LineSettings) -> CallReport:
    """The period's call figures with their 环比 and 同比 bases (local days)."""

    def over(base: Period) -> figures.Breakdown:
        start, end = bounds(base, timezone=timezone)
        return breakdown(session, start=start, end=end, line=line, timezone=timezone)

    current = over(period)
    before, year = for_bases(period, over)
    ids = list(current.by_agent)
    names = dict(
        session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all()
        if ids
        else []
    )
    return CallReport(period, current, before, year, names)
