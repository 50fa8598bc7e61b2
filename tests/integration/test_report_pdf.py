"""The statistics report PDF: figures in its text, the CJK font embedded, every page
renders, hostile text cannot break it; and the command that writes it."""

import subprocess
from datetime import UTC, date, datetime

from hotline.core.orders.workflow import Step
from hotline.core.reports.periods import PeriodKind, period_for
from hotline.pdf import report as report_pdf
from hotline.plugins import db
from hotline.services.reports import data as report_data
from hotline.services.units import organisation
from tests import factories

HOSTILE = '<font name="x">& </b> <para> ' + "长" * 300 + " 🚑 مرحبا"


def test_report_pdf_text_fonts_and_pages(app, tmp_path):
    with app.app_context():
        for day in (3, 4, 5):
            factories.order(now=datetime(2026, 10, day, 2, 0, tzinfo=UTC))
        _answered_survey_with(HOSTILE)
        department = factories.department("东城区城市管理委员会")
        organisation.save_department(
            db.session,
            department_id=department.id,
            name=HOSTILE[:100],
            kind=department.kind,
            district_id=department.district_id,
            active=True,
        )
        data = report_data.build(
            db.session,
            period=period_for(PeriodKind.MONTH, date(2026, 10, 1)),
            timezone="Asia/Shanghai",
        )
        pdf = report_pdf.render(
            data, f"月报 {HOSTILE}", HOSTILE, datetime(2026, 11, 1, 8, tzinfo=UTC)
        )
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "关键指标" in text and "受理工单" in text and "2026年10月01日" in text
    assert "来电人意见摘录" in text and '<font name="x">&' in text  # shown as text
    assert "+4（n/a）" in text.replace(" ", "")  # 4 orders against an empty September
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "WenQuanYiMicroHei" in fonts and " yes " in fonts
    pages = subprocess.run(
        ["pdftoppm", "-r", "30", "-png", str(path), str(tmp_path / "p")],
        capture_output=True,
        check=True,
    )
    assert pages.returncode == 0 and len(list(tmp_path.glob("p-*.png"))) >= 3


def test_report_command(app, tmp_path):
    with app.app_context():
        factories.order(now=datetime(2026, 10, 3, 2, 0, tzinfo=UTC))
    runner = app.test_cli_runner()
    out = tmp_path / "r.pdf"
    result = runner.invoke(
        args=["hotline", "report", "--from", "2026-10-01", "--to", "2026-10-31", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "1 orders" in result.output and out.read_bytes().startswith(b"%PDF")
    chaoyang = ["--district", "110105", "--out", str(out)]
    district = runner.invoke(
        args=["hotline", "report", "--from", "2026-10-01", "--to", "2026-10-31", *chaoyang]
    )
    assert district.exit_code == 0 and "0 orders" in district.output  # the order is in 东城区
    bad = runner.invoke(
        args=["hotline", "report", "--from", "2026-10-31", "--to", "2026-10-01", "--out", str(out)]
    )
    assert bad.exit_code != 0


def _answered_survey_with(comment: str) -> None:
    """A closed order whose survey (in October 2026) carries `comment`."""
    from zoneinfo import ZoneInfo

    from hotline.core.accounts.roles import Role
    from hotline.core.orders.workflow import Action
    from hotline.core.surveys.rules import parse_call
    from hotline.services.orders import handling
    from hotline.services.surveys import tasks

    when = datetime(2026, 10, 6, 2, 0, tzinfo=UTC)
    staff = factories.user(Role.DEPARTMENT, "东城区城市管理委员会")
    desk = factories.user(Role.DESK)
    order = factories.order(now=when)
    for actor, action, note in (
        (staff, Action.ACCEPT, ""),
        (staff, Action.REPLY, "已处理"),
        (desk, Action.APPROVE, ""),
    ):
        step = Step(action, note)
        handling.perform(db.session, actor_id=actor.id, number=order.number, step=step, now=when)
    [task] = tasks.for_order(db.session, order.id)
    form = {
        "outcome": "answered",
        "resolved": "yes",
        "satisfaction": "basic",
        "attitude": "satisfied",
        "score": "8",
        "comment": comment[:2000],
    }
    tasks.record_call(
        db.session,
        actor_id=factories.user(Role.SURVEYOR).id,
        survey_id=task.id,
        result=parse_call(form, ZoneInfo("Asia/Shanghai")),
        now=task.due_at,
        timezone="Asia/Shanghai",
    )
