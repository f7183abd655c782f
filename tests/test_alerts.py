"""Warnings 红黄蓝预警: each rule on a small inline case, figures worked out by hand."""

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from jygproj.plan import load_plan
from jygproj import alerts, schema
from jygproj.reference import ReferenceDataError, load_seasonal_profile

PROFILE = load_seasonal_profile()  # cumulative: Sept 76.5 %, Oct 87.5 %, June 38.5 %
PLAN = load_plan(2023)
RULES = alerts.load_rules(plan=PLAN)
SEP30, OCT31, NOV30 = date(2023, 9, 30), date(2023, 10, 31), date(2023, 11, 30)


def frames(members, reports):
    """members: (project_id, list, nature, annual_plan_wan, planned_start); reports: dicts."""
    projects = schema.conform(pl.DataFrame({
        "project_id": [m[0] for m in members],
        "name": [f"项目{m[0]}" for m in members],
        "responsible_unit": ["市住建局"] * len(members),
    }).unique("project_id", maintain_order=True), schema.PROJECTS)
    memberships = schema.conform(pl.DataFrame(
        [dict(project_id=m[0], list=m[1], nature=m[2], annual_plan_wan=m[3], planned_start=m[4]) for m in members],
        schema={"project_id": pl.String, "list": pl.String, "nature": pl.String,
                "annual_plan_wan": pl.Float64, "planned_start": pl.Date},
    ), schema.MEMBERSHIPS)
    progress = schema.conform(pl.DataFrame(reports, schema_overrides={
        "period_end": pl.Date, "reported_at": pl.Date, "start_date": pl.Date}), schema.PROGRESS) \
        if reports else schema.empty(schema.PROGRESS)
    return projects, memberships, progress


def report(pid, lst, period, end, done, reported=None, **kw):
    row = dict(project_id=pid, list=lst, period=period, period_end=end, completed_ytd_wan=done,
               reported_at=reported or end, revision=0, started=True, resumed=True,
               start_date=date(2022, 5, 1))
    row.update(kw)
    return row


def run(members, reports, as_of, rules=RULES):
    return alerts.evaluate(*frames(members, reports), as_of, rules, PROFILE)


# --- pace ------------------------------------------------------------------------------------------


def test_project_25_points_behind_pace_is_yellow_and_the_reason_names_both_percentages():
    # annual plan 10,000; 1-9月 done 5,150 = 51.5 %; pace by end of September 76.5 %; 25.0 pp behind
    out = run([("A", "industrial", "continuing", 10_000.0, None)],
              [report("A", "industrial", "2023-09", SEP30, 5_150.0)], SEP30)
    # the August report (due 09-10) is also missing: a second, separate warning
    assert sorted(out["rule_id"]) == ["pace_behind", "report_late"]
    out = out.filter(pl.col("rule_id") == "pace_behind")
    row = out.row(0, named=True)
    assert (row["level"], row["rule_id"], row["period"]) == ("yellow", "pace_behind", "2023-09")
    assert "51.5%" in row["reason"] and "76.5%" in row["reason"] and "25.0个百分点" in row["reason"]
    assert "5150万元" in row["reason"] and "1.00亿元" in row["reason"]
    assert row["evaluated_on"] == SEP30
    assert out.schema == pl.Schema(schema.ALERTS)


@pytest.mark.parametrize("done, level", [
    (4_000.0, "red"),      # 40.0 % -> 36.5 pp behind (> 30)
    (7_000.0, "blue"),     # 70.0 % -> 6.5 pp behind (5..10)
    (6_650.0, "blue"),     # 66.5 % -> exactly 10.0 pp: not above 10, still blue
    (8_000.0, None),       # 80.0 % -> ahead of pace
])
def test_pace_bands(done, level):
    out = run([("A", "government", "continuing", 10_000.0, None)],
              [report("A", "government", "2023-09", SEP30, done)], SEP30)
    out = out.filter(pl.col("rule_id") == "pace_behind")
    assert (out["level"].cast(pl.String).to_list() or [None]) == [level]


