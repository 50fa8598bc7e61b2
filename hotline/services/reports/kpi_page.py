"""The KPI page: the period's key figures overall and by department, the 街乡镇 ranking,
the assisting units' figures and the knowledge base's, as the actor may see them."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from hotline.core.accounts.permissions import Permission, allows
from hotline.core.reports import kpi, ranking
from hotline.core.reports.periods import Period
from hotline.core.telephony.line import LineSettings
from hotline.models import Department, User
from hotline.services.kb import usage as kb_usage
from hotline.services.kb.usage import KbReport
from hotline.services.reports import scope
from hotline.services.reports import streets as streets_figures
from hotline.services.reports.kpis import counts_by_department, report
from hotline.services.reports.scope import Window
from hotline.services.telephony import figures as call_figures


@dataclass(frozen=True)
class KpiPage:
    """The KPI page: the figures overall and by department, and the departments the actor
    may choose from (none for department staff, who see their own)."""

    overall: kpi.Figures
    rows: list[tuple[Department | None, kpi.Figures]]
    departments: list[Department]
    department_id: int | None
    # The knowledge base's top articles and gaps in the period (None for department staff).
    knowledge: KbReport | None = None
    # The 街乡镇 ranking (citywide; department staff: their own unit's row, if a 街乡镇) and
    # the assisting units' figures (in the page's scope).
    streets: list[ranking.Ranked] = field(default_factory=list)
    assists: list[streets_figures.AssistRow] = field(default_factory=list)
    minimum_orders: int = ranking.DEFAULT_MINIMUM_ORDERS
    # The phone line's figures (话务), the centre's: for those who may read the call records.
    calls: call_figures.CallReport | None = None


def page(
    session: Session,
    actor: User,
    *,
    period: Period,
    timezone: str,
    department_id: int | None = None,
    now: datetime | None = None,
    minimum_orders: int = ranking.DEFAULT_MINIMUM_ORDERS,
    line: LineSettings | None = None,
) -> KpiPage:
    """The period's KPIs for `actor`: department staff get their own department's only
    (and their own row of the 街乡镇 ranking); `now` decides which assisting tasks are past
    due (default: the period's end); the call figures with `line`, for READ_CALL_FIGURES."""
    scoped = scope.scope_for(session, actor, department_id=department_id)
    here = scope.window(session, period=period, timezone=timezone, scope=scoped.scope)
    counts = counts_by_department(session, here)
    overall, rows = report(session, here, counts)
    citywide = Window(here.start, here.end)

    def count(window: Window) -> dict[int | None, kpi.Counts]:
        # The page's own counts when they are the city's (an official's page, unfiltered).
        return counts if window == here else counts_by_department(session, window)

    if scoped.own_department_only:
        streets = streets_figures.own_row(session, here, count, minimum_orders=minimum_orders)
    else:  # the whole ranking, whichever department the official looks at
        streets = streets_figures.street_ranking(
            session, citywide, count(citywide), minimum_orders=minimum_orders
        )
    assists = streets_figures.assist_rows(session, here, now=now or here.end)
    choices = scope.choices(session, actor)
    knowledge = (
        None
        if scoped.own_department_only
        else kb_usage.report(session, since=here.start, until=here.end)
    )
    return KpiPage(
        overall,
        rows,
        choices.departments,
        scoped.scope.department_id,
        knowledge,
        streets,
        assists,
        minimum_orders,
        _calls(session, actor, period=period, timezone=timezone, line=line),
    )


def _calls(
    session: Session, actor: User, *, period: Period, timezone: str, line: LineSettings | None
) -> call_figures.CallReport | None:
    """The centre's call figures, for those who may read the call records."""
    if line is None or not allows(actor.role_enum, Permission.READ_CALL_FIGURES):
        return None
    return call_figures.report(session, period=period, timezone=timezone, line=line)
