"""The plan as one object (jygproj.plan): every number, threshold, deadline and word comes from the
plan file; an entry nothing uses fails; editing the file moves the report, summary.json and the
planner; a broken file stops them."""

from __future__ import annotations

import dataclasses
import json
import re

import openpyxl
import pytest

from jygproj import alerts, cli, paths, quarterly
from jygproj.plan import chinese_number, load_plan, plan_from_targets
from jygproj.reference import ReferenceDataError, load_targets

PLAN_FILE = paths.REFERENCE / "targets_2023.yaml"


def _set(text: str, key: str, value) -> str:
    """The plan file with one target's value changed."""
    pattern = re.compile(rf"(  {key}:\n    value: )[^\n]+")
    assert pattern.search(text), key
    return pattern.sub(lambda m: f"{m.group(1)}{value}", text, count=1)


def test_the_2023_goal_and_its_words_come_from_the_file():
    plan = load_plan(2023)
    assert (plan.goal.growth_pct, plan.goal.months_early, plan.goal.target_month) == (12.0, 1, 11)
    w = plan.words
    assert (w.span, w.factor, w.pct, w.early) == ("1-11月", "1.12", "12%", "提前一个月")
    assert plan.planned_starts() == {"provincial_key": {2: 10, 3: 11, 4: 6}}  # 二(二)
    labels = plan.requirement_labels
    assert labels["enterprise_new_start"] == "企业投资新开工项目开工率达到85%以上"  # 二(五)
    assert labels["government_new_june"] == "政府投资新建项目6月底前全部开工"  # 二(四)
    assert chinese_number(11) == "十一" and chinese_number(2) == "二"


@pytest.mark.slow
def test_every_entry_of_the_plan_file_is_used_by_a_calculation():
    """Code health: an entry of targets_2023.yaml that no calculation reads fails here."""
    from jygproj.scenario.files import planner_from_dataset

    plan = plan_from_targets(load_targets(2023))
    inputs = quarterly.load_inputs("", 2023)
    inputs = dataclasses.replace(inputs, plan=plan, rules=alerts.load_rules(plan=plan))
    quarterly.build_review(inputs, quarterly.ReviewParams(2023, 3, "", "2023-10"))
    planner_from_dataset(inputs.dataset, as_of="2023-10", plan=plan, draws=10).run(
        planner_from_dataset(inputs.dataset, as_of="2023-10", plan=plan).baseline, with_tornado=True)
    assert plan.unused_keys() == []


def test_an_entry_nobody_reads_is_found(tmp_path):
    text = PLAN_FILE.read_text(encoding="utf-8").replace("targets:\n", """targets:
  fai_forgotten_pct:
    value: 7
    unit: "%"
    clause: 一
    description: 写进方案文件却没有任何计算使用的数字
""", 1)
    (tmp_path / "targets_2023.yaml").write_text(text, encoding="utf-8")
    plan = plan_from_targets(load_targets(2023, tmp_path / "targets_2023.yaml"))
    alerts.load_rules(plan=plan)
    assert plan.unused_keys() == ["fai_forgotten_pct"]


