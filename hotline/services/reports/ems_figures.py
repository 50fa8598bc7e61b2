"""The 120 part of a statistics report: incidents, response times, vehicle utilisation."""

import statistics
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from hotline.core.ems.vocabulary import DISPATCH_TARGET_SECONDS
from hotline.core.reports import kpi
from hotline.core.reports.periods import Period
from hotline.core.reports.statistics import percentile
from hotline.models import Assignment, Incident, Vehicle
from hotline.services.ems import director, statistics_report
from hotline.services.reports.handling_times import clipped, seconds_between


@dataclass(frozen=True)
class EmsFigures:
    """120 for the period."""

    incidents: int
    by_triage: dict[int, int]
    to_dispatch: list[float]
    to_scene: list[float]
    # Vehicle-seconds on assignments (dispatched to cleared) within the period, out of the
    # present fleet's vehicle-seconds in it.
    utilisation: kpi.Rate = kpi.Rate(0, 0)
    # The director's statistics of the same period with their 环比 and 同比 (the director's
    # page shows the same rows); None when built without a period.
    statistics: statistics_report.Statistics | None = None

    def percentile(self, values: list[float], share: float) -> float | None:
        """The nearest-rank percentile (`hotline.core.reports.statistics.percentile`)."""
        return percentile(values, share)

    @property
    def dispatched_in_target(self) -> kpi.Rate:
        """Share of first vehicles out within 3 minutes of the call."""
        within = sum(1 for t in self.to_dispatch if t <= DISPATCH_TARGET_SECONDS)
        return kpi.Rate(within, len(self.to_dispatch))

    @property
    def median_to_dispatch(self) -> float | None:
        """Median seconds from call to dispatch."""
        return statistics.median(self.to_dispatch) if self.to_dispatch else None


def ems_figures(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    period: Period | None = None,
    timezone: str | None = None,
) -> EmsFigures:
    """120 incidents in [start, end) by triage level, the first vehicle's times and vehicle
    utilisation; with `period` and `timezone` (whose days are [start, end)) also the
    director's statistics."""
    rows = session.execute(
        select(Incident.triage_level, func.count())
        .where(Incident.created_at >= start, Incident.created_at < end)
        .group_by(Incident.triage_level)
    ).all()
    times = director.response_times(session, start=start, end=end)
    busy = session.scalar(
        select(
            func.sum(
                seconds_between(
                    session,
                    clipped(session, func.coalesce(Assignment.cleared_at, end), start, end),
                    clipped(session, Assignment.dispatched_at, start, end),
                )
            )
        ).where(
            Assignment.dispatched_at < end,
            or_(Assignment.cleared_at.is_(None), Assignment.cleared_at > start),
        )
    )
    capacity = int(
        (session.scalar(select(func.count(Vehicle.id))) or 0) * (end - start).total_seconds()
    )
    utilisation = kpi.Rate(min(round(busy or 0), capacity), capacity)
    return EmsFigures(
        incidents=sum(c for _, c in rows),
        by_triage=dict(rows),
        to_dispatch=[t[0] for t in times],
        to_scene=[t[1] for t in times],
        utilisation=utilisation,
        statistics=statistics_report.report(session, period=period, timezone=timezone)
        if period is not None and timezone is not None
        else None,
    )
