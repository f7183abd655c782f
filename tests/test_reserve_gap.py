"""The gap to next year (二(六) with 一 工作目标), recomputed by hand.

Seasonal profile (data/reference/seasonal_profile.yaml), % per month 1..12:
1.0 1.5 4 8 11 13 13 13 12 11 8 4.5 — so a project starting in April delivers 100 − 6.5 = 93.5 % of
its first-year investment in the calendar year, one starting in July 100 − 38.5 = 61.5 %.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from jygproj.plan import load_plan
from jygproj.reference import load_seasonal_profile
from jygproj.reserve import (
    GapInputs,
    continuing_next_year_wan,
    gap_by_month,
    gap_summary,
    load_gap_assumptions,
    next_year_contribution,
    push_plan,
    share_from,
)

PLAN = load_plan(2023)
PROFILE = load_seasonal_profile()


def ready_frame() -> pl.DataFrame:
    """Three projects as readiness() returns them (only the columns the gap uses)."""
    return pl.DataFrame({
        "project_id": ["NOW", "APR", "JUL", "LATE"],
        "name": ["已具备", "四月开工", "七月开工", "后年开工"],
        "domain": ["交通"] * 4,
        "funding_channel": ["专项债券"] * 4,
        "stage_label": ["具备开工条件", "要件办理阶段", "立项阶段", "谋划阶段"],
        "first_year_wan": [10_000.0, 20_000.0, 30_000.0, 50_000.0],
        "remaining_months": [0.0, 4.0, 6.5, 20.0],
        "start_month": [dt.date(2023, 12, 1), dt.date(2024, 4, 1), dt.date(2024, 7, 1), dt.date(2025, 8, 1)],
        "blocking_step_label": [None, "用地预审与选址", "立项", "立项"],
        "blocking_owner": [None, "市自然资源局", "市发展改革委", "市发展改革委"],
        "remaining_steps": [None, "用地预审与选址", "立项（办理中）", "立项"],
    })


INPUTS = GapInputs(
    next_year=2024,
    projected_outturn_wan=2_000_000.0,  # 200亿 this year
    target_growth=0.12,
    continuing_next_year_wan=1_500_000.0,
    other_fai_next_year_wan=600_000.0,
)


def test_needed_new_start_investment_by_hand():
    # 2,000,000 × 1.12 = 2,240,000; − 1,500,000 − 600,000 = 140,000 万元 (14亿) from new starts
    assert INPUTS.required_total_wan == pytest.approx(2_240_000.0)
    assert INPUTS.needed_new_start_wan == pytest.approx(140_000.0)


def test_share_from_start_month():
    assert share_from(1, PROFILE) == pytest.approx(1.0)
    assert share_from(4, PROFILE) == pytest.approx(0.935)
    assert share_from(7, PROFILE) == pytest.approx(0.615)
    assert share_from(13, PROFILE) == 0.0


def test_gap_summary_recomputed_by_hand():
    s = gap_summary(ready_frame(), INPUTS, PROFILE)
    # NOW starts in January (no earlier than next year): 10,000 × 100 %  = 10,000
    # APR: 20,000 × 93.5 % = 18,700;  JUL: 30,000 × 61.5 % = 18,450;  LATE (2026): 0
    # reserve delivers 47,150; shortfall 140,000 − 47,150 = 92,850 万元
    assert s["reserve_next_year_wan"] == pytest.approx(47_150.0)
    assert s["shortfall_wan"] == pytest.approx(92_850.0)
    assert s["margin_wan"] == 0.0
    assert s["projects_starting_next_year"] == 3
    assert s["projects_starting_in_january"] == 1
    assert s["first_year_wan_starting_next_year"] == pytest.approx(60_000.0)
    assert s["needed_new_start_wan"] == pytest.approx(140_000.0)
    contrib = next_year_contribution(ready_frame(), 2024, PROFILE)
    assert contrib["next_year_start"].to_list() == [1, 4, 7, 13]


def test_margin_when_the_reserve_is_more_than_enough():
    rich = GapInputs(2024, 1_000_000.0, 0.12, 800_000.0, 300_000.0)  # needs 1,120,000 − 1,100,000 = 20,000
    s = gap_summary(ready_frame(), rich, PROFILE)
    assert s["shortfall_wan"] == 0.0 and s["margin_wan"] == pytest.approx(47_150.0 - 20_000.0)


def test_gap_month_by_month():
    g = gap_by_month(ready_frame(), INPUTS, PROFILE)
    assert g.height == 12
    jan, apr, dec = (g.row(i, named=True) for i in (0, 3, 11))
    # January: needed 140,000 × 1 % = 1,400; NOW delivers 10,000 × 1 % = 100
    assert jan["needed_cum_wan"] == pytest.approx(1_400.0) and jan["reserve_cum_wan"] == pytest.approx(100.0)
    # By April: NOW 10,000 × 14.5 % = 1,450; APR 20,000 × 8 % = 1,600 → 3,050; 2 projects can start
    assert apr["reserve_cum_wan"] == pytest.approx(3_050.0)
    assert (apr["starts"], apr["starts_cum"]) == (1, 2)
    assert apr["ready_first_year_cum_wan"] == pytest.approx(30_000.0)
    # December closes on the summary's figures
    assert dec["reserve_cum_wan"] == pytest.approx(47_150.0)
    assert dec["gap_cum_wan"] == pytest.approx(92_850.0)


def test_push_plan_greedy_by_first_year_investment_per_month_of_remaining_work():
    plan = push_plan(ready_frame(), INPUTS, PROFILE, "2023-11", shortfall_wan=10_000.0, push_speedup=0.5)
    # Ranking by first-year ÷ remaining months: APR 20,000/4 = 5,000; JUL 30,000/6.5 = 4,615;
    # LATE 50,000/20 = 2,500. NOW is ready (not a candidate).
    assert plan["project_id"].to_list() == ["APR", "JUL", "LATE"]
    apr, jul, late = (plan.row(i, named=True) for i in range(3))
    # APR: 4 × 0.5 = 2 months → ready 2024-01, start 2024-02: 20,000 × 99 % = 19,800, gain 1,100
    assert apr["pushed_start_month"] == dt.date(2024, 2, 1)
    assert apr["gain_wan"] == pytest.approx(1_100.0)
    # JUL: 6.5 × 0.5 = 3.25 → 4 months → ready 2024-03, start 2024-04: 30,000 × 93.5 % = 28,050, gain 9,600
    assert jul["gain_wan"] == pytest.approx(9_600.0)
    # LATE: 20 × 0.5 = 10 months → ready 2024-09, start 2024-10: 50,000 × 23.5 % = 11,750 gained
    assert late["pushed_start_month"] == dt.date(2024, 10, 1)
    assert late["gain_wan"] == pytest.approx(11_750.0)
    # Running total 1,100 then 10,700 ≥ 10,000: APR and JUL selected, the rest not.
    assert jul["cum_gain_wan"] == pytest.approx(10_700.0)
    assert [r["selected"] for r in plan.iter_rows(named=True)] == [True, True, False]


def test_push_plan_leaves_out_projects_a_push_cannot_bring_into_next_year():
    frame = ready_frame().with_columns(
        remaining_months=pl.Series([0.0, 4.0, 6.5, 40.0]),
        start_month=pl.Series([dt.date(2023, 12, 1), dt.date(2024, 4, 1), dt.date(2024, 7, 1),
                               dt.date(2027, 4, 1)]),
    )
    # LATE: 40 × 0.5 = 20 months → start 2025-08: nothing next year, not a candidate.
    plan = push_plan(frame, INPUTS, PROFILE, "2023-11", shortfall_wan=1e9)
    assert plan["project_id"].to_list() == ["APR", "JUL"]
    assert plan["selected"].all()  # shortfall never covered: everyone who helps is selected
    with pytest.raises(ValueError, match="bad_parameter"):
        push_plan(frame, INPUTS, PROFILE, "2023-11", 1.0, push_speedup=1.0)


def test_continuing_estimate_from_this_years_projects():
    projects = pl.DataFrame({"total_investment_wan": [100_000.0, 50_000.0, 8_000.0, 45_000.0],
                             "annual_plan_wan": [30_000.0, 50_000.0, 10_000.0, 25_000.0]})
    # next year each keeps this year's plan, capped by what is left (total − plan, not below 0):
    # min(70,000, 30,000) + min(0, 50,000) + 0 + min(20,000, 25,000) = 50,000; × 0.8 = 40,000
    assert continuing_next_year_wan(projects) == pytest.approx(50_000.0)
    assert continuing_next_year_wan(projects, 0.8) == pytest.approx(40_000.0)


def test_gap_assumptions_carry_source_and_quality():
    a = load_gap_assumptions(plan=PLAN)
    assert a["target_growth"].value == 0.12
    assert all(x.source and x.quality for x in a.values())


def test_gap_inputs_from_parameters_and_the_assumptions_log():
    from types import SimpleNamespace

    from jygproj.reserve.wiring import gap_inputs

    ds = SimpleNamespace(projects=pl.DataFrame({"total_investment_wan": [100_000.0, 60_000.0],
                                                "annual_plan_wan": [30_000.0, 40_000.0]}))
    inputs, log = gap_inputs(ds, review="2023-11", as_of="2023-10", profile=PROFILE,
                             assumptions=load_gap_assumptions(plan=PLAN), goal=PLAN.goal,
                             projected_outturn_wan=500_000.0)
    # continuing: min(70,000, 30,000) + min(20,000, 40,000) = 50,000 × intensity 1 × realisation 1
    assert inputs.continuing_next_year_wan == pytest.approx(50_000.0)
    # other FAI: outturn − this year's listed plans = 500,000 − 70,000 = 430,000, × (1 + 0)
    assert inputs.other_fai_next_year_wan == pytest.approx(430_000.0)
    # needed: 500,000 × 1.12 − 50,000 − 430,000 = 80,000
    assert inputs.needed_new_start_wan == pytest.approx(80_000.0)
    assert inputs.next_year == 2024
    assert log["item"].to_list()[:2] == ["次年投资增长目标", "本年固定资产投资预计完成"]
    assert log.filter(pl.col("item") == "本年固定资产投资预计完成")["quality"].item() == "给定"
    given, _ = gap_inputs(ds, review="2023-11", as_of=None, profile=PROFILE, assumptions=load_gap_assumptions(plan=PLAN), goal=PLAN.goal,
                          target_growth=0.1, projected_outturn_wan=500_000.0,
                          continuing_next_year_wan_given=200_000.0, other_fai_next_year_wan=250_000.0)
    assert given.needed_new_start_wan == pytest.approx(500_000.0 * 1.1 - 200_000.0 - 250_000.0)
