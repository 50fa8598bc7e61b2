"""Hotspots (issue 16, item 4): a generated day of 60,000 orders with 10 planted clusters,
read by the scheduler's incremental run every four hours: every cluster found, none raised
twice, the supervisors told once per hotspot, and the run times printed."""

import subprocess
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from hotline.core.reports.periods import PeriodKind, period_for
from hotline.models import Hotspot, HotspotOrder, Notification, WorkOrder
from hotline.pdf import report as report_pdf
from hotline.plugins import db
from hotline.services.hotspots import detection
from hotline.services.reports import data as report_data
from tests import hotspot_day

START = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)  # midnight in Beijing


def test_a_day_of_orders_with_ten_planted_clusters(app):
    with app.app_context():
        planted = hotspot_day.generate(db.session, start=START)
        assert db.session.scalar(select(func.count()).select_from(WorkOrder)) == 60_000
        timings = []
        for hours in range(4, 29, 4):  # the scheduler's runs, here every four hours
            began = time.perf_counter()
            result = detection.run(db.session, START + timedelta(hours=hours))
            timings.append((hours, result.orders_read, time.perf_counter() - began))
        again = detection.run(db.session, START + timedelta(hours=28))
        assert again.raised == [] and again.grown == []  # reading orders twice changes nothing
        print("\nhotspot runs (hour, orders read, seconds):", timings)

        members: dict[int, set[str]] = {}
        for hotspot_id, number in db.session.execute(
            select(HotspotOrder.hotspot_id, WorkOrder.number).join(
                WorkOrder, WorkOrder.id == HotspotOrder.order_id
            )
        ):
            members.setdefault(hotspot_id, set()).add(number)
        for cluster in planted:
            holding = [h for h, numbers in members.items() if cluster.numbers & numbers]
            assert len(holding) == 1, cluster  # found, and as one hotspot
            assert cluster.numbers <= members[holding[0]]
        hotspots = db.session.scalars(select(Hotspot)).all()
        assert len(hotspots) == len(planted)  # no hotspot raised twice, no stray one
        told = db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.recipient == "role:supervisor", Notification.text.contains("热点"))
        )
        assert told == len(planted)
        # With nothing new for longer than their window, they close.
        detection.run(db.session, START + timedelta(days=3))
        states = db.session.scalars(select(Hotspot.state)).all()
        assert states == ["closed"] * len(planted)


def test_the_monthly_report_shows_the_period_s_hotspots_on_a_map(app, tmp_path):
    october = datetime(2026, 10, 9, 16, 0, tzinfo=UTC)
    with app.app_context():
        hotspot_day.generate(db.session, start=october, orders=2_000, clusters=2, prefix="R")
        detection.run(db.session, october + timedelta(hours=24))
        names = set(db.session.scalars(select(Hotspot.category_id)))
        assert len(names) == 2
        data = report_data.build(
            db.session,
            period=period_for(PeriodKind.MONTH, date(2026, 10, 1)),
            timezone="Asia/Shanghai",
        )
        assert len(data.hotspots) == 2
        category = data.hotspots[0].category.name
        pdf = report_pdf.render(data, "月报", "全市", datetime(2026, 11, 1, 8, tzinfo=UTC))
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "热点（同类诉求在时空上集中）" in text and "本期共发现热点 2 个" in text
    assert category in text
