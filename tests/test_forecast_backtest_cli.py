"""`jygproj backtest` (jygproj/commands/backtest.py, registered in cli.COMMANDS): through the front
door, the issue's exact JSON shape, a Chinese table."""

from __future__ import annotations

import json

import pytest

from jygproj import cli, paths
from jygproj.commands.backtest import JSON_CASE_KEYS

pytestmark = pytest.mark.skipif(not any(paths.SAMPLE_2023.glob("*.xlsx")), reason="sample not generated yet")


def test_registered_in_the_cli():
    assert "backtest" in cli.COMMANDS
    assert "backtest" in cli.build_parser().format_help()


def test_json_is_the_issues_shape(capsys):
    assert cli.main(["backtest", "--json", "--as-of", "2023-09"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"cases", "mae_pp"} and isinstance(out["mae_pp"], float)
    assert all(tuple(c) == JSON_CASE_KEYS for c in out["cases"])
    case = next(c for c in out["cases"] if c["as_of"] == "2023-07" and c["month"] == 8)
    assert case["p10_growth_pct"] <= case["predicted_growth_pct"] <= case["p90_growth_pct"]
    assert case["actual_growth_pct"] == 13.7  # the sample's published 1-8月 growth
    # cut at September: nothing as of October is scored, no October figure used
    assert all(c["as_of"] < "2023-10" and (c["as_of"][:4] < "2023" or c["month"] <= 9) for c in out["cases"])
    # the plan's target month (November for 2023) is the long horizon scored
    assert {c["month"] for c in out["cases"] if c["as_of"] == "2022-05"} == {6, 11}


def test_table_is_chinese_and_says_what_is_missing(capsys):
    assert cli.main(["backtest", "--as-of", "2023-09"]) == 0
    text = capsys.readouterr().out
    assert "预测可信度" in text and "平均绝对误差" in text
    # jygproj.io reads the sample's 是否入库 / 入库时间 (issue 14): the registration is known, no caveat
    assert "未提供是否入库信息" not in text


def test_missing_folder_and_bad_month(tmp_path, capsys):
    assert cli.main(["backtest", "--data", str(tmp_path / "nope")]) == 1
    assert "data_dir_missing" in capsys.readouterr().out
    assert cli.main(["backtest", "--as-of", "2023-13"]) == 2
    assert "bad_month" in capsys.readouterr().out
