"""The 街乡镇 ranking and the assisting units' figures, from orders and tasks made through
the real services on three 街乡镇 of 朝阳区, on SQLite and PostgreSQL."""

import subprocess
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from hotline.core.accounts.roles import Role
from hotline.core.orders.tasks import TaskAction
from hotline.core.orders.workflow import Action, Step
from hotline.core.reports.periods import PeriodKind, period_for
from hotline.core.reports.ranking import Unranked
from hotline.core.surveys.rules import parse_call
from hotline.pdf import report as report_pdf
from hotline.plugins import db
from hotline.services.orders import co_handling, handling
from hotline.services.reports import data as report_data
from hotline.services.reports import kpi_page, kpis
from hotline.services.reports.scope import Window, bounds
from hotline.services.surveys import tasks as surveys
from hotline.services.units import organisation
from tests import factories
from tests.factories import NOW

TZ = "Asia/Shanghai"
NOVEMBER = period_for(PeriodKind.MONTH, date(2026, 11, 1))
SANLITUN, ZUOJIAZHUANG, MAIZIDIAN = "朝阳区三里屯街道", "朝阳区左家庄街道", "朝阳区麦子店街道"
URBAN, HOUSING = "朝阳区城市管理委员会", "朝阳区住房和城乡建设委员会"
# A unit name with markup and ampersands: the PDF must show it as text.
HOSTILE = '麦子店<b>街道</b> & <font name="x">'
DUE = NOW + timedelta(days=2)
LATER = NOW + timedelta(days=3)  # the moment the figures are read: DUE has passed
ANSWERS = {
    "good": {**factories.SURVEY_ANSWER},
    "bad": {**factories.SURVEY_ANSWER, "resolved": "no", "satisfaction": "dissatisfied"},
}


def do(actor, order, action: Action, note: str = "", at=NOW):
    return handling.perform(
        db.session, actor_id=actor.id, number=order.number, step=Step(action, note), now=at
    )


def street_order(desk, staff, unit: str):
    """An order the desk routes to a 街乡镇 (属地), accepted there at once."""
    order = factories.order()
    factories.act(desk, order.number, Action.REROUTE, "属地", department_id=staff.department_id)
    do(staff, order, Action.ACCEPT)
    return order


def close_and_survey(desk, staff, surveyor, order, answer: str) -> None:
    """The street replies, the desk approves, the caller answers the survey."""
    do(staff, order, Action.REPLY, "已处理", NOW + timedelta(hours=3))
    do(desk, order, Action.APPROVE, "", NOW + timedelta(hours=4))
    [survey] = surveys.for_order(db.session, order.id)
    surveys.record_call(
        db.session,
        actor_id=surveyor.id,
        survey_id=survey.id,
        result=parse_call(ANSWERS[answer], ZoneInfo(TZ)),
        now=survey.due_at,
        timezone=TZ,
    )


def ask(staff, order, unit: str):
    [task] = co_handling.ask_for_help(
        db.session,
        actor_id=staff.id,
        number=order.number,
        department_ids=[factories.department(unit).id],
        instruction="请协助处理",
        due_at=DUE,
        now=NOW,
    )
    return task


def step(user, task, action: TaskAction, hours: float, note: str = "") -> None:
    co_handling.act(
        db.session,
        actor_id=user.id,
        number=task.order.number,
        task_id=task.id,
        action=action,
        note=note,
        now=NOW + timedelta(hours=hours),
    )


def build_fixture() -> dict[str, object]:
    """三里屯: 3 orders, 2 closed and well rated, one waiting on a whistle (吹哨) the housing
    body accepted late and left open; 左家庄: 2 orders, one rated badly (so reopened), with
    assistance that 麦子店 declined and the urban body answered at once; 麦子店: 1 order,
    never accepted."""
    desk, surveyor = factories.user(Role.DESK), factories.user(Role.SURVEYOR)
    staff = {n: factories.user(Role.DEPARTMENT, n) for n in (SANLITUN, ZUOJIAZHUANG, MAIZIDIAN)}
    urban, housing = (
        factories.user(Role.DEPARTMENT, URBAN),
        factories.user(Role.DEPARTMENT, HOUSING),
    )
    a1, a2, a3 = (street_order(desk, staff[SANLITUN], SANLITUN) for _ in range(3))
    whistle = ask(staff[SANLITUN], a1, URBAN)
    step(urban, whistle, TaskAction.ACCEPT, 1)
    step(urban, whistle, TaskAction.REPLY, 2, "已联合执法")
    close_and_survey(desk, staff[SANLITUN], surveyor, a1, "good")
    close_and_survey(desk, staff[SANLITUN], surveyor, a2, "good")
    step(housing, ask(staff[SANLITUN], a3, HOUSING), TaskAction.ACCEPT, 30)  # after 24 h

    b1, b2 = (street_order(desk, staff[ZUOJIAZHUANG], ZUOJIAZHUANG) for _ in range(2))
    step(
        staff[MAIZIDIAN], ask(staff[ZUOJIAZHUANG], b1, MAIZIDIAN), TaskAction.DECLINE, 1, "非本辖区"
    )
    step(urban, ask(staff[ZUOJIAZHUANG], b1, URBAN), TaskAction.REPLY, 1, "已清理")  # no accept
    close_and_survey(desk, staff[ZUOJIAZHUANG], surveyor, b1, "good")
    close_and_survey(desk, staff[ZUOJIAZHUANG], surveyor, b2, "bad")

    order = factories.order()
    factories.act(
        desk, order.number, Action.REROUTE, "属地", department_id=staff[MAIZIDIAN].department_id
    )
    return {"staff": staff, "urban": urban, "official": factories.user(Role.SUPERVISOR)}


