"""Reports on demand (PDF, XLSX, CSV) for officials, supervisors and departments, and the
archive of scheduled reports."""

import io
from datetime import UTC, date, datetime

from openpyxl import load_workbook

from hotline.core.accounts.roles import Role
from hotline.core.reports.periods import Period, PeriodKind
from hotline.pdf import report_sections
from hotline.plugins import db
from hotline.services.reports import data, files
from hotline.services.reports.scope import Scope
from tests import factories

DONGCHENG = "东城区城市管理委员会"
OCTOBER = {"kind": "month", "day": "2026-10-15"}


def orders(make):
    make(factories.order, now=datetime(2026, 10, 3, 2, 0, tzinfo=UTC))  # 东城区
    make(
        factories.order,
        now=datetime(2026, 10, 4, 2, 0, tzinfo=UTC),
        lon=str(factories.BIRDS_NEST[0]),
        lat=str(factories.BIRDS_NEST[1]),
    )


def test_official_downloads_pdf_xlsx_and_csv(make, login):
    orders(make)
    official = login(make(factories.user, Role.OFFICIAL))
    assert official.get("/reports").status_code == 200
    pdf = official.get("/reports/download", query_string={**OCTOBER, "format": "pdf"})
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    xlsx = official.get("/reports/download", query_string={**OCTOBER, "format": "xlsx"})
    book = load_workbook(io.BytesIO(xlsx.data))
    assert set(book.sheetnames) == {
        "types",
        "categories",
        "districts",
        "departments",
        "department_changes",
        "handling",
        "late",
        "daily",
    }
    header = [c.value for c in book["department_changes"][1]]
    assert header[:4] == ["承办单位", "满意率", "环比（百分点）", "同比（百分点）"]
    assert len(header) == 1 + 3 * 8 and "退单率" in header
    assert [c.value for c in book["types"][2]][:2] == ["投诉", 2]
    csv = official.get("/reports/download", query_string={**OCTOBER, "format": "csv-districts"})
    text = csv.data.decode("utf-8")
    assert text.startswith("\ufeff") and "东城区" in text and "朝阳区" in text
    bad = official.get("/reports/download", query_string={"kind": "month", "day": "garbage"})
    assert bad.status_code == 400
    assert (
        official.get("/reports/download", query_string={**OCTOBER, "format": "exe"}).status_code
        == 404
    )


def test_department_staff_get_their_own_department_only(make, login):
    orders(make)
    staff = login(make(factories.user, Role.DEPARTMENT, DONGCHENG))
    query = {**OCTOBER, "format": "csv-departments", "department_id": "1", "district_code": ""}
    text = staff.get("/reports/download", query_string=query).data.decode("utf-8")
    rows = [line for line in text.splitlines()[1:] if line]
    assert len(rows) == 1 and rows[0].startswith(DONGCHENG)
    assert staff.get("/reports/archive/2026/month-2026-10-01_2026-10-31.pdf").status_code == 403
    operator = login(make(factories.user, Role.OPERATOR))
    assert operator.get("/reports").status_code == 403


def test_scheduled_reports_are_archived_once(app, make, login, tmp_path):
    orders(make)
    app.config["REPORTS_DIR"] = tmp_path
    with app.app_context():
        made = files.generate_due(
            db.session, today=date(2026, 11, 2), timezone="Asia/Shanghai", reports_dir=tmp_path
        )
        again = files.generate_due(
            db.session, today=date(2026, 11, 3), timezone="Asia/Shanghai", reports_dir=tmp_path
        )
    assert sorted(p.name for p in made) == [
        "month-2026-10-01_2026-10-31.pdf",
        "week-2026-10-26_2026-11-01.pdf",
    ]
    assert again == []
    official = login(make(factories.user, Role.OFFICIAL))
    page = official.get("/reports").get_data(as_text=True)
    assert "month-2026-10-01_2026-10-31.pdf" in page
    archived = official.get("/reports/archive/2026/month-2026-10-01_2026-10-31.pdf")
    assert archived.status_code == 200 and archived.data.startswith(b"%PDF")
    assert official.get("/reports/archive/2026/..%2F..%2Fsetup.cfg").status_code == 404
    assert official.get("/reports/archive/x/month-2026-10-01_2026-10-31.pdf").status_code == 404


def test_spreadsheet_formulas_are_neutralised():
    data = files.to_csv([["名称"], ['=HYPERLINK("x")'], ["+1"], ["正常"]]).decode()
    assert "'=HYPERLINK" in data and "'+1" in data and "\n正常" in data.replace("\r", "")
    # A leading tab or carriage return is stripped by some spreadsheets before the formula.
    tab = files.to_csv([["\t=1+1"], ["\r@SUM(A1)"]]).decode()
    assert "'\t=1+1" in tab and "'\r@SUM(A1)" in tab


def test_120_statistics_are_in_the_citywide_report_only(app):
    # Diagnoses, complaints and dispatchers' figures are 120 data: a department's or a
    # district's report (read by 12345 staff) has no 120 section.
    period = Period(PeriodKind.MONTH, date(2026, 10, 1), date(2026, 10, 31))
    with app.app_context():
        city = data.build(db.session, period=period, timezone="Asia/Shanghai")
        scoped = [
            data.build(db.session, period=period, timezone="Asia/Shanghai", scope=scope)
            for scope in (Scope(department_id=1), Scope(district_code="110101"))
        ]
    assert city.ems.statistics is not None
    assert all(d.ems.statistics is None and report_sections.ems(d, None) == [] for d in scoped)


def test_the_report_job_is_scheduled(app):
    from hotline.jobs import create_scheduler

    scheduler = create_scheduler(app, blocking=False)
    scheduler.start(paused=True)
    try:
        assert scheduler.get_job("generate_reports") is not None
    finally:
        scheduler.shutdown(wait=False)
