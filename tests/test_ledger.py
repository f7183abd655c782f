from datetime import date

import polars as pl
import pytest

from jygproj.ledger import (
    LIST_PRECEDENCE,
    cumulative_at,
    cumulative_at_each,
    latest_revisions,
    monthly_cumulative,
    parse_period,
    quarter_of,
    snapshot,
    start_status,
)
from jygproj.schema import PROGRESS, conform


def ledger(rows: list[dict]) -> pl.DataFrame:
    return conform(pl.DataFrame(rows), PROGRESS)


def test_periods_parse_months_and_iso_weeks():
    assert parse_period("2023-10").end == date(2023, 10, 31)
    # ISO week 44 of 2023 runs Mon 30 Oct .. Sun 5 Nov: it counts in November
    week = parse_period("2023-W44")
    assert (week.kind, week.end, week.month) == ("week", date(2023, 11, 5), 11)
    assert [quarter_of(m) for m in (1, 3, 4, 9, 10, 12)] == [1, 1, 2, 3, 4, 4]
    with pytest.raises(ValueError, match="bad_period"):
        parse_period("2023年10月")


def test_a_correction_supersedes_the_first_submission_from_the_day_it_arrives():
    rows = ledger([
        # first submission on 5 Nov: 1-10月 800; a correction on 20 Nov: 850
        dict(project_id="p1", list="provincial_key", period="2023-10", completed_ytd_wan=800.0,
             reported_at=date(2023, 11, 5), revision=0),
        dict(project_id="p1", list="provincial_key", period="2023-10", completed_ytd_wan=850.0,
             reported_at=date(2023, 11, 20), revision=1),
    ])
    assert snapshot(rows, date(2023, 11, 10))["completed_ytd_wan"].to_list() == [800.0]
    assert snapshot(rows, date(2023, 11, 30))["completed_ytd_wan"].to_list() == [850.0]
    # both submissions stay in the input
    assert rows.height == 2
    # nothing reported yet on 1 November
    assert snapshot(rows, date(2023, 11, 1)).height == 0


def test_latest_revision_does_not_depend_on_row_order():
    rows = ledger([
        dict(project_id="p1", list="government", period="2023-09", completed_ytd_wan=v, revision=r)
        for v, r in ((120.0, 2), (100.0, 0), (110.0, 1))
    ])
    assert latest_revisions(rows)["completed_ytd_wan"].to_list() == [120.0]
    assert latest_revisions(rows.reverse())["completed_ytd_wan"].to_list() == [120.0]


def test_a_project_on_three_lists_is_counted_once_a_month():
    # the same project reported on three lists for September; the provincial list's figure stands
    rows = ledger([
        dict(project_id="p1", list=lst, period="2023-09", completed_ytd_wan=v)
        for lst, v in (("industrial", 5_000.0), ("provincial_major", 5_100.0), ("leader_package", 4_900.0))
    ])
    monthly = monthly_cumulative(rows)
    assert monthly.height == 1
    assert monthly.row(0, named=True)["completed_ytd_wan"] == 5_100.0
    assert monthly.row(0, named=True)["list"] == "provincial_major"
    assert LIST_PRECEDENCE[0] == "provincial_major"


def test_weekly_figures_count_only_when_no_monthly_figure_exists():
    rows = ledger([
        # October: weekly W42 (ends 22 Oct) and W43 (ends 29 Oct) and a monthly 1-10月 figure
        dict(project_id="p1", list="government", period="2023-W42", completed_ytd_wan=300.0),
        dict(project_id="p1", list="government", period="2023-W43", completed_ytd_wan=320.0),
        dict(project_id="p1", list="leader_package", period="2023-10", completed_ytd_wan=330.0),
        # September: only weekly; the latest week of the month (W39 ends 1 Oct -> October! so W38)
        dict(project_id="p1", list="government", period="2023-W37", completed_ytd_wan=250.0),
        dict(project_id="p1", list="government", period="2023-W38", completed_ytd_wan=270.0),
    ])
    monthly = monthly_cumulative(rows).select("month", "completed_ytd_wan", "period")
    assert monthly.rows() == [(9, 270.0, "2023-W38"), (10, 330.0, "2023-10")]


def test_cumulative_at_carries_the_last_report_forward():
    rows = ledger([
        dict(project_id="p1", list="industrial", period="2023-05", completed_ytd_wan=100.0),
        dict(project_id="p2", list="industrial", period="2023-06", completed_ytd_wan=40.0),
    ])
    at_june = cumulative_at(monthly_cumulative(rows), 2023, 6).sort("project_id")
    # p1 missed June: its May figure of 100 stands
    assert at_june.rows() == [("p1", 100.0, 5), ("p2", 40.0, 6)]
    assert cumulative_at(monthly_cumulative(rows), 2023, 0).height == 0


def test_cumulative_at_each_month_is_cumulative_at_that_month():
    rows = ledger([
        dict(project_id="p1", list="industrial", period="2023-03", completed_ytd_wan=30.0),
        dict(project_id="p1", list="industrial", period="2023-05", completed_ytd_wan=100.0),
        dict(project_id="p2", list="industrial", period="2023-06", completed_ytd_wan=40.0),
        dict(project_id="p2", list="industrial", period="2022-12", completed_ytd_wan=900.0),  # another year
        dict(project_id="p3", list="government", period="2023-02", completed_ytd_wan=5.0),
        dict(project_id="p3", list="government", period="2023-09", completed_ytd_wan=50.0),
    ])
    monthly = monthly_cumulative(rows)
    months = {q: min(q * 3, 8) for q in range(1, 5)}  # quarter ends clipped to August: 3, 6, 8, 8
    at = cumulative_at_each(monthly, 2023, months, "quarter")
    for q, month in months.items():
        assert at[q].drop("quarter").equals(cumulative_at(monthly, 2023, month))
        assert at[q]["quarter"].to_list() == [q] * at[q].height


