"""The sample's lists reconcile EXACTLY with the plan (嘉政办发〔2023〕39号 二(一)…二(五)), per list and
construction nature, in integer 万元 (1亿元 = 10,000万元)."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from jygproj.reference import load_targets
from jygproj.sample.alloc import apportion, apportion_capped
from jygproj.sample.plan import build_plan


@pytest.fixture(scope="module")
def plan():
    return build_plan(load_targets(2023), seed=2023)


def totals(plan, list_key, nature):
    ps = [p for p in plan.on(list_key) if p.nature == nature]
    return len(ps), sum(p.total_wan for p in ps), sum(p.annual_wan for p in ps)


def test_apportion_adds_up_exactly_and_keeps_zeros():
    # 100 split 1:1:1 in steps of 1 → 34, 33, 33 (largest remainder, ties to the first)
    assert apportion([1, 1, 1], 100) == [34, 33, 33]
    assert apportion([0, 2, 1], 300, unit=100) == [0, 200, 100]
    # caps: 10 split 9:1 with the first capped at 6 → 6 and 4
    assert apportion_capped([9, 1], [6, 10], 10) == [6, 4]


def test_provincial_major_named_projects_and_annual_targets(plan):
    t = load_targets(2023)
    major = plan.on("provincial_major")
    assert [p.name for p in major if p.nature == "续建"] == list(t.named["provincial_major_continuing"].names)
    assert [p.name for p in major if p.nature == "新建"] == list(t.named["provincial_major_new"].names)
    # 二(一): 6 continuing, 35.4亿 (37.6 stretch); 4 new, 20亿 (20.8 stretch)
    assert totals(plan, "provincial_major", "续建")[::2] == (6, 354_000)
    assert totals(plan, "provincial_major", "新建")[::2] == (4, 200_000)
    assert sum(p.stretch_wan for p in major if p.nature == "续建") == 376_000
    assert sum(p.stretch_wan for p in major if p.nature == "新建") == 208_000


def test_provincial_key_quarters_and_planned_starts(plan):
    key = plan.on("provincial_key")
    assert Counter(p.nature for p in key) == {"续建": 17, "新建": 27}
    q = {n: [sum(p.quarters_wan[i] for p in key if p.nature == n) for i in range(4)] for n in ("续建", "新建")}
    assert q["续建"] == [13_000, 63_000, 82_000, 38_000]  # 1.3/6.3/8.2/3.8亿, sum 19.6
    assert q["新建"] == [2_500, 42_000, 147_500, 182_000]  # 0.25/4.2/14.75/18.2亿, sum 37.4
    starts = Counter((int(p.planned_start[5:7]) - 1) // 3 + 1 for p in key if p.nature == "新建")
    assert starts == {2: 10, 3: 11, 4: 6}
    assert all(p.annual_wan == sum(p.quarters_wan) for p in key)
    assert all(p.total_wan >= 10_000 for p in key)  # 亿元以上
    # shown in 亿元 with two decimals: every figure is a multiple of 100万
    assert all(v % 100 == 0 for p in key for v in (*p.quarters_wan, p.total_wan))


def test_leader_package_quarterly_targets(plan):
    pkg = plan.on("leader_package")
    assert [sum(p.package_quarters_wan[i] for p in pkg) for i in range(4)] == [126_000, 654_000, 457_000, 334_000]
    # drawn from every provincial project plus city-list projects (省市为民实事, 市属重点)
    assert {p.pid for p in plan.on("provincial_major") + plan.on("provincial_key")} <= {p.pid for p in pkg}
    assert any(set(p.lists) & {"government", "industrial", "real_estate"} and
               not set(p.lists) & {"provincial_major", "provincial_key"} for p in pkg)
    assert all(p.leader and p.leader.startswith("市级领导") for p in pkg)


@pytest.mark.parametrize("nature, expected", [
    ("续建", (22, 255_000, 62_000)),  # 25.5亿 total, 6.2亿 annual
    ("新建", (40, 574_000, 209_000)),  # 57.4亿, 20.9亿
    ("预备", (13, 85_000, 0)),  # 8.5亿, no annual plan
])
def test_government_list_per_nature(plan, nature, expected):
    assert totals(plan, "government", nature) == expected


def test_enterprise_lists(plan):
    ind = plan.on("industrial")
    res = plan.on("real_estate")
    assert (len(ind), sum(p.total_wan for p in ind), sum(p.annual_wan for p in ind)) == (105, 5_841_000, 1_384_000)
    assert (len(res), sum(p.total_wan for p in res), sum(p.annual_wan for p in res)) == (9, 664_000, 120_000)
    assert all(p.annual_wan <= p.total_wan for p in plan.projects)


def test_overlaps_and_city_wide_count_once(plan):
    major = plan.on("provincial_major")
    # the steel, PV, anode and alumina projects are also on the industrial list; the airport is not
    assert sum("industrial" in p.lists for p in major) == 8
    key_city = Counter(next((x for x in p.lists if x in ("industrial", "government", "real_estate")), None)
                       for p in plan.on("provincial_key"))
    assert key_city == {"industrial": 30, "government": 8, "real_estate": 3, None: 3}
    # 10 + 44 + the free city projects (105-38, 75-9, 9-3), each counted once
    assert len(plan.projects) == 10 + 44 + 67 + 66 + 6 == 193
    assert len({p.name for p in plan.projects}) == 193


def test_codes_use_the_national_format_with_jiayuguan_area(plan):
    codes = [p.code for p in plan.projects if p.code]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"\d{4}-620200-04-01-\d{6}", c) for c in codes)
    assert all(p.code for p in plan.on("provincial_key") + plan.on("provincial_major"))


def test_same_seed_same_plan_and_another_seed_differs():
    t = load_targets(2023)
    a, b, c = build_plan(t, 7), build_plan(t, 7), build_plan(t, 8)
    assert [(p.name, p.total_wan, p.annual_wan) for p in a.projects] == \
           [(p.name, p.total_wan, p.annual_wan) for p in b.projects]
    assert [p.name for p in a.projects] != [p.name for p in c.projects]
    # the plan's sums hold for any seed
    assert sum(p.total_wan for p in c.on("industrial")) == 5_841_000


def test_chinese_serial_numbers_past_one_hundred():
    from jygproj.sample.workbook import cn_seq

    assert [cn_seq(i) for i in (1, 10, 12, 20, 99, 100, 105, 110, 112, 999)] == [
        "一", "十", "十二", "二十", "九十九", "一百", "一百零五", "一百一十", "一百一十二", "九百九十九"]
