"""The calculations that used to hide in quarterly.py, now pure functions of their modules."""

from __future__ import annotations

import polars as pl

from jygproj import alerts, completion, factors, growth, supervision


def _comp(rows):
    return pl.DataFrame(rows, schema={"list": pl.String, "nature": pl.String, "period": pl.String,
                                      "annual_plan_wan": pl.Float64, "completed_wan": pl.Float64})


def test_city_annual_rate_is_completed_over_the_citys_annual_plan():
    comp = _comp([
        {"list": "city", "nature": None, "period": "YTD", "annual_plan_wan": 1000.0, "completed_wan": 450.0},
        {"list": "government", "nature": None, "period": "YTD", "annual_plan_wan": 999.0, "completed_wan": 1.0},
    ])
    assert completion.city_annual_plan_wan(comp) == 1000.0
    assert completion.city_annual_rate_pct(comp) == 45.0  # 450 / 1000
    assert completion.city_annual_rate_pct(comp.filter(pl.col("list") != "city")) is None


def test_s_curve_spreads_the_annual_plan_by_the_profile_and_reads_the_ledger():
    profile = {m: 1 / 12 for m in range(1, 13)}
    comp = _comp([{"list": "city", "nature": None, "period": "YTD", "annual_plan_wan": 1200.0,
                   "completed_wan": 0.0}])
    monthly = pl.DataFrame({"project_id": ["a", "a", "b"], "year": [2023] * 3, "month": [2, 3, 3],
                            "completed_ytd_wan": [10.0, 30.0, 5.0]},
                           schema={"project_id": pl.String, "year": pl.Int32, "month": pl.Int8,
                                   "completed_ytd_wan": pl.Float64})
    curve = completion.s_curve(comp, monthly, year=2023, as_of_month=3, profile=profile)
    assert curve["planned_cum_wan"].round(6).to_list()[:3] == [100.0, 200.0, 300.0]  # 1200 / 12 a month
    # 1-2月: a 10; 1-3月: a 30 + b 5; no actual after the as-of month
    assert curve["actual_cum_wan"].to_list()[:4] == [None, 10.0, 35.0, None]


def test_growth_readings_spread_the_gap_over_the_months_left():
    summary = {"target_month": 11, "as_of_month": 8, "ytd_cum_wan": 700.0, "projected_target_month_cum_wan": 950.0,
               "level_goal_wan": 1000.0, "rate_goal_wan": 640.0, "level_margin_wan": -50.0, "rate_margin_wan": 310.0,
               "level_extra_total_wan": 50.0, "rate_extra_total_wan": 0.0, "level_met_month": None,
               "rate_met_month": 8}
    level, rate = growth.readings(summary)
    assert (level["gap_wan"], level["remaining_months"], level["needed_per_month_wan"]) == (300.0, 3, 100.0)
    assert rate["gap_wan"] == 0.0  # 700 already above 640
    # past the target month: the goal is compared with the target month's actual, nothing remains
    after = growth.readings(summary | {"as_of_month": 11})
    assert after[0]["actual_cum_wan"] == 950.0 and after[0]["needed_per_month_wan"] is None


def test_warning_counts_by_unit_count_each_project_at_its_worst_level():
    worst = pl.DataFrame({"project_id": ["a", "b", "c"], "level": ["red", "blue", "red"]})
    projects = pl.DataFrame({"project_id": ["a", "b", "c"], "responsible_unit": ["甲", "甲", None]})
    out = alerts.counts_by_unit(worst, projects, "（未填）")
    assert out.row(0, named=True) == {"responsible_unit": "甲", "red_count": 1, "yellow_count": 0,
                                      "blue_count": 1, "total_count": 2}
    assert out["responsible_unit"].to_list() == ["甲", "（未填）"]


def test_category_totals_count_a_project_once_per_category():
    classified = pl.DataFrame({"project_id": ["a", "a", "b"], "category": ["land", "land", "land"],
                               "category_code": ["L", "L", "L"], "category_label": ["用地", "用地", "用地"]})
    assert factors.category_totals(classified)["projects"].to_list() == [2]


def test_missed_quarter_targets_are_closed_quarters_below_plan_on_the_plans_lists_above_the_floor():
    by_unit = pl.DataFrame({
        "responsible_unit": ["甲", "乙", "甲", "丙", "丁"],
        "list": ["leader_package", "leader_package", "city", "government", "leader_package"],
        "nature": [None] * 5, "period": ["Q3"] * 5, "closed": [True] * 5, "projects": [2, 1, 2, 1, 1],
        "plan_wan": [1000.0, 100.0, 100.0, 1000.0, 866.4], "completed_wan": [800.0, 120.0, 10.0, 10.0, 854.4]})
    out = supervision.missed_quarter_targets(by_unit, 3, lists=("provincial_key", "leader_package"),
                                             min_gap_wan=100)
    # the city scope is not a list; 丙's government list has no quarterly target of the plan; 丁 is 12 short
    assert out.drop("project_ids").to_dicts() == [{"responsible_unit": "甲", "list": "leader_package", "quarter": "3",
                                                   "planned_wan": 1000.0, "completed_wan": 800.0, "projects": 2}]
