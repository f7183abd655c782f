import polars as pl
import pytest

from jygproj.plan import load_plan
from jygproj.completion import (
    CITY,
    completion,
    completion_detail,
    practice_pace,
    quarter_plans,
    requirement_counts,
    requirement_items,
    requirements,
    target_checks,
    with_cumulative,
)
from jygproj.ledger import monthly_cumulative
from jygproj.reference import load_seasonal_profile
from jygproj.schema import MEMBERSHIPS, PROGRESS, PROJECTS, conform

PLAN = load_plan(2023)
RULES = PLAN.requirements_of("target_completion", "annual_completion")
PROFILE = load_seasonal_profile()  # Q1 1+1.5+4 = 6.5 %, Q2 32 %, Q3 38 %, Q4 23.5 %


def memberships(rows):
    return conform(pl.DataFrame(rows), MEMBERSHIPS)


def progress(rows):
    return conform(pl.DataFrame(rows), PROGRESS)


def row(frame, **where):
    hit = frame.filter(*[pl.col(k).is_null() if v is None else pl.col(k) == v for k, v in where.items()])
    assert hit.height == 1, hit
    return hit.row(0, named=True)


def key_continuing_case():
    # 17 key continuing projects: 16 planned 800 in Q1 and one 200 -> 16*800+200 = 13,000 万元 = 1.3亿
    ids = [f"k{i:02d}" for i in range(17)]
    m = memberships([
        dict(project_id=pid, list="provincial_key", nature="continuing", annual_plan_wan=11_000.0,
             q1_plan_wan=800.0 if i < 16 else 200.0, q2_plan_wan=3_700.0, q3_plan_wan=4_800.0,
             q4_plan_wan=1_700.0)
        for i, pid in enumerate(ids)
    ])
    # 1-3月: the 16 did 750 each, the last nothing -> 12,000 万元 = 1.2亿
    p = progress([
        dict(project_id=pid, list="provincial_key", period="2023-03", completed_ytd_wan=750.0 if i < 16 else 0.0)
        for i, pid in enumerate(ids)
    ])
    return m, monthly_cumulative(p)


def test_key_continuing_q1_is_92_3_percent_of_the_plans_1_3_yi():
    m, monthly = key_continuing_case()
    targets = load_plan(2023).amount_targets
    c = completion(m, monthly, year=2023, as_of_month=3, profile=PROFILE, plan_targets=targets)
    q1 = row(c, list="provincial_key", nature="continuing", period="Q1")
    # 12,000 / 13,000 = 92.31 %
    assert q1["projects"] == 17
    assert q1["plan_wan"] == pytest.approx(13_000)
    assert q1["completed_wan"] == pytest.approx(12_000)
    assert q1["rate_pct"] == pytest.approx(92.3077, abs=1e-3)
    assert q1["target_wan"] == pytest.approx(13_000)  # the plan's 1.3亿, 二(二)
    assert q1["target_rate_pct"] == pytest.approx(92.3077, abs=1e-3)
    # the requirement (二(二): quarterly rate >= 100 %) is missed
    req = requirements(c, target_checks(c, targets, as_of_month=3, profile=PROFILE), as_of_month=3, rules=RULES)
    check = row(req, requirement_id="key_continuing_quarterly", list="provincial_key", nature="continuing",
                period="Q1")
    assert check["basis"] == "plan_target" and check["met"] is False
    # quarters not begun by March have no completion
    assert row(c, list="provincial_key", nature="continuing", period="Q2")["completed_wan"] is None


