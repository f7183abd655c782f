from datetime import date

import polars as pl
import pytest

from jygproj.ledger import project_status, start_status
from jygproj.schema import MEMBERSHIPS, PROGRESS, PROJECTS, conform
from jygproj.plan import load_plan
from jygproj.starts import new_start_rates, roster, rules_from_plan, start_requirements

PLAN = load_plan(2023)


def frames(members, reports, projects=None):
    m = conform(pl.DataFrame(members), MEMBERSHIPS)
    p = conform(pl.DataFrame(reports), PROGRESS) if reports else conform(pl.DataFrame(), PROGRESS)
    proj = conform(pl.DataFrame(projects), PROJECTS) if projects else None
    return m, p, proj


def started(pid, lst, day):
    return dict(project_id=pid, list=lst, period=f"{day.year}-{day.month:02d}", started=True, start_date=day,
                period_end=date(day.year, day.month, 28))


def row(frame, **where):
    hit = frame.filter(*[pl.col(k).is_null() if v is None else pl.col(k) == v for k, v in where.items()])
    assert hit.height == 1, hit
    return hit.row(0, named=True)


def test_key_new_starts_quarter_by_quarter_against_10_11_6():
    # 10 key new projects planned to start in Q2 (April); 8 start in May, 1 in July (late), 1 never.
    ids = [f"n{i}" for i in range(10)]
    m, p, proj = frames(
        [dict(project_id=pid, list="provincial_key", nature="new", planned_start=date(2023, 4, 1)) for pid in ids],
        [started(pid, "provincial_key", date(2023, 5, 10)) for pid in ids[:8]]
        + [started("n8", "provincial_key", date(2023, 7, 3))],
        [dict(project_id=pid, name=f"项目{pid}", responsible_unit="市工信局") for pid in ids],
    )
    as_of = date(2023, 9, 30)
    r = roster(m, proj, start_status(p, as_of))
    rates = new_start_rates(r, year=2023, as_of=as_of, planned_counts=PLAN.planned_starts())
    q2 = row(rates, list="provincial_key", period="Q2")
    # plan: 10 in Q2, 11 in Q3, 6 in Q4 (二(二)); started by September 9 of 10 -> 90 %; on time 8
    assert (q2["plan_count"], q2["planned_count"], q2["started_count"], q2["on_time_count"]) == (10, 10, 9, 8)
    assert q2["rate_pct"] == pytest.approx(90)
    assert row(rates, list="provincial_key", period="Q3")["plan_count"] == 11
    assert row(rates, list="provincial_key", period="YTD")["plan_count"] == 27  # 10 + 11 + 6

    summary, misses = start_requirements(r, rules_from_plan(PLAN), as_of=as_of)
    req = row(summary, requirement_id="key_new_starts", quarter=2)
    # by 30 June 8 of 10 started: 80 % < 100 %
    assert (req["due_count"], req["met_count"], req["rate_pct"], req["met"]) == (10, 8, 80.0, False)
    missed = misses.filter(pl.col("requirement_id") == "key_new_starts").select("project_id", "status").rows()
    assert missed == [("n8", "started_late"), ("n9", "not_started")]
    assert misses.filter(pl.col("project_id") == "n9").row(0, named=True)["responsible_unit"] == "市工信局"
    # Q4 has not begun on 30 September: no row
    assert summary.filter((pl.col("requirement_id") == "key_new_starts") & (pl.col("quarter") == 4)).height == 0


def test_continuing_projects_resumed_by_the_end_of_q1():
    # 4 key continuing projects: 2 resume in March, 1 in April (late), 1 not reported resumed
    m, p, _ = frames(
        [dict(project_id=pid, list="provincial_key", nature="continuing") for pid in "abcd"],
        [dict(project_id=pid, list="provincial_key", period=per, period_end=end, resumed=True)
         for pid, per, end in (("a", "2023-03", date(2023, 3, 31)), ("b", "2023-03", date(2023, 3, 31)),
                               ("c", "2023-04", date(2023, 4, 30)))],
    )
    as_of = date(2023, 6, 30)
    summary, misses = start_requirements(roster(m, None, start_status(p, as_of)), rules_from_plan(PLAN), as_of=as_of)
    res = row(summary, requirement_id="key_resumption")
    # 2 of 4 by 31 March = 50 %
    assert (res["due_count"], res["met_count"], res["rate_pct"], res["met"]) == (4, 2, 50.0, False)
    assert misses.filter(pl.col("requirement_id") == "key_resumption").select("project_id", "status").rows() == [
        ("c", "resumed_late"), ("d", "not_resumed")]
    # no government continuing project: nothing to judge
    assert row(summary, requirement_id="government_resumption")["met"] is None