def test_a_requirement_naming_a_missing_target_is_refused_with_its_line(tmp_path):
    text = PLAN_FILE.read_text(encoding="utf-8").replace(
        "threshold: enterprise_new_start_rate_pct", "threshold: enterprise_new_start_rate_typo_pct")
    (tmp_path / "targets_2023.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ReferenceDataError) as err:
        plan_from_targets(load_targets(2023, tmp_path / "targets_2023.yaml"))
    assert err.value.code == "unknown_target" and err.value.line and "enterprise_new_start_rate_typo_pct" in str(err.value)


@pytest.fixture
def edited_plans(tmp_path, monkeypatch):
    """A plans folder whose 2023 plan asks more: enterprise new-start 85 → 99 %, enterprise annual
    completion 80 → 95 %, growth 12 → 14 %, two months early (October) instead of one."""
    text = PLAN_FILE.read_text(encoding="utf-8")
    for key, value in {"enterprise_new_start_rate_pct": 99, "enterprise_annual_completion_pct": 95,
                       "fai_growth_pct": 14, "fai_growth_months_early_month": 2}.items():
        text = _set(text, key, value)
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / "targets_2023.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setenv(paths.PLANS_ENV, str(folder))
    return folder


@pytest.mark.slow
def test_editing_the_plan_file_moves_the_report_summary_and_planner(edited_plans, tmp_path, capsys):
    out = tmp_path / "2023Q3"
    assert cli.main(["quarterly", "2023Q3", "--out", str(out)]) == 0
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert (s["growth"]["target_growth_pct"], s["growth"]["target_month"]) == (14.0, 10)
    # level goal: 1.14 × last year's comparable full year
    assert s["growth"]["level"]["goal_wan"] == pytest.approx(1.14 * s["growth"]["prior_year_total_wan"], abs=0.02)
    ent = [r for r in s["starts"] if r["requirement_id"] == "enterprise_new_start"]
    assert ent and ent[0]["required_pct"] == 99.0
    wb = openpyxl.load_workbook(next(out.glob("*.xlsx")), read_only=True)
    req = [r for r in wb["完成率考核"].iter_rows(values_only=True) if r and r[0] == "企业投资项目年度投资完成率达95%以上"]
    assert req and all(r[5] == 95 for r in req)  # 要求（%）
    assert "14%增长跟踪" in wb.sheetnames
    html = next(out.glob("*.html")).read_text(encoding="utf-8")
    assert "1-10月" in html and "提前两个月" in html and "1-11月" not in html
    capsys.readouterr()
    assert cli.main(["scenario", "--draws", "0", "--json"]) == 0
    planner = json.loads(capsys.readouterr().out)["scenarios"][0]
    assert (planner["target_pct"], planner["target_month"]) == (14.0, 10)
    assert "1-10月" in planner["headline_label"]


def test_a_broken_plan_file_stops_the_planner_and_the_review(tmp_path, monkeypatch, capsys):
    """No silent default: a duplicate key in the plan refuses the planner (was: carried on at 12%)."""
    from jygproj.scenario.files import load_planner

    folder = tmp_path / "plans"
    folder.mkdir()
    text = PLAN_FILE.read_text(encoding="utf-8").replace("targets:\n", "targets:\n  fai_growth_pct:\n    value: 9\n", 1)
    (folder / "targets_2023.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setenv(paths.PLANS_ENV, str(folder))
    with pytest.raises(ReferenceDataError) as err:
        load_planner(None, as_of="2023-10", draws=10)
    assert err.value.code == "duplicate_key"
    assert cli.main(["scenario", "--draws", "0"]) == 1
    assert cli.main(["quarterly", "2023Q3", "--out", str(tmp_path / "q")]) == 1
    out = capsys.readouterr()
    assert (out.out + out.err).count("[duplicate_key]") == 2


def test_a_requirement_on_a_target_the_plan_does_not_set_is_refused(tmp_path):
    """Issue 13: a quarterly requirement for a list the plan gives no quarterly target (the old 二(八)
    reading for government, industrial and real estate) cannot be declared."""
    text = PLAN_FILE.read_text(encoding="utf-8").replace(
        "    lists: [leader_package]\n    periods: [Q1, Q2, Q3, Q4]",
        "    lists: [leader_package, government]\n    periods: [Q1, Q2, Q3, Q4]", 1)
    (tmp_path / "targets_2023.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ReferenceDataError) as err:
        plan_from_targets(load_targets(2023, tmp_path / "targets_2023.yaml"))
    assert err.value.code == "unknown_target" and "government" in str(err.value)


def test_strive_requirements_and_periods_are_the_plans_words():
    plan = load_plan(2023)
    by = {(r.id, r.quarter): r for r in plan.requirements}
    assert by[("government_new_q1", None)].strive and by[("government_new_q1", None)].period == "Q1"
    assert not by[("government_new_june", None)].strive and by[("government_new_june", None)].period == "2023-06"
    assert by[("key_resumption", None)].period == "Q1"  # 一季度全部复工: the 17 key continuing projects only
    assert by[("government_resumption", None)].period == "Year"  # 二(四): no date but the section's 12月底
    assert plan.requirement_labels["major_continuing_annual"] == "省列重大续建项目确保完成年度35.4亿元目标任务"
