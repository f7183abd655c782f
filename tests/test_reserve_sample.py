"""The reserve pipeline on the embedded sample (data/sample/2023, 项目储备库 of about 60 projects),
and the notebook run headless by `jygproj reserve` (slow)."""

from __future__ import annotations

import json
import re

import polars as pl
import pytest

from jygproj import paths
from jygproj.io import load_workbooks
from jygproj.pace import cum_share
from jygproj.reference import load_seasonal_profile
from jygproj.reserve import (
    GapInputs,
    blocking_steps,
    funnel,
    funnel_wide,
    gap_summary,
    load_reserve_reference,
    readiness,
)

RESERVE_FILES = sorted(paths.SAMPLE_2023.glob("*储备库*.xlsx"))
pytestmark = pytest.mark.skipif(not RESERVE_FILES, reason="sample reserve workbook not generated")


@pytest.fixture(scope="module")
def sample_ready() -> pl.DataFrame:
    ds = load_workbooks(RESERVE_FILES, year=2023)
    assert ds.reserve.height >= 50, "the sample reserve should hold about 60 projects"
    return readiness(ds.reserve, ds.reserve_steps, load_reserve_reference(), "2023-11")


def test_sample_funnel_stages_add_up_to_the_pool(sample_ready):
    f = funnel(sample_ready)
    assert f["projects"].sum() == sample_ready.height
    assert f["total_investment_wan"].sum() == pytest.approx(sample_ready["total_investment_wan"].sum())
    for by in ("domain", "funding_channel"):
        wide = funnel_wide(sample_ready, by)
        assert wide["projects"].sum() == sample_ready.height
        stage_cols = ["谋划阶段", "立项阶段", "要件办理阶段", "具备开工条件"]
        assert wide.select(pl.sum_horizontal(stage_cols).alias("s"))["s"].to_list() == wide["projects"].to_list()


def test_sample_every_project_not_ready_has_a_blocking_step_and_owner(sample_ready):
    not_ready = sample_ready.filter(pl.col("stage") != "ready")
    assert not_ready.height > 0
    assert not_ready["blocking_step"].null_count() == 0
    assert not_ready["blocking_owner"].null_count() == 0
    listing = blocking_steps(sample_ready)
    assert listing["projects"].sum() == not_ready.height
    # the owners are the departments the reference file names (or a construction unit)
    owners = set(listing["blocking_owner"].to_list())
    known = {"市发展改革委", "市自然资源局", "市生态环境局", "市住建局", "市财政局", "市交通运输局", "市水务局"}
    assert all(o in known or o.startswith("建设单位") for o in owners), owners


def test_sample_gap_recomputed_by_hand(sample_ready):
    profile = load_seasonal_profile()
    inputs = GapInputs(2024, projected_outturn_wan=2_600_000.0, target_growth=0.12,
                       continuing_next_year_wan=1_500_000.0, other_fai_next_year_wan=1_000_000.0)
    s = gap_summary(sample_ready, inputs, profile)
    # needed: 2,600,000 × 1.12 − 1,500,000 − 1,000,000 = 412,000 万元
    assert s["needed_new_start_wan"] == pytest.approx(412_000.0)
    # delivered, by hand: each project's first-year investment × the profile's share from its start
    # month (January at the earliest; nothing when it starts after 2024) to December.
    by_hand = 0.0
    for row in sample_ready.iter_rows(named=True):
        start = row["start_month"]
        month = 1 if start.year < 2024 else start.month if start.year == 2024 else 13
        if month <= 12:
            by_hand += row["first_year_wan"] * (1 - cum_share(month - 1, profile))
    assert s["reserve_next_year_wan"] == pytest.approx(by_hand)
    assert s["shortfall_wan"] == pytest.approx(max(412_000.0 - by_hand, 0.0))


@pytest.mark.slow
def test_reserve_command_runs_the_notebook_headless_and_offline(tmp_path, capsys):
    from jygproj import runs
    from jygproj.cli import main

    out = tmp_path / "2023-11"
    assert main(["reserve", "--as-of", "2023-11", "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    names = {p.name for p in out.iterdir()}
    assert {"2023-11_储备项目规划.ipynb", "2023-11_储备项目规划.html", "2023-11_储备项目规划.xlsx", "summary.json", "manifest.json"} <= names
    assert any(n.endswith(".xlsx") for n in names)
    html = (out / "2023-11_储备项目规划.html").read_text(encoding="utf-8")
    # offline: no script loaded from the network, charts embedded as SVG
    assert not re.search(r"<script[^>]*\bsrc\s*=\s*[\"']?(https?:)?//", html, re.I)
    assert runs.remote_references(html) == []
    assert html.count("<svg") >= 4
    assert "具备开工条件" in html and "卡点手续" in html
    # summary.json: the funnel adds up to the pool; the gap follows its own inputs
    assert sum(s["projects"] for s in summary["funnel"]) == summary["pool"]["projects"] >= 50
    gap = summary["gap"]
    needed = (gap["projected_outturn_wan"] * (1 + gap["target_growth"]) - gap["continuing_next_year_wan"]
              - gap["other_fai_next_year_wan"])
    assert gap["needed_new_start_wan"] == pytest.approx(needed)
    assert gap["target_growth"] == pytest.approx(0.12)
    assert gap["shortfall_wan"] == pytest.approx(max(needed - gap["reserve_next_year_wan"], 0.0))
    assert summary["blocking_steps"] and all(b["blocking_owner"] for b in summary["blocking_steps"])


def test_sample_report_tables_excel_and_summary(sample_ready, tmp_path):
    import openpyxl

    from jygproj.export import write_workbook
    from jygproj.reserve.report import build_report, narrative, sheets, summary

    ds = load_workbooks(RESERVE_FILES, year=2023)
    inputs = GapInputs(2024, 2_600_000.0, 0.12, 1_500_000.0, 1_000_000.0)
    rep = build_report(ds.reserve, ds.reserve_steps, load_reserve_reference(), "2023-11", inputs,
                       load_seasonal_profile())
    data = json.loads(json.dumps(summary(rep), ensure_ascii=False))
    assert sum(s["projects"] for s in data["funnel"]) == data["pool"]["projects"] == ds.reserve.height
    assert data["gap"]["needed_new_start_wan"] == pytest.approx(412_000.0)
    path = write_workbook(tmp_path / "reserve.xlsx", sheets(rep))
    wb = openpyxl.load_workbook(path)
    assert {"储备漏斗", "卡点手续", "次年缺口", "推进清单", "层级调整", "资金申报匹配"} <= set(wb.sheetnames)
    text = narrative(rep)
    assert f"项目 **{ds.reserve.height} 个**" in text and "2024年缺口测算" in text
