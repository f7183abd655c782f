"""Scheduling tables: periods (monthly, 1-2月, weekly), two-row 1-X月/完成投资 headers, a 清单 column,
start status words, corrections and latest_progress."""

from __future__ import annotations

import datetime as dt

import pytest

from jygproj import schema
from jygproj.io import latest_progress, load_workbooks
from test_io_builders import build_progress, write_workbook


def test_monthly_table(tmp_path):
    ds = load_workbooks([build_progress(tmp_path)])
    assert not ds.has_errors
    s = ds.sheets[0]
    assert (s.kind, s.list, s.period) == ("progress", "government", "2023-10")
    # title, unit line, header, 合计 and the note row are structure; four projects
    assert s.rows == {"read": 9, "loaded": 4, "structure": 5, "rejected": 0}
    p = {r["source_row"]: r for r in ds.progress.to_dicts()}
    assert p[5]["period_end"] == dt.date(2023, 10, 31)
    assert (p[5]["started"], p[5]["resumed"]) == (True, True)  # 已复工
    assert p[6]["start_date"] == dt.date(2023, 4, 15)  # "2023.4.15"
    assert (p[8]["started"], p[8]["start_date"]) == (False, None)  # 否, blank
    assert p[7]["reported_at"] == dt.date(2023, 11, 3)
    assert p[8]["project_id"] == "N:峪泉镇污水处理厂扩建项目"
    assert ds.progress.schema == schema.PROGRESS
    # new projects: 3000 + 2600 + 0 = 5600 完成; continuing 2500
    assert s.by_nature["new"]["completed_ytd_wan"] == pytest.approx(5600)
    assert s.by_nature["continuing"]["completed_ytd_wan"] == pytest.approx(2500)


def test_january_february_together(tmp_path):
    ds = load_workbooks([build_progress(tmp_path, month=2, completed=[100.0, 0.0, 0.0, 0.0])])
    assert ds.sheets[0].period == "2023-02"


def test_weekly_two_row_header_and_list_column(tmp_path):
    rows = [["2023年政府投资项目周调度表（第43周 10月23日-10月29日）"],
            ["填报单位：市发展改革委", None, None, None, "填报日期：2023年10月30日", "单位：万元"],
            ["序号", "项目名称", "所属清单", "总投资\n（万元）", "1-10月", None, "是否开工"],
            [None, None, None, None, "完成投资", "完成率", None],
            [1, "甲项目", "政府投资项目", 1000, "800", "80%", "是"],
            [2, "乙项目", "市级领导包抓", 2000, "1,200", "60%", "未开工"]]
    ds = load_workbooks([write_workbook(tmp_path / "周调度.xlsx", {"第43周": rows}, {"第43周": ["E3:F3"]})])
    assert not ds.has_errors, ds.problems["message"].to_list()
    s = ds.sheets[0]
    assert (s.period, s.list) == ("2023-W43", "government")
    got = ds.progress.sort("source_row").to_dicts()
    assert [g["list"] for g in got] == ["government", "leader_package"]
    assert [g["completed_ytd_wan"] for g in got] == [800.0, 1200.0]
    assert got[0]["period_end"] == dt.date(2023, 10, 29)  # Sunday of ISO week 43
    assert got[0]["reported_at"] == dt.date(2023, 10, 30)  # from the 填报日期 line
    assert s.rows == {"read": 6, "loaded": 2, "structure": 4, "rejected": 0}


def test_amounts_in_yi_converted(tmp_path):
    rows = [["2023年1-9月产业投资项目建设进度调度表"], ["单位：亿元"],
            ["序号", "项目名称", "总投资", "1-9月累计完成投资"], [1, "甲", 2.5, "1.2"]]
    ds = load_workbooks([write_workbook(tmp_path / "产业.xlsx", {"9月": rows})])
    r = ds.progress.row(0, named=True)
    assert (r["period"], r["list"]) == ("2023-09", "industrial")
    assert r["completed_ytd_wan"] == pytest.approx(12000)


def test_correction_supersedes_and_latest_progress(tmp_path):
    first = build_progress(tmp_path, month=10, completed=[2500.0, 3000.0, 2600.0, 0.0])
    fix = build_progress(tmp_path, month=10, completed=[2500.0, 3100.0, 2600.0, 0.0], correction=True)
    ds = load_workbooks([fix, first])  # order of files does not matter
    assert ds.progress.height == 8
    latest = latest_progress(ds.progress)
    assert latest.height == 4
    row = latest.filter(project_id="2301-620200-04-01-000003").row(0, named=True)
    assert (row["revision"], row["completed_ytd_wan"]) == (1, 3100.0)


