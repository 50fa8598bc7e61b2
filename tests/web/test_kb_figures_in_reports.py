"""直接办结率 (orders closed at intake / orders received) on the KPI page and in the monthly
report, with the knowledge base's top articles and gaps of the period."""

import subprocess
from datetime import UTC, date, datetime

from hotline.core.accounts.roles import Role
from hotline.core.reports import kpi
from hotline.core.reports.periods import PeriodKind, period_for
from hotline.pdf import report as report_pdf
from hotline.plugins import db
from hotline.services.kb import usage
from hotline.services.reports import data as report_data
from tests import factories, kb_factories


def test_direct_closure_rate_counts_closed_at_intake_among_received():
    figures = kpi.figures(kpi.Counts(received=4, closed=3, closed_at_intake=1))
    assert (figures.direct.numerator, figures.direct.denominator) == (1, 4)
    assert figures.direct.percent() == "25.0%"
    assert kpi.figures(kpi.Counts()).direct.percent() == "n/a"


def _inquiry_closed_at_intake(article_id=None, **overrides):
    from hotline.core.orders.intake import parse_intake
    from hotline.services.orders import intake

    form = factories.call_form(
        order_type="inquiry", close_at_intake="on", intake_answer="已答复", **overrides
    )
    now = overrides.pop("now", factories.NOW)
    hook = usage.on_intake(
        db.session, article_id=article_id, query="", inquiry=True, user_id=None, now=now
    )
    intake.register_call(
        db.session,
        request=parse_intake(form),
        actor_id=None,
        now=now,
        timezone="Asia/Shanghai",
        on_created=hook,
    )


def test_kpi_page_shows_direct_closure_and_the_knowledge_base(app, make, login):
    editor = make(factories.user, Role.KNOWLEDGE_EDITOR)
    article_id = make(kb_factories.article, editor, make(factories.user, Role.SUPERVISOR))
    with app.app_context():
        _inquiry_closed_at_intake(article_id)
        _inquiry_closed_at_intake()
        factories.order()
        usage.record_gap(db.session, "公积金提取", factories.NOW)
    page = (
        login(make(factories.user, Role.SUPERVISOR))
        .get("/kpi?from=2026-11-01&to=2026-11-30")
        .get_data(as_text=True)
    )
    row = page.split("直接办结率")[1].split("</tr>")[0]
    assert "66.7%" in row and "2 / 3" in row
    assert "社保卡丢了怎么补办" in page.split('id="kb-top"')[1].split("</table>")[0]
    assert "公积金提取" in page.split('id="kb-gaps"')[1].split("</table>")[0]
    # Department staff see their own department's figures, not the knowledge base.
    staff = login(make(factories.user, Role.DEPARTMENT, "东城区城市管理委员会"))
    assert 'id="kb-top"' not in staff.get("/kpi").get_data(as_text=True)


def test_monthly_report_has_direct_closure_and_a_knowledge_base_section(app, make, tmp_path):
    editor = make(factories.user, Role.KNOWLEDGE_EDITOR)
    article_id = make(kb_factories.article, editor, make(factories.user, Role.SUPERVISOR))
    with app.app_context():
        _inquiry_closed_at_intake(article_id)
        factories.order()
        usage.record_gap(db.session, "公积金提取", factories.NOW)
        data = report_data.build(
            db.session,
            period=period_for(PeriodKind.MONTH, date(2026, 11, 1)),
            timezone="Asia/Shanghai",
        )
        assert data.overall.direct.percent() == "50.0%"
        assert data.knowledge.top == [("社保卡丢了怎么补办", 1, 0)]
        assert data.knowledge.gaps == [("公积金提取", 1)]
        pdf = report_pdf.render(data, "月报", "全市", datetime(2026, 12, 1, tzinfo=UTC))
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "直接办结率" in text and "50.0%" in text
    assert "六、知识库" in text and "社保卡丢了怎么补办" in text and "公积金提取" in text
