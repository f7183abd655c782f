"""`jygproj backtest` (jygproj/commands/backtest.py; registered in cli.COMMANDS at integration)."""

from __future__ import annotations

import argparse
import contextlib
import io
import json

import pytest

from jygproj import paths
from jygproj.commands import backtest

pytestmark = pytest.mark.skipif(not any(paths.SAMPLE_2023.glob("*.xlsx")), reason="sample not generated yet")


def _run(*argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    backtest.add_parser(parser.add_subparsers())
    args = parser.parse_args(["backtest", *argv])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = args.func(args)
    return rc, out.getvalue()


def test_json_lists_the_cases_and_the_mean_absolute_error():
    rc, text = _run("--json", "--as-of", "2023-09")
    assert rc == 0
    out = json.loads(text)
    case = next(c for c in out["cases"] if c["as_of"] == "2023-07" and c["month"] == 8)
    assert set(case) >= {"as_of", "month", "predicted_growth_pct", "actual_growth_pct", "p10_growth_pct",
                         "p90_growth_pct"}
    assert case["p10_growth_pct"] <= case["predicted_growth_pct"] <= case["p90_growth_pct"]
    assert isinstance(out["mae_pp"], float) and out["as_of"] == "2023-09"
    # cut at September: nothing as of October is scored, no October figure used
    assert all(c["as_of"] < "2023-10" and (c["as_of"][:4] < "2023" or c["month"] <= 9) for c in out["cases"])


def test_table_is_chinese_and_says_what_is_missing():
    rc, text = _run("--as-of", "2023-09")
    assert rc == 0
    assert "预测可信度" in text and "平均绝对误差" in text
    # jygproj.io reads the sample's 是否入库 / 入库时间 (issue 14): the registration is known, no caveat
    assert "未提供是否入库信息" not in text


def test_missing_folder_is_a_usage_error(tmp_path):
    rc, text = _run("--data", str(tmp_path / "nope"))
    assert rc == 2 and "data_not_found" in text
