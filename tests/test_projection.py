"""The planner's model on a four-project city (tests/test_scenario_data.py): the forecast
(jygproj.forecast) with the levers as adjustments of its parts, checked by hand from those parts.

Seasonal profile (data/reference/seasonal_profile.yaml), the construction intensity a project
follows: October 11%, November 8%, December 4.5%. The four projects report no 是否入库: the two
continuing ones count as registered, a new start by the registration lags (jygproj.forecast.projects).
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from jygproj import projection
from jygproj.forecast import history, projects as projects_mod
from jygproj.reference import load_seasonal_profile
from jygproj.scenario.levers import Levers
from test_scenario_data import city_frames

PROFILE = load_seasonal_profile()
Q = history.profile_shape(PROFILE)


@pytest.fixture(scope="module")
def frames():
    return city_frames()


@pytest.fixture(scope="module")
def model(frames):
    return projection.build_model(**frames, as_of="2023-10", profile=PROFILE)


def test_each_project_counted_once_and_latest_revision_used(model):
    # P1 reports 8750 on two lists: once. P2's revision 1 (1750) supersedes revision 0 (1000).
    assert model.ids.tolist() == ["P1", "P2", "P4", "P5"]
    assert model.forecast.listed.cum_wan[:, 10].tolist() == [8750.0, 1750.0, 0.0, 0.0]
    assert model.forecast.listed.started().tolist() == [True, True, False, False]


def test_the_baseline_scenario_is_the_forecast(model):
    path = projection.run(model)
    assert path.total_wan == pytest.approx(model.forecast.total_wan[1:], nan_ok=True)
    assert path.growth_pct[9] == 10.0  # October: the published rate


def test_projected_november_by_hand(model, frames):
    fc, m0 = model.forecast, 10
    est = fc.estimates.values
    # started projects go on at their last month's intensity along the profile: P1 did 750 in
    # October, so 750 × 8/11 in November; P2 250 × 8/11
    reg = fc.parts.prepared.expected()[1]
    assert reg[0, 11] - reg[0, 10] == pytest.approx(750 * Q[11] / Q[10])
    assert reg[1, 11] - reg[1, 10] == pytest.approx(250 * Q[11] / Q[10])
    # P4 (due in November): starts in it with the start hazard, at the plan's intensity, its first
    # month at the ramp-up factor; counted once registered (the lag's first-month chance)
    h0 = est["start_hazard_0"]
    intensity = 2000 / (Q[11] + Q[12]) * est["new_pace"]
    assert reg[2, 11] == pytest.approx(h0 * intensity * Q[11] * est["first_month_factor"] * est["registration_hazard_0"])
    # the city: other FAI at its run rate along its pattern + 入统率 × the registered reports added
    other = fc.parts.other_rate * fc.parts.other_shape[11]
    out = projection.project(**frames, as_of="2023-10", profile=PROFILE)
    nov = out.filter(pl.col("month") == 11).row(0, named=True)
    assert nov["projected_cum_wan"] == pytest.approx(110_000 + other + fc.rho * (reg[:, 11] - reg[:, m0]).sum())
    assert nov["growth_pct"] == pytest.approx((nov["projected_cum_wan"] / 110000 - 1) * 100)
    assert nov["other_cum_wan"] + nov["listed_cum_wan"] == pytest.approx(nov["projected_cum_wan"])
    assert not nov["is_actual"] and nov["reserve_cum_wan"] == 0.0


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


def _added(model, levers, i):
    """Project i's statistical FAI added in November and December under ``levers``."""
    reg = model.forecast.parts.prepared.expected(projection.resolve(model, levers))[1]
    return model.forecast.rho * (reg[i, 11:] - reg[i, 10])


def test_levers_change_only_arrays_not_the_model(model):
    before = model.forecast.listed.cum_wan.copy()
    projection.run(model, Levers(exclude=["P1"], pace_by_list={"government": 1.5}))
    assert np.array_equal(model.forecast.listed.cum_wan, before)


def test_exclude_stops_future_investment_only(model):
    base = projection.run(model)
    out = projection.run(model, Levers(exclude=["P1"]))
    loss = _added(model, Levers(), 0)
    assert base.total_wan[10:] - out.total_wan[10:] == pytest.approx(loss)
    assert out.total_wan[9] == base.total_wan[9]  # its 8750 done stays


def test_list_pace_applies_to_the_first_list(model):
    # P1 sits on provincial_major and industrial: the provincial lever moves it, not the industrial one.
    base = projection.run(model)
    assert projection.run(model, Levers(pace_by_list={"industrial": 1.5})).total_wan[10] == base.total_wan[10]
    up = projection.run(model, Levers(pace_by_list={"provincial_major": 1.5}))
    assert up.total_wan[10] - base.total_wan[10] == pytest.approx(0.5 * _added(model, Levers(), 0)[0])


def test_delay_and_start_probability_move_only_the_projects_not_started(model):
    base = projection.run(model)
    new = sum(_added(model, Levers(), i)[0] for i in (2, 3))
    never = projection.run(model, Levers(start_probability=0.0))
    assert base.total_wan[10] - never.total_wan[10] == pytest.approx(new)
    out = projection.run(model, Levers(new_start_delay_months=2))  # both pushed past December
    assert base.total_wan[11] - out.total_wan[11] == pytest.approx(sum(_added(model, Levers(), i)[1] for i in (2, 3)))
    more = projection.run(model, Levers(start_probability=1.5))
    assert more.total_wan[10] > base.total_wan[10]


def test_defer_pauses_a_started_project(model):
    base = projection.run(model)
    out = projection.run(model, Levers(defer={"P2": 1}))
    assert base.total_wan[10] - out.total_wan[10] == pytest.approx(_added(model, Levers(), 1)[0])


def test_reserve_pull_adds_its_seasonal_part_at_the_statistical_share(model):
    base = projection.run(model)
    out = projection.run(model, Levers(reserve_pull={"R1": {"start_month": 11, "first_year_wan": 5000.0}}))
    rho = model.forecast.rho
    # 5000 a year × November share 0.08 = 400 reported; December 225 more; counted at 入统率
    assert out.reserve_wan[10] == pytest.approx(rho * 400) and out.reserve_wan[11] == pytest.approx(rho * 625)
    assert out.total_wan[10] - base.total_wan[10] == pytest.approx(rho * 400)


def test_other_change_lever(model):
    base = projection.run(model)
    out = projection.run(model, Levers(other_change_pct=-20.0))
    added = base.other_wan[10:] - base.other_wan[9]
    assert out.other_wan[10:] - out.other_wan[9] == pytest.approx(0.8 * added)


def test_unknown_project_in_a_lever_is_refused(model):
    with pytest.raises(projection.ProjectionError, match="unknown_project"):
        projection.run(model, Levers(exclude=["NOPE"]))


def test_missing_prior_base_is_refused(frames):
    f = dict(frames)
    f["baseline"] = frames["baseline"].filter(pl.col("month") != 12)
    with pytest.raises(projection.ProjectionError) as err:
        projection.build_model(**f, as_of="2023-10", profile=PROFILE)
    assert err.value.code == "baseline_prior_missing"


def test_earlier_as_of_month():
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


def test_neutral_levers_are_neutral_adjustments(model):
    adj = projection.resolve(model, Levers())
    assert np.all(adj.multiplier == 1) and not adj.pause_months.any() and adj.extra_reported_wan is None
    base, _ = model.forecast.parts.prepared.expected(projects_mod.NEUTRAL)
    assert np.array_equal(model.forecast.parts.prepared.expected(adj)[0], base)
