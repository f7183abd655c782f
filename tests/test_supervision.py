"""Supervision 督导 (三(三)): reminder-letter units, their facts, and priority support."""

from datetime import date

import polars as pl
import pytest

from jygproj import schema, supervision
from jygproj.alerts import positions
from jygproj.reference import load_seasonal_profile

PROFILE = load_seasonal_profile()  # by the end of September 76.5 % of a year's plan is due
AS_OF = date(2023, 10, 10)
SEP30 = date(2023, 9, 30)

# (project, name, unit, list, annual_plan_wan, 1-9月 completed_wan)
ROWS = [
    ("A", "雄关大道改造", "市住建局", "government", 10_000.0, 4_000.0),  # 40 %: red
    ("B", "保障性住房", "市住建局", "industrial", 2_000.0, 1_800.0),  # 1,800 / 1,530 on pace
    ("C", "关城景区提升", "市文旅局", "government", 1_000.0, 900.0),  # 900 / 765 on pace
    ("C", "关城景区提升", "市文旅局", "industrial", 1_000.0, 800.0),  # 800 / 765 on pace on this list too
    ("D", "二中教学楼", "市教育局", "government", 1_000.0, 800.0),  # on pace, but a missed quarter
    ("E", "北大河治理", "市水务局", "government", 1_000.0, 700.0),  # 700 < 765 behind, no red
]


def _inputs():
    projects = schema.conform(pl.DataFrame(
        [(r[0], r[1], r[2]) for r in ROWS], schema=["project_id", "name", "responsible_unit"], orient="row",
    ).unique("project_id", maintain_order=True), schema.PROJECTS)
    memberships = schema.conform(pl.DataFrame(
        {"project_id": [r[0] for r in ROWS], "list": [r[3] for r in ROWS], "nature": ["continuing"] * len(ROWS),
         "annual_plan_wan": [r[4] for r in ROWS]}), schema.MEMBERSHIPS)
    progress = schema.conform(pl.DataFrame(
        {"project_id": [r[0] for r in ROWS], "list": [r[3] for r in ROWS], "period": ["2023-09"] * len(ROWS),
         "period_end": [SEP30] * len(ROWS), "completed_ytd_wan": [r[5] for r in ROWS],
         "resumed": [True] * len(ROWS), "reported_at": [date(2023, 10, 3)] * len(ROWS),
         "revision": [0] * len(ROWS)}), schema.PROGRESS)
    alerts = schema.conform(pl.DataFrame(
        [("A", "government", "2023-09", "red", "pace_behind",
          "截至2023年9月累计完成投资4,000.0万元，占年度计划10,000.0万元的40.0%，序时进度76.5%，落后36.5个百分点"),
         ("A", "government", "2023-09", "blue", "report_late", "迟报1天"),
         ("E", "government", "2023-09", "yellow", "pace_behind", "落后11.5个百分点")],
        schema=["project_id", "list", "period", "level", "rule_id", "reason"], orient="row",
    ).with_columns(pl.lit(AS_OF).alias("evaluated_on")), schema.ALERTS)
    missed = pl.DataFrame({"unit": ["市教育局"], "list": ["government"], "quarter": ["2023Q3"],
                           "planned_wan": [3_000.0], "completed_wan": [2_400.0]})
    return projects, memberships, progress, alerts, missed


RULES = supervision.load_letter_rules()


def test_units_with_red_projects_or_missed_targets_get_a_letter_on_the_plans_trigger():
    projects, memberships, progress, alerts, missed = _inputs()
    pos = positions(projects, memberships, progress, AS_OF, PROFILE)
    facts = supervision.reminder_facts(alerts, projects, missed, pos, rules=RULES)
    units = supervision.reminder_units(facts, RULES)
    assert units.select("responsible_unit", "red_projects", "missed_targets").rows() == [
        ("市住建局", 1, 0), ("市教育局", 0, 1)]  # 市水务局 has only a yellow project: no letter
    assert units["reasons"].to_list() == ["红色预警项目1个", "未完成方案目标1项"]
    assert set(units["triggers"]) == {"项目推进落实慢"}  # 三(三)'s words


