"""End to end: `jygproj quarterly 2023Q3` on the embedded sample, figures checked against the
workbooks themselves (read here with openpyxl, independently of jygproj.io)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import nbformat
import openpyxl
import pytest

from jygproj import cli, evaluation, outputs, paths
from jygproj.report import review_files

pytestmark = pytest.mark.slow
SAMPLE = paths.SAMPLE_2023


def _book(data: Path, pattern: str) -> Path:
    found = sorted(data.glob(pattern))
    assert len(found) == 1, f"{pattern}: {found}"
    return found[0]


def _total_row(path: Path, column: int) -> float:
    """The 合计 row's value in a 1-based column of the first sheet."""
    ws = openpyxl.load_workbook(path, data_only=True).worksheets[0]
    for row in ws.iter_rows(values_only=True):
        if row[0] == "合计":
            return float(row[column - 1])
    raise AssertionError(f"no 合计 row in {path.name}")


def _baseline(data: Path) -> dict[str, tuple]:
    ws = openpyxl.load_workbook(_book(data, "*固定资产投资月度累计*.xlsx"), data_only=True).worksheets[0]
    return {str(r[0]): r for r in ws.iter_rows(min_row=4, values_only=True) if r[0]}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    if not SAMPLE.is_dir():
        pytest.skip("data/sample/2023 missing (make sample)")
    base = tmp_path_factory.mktemp("reports")
    shutil.copytree(SAMPLE, base / "sample")  # a snapshot of the sample, so the hashes below hold still
    out = base / "2023Q3"
    assert cli.main(["quarterly", "2023Q3", "--data", str(base / "sample"), "--out", str(out)]) == 0
    return out, json.loads((out / "summary.json").read_text(encoding="utf-8")), base / "sample"


def test_writes_every_output(report):
    out, summary, data = report
    names = {p.name for p in out.iterdir()}
    assert {"2023Q3_季度考核.ipynb", "2023Q3_季度考核.html", "2023Q3_季度考核.xlsx", "summary.json",
            "manifest.json", "letters", "charts"} <= names
    letters = sorted((out / "letters").glob("提醒函_*.docx"))
    assert len(letters) == summary["letters"] > 0
    assert {p.name for p in (out / "charts").glob("*.png")} == {"cum_growth.png", "completion.png", "growth.png",
                                                                 "s_curve.png", "warnings.png"}
    assert [p.name for p in out.parent.iterdir() if "staging" in p.name or ".old-" in p.name] == []


def test_key_projects_q3_completion_matches_the_workbooks(report):
    _, summary, data = report
    q3 = summary["completion"]["provincial_key"]["Q3"]
    # Q3 completed = 合计 of 1-9月 minus 合计 of 1-6月 (column H, 完成投资) of the key-project tables
    done = _total_row(_book(data, "2023年1-9月全省重点投资项目调度表*.xlsx"), 8) - _total_row(
        _book(data, "2023年1-6月全省重点投资项目调度表*.xlsx"), 8)
    # Q3 plan = the register's 三季度 合计 (column L, 亿元) × 10,000
    plan = _total_row(_book(data, "2023年全省重点投资项目清单*.xlsx"), 12) * 10_000
    assert q3["completed_wan"] == pytest.approx(done)
    assert q3["plan_wan"] == pytest.approx(plan)
    assert q3["rate_pct"] == pytest.approx(round(done / plan * 100, 2))
    assert q3["projects"] == 44  # 17 continuing + 27 new, 二(二)


def test_plan_quarterly_targets_are_the_plans(report):
    _, summary, data = report
    targets = {(t["list"], t["nature"], t["period"], t["kind"]): t for t in summary["plan_targets"]}
    assert targets[("provincial_key", "continuing", "Q3", "target")]["target_wan"] == 82_000  # 8.2 亿, 二(二)
    assert targets[("provincial_key", "new", "Q3", "target")]["target_wan"] == 147_500  # 14.75 亿
    assert targets[("leader_package", None, "Q3", "target")]["target_wan"] == 457_000  # 45.7 亿, 二(三)
    assert targets[("provincial_major", "continuing", "Year", "stretch")]["target_wan"] == 376_000  # 37.6 亿


