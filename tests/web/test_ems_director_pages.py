"""The director's statistics page, the incident history's search and CSV export, and the
monthly PDF's 120 section: the same figures as the service, on the hand-worked month of
tests/factories_statistics.py."""

import html
import re
import subprocess
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.core.accounts.security import SecurityKind
from hotline.core.ems.intervals import Link
from hotline.core.ems.totals import Total
from hotline.core.reports.periods import PeriodKind, period_for
from hotline.labels import chinese
from hotline.models import Hospital, Incident, SecurityEvent
from hotline.plugins import db
from hotline.services.ems import statistics_report as report
from hotline.services.reports import files
from hotline.services.reports.scope import CITY
from tests import factories, factories_statistics
from tests.factories_statistics import TZ

OCTOBER = period_for(PeriodKind.MONTH, date(2026, 10, 1))
PAGE = "/ems/director?kind=month&on=2026-10-15"


@pytest.fixture
def world(app, make):
    ids = make(factories_statistics.seed)
    supervisor = make(factories.user, Role.SUPERVISOR)
    official = make(factories.user, Role.OFFICIAL)
    with app.app_context():
        stats = report.report(db.session, period=OCTOBER, timezone=TZ)
        expected = {
            "totals": [(chinese(Total, k), c) for k, c in report.totals(stats)],
            "links": [(chinese(Link, k), c) for k, c in report.links(stats)],
            "dispatchers": [
                (report.dispatcher_name(stats, k), c) for k, c in report.dispatchers(stats)
            ],
            "hospitals": report.hospitals(stats),
        }
        h1 = db.session.scalar(select(Hospital.id).where(Hospital.name == "第一医院（合成）"))
    return {"ids": ids, "supervisor": supervisor, "official": official, "h1": h1, **expected}


def table_rows(page: str, table_id: str) -> list[list[str]]:
    """The body rows of a table of the page, as cell texts."""
    body = re.search(rf'<table id="{table_id}">.*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    return [
        [
            html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)
        ]
        for r in rows
    ]


def test_the_page_shows_the_services_figures(world, login):
    page = login(world["supervisor"]).get(PAGE).get_data(as_text=True)
    assert [r[1:] for r in table_rows(page, "ems-totals")] == [c for _k, c in world["totals"]]
    assert table_rows(page, "ems-totals")[0][1:] == ["6", "+4（+200.0%）", "+4（+200.0%）"]
    assert [r[1:] for r in table_rows(page, "ems-chain")] == [c for _k, c in world["links"]]
    dispatchers = table_rows(page, "ems-dispatchers")
    assert [r[0] for r in dispatchers[:2]] == ["调度员甲", "调度员乙"] and len(dispatchers) == 3
    assert dispatchers[0][1:] == world["dispatchers"][0][1]
    assert table_rows(page, "ems-hospitals")[0] == [
        "第一医院（合成）",
        "2",
        "+2（n/a）",
        "+2（n/a）",
    ]
    assert table_rows(page, "ems-complaints")[0][0] in ("胸痛", "呼吸困难")
    assert 'id="chart-hours"' in page and "<svg" in page
    assert "主诉T1" in page  # the live history shows complaints to the 120 roles


def test_an_official_sees_figures_but_no_health_data(world, login):
    official = login(world["official"])
    page = official.get(PAGE).get_data(as_text=True)
    assert table_rows(page, "ems-totals")[0][1] == "6"
    # Complaints and diagnoses (from the patient records) are for the 120 roles only.
    assert 'id="ems-complaints"' not in page and 'id="ems-diagnoses"' not in page
    history = official.get("/ems/director/incidents?from=2026-10-01&to=2026-10-31")
    text = history.get_data(as_text=True)
    assert history.status_code == 200 and "T1" in text
    assert "主诉T" not in page and "主诉T" not in text
    assert "主诉分类" not in text and 'name="complaint"' not in text
    # The complaint filter is not applied for them either (it would tell which had C02).
    filtered = official.get("/ems/director/incidents?complaint=C02").get_data(as_text=True)
    assert "T1" in filtered and "T6" in filtered
    export = official.get("/ems/director/incidents/export?from=2026-10-01&to=2026-10-31")
    csv = export.get_data(as_text=True)
    assert "主诉T1" not in csv and "主诉分类" not in csv
    assert csv.lstrip("\ufeff").startswith(
        "编号,呼救时间,区,分级,结果,撤警原因,车辆,送往医院,联动来源"
    )


def test_a_range_is_a_year_at_most(world, login):
    browser = login(world["supervisor"])
    year = browser.get("/ems/director?kind=range&from=2025-10-31&to=2026-10-31")
    assert year.status_code == 200
    longer = browser.get("/ems/director?kind=range&from=2025-10-30&to=2026-10-31")
    assert longer.status_code == 422 and "366" in longer.get_data(as_text=True)


def test_history_search_filters(world, login):
    browser = login(world["supervisor"])
    by_hospital = browser.get(f"/ems/director/incidents?hospital={world['h1']}").get_data(
        as_text=True
    )
    assert re.findall(r">(T\d)</a>", by_hospital) == ["T5", "T1"]
    withdrawn = browser.get("/ems/director/incidents?outcome=withdrawn&from=2026-10-01").get_data(
        as_text=True
    )
    assert re.findall(r">([TSYN]\d)</a>", withdrawn) == ["T6"]
    complaint = browser.get("/ems/director/incidents?complaint=C02&triage=2").get_data(as_text=True)
    assert re.findall(r">(T\d)</a>", complaint) == ["T5", "T3"]


def test_csv_export_filters_escapes_and_is_logged(world, login, app):
    with app.app_context():
        incident = db.session.scalar(select(Incident).where(Incident.number == "T1"))
        incident.complaint = '=HYPERLINK("http://x","y")'
        db.session.commit()
    response = login(world["supervisor"]).get(
        f"/ems/director/incidents/export?hospital={world['h1']}&from=2026-10-01&to=2026-10-31"
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.data
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("编号,呼救时间,区,分级,结果") and lines[0].endswith(
        ",主诉分类,联动来源,主诉"
    )
    assert [line.split(",")[0] for line in lines[1:]] == ["T5", "T1"]
    assert "13800138000" not in text
    assert "'=HYPERLINK" in text  # a formula is quoted, not run
    with app.app_context():
        event = db.session.scalar(
            select(SecurityEvent).where(
                SecurityEvent.kind == SecurityKind.PERSONAL_DATA_EXPORT.value
            )
        )
        assert "2 rows" in event.detail and event.actor_id == world["supervisor"].id


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_monthly_pdf_has_the_same_figures(world, app, tmp_path):
    with app.app_context():
        _data, pdf = files.pdf(
            db.session,
            period=OCTOBER,
            timezone=TZ,
            scoped=CITY,
            now=datetime(2026, 11, 1, 1, tzinfo=UTC),
        )
    path = tmp_path / "month.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    lines = {_compact(line) for line in out.stdout.splitlines()}
    for group in ("totals", "links", "dispatchers"):
        for name, cells in world[group]:
            row = _compact((name or "联动（其他中心）") + "".join(cells))
            assert row in lines, (group, row)
    for name, cells in world["hospitals"]:
        assert _compact(name + "".join(cells)) in lines
    assert "8.9" in out.stdout and "调度员甲" in out.stdout
