"""The report PDF's 话务 section: the hand-worked day's figures with 环比 and 同比, per
queue, agent and hour, in Chinese; a district's report has none (calls have no district)."""

import subprocess
from datetime import UTC, datetime

from hotline.core.reports.periods import PeriodKind
from hotline.core.telephony.line import LineSettings
from hotline.pdf import report as report_pdf
from hotline.plugins import db
from hotline.services.reports import data as report_data
from hotline.services.reports.scope import Scope
from tests.integration.test_call_figures import PERIOD, seed

LINE = LineSettings(after_call_seconds=30, short_abandon_seconds=5)


def _text(app, tmp_path, scope: Scope) -> str:
    with app.app_context():
        data = report_data.build(
            db.session, period=PERIOD, timezone="Asia/Shanghai", scope=scope, line=LINE
        )
        pdf = report_pdf.render(data, "日报", "全市", datetime(2026, 11, 21, 8, tzinfo=UTC))
    path = tmp_path / f"report-{scope.district_code}.pdf"
    path.write_bytes(pdf)
    run = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return run.stdout


def test_the_calls_section(app, tmp_path):
    assert PERIOD.kind is PeriodKind.DAY
    with app.app_context():
        seed()
    text = _text(app, tmp_path, Scope())
    compact = text.replace(" ", "")
    assert "七、话务" in text and "呼入量" in text and "接通率" in text
    # Offered 7 against 1 the day before (环比) and 2 a year before (同比).
    assert "+6（+600.0%）" in compact and "+5（+250.0%）" in compact
    assert "57.1%" in text and "42.9%" in text and "28.6%" in text  # 4/7, 3/7, 2/7
    assert "-42.9个百分点" in compact  # 57.1% against 100.0% the day before
    assert "12.5" in text and "-1.5秒" in compact  # 50 s / 4 against 14 s
    assert "12345热线" in compact and "120急救" in compact
    assert "09时" in text and "10时" in text and "Testoperator" in compact
    assert "短时放弃1次" in compact and "队列满拒接1次" in compact


def test_no_calls_section_for_a_district_or_without_calls(app, tmp_path):
    assert "话务" not in _text(app, tmp_path, Scope())  # nothing on record
    with app.app_context():
        seed()
    assert "话务" not in _text(app, tmp_path, Scope(district_code="110101"))
