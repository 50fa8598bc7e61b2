"""追加诉求 (issue 15, item 7): a caller rings again about an open order; the operator links the
call to it through the intake page's history and the follow-up form. The order gets a note
on its timeline, its unit a notice, nobody a new order; a closed order takes a new call;
another unit sees nothing; and the call counts for 重复来电率 (KPI page and report PDF)."""

import re
import subprocess
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from hotline.core.accounts.roles import Role
from hotline.core.reports import kpi
from hotline.core.reports.periods import PeriodKind, period_for
from hotline.database import utcnow
from hotline.models import AuditEvent, Notification, WorkOrder
from hotline.pdf import report as report_pdf
from hotline.plugins import db
from hotline.services.orders import follow_ups
from hotline.services.reports import data as report_data
from hotline.services.reports import kpis, scope
from tests import factories

DONGCHENG = "东城区城市管理委员会"  # where the factories' order (Tiananmen, noise) goes
NEWS = "噪音又开始了，今晚十一点还在施工，请尽快处理。"


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_an_operator_links_a_call_and_the_unit_sees_it(app, make, login):
    order = make(factories.order, now=utcnow())
    operator_user = make(factories.user, Role.OPERATOR)
    operator = login(operator_user)
    staff = login(make(factories.user, Role.DEPARTMENT, DONGCHENG))

    # The caller's history on the intake page offers the action for the open order.
    history = operator.get("/intake/history?phone=13800138000").get_json()["orders"]
    assert [o["follow_up_url"] for o in history] == [f"/intake/follow-up/{order.number}"]
    intake_page = operator.get("/intake").get_data(as_text=True)
    assert 'id="follow-up-form"' in intake_page and 'name="csrf_token"' in intake_page
    form = operator.get(f"/intake/follow-up/{order.number}")
    assert form.status_code == 200 and 'name="text"' in form.get_data(as_text=True)

    # Refusals first: no text, too much text, and no CSRF token; nothing is written.
    assert operator.post(f"/intake/follow-up/{order.number}", data={"text": " "}).status_code == 422
    long = {"text": "长" * (follow_ups.MAX_NOTE + 1)}
    assert operator.post(f"/intake/follow-up/{order.number}", data=long).status_code == 422
    no_csrf = operator.client.post(f"/intake/follow-up/{order.number}", data={"text": NEWS})
    assert no_csrf.status_code == 400
    assert _count(app, AuditEvent, AuditEvent.action == "follow_up_call") == 0

    linked = operator.post(
        f"/intake/follow-up/{order.number}", data={"text": NEWS, "channel": "phone"}
    )
    assert linked.status_code == 302 and linked.location.endswith(f"/orders/{order.number}")
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "follow_up_call")
        ).all()
        assert [(e.note, e.actor_id, e.from_state, e.to_state) for e in events] == [
            (NEWS, operator_user.id, "routed", "routed")
        ]
        after = db.session.scalar(select(WorkOrder))
        notices = db.session.scalars(
            select(Notification).where(Notification.text.contains("追加诉求"))
        ).all()
        assert [(n.channel, n.recipient, n.order_id) for n in notices] == [
            ("in_app", f"department:{order.department_id}", order.id)
        ]
        assert order.number in notices[0].text and NEWS in notices[0].text
    assert _count(app, WorkOrder) == 1  # no new order
    assert after.state == "routed" and after.version == order.version + 1

    # The unit: the follow-up on the order's timeline (text, operator) and in its notices.
    page = staff.get(f"/orders/{order.number}").get_data(as_text=True)
    timeline = page.split('class="timeline"')[1]
    assert NEWS in timeline and operator_user.display_name in timeline
    assert "追加诉求" in staff.get("/notices").get_data(as_text=True)


def test_a_closed_order_takes_a_new_call(app, make, login):
    closed = make(
        factories.order,
        now=utcnow(),
        order_type="inquiry",
        close_at_intake="on",
        intake_answer="已答复",
    )
    operator = login(make(factories.user, Role.OPERATOR))
    history = operator.get("/intake/history?phone=13800138000").get_json()["orders"]
    assert [o["follow_up_url"] for o in history] == [None]
    page = operator.get(f"/intake/follow-up/{closed.number}").get_data(as_text=True)
    assert 'id="follow-up-closed"' in page and 'name="text"' not in page
    refused = operator.post(f"/intake/follow-up/{closed.number}", data={"text": NEWS})
    assert refused.status_code == 422
    assert 'id="follow-up-closed"' in refused.get_data(as_text=True)
    assert _count(app, AuditEvent, AuditEvent.action == "follow_up_call") == 0
    assert _count(app, Notification, Notification.text.contains("追加诉求")) == 0