def test_growth_figures_match_the_baseline_workbook(report):
    _, summary, data = report
    g = summary["growth"]
    base = _baseline(data)
    # columns: 月份, 2022年累计（可比口径）, 2023年累计, 2023年累计增速（%）
    assert g["as_of_month"] == 10 and g["target_month"] == 11
    assert g["ytd_cum_wan"] == pytest.approx(base["1-10月"][2])
    assert g["ytd_growth_pct"] == pytest.approx(base["1-10月"][3])
    assert g["level"]["goal_wan"] == pytest.approx(round(1.12 * base["1-12月"][1], 2))  # (a) 1.12 × last year
    assert g["rate"]["goal_wan"] == pytest.approx(round(1.12 * base["1-11月"][1], 2))  # (b) 1.12 × last 1-11月
    for reading in ("level", "rate"):
        month = g[reading]["projected_met_month"]
        assert month is None or 2 <= month <= 12
        assert g[reading]["met_early"] == (month is not None and month <= 11)
    # the rate reading leads (jygproj.growth.DEFAULT_HEADLINE, by source); both are always there
    assert g["headline"] == "rate" and g["headline_met_month"] == g["rate"]["projected_met_month"]
    # what November alone must add for each reading, in 万元 and year on year, and the forecast's chance
    for reading in ("level", "rate"):
        r = g[reading]
        assert r["needed_rest_wan"] == pytest.approx(r["goal_wan"] - g["ytd_cum_wan"], abs=0.02)
        prior_nov = base["1-11月"][1] - base["1-10月"][1]
        assert r["needed_rest_yoy_pct"] == pytest.approx((r["needed_rest_wan"] / prior_nov - 1) * 100, abs=0.05)
        assert 0 <= r["probability"] <= 1
    f = g["forecast"]
    assert f["p10_growth_pct"] <= f["growth_pct"] <= f["p90_growth_pct"] and f["backtest"]["mae_pp"] > 0


def test_warning_counts_agree_with_the_warning_sheet(report):
    out, summary, data = report
    wb = openpyxl.load_workbook(out / "2023Q3_季度考核.xlsx")
    ws = wb["预警项目"]
    header = [c.value for c in ws[2]]
    col = header.index("预警等级")
    levels = [r[col] for r in ws.iter_rows(min_row=3, values_only=True) if r[0] and r[col]]
    counts = summary["warnings"]["projects_by_level"]
    assert counts == {"blue": levels.count("蓝色预警"), "yellow": levels.count("黄色预警"),
                      "red": levels.count("红色预警")}
    assert sum(counts.values()) > 0


def test_every_workbook_is_listed_with_its_hash(report):
    out, _, data = report
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    hashes = {Path(i["path"]).name: i["sha256"] for i in manifest["inputs"]}
    for book in data.glob("*.xlsx"):
        assert hashes[book.name] == hashlib.sha256(book.read_bytes()).hexdigest()
    executed = nbformat.read(out / "2023Q3_季度考核.ipynb", as_version=4)
    assert executed.metadata["jygproj"]["inputs"] == manifest["inputs"]
    assert executed.metadata["papermill"]["parameters"]["as_of"] == "2023-10"
    ws = openpyxl.load_workbook(out / "2023Q3_季度考核.xlsx")["数据来源"]
    sheet_hashes = {r[6] for r in ws.iter_rows(min_row=3, values_only=True) if r[6]}
    assert set(hashes.values()) <= sheet_hashes


