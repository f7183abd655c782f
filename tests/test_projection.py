"""The deterministic projection on a four-project city (tests/test_scenario_data.py).

Seasonal profile (data/reference/seasonal_profile.yaml): 87.5% of the year done by the end of
October, November 8%, December 4.5%, so 12.5% remains.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from jygproj import projection
from jygproj.reference import load_seasonal_profile
from jygproj.scenario.levers import Levers
from test_scenario_data import city_frames

PROFILE = load_seasonal_profile()


@pytest.fixture(scope="module")
def frames():
    return city_frames()


@pytest.fixture(scope="module")
def model(frames):
    return projection.build_model(**frames, as_of="2023-10", profile=PROFILE)


def test_each_project_counted_once_and_latest_revision_used(model):
    # P1 reports 8750 on two lists: once. P2's revision 1 (1750) supersedes revision 0 (1000).
    assert model.ids.tolist() == ["P1", "P2", "P4", "P5"]
    assert model.completed_wan.tolist() == [8750.0, 1750.0, 0.0, 0.0]
    assert model.listed_completed0_wan == 10500.0


def test_pace_is_completed_over_time_elapsed_plan(model):
    # P1: 8750 / (10000 × 0.875) = 1.0; P2: 1750 / (4000 × 0.875 = 3500) = 0.5
    assert model.pace[:2].tolist() == pytest.approx([1.0, 0.5])
    assert model.started.tolist() == [True, True, False, False]


def test_other_fai_is_city_minus_listed(model):
    # 110000 city cumulative by October − 10500 listed = 99500
    assert model.other_cum0_wan == 99500.0


def test_projected_november_by_hand(frames):
    out = projection.project(**frames, as_of="2023-10", profile=PROFILE)
    nov = out.filter(pl.col("month") == 11).row(0, named=True)
    # P1: annual 10000 × Nov share 0.08 × pace 1                      = 800
    # P2: annual 4000 × 0.08 × pace 0.5                                = 160
    # P4: starts in November as planned: 2000 / 0.125 × 0.08          = 1280
    # P5: overdue (planned March), starts in November: 3000/0.975×0.08 = 246.15
    # other: (110000 − 100000) × 99500/110000 × 1.10                  = 9950
    listed = 10500 + 800 + 160 + 1280 + 3000 / 0.975 * 0.08
    assert nov["listed_cum_wan"] == pytest.approx(listed)
    assert nov["other_cum_wan"] == pytest.approx(99500 + 9950)
    assert nov["projected_cum_wan"] == pytest.approx(listed + 109450)
    assert nov["growth_pct"] == pytest.approx((listed + 109450) / 110000 * 100 - 100)
    assert not nov["is_actual"]


def test_december_completes_on_pace_plans(frames):
    out = projection.project(**frames, as_of="2023-10", profile=PROFILE)
    dec = out.filter(pl.col("month") == 12).row(0, named=True)
    # P1 ends at its plan 10000; P2 at 1750 + 4000 × 0.125 × 0.5 = 2000 (half pace, no catching up);
    # P4 at 2000; P5 at 3000 × 0.125 / 0.975
    assert dec["listed_cum_wan"] == pytest.approx(10000 + 2000 + 2000 + 3000 * 0.125 / 0.975)


def test_actual_months_are_the_published_figures(frames):
    out = projection.project(**frames, as_of="2023-10", profile=PROFILE)
    oct_ = out.filter(pl.col("month") == 10).row(0, named=True)
    assert oct_["is_actual"] and oct_["projected_cum_wan"] == 110000.0 and oct_["growth_pct"] == 10.0
    assert out.height == 12 and out["month"].to_list() == list(range(1, 13))


def test_growth_chains_on_the_published_comparable_rate(frames):
    # Published growth 5% though levels say 10%: the comparable base is rescaled so that October's
    # 110000 is 5% over it (× 110000/105000), and projected growth continues on that base.
    f = dict(frames)
    f["baseline"] = frames["baseline"].with_columns(
        pl.when(pl.col("month") <= 10).then(5.0).otherwise(None).alias("growth_pct"))
    out = projection.project(**f, as_of="2023-10", profile=PROFILE)
    assert out.filter(pl.col("month") == 10)["growth_pct"][0] == 5.0
    nov = out.filter(pl.col("month") == 11).row(0, named=True)
    base = 110000 * 110000 / 105000
    assert nov["comparable_prior_cum_wan"] == pytest.approx(base)
    assert nov["growth_pct"] == pytest.approx((nov["projected_cum_wan"] / base - 1) * 100)


def test_levers_change_only_arrays_not_the_model(model):
    before = model.completed_wan.copy()
    projection.run(model, Levers(exclude=["P1"], pace_by_list={"government": 1.5}))
    assert np.array_equal(model.completed_wan, before)


def test_exclude_stops_future_investment_only(model):
    base = projection.run(model)
    out = projection.run(model, Levers(exclude=["P1"]))
    # P1 would add 800 in November and 450 in December; its 8750 done stays.
    assert base.total_wan[10] - out.total_wan[10] == pytest.approx(800)
    assert base.total_wan[11] - out.total_wan[11] == pytest.approx(1250)


def test_list_pace_applies_to_the_first_list(model):
    # P1 sits on provincial_major and industrial: the provincial lever moves it, not the industrial one.
    base = projection.run(model)
    assert projection.run(model, Levers(pace_by_list={"industrial": 1.5})).total_wan[10] == base.total_wan[10]
    up = projection.run(model, Levers(pace_by_list={"provincial_major": 1.5}))
    assert up.total_wan[10] - base.total_wan[10] == pytest.approx(400)  # 800 × 0.5


def test_delay_moves_new_starts_out_of_the_year(model):
    base = projection.run(model)
    out = projection.run(model, Levers(new_start_delay_months=2))
    # P4 and P5 start in January next year: November loses 1280 + 246.15
    assert base.total_wan[10] - out.total_wan[10] == pytest.approx(1280 + 3000 / 0.975 * 0.08)


def test_start_probability_scales_new_projects_expected_value(model):
    base = projection.run(model)
    half = projection.run(model, Levers(start_probability=0.5))
    assert base.total_wan[10] - half.total_wan[10] == pytest.approx((1280 + 3000 / 0.975 * 0.08) / 2)


def test_reserve_pull_adds_its_seasonal_part(model):
    base = projection.run(model)
    out = projection.run(model, Levers(reserve_pull={"R1": {"start_month": 11, "first_year_wan": 5000.0}}))
    # 5000 a year × November share 0.08 = 400; December 225 more
    assert out.reserve_wan[10] == pytest.approx(400) and out.reserve_wan[11] == pytest.approx(625)
    assert out.total_wan[10] - base.total_wan[10] == pytest.approx(400)


def test_other_growth_lever(model):
    out = projection.run(model, Levers(other_growth_pct=0.0))
    # other grows its share of last year's November increment without growth: 10000 × 99500/110000
    assert out.other_wan[10] == pytest.approx(99500 + 10000 * 99500 / 110000)


def test_unknown_project_in_a_lever_is_refused(model):
    with pytest.raises(projection.ProjectionError, match="unknown_project"):
        projection.run(model, Levers(exclude=["NOPE"]))


def test_missing_prior_base_is_refused(frames):
    f = dict(frames)
    f["baseline"] = frames["baseline"].filter(pl.col("month") != 12)
    with pytest.raises(projection.ProjectionError, match="baseline_prior_missing"):
        projection.build_model(**f, as_of="2023-10", profile=PROFILE)


def test_earlier_as_of_month(frames):
    f = city_frames(as_of_month=6)
    out = projection.project(**f, as_of="2023-06", profile=PROFILE)
    assert out.filter(pl.col("is_actual")).height == 6
    assert not math.isnan(out["projected_cum_wan"][11])


def test_december_is_refused_there_is_nothing_left_to_project(frames):
    # as of December every month is an actual; the Q4 review's 12% tracker skips the projection
    # (jygproj.quarterly.growth_tracker), the scenario engine keeps its clear refusal
    with pytest.raises(projection.ProjectionError) as err:
        projection.build_model(**frames, as_of="2023-12", profile=PROFILE)
    assert err.value.code == "as_of_out_of_range"