def test_a_project_on_three_lists_is_counted_once_city_wide():
    # p1 sits on provincial_major, provincial_key and industrial (plan 10,000 each list); p2 only on
    # government (plan 2,000). 1-6月: p1 4,000, p2 500.
    m = memberships(
        [dict(project_id="p1", list=lst, nature="continuing", annual_plan_wan=10_000.0)
         for lst in ("provincial_major", "provincial_key", "industrial")]
        + [dict(project_id="p2", list="government", nature="new", annual_plan_wan=2_000.0)]
    )
    p = progress(
        [dict(project_id="p1", list=lst, period="2023-06", completed_ytd_wan=4_000.0)
         for lst in ("provincial_major", "provincial_key", "industrial")]
        + [dict(project_id="p2", list="government", period="2023-06", completed_ytd_wan=500.0)]
    )
    c = completion(m, monthly_cumulative(p), year=2023, as_of_month=6, profile=PROFILE)
    city = row(c, list="city", nature=None, period="YTD")
    # 4,000 + 500, not 3*4,000 + 500; annual plan 10,000 + 2,000
    assert city["projects"] == 2
    assert city["completed_wan"] == pytest.approx(4_500)
    assert city["annual_plan_wan"] == pytest.approx(12_000)
    # plan to date, seasonal: (6.5 + 32) % of 12,000 = 4,620 -> 4,500 / 4,620 = 97.4 %
    assert city["plan_wan"] == pytest.approx(4_620)
    assert city["rate_pct"] == pytest.approx(97.40, abs=0.01)
    # each list still shows p1 in full
    assert row(c, list="industrial", nature=None, period="YTD")["completed_wan"] == pytest.approx(4_000)
    # the enterprise scope (二(五)) is industrial + real estate, 4,000 / 10,000 = 40 % of the annual plan
    assert row(c, list="enterprise", nature=None, period="YTD")["annual_rate_pct"] == pytest.approx(40)


def test_a_project_twice_on_a_list_is_still_one_project_of_its_totals():
    # the loader refuses a register naming a project twice, but a frame built by hand may: a total's
    # projects are then its distinct ids (n_unique), not its rows, by list and by unit alike
    projects = conform(pl.DataFrame([dict(project_id="a", responsible_unit="市住建局"),
                                     dict(project_id="b", responsible_unit="市住建局")]), PROJECTS)
    m = memberships([dict(project_id="a", list="government", nature="new", annual_plan_wan=100.0),
                     dict(project_id="a", list="government", nature="continuing", annual_plan_wan=50.0),
                     dict(project_id="b", list="government", nature="new", annual_plan_wan=100.0)])
    p = progress([dict(project_id=pid, list="government", period="2023-03", completed_ytd_wan=5.0) for pid in "ab"])
    for by in (None, "responsible_unit"):
        c = completion(m, monthly_cumulative(p), year=2023, as_of_month=3, profile=PROFILE, projects=projects, by=by)
        unit = {} if by is None else {"responsible_unit": "市住建局"}
        assert row(c, **unit, list="government", nature=None, period="YTD")["projects"] == 2
        assert row(c, **unit, list="government", nature="new", period="YTD")["projects"] == 2
        assert row(c, **unit, list="city", nature=None, period="YTD")["projects"] == 2
    # and without the second membership each total counts its rows: the same figures
    once = completion(m.filter(pl.col("annual_plan_wan") != 50.0), monthly_cumulative(p), year=2023, as_of_month=3,
                      profile=PROFILE)
    assert row(once, list="government", nature=None, period="YTD")["projects"] == 2


def test_quarter_completion_is_the_difference_of_cumulatives_and_carries_missing_months():
    m = memberships([dict(project_id="p1", list="government", nature="continuing", annual_plan_wan=1_000.0)])
    # 1-3月 50, 1-5月 200 (June not reported), 1-8月 700
    p = progress([
        dict(project_id="p1", list="government", period=per, completed_ytd_wan=v)
        for per, v in (("2023-03", 50.0), ("2023-05", 200.0), ("2023-08", 700.0))
    ])
    c = completion(m, monthly_cumulative(p), year=2023, as_of_month=8, profile=PROFILE)
    got = {r["period"]: r for r in c.filter(pl.col("nature").is_null()).iter_rows(named=True)}
    # Q1 50; Q2 200 - 50 = 150 (May carried to June); Q3 so far 700 - 200 = 500
    assert [got[q]["completed_wan"] for q in ("Q1", "Q2", "Q3")] == pytest.approx([50, 150, 500])
    assert got["Q4"]["completed_wan"] is None
    # no quarter split: annual spread seasonally, Q1 65, Q2 320, Q3 380, Q4 235
    assert [got[q]["plan_wan"] for q in ("Q1", "Q2", "Q3", "Q4")] == pytest.approx([65, 320, 380, 235])
    # YTD plan to August: 65 + 320 + 380 * (13+13)/38 = 645; Q3 is not closed yet
    assert got["YTD"]["plan_wan"] == pytest.approx(645)
    assert got["YTD"]["completed_wan"] == pytest.approx(700)
    assert got["Q2"]["closed"] and not got["Q3"]["closed"]