def test_another_unit_sees_neither_the_order_nor_the_form(app, make, login):
    order = make(factories.order, now=utcnow())
    stranger = login(make(factories.user, Role.DEPARTMENT, "西城区城市管理委员会"))
    staff = login(make(factories.user, Role.DEPARTMENT, DONGCHENG))
    assert stranger.get(f"/orders/{order.number}").status_code == 404
    # Units take no calls: the form and the link are the intake desk's (403 by role).
    for browser in (stranger, staff):
        assert browser.get(f"/intake/follow-up/{order.number}").status_code == 403
        posted = browser.post(f"/intake/follow-up/{order.number}", data={"text": NEWS})
        assert posted.status_code == 403
    operator = login(make(factories.user, Role.OPERATOR))
    assert operator.get("/intake/follow-up/20261120999999").status_code == 404
    assert _count(app, AuditEvent, AuditEvent.action == "follow_up_call") == 0


def test_a_tip_off_follow_up_tells_the_unit_nothing_of_the_reporter(app, make, login):
    order = make(
        factories.order,
        now=utcnow(),
        order_type="tip_off",
        confidential="on",
        caller_phone="13712345678",
        caller_name="举报人甲",
    )
    operator = login(make(factories.user, Role.OPERATOR))
    linked = operator.post(f"/intake/follow-up/{order.number}", data={"text": NEWS})
    assert linked.status_code == 302
    form_page = operator.get(f"/intake/follow-up/{order.number}").get_data(as_text=True)
    assert "举报人甲" not in form_page and "13712345678" not in form_page
    with app.app_context():
        notice = db.session.scalars(
            select(Notification).where(Notification.text.contains("追加诉求"))
        ).one()
    assert "举报人甲" not in notice.text and "1371234" not in notice.text


def test_repeat_call_rate_is_follow_ups_over_received_and_follow_ups():
    rate = kpi.figures(kpi.Counts(received=3, follow_ups=1)).repeat
    assert (rate.numerator, rate.denominator, rate.percent()) == (1, 4, "25.0%")
    assert kpi.figures(kpi.Counts()).repeat.percent() == "n/a"
    assert kpi.repeat_call_rate(2, 0).percent() == "100.0%"  # only follow-ups in the period


def test_kpi_page_and_report_show_the_repeat_call_rate(app, make, login, tmp_path):
    # Three orders in November 2026, one caller rings again about the first: 1 / (3 + 1).
    orders = [make(factories.order) for _ in range(3)]
    operator = make(factories.user, Role.OPERATOR)
    with app.app_context():
        follow_ups.link_call(
            db.session,
            number=orders[0].number,
            actor_id=operator.id,
            text=NEWS,
            channel="phone",
            now=factories.NOW,
        )
        # A follow-up outside the period does not count.
        follow_ups.link_call(
            db.session,
            number=orders[1].number,
            actor_id=operator.id,
            text=NEWS,
            channel="web",
            now=datetime(2026, 12, 2, tzinfo=UTC),
        )
    page = (
        login(make(factories.user, Role.SUPERVISOR))
        .get("/kpi?from=2026-11-01&to=2026-11-30")
        .get_data(as_text=True)
    )
    assert re.search(r'<td class="num">25\.0%</td><td class="num">1 / 4</td>', page)
    # By department: the unit that has the matter (all three orders are 东城's).
    staff_page = (
        login(make(factories.user, Role.DEPARTMENT, DONGCHENG))
        .get("/kpi?from=2026-11-01&to=2026-11-30")
        .get_data(as_text=True)
    )
    assert re.search(r'<td class="num">25\.0%</td><td class="num">1 / 4</td>', staff_page)
    with app.app_context():
        data = report_data.build(
            db.session,
            period=period_for(PeriodKind.MONTH, date(2026, 11, 1)),
            timezone="Asia/Shanghai",
        )
        assert data.overall.repeat.percent() == "25.0%"
        assert data.overall.counts.follow_ups == 1
        pdf = report_pdf.render(data, "月报", "全市", datetime(2026, 12, 1, tzinfo=UTC))
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "重复来电率" in text and "25.0%" in text and "追加诉求来电" in text


def test_follow_ups_are_counted_on_postgresql_too(any_app):
    with any_app.app_context():
        order = factories.order()
        operator = factories.user(Role.OPERATOR)
        follow_ups.link_call(
            db.session,
            number=order.number,
            actor_id=operator.id,
            text=NEWS,
            channel="phone",
            now=factories.NOW,
        )
        period = period_for(PeriodKind.MONTH, date(2026, 11, 1))
        everything = scope.window(
            db.session, period=period, timezone="Asia/Shanghai", scope=scope.Scope()
        )
        counts = kpis.counts_by_department(db.session, everything)
        assert counts[order.department_id].follow_ups == 1
        assert kpis.report(db.session, everything)[0].repeat.percent() == "50.0%"