def test_streets_ranked_and_assisting_units_counted(any_app):
    with any_app.app_context():
        people = build_fixture()
        start, end = bounds(NOVEMBER, timezone=TZ)
        counts = kpis.counts_by_department(db.session, Window(start, end))
        urban_id = factories.department(URBAN).id
        # Assisting is not lead work: the bodies have no lead figures, 麦子店 only its order.
        assert urban_id not in counts and factories.department(HOUSING).id not in counts
        maizidian = counts[factories.department(MAIZIDIAN).id]
        assert (maizidian.received, maizidian.routed, maizidian.accepted_in_time) == (1, 1, 0)

        page = kpi_page.page(
            db.session,
            people["official"],
            period=NOVEMBER,
            timezone=TZ,
            now=LATER,
            minimum_orders=2,
        )
        rows = [
            (
                r.rank,
                r.unranked,
                r.unit.district,
                r.unit.name,
                r.unit.orders,
                r.unit.response.percent(),
                r.unit.resolution.percent(),
                r.unit.satisfaction.percent(),
                r.composite_percent,
            )
            for r in page.streets
        ]
        assert rows == [
            (1, None, "朝阳区", SANLITUN, 3, "100.0%", "100.0%", "100.0%", "100.0%"),
            # The bad answer reopened b2 to the street, not yet accepted again: 1 of 2.
            (2, None, "朝阳区", ZUOJIAZHUANG, 2, "50.0%", "50.0%", "50.0%", "50.0%"),
            (None, Unranked.FEW_ORDERS, "朝阳区", MAIZIDIAN, 1, "0.0%", "n/a", "n/a", "n/a"),
        ]
        assists = {
            a.department.name: (
                a.received,
                a.whistles,
                a.responded_in_time,
                a.replied_on_time,
                a.declined,
                a.open_past_due,
                a.withdrawn,
            )
            for a in page.assists
        }
        assert assists == {
            URBAN: (2, 2, 2, 2, 0, 0, 0),  # accepted in 1 h, and a reply without accepting
            HOUSING: (1, 1, 0, 0, 0, 1, 0),  # accepted after 30 h, open past its due time
            MAIZIDIAN: (1, 0, 0, 0, 1, 0, 0),  # an ordinary assist (not 吹哨) may be declined
        }
        assert page.assists[0].department.name == URBAN  # most tasks first
        # Before the due time nothing is past due.
        early = kpi_page.page(db.session, people["official"], period=NOVEMBER, timezone=TZ, now=NOW)
        assert sum(a.open_past_due for a in early.assists) == 0
        # With the default minimum of 5 orders nobody is ranked yet, all are listed.
        default = kpi_page.page(db.session, people["official"], period=NOVEMBER, timezone=TZ)
        assert [r.rank for r in default.streets] == [None, None, None]

        # Department staff: their own row, placed among all; the body's staff: no ranking.
        mine = kpi_page.page(
            db.session,
            people["staff"][ZUOJIAZHUANG],
            period=NOVEMBER,
            timezone=TZ,
            now=LATER,
            minimum_orders=2,
        )
        assert [(r.unit.name, r.rank) for r in mine.streets] == [(ZUOJIAZHUANG, 2)]
        assert mine.assists == []
        body = kpi_page.page(db.session, people["urban"], period=NOVEMBER, timezone=TZ, now=LATER)
        assert body.streets == [] and [a.department.name for a in body.assists] == [URBAN]

        # The monthly report has the same ranking, and nothing in another month.
        data = report_data.build(db.session, period=NOVEMBER, timezone=TZ, now=LATER)
        assert [(r.unit.name, r.rank) for r in data.streets] == [
            (SANLITUN, None),
            (ZUOJIAZHUANG, None),
            (MAIZIDIAN, None),
        ]
        assert {a.department.name: a.open_past_due for a in data.assists}[HOUSING] == 1
        october = period_for(PeriodKind.MONTH, date(2026, 10, 1))
        empty = report_data.build(db.session, period=october, timezone=TZ, now=LATER)
        assert empty.streets == [] and empty.assists == []


def test_monthly_report_pdf_has_the_ranking_and_the_assisting_units(app, tmp_path):
    with app.app_context():
        build_fixture()
        street = factories.department(MAIZIDIAN)
        organisation.save_department(
            db.session,
            department_id=street.id,
            name=HOSTILE,
            kind=street.kind,
            district_id=street.district_id,
            active=True,
        )
        data = report_data.build(db.session, period=NOVEMBER, timezone=TZ, now=LATER)
        pdf = report_pdf.render(data, "月报", "全市", LATER)
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    ranking = text.split("街乡镇“三率”排名")[1].split("协办单位办理情况")[0]
    assert SANLITUN in ranking and ZUOJIAZHUANG in ranking and HOSTILE in ranking  # as text
    assert "参与排名的街乡镇 0 个" in ranking and "少于 5 件" in ranking
    [sanlitun] = [line for line in ranking.splitlines() if SANLITUN in line]
    assert sanlitun.split()[-5:] == ["100.0%", "100.0%", "100.0%", "100.0%", "3"]
    assists = text.split("协办单位办理情况")[1].split("四、回访")[0]
    [housing] = [line for line in assists.splitlines() if HOUSING in line]
    assert housing.split()[-7:] == ["1", "1", "0", "0", "0", "1", "0"]
    assert HOSTILE in assists  # 麦子店 declined a task
