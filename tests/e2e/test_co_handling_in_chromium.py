"""Co-handling (吹哨/协办), second-level dispatch (二级派单) and transfers (转办) through the
pages, with a browser for each unit: what each one sees and when, a stale page refused, and
the audit rows each step leaves."""

from contextlib import contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.core.orders.workflow import Action
from hotline.models import AuditEvent, Department, OrderTask, WorkOrder
from hotline.plugins import db
from hotline.services.units import organisation
from tests import factories
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = [
    pytest.mark.e2e,
    # See test_intake_in_chromium: Werkzeug's server leaves a 304's file unclosed.
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

SANLITUN = "朝阳区三里屯街道"
CHAOYANG = "朝阳区城市管理委员会"
DONGCHENG = "东城区城市管理委员会"
DONGCHENG_HOUSING = "东城区住房和城乡建设委员会"
# The live server runs on the real clock, and the factories' orders (made on their own day)
# are overdue by then: a task on one may be due within a few days.
DUE = (datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
STALE = "其他人刚刚修改了这张工单"
ORDER_REPLY = "form:not(.task-step)[action$='/reply']"  # the order's reply, not a task's


@pytest.fixture
def browsers():
    """browsers(n): n separate Chromium sessions (their own cookies), one browser process."""
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)

        def open_sessions(count: int):
            return [
                chromium.new_context(
                    viewport={"width": 1400, "height": 1000}, locale="zh-CN"
                ).new_page()
                for _ in range(count)
            ]

        yield open_sessions
        chromium.close()


def log_in(page, base, username) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def status_of(page, url) -> int:
    return page.goto(url).status


def audit_actions(query, number: str) -> list[str]:
    def read():
        order_id = db.session.scalar(select(WorkOrder.id).where(WorkOrder.number == number))
        found = select(AuditEvent.action).where(AuditEvent.order_id == order_id)
        return list(db.session.scalars(found.order_by(AuditEvent.id)))

    return query(read)


@contextmanager
def flashed(page, text: str):
    yield
    expect(page.locator(".flash").first).to_contain_text(text)


def test_a_street_blows_the_whistle_and_the_body_answers(live_server, browsers, make, query):
    street_user = make(factories.user, Role.DEPARTMENT, SANLITUN)
    body_user = make(factories.user, Role.DEPARTMENT, CHAOYANG)
    desk = make(factories.user, Role.DESK)
    order = make(factories.order)
    street_id = query(lambda: factories.department(SANLITUN).id)
    body_id = query(lambda: factories.department(CHAOYANG).id)
    make(factories.act, desk, order.number, Action.REROUTE, "属地", department_id=street_id)
    street, body, desk_page = browsers(3)
    for page, user in ((street, street_user), (body, body_user), (desk_page, desk)):
        log_in(page, live_server, user.username)
    url = f"{live_server}/orders/{order.number}"

    # The body cannot see the order before it is asked.
    assert status_of(body, url) == 404

    street.goto(url)
    street.click("form[action$='/accept'] button")
    expect(street.locator(".flash").first).to_contain_text("签收")
    street.select_option("#ask-for-help select[name=department_ids]", str(body_id))
    street.fill("#ask-for-help textarea[name=instruction]", "占道经营反复出现，请联合整治")
    street.fill("#ask-for-help input[name=due_at]", DUE)
    with flashed(street, "已请1个单位协办"):
        street.click("#ask-for-help button[type=submit]")
    expect(street.locator("#tasks")).to_contain_text("吹哨")

    # The body finds the task in its queue and opens the order: its task only, no order actions.
    body.goto(f"{live_server}/orders/queue")
    expect(body.locator("table.tasks")).to_contain_text(order.number)
    body.click(f"table.tasks a:text('{order.number}')")
    expect(body.locator("#tasks")).to_contain_text("占道经营反复出现")
    assert body.locator(ORDER_REPLY).count() == 0
    assert body.locator("form.task-step[action$='/decline']").count() == 0  # 吹哨: no decline

    # The street's page is now stale: the body accepts first, the street's withdrawal is refused.
    street.reload()
    body.click("form.task-step[action$='/accept'] button")
    expect(body.locator(".flash").first).to_contain_text("签收任务")
    street.fill("form.task-step[action$='/withdraw'] textarea", "自行处理")
    with flashed(street, STALE):
        street.click("form.task-step[action$='/withdraw'] button")

    # The lead cannot reply to the desk while the task is open.
    street.goto(url)
    street.fill(f"{ORDER_REPLY} textarea[name=note]", "已整治")
    with flashed(street, "还有未办结的"):
        street.click(f"{ORDER_REPLY} button[type=submit]")

    body.fill("form.task-step[action$='/reply'] textarea", "已联合执法，清理摊位5处")
    body.click("form.task-step[action$='/reply'] button")
    body.wait_for_url("**/orders/queue")
    assert status_of(body, url) == 404  # done: out of sight again

    street.goto(url)
    expect(street.locator("#tasks")).to_contain_text("已联合执法，清理摊位5处")
    street.fill(f"{ORDER_REPLY} textarea[name=note]", "已会同城管整治完毕")
    with flashed(street, "已完成"):
        street.click(f"{ORDER_REPLY} button[type=submit]")

    # The desk reviews the lead's reply with the assisting reply.
    desk_page.goto(url)
    expect(desk_page.locator("main")).to_contain_text("已会同城管整治完毕")
    expect(desk_page.locator("#tasks")).to_contain_text("已联合执法，清理摊位5处")

    steps = audit_actions(query, order.number)
    assert steps[-5:] == ["accept", "task_assist", "task_accept", "task_reply", "reply"]
    assert "task_withdraw" not in steps  # the refused withdrawal left nothing


def test_second_level_dispatch_and_a_transfer(live_server, browsers, make, query):
    lead_user = make(factories.user, Role.DEPARTMENT, DONGCHENG)
    colleague = make(factories.user, Role.DEPARTMENT, DONGCHENG)
    unit_id = query(lambda: factories.department(DONGCHENG).id)
    housing_id = query(lambda: factories.department(DONGCHENG_HOUSING).id)

    def squad() -> int:
        return organisation.save_department(
            db.session,
            department_id=None,
            name="东城区城市管理委员会执法一队",
            kind="urban_management",
            district_id=None,
            active=True,
            parent_id=unit_id,
        ).id

    squad_id = query(squad)
    member = make(factories.user, Role.DEPARTMENT, "东城区城市管理委员会执法一队")
    housing_user = make(factories.user, Role.DEPARTMENT, DONGCHENG_HOUSING)
    query(
        lambda: (
            organisation.add_transfer_rule(
                db.session, from_department_id=unit_id, to_department_id=housing_id
            ).id
        )
    )
    order = make(factories.order)
    lead, second, sub, housing = browsers(4)
    for page, user in ((lead, lead_user), (second, colleague), (sub, member)):
        log_in(page, live_server, user.username)
    log_in(housing, live_server, housing_user.username)
    url = f"{live_server}/orders/{order.number}"

    # Two staff of the unit open the order; one accepts, the other's stale page is refused.
    lead.goto(url)
    second.goto(url)
    lead.click("form[action$='/accept'] button")
    second.select_option("form[action$='/transfer'] select[name=department_id]", str(housing_id))
    second.fill("form[action$='/transfer'] textarea[name=note]", "属住建")
    with flashed(second, STALE):
        second.click("form[action$='/transfer'] button[type=submit]")

    assert status_of(sub, url) == 404
    lead.goto(url)
    lead.select_option("#assign select[name=target]", f"unit:{squad_id}")
    lead.fill("#assign textarea[name=instruction]", "请现场核实噪音来源")
    lead.fill("#assign input[name=due_at]", DUE)
    with flashed(lead, "已二级派单"):
        lead.click("#assign button[type=submit]")
    # The unit's queue shows who holds the order.
    lead.goto(f"{live_server}/orders/queue")
    expect(lead.locator(f"tr:has(a:text('{order.number}')) td.holders")).to_contain_text("执法一队")

    sub.goto(url)
    sub.fill("form.task-step[action$='/reply'] textarea", "系夜间施工，已告知停工")
    sub.click("form.task-step[action$='/reply'] button")
    sub.wait_for_url("**/orders/queue")
    assert status_of(sub, url) == 404

    # Then the unit transfers it under the admin's rule: the housing unit has it, not the lead.
    lead.goto(url)
    expect(lead.locator("#tasks")).to_contain_text("系夜间施工，已告知停工")
    lead.select_option("form[action$='/transfer'] select[name=department_id]", str(housing_id))
    lead.fill("form[action$='/transfer'] textarea[name=note]", "系违建，属住建职责")
    lead.click("form[action$='/transfer'] button[type=submit]")
    assert status_of(lead, url) == 404
    housing.goto(url)
    expect(housing.locator("main")).to_contain_text("由上一承办单位按转办规则转来")

    steps = audit_actions(query, order.number)
    assert steps[1:] == ["accept", "task_assign", "task_reply", "transfer"]
    held = query(
        lambda: [
            (t.department_id, t.state)
            for t in db.session.scalars(select(OrderTask).order_by(OrderTask.id))
        ]
    )
    assert held == [(squad_id, "replied")]
    assert query(lambda: db.session.get(Department, squad_id).level) == "sub_unit"


def test_a_follow_up_call_and_a_supervision_notice_between_browsers(
    live_server, browsers, make, query
):
    operator_user = make(factories.user, Role.OPERATOR)
    supervisor_user = make(factories.user, Role.SUPERVISOR)
    staff_user = make(factories.user, Role.DEPARTMENT, DONGCHENG)
    second_user = make(factories.user, Role.DEPARTMENT, DONGCHENG)
    outsider_user = make(factories.user, Role.DEPARTMENT, CHAOYANG)
    order = make(factories.order)
    pages = browsers(5)
    users = (operator_user, supervisor_user, staff_user, second_user, outsider_user)
    for page, user in zip(pages, users, strict=True):
        log_in(page, live_server, user.username)
    operator, supervisor, staff, second, outsider = pages
    url = f"{live_server}/orders/{order.number}"
    notices_url = f"{url}/notices"

    # 追加诉求: the operator links the caller's new call; the unit sees it and is told.
    operator.goto(f"{live_server}/intake/follow-up/{order.number}")
    operator.fill("#follow-up-form textarea[name=text]", "今晚十一点还在施工，请尽快处理")
    operator.click("#follow-up-form button[type=submit]")
    operator.wait_for_url(f"**/orders/{order.number}")
    staff.goto(url)
    expect(staff.locator(".timeline")).to_contain_text("今晚十一点还在施工")
    staff.goto(f"{live_server}/notices")
    expect(staff.locator("main")).to_contain_text(order.number)
    assert status_of(outsider, url) == 404

    # 督办单: the supervisor issues, the unit answers once; another unit sees nothing.
    supervisor.goto(notices_url)
    supervisor.fill("textarea[name=instruction]", "请于明日前说明处置进展")
    supervisor.fill("input[name=respond_by]", DUE)
    supervisor.click("button.primary")
    expect(supervisor.locator("main")).to_contain_text("请于明日前说明处置进展")
    assert status_of(outsider, notices_url) == 404
    staff.goto(notices_url)
    second.goto(notices_url)  # a colleague's page, soon stale
    staff.fill("textarea[name=answer]", "已约谈施工单位，今晚起停止夜间施工")
    staff.click("form.action button[type=submit]")
    expect(staff.locator("main")).to_contain_text("已约谈施工单位")
    second.fill("textarea[name=answer]", "重复回复")
    with flashed(second, "该督办单已回复"):
        second.click("form.action button[type=submit]")
    supervisor.goto(notices_url)
    expect(supervisor.locator("main")).to_contain_text("已约谈施工单位")
    assert "重复回复" not in supervisor.content()

    steps = audit_actions(query, order.number)
    assert [s for s in steps if s in {"follow_up_call", "notice_issued", "notice_answered"}] == [
        "follow_up_call",
        "notice_issued",
        "notice_answered",
    ]
