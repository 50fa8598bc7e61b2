"""督办单: a supervisor issues a notice on an order, the unit handling it answers through its
page, another unit cannot, an unanswered notice escalates once, and the letter is a PDF with
its Chinese font embedded."""

import subprocess
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.database import utcnow
from hotline.models import AuditEvent, Notification, SupervisionNotice
from hotline.plugins import db
from hotline.services.deadlines import notices
from tests import factories

BEIJING = ZoneInfo("Asia/Shanghai")
DONGCHENG = "东城区城市管理委员会"  # where the factories' order (Tiananmen, noise) goes


def _issue(browser, number, instruction="请于明日前核查现场并回复。", hours=24):
    # The form's datetime-local is the centre's local time.
    due = (utcnow() + timedelta(hours=hours)).astimezone(BEIJING).strftime("%Y-%m-%dT%H:%M")
    return browser.post(
        f"/orders/{number}/notices", data={"instruction": instruction, "respond_by": due}
    )


def test_the_unit_answers_the_notice_another_unit_cannot(app, make, login):
    order = make(factories.order, now=utcnow())
    supervisor = login(make(factories.user, Role.SUPERVISOR))
    staff = login(make(factories.user, Role.DEPARTMENT, DONGCHENG))
    stranger = login(make(factories.user, Role.DEPARTMENT, "西城区城市管理委员会"))

    issued = _issue(supervisor, order.number, "请核查<script>并回复")
    assert issued.status_code == 303
    page = staff.get(f"/orders/{order.number}/notices").get_data(as_text=True)
    assert "请核查&lt;script&gt;并回复" in page and "<script>并" not in page
    assert 'name="answer"' in page  # the unit it was issued to may answer
    with app.app_context():
        notice = db.session.scalars(select(SupervisionNotice)).one()
        notice_id, number = notice.id, notice.number
    assert number.startswith("督〔") and number.endswith("第0001号")

    # Another unit: neither the page nor the answer (404, the order is not theirs).
    assert stranger.get(f"/orders/{order.number}/notices").status_code == 404
    refused = stranger.post(
        f"/orders/{order.number}/notices/{notice_id}/answer", data={"answer": "不是我们的"}
    )
    assert refused.status_code in (303, 404)
    assert (
        staff.post(
            f"/orders/{order.number}/notices/{notice_id}/answer",
            data={"answer": "已现场核查，已整改。"},
        ).status_code
        == 303
    )
    again = staff.post(
        f"/orders/{order.number}/notices/{notice_id}/answer", data={"answer": "再次回复"}
    )
    assert again.status_code == 303  # refused with a message: answered once
    with app.app_context():
        notice = db.session.get(SupervisionNotice, notice_id)
        assert (notice.state, notice.answer) == ("answered", "已现场核查，已整改。")
        actions = [
            e.action
            for e in db.session.scalars(
                select(AuditEvent).where(AuditEvent.order_id == order.id).order_by(AuditEvent.id)
            )
        ]
        recipients = set(db.session.scalars(select(Notification.recipient)))
    assert actions.count("notice_issued") == 1 and actions.count("notice_answered") == 1
    assert f"department:{order.department_id}" in recipients and "role:supervisor" in recipients
    # Only supervisors issue notices.
    assert _issue(staff, order.number).status_code == 403


def test_an_unanswered_notice_escalates_once(app, make, login):
    order = make(factories.order, now=utcnow())
    supervisor = login(make(factories.user, Role.SUPERVISOR))
    assert _issue(supervisor, order.number, hours=1).status_code == 303
    later = utcnow() + timedelta(hours=2)
    with app.app_context():
        assert notices.escalate_due(db.session, utcnow()) == 0  # not yet due
        assert notices.escalate_due(db.session, later) == 1
        assert notices.escalate_due(db.session, later) == 0  # once
        notice = db.session.scalars(select(SupervisionNotice)).one()
        raised = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "notice_escalated")
        ).all()
        told = db.session.scalars(
            select(Notification).where(Notification.recipient == "role:official")
        ).all()
    assert notice.state == "escalated" and len(raised) == 1 and len(told) == 1


def test_a_notice_must_be_due_later_and_say_something(app, make, login):
    order = make(factories.order, now=utcnow())
    supervisor = login(make(factories.user, Role.SUPERVISOR))
    supervisor.get(f"/orders/{order.number}/notices")
    assert _issue(supervisor, order.number, instruction="   ").status_code == 303
    assert _issue(supervisor, order.number, hours=-1).status_code == 303
    with app.app_context():
        assert db.session.scalars(select(SupervisionNotice)).all() == []


def test_the_letter_is_a_pdf_with_the_font_embedded(app, make, login, tmp_path):
    order = make(factories.order, now=utcnow())
    supervisor = login(make(factories.user, Role.SUPERVISOR))
    _issue(supervisor, order.number, "请核查施工噪音并回复。")
    with app.app_context():
        notice_id = db.session.scalars(select(SupervisionNotice.id)).one()
    answer = supervisor.get(f"/orders/{order.number}/notices/{notice_id}.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(answer.data)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "督办单" in text and "请核查施工噪音并回复" in text and order.number in text
    assert "13800138000" not in text  # no caller's data on the letter
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "WenQuanYi" in fonts and "STSong" not in fonts
    assert " yes " in fonts  # embedded