def test_new_project_pace_runs_from_its_planned_start_month():
    # planned start July, started. Pace by end of September from July: (76.5-38.5)/(100-38.5)
    # = 38/61.5 = 61.8 %. Done 3,000 of 10,000 = 30 % -> 31.8 pp behind -> red.
    # Measured against the whole year (76.5 %) it would be 46.5 pp; the reason shows 61.8 %.
    out = run([("N", "industrial", "new", 10_000.0, date(2023, 7, 1))],
              [report("N", "industrial", "2023-09", SEP30, 3_000.0, start_date=date(2023, 7, 10))], SEP30)
    row = out.filter(pl.col("rule_id") == "pace_behind").row(0, named=True)
    assert row["level"] == "red" and "61.8%" in row["reason"] and "31.8个百分点" in row["reason"]


# --- starts and resumption -------------------------------------------------------------------------


@pytest.mark.parametrize("as_of, level, months", [
    (date(2023, 7, 15), "blue", "0.5"),    # 15/31 of July after the end of June
    (SEP30, "yellow", "3.0"),              # July, August, September: 3.0, not above 3
    (OCT31, "red", "4.0"),
    (date(2023, 6, 30), None, None),       # still the planned month
])
def test_start_lateness_escalates_blue_yellow_red(as_of, level, months):
    out = run([("S", "government", "new", 5_000.0, date(2023, 6, 1))],
              [report("S", "government", "2023-W26", date(2023, 7, 2), 0.0, started=False, start_date=None)],
              as_of)
    out = out.filter(pl.col("rule_id") == "start_late")
    if level is None:
        assert out.is_empty()
    else:
        row = out.row(0, named=True)
        assert row["level"] == level and f"已逾期{months}个月" in row["reason"] and "2023年6月开工" in row["reason"]


def test_started_project_gets_no_start_warning():
    out = run([("S", "government", "new", 5_000.0, date(2023, 6, 1))],
              [report("S", "government", "2023-09", SEP30, 4_000.0, start_date=date(2023, 8, 20))], SEP30)
    assert out.filter(pl.col("rule_id") == "start_late").is_empty()


def test_continuing_project_not_resumed_after_march_is_flagged():
    # deadline end of March; as of 30 September: 6.0 months -> red
    out = run([("C", "industrial", "continuing", 1_000.0, None)],
              [report("C", "industrial", "2023-09", SEP30, 0.0, resumed=False)], SEP30)
    row = out.filter(pl.col("rule_id") == "resume_late").row(0, named=True)
    assert row["level"] == "red" and "6.0个月" in row["reason"]


def test_investment_this_year_counts_as_resumed_when_the_table_has_no_resumption_column():
    out = run([("C", "government", "continuing", 1_000.0, None)],
              [report("C", "government", "2023-09", SEP30, 900.0, resumed=None)], SEP30)
    assert out.filter(pl.col("rule_id") == "resume_late").is_empty()


# --- reports ---------------------------------------------------------------------------------------


def test_key_project_october_report_dated_7_november_is_late_and_a_missing_one_is_flagged():
    # 二(八): key projects report by the 5th; October ends 10-31, due 11-05; filed 11-07 = 2 days late
    members = [(p, "provincial_key", "continuing", 20_000.0, None) for p in ("K1", "K2", "K3")]
    reports = [
        report("K1", "provincial_key", "2023-10", OCT31, 18_000.0, reported=date(2023, 11, 7)),
        report("K2", "provincial_key", "2023-10", OCT31, 18_000.0, reported=date(2023, 11, 5)),  # on time
        report("K3", "provincial_key", "2023-09", SEP30, 16_000.0),  # nothing for October
    ]
    out = run(members, reports, NOV30).filter(pl.col("rule_id") == "report_late")
    got = {r["project_id"]: r for r in out.iter_rows(named=True)}
    assert set(got) == {"K1", "K3"}
    assert got["K1"]["level"] == "blue" and got["K1"]["period"] == "2023-10"
    assert "2023年11月5日前" in got["K1"]["reason"] and "2023年11月7日" in got["K1"]["reason"]
    assert "迟报2天" in got["K1"]["reason"]
    assert got["K3"]["level"] == "yellow" and "未报送" in got["K3"]["reason"]


