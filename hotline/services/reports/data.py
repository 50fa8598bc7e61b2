"""The figures of a statistics report, by SQL aggregation, with their 环比 and 同比 bases."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core.reports import kpi, ranking
from hotline.core.reports.periods import Period
from hotline.core.telephony.line import LineSettings
from hotline.models import Department, District, Hotspot, Survey
from hotline.services.kb import usage as kb_usage
from hotline.services.kb.usage import KbReport
from hotline.services.reference import cache
from hotline.services.reports import ems_figures as report_ems
from hotline.services.reports import handling_times as report_handling
from hotline.services.reports import kpis
from hotline.services.reports import streets as street_figures
from hotline.services.reports.bases import Compared, compare, for_bases
from hotline.services.reports.scope import CITYWIDE, Scope, Window, window
from hotline.services.reports.volume import Volume, hot_issues, volume
from hotline.services.telephony import figures as call_figures

UNASSIGNED = "派单台/直接办结"  # orders with no department: at the desk or closed at intake


@dataclass(frozen=True)
class SurveyComment:
    """A caller's words from a survey, without anything that identifies the caller."""

    satisfaction: str | None
    resolved: bool | None
    comment: str


def survey_comments(session: Session, window: Window, limit: int = 12) -> list[SurveyComment]:
    """The latest comments given in the window's surveys, in its department or district."""
    query = (
        select(Survey.satisfaction, Survey.resolved, Survey.comment)
        .where(
            Survey.completed_at >= window.start,
            Survey.completed_at < window.end,
            Survey.comment != "",
        )
        .order_by(Survey.completed_at.desc())
        .limit(limit)
    )
    if window.department_id is not None:
        query = query.where(Survey.department_id == window.department_id)
    if window.district_id is not None:
        query = query.where(Survey.district_id == window.district_id)
    return [SurveyComment(*row) for row in session.execute(query)]


@dataclass(frozen=True)
class DepartmentRow:
    """One department's orders and handling time, now and in the two bases."""

    name: str
    received: Compared
    handling: report_handling.HandlingTime | None
    handling_before: report_handling.HandlingTime | None
    handling_year: report_handling.HandlingTime | None

    def average_change(self, base: report_handling.HandlingTime | None) -> float | None:
        """Hours more (or less) on average than in `base`, or None."""
        now = self.handling.average_hours if self.handling else None
        then = base.average_hours if base else None
        return None if now is None or then is None else now - then

    def median_change(self, base: report_handling.HandlingTime | None) -> int | None:
        """Whole hours more (or less) for the median than in `base`, or None."""
        now = self.handling.median_hours if self.handling else None
        then = base.median_hours if base else None
        return None if now is None or then is None else now - then


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows."""

    period: Period
    timezone: str
    scope: Scope
    volume: Volume
    orders: Compared
    by_type: dict[str, Compared]
    overall: kpi.Figures
    departments: list[tuple[Department | None, kpi.Figures]]
    # The same figures for the 环比 and 同比 bases, overall and by department id.
    overall_bases: tuple[kpi.Figures, kpi.Figures]
    department_bases: tuple[dict[int | None, kpi.Figures], dict[int | None, kpi.Figures]]
    ems: report_ems.EmsFigures
    previous_volume: Volume
    year_volume: Volume
    hot: list[tuple[str, Compared]]
    comments: list[SurveyComment]
    handling: dict[str, report_handling.HandlingTime]  # by department name
    handling_bases: tuple[
        dict[str, report_handling.HandlingTime], dict[str, report_handling.HandlingTime]
    ]
    late: tuple[int, list[report_handling.LateOrder]]  # how many, and the first by deadline
    populations: dict[str, int]  # district name -> residents, where configured
    shapes: dict[str, list[list[tuple[float, float]]]]  # district name -> outer rings
    # The knowledge base's top articles and gaps (citywide reports only; None otherwise).
    knowledge: KbReport | None = None
    # The 街乡镇 ranking (of the district, or citywide; a department's report: its own row,
    # placed among all) and the assisting units' figures of the scope.
    streets: list[ranking.Ranked] = field(default_factory=list)
    assists: list[street_figures.AssistRow] = field(default_factory=list)
    minimum_orders: int = ranking.DEFAULT_MINIMUM_ORDERS
    # Hotspots (热点) raised in the period (in the scope's district; none for a department).
    hotspots: list[Hotspot] = field(default_factory=list)
    # The phone line's figures (话务), the centre's: citywide reports only.
    calls: call_figures.CallReport | None = None

    def department_rows(self) -> list[DepartmentRow]:
        """Each department's received orders and handling time with their bases, by
        received (most first), then name."""
        received = {
            (d.name if d else UNASSIGNED): compare(
                f.counts.received,
                *(_received(bases, d.id if d else None) for bases in self.department_bases),
            )
            for d, f in self.departments
        }
        nothing = compare(0, 0, 0)
        names = set(received) | set(self.handling)
        rows = [
            DepartmentRow(
                n,
                received.get(n, nothing),
                self.handling.get(n),
                *(bases.get(n) for bases in self.handling_bases),
            )
            for n in names
        ]
        return sorted(rows, key=lambda row: (-row.received.current, row.name))


def _streets(
    session: Session,
    here: Window,
    counts: dict[int | None, kpi.Counts],
    minimum_orders: int,
) -> list[ranking.Ranked]:
    """The 街乡镇 ranking of the window; a department's report gets its own row among all."""
    if here.department_id is None:
        return street_figures.street_ranking(session, here, counts, minimum_orders=minimum_orders)
    return street_figures.own_row(
        session,
        here,
        lambda everywhere: kpis.counts_by_department(session, everywhere),
        minimum_orders=minimum_orders,
    )


