"""Issue 14's "must show" on the rebased sample (data/sample/2023).

The 入库 columns come from the sample's workbooks through the deliberately simple reader of
tests/forecast_frames.py until the io branch reads them. The truth of the months after a cut is the
sample's own published baseline (and, for November and December, the generator's record).

Honesty note: the sample is made by jygproj.sample, whose rules the model does not read but partly
shares — a project's monthly work follows the seasonal profile (the model's construction intensity
too) and other FAI is nearly flat (one of the three patterns the model may pick). The tests below
show the model works on data made that way; test_results_depend_on_the_project_intensity shows how
much of the accuracy rests on the profile.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from jygproj import paths, projection
from jygproj.forecast import backtest, forecast_city, history
from jygproj.io import load_dataset
from jygproj.reference import load_seasonal_profile, load_targets
from jygproj.sample import build_sample, reference_shares
from forecast_frames import cut_folder, with_registration

pytestmark = pytest.mark.skipif(not any(paths.SAMPLE_2023.glob("*.xlsx")), reason="sample not generated yet")
PROFILE = load_seasonal_profile()


@pytest.fixture(scope="module")
def full():
    ds = load_dataset(paths.SAMPLE_2023)
    return ds, with_registration(ds.projects), with_registration(ds.progress)


@pytest.fixture(scope="module")
def truth():
    return build_sample(load_targets(2023), 2023, "2023-10", reference_shares(PROFILE)).fai


@pytest.fixture(scope="module")
def cuts(tmp_path_factory, full):
    """The forecast as of 07, 08, 09 from folders with the later workbooks removed."""
    out = {}
    for m in (7, 8, 9):
        ds = load_dataset(cut_folder(paths.SAMPLE_2023, tmp_path_factory.mktemp(f"cut{m}"), m))
        assert ds.baseline.filter((pl.col("year") == 2023) & (pl.col("month") > m))["current_cum_wan"].null_count() \
            == 12 - m
        out[m] = forecast_city(with_registration(ds.projects), ds.memberships, with_registration(ds.progress),
                               ds.baseline, as_of=f"2023-{m:02d}", profile=PROFILE)
    return out


@pytest.mark.parametrize("m", [7, 8, 9])
def test_one_month_ahead_within_one_point_and_inside_the_band(cuts, truth, m):
    r = cuts[m]
    actual = truth.growth_pct[2023][m + 1]
    predicted = r.forecast.growth_pct[m + 1]
    bands = r.bands().filter(pl.col("month") == m + 1).row(0, named=True)
    assert abs(predicted - actual) <= 1.0, (m, predicted, actual)
    assert bands["p10_growth_pct"] <= actual <= bands["p90_growth_pct"]


@pytest.mark.parametrize("m", [7, 8, 9])
def test_a_cut_folder_equals_the_forecast_cut_inside(cuts, full, m):
    ds, projects, progress = full
    inside = forecast_city(projects, ds.memberships, progress, ds.baseline, as_of=f"2023-{m:02d}", profile=PROFILE)
    assert inside.forecast.total_wan[m:] == pytest.approx(cuts[m].forecast.total_wan[m:], rel=1e-9)


@pytest.mark.parametrize("m", [7, 8, 9, 10])
def test_deterministic_equals_the_monte_carlo_median(full, m):
    ds, projects, progress = full
    r = forecast_city(projects, ds.memberships, progress, ds.baseline, as_of=f"2023-{m:02d}", profile=PROFILE)
    median = r.simulation.quantiles((50,))[50]
    for month in range(m + 1, 13):
        assert abs(median[month] / r.forecast.total_wan[month] - 1) < 0.005, month


def test_backtest_scores_hidden_months(full):
    ds, projects, progress = full
    cases = backtest.run(projects, ds.memberships, progress, ds.baseline, profile=PROFILE)
    out = backtest.summary(cases)
    first = out["cases"][0]
    assert {"as_of", "month", "predicted_growth_pct", "actual_growth_pct", "p10_growth_pct",
            "p90_growth_pct"} <= set(first)
    assert first["as_of"] == "2021-02" and first["month"] == 3
    years = {c.year for c in cases}
    assert years == {2021, 2022, 2023}  # two past years of the baseline, and this one
    # real-time calibration: P10–P90 holds about 80% of the outcomes it had not seen
    assert 0.7 <= out["coverage_p10_p90"] <= 0.9
    # with the listed projects (2023 from June) the forecast beats holding the year-to-date growth
    split = [c for c in cases if c.mode == "split"]
    assert np.mean([abs(c.error_pp) for c in split]) < np.mean([abs(c.hold_growth_pct - c.actual_growth_pct)
                                                               for c in split])


def test_reconciliation_on_the_sample(full, truth):
    ds, projects, progress = full
    r = forecast_city(projects, ds.memberships, progress, ds.baseline, as_of="2023-10", profile=PROFILE)
    rec = r.reconciliation
    # 调度数 123.87亿 > 统计数 93.38亿 (README): shown as a gap, not zeroed
    assert rec["listed_exceeds_city"] and rec["gap_wan"] == pytest.approx(rec["reported_wan"] - rec["city_wan"])
    assert rec["reported_wan"] == pytest.approx(truth.listed_reported_wan[10])
    assert 0.45 <= rec["rho"] <= 0.85  # the generator's range of statistical shares
    assert rec["other_wan"] > 0 and r.warnings.height > 0
    assert r.forecast.parts.mode == "split" and r.forecast.city.shape_source == "history"


def test_a_city_far_smaller_than_its_lists_is_still_plausible(full):
    # the same projects against a city whose FAI is 60% of the sample's (listed reports ≈ 2.2 × FAI):
    # the old projection (other FAI set to 0) runs away; the forecast's growth hardly moves
    ds, projects, progress = full
    small = ds.baseline.with_columns(pl.col("prior_cum_wan") * 0.6, pl.col("current_cum_wan") * 0.6)
    old = projection.project(ds.projects, ds.memberships, ds.progress, small, as_of="2023-10", profile=PROFILE)
    assert old["growth_pct"][10] > 100
    r = forecast_city(projects, ds.memberships, progress, small, as_of="2023-10", profile=PROFILE)
    base = forecast_city(projects, ds.memberships, progress, ds.baseline, as_of="2023-10", profile=PROFILE)
    assert r.reconciliation["gap_wan"] > 0.5 * r.reconciliation["city_wan"]
    assert abs(r.forecast.growth_pct[11] - base.forecast.growth_pct[11]) < 1.0
    assert 5 < r.forecast.growth_pct[11] < 20


def test_without_registration_the_front_door_still_forecasts(full):
    ds, _, _ = full
    # lists and tables without 是否入库/入库时间 columns: jygproj.io gives the columns, all null
    unknown = [pl.lit(None, pl.Boolean).alias("registered"), pl.lit(None, pl.Date).alias("registered_on")]
    r = forecast_city(ds.projects.with_columns(unknown), ds.memberships, ds.progress.with_columns(unknown), ds.baseline,
                      as_of="2023-10", profile=PROFILE)
    assert not r.reconciliation["registration_known"] and r.warnings.is_empty()
    assert 5 < r.forecast.growth_pct[11] < 20


def test_results_depend_on_the_project_intensity(full):
    # the honest caveat: a project's monthly intensity is the seasonal profile (as the sample's
    # projects were made); with the city's aggregate shape instead, one month ahead misses by
    # 2–3 points on average (0.5–3.5)
    ds, projects, progress = full
    shape = history.city(ds.baseline, year=2023, as_of_month=10, profile=PROFILE).shape
    cases = backtest.run(projects, ds.memberships, progress, ds.baseline, profile=PROFILE, project_shape=shape)
    errors = [abs(c.error_pp) for c in cases if c.mode == "split" and c.horizon == 1]
    assert np.mean(errors) > 2.0