def test_letter_facts_carry_the_warning_the_figures_and_their_cells():
    projects, memberships, progress, alerts, missed = _inputs()
    pos = positions(projects, memberships, progress, AS_OF, PROFILE)
    facts = supervision.reminder_facts(alerts, projects, missed, pos, rules=RULES,
                                       rule_names={"pace_behind": "投资完成落后于序时进度"})
    by_unit = dict(zip(facts["responsible_unit"], facts["fact"]))
    a = by_unit["市住建局"]
    # the red warning with its figures in 万元 and 亿元, the warning named as practice (参考)
    assert a.startswith("雄关大道改造（政府投资项目）：红色预警（本市预警规则，参考）。年度计划投资1.00亿元，"
                        "截至2023年9月累计完成4000万元，完成率40.0%。投资完成落后于序时进度：")
    assert "序时进度76.5%，落后36.5个百分点" in a and "迟报" not in a  # the blue one is not stated
    row = facts.filter(pl.col("responsible_unit") == "市住建局").row(0, named=True)
    assert (row["trigger"], row["kind"], row["project_id"], row["list"], row["rule_id"]) == (
        "slow_progress", "red_project", "A", "government", "pace_behind")
    assert row["gap_wan"] == pytest.approx(7_650 - 4_000)
    # missed target: 3,000 planned, 2,400 done: 80.0 %, short by 600 = 0.06亿元
    assert "2023年三季度目标（清单所列分季度目标之和）3000万元，实际完成2400万元，" \
           "完成率80.0%，差600万元" in by_unit["市教育局"]


def test_no_letter_for_a_miss_below_the_floor():
    """12 万元 short of a quarter's target is no letter (alert_rules.yaml letters.min_gap_wan)."""
    projects, memberships, progress, alerts, _ = _inputs()
    small = pl.DataFrame({"unit": ["市教育局"], "list": ["leader_package"], "quarter": ["3"],
                          "planned_wan": [866.4], "completed_wan": [854.4]})
    facts = supervision.reminder_facts(alerts.head(0), projects, small, rules=RULES)
    assert facts.is_empty() and supervision.reminder_units(facts, RULES).is_empty()
    assert RULES.min_gap_wan > 12


def test_a_red_registration_warning_is_low_attention_not_slow_progress():
    """开工两个月以上未入库 (参考) is the unit's 应统尽统, 重视程度不高 — not a project behind its pace
    (alert_rules.yaml letters.low_attention.rules); its fact names the project and the warning."""
    projects, _, _, alerts, _ = _inputs()
    lag = schema.conform(pl.DataFrame(
        [("C", "industrial", "2023-09", "red", "registration_late", "2023年6月1日开工，截至2023年10月10日未入库（统计），已4.3个月")],
        schema=["project_id", "list", "period", "level", "rule_id", "reason"], orient="row",
    ).with_columns(pl.lit(AS_OF).alias("evaluated_on")), schema.ALERTS)
    facts = supervision.reminder_facts(lag, projects, None, rules=RULES,
                                       rule_names={"registration_late": "已开工项目未入库"})
    (row,) = facts.rows(named=True)
    assert (row["responsible_unit"], row["trigger"], row["kind"]) == ("市文旅局", "low_attention", "attention_warning")
    assert row["fact"] == ("已开工项目未入库（红色预警，本市预警规则，参考）的项目1个：关城景区提升：2023年6月1日开工，"
                           "截至2023年10月10日未入库（统计），已4.3个月。")
    units = supervision.reminder_units(facts, RULES)
    assert units.select("red_projects", "triggers").row(0) == (0, "重视程度不高")
    # a red warning of another rule (reporting) is neither trigger
    late = alerts.with_columns(pl.lit("report_late").alias("rule_id"), pl.lit("red").alias("level"))
    assert supervision.reminder_facts(late, projects, None, rules=RULES).is_empty()


def test_priority_support_needs_every_project_on_pace_and_more_than_the_pace_in_total():
    projects, memberships, progress, alerts, missed = _inputs()
    pos = positions(projects, memberships, progress, AS_OF, PROFILE)
    facts = supervision.reminder_facts(alerts, projects, missed, pos, rules=RULES)
    unit_ytd = _unit_ytd(projects, memberships, progress)
    units = supervision.priority_support_units(unit_ytd, pos, alerts, facts)
    got = {r["responsible_unit"]: r for r in units.iter_rows(named=True)}
    assert [u for u, r in got.items() if r["qualifies"]] == ["市文旅局"]
    # 文旅: C counted once, from the government list (earlier in precedence): 900 of 765 due = 117.6 %
    c = got["市文旅局"]
    assert (c["projects"], c["projects_with_plan"], c["projects_on_pace"]) == (1, 1, 1)
    assert c["completed_ytd_wan"] == 900.0 and abs(c["planned_to_date_wan"] - 765.0) < 1e-9
    assert "117.6%" in c["basis"] and "年度计划完成率90.0%" in c["basis"]
    # 住建: A behind and red; 教育: on pace but a letter (a missed quarter); 水务: 700 < 765
    assert (got["市住建局"]["projects_on_pace"], got["市住建局"]["red_projects"]) == (1, 1)
    assert got["市教育局"]["letter_facts"] == 1 and got["市教育局"]["projects_on_pace"] == 1
    assert got["市水务局"]["projects_on_pace"] == 0
    assert units["responsible_unit"][0] == "市文旅局"  # qualifying units first
    # the same projects, plans and completions as the 分责任单位完成 table (one basis, issue 13)
    assert dict(zip(units["responsible_unit"], units["completed_ytd_wan"])) == dict(
        zip(unit_ytd["responsible_unit"], unit_ytd["completed_wan"]))