def test_quarter_plans_use_the_lists_split_when_given():
    m = memberships([
        dict(project_id="a", list="leader_package", nature="new", annual_plan_wan=100.0,
             q2_plan_wan=40.0, q3_plan_wan=60.0),
        dict(project_id="b", list="leader_package", nature="new", annual_plan_wan=100.0),
    ])
    plans = {(r["project_id"], r["quarter"]): r["plan_wan"] for r in quarter_plans(m, PROFILE).iter_rows(named=True)}
    # a: blank quarters count 0; b: 6.5/32/38/23.5 % of 100
    assert [plans[("a", q)] for q in range(1, 5)] == [0, 40, 60, 0]
    assert [plans[("b", q)] for q in range(1, 5)] == pytest.approx([6.5, 32, 38, 23.5])


def test_breakdown_by_responsible_unit():
    projects = conform(pl.DataFrame([
        dict(project_id="a", responsible_unit="市住建局"),
        dict(project_id="b", responsible_unit="市住建局"),
        dict(project_id="c", responsible_unit="市水务局"),
    ]), PROJECTS)
    m = memberships([dict(project_id=pid, list="government", nature="new", annual_plan_wan=100.0)
                     for pid in "abc"])
    p = progress([dict(project_id=pid, list="government", period="2023-03", completed_ytd_wan=v)
                  for pid, v in (("a", 5.0), ("b", 3.0), ("c", 10.0))])
    c = completion(m, monthly_cumulative(p), year=2023, as_of_month=3, profile=PROFILE,
                   projects=projects, by="responsible_unit")
    # 住建局: (5 + 3) / (6.5 + 6.5) = 61.5 %; 水务局: 10 / 6.5 = 153.8 %
    assert row(c, responsible_unit="市住建局", list="city", nature=None, period="Q1")["rate_pct"] == pytest.approx(
        8 / 13 * 100)
    assert row(c, responsible_unit="市水务局", list="government", nature=None, period="Q1")["rate_pct"] == pytest.approx(
        10 / 6.5 * 100)
    with pytest.raises(ValueError):
        completion(m, monthly_cumulative(p), year=2023, as_of_month=3, profile=PROFILE, by="leader")


def test_stretch_targets_and_enterprise_requirement():
    targets = load_plan(2023).amount_targets
    stretch = targets.filter(pl.col("kind") == "stretch").sort("target_wan")
    assert stretch["target_wan"].to_list() == [208_000, 376_000]  # 20.8亿, 37.6亿 (二(一))
    # an industrial project with annual plan 1,000 done 850 by December: 85 % >= 80 % (二(五))
    m = memberships([dict(project_id="e", list="industrial", nature="continuing", annual_plan_wan=1_000.0)])
    p = progress([dict(project_id="e", list="industrial", period="2023-12", completed_ytd_wan=850.0)])
    c = completion(m, monthly_cumulative(p), year=2023, as_of_month=12, profile=PROFILE, plan_targets=targets)
    checks = target_checks(c, targets, as_of_month=12, profile=PROFILE)
    req = requirements(c, checks, as_of_month=12, rules=RULES)
    ent = row(req, requirement_id="enterprise_annual", list="enterprise")
    assert ent["measured_pct"] == pytest.approx(85) and ent["final"] and ent["met"]
    # in September it is not judged: the seasonal pace, 80 % x (1+1.5+4+8+11+13+13+13+12 = 76.5 %) =
    # 61.2 %, is a reference shown apart (序时进度, 参考), never met or failed
    c9 = completion(m, monthly_cumulative(p.with_columns(pl.lit("2023-09").alias("period"),
                                                          pl.lit(500.0).alias("completed_ytd_wan"))),
                    year=2023, as_of_month=9, profile=PROFILE)
    req9 = requirements(c9, None, as_of_month=9, rules=RULES)
    ent9 = row(req9, requirement_id="enterprise_annual", list="industrial")
    assert ent9["met"] is None and ent9["final"] is False
    pace9 = row(practice_pace(req9, None, as_of_month=9, profile=PROFILE), requirement_id="enterprise_annual",
                list="industrial")
    assert pace9["reference_pct"] == pytest.approx(61.2) and pace9["on_pace"] is False  # 50 % < 61.2 %
    ind = row(checks, list="industrial", period="Year")
    # 850 of the plan's 138.4亿 industrial target
    assert ind["target_yi"] == pytest.approx(138.4) and ind["completed_wan"] == pytest.approx(850)
    assert ind["final"] and ind["met"] is False