def test_report_not_yet_due_is_not_missing():
    # as of 5 November the October report is still due today: September is the period checked
    members = [("K", "provincial_key", "continuing", 20_000.0, None)]
    reports = [report("K", "provincial_key", "2023-09", SEP30, 16_000.0, reported=date(2023, 10, 4))]
    out = run(members, reports, date(2023, 11, 5)).filter(pl.col("rule_id") == "report_late")
    assert out.is_empty()


def test_weekly_due_periods_are_iso_weeks():
    # as of Wednesday 2023-11-08, due 2 days after Sunday: week 44 (ends Sunday 11-05, due 11-07)
    assert alerts.due_periods("weekly", 2, date(2023, 11, 8), 2) == [
        ("2023-W44", date(2023, 11, 5), date(2023, 11, 7)),
        ("2023-W43", date(2023, 10, 29), date(2023, 10, 31)),
    ]
    assert alerts.due_periods("monthly", 5, date(2023, 11, 6))[0] == ("2023-10", OCT31, date(2023, 11, 5))


# --- cumulative figures ------------------------------------------------------------------------------


def test_cumulative_figure_falling_from_5000_to_4800_is_flagged():
    members = [("F", "industrial", "continuing", 8_000.0, None)]
    reports = [report("F", "industrial", "2023-09", SEP30, 5_000.0),
               report("F", "industrial", "2023-10", OCT31, 4_800.0)]
    out = run(members, reports, OCT31).filter(pl.col("rule_id") == "cumulative_fall")
    row = out.row(0, named=True)
    assert row["level"] == "yellow" and row["period"] == "2023-10"
    assert "4800万元" in row["reason"] and "5000万元" in row["reason"] and "减少200万元" in row["reason"]


def test_a_corrected_revision_clears_the_fall_and_january_restarts_the_sum():
    members = [("F", "industrial", "continuing", 8_000.0, None)]
    reports = [report("F", "industrial", "2023-09", SEP30, 5_000.0),
               report("F", "industrial", "2023-10", OCT31, 4_800.0),
               report("F", "industrial", "2023-10", OCT31, 5_300.0, reported=date(2023, 11, 3), revision=1),
               report("F", "industrial", "2022-12", date(2022, 12, 31), 9_000.0)]
    # as of 1 November only the wrong figure was known; by 30 November the correction
    assert run(members, reports, date(2023, 11, 1)).filter(pl.col("rule_id") == "cumulative_fall").height == 1
    assert run(members, reports, NOV30).filter(pl.col("rule_id") == "cumulative_fall").is_empty()


# --- summaries ---------------------------------------------------------------------------------------


def _alerts(rows):
    return schema.conform(pl.DataFrame(rows, schema=["project_id", "list", "level", "rule_id", "reason"],
                                       orient="row"), schema.ALERTS)


def test_worst_level_per_project_keeps_the_most_severe():
    a = _alerts([("A", "government", "blue", "report_late", "迟报"),
                 ("A", "industrial", "red", "pace_behind", "落后"),
                 ("B", "government", "yellow", "start_late", "未开工")])
    worst = alerts.worst_level_per_project(a)
    assert dict(zip(worst["project_id"], worst["level"].cast(pl.String))) == {"A": "red", "B": "yellow"}
    assert worst.filter(pl.col("project_id") == "A")["alert_count"].item() == 2
    assert alerts.level_counts(a) == {"blue": 0, "yellow": 1, "red": 1}


def test_level_movements_against_last_quarter():
    before = _alerts([("A", "government", "yellow", "r", ""), ("B", "government", "red", "r", ""),
                      ("C", "government", "blue", "r", ""), ("E", "government", "red", "r", "")])
    now = _alerts([("A", "government", "red", "r", ""), ("B", "government", "yellow", "r", ""),
                   ("D", "government", "blue", "r", ""), ("E", "industrial", "red", "r", "")])
    moves = alerts.level_movements(now, before)
    assert dict(zip(moves["project_id"], moves["movement"])) == {
        "A": "up", "B": "down", "C": "cleared", "D": "new", "E": "unchanged"}
    assert moves.filter(pl.col("project_id") == "A")["movement_label"].item() == "升级"
    counts = alerts.movement_counts(moves)
    assert counts["projects"].sum() == 5
    row = counts.filter((pl.col("from_level") == "yellow") & (pl.col("to_level") == "red"))
    assert row["projects"].item() == 1


