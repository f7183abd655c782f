"""Monthly curves, the spread of performance, weekly periods and the FAI baseline of the sample."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from jygproj.reference import load_targets
from jygproj.sample import build_sample
from jygproj.sample.baseline import build_baseline
from jygproj.sample.progress import cum_at, weekly_periods


@pytest.fixture(scope="module")
def sample():
    return build_sample(load_targets(2023), seed=2023, as_of="2023-10")


def test_cumulative_never_falls_and_stays_within_total(sample):
    for p in sample.plan.projects:
        cum = sample.trajectories[p.pid].cum_wan
        assert all(a <= b for a, b in zip(cum, cum[1:])), p.name
        assert cum[12] <= p.total_wan


def test_seasonal_curve_little_in_winter_most_april_to_october(sample):
    cum = [sum(t.cum_wan[m] for t in sample.trajectories.values()) for m in range(13)]
    # January–February carry a few percent of the year's work; April–October the bulk
    assert cum[2] / cum[12] < 0.05
    assert (cum[10] - cum[3]) / cum[12] > 0.70


def test_spread_of_performance(sample):
    cats = Counter(t.category for t in sample.trajectories.values())
    started_or_due = sum(v for k, v in cats.items() if k != "preparatory")
    assert cats["on_pace"] / started_or_due > 0.5  # most on pace
    assert cats["behind"] >= 10 and cats["worse"] >= 5 and cats["ahead"] >= 3
    assert 1 <= cats["not_started"] <= 8  # a few new projects not started
    assert cats["preparatory"] == 13 + 12 + 1
    # behind ones really are behind the time-elapsed plan at the end of October
    for p in sample.plan.projects:
        t = sample.trajectories[p.pid]
        if t.category == "worse" and t.plan_cum_wan[10] > 0:
            assert t.cum_wan[10] < 0.8 * t.plan_cum_wan[10], p.name
        if t.category in ("preparatory", "not_started"):
            assert t.cum_wan[10] == 0 and t.start is None


def test_continuing_projects_resume_in_spring_and_new_ones_start_after_planning(sample):
    for p in sample.plan.projects:
        t = sample.trajectories[p.pid]
        if p.nature == "续建" and t.start:
            assert dt.date(2023, 2, 1) <= t.start <= dt.date(2023, 4, 30)
        if p.nature == "新建" and t.start and t.category != "ahead":
            assert t.start.strftime("%Y-%m") >= p.planned_start


def test_correction_replaces_three_figures(sample):
    month, wrong = sample.correction
    assert month == 8 and len(wrong) == 3
    assert all(sample.trajectories[pid].cum_wan[month] != v for pid, v in wrong.items())


def test_last_weeks_of_october_are_iso_weeks_42_to_44():
    weeks = weekly_periods(2023, 10)
    assert [w for w, _, _ in weeks] == [42, 43, 44]
    assert weeks[1][1:] == (dt.date(2023, 10, 23), dt.date(2023, 10, 29))


def test_weekly_figures_sit_between_month_ends(sample):
    t = next(t for t in sample.trajectories.values() if t.cum_wan[10] > t.cum_wan[9])
    assert t.cum_wan[9] <= cum_at(t, dt.date(2023, 10, 22)) <= t.cum_wan[10]
    assert cum_at(t, dt.date(2023, 10, 31)) == t.cum_wan[10]


def test_baseline_makes_the_goal_reachable_but_not_certain(sample):
    rows = {r.month: r for r in sample.baseline if r.year == 2023}
    assert 10.0 <= rows[10].growth_pct <= 11.5  # January–October, below 12
    assert rows[11].current_cum_wan is None  # not yet published
    # November alone must grow far more than 12% for January–November to reach 12%
    need = 1.12 * rows[11].prior_cum_wan - rows[10].current_cum_wan
    november_growth = need / (rows[11].prior_cum_wan - rows[10].prior_cum_wan) - 1
    assert 0.12 < november_growth < 0.35


def test_baseline_is_at_the_citys_scale_and_the_lists_exceed_it(sample):
    # issue 14: Jiayuguan's whole-year FAI is of the order of 100亿 (2020 1-6月 35.68亿; 2023 1-9月
    # industrial FAI 68.1亿 at two thirds of the city's), and its lists plan more than the year's FAI
    # (2024: 173.1亿 planned, 1-6月 FAI 55.4亿) — the old sample had 220.86亿 for 2022
    rows = {(r.year, r.month): r for r in sample.baseline}
    assert 900_000 <= rows[(2023, 12)].prior_cum_wan <= 1_200_000
    listed = sum(p.annual_wan for p in sample.plan.projects)  # each project once: 188亿
    assert listed > 1.12 * rows[(2023, 12)].prior_cum_wan
    # and what they report by October exceeds the city's statistical FAI (调度数 > 统计数)
    assert sample.fai.listed_reported_wan[10] > rows[(2023, 10)].current_cum_wan


def test_baseline_has_two_past_years_before_2023(sample):
    years = sorted({r.year for r in sample.baseline})
    assert years == [2021, 2022, 2023]
    for year in (2021, 2022):  # every month published: comparable base, level and rate
        rows = [r for r in sample.baseline if r.year == year]
        assert [r.month for r in rows] == list(range(2, 13))
        assert all(r.current_cum_wan is not None and r.growth_pct is not None for r in rows)
    # the comparable base of a year is a little below the prior year's published level (可比口径)
    p2022 = {r.month: r.current_cum_wan for r in sample.baseline if r.year == 2022}
    b2023 = {r.month: r.prior_cum_wan for r in sample.baseline if r.year == 2023}
    assert all(0.95 < b2023[m] / p2022[m] < 1.0 for m in range(2, 13))


def test_baseline_current_year_only_up_to_as_of(sample):
    rows = [r for r in build_baseline(sample.fai, as_of_month=6) if r.year == 2023]
    assert [r.month for r in rows if r.growth_pct is not None] == [2, 3, 4, 5, 6]
    # comparable base × (1 + growth) = current level
    r = rows[0]
    assert r.current_cum_wan == round(r.prior_cum_wan * (1 + r.growth_pct / 100))


def test_registration_and_statistical_share(sample):
    reg = sample.registration
    started = [p for p in sample.plan.projects if sample.trajectories[p.pid].start is not None]
    # every continuing project registered before 2023 or early in it; some started projects not registered
    assert all(reg[p.pid].registered_on is not None for p in started if p.nature == "续建")
    assert any(reg[p.pid].registered_on is None for p in started)
    assert all(r.registered_on is None for p in sample.plan.projects
               for r in [reg[p.pid]] if sample.trajectories[p.pid].start is None and p.nature != "续建")
    assert all(0.45 <= r.stat_ratio <= 0.85 for r in reg.values())
    # the 2023 statistics: listed statistical FAI + other FAI = the published level (before rounding)
    m = 10
    raw = sample.fai.listed_statistical_wan[m] + sample.fai.other_wan[m]
    assert abs(raw - sample.fai.published_wan[2023][m]) < 0.001 * raw


def test_reserve_pool_covers_domains_channels_and_tiers(sample):
    res = sample.reserve
    assert len(res) == 60
    assert {"交通", "能源", "水利", "冷链物流", "社会事业", "生态环保", "乡村振兴"} <= {r.domain for r in res}
    assert {"中央预算内投资", "专项债券", "政策性开发性金融工具", "企业自筹"} <= {r.channel for r in res}
    assert {r.tier for r in res} == {"5年储备", "3年滚动", "1年实施"}
    words = ("已完成", "已办结", "已取得", "办理中", "在办", "未启动", "未办理", "不涉及", "无需")
    assert all(any(v.startswith(w) for w in words) for r in res for v in r.steps.values())
