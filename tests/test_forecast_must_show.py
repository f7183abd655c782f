"""Issue 14's "what it must show", item by item, through the front door (the `jygproj` command and
jygproj.open on the embedded sample), with the figures measured on the sample asserted.

The truth of a hidden month is the sample's own published baseline (固定资产投资月度累计, read here
by the simplest rule: 1-X月累计 ÷ 上年同期 − 1); the goal's numbers come from jygproj.plan, never
from literals. Figures measured when this module was written (sample, seed 2023):

| cut     | month | predicted % | published % | error pp | P10 %  | P90 %  |
|---------|-------|-------------|-------------|----------|--------|--------|
| 2023-07 | 8     | 12.89       | 13.70       | −0.81    | 10.07  | 16.84  |
| 2023-08 | 9     | 13.27       | 13.10       | +0.17    | 11.24  | 15.74  |
| 2023-09 | 10    | 11.49       | 11.40       | +0.09    |  9.70  | 13.40  |

As of 2023-10: November 12.76亿元 (+12.6% year on year), 1-11月 106.15亿元, cumulative growth 11.55%
(main's old projection: 141.73亿元, +48.93%); deterministic ÷ Monte Carlo median − 1 = +0.15%
(November), +0.20% (December).
"""

from __future__ import annotations

import contextlib
import io
import json

import polars as pl
import pytest

import jygproj
from jygproj import cli, paths
from jygproj.schema import READING_NAMES, WAN_PER_YI
from forecast_frames import cut_folder

pytestmark = pytest.mark.skipif(not any(paths.SAMPLE_2023.glob("*.xlsx")), reason="sample not generated yet")
CUTS = (7, 8, 9)
#: measured (see the module's table): cut month → (predicted, P10, P90) cumulative growth of the next month, %
MEASURED = {7: (12.89, 10.07, 16.84), 8: (13.27, 11.24, 15.74), 9: (11.49, 9.70, 13.40)}


