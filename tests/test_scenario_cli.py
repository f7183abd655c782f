"""`jygproj scenario` and the planner notebook headless (papermill) on the embedded sample."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jygproj import cli, paths, projection
from jygproj.reference import load_seasonal_profile
from jygproj.scenario.files import Planner
from jygproj.scenario.levers import load_lever_specs
from test_scenario_data import city_frames


_MODEL = []


def _model():
    if not _MODEL:
        _MODEL.append(projection.build_model(**city_frames(), as_of="2023-10", profile=load_seasonal_profile()))
    return _MODEL[0]


@pytest.fixture
def city_planner(monkeypatch):
    """The CLI on the four-project city (no workbooks needed)."""
    model = _model()

    class _Data:
        import polars as pl
        problems = pl.DataFrame()

    def fake_load(data_dir, **kw):
        return Planner(model, load_lever_specs(), draws=kw.get("draws") or 200, seed=kw.get("seed", 1)), _Data()

    monkeypatch.setattr("jygproj.commands.scenario.load_planner", fake_load)


def test_scenario_json_prints_headline_figures(city_planner, capsys):
    assert cli.main(["scenario", "--json", "--draws", "200", "--set", "headline=level"]) == 0
    doc = json.loads(capsys.readouterr().out)
    s = doc["scenarios"][0]
    assert s["headline"] == "level" and set(s["readings"]) == {"level", "rate"}
    # the forecast's Jan–Nov against 1.12 × last year's 120000
    nov = _model().forecast.total_wan[11]
    assert s["headline_reading"]["margin_yi"] == pytest.approx((nov - 134400) / 10_000, abs=1e-4)
    assert 0 <= s["headline_probability"] <= 1
    change = s["changes"][0]
    assert change["杠杆"] == "提前完成增长目标的主口径" and change["备注"].startswith("改变主口径")


def test_a_scenario_that_changes_the_headline_says_so(city_planner, capsys):
    assert cli.main(["scenario", "--draws", "0", "--set", "headline=level"]) == 0
    text = capsys.readouterr().out
    assert "改用总量口径为主口径" in text and "增速口径" in text


def test_scenario_file_with_set_on_top(city_planner, capsys, tmp_path: Path):
    f = tmp_path / "s.yaml"
    f.write_text("scenarios:\n  - name: 政府加快\n    levers: {pace_by_list: {government: 1.5}}\n", encoding="utf-8")
    assert cli.main(["scenario", "--levers", str(f), "--set", "exclude=P1", "--draws", "0", "--json"]) == 0
    s = json.loads(capsys.readouterr().out)["scenarios"][0]
    assert s["scenario"] == "政府加快（命令行调整）" and "monte_carlo" not in s
    assert {c["杠杆"] for c in s["changes"]} == {"分清单推进倍数", "剔除指定项目"}


def test_bad_lever_is_a_usage_error(city_planner, capsys):
    assert cli.main(["scenario", "--set", "pace_by_list.industrial=9"]) == 2
    assert "lever_out_of_range" in capsys.readouterr().out
    assert cli.main(["scenario", "--set", "exclude=NOPE", "--draws", "0"]) == 2
    assert "unknown_project" in capsys.readouterr().out


def _sample_ready() -> bool:
    return paths.SAMPLE_2023.is_dir() and any(paths.SAMPLE_2023.glob("*.xlsx"))


@pytest.mark.skipif(not _sample_ready(), reason="data/sample/2023 not generated yet")
def test_scenario_on_the_sample(capsys):
    assert cli.main(["scenario", "--json", "--draws", "1000"]) == 0
    doc = json.loads(capsys.readouterr().out)
    s = doc["scenarios"][0]
    assert s["as_of_month"] == 10 and set(s["readings"]) == {"level", "rate"}


@pytest.mark.slow
@pytest.mark.skipif(not _sample_ready(), reason="data/sample/2023 not generated yet")
def test_notebook_headless_with_a_scenario_file_writes_the_summary(tmp_path: Path):
    from jygproj.runs import run_notebook

    nb = paths.NOTEBOOKS / "30_scenario_planner.ipynb"
    scenario_file = paths.NOTEBOOK_PARAMS / "scenario_provincial_push.yaml"
    result = run_notebook(nb, tmp_path / "scenario-run",
                          {"scenario_file": str(scenario_file), "draws": 1000},
                          inputs=[scenario_file])
    summary = json.loads((tmp_path / "scenario-run" / "scenario_summary.json").read_text(encoding="utf-8"))
    names = [s["scenario"] for s in summary["scenarios"]]
    assert names == ["基准", "省级清单提速", "省级提速且新开工不延误"]
    # stacking: the stacked scenario's Jan–Nov is at least the one it stands on
    nov = [s["readings"]["level"]["projected_target_month_yi"] for s in summary["scenarios"]]
    assert nov[0] <= nov[1] <= nov[2]
    assert result.seconds > 0
