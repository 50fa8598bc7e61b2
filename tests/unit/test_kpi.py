"""KPI formulas on hand-worked figures, including zero denominators."""

import pytest

from hotline.core.reports import kpi


def test_each_rate_is_its_definition():
    counts = kpi.Counts(
        received=200, closed=150, routed=180, accepted_in_time=171, due=120,
        closed_by_due=114, surveys_planned=100, surveys_made=90, valid_answers=80,
        resolved=72, satisfied=60, basically_satisfied=12, dissatisfied=8, reopened=10,
    )  # fmt: skip
    f = kpi.figures(counts)
    assert f.response.value == pytest.approx(171 / 180) and f.response.percent() == "95.0%"
    assert f.resolution.value == pytest.approx(0.9)
    assert f.satisfaction.value == pytest.approx(72 / 80) and f.satisfaction.percent() == "90.0%"
    assert f.on_time.value == pytest.approx(0.95)
    assert f.completion.value == pytest.approx(0.75)
    assert f.survey.value == pytest.approx(0.9)
    assert f.reopen.value == pytest.approx(0.125) and f.reopen.percent(2) == "12.50%"
    assert (f.satisfaction.numerator, f.satisfaction.denominator) == (72, 80)


def test_zero_denominators_are_na_not_errors():
    f = kpi.figures(kpi.Counts())
    for rate in (
        f.response,
        f.resolution,
        f.satisfaction,
        f.on_time,
        f.completion,
        f.survey,
        f.reopen,
    ):
        assert rate.value is None and rate.percent() == "n/a"
    assert kpi.Rate(0, 5).percent() == "0.0%"


def test_impossible_counts_are_refused():
    with pytest.raises(ValueError):
        kpi.Rate(3, 2)
    with pytest.raises(ValueError):
        kpi.Rate(-1, 2)


def test_period_changes():
    assert kpi.Change(120, 100).difference == 20 and kpi.Change(120, 100).percent() == "+20.0%"
    assert kpi.Change(75, 100).percent() == "-25.0%"
    assert kpi.Change(5, 0).ratio is None and kpi.Change(5, 0).percent() == "n/a"
    assert kpi.Change(0, 0).difference == 0
