"""The phone line's figures for a period: the calls read with one range scan of
ix_calls_queued_at (streamed, a few thousand rows at a time) and counted by
core/telephony/figures.py, with the same for the 环比 and 同比 periods.

Only inbound calls count (click-to-call calls are the centre's own). The rows are read in
full rather than summed in SQL: the wait, talk and 15-second tests are time differences,
which SQLite (times stored as text) and PostgreSQL would compute differently, and the
definitions stay in one place, in core.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core.reports.periods import Period
from hotline.core.telephony import figures
from hotline.core.telephony.line import LineSettings
from hotline.models import Call, User
from hotline.services.reports.bases import for_bases
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
    return figures.breakdown(rows(session, start, end), settings_of(line), timezone)


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
