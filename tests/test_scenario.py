"""Scenario planner: levers file, scenario diffs and files, readings, tornado, Monte Carlo."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from jygproj.plan import load_plan
from jygproj import projection
from jygproj.reference import ReferenceDataError, load_seasonal_profile
from jygproj.scenario import engine, montecarlo
from jygproj.scenario.files import (Planner, Scenario, compare, load_scenarios, save_scenarios,
                                    scenario_levers, write_summary)
from jygproj.scenario.levers import (LEVERS_FILE, LeverError, Levers, apply_changes, changes_between,
                                     defaults_from_specs, diff_table, load_lever_specs, parse_set)
from test_scenario_data import city_frames

PROFILE = load_seasonal_profile()


@pytest.fixture(scope="module")
def specs():
    return load_lever_specs()


@pytest.fixture(scope="module")
def model():
    return projection.build_model(**city_frames(), as_of="2023-10", profile=PROFILE)


@pytest.fixture(scope="module")
def planner(model, specs):
    return Planner(model, specs, draws=2000, seed=7)


# --- levers file ------------------------------------------------------------------------------------


def test_reference_defaults_are_the_baseline(specs):
    # The file's defaults must equal Levers(): then project(levers=None) IS the baseline scenario.
    assert defaults_from_specs(specs) == Levers()


def test_every_lever_has_unit_label_and_source(specs):
    for spec in specs.levers.values():
        assert spec.unit and spec.label and spec.source, spec.name
        if spec.kind in ("number", "integer", "per_list", "per_project"):
            assert spec.min is not None and spec.max is not None, spec.name
    assert specs.levers["reserve_pull"].hypothetical


def test_unknown_key_in_levers_file_is_refused(tmp_path: Path):
    text = LEVERS_FILE.read_text(encoding="utf-8").replace("    step: 0.05\n", "    step: 0.05\n    colour: red\n", 1)
    bad = tmp_path / "levers.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ReferenceDataError) as err:
        load_lever_specs(bad)
    assert err.value.code == "unknown_key" and "pace_by_list.colour" in str(err.value)
    assert err.value.line is not None


def test_out_of_range_value_is_refused_with_range(specs):
    with pytest.raises(LeverError) as err:
        apply_changes(Levers(), {"pace_by_list": {"industrial": 3}}, specs)
    assert err.value.code == "lever_out_of_range" and "0.5–1.5" in str(err.value)
    with pytest.raises(LeverError, match="unknown_list"):
        apply_changes(Levers(), {"pace_by_list": {"nowhere": 1.1}}, specs)
    with pytest.raises(LeverError, match="unknown_lever"):
        apply_changes(Levers(), {"speed": 1}, specs)
    with pytest.raises(LeverError, match="lever_bad_choice"):
        apply_changes(Levers(), {"headline": "both"}, specs)


def test_set_strings_parse_to_changes(specs):
    changes = parse_set(["pace_by_list.industrial=1.2", "headline=level", "exclude=P1,P2",
                         "reserve_pull.R1=11:5000", "accelerate.P4=1.5"], specs)
    assert changes == {"pace_by_list": {"industrial": 1.2}, "headline": "level", "exclude": ["P1", "P2"],
                       "reserve_pull": {"R1": {"start_month": 11, "first_year_wan": 5000.0}},
                       "accelerate": {"P4": 1.5}}
    levers = apply_changes(Levers(), changes, specs)
    assert changes_between(Levers(), levers) == changes


def test_diff_table_shows_only_changes_and_marks_hypothetical(specs, model):
    levers = apply_changes(Levers(), {"pace_by_list": {"government": 1.2},
                                      "reserve_pull": {"R1": {"start_month": 11, "first_year_wan": 5000}}}, specs)
    table = diff_table(Levers(), levers, specs, model.names_by_id())
    assert table.height == 2
    rows = table.to_dicts()
    assert rows[0]["对象"] == "政府投资项目" and rows[0]["基准值"] == "1" and rows[0]["情景值"] == "1.2"
    assert rows[1]["对象"] == "储备冷链物流园" and rows[1]["备注"] == "假设"
    assert diff_table(Levers(), Levers(), specs).height == 0


# --- scenario files ---------------------------------------------------------------------------------


def test_scenarios_save_load_and_stack(tmp_path: Path, specs):
    scenarios = [
        Scenario("加快政府投资", {"pace_by_list": {"government": 1.2}}, "政府投资项目提速两成"),
        Scenario("再叠加储备", {"reserve_pull": {"R1": {"start_month": 11, "first_year_wan": 5000.0}}},
                 stack_on="加快政府投资"),
    ]
    path = save_scenarios(tmp_path / "s.yaml", scenarios)
    loaded = load_scenarios(path)
    assert loaded == scenarios
    stacked = scenario_levers(loaded, "再叠加储备", specs)
    assert stacked.pace("government") == 1.2 and "R1" in stacked.reserve_pull


def test_stack_on_unknown_scenario_is_refused(tmp_path: Path):
    path = tmp_path / "s.yaml"
    path.write_text("scenarios:\n  - name: A\n    stack_on: B\n    levers: {}\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="unknown_stack_on"):
        load_scenarios(path)


def test_example_scenario_files_load_and_run(planner, specs):
    files = sorted(Path(__file__).resolve().parent.parent.joinpath("notebooks/params").glob("scenario_*.yaml"))
    assert files, "notebooks/params/scenario_*.yaml examples are missing"
    for f in files:
        for s in load_scenarios(f):
            scenario_levers(load_scenarios(f), s.name, specs)  # valid levers (project ids are sample ids)


def test_scenario_never_changes_live_data(model, specs):
    frames = city_frames()
    before = {k: v.clone() for k, v in frames.items()}
    m = projection.build_model(**frames, as_of="2023-10", profile=PROFILE)
    Planner(m, specs, draws=200).run(apply_changes(Levers(), {"exclude": ["P1"]}, specs))
    assert all(frames[k].equals(before[k]) for k in frames)


# --- readings ---------------------------------------------------------------------------------------


def test_readings_by_hand(model):
    out = engine.evaluate(model)
    nov = float(model.forecast.total_wan[11])  # the forecast's November (tests/test_projection.py by hand)
    level, rate = out.readings["level"], out.readings["rate"]
    # level: Jan–Nov must reach 1.12 × 120000 = 134400; rate: 1.12 × 110000 = 123200
    assert level.goal_wan == pytest.approx(134400)
    assert level.margin_wan == pytest.approx(nov - 134400)
    assert rate.goal_wan == pytest.approx(123200)
    assert rate.margin_wan == pytest.approx(nov - 123200)
    assert not level.met_early and not rate.met_early
    # one month (November) left: the whole shortfall falls on it
    assert rate.extra_per_month_wan == pytest.approx(123200 - nov)
    assert out.headline is rate  # the rate reading leads by default (jygproj.growth.DEFAULT_HEADLINE)


def test_met_month_when_pulled_forward(model, specs):
    short = 123200 - float(model.forecast.total_wan[11])
    # a reserve pull reports its first-year amount × November's 8%, counted at 入统率: enough for it
    amount = round(1.05 * short / (0.08 * model.forecast.rho))
    assert amount <= specs["reserve_pull"].max
    levers = apply_changes(Levers(), {"reserve_pull": {"R1": {"start_month": 11, "first_year_wan": amount}},
                                      "headline": "level"}, specs)
    out = engine.evaluate(model, levers)
    assert out.readings["rate"].met_early and out.readings["rate"].met_month == 11
    assert out.headline.key == "level"
    assert engine.required_extra(model, out.readings["rate"], 11).height == 0


def test_target_paths_meet_the_targets_in_november(model):
    out = engine.evaluate(model)
    level, rate = out.target_paths()
    assert level[10] == pytest.approx(134400) and rate[10] == pytest.approx(123200)


def test_tornado_ranks_by_swing(model, specs):
    t = engine.tornado(model, Levers(), specs)
    assert t["swing_wan"].to_list() == sorted(t["swing_wan"].to_list(), reverse=True)
    assert set(t["project_id"]) == {"P1", "P2", "P4", "P5"}
    rho = model.forecast.rho
    reg = model.forecast.parts.prepared.expected()[1]
    p1 = t.filter(t["project_id"] == "P1").row(0, named=True)
    # P1 (started): low ×0.5 loses half of what it adds by November, high ×1.5 gains half
    assert p1["base_wan"] == pytest.approx(rho * (reg[0, 11] - reg[0, 10]))
    assert p1["low_delta_wan"] == pytest.approx(-0.5 * p1["base_wan"])
    assert p1["high_delta_wan"] == pytest.approx(0.5 * p1["base_wan"])
    # P4 (not started): low = it does not start, it loses all it would add
    p4 = t.filter(t["project_id"] == "P4").row(0, named=True)
    assert p4["low_delta_wan"] == pytest.approx(-rho * reg[2, 11])


# --- Monte Carlo ------------------------------------------------------------------------------------


def test_monte_carlo_is_reproducible(model):
    a = montecarlo.simulate(model, draws=500, seed=11)
    b = montecarlo.simulate(model, draws=500, seed=11)
    c = montecarlo.simulate(model, draws=500, seed=12)
    assert np.array_equal(a.target_month_wan, b.target_month_wan)
    assert not np.array_equal(a.target_month_wan, c.target_month_wan)


def test_monte_carlo_bands_are_ordered_and_actuals_fixed(model):
    mc = montecarlo.simulate(model, draws=1000, seed=3)
    b = mc.bands
    assert (b["p10_cum_wan"] <= b["p50_cum_wan"]).all() and (b["p50_cum_wan"] <= b["p90_cum_wan"]).all()
    assert b["p10_cum_wan"][9] == b["p90_cum_wan"][9] == 110000.0  # October is published
    assert 0.0 <= mc.probability["rate"] <= 1.0


def test_baseline_monte_carlo_is_the_forecasts_own_simulation(model):
    settings = model.result.settings
    mc = montecarlo.simulate(model)  # default draws and seed: the forecast's
    assert mc.draws == settings.draws and mc.seed == settings.seed
    assert np.array_equal(mc.target_month_wan, model.result.simulation.total_wan[:, 11])
    assert mc.probability == model.result.reading_probabilities()


# --- planner, comparison, summary ------------------------------------------------------------------


def test_baseline_scenario_reproduces_the_projection(planner):
    frames = city_frames()
    tracker = projection.project(**frames, as_of="2023-10", profile=PROFILE)
    result = planner.run(planner.baseline, monte_carlo=False)
    assert np.allclose(result.outcome.path.total_wan[9:], tracker["projected_cum_wan"].to_numpy()[9:])
    assert result.diff.height == 0


def test_compare_and_summary(planner, specs, tmp_path: Path):
    fast = apply_changes(Levers(), {"pace_by_list": {"government": 1.5}}, specs)
    results = [planner.run(planner.baseline), planner.run(fast, "政府投资加快")]
    table = compare(results)
    assert table.columns == ["指标", "基准", "政府投资加快"]
    path = write_summary(tmp_path, results)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert [s["scenario"] for s in doc["scenarios"]] == ["基准", "政府投资加快"]
    assert "headline_probability" in doc["scenarios"][0]
    # government pace 1.5: P2 adds half again of its November work, counted at 入统率
    reg = planner.model.forecast.parts.prepared.expected()[1]
    more = 0.5 * planner.model.forecast.rho * (reg[1, 11] - reg[1, 10]) / 10_000
    diff = doc["scenarios"][1]["readings"]["level"]["margin_yi"] - doc["scenarios"][0]["readings"]["level"]["margin_yi"]
    assert diff == pytest.approx(more, abs=1e-4)


@pytest.mark.parametrize("published_pct", [10.0, 5.0])
def test_baseline_readings_agree_with_the_growth_tracker(published_pct):
    # The quarterly tracker (jygproj.growth) takes the projection as input; the planner's baseline
    # readings must be the tracker's: same goals, margins and months met, for both readings.
    from jygproj import growth

    import polars as pl

    frames = city_frames()
    frames["baseline"] = frames["baseline"].with_columns(
        pl.when(pl.col("month") <= 10).then(published_pct).otherwise(None).alias("growth_pct"))
    model = projection.build_model(**frames, as_of="2023-10", profile=PROFILE)
    proj = projection.project(**frames, as_of="2023-10", profile=PROFILE)
    _, summary = growth.track(frames["baseline"], as_of_month=10, profile=PROFILE, goal=load_plan(2023).goal,
                              projection=proj.select("month", "projected_cum_wan"), year=2023)
    out = engine.evaluate(model)
    for key in ("level", "rate"):
        r = out.readings[key]
        assert r.goal_wan == pytest.approx(summary[f"{key}_goal_wan"])
        assert r.margin_wan == pytest.approx(summary[f"{key}_margin_wan"])
        assert r.met_month == summary[f"{key}_met_month"]
        assert r.met_early == summary[f"{key}_met_early"]