def test_as_of_january_alone_is_refused():
    m, monthly = key_continuing_case()
    with pytest.raises(ValueError, match="1-2月"):
        completion_detail(m, monthly, year=2023, as_of_month=1, profile=PROFILE)


def test_every_result_column_has_a_chinese_label():
    from jygproj.schema import COLUMN_LABELS

    m, monthly = key_continuing_case()
    targets = load_plan(2023).amount_targets
    c = completion(m, monthly, year=2023, as_of_month=6, profile=PROFILE, plan_targets=targets)
    checks = target_checks(c, targets, as_of_month=6, profile=PROFILE)
    req = requirements(c, checks, as_of_month=6, rules=RULES)
    frames = [with_cumulative(c, as_of_month=6, profile=PROFILE), checks, req,
              practice_pace(req, checks, as_of_month=6, profile=PROFILE),
              requirement_items(req, None, PLAN.requirement_labels), monthly]
    missing = {col for f in frames for col in f.columns} - set(COLUMN_LABELS)
    assert not missing


def test_a_package_project_counts_with_its_own_lists_plan_not_the_leaders_target():
    # p1 is a government project (plan 2,000) that a city leader also packages with a target of 3,000
    # (二(三)); city-wide it counts once, with the government plan: 2,000.
    m = memberships([
        dict(project_id="p1", list="leader_package", nature="new", annual_plan_wan=3_000.0),
        dict(project_id="p1", list="government", nature="new", annual_plan_wan=2_000.0),
    ])
    p = progress([dict(project_id="p1", list="government", period="2023-06", completed_ytd_wan=900.0)])
    c = completion(m, monthly_cumulative(p), year=2023, as_of_month=6, profile=PROFILE)
    assert row(c, list="city", nature=None, period="YTD")["annual_plan_wan"] == pytest.approx(2_000)
    assert row(c, list="leader_package", nature=None, period="YTD")["annual_plan_wan"] == pytest.approx(3_000)


# --- issue 13: requirements as the plan states them, pace from the plan's own schedule -----------------


def test_only_the_plans_requirements_are_judged_and_a_quarter_under_way_is_not():
    """二(二) sets a 100 % quarterly rate for the key projects only; 二(三) the package's quarterly amounts;
    no quarterly rate for the other lists (the old 二(八) "quarterly_completion" is gone)."""
    ids = {r.id for r in RULES}
    assert "quarterly_completion" not in ids
    by_id = {r.id: r for r in RULES}
    assert by_id["key_continuing_quarterly"].lists == ("provincial_key",)
    assert by_id["package_quarterly"].lists == ("leader_package",) and by_id["package_quarterly"].clause == "二(三)"
    assert by_id["enterprise_annual"].threshold_pct == 80  # 二(五): for the year, not a quarter
    assert not any(set(r.lists) & {"government", "industrial", "real_estate"} for r in RULES
                   if r.check == "target_completion" and any(p.startswith("Q") for p in r.periods))
    # as of October: Q4 has begun but is not over -> shown (partial), not judged
    m, monthly = key_continuing_case()
    c = completion(m, monthly, year=2023, as_of_month=10, profile=PROFILE, plan_targets=PLAN.amount_targets)
    req = requirements(c, target_checks(c, PLAN.amount_targets, as_of_month=10, profile=PROFILE), as_of_month=10,
                       rules=RULES, planned_starts=PLAN.planned_starts())
    q4 = row(req, requirement_id="key_continuing_quarterly", period="Q4")
    assert q4["partial"] and q4["final"] is False and q4["met"] is None


def test_the_plans_q1_target_for_new_key_projects_with_no_q1_starts_is_noted_not_failed():
    # 二(二): 0.25亿 in Q1 for the 27 new key projects, but planned starts only from Q2 (10/11/6)
    m = memberships([dict(project_id="n", list="provincial_key", nature="new", annual_plan_wan=1_000.0,
                          q1_plan_wan=0.0, q2_plan_wan=500.0, q3_plan_wan=500.0, q4_plan_wan=0.0)])
    p = progress([dict(project_id="n", list="provincial_key", period="2023-03", completed_ytd_wan=0.0)])
    c = completion(m, monthly_cumulative(p), year=2023, as_of_month=3, profile=PROFILE, plan_targets=PLAN.amount_targets)
    req = requirements(c, target_checks(c, PLAN.amount_targets, as_of_month=3, profile=PROFILE), as_of_month=3,
                       rules=RULES, planned_starts=PLAN.planned_starts())
    q1 = row(req, requirement_id="key_new_quarterly", period="Q1")
    assert q1["met"] is None and "方案自身不一致" in q1["note"] and "0.25亿元" in q1["note"]
    items = requirement_items(req, None, PLAN.requirement_labels)
    assert requirement_counts(items)["failed"] == 0