def build(
    session: Session,
    *,
    period: Period,
    timezone: str,
    scope: Scope = CITYWIDE,
    now: datetime | None = None,
    minimum_orders: int = ranking.DEFAULT_MINIMUM_ORDERS,
    line: LineSettings | None = None,
) -> ReportData:
    """The report's figures for `period`, with the same for its two comparison periods;
    `now` decides which assisting tasks are past due (default: the period's end); the call
    figures by `line`'s settings (default: the line's defaults)."""
    current = volume(session, period=period, timezone=timezone, scope=scope)
    before, year = for_bases(
        period,
        lambda base: volume(session, period=base, timezone=timezone, scope=scope, daily=False),
    )
    types = sorted(set(current.by_type) | set(before.by_type) | set(year.by_type))
    here = window(session, period=period, timezone=timezone, scope=scope)
    counts = kpis.counts_by_department(session, here)
    overall, departments = kpis.report(session, here, counts)
    (overall_before, by_before), (overall_year, by_year) = for_bases(
        period, lambda base: kpis.report(session, here.over(base, timezone=timezone))
    )
    return ReportData(
        period=period,
        timezone=timezone,
        scope=scope,
        volume=current,
        orders=compare(current.total, before.total, year.total),
        by_type={
            t: compare(current.by_type.get(t, 0), before.by_type.get(t, 0), year.by_type.get(t, 0))
            for t in types
        },
        overall=overall,
        departments=departments,
        overall_bases=(overall_before, overall_year),
        department_bases=(_by_id(by_before), _by_id(by_year)),
        # The director's statistics (diagnoses, complaints, dispatchers) are 120 data: only
        # in the citywide report, never in a district's or department's that 12345 staff read.
        ems=report_ems.ems_figures(
            session,
            here.start,
            here.end,
            period=period if scope == CITYWIDE else None,
            timezone=timezone,
        ),
        previous_volume=before,
        year_volume=year,
        hot=hot_issues(current, before),
        handling=report_handling.handling_times(session, here),
        handling_bases=for_bases(
            period,
            lambda base: report_handling.handling_times(
                session, here.over(base, timezone=timezone)
            ),
        ),
        late=report_handling.late_orders(session, here),
        comments=survey_comments(session, here),
        populations=_populations(session),
        shapes=district_shapes(session),
        knowledge=kb_usage.report(session, since=here.start, until=here.end)
        if scope == CITYWIDE
        else None,
        streets=_streets(session, here, counts, minimum_orders),
        assists=street_figures.assist_rows(session, here, now=now or here.end),
        minimum_orders=minimum_orders,
        hotspots=_hotspots(session, here),
        calls=_calls(session, period, timezone, scope, line),
    )


def _calls(
    session: Session, period: Period, timezone: str, scope: Scope, line: LineSettings | None
) -> call_figures.CallReport | None:
    """The centre's call figures, in a citywide report (calls belong to no district)."""
    if scope != CITYWIDE:
        return None
    return call_figures.report(
        session, period=period, timezone=timezone, line=line or LineSettings()
    )


def _hotspots(session: Session, here: Window) -> list[Hotspot]:
    """The hotspots raised in the window, largest first (a department's report: none)."""
    if here.department_id is not None:
        return []
    query = select(Hotspot).where(Hotspot.created_at >= here.start, Hotspot.created_at < here.end)
    if here.district_id is not None:
        query = query.where(Hotspot.district_id == here.district_id)
    return list(session.scalars(query.order_by(Hotspot.order_count.desc(), Hotspot.id)))


def _populations(session: Session) -> dict[str, int]:
    """District name -> residents, where configured."""
    rows = session.execute(select(District.name, District.population))
    return {name: people for name, people in rows if people}


def _received(figures_by_id: dict[int | None, kpi.Figures], department_id: int | None) -> int:
    figures = figures_by_id.get(department_id)
    return figures.counts.received if figures else 0


def _by_id(rows: list[tuple[Department | None, kpi.Figures]]) -> dict[int | None, kpi.Figures]:
    return {(d.id if d else None): f for d, f in rows}


def district_shapes(session: Session) -> dict[str, list[list[tuple[float, float]]]]:
    """The districts' outer rings, simplified to about 500 m, for the choropleth map."""
    shapes = {}
    for jurisdiction in cache.context(session).index.jurisdictions:
        geometry = jurisdiction.geometry.simplify(0.005)
        shapes[jurisdiction.name] = [
            list(polygon.exterior.coords) for polygon in getattr(geometry, "geoms", [geometry])
        ]
    return shapes