def test_evaluate_with_no_hits_returns_an_empty_alerts_frame():
    out = run([("A", "government", "continuing", 10_000.0, None)],
              [report("A", "government", "2023-09", SEP30, 9_000.0)], SEP30)
    assert out.filter(pl.col("rule_id") != "report_late").is_empty()
    assert out.schema == pl.Schema(schema.ALERTS)


# --- the rules file -----------------------------------------------------------------------------------


def test_rules_file_loads_with_configurable_labels_and_every_rule_cited():
    assert RULES.label("blue") == "蓝色预警" and RULES.levels["red"].colour == "红"
    assert set(RULES.rules) == {"start_late", "resume_late", "pace_behind", "report_late", "cumulative_fall",
                                "registration_late"}
    assert all(r.clause and r.source for r in RULES.rules.values())
    assert RULES.rules["report_late"].schedules["provincial_key"].due_days_after_period_end == 5


def test_renamed_colours_are_used(tmp_path):
    # a city using 红黄绿 renames the mildest level; the key stays "blue"
    text = Path(RULES.file).read_text(encoding="utf-8").replace("label: 蓝色预警", "label: 绿色预警")
    (tmp_path / "r.yaml").write_text(text, encoding="utf-8")
    assert alerts.load_rules(tmp_path / "r.yaml", plan=PLAN).label("blue") == "绿色预警"


@pytest.mark.parametrize("old, new, code, line_hint", [
    ("      - {level: red, above: 30}\n", "      - {level: red, above: 30}\n      - {level: red, above: 40}\n",
     "bands_not_escalating", None),
    ("    level: yellow\n    tolerance_wan: 0\n", "    level: orange\n    tolerance_wan: 0\n", "unknown_level", None),
    ("    late_level: blue\n", "    late_level: blue\n    late_level: red\n", "duplicate_key", "late_level"),
    ("    kind: pace_gap\n", "    kind: pace_gap\n    threshold: 3\n", "unknown_key", "threshold"),
    ("cadence: monthly, due_days_after_period_end: 10,", "cadence: daily, due_days_after_period_end: 10,",
     "bad_cadence", None),
])
def test_broken_rules_file_is_refused_with_line_and_code(tmp_path, old, new, code, line_hint):
    text = Path(RULES.file).read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "alert_rules.yaml"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ReferenceDataError) as err:
        alerts.load_rules(broken, plan=PLAN)
    assert err.value.code == code
    assert str(broken) in str(err.value)
    if line_hint:
        lines = broken.read_text(encoding="utf-8").splitlines()
        assert line_hint in lines[err.value.line - 1]


def test_weekly_schedule_from_the_rules_file_checks_iso_weeks(tmp_path):
    # switch government to weekly tables, due the Tuesday after the week (2 days)
    text = Path(RULES.file).read_text(encoding="utf-8")
    start = text.index("      government: {cadence: monthly")
    end = text.index("\n", start)
    weekly = text[:start] + "      government: {cadence: weekly, due_days_after_period_end: 2, source: 周调度}" + text[end:]
    (tmp_path / "r.yaml").write_text(weekly, encoding="utf-8")
    rules = alerts.load_rules(tmp_path / "r.yaml", plan=PLAN)
    # as of Wednesday 8 November week 44 (30 Oct–5 Nov) was due Tuesday 7 November; G reported week 43 only
    members = [("G", "government", "continuing", 1_000.0, None), ("H", "government", "continuing", 1_000.0, None)]
    reports = [report("G", "government", "2023-W43", date(2023, 10, 29), 800.0, reported=date(2023, 10, 30)),
               report("H", "government", "2023-W44", date(2023, 11, 5), 820.0, reported=date(2023, 11, 6))]
    out = run(members, reports, date(2023, 11, 8), rules).filter(pl.col("rule_id") == "report_late")
    assert out.select("project_id", "period").rows() == [("G", "2023-W44")]
    assert "2023年第44周调度信息应于2023年11月7日前报送" in out["reason"].item()