def _unit_ytd(projects, memberships, progress):
    from jygproj import completion
    from jygproj.ledger import monthly_cumulative

    c = completion.completion(memberships, monthly_cumulative(progress), year=2023, as_of_month=9, profile=PROFILE,
                              projects=projects, by="responsible_unit")
    return c.filter((pl.col("period") == "YTD") & pl.col("nature").is_null() & (pl.col("list") == "city"))


def test_a_project_behind_on_one_of_its_lists_is_not_on_pace():
    projects, memberships, progress, _, _ = _inputs()
    # C's industrial figure drops to 700 (< 765) and is reported alone for September: the project's
    # figure is its government one (the list first in precedence), so C stays on pace
    progress = progress.with_columns(
        pl.when((pl.col("project_id") == "C") & (pl.col("list") == "industrial")).then(700.0)
        .otherwise(pl.col("completed_ytd_wan")).alias("completed_ytd_wan"))
    pos = positions(projects, memberships, progress, AS_OF, PROFILE)
    assert pos.filter(pl.col("project_id") == "C")["completed_ytd_wan"].to_list() == [900.0, 900.0]
    # with C's plan on its industrial list raised to 1,200 (pace 918 > 900) it is behind there
    memberships = memberships.with_columns(
        pl.when((pl.col("project_id") == "C") & (pl.col("list") == "industrial")).then(1_200.0)
        .otherwise(pl.col("annual_plan_wan")).alias("annual_plan_wan"))
    pos = positions(projects, memberships, progress, AS_OF, PROFILE)
    units = supervision.priority_support_units(_unit_ytd(projects, memberships, progress), pos)
    assert not units.filter(pl.col("responsible_unit") == "市文旅局")["qualifies"].item()


def test_without_positions_no_red_fact_is_stated():
    """A fact needs its figures and their cells: without positions nothing is said of a red project."""
    projects, _, _, alerts, _ = _inputs()
    assert supervision.reminder_facts(alerts, projects, rules=RULES).is_empty()


def test_no_missed_targets_and_no_alerts_are_fine():
    projects, memberships, progress, _, _ = _inputs()
    empty_alerts = schema.empty(schema.ALERTS)
    facts = supervision.reminder_facts(empty_alerts, projects, rules=RULES)
    assert facts.is_empty() and supervision.reminder_units(facts, RULES).is_empty()
    pos = positions(projects, memberships, progress, AS_OF, PROFILE)
    assert supervision.priority_support_units(_unit_ytd(projects, memberships, progress), pos, empty_alerts,
                                              facts).height == 4


def test_requests_come_from_the_units_own_problems_and_never_ask_it_to_liaise_with_itself():
    from jygproj import factors

    cats = factors.load_categories()
    issues = pl.DataFrame({"project_id": ["L", "F"], "list": ["government", "government"], "period": ["2023-10"] * 2,
                           "issues": ["土地征收补偿未完成，部分地块未交付", "项目资本金到位不足"]})
    classified = factors.classify(issues, cats)
    names = {"L": "雄关大道改造", "F": "北大河治理"}
    out = factors.requests("市自然资源局", classified, names, cats, kinds={"red_project"})
    land = next(r for r in out if "土地" in r)
    assert "雄关大道改造" in land and "市自然资源局" not in land and "主动对接" not in land
    funds = next(r for r in out if "资金" in r)
    assert "北大河治理" in funds and "主动对接市财政局" in funds
    other = factors.requests("市住建局", classified, names, cats, kinds={"red_project"})
    assert "主动对接市自然资源局" in next(r for r in other if "土地" in r)
    assert not any("天气" in r for r in out)  # nothing asked without a problem behind it
    # a letter only for missing reports asks for reporting, not for construction
    assert factors.requests("市住建局", classified.head(0), names, cats, kinds={"missing_reports"}) == [
        "严格落实项目调度制度（二(八)），按时、准确报送项目形象进度和投资完成情况。"]