def test_government_new_projects_in_q1_and_all_by_june():
    # 5 government new projects: 2 start in March, 2 in May, 1 never
    m, p, _ = frames(
        [dict(project_id=f"g{i}", list="government", nature="new", planned_start=date(2023, 3, 1)) for i in range(5)],
        [started("g0", "government", date(2023, 3, 15)), started("g1", "government", date(2023, 3, 20)),
         started("g2", "government", date(2023, 5, 5)), started("g3", "government", date(2023, 5, 25))],
    )
    as_of = date(2023, 7, 31)
    summary, misses = start_requirements(roster(m, None, start_status(p, as_of)), rules_from_plan(PLAN), as_of=as_of)
    # Q1: 2 / 5 = 40 %; end of June: 4 / 5 = 80 %
    assert row(summary, requirement_id="government_new_q1")["rate_pct"] == pytest.approx(40)
    assert row(summary, requirement_id="government_new_june")["rate_pct"] == pytest.approx(80)
    june = misses.filter(pl.col("requirement_id") == "government_new_june")
    assert june.select("project_id", "status").rows() == [("g4", "not_started")]


def test_enterprise_new_start_rate_85_percent_counts_each_project_once():
    # 7 enterprise new projects planned Q1-Q2 (one on both industrial and real estate lists -> once);
    # 6 started: 6/7 = 85.7 % >= 85 % at year end
    members = [dict(project_id=f"e{i}", list="industrial", nature="new", planned_start=date(2023, 4, 1))
               for i in range(6)]
    members += [dict(project_id="e0", list="real_estate", nature="new", planned_start=date(2023, 4, 1)),
                dict(project_id="r1", list="real_estate", nature="new", planned_start=date(2023, 5, 1))]
    reports = [started(f"e{i}", "industrial", date(2023, 6, 1)) for i in range(5)] + [
        started("r1", "real_estate", date(2023, 6, 1))]
    m, p, _ = frames(members, reports)
    as_of = date(2023, 12, 31)
    r = roster(m, None, start_status(p, as_of))
    summary, misses = start_requirements(r, rules_from_plan(PLAN), as_of=as_of)
    ent = row(summary, requirement_id="enterprise_new_start")
    assert (ent["due_count"], ent["met_count"]) == (7, 6)
    assert ent["rate_pct"] == pytest.approx(85.714, abs=1e-3) and ent["met"] is True
    assert misses.filter(pl.col("requirement_id") == "enterprise_new_start")["project_id"].to_list() == ["e5"]
    rates = new_start_rates(r, year=2023, as_of=as_of)
    assert row(rates, list="enterprise", period="YTD")["planned_count"] == 7


def test_a_running_requirement_lists_only_overdue_projects():
    # 30 April: enterprise projects planned for March (due, not started) and for June (not yet due)
    m, p, _ = frames(
        [dict(project_id="late", list="industrial", nature="new", planned_start=date(2023, 3, 1)),
         dict(project_id="future", list="industrial", nature="new", planned_start=date(2023, 6, 1))],
        [],
    )
    as_of = date(2023, 4, 30)
    summary, misses = start_requirements(roster(m, None, start_status(p, as_of)), rules_from_plan(PLAN), as_of=as_of)
    ent = row(summary, requirement_id="enterprise_new_start")
    # judged on the 1 project due so far; not final until December
    assert (ent["due_count"], ent["met_count"], ent["final"], ent["met"]) == (1, 0, False, None)
    assert misses.filter(pl.col("requirement_id") == "enterprise_new_start").select("project_id", "status").rows() == [
        ("late", "overdue")]


