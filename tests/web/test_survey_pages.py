"""The survey loop through the pages: missed calls, call me later, reopen, second round;
the KPI pages and the notice inbox."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.models import Survey, WorkOrder
from hotline.plugins import db
from hotline.web import helpers
from hotline.web.orders import pages as orders
from hotline.web.reports import kpi
from hotline.web.surveys import pages as survey_views
from tests import factories

TZ = ZoneInfo("Asia/Shanghai")
DONGCHENG = "东城区城市管理委员会"
ANSWER = {**factories.SURVEY_ANSWER}


class Clock:
    """A settable 'now' for the views."""

    def __init__(self, monkeypatch):
        self.now = factories.NOW
        for module in (survey_views, helpers, kpi, orders):
            monkeypatch.setattr(module, "utcnow", lambda: self.now)

    def set(self, *args) -> None:
        self.now = datetime(*args, tzinfo=TZ)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def close_through_pages(staff, desk, number, clock, hour):
    clock.set(2026, 11, 20 if hour < 24 else 24, hour % 24)
    assert staff.post(f"/orders/{number}/accept").status_code == 302
    assert staff.post(f"/orders/{number}/reply", {"note": "已整改"}).status_code == 302
    assert desk.post(f"/orders/{number}/approve").status_code == 302


def task_id(query, order_id, round_=1):
    return query(
        lambda: db.session.scalar(
            select(Survey.id).where(Survey.order_id == order_id, Survey.round == round_)
        )
    )


def test_the_whole_survey_loop(make, query, login, clock):
    order = make(factories.order)
    staff = login(make(factories.user, Role.DEPARTMENT, DONGCHENG))
    desk = login(make(factories.user, Role.DESK))
    caller = login(make(factories.user, Role.SURVEYOR))
    close_through_pages(staff, desk, order.number, clock, 11)  # Friday
    first = task_id(query, order.id)
    assert order.number not in caller.get("/surveys").get_data(as_text=True)  # not yet due

    clock.set(2026, 11, 23, 10)  # Monday: due
    page = caller.get("/surveys").get_data(as_text=True)
    # The queue masks the caller; the form, where the surveyor dials, shows the number.
    assert order.number in page and "138****8000" in page and "13800138000" not in page
    survey_form = caller.get(f"/surveys/{first}").get_data(as_text=True)
    assert "问题是否解决" in survey_form and "13800138000" in survey_form
    bad = caller.post(f"/surveys/{first}", {**ANSWER, "score": "12", "comment": "<b>x</b>"})
    assert bad.status_code == 422
    assert "请给出1到10分的评分" in bad.get_data(as_text=True)
    assert "&lt;b&gt;x&lt;/b&gt;" in bad.get_data(as_text=True)  # kept, escaped
    assert caller.post(f"/surveys/{first}", {"outcome": "not_reached"}).status_code == 303
    assert order.number not in caller.get("/surveys").get_data(as_text=True)

    clock.set(2026, 11, 24, 10)  # Tuesday: due again; the caller asks for 15:00
    later = {"outcome": "later", "call_again_at": "2026-11-24T15:00"}
    assert caller.post(f"/surveys/{first}", later).status_code == 303
    assert order.number not in caller.get("/surveys").get_data(as_text=True)
    clock.set(2026, 11, 24, 15)
    assert order.number in caller.get("/surveys").get_data(as_text=True)
    unhappy = {**ANSWER, "resolved": "no", "satisfaction": "dissatisfied", "comment": "还是很吵"}
    response = caller.post(f"/surveys/{first}", unhappy, follow_redirects=True)
    assert f"工单已退回{DONGCHENG}重办" in response.get_data(as_text=True)
    reopened = query(lambda: db.session.get(WorkOrder, order.id))
    assert reopened.state == "routed" and reopened.reopen_count == 1

    assert order.number in staff.get("/orders/queue").get_data(as_text=True)
    notices = staff.get("/notices").get_data(as_text=True)
    assert "还是很吵" in notices and order.number in notices
    detail = staff.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "重办" in detail and "还是很吵" in detail
    close_through_pages(staff, desk, order.number, clock, 24 + 16)  # Tuesday 16:00
    second = task_id(query, order.id, 2)
    clock.set(2026, 11, 25, 10)
    assert caller.post(f"/surveys/{second}", ANSWER).status_code == 303
    assert query(lambda: db.session.get(WorkOrder, order.id)).state == "closed"
    assert caller.post(f"/surveys/{second}", ANSWER).status_code == 422  # finished

    supervisor = login(make(factories.user, Role.SUPERVISOR))
    page = supervisor.get("/kpi?from=2026-11-01&to=2026-11-30").get_data(as_text=True)
    assert "满意率" in page and "50.0%" in page and DONGCHENG in page
    mine = staff.get("/kpi?from=2026-11-01&to=2026-11-30").get_data(as_text=True)
    assert "50.0%" in mine and '<select name="department_id"' not in mine


def test_roles_and_csrf(make, query, login, clock):
    order = make(factories.order)
    staff = login(make(factories.user, Role.DEPARTMENT, DONGCHENG))
    desk = login(make(factories.user, Role.DESK))
    close_through_pages(staff, desk, order.number, clock, 11)
    task = task_id(query, order.id)
    assert staff.get("/surveys").status_code == 403
    assert staff.post(f"/surveys/{task}", ANSWER).status_code == 403
    official = login(make(factories.user, Role.OFFICIAL))
    assert official.get(f"/surveys/{task}").status_code == 403
    assert official.get("/kpi").status_code == 200
    caller = login(make(factories.user, Role.SURVEYOR))
    assert caller.get("/surveys/999999").status_code == 404
    caller.token = "forged"
    assert caller.post(f"/surveys/{task}", ANSWER).status_code == 400
    assert query(lambda: db.session.get(Survey, task).state) == "due"


def test_kpi_period_errors_are_explained(make, login):
    supervisor = login(make(factories.user, Role.SUPERVISOR))
    page = supervisor.get("/kpi?from=2026-11-30&to=2026-11-01").get_data(as_text=True)
    assert "结束日期早于起始日期" in page
    assert supervisor.get("/kpi?from=garbage").status_code == 200
    assert "n/a" in supervisor.get("/kpi?from=2020-01-01&to=2020-01-31").get_data(as_text=True)


def test_the_old_survey_addresses_lead_to_the_new_ones(make, login):
    caller = login(make(factories.user, Role.SURVEYOR))
    assert caller.get("/callbacks").headers["Location"].endswith("/surveys")
    assert caller.get("/callbacks/7").headers["Location"].endswith("/surveys/7")
    assert caller.get("/callbacks").status_code == 301