def command(*argv: str) -> tuple[int, str]:
    """`jygproj <argv>` as a user runs it: exit status and what it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = cli.main(list(argv))
    return rc, out.getvalue()


@pytest.fixture(scope="module")
def full():
    return jygproj.open()


@pytest.fixture(scope="module")
def published(full) -> dict[int, float]:
    """2023's published cumulative growth by month, %, from the baseline's two cumulative columns."""
    b = full.baseline.filter((pl.col("year") == 2023) & pl.col("current_cum_wan").is_not_null())
    return {m: (c / p - 1) * 100 for m, c, p in b.select("month", "current_cum_wan", "prior_cum_wan").iter_rows()}


@pytest.fixture(scope="module")
def cuts(tmp_path_factory):
    """The sample folder as it stood after each month (later workbooks removed, later baseline cells
    blank), opened as of that month."""
    return {m: jygproj.open(cut_folder(paths.SAMPLE_2023, tmp_path_factory.mktemp(f"cut{m}"), m), as_of=f"2023-{m:02d}")
            for m in CUTS}


@pytest.fixture(scope="module")
def review(full):
    return full.quarterly()


# --- 1. hidden months: one month ahead within a point, the truth inside P10–P90 ---------------------

@pytest.mark.parametrize("m", CUTS)
def test_cut_folder_one_month_ahead(cuts, published, m):
    review = cuts[m].quarterly()
    row = review.frames["forecast_bands"].filter(pl.col("month") == m + 1).row(0, named=True)
    predicted, p10, p90 = MEASURED[m]
    assert row["growth_pct"] == pytest.approx(predicted, abs=0.01)
    assert (row["p10_growth_pct"], row["p90_growth_pct"]) == pytest.approx((p10, p90), abs=0.1)
    actual = published[m + 1]
    assert abs(row["growth_pct"] - actual) <= 1.0
    assert row["p10_growth_pct"] <= actual <= row["p90_growth_pct"]


def test_backtest_command_scores_the_same_cuts(published):
    rc, text = command("backtest", "--json", "--as-of", "2023-10")
    assert rc == 0
    out = json.loads(text)
    cases = {(c["as_of"], c["month"]): c for c in out["cases"]}
    for m in CUTS:
        c = cases[(f"2023-{m:02d}", m + 1)]
        assert c["actual_growth_pct"] == pytest.approx(published[m + 1], abs=0.05)
        assert c["predicted_growth_pct"] == pytest.approx(MEASURED[m][0], abs=0.01)
        assert abs(c["predicted_growth_pct"] - c["actual_growth_pct"]) <= 1.0
        assert c["p10_growth_pct"] <= c["actual_growth_pct"] <= c["p90_growth_pct"]
    # every case, past years (city figures only) included
    assert len(out["cases"]) == 44 and out["mae_pp"] == pytest.approx(3.698, abs=0.01)


def test_backtest_command_is_registered_with_chinese_help():
    assert "backtest" in cli.COMMANDS
    rc, text = command("backtest", "--as-of", "2023-09")
    assert rc == 0 and text.startswith("预测可信度") and "平均绝对误差" in text
    assert "预测回测" in cli.build_parser("backtest").format_help()


# --- 2. one forecast: the deterministic figure is the Monte Carlo median ------------------------------

def test_deterministic_is_the_monte_carlo_median(full, cuts):
    for wb in (full, *cuts.values()):
        f = wb.forecast()
        median = f.simulation.quantiles((50,))[50]
        for month in range(f.as_of_month + 1, 13):
            assert abs(f.forecast.total_wan[month] / median[month] - 1) < 0.005
    f = full.forecast()
    median = f.simulation.quantiles((50,))[50]
    assert f.forecast.total_wan[11] / median[11] - 1 == pytest.approx(0.0015, abs=0.0005)


# --- 3. 调度数 above 统计数: a reconciliation line, a plausible projection ----------------------------

def test_reconciliation_line_and_a_plausible_november(full, review):
    rec = review.summary["growth"]["forecast"]["reconciliation"]
    assert rec["reported_wan"] > rec["city_wan"]  # the sample's lists report more than the city's FAI
    assert (rec["reported_wan"] / WAN_PER_YI, rec["city_wan"] / WAN_PER_YI) == pytest.approx((123.87, 93.39), abs=0.005)
    line = review.text["forecast_notes"]
    assert "清单项目调度数 123.87亿元 超出全市统计数 93.39亿元 30.48亿元" in line and "未把清单外投资记为零" in line
    assert review.tables["reconciliation"] is not None
    g = review.summary["growth"]
    # main's projection said 141.73亿元 (+48.93%) for 1-11月 on the same data
    assert g["projected_target_month_cum_wan"] / WAN_PER_YI == pytest.approx(106.15, abs=0.005)
    assert g["projected_target_month_growth_pct"] == pytest.approx(11.55, abs=0.01)
    assert g["projected_rest_wan"] / WAN_PER_YI == pytest.approx(12.76, abs=0.005)
    assert g["projected_rest_yoy_pct"] == pytest.approx(12.6, abs=0.05)


# --- 4. the first screen: both readings, November needed in 亿元 and year on year, backtest error ----

def test_first_screen_shows_both_readings_and_the_backtest_error(full, review):
    goal, base = full.plan.goal, full.baseline.filter(pl.col("year") == 2023)
    prior = dict(base.select("month", "prior_cum_wan").iter_rows())
    ytd = base.filter(pl.col("month") == 10)["current_cum_wan"].item()
    factor = 1 + goal.growth_pct / 100
    prior_nov = prior[11] - prior[10]
    needed = {"rate": factor * prior[11] - ytd, "level": factor * prior[12] - ytd}  # prior[12]: last full year
    text = review.text["growth"]
    assert text.index(READING_NAMES["rate"]) < text.index(READING_NAMES["level"])  # the rate reading leads
    for key, wan in needed.items():
        yoy = (wan / prior_nov - 1) * 100
        assert f"11月须完成 {wan / WAN_PER_YI:.2f}亿元、比上年同期增长 {yoy:.1f}%" in text
    assert (needed["rate"] / WAN_PER_YI, needed["level"] / WAN_PER_YI) == pytest.approx((13.19, 24.21), abs=0.005)
    assert "嘉峪关日报" in text  # the default reading's source, cited where it is named
    bt = review.summary["growth"]["forecast"]["backtest"]
    assert f"平均绝对误差 {bt['mae_pp_next_month']:.2f} 个百分点" in review.text["credibility"]
    assert bt["mae_pp_next_month"] == pytest.approx(2.78, abs=0.01)
    assert 0.7 <= bt["coverage_p10_p90"] <= 0.9
    # the report's first section says these paragraphs first (notebook 10's cell after 一、核心指标)
    nb = json.loads((paths.ROOT / "notebooks" / "10_quarterly_review.ipynb").read_text(encoding="utf-8"))
    sources = ["".join(c["source"]) for c in nb["cells"]]
    first = next(i for i, s in enumerate(sources) if s.startswith("## 一、核心指标"))
    assert sources[first + 1].startswith('report.say(review, "growth", "forecast", "credibility", "forecast_notes")')


def test_report_prints_the_forecasts_growth_once_rounded(review):
    # 11.5456% is 11.5%: the summary keeps four places so the sentence does not round twice
    assert "累计增速 11.5%" in review.text["forecast"]


# --- 5. the report and the scenario command: the same projection for the same inputs ----------------

def test_report_and_scenario_command_give_one_projection(review):
    rc, text = command("scenario", "--json")
    assert rc == 0
    base = json.loads(text)["scenarios"][0]
    g = review.summary["growth"]
    assert base["headline"] == g["headline"] == "rate"
    for key in ("rate", "level"):
        assert base["readings"][key]["projected_target_month_yi"] == pytest.approx(
            g["projected_target_month_cum_wan"] / WAN_PER_YI, abs=1e-4)
        assert base["monte_carlo"]["probability"][key] == pytest.approx(g["forecast"]["probability"][key], abs=1e-4)
    assert base["monte_carlo"]["probability"]["rate"] == pytest.approx(0.2465, abs=1e-4)