def test_start_status_takes_the_earliest_date_across_lists():
    rows = ledger([
        dict(project_id="p1", list="government", period="2023-04", period_end=date(2023, 4, 30),
             started=True, start_date=date(2023, 4, 18)),
        dict(project_id="p1", list="leader_package", period="2023-04", period_end=date(2023, 4, 30),
             started=True, start_date=date(2023, 4, 12)),
        # p2 reported started in May without a date: the period's end stands in
        dict(project_id="p2", list="government", period="2023-05", period_end=date(2023, 5, 31),
             started=True),
        dict(project_id="p3", list="provincial_key", period="2023-03", period_end=date(2023, 3, 31),
             resumed=True),
    ])
    status = {r["project_id"]: r for r in start_status(rows, date(2023, 6, 30)).iter_rows(named=True)}
    assert status["p1"]["started_on"] == date(2023, 4, 12)
    assert status["p2"]["started"] and status["p2"]["started_on"] == date(2023, 5, 31)
    assert not status["p2"]["start_date_reported"]
    assert status["p3"]["resumed"] and status["p3"]["resumed_on"] == date(2023, 3, 31)
    assert not status["p3"]["started"]


def test_resumption_date_is_the_rows_date_when_given():
    rows = ledger([
        dict(project_id="p1", list="provincial_key", period="2023-03", period_end=date(2023, 3, 31),
             resumed=True, started=True, start_date=date(2023, 3, 6)),
    ])
    assert start_status(rows, date(2023, 4, 30)).row(0, named=True)["resumed_on"] == date(2023, 3, 6)


# --- issue 13: a project's status from every list; lists that disagree; the latest week apart -------


def test_two_lists_with_different_figures_for_a_month_are_named_cell_by_cell():
    from jygproj.ledger import cross_list_conflicts

    rows = ledger([
        dict(project_id="p", list="provincial_major", period="2023-09", completed_ytd_wan=39_659.0,
             source_file="/d/省列.xlsx", source_sheet="9月调度", source_row=9),
        dict(project_id="p", list="industrial", period="2023-09", completed_ytd_wan=45_000.0,
             source_file="/d/产业.xlsx", source_sheet="9月调度", source_row=12),
        dict(project_id="q", list="industrial", period="2023-09", completed_ytd_wan=10.0),
        dict(project_id="q", list="government", period="2023-09", completed_ytd_wan=10.2),  # within rounding
    ])
    out = cross_list_conflicts(rows, date(2023, 10, 10), columns={("/d/省列.xlsx", "9月调度"): ("H", "1-9月"),
                                                                 ("/d/产业.xlsx", "9月调度"): ("H", "1-9月完成投资")})
    assert out.select("project_id", "used_list", "used_wan", "used_row", "used_column", "other_list", "other_wan",
                      "other_row", "other_column").rows() == [
        ("p", "provincial_major", 39_659.0, 9, "H", "industrial", 45_000.0, 12, "H")]


def test_resumption_is_the_projects_across_its_lists():
    from jygproj.ledger import resumption

    rows = ledger([
        # a government table: 是否开工 = 是 with a 开工时间 this year (no 已复工 flag)
        dict(project_id="gas", list="government", period="2023-03", completed_ytd_wan=208.0, started=True,
             start_date=date(2023, 3, 13), period_end=date(2023, 3, 31)),
        # a key table: 已复工
        dict(project_id="key", list="provincial_key", period="2023-03", completed_ytd_wan=0.0, started=True,
             resumed=True, start_date=date(2023, 3, 19), period_end=date(2023, 3, 31)),
        # only money spent this year
        dict(project_id="money", list="industrial", period="2023-05", completed_ytd_wan=50.0,
             period_end=date(2023, 5, 31)),
        # started long ago, nothing this year
        dict(project_id="old", list="industrial", period="2023-05", completed_ytd_wan=0.0, started=True,
             start_date=date(2021, 4, 1), period_end=date(2023, 5, 31)),
    ])
    out = resumption(rows, date(2023, 11, 10), 2023)
    assert out.rows() == [("gas", date(2023, 3, 13), "start_date"), ("key", date(2023, 3, 19), "flag"),
                          ("money", date(2023, 5, 31), "investment")]


def test_the_latest_week_is_kept_apart_from_the_months():
    from jygproj.ledger import latest_weekly, monthly_reports

    rows = ledger([
        dict(project_id="w", list="government", period="2023-10", completed_ytd_wan=1_000.0,
             period_end=date(2023, 10, 31)),
        dict(project_id="w", list="government", period="2023-W43", completed_ytd_wan=990.0,
             period_end=date(2023, 10, 29)),
        dict(project_id="w", list="government", period="2023-W44", completed_ytd_wan=1_100.0,
             period_end=date(2023, 11, 5)),
    ])
    assert monthly_reports(rows)["period"].to_list() == ["2023-10"]
    # a ledger of monthly reports only is its own monthly reports, the very frame (a review then
    # sorts and snapshots it once, by identity)
    months = rows.filter(pl.col("period") == "2023-10")
    assert monthly_reports(months) is months
    assert latest_weekly(rows, date(2023, 11, 10), 2023).select("period", "completed_ytd_wan").rows() == [
        ("2023-W44", 1_100.0)]
