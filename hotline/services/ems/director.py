"""主任查询: the director's live figures and the response times of the last days."""

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.core.ems.vocabulary import DISPATCH_TARGET_SECONDS, IncidentState
from hotline.core.reports.statistics import percentile
from hotline.models import Assignment, Incident, Vehicle

HISTORY = timedelta(days=7)


@dataclass(frozen=True)
class LiveCounts:
    """The director's live figures."""

    open_incidents: int
    vehicles_by_status: dict[str, int]
    calls_last_hour: int


def live_counts(session: Session, *, now: datetime) -> LiveCounts:
    """Open incidents, vehicles by status and calls in the last hour."""
    return LiveCounts(
        open_incidents=session.scalar(
            select(func.count())
            .select_from(Incident)
            .where(Incident.state == IncidentState.OPEN.value)
        ),
        vehicles_by_status=dict(
            session.execute(select(Vehicle.status, func.count()).group_by(Vehicle.status)).all()
        ),
        calls_last_hour=session.scalar(
            select(func.count())
            .select_from(Incident)
            .where(Incident.created_at >= now - timedelta(hours=1))
        ),
    )


def response_times(
    session: Session, *, start: datetime, end: datetime
) -> list[tuple[float, float]]:
    """(call to dispatch, dispatch to scene) in seconds for the first vehicle of each
    incident called in [start, end) that reached the scene."""
    rows = session.execute(
        select(
            Incident.created_at,
            func.min(Assignment.dispatched_at),
            func.min(Assignment.on_scene_at),
        )
        .join(Assignment, Assignment.incident_id == Incident.id)
        .where(Incident.created_at >= start, Incident.created_at < end)
        .group_by(Incident.id, Incident.created_at)
    ).all()
    return [
        ((dispatched - called).total_seconds(), (scene - dispatched).total_seconds())
        for called, dispatched, scene in rows
        if dispatched is not None and scene is not None
    ]


@dataclass(frozen=True)
class ResponseFigures:
    """Medians and nearest-rank percentiles of the first vehicle's times, in seconds."""

    count: int
    dispatch_median: float | None
    dispatch_p90: float | None
    dispatch_p95: float | None
    scene_median: float | None
    scene_p90: float | None
    within_target: int  # dispatched within DISPATCH_TARGET_SECONDS of the call


def response_figures(times: list[tuple[float, float]]) -> ResponseFigures:
    """The figures of (call to dispatch, dispatch to scene) pairs (as `response_times`)."""
    to_dispatch = [t[0] for t in times]
    to_scene = [t[1] for t in times]
    return ResponseFigures(
        count=len(times),
        dispatch_median=statistics.median(to_dispatch) if to_dispatch else None,
        dispatch_p90=percentile(to_dispatch, 0.9),
        dispatch_p95=percentile(to_dispatch, 0.95),
        scene_median=statistics.median(to_scene) if to_scene else None,
        scene_p90=percentile(to_scene, 0.9),
        within_target=sum(1 for t in to_dispatch if t <= DISPATCH_TARGET_SECONDS),
    )


def recent_figures(session: Session, *, now: datetime) -> ResponseFigures:
    """The response figures of the incidents called in the last HISTORY."""
    return response_figures(response_times(session, start=now - HISTORY, end=now))
