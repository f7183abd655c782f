"""Next year in one file: a 2024 test plan (tests/fixtures/plan_2024/targets_2024.yaml, numbers that
differ from 2023 on purpose) and 2024 workbooks are all it takes for the tracker, requirements,
labels, letters and planner — a full `jygproj quarterly 2024Q3 --data <2024 data>` run.

The 2024 workbooks are made by the sample generator from the 2024 test plan's numbers (65 government
projects instead of 75, other amounts) and moved into 2024 (every year in text and dates + 1): the
generator writes 2023 calendars only.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import docx
import openpyxl
import pytest

from jygproj import cli, paths

pytestmark = pytest.mark.slow
PLANS_2024 = Path(__file__).parent / "fixtures" / "plan_2024"
_YEAR = re.compile(r"20(22|23)")


def _next_year(text: str) -> str:
    return _YEAR.sub(lambda m: str(int(m.group()) + 1), text)


def _shift(src: Path, dst: Path) -> None:
    """Each workbook of ``src`` one year later into ``dst``: names, titles, text and dates."""
    dst.mkdir(parents=True)
    for f in sorted(src.glob("*.xlsx")):
        wb = openpyxl.load_workbook(f)
        for ws in wb.worksheets:
            ws.title = _next_year(ws.title)
            for row in ws.iter_rows():
                for c in row:
                    if isinstance(c.value, str):
                        c.value = _next_year(c.value)
                    elif isinstance(c.value, (dt.datetime, dt.date)):
                        c.value = c.value.replace(year=c.value.year + 1)
        wb.save(dst / _next_year(f.name))


@pytest.fixture(scope="module")
def data_2024(tmp_path_factory):
    from jygproj import sample
    from jygproj.reference import load_seasonal_profile, load_targets

    base = tmp_path_factory.mktemp("y2024")
    plan = load_targets(2024, PLANS_2024 / "targets_2024.yaml")
    shares = sample.reference_shares(load_seasonal_profile())
    sample.write_sample(sample.build_sample(plan, 2024, "2023-10", shares), base / "generated", 2024)
    _shift(base / "generated", base / "2024")
    return base / "2024"


@pytest.fixture
def plans_2024(monkeypatch):
    monkeypatch.setenv(paths.PLANS_ENV, str(PLANS_2024))


def test_the_2024_plan_differs_on_purpose_and_says_it_is_a_test_plan(plans_2024):
    from jygproj.plan import load_plan

    plan = load_plan(2024)
    assert "测试方案" in plan.note
    assert (plan.goal.growth_pct, plan.goal.target_month) == (10.0, 10)  # 2023: 12 %, November
    assert plan.words.span == "1-10月" and plan.words.early == "提前两个月"
    assert plan.value("government_count") == 65  # 2023: 75
    assert plan.requirement_labels["government_new_june"] == "政府投资新建项目5月底前全部开工"
    assert plan.requirement_labels["enterprise_new_start"] == "企业投资新开工项目开工率达到90%以上"


def test_a_full_2024q3_review_and_the_planner_follow_the_2024_plan(plans_2024, data_2024, tmp_path, capsys):
    out = tmp_path / "2024Q3"
    assert cli.main(["quarterly", "2024Q3", "--data", str(data_2024), "--out", str(out)]) == 0
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    # the tracker: 10 % growth judged on 1-10月 (as of October the target month is an actual)
    g = s["growth"]
    assert (g["target_growth_pct"], g["target_month"], s["run"]["evaluated_on"]) == (10.0, 10, "2024-11-10")
    assert g["level"]["goal_wan"] == pytest.approx(1.10 * g["prior_year_total_wan"], abs=0.02)
    # the forecast follows the plan's target month too: its backtest scores October, not November
    assert g["forecast"]["target_month"] == 10 and g["forecast"]["backtest"]["mae_pp_target_month"] is not None
    # requirements: the 2024 plan's thresholds and deadlines
    starts = {(r["requirement_id"], r["quarter"]): r for r in s["starts"]}
    assert starts[("government_new_june", None)]["deadline"] == "2024-05-31"
    assert starts[("enterprise_new_start", None)]["required_pct"] == 90.0
    assert {q for (rid, q) in starts if rid == "key_new_starts"} == {2, 3, 4}
    wb = openpyxl.load_workbook(next(out.glob("*.xlsx")), read_only=True)
    sizes = [r for r in wb["方案清单对账"].iter_rows(values_only=True) if r and r[0] == "政府投资项目" and r[1] is None]
    assert sizes[0][3] == sizes[0][4] == 65  # the plan's 65 government projects, all received
    assert "10%增长跟踪" in wb.sheetnames
    reqs = {r[0] for r in wb["完成率考核"].iter_rows(values_only=True) if r}
    assert "企业投资项目年度投资完成率达85%以上" in reqs
    # labels and sentences: the 2024 plan's words, its test-plan warning first, no 2023 figure
    html = next(out.glob("*.html")).read_text(encoding="utf-8")
    assert html.index("测试方案") < html.index("核心指标")
    for word in ("1-10月", "×1.10", "提前两个月", "5月底前全部开工"):
        assert word in html, word
    for stale in ("1-11月", "×1.12", "提前一个月", "嘉政办发〔2023〕39号", "6月底前全部开工"):
        assert stale not in html, stale
    # letters cite the 2024 plan
    letters = sorted((out / "letters").glob("*.docx"))
    assert letters and s["letters"] == len(letters)
    text = "\n".join(p.text for p in docx.Document(str(letters[0])).paragraphs)
    assert "测试方案（2024）" in text and "2023" not in text
    # the planner on the same data: the 2024 goal and target month
    capsys.readouterr()
    assert cli.main(["scenario", "--data", str(data_2024), "--as-of", "2024-09", "--draws", "0", "--json"]) == 0
    planner = json.loads(capsys.readouterr().out)["scenarios"][0]
    assert (planner["year"], planner["target_pct"], planner["target_month"]) == (2024, 10.0, 10)
    assert "1-10月" in planner["readings"]["level"]["label"]