def test_rules_table_states_every_threshold_in_chinese():
    table = alerts.rules_table(RULES)
    by = dict(zip(table["rule_id"], table["thresholds"]))
    assert by["start_late"] == "蓝色预警：超过0个月；黄色预警：超过1个月；红色预警：超过3个月"
    assert by["pace_behind"] == "蓝色预警：超过5个百分点；黄色预警：超过10个百分点；红色预警：超过30个百分点"
    assert "全省重点投资项目月报，期末后5日内" in by["report_late"]
    assert alerts.levels_table(RULES)["label"].to_list() == ["蓝色预警", "黄色预警", "红色预警"]


def test_a_review_in_january_still_assesses_the_year_just_ended():
    # as of 10 January 2024 the latest report is December 2023: pace 100 %, 9,000 of 10,000 = 90 %,
    # 10.0 pp behind -> blue (not above 10); the cumulative figure is not reset by the new year
    members = [("A", "industrial", "continuing", 10_000.0, None)]
    reports = [report("A", "industrial", "2023-12", date(2023, 12, 31), 9_000.0, reported=date(2024, 1, 5))]
    frames_ = frames(members, reports)
    assert alerts.assessment_year(frames_[2], date(2024, 1, 10)) == 2023
    out = alerts.evaluate(*frames_, date(2024, 1, 10), RULES, PROFILE)
    row = out.filter(pl.col("rule_id") == "pace_behind").row(0, named=True)
    assert row["level"] == "blue" and row["period"] == "2023-12" and "序时进度100.0%" in row["reason"]
    assert out.filter(pl.col("rule_id") == "resume_late").is_empty()


# --- issue 13: one alert per project and rule; a project's status is the project's ------------------


def test_one_alert_per_project_and_rule_naming_every_list():
    # 恒丰观澜: planned September on three lists, not started -> one start warning, three lists named
    members = [("G", lst, "new", 17_600.0, date(2023, 9, 1)) for lst in ("provincial_key", "real_estate",
                                                                         "leader_package")]
    reports = [report("G", lst, "2023-10", OCT31, 0.0, started=False, start_date=None)
               for lst in ("provincial_key", "real_estate")]
    out = run(members, reports, date(2023, 11, 10)).filter(pl.col("rule_id") == "start_late")
    assert out.height == 1
    row = out.row(0, named=True)
    assert row["list"] == "provincial_key" and row["lists"] == "provincial_key、real_estate、leader_package"
    assert row["reason"].count("计划2023年9月开工") == 1 and "涉及清单：全省重点投资项目、房地产投资项目、市级领导包抓项目" in row["reason"]


def test_resumption_on_another_list_counts_for_the_package_list():
    """城区燃气老旧管网更新改造（新华街道片区）项目: the package list has no tables; its government table says
    是否开工 = 是, 开工时间 2023-03-13 (government tables write 是, not 已复工): not a resumption warning."""
    members = [("GAS", "leader_package", "continuing", 7_960.0, None),
               ("GAS", "government", "continuing", 6_390.0, None)]
    reports = [report("GAS", "government", f"2023-{m:02d}", ledger_month_end(m), v, resumed=None,
                      start_date=date(2023, 3, 13)) for m, v in ((3, 208.0), (10, 4_379.0))]
    out = run(members, reports, date(2023, 11, 10))
    assert out.filter(pl.col("rule_id") == "resume_late").is_empty()
    # the pace is the project's own plan (6,390 on the government list), never the leader's target
    pace = out.filter(pl.col("rule_id") == "pace_behind")
    assert pace.height <= 1 and all("包抓目标" not in r and "6390万元" in r for r in pace["reason"])