def test_latest_progress_on_empty():
    assert latest_progress(schema.empty(schema.PROGRESS)).height == 0


def test_progress_matches_register_project_by_name(tmp_path):
    # The register has the code; the scheduling table omits it: the progress row takes the code.
    reg = [["2023年政府投资项目计划清单"], ["单位：万元"], ["序号", "项目名称", "项目代码", "总投资", "年度计划投资"],
           ["一、新建项目（1项）"], [1, "甲 项目", "2301-620200-04-01-000777", 100, 50]]
    prog = [["2023年1-10月政府投资项目调度表"], ["单位：万元"], ["序号", "项目名称", "1-10月完成投资"], [1, "甲项目", 30]]
    ds = load_workbooks([write_workbook(tmp_path / "r.xlsx", {"政府投资项目": reg}),
                         write_workbook(tmp_path / "p.xlsx", {"10月调度": prog})])
    assert ds.progress["project_id"].to_list() == ["2301-620200-04-01-000777"]
    # by nature of the progress sheet comes from the register (the table has no 建设性质)
    assert ds.sheets[1].by_nature["new"]["completed_ytd_wan"] == 30


def test_period_unknown_is_an_error(tmp_path):
    rows = [["2023年政府投资项目建设进度调度表"], ["单位：万元"], ["序号", "项目名称", "累计完成投资"], [1, "甲", 30]]
    ds = load_workbooks([write_workbook(tmp_path / "p.xlsx", {"Sheet1": rows})])
    p = ds.problems.filter(code="period_unknown").row(0, named=True)
    assert (p["row"], p["column"]) == (1, "A")
    assert ds.sheets[0].rows == {"read": 4, "loaded": 0, "structure": 3, "rejected": 1}


def test_cumulative_header_with_year_only(tmp_path):
    rows = [["2023年1-9月政府投资项目建设进度调度表"], ["单位：万元"],
            ["序号", "项目名称", "总投资", "2023年累计完成投资"], [1, "甲", 100, 40]]
    ds = load_workbooks([write_workbook(tmp_path / "p.xlsx", {"9月调度": rows})])
    assert not ds.has_errors
    assert ds.progress["completed_ytd_wan"].to_list() == [40.0]


def test_missing_completed_column(tmp_path):
    rows = [["2023年1-9月政府投资项目建设进度调度表"], ["单位：万元"], ["序号", "项目名称", "总投资"], [1, "甲", 100]]
    ds = load_workbooks([write_workbook(tmp_path / "p.xlsx", {"9月调度": rows})])
    # the title says 调度, so this is a scheduling table, and its missing 1-X月完成投资 column is an error
    kinds = [s.kind for s in ds.sheets]
    assert kinds == ["progress"]
    p = ds.problems.filter(code="column_missing").row(0, named=True)
    assert p["row"] == 3 and "完成投资" in p["message"]
    assert ds.sheets[0].rows == {"read": 4, "loaded": 0, "structure": 3, "rejected": 1}


def test_completed_above_register_total_when_table_has_no_total(tmp_path):
    # The weekly table has no 总投资 column; the register says 甲项目 costs 100 万元 in all; 150 is reported.
    reg = [["2023年政府投资项目计划清单"], ["单位：万元"], ["序号", "项目名称", "总投资", "年度计划投资"],
           ["一、续建项目"], [1, "甲项目", 100, 50], [2, "乙项目", 300, 50]]
    week = [["2023年政府投资项目周调度表（第43周）"], ["单位：万元"], ["序号", "项目名称", "累计完成投资"],
            [1, "甲项目", 150], [2, "乙项目", 120]]
    r = write_workbook(tmp_path / "r.xlsx", {"政府投资项目": reg})
    w = write_workbook(tmp_path / "w.xlsx", {"第43周": week})
    ds = load_workbooks([r, w])
    p = ds.problems.filter(code="completed_above_total").row(0, named=True)
    assert (p["file"], p["row"], p["column"]) == (str(w), 4, "C")
    assert "150" in p["message"] and "100" in p["message"]
    assert ds.progress.height == 0  # the weekly sheet is rejected whole
    assert ds.memberships.height == 2  # the register still loads
