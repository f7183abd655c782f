"""Supervision 督导 (三(三)): reminder-letter units, their facts, and priority support."""

from datetime import date

import polars as pl

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


def test_units_with_red_projects_or_missed_targets_get_a_letter():
    projects, _, _, alerts, missed = _inputs()
    units = supervision.reminder_units(alerts, projects, missed)
    assert units.select("responsible_unit", "red_projects", "missed_targets").rows() == [
        ("市住建局", 1, 0), ("市教育局", 0, 1)]  # 市水务局 has only a yellow project: no letter
    assert units["reasons"].to_list() == ["红色预警项目1个", "未完成季度投资目标1项"]


def test_letter_facts_carry_the_warning_and_the_figures_in_wan_and_yi():
    projects, memberships, progress, alerts, missed = _inputs()
    pos = positions(projects, memberships, progress, AS_OF, PROFILE)
    facts = supervision.reminder_facts(alerts, projects, missed, pos)
    by_unit = dict(zip(facts["responsible_unit"], facts["fact"]))
    a = by_unit["市住建局"]
    # the red pace warning is stated with the figures once, in 万元 and 亿元; the blue one is not stated
    assert a == ("雄关大道改造（政府投资项目）：红色预警。年度计划投资10,000.0万元（1.00亿元），"
                 "截至2023年9月累计完成4,000.0万元（0.40亿元），完成率40.0%，序时进度76.5%，落后36.5个百分点。")
    # missed target: 3,000 planned, 2,400 done: 80.0 %, short by 600 = 0.06亿元
    assert by_unit["市教育局"] == ("政府投资项目2023年三季度计划完成投资3,000.0万元（0.30亿元），"
                                   "实际完成2,400.0万元（0.24亿元），完成率80.0%，差600.0万元（0.06亿元），未完成季度投资目标。")


def test_priority_support_needs_every_project_on_pace_and_more_than_the_pace_in_total():
    projects, memberships, progress, alerts, missed = _inputs()
    pos = positions(projects, memberships, progress, AS_OF, PROFILE)
    units = supervision.priority_support_units(pos, alerts, missed)
    got = {r["responsible_unit"]: r for r in units.iter_rows(named=True)}
    assert [u for u, r in got.items() if r["qualifies"]] == ["市文旅局"]
    # 文旅: C counted once, from the government list (earlier in precedence): 900 of 765 due = 117.6 %
    c = got["市文旅局"]
    assert (c["projects"], c["projects_on_pace"]) == (1, 1)
    assert c["completed_ytd_wan"] == 900.0 and abs(c["planned_to_date_wan"] - 765.0) < 1e-9
    assert "117.6%" in c["basis"] and "年度计划完成率90.0%" in c["basis"]
    # 住建: A behind and red; 教育: on pace but a missed quarter; 水务: 700 < 765
    assert (got["市住建局"]["projects_on_pace"], got["市住建局"]["red_projects"]) == (1, 1)
    assert got["市教育局"]["missed_targets"] == 1 and got["市教育局"]["projects_on_pace"] == 1
    assert got["市水务局"]["projects_on_pace"] == 0
    assert units["responsible_unit"][0] == "市文旅局"  # qualifying units first


def test_a_project_behind_on_one_of_its_lists_is_not_on_pace():
    projects, memberships, progress, _, _ = _inputs()
    # C's industrial figure drops to 700 (< 765): its unit no longer qualifies
    progress = progress.with_columns(
        pl.when((pl.col("project_id") == "C") & (pl.col("list") == "industrial")).then(700.0)
        .otherwise(pl.col("completed_ytd_wan")).alias("completed_ytd_wan"))
    pos = positions(projects, memberships, progress, AS_OF, PROFILE)
    units = supervision.priority_support_units(pos)
    assert not units.filter(pl.col("responsible_unit") == "市文旅局")["qualifies"].item()


def test_without_positions_the_reasons_are_stated_as_written():
    projects, _, _, alerts, _ = _inputs()
    (fact,) = supervision.reminder_facts(alerts, projects)["fact"].to_list()
    assert fact == ("雄关大道改造（政府投资项目）：红色预警，截至2023年9月累计完成投资4,000.0万元，"
                    "占年度计划10,000.0万元的40.0%，序时进度76.5%，落后36.5个百分点。")


def test_no_missed_targets_and_no_alerts_are_fine():
    projects, memberships, progress, _, _ = _inputs()
    empty_alerts = schema.empty(schema.ALERTS)
    assert supervision.reminder_units(empty_alerts, projects, None).is_empty()
    assert supervision.reminder_facts(empty_alerts, projects).is_empty()
    pos = positions(projects, memberships, progress, AS_OF, PROFILE)
    assert supervision.priority_support_units(pos, empty_alerts, None).height == 4