def test_a_key_project_is_late_against_the_plans_date_and_the_others_against_a_practice_month():
    members = [("K", "provincial_key", "continuing", 1_000.0, None), ("I", "industrial", "continuing", 1_000.0, None)]
    reports = [report(p, lst, "2023-09", SEP30, 0.0, resumed=False) for p, lst in (("K", "provincial_key"),
                                                                                  ("I", "industrial"))]
    out = run(members, reports, SEP30).filter(pl.col("rule_id") == "resume_late")
    reasons = dict(zip(out["project_id"], out["reason"]))
    assert "方案要求2023年3月底前复工（二(二)）" in reasons["K"]
    assert "方案未规定复工时限" in reasons["I"] and "参考" in reasons["I"]


def test_weekly_figures_never_stand_in_for_the_months():
    """One cut-off: as of the October review (evaluated 10 November) the October table's 1,000, not
    week 44's 1,100, and never a "month 11" point."""
    members = [("W", "government", "continuing", 2_000.0, None)]
    reports = [report("W", "government", "2023-10", OCT31, 1_000.0),
               report("W", "government", "2023-W44", date(2023, 11, 5), 1_100.0, reported=date(2023, 11, 6))]
    pos = alerts.positions(*frames(members, reports), date(2023, 11, 10), PROFILE)
    assert pos.select("completed_ytd_wan", "period").row(0) == (1_000.0, "2023-10")


def test_the_registration_rule_reads_the_canonical_columns_and_says_when_they_are_absent():
    members = [("R", "industrial", "new", 1_000.0, date(2023, 6, 1)), ("S", "industrial", "new", 1_000.0,
                                                                       date(2023, 6, 1))]
    reports = [report(p, "industrial", "2023-10", OCT31, 500.0, start_date=d) for p, d in
               (("R", date(2023, 8, 20)), ("S", date(2023, 10, 1)))]
    projects, memberships, progress = frames(members, reports)
    assert alerts.evaluate(projects, memberships, progress, date(2023, 11, 10), RULES, PROFILE).filter(
        pl.col("rule_id") == "registration_late").is_empty()
    assert "未评估" in alerts.evaluation_notes(projects, progress, RULES)["registration_late"]
    # the canonical tables always carry the columns: all null (no 是否入库/入库时间 in the workbooks) says nothing
    empty = progress.with_columns(pl.lit(None, pl.Boolean).alias("registered"), pl.lit(None, pl.Date).alias("registered_on"))
    assert alerts.evaluate(projects, memberships, empty, date(2023, 11, 10), RULES, PROFILE).filter(
        pl.col("rule_id") == "registration_late").is_empty()
    assert "未评估" in alerts.evaluation_notes(projects, empty, RULES)["registration_late"]
    # with 是否入库 / 入库时间: R started 20 August, not registered by 10 November: 2.7 months -> red;
    # S started 1 October: 1.3 months -> yellow (Yinchuan: yellow after one month, red after two)
    progress = progress.with_columns(pl.lit(False).alias("registered"), pl.lit(None, pl.Date).alias("registered_on"))
    out = alerts.evaluate(projects, memberships, progress, date(2023, 11, 10), RULES, PROFILE).filter(
        pl.col("rule_id") == "registration_late")
    assert dict(zip(out["project_id"], out["level"].cast(pl.String))) == {"R": "red", "S": "yellow"}
    assert alerts.evaluation_notes(projects, progress, RULES) == {}
    registered = progress.with_columns(pl.lit(date(2023, 9, 1)).alias("registered_on"))
    assert alerts.evaluate(projects, memberships, registered, date(2023, 11, 10), RULES, PROFILE).filter(
        pl.col("rule_id") == "registration_late").is_empty()


def test_a_new_project_not_started_is_late_not_behind_pace():
    members = [("N", "real_estate", "new", 17_600.0, date(2023, 9, 1))]
    reports = [report("N", "real_estate", "2023-10", OCT31, 0.0, started=False, start_date=None)]
    out = run(members, reports, date(2023, 11, 10))
    assert set(out["rule_id"]) - {"report_late"} == {"start_late"}


def ledger_month_end(month):
    from jygproj.ledger import month_end

    return month_end(2023, month)