def test_the_key_lists_year_is_paced_by_the_plans_own_quarters():
    """二(二): 57亿 = continuing 1.3/6.3/8.2/3.8 + new 0.25/4.2/14.75/18.2. By the end of September the plan
    asks 1.55 + 10.5 + 22.95 = 35.0亿 = 61.40 % of 57亿 (the seasonal profile would say 76.5 %)."""
    m, monthly = key_continuing_case()
    c = completion(m, monthly, year=2023, as_of_month=9, profile=PROFILE, plan_targets=PLAN.amount_targets)
    checks = target_checks(c, PLAN.amount_targets, as_of_month=9, profile=PROFILE)
    year = row(checks, list="provincial_key", nature=None, period="Year", kind="target")
    assert year["due_wan"] == pytest.approx(350_000) and year["pace_basis"] == "plan_schedule"
    # the all-natures quarter targets are the natures' sums (the plan's own numbers)
    q3 = row(c, list="provincial_key", nature=None, period="Q3")
    assert q3["target_wan"] == pytest.approx(229_500)
    # the other lists' years keep the seasonal pace: 138.4亿 × 76.5 %
    ind = row(checks, list="industrial", nature=None, period="Year", kind="target")
    assert ind["due_wan"] == pytest.approx(1_384_000 * 0.765) and ind["pace_basis"] == "seasonal"


def test_cumulative_beside_each_quarter_and_the_running_quarter_is_partial():
    m = memberships([dict(project_id="p", list="government", nature="continuing", annual_plan_wan=1_000.0)])
    p = progress([dict(project_id="p", list="government", period=f"2023-{mo:02d}", completed_ytd_wan=v)
                  for mo, v in ((3, 50.0), (6, 400.0), (9, 800.0), (10, 900.0))])
    c = with_cumulative(completion(m, monthly_cumulative(p), year=2023, as_of_month=10, profile=PROFILE),
                        as_of_month=10, profile=PROFILE)
    q3 = row(c, list="government", nature=None, period="Q3")
    assert q3["completed_wan"] == pytest.approx(400) and q3["cum_completed_wan"] == pytest.approx(800)
    assert q3["cum_plan_wan"] == pytest.approx(765)  # 76.5 % of 1,000, seasonal
    q4 = row(c, list="government", nature=None, period="Q4")
    # October only, against the whole Q4 plan (23.5 %): partial, and the cumulative counts October's share
    assert q4["partial"] and q4["completed_wan"] == pytest.approx(100)
    assert q4["cum_plan_wan"] == pytest.approx(875) and q4["cum_completed_wan"] == pytest.approx(900)
    assert not row(c, list="government", nature=None, period="Q2")["partial"]


def test_only_some_totals_are_the_whole_frames_rows_filtered_so():
    # the embedded sample: by responsible unit, a unit's year to date (city, all natures) and a
    # quarter's targets on two lists — the very rows of the whole frame, figure for figure
    import jygproj

    wb = jygproj.open()
    kw = dict(year=wb.year, as_of_month=10, profile=PROFILE, projects=wb.projects, by="responsible_unit")
    monthly = monthly_cumulative(wb.progress)
    whole = completion(wb.memberships, monthly, **kw)
    for lists, periods in (((CITY,), ("YTD",)), (("provincial_key", "leader_package"), ("Q3",)), (None, ("Q1", "YTD"))):
        part = completion(wb.memberships, monthly, lists=lists, periods=periods, natures=False, **kw)
        expected = whole.filter(pl.col("nature").is_null() & pl.col("period").is_in(list(periods))
                                & (pl.col("list").is_in(list(lists)) if lists else pl.lit(True)))
        assert part.height and part.equals(expected)
    assert completion(wb.memberships, monthly, periods=("Q2",), **kw).equals(whole.filter(pl.col("period") == "Q2"))
