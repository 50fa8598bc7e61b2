"""One percentile for the director's page and the PDF report (nearest rank)."""

from hotline.core.reports.statistics import percentile
from hotline.services.ems.director import response_figures
from hotline.services.reports.ems_figures import EmsFigures

TEN = [70.0, 10.0, 100.0, 40.0, 20.0, 90.0, 30.0, 60.0, 50.0, 80.0]


def test_nearest_rank_on_ten_values():
    assert percentile(TEN, 0.9) == 90.0  # the 9th value, not the 10th
    assert percentile(TEN, 0.95) == 100.0
    assert percentile(TEN, 0.5) == 50.0
    assert percentile(TEN, 0.1) == 10.0
    assert percentile([], 0.9) is None


def test_no_floating_point_rank_creep():
    assert percentile(range(1, 31), 0.9) == 27  # 0.9 * 30 is 27.000000000000004


def test_the_page_and_the_report_agree():
    report = EmsFigures(10, {1: 10}, TEN, TEN)
    page = response_figures([(t, t) for t in TEN])
    assert page.dispatch_p90 == report.percentile(TEN, 0.9) == 90.0
    assert page.dispatch_p95 == report.percentile(TEN, 0.95) == 100.0
    assert page.scene_p90 == 90.0