def test_completion_figures_trace_to_their_workbook_row(report):
    out, _, data = report
    ws = openpyxl.load_workbook(out / "2023Q3_季度考核.xlsx")["项目完成明细"]
    header = [c.value for c in ws[3]]
    rows = [dict(zip(header, r)) for r in ws.iter_rows(min_row=4, values_only=True) if r[0] and r[0] != "合计"]
    checked = 0
    for row in rows[:: max(1, len(rows) // 12)]:  # a dozen rows spread over the table
        if not row["完成数来源文件"]:
            continue
        # the file named in the data folder (readers see names, never machine paths)
        src = openpyxl.load_workbook(data / row["完成数来源文件"], data_only=True)[row["完成数来源工作表"]]
        cells = [c.value for c in src[row["完成数来源行号"]]]
        assert row["项目名称"] in cells, (row["项目名称"], cells)
        checked += 1
    assert checked >= 6


def test_no_cell_of_the_workbook_is_a_formula(report):
    out, _, data = report
    wb = openpyxl.load_workbook(out / "2023Q3_季度考核.xlsx")
    assert all(c.data_type != "f" for ws in wb for row in ws.iter_rows() for c in row)
    ws = wb["分清单完成情况"]
    assert ws["A2"].value == "单位：万元" and ws.freeze_panes == "A4"


def test_every_output_has_the_one_file_mode(report):
    """Issue 17: letters were 0600 (a temporary file's mode) while the other outputs were 0644."""
    out, _, _ = report
    files = [p for p in out.rglob("*") if p.is_file() and not p.name.endswith(".lock")]
    assert {"letters", "charts"} <= {p.parent.name for p in files}
    assert {oct(p.stat().st_mode & 0o777) for p in files} == {oct(outputs.file_mode())}
    folders = [out, *(p for p in out.rglob("*") if p.is_dir())]
    assert {oct(p.stat().st_mode & 0o777) for p in folders} == {oct(outputs.dir_mode())}


def test_one_unit_report_goes_below_the_city_report(report):
    out, summary, data = report
    before = (out / "summary.json").read_bytes()
    unit = "市住建局"
    assert cli.main(["quarterly", "2023Q3", "--data", str(data), "--out", str(out), "--unit", unit]) == 0
    unit_dir = out / "units" / unit
    s = json.loads((unit_dir / "summary.json").read_text(encoding="utf-8"))
    assert s["run"]["unit"] == unit
    assert s["completion"]["city"]["YTD"]["projects"] < summary["completion"]["city"]["YTD"]["projects"]
    assert (out / "summary.json").read_bytes() == before  # the city report is left alone


def test_the_record_says_the_kernel_was_started_ahead(report):
    """The report's kernel was started by the command before it checked the inputs (issue 18); it ran
    this report only, and the manifest and the executed notebook say so."""
    out, _, _ = report
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    executed = nbformat.read(out / "2023Q3_季度考核.ipynb", as_version=4)
    assert "lent_kernel" not in manifest and manifest["kernel_started_ahead"]["started"]
    assert executed.metadata["jygproj"]["kernel_started_ahead"] == manifest["kernel_started_ahead"]


def test_usage_problems_exit_2_before_any_notebook_runs(report, tmp_path, capsys):
    """A usage problem is named before any notebook runs; the kernel the command started ahead
    (while it reads the parameters, issue 18) is stopped, and the cycle collector the command turned
    off for its imports is on again."""
    import gc

    import psutil

    _, _, data = report
    assert cli.main(["quarterly", "2023Q5", "--out", str(tmp_path / "x")]) == 2
    assert cli.main(["quarterly", "2023Q3", "--as-of", "2023-08", "--out", str(tmp_path / "x")]) == 2
    assert "quarter_not_closed" in capsys.readouterr().err
    assert cli.main(["quarterly", "2023Q3", "--data", str(data), "--unit", "不存在的单位",
                     "--out", str(tmp_path / "x")]) == 2
    assert "unknown_unit" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
    assert gc.isenabled()
    kernels = [p for p in psutil.Process().children(recursive=True)
               if p.status() != psutil.STATUS_ZOMBIE and "ipykernel" in " ".join(p.cmdline())]
    assert kernels == []


# --- Q4: the review as of December (and as of November) (no papermill; build_review on the sample inputs) ---


@pytest.fixture(scope="module")
def q4_inputs():
    """The sample's inputs with the 2023 baseline extended to December (the sample stops at October):
    November 1,080,000 万元, December 1,180,000 万元 (levels only, no published rate)."""
    import dataclasses

    import polars as pl

    from jygproj import quarterly

    if not SAMPLE.is_dir():
        pytest.skip("data/sample/2023 missing (make sample)")
    inputs = quarterly.load_inputs(SAMPLE, 2023)
    y2023 = pl.col("year") == 2023
    base = inputs.dataset.baseline.with_columns(
        pl.when(y2023 & (pl.col("month") == 11)).then(1_080_000.0)
        .when(y2023 & (pl.col("month") == 12)).then(1_180_000.0)
        .otherwise(pl.col("current_cum_wan")).alias("current_cum_wan"))
    inputs.dataset = dataclasses.replace(inputs.dataset, baseline=base)
    return inputs


@pytest.mark.parametrize(("quarter", "as_of"), [(4, "2023-12"), (3, "2023-11")])
def test_q4_review_judges_the_goal_on_november_actuals(q4_inputs, quarter, as_of):
    # Q4 is held as of December; a late Q3 review as of November is the as-of-11 case (a Q4 review
    # as of November is refused: the quarter has not closed)
    from jygproj import quarterly

    inputs = q4_inputs
    assert evaluation.default_as_of(2023, 4) == "2023-12"
    params = quarterly.ReviewParams(year=2023, quarter=quarter, data_dir=str(SAMPLE), as_of=as_of)
    review = quarterly.build_review(inputs, params)
    g = review.summary["growth"]
    # prior comparable (sample baseline, rebased to the city's scale, issue 14): 1-11月 951,610,
    # 1-12月 1,050,000.
    # level goal 1.12 x 1,050,000 = 1,176,000; November 1,080,000 - 1,176,000 = -96,000 (short)
    # rate goal 1.12 x 951,610 = 1,065,803.2; 1,080,000 - 1,065,803.2 = +14,196.8 (met)
    assert g["level"]["goal_wan"] == pytest.approx(1_176_000)
    assert g["level"]["margin_wan"] == pytest.approx(-96_000) and g["level"]["met_early"] is False
    assert g["rate"]["margin_wan"] == pytest.approx(14_196.8) and g["rate"]["met_early"] is True
    # growth 1,080,000 / 951,610 - 1 = 13.49 % in November (October 11.4 %): the rate reading met in November
    assert g["projected_target_month_growth_pct"] == pytest.approx(13.49, abs=0.01)
    assert g["rate"]["projected_met_month"] == 11
    needed = {r["reading"][:4]: r for r in review.tables["growth_needed"].frame.iter_rows(named=True)}
    assert needed["总量口径"]["actual_cum_wan"] == pytest.approx(1_080_000)
    assert needed["总量口径"]["gap_wan"] == pytest.approx(96_000) and needed["总量口径"]["remaining_months"] == 0
    if as_of == "2023-12":
        # nothing projected; December's actual 1,180,000 >= 1,176,000: the level goal reached a month late
        assert g["projection"].startswith("无")
        assert g["ytd_cum_wan"] == pytest.approx(1_180_000)
        assert g["level"]["projected_met_month"] == 12
    else:
        assert g["projection"].startswith("投资预测模型")
    # from November on the figures are actuals, and the report says so (no 预计/按当前进度预测)
    assert "按已公布数据" in review.text["growth"] and "预计" not in review.text["growth"]
    indicators = review.tables["headline_figures"].frame["indicator"].to_list()
    assert "总量口径达成月份（实际）" in indicators
    assert review_files.sheets_for(review)  # the workbook's sheets build too