def test_every_result_column_has_a_chinese_label():
    from jygproj.schema import COLUMN_LABELS, START_STATUS_LABELS

    m, p, _ = frames([dict(project_id="a", list="industrial", nature="new", planned_start=date(2023, 3, 1))], [])
    as_of = date(2023, 12, 31)
    r = roster(m, None, start_status(p, as_of))
    summary, misses = start_requirements(r, rules_from_plan(PLAN), as_of=as_of)
    rates = new_start_rates(r, year=2023, as_of=as_of)
    assert not {c for f in (r, summary, misses, rates) for c in f.columns} - set(COLUMN_LABELS)
    assert set(summary["requirement_id"]) <= set(PLAN.requirement_labels)
    assert set(misses["status"]) <= set(START_STATUS_LABELS)


def test_a_continuing_projects_start_date_this_year_is_its_resumption():
    # the government table has no 复工 column: "开工时间 2023-03-15" on a continuing project = resumed.
    # The key projects' date is the plan's (二(二): 一季度全部复工); the government continuing projects'
    # (二(四)) has none but the section's 12月底: g2, resumed in April, is not late for the plan.
    m, p, _ = frames(
        [dict(project_id=pid, list="government", nature="continuing") for pid in ("g1", "g2")]
        + [dict(project_id=pid, list="provincial_key", nature="continuing") for pid in ("k1", "k2")],
        [started("g1", "government", date(2023, 3, 15)), started("g2", "government", date(2023, 4, 2)),
         started("k1", "provincial_key", date(2023, 3, 15)), started("k2", "provincial_key", date(2023, 4, 2))],
    )
    as_of = date(2023, 6, 30)
    status = project_status(p, as_of, 2023)
    summary, misses = start_requirements(roster(m, None, status), rules_from_plan(PLAN), as_of=as_of)
    gov = row(summary, requirement_id="government_resumption")
    assert (gov["due_count"], gov["met_count"], gov["final"], gov["period"]) == (2, 2, False, "Year")
    key = row(summary, requirement_id="key_resumption")
    assert (key["due_count"], key["met_count"], key["met"], key["period"]) == (2, 1, False, "Q1")
    assert misses.filter(pl.col("requirement_id") == "key_resumption").select(
        "project_id", "status", "resumed_on").rows() == [("k2", "resumed_late", date(2023, 4, 2))]
    assert misses.filter(pl.col("requirement_id") == "government_resumption").is_empty()


def test_a_strive_requirement_counts_but_lists_no_project_as_late():
    """二(四): 40个新建项目力争一季度开工, 一季度不能开工的项目6月底前全部开工: a government project planned
    for May and started on 6 May (兴盛片区) met the June deadline and is no "逾期开工" of Q1."""
    m, p, _ = frames([dict(project_id="x", list="government", nature="new", planned_start=date(2023, 5, 1))],
                     [started("x", "government", date(2023, 5, 6))])
    as_of = date(2023, 11, 10)
    summary, misses = start_requirements(roster(m, None, start_status(p, as_of)), rules_from_plan(PLAN), as_of=as_of)
    q1 = row(summary, requirement_id="government_new_q1")
    assert q1["strive"] and q1["met_count"] == 0 and q1["period"] == "Q1"
    june = row(summary, requirement_id="government_new_june")
    assert june["met"] is True and not june["strive"]
    assert misses.is_empty()


def test_resumption_comes_from_every_list_of_the_project():
    """The package list has no tables of its own: a continuing project on it resumes when its
    government table says 是 with a 开工时间 this year (城区燃气老旧管网更新改造（新华街道片区）项目)."""
    m, p, _ = frames([dict(project_id="gas", list="leader_package", nature="continuing"),
                      dict(project_id="gas", list="government", nature="continuing")],
                     [started("gas", "government", date(2023, 3, 13))])
    status = project_status(p, date(2023, 11, 10), 2023)
    assert status.select("resumed", "resumed_on", "resumed_by").row(0) == (True, date(2023, 3, 13), "start_date")
    summary, misses = start_requirements(roster(m, None, status), rules_from_plan(PLAN), as_of=date(2023, 11, 10))
    assert row(summary, requirement_id="package_resumption")["met_count"] == 1 and misses.is_empty()
