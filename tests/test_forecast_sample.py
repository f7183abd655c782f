"""Issue 14's "must show" on the rebased sample (data/sample/2023), through the front door
(jygproj.open → Workbench.forecast / .quarterly / .planner), on folders cut as a user would cut them
(the later workbooks removed, the baseline's later months blank).

Registration (是否入库/入库时间): the io branch reads it into the canonical ``registered`` /
``registered_on`` columns. Until that has landed, the front door gives no such column and
:func:`registered` adds them with the deliberately simple reader of tests/forecast_frames.py (the
very cells the loader's rows came from); once io has landed the front door's own columns are used
and the helper does nothing. The front door without registration is measured too
(test_without_registration_the_front_door_still_forecasts).

The truth of the months after a cut is the sample's own published baseline (and, for November and
December, the generator's record). Honesty note: the sample is made by jygproj.sample, whose rules
the model does not read but partly shares — a project's monthly work follows the seasonal profile
(the model's construction intensity too) and other FAI is nearly flat (one of the three patterns the
model may pick); test_results_depend_on_the_project_intensity shows how much rests on the profile.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import polars as pl
import pytest

import jygproj
from jygproj import paths
from jygproj.forecast import backtest, history
from jygproj.reference import load_seasonal_profile, load_targets
from jygproj.sample import build_sample, reference_shares
from forecast_frames import cut_folder, with_registration

pytestmark = pytest.mark.skipif(not any(paths.SAMPLE_2023.glob("*.xlsx")), reason="sample not generated yet")
PROFILE = load_seasonal_profile()


def registered(wb):
    """``wb`` with the registration columns (the front door's own once io reads 是否入库)."""
    if "registered" in wb.projects.columns and wb.projects["registered"].drop_nulls().len():
        return wb
    ds = dataclasses.replace(wb.dataset, projects=with_registration(wb.projects),
                             progress=with_registration(wb.progress))
    return dataclasses.replace(wb, dataset=ds, _cache={})


@pytest.fixture(scope="module")
def truth():
    return build_sample(load_targets(2023), 2023, "2023-10", reference_shares(PROFILE)).fai


@pytest.fixture(scope="module")
def cut_folders(tmp_path_factory):
    return {m: cut_folder(paths.SAMPLE_2023, tmp_path_factory.mktemp(f"cut{m}"), m) for m in (7, 8, 9)}


@pytest.fixture(scope="module")
def cuts(cut_folders):
    """The front door on each cut folder: (workbench with registration, its quarterly review)."""
    out = {}
    for m, folder in cut_folders.items():
        wb = registered(jygproj.open(folder, as_of=f"2023-{m:02d}"))
        assert wb.baseline.filter((pl.col("year") == 2023) & (pl.col("month") > m))["current_cum_wan"].null_count() \
            == 12 - m
        out[m] = (wb, wb.quarterly())
    return out


@pytest.fixture(scope="module")
def sample():
    return registered(jygproj.open())


@pytest.mark.parametrize("m", [7, 8, 9])
def test_one_month_ahead_within_one_point_and_inside_the_band(cuts, truth, m):
    wb, review = cuts[m]
    actual = truth.growth_pct[2023][m + 1]
    growth = review.frames["growth"].filter(pl.col("month") == m + 1).row(0, named=True)
    band = review.frames["forecast_bands"].filter(pl.col("month") == m + 1).row(0, named=True)
    assert growth["cum_growth_pct"] == pytest.approx(wb.forecast().forecast.growth_pct[m + 1])
    assert abs(growth["cum_growth_pct"] - actual) <= 1.0, (m, growth["cum_growth_pct"], actual)
    assert band["p10_growth_pct"] <= actual <= band["p90_growth_pct"]


@pytest.mark.parametrize("m", [7, 8, 9])
def test_a_cut_folder_equals_the_full_folder_opened_as_of_the_month(cuts, sample, m):
    wb, _ = cuts[m]
    inside = registered(jygproj.open(as_of=f"2023-{m:02d}")).forecast()
    assert inside.forecast.total_wan[m:] == pytest.approx(wb.forecast().forecast.total_wan[m:], rel=1e-9)


@pytest.mark.parametrize("m", [7, 8, 9, 10])
def test_deterministic_equals_the_monte_carlo_median(m):
    for wb in (jygproj.open(as_of=f"2023-{m:02d}"), registered(jygproj.open(as_of=f"2023-{m:02d}"))):
        r = wb.forecast()
        median = r.simulation.quantiles((50,))[50]
        for month in range(m + 1, 13):
            assert abs(median[month] / r.forecast.total_wan[month] - 1) < 0.005, (month, r.registration_known)


def test_quarterly_and_planner_are_one_forecast(sample):
    review = sample.quarterly()
    planner = sample.planner()
    result = planner.run(planner.baseline)
    g = review.summary["growth"]
    # the same probabilities (same forecast, same draws and seed) and the same path
    assert result.mc.probability == pytest.approx({k: g[k]["probability"] for k in ("level", "rate")}, abs=1e-4)
    assert result.mc.probability == sample.forecast().reading_probabilities()
    path = review.frames["growth"]["cum_wan"].to_numpy()
    assert np.allclose(result.outcome.path.total_wan[1:], path[1:], rtol=1e-12)
    # the planner's deterministic line is its Monte Carlo median within 0.5 %
    p50 = result.mc.bands["p50_cum_wan"].to_numpy()
    assert np.all(np.abs(p50[10:] / result.outcome.path.total_wan[10:] - 1) < 0.005)


def test_backtest_scores_hidden_months(sample):
    r = sample.forecast()
    out = r.backtest_summary()
    first = out["cases"][0]
    assert {"as_of", "month", "predicted_growth_pct", "actual_growth_pct", "p10_growth_pct",
            "p90_growth_pct"} <= set(first)
    assert first["as_of"] == "2021-02" and first["month"] == 3
    assert {c.year for c in r.cases} == {2021, 2022, 2023}  # two past years of the baseline, and this one
    assert {c.month for c in r.cases if c.horizon > 1} == {sample.plan.goal.target_month}
    # real-time calibration: P10–P90 holds about 80% of the outcomes it had not seen
    assert 0.7 <= out["coverage_p10_p90"] <= 0.9
    # with the listed projects (2023 from June) the forecast beats holding the year-to-date growth
    split = [c for c in r.cases if c.mode == "split"]
    assert np.mean([abs(c.error_pp) for c in split]) < np.mean([abs(c.hold_growth_pct - c.actual_growth_pct)
                                                               for c in split])


def test_reconciliation_in_the_report(sample, truth):
    review = sample.quarterly()
    rec = review.summary["growth"]["forecast"]["reconciliation"]
    # 调度数 123.87亿 > 统计数 93.39亿 (README): shown as a gap, not zeroed
    assert rec["listed_exceeds_city"] and rec["gap_wan"] == pytest.approx(rec["reported_wan"] - rec["city_wan"], abs=0.01)
    assert rec["reported_wan"] == pytest.approx(truth.listed_reported_wan[10])
    assert 0.45 <= rec["rho"] <= 0.85  # the generator's range of statistical shares
    assert rec["other_wan"] > 0
    assert "超出全市统计数" in review.text["forecast_notes"] and "未把清单外投资记为零" in review.text["forecast_notes"]
    assert "reconciliation" in review.tables and "registration_known" in review.summary["growth"]["forecast"]
    assert sample.forecast().warnings.height > 0
    assert not sample.forecast().registration_status().is_empty()


def test_a_city_far_smaller_than_its_lists_is_still_plausible():
    # the same projects against a city whose FAI is 60% of the sample's (listed reports ≈ 2.2 × FAI):
    # the old projection set other FAI to 0 and projected November at over +100%; the forecast's
    # growth hardly moves and the report carries the reconciliation line
    from jygproj import quarterly

    wb = jygproj.open()
    small = wb.baseline.with_columns(pl.col("prior_cum_wan") * 0.6, pl.col("current_cum_wan") * 0.6)
    inputs = quarterly.inputs_from(wb.catalogue, dataclasses.replace(wb.dataset, baseline=small), wb.plan)
    review = quarterly.build_review(inputs, quarterly.ReviewParams(2023, 3, str(wb.folder), "2023-10"))
    rec = review.summary["growth"]["forecast"]["reconciliation"]
    assert rec["gap_wan"] > 0.5 * rec["city_wan"] and "超出全市统计数" in review.text["forecast_notes"]
    nov = review.summary["growth"]["projected_target_month_growth_pct"]
    assert abs(nov - wb.quarterly().summary["growth"]["projected_target_month_growth_pct"]) < 1.0
    assert 5 < nov < 20


def test_without_registration_the_front_door_still_forecasts(sample):
    # lists and tables without 是否入库/入库时间 columns: jygproj.io gives the columns, all null;
    # starts of this year then take the registration lags from the defaults and no warning is raised
    unknown = [pl.lit(None, pl.Boolean).alias("registered"), pl.lit(None, pl.Date).alias("registered_on")]
    ds = dataclasses.replace(sample.dataset, projects=sample.projects.with_columns(unknown),
                             progress=sample.progress.with_columns(unknown))
    r = dataclasses.replace(sample, dataset=ds, _cache={}).forecast()
    assert not r.reconciliation["registration_known"] and r.warnings.is_empty()
    assert 5 < r.forecast.growth_pct[11] < 20


def test_results_depend_on_the_project_intensity(sample):
    # the honest caveat: a project's monthly intensity is the seasonal profile (as the sample's
    # projects were made); with the city's aggregate shape instead, one month ahead misses by
    # 2–3 points on average (0.5–3.5)
    shape = history.city(sample.baseline, year=2023, as_of_month=10, profile=PROFILE).shape
    cases = backtest.run(sample.projects, sample.memberships, sample.progress, sample.baseline, profile=PROFILE,
                         target_month=sample.plan.goal.target_month, project_shape=shape)
    errors = [abs(c.error_pp) for c in cases if c.mode == "split" and c.horizon == 1]
    assert np.mean(errors) > 2.0
