"""Issue 14 (statistical registration, 先入库，后有数): 是否入库/入统 and 入库/入统时间 read from registers
into projects and from scheduling tables into progress, as ``registered`` (Boolean) and
``registered_on`` (Date); null when the sheet has no such column; a word it cannot read is an error
naming the cell."""

from __future__ import annotations

import datetime as dt

from jygproj import schema
from jygproj.io import load_workbooks
from test_io_builders import write_workbook


def test_register_registration_to_projects(tmp_path):
    rows = [["2023年嘉峪关市产业投资项目计划表"], ["单位：万元"],
            ["序号", "项目名称", "建设性质", "总投资", "年度计划投资", "是否入库", "入库时间"],
            [1, "甲项目", "续建", 1000, 300, "已入库", "2022-05-10"], [2, "乙项目", "新建", 2000, 800, "否", None],
            [3, "丙项目", "新建", 500, 100, None, None]]
    ds = load_workbooks([write_workbook(tmp_path / "产业.xlsx", {"产业投资项目": rows})])
    assert not ds.has_errors, ds.problems["message"].to_list()
    got = {r["name"]: (r["registered"], r["registered_on"]) for r in ds.projects.to_dicts()}
    assert got == {"甲项目": (True, dt.date(2022, 5, 10)), "乙项目": (False, None), "丙项目": (None, None)}
    assert ds.projects.schema == schema.PROJECTS
    assert list(ds.projects.columns[-2:]) == ["registered", "registered_on"]


def test_scheduling_table_registration_to_progress(tmp_path):
    rows = [["2023年1-9月产业投资项目建设进度调度表"], ["单位：万元"],
            ["序号", "项目名称", "总投资", "1-9月完成投资", "是否入统", "入统时间"],
            [1, "甲项目", 1000, 300, "已入统", "2023年4月"], [2, "乙项目", 2000, 0, "未入统", "—"]]
    ds = load_workbooks([write_workbook(tmp_path / "调度.xlsx", {"9月": rows})])
    assert not ds.has_errors, ds.problems["message"].to_list()
    got = ds.progress.sort("source_row").select("registered", "registered_on").rows()
    assert got == [(True, dt.date(2023, 4, 1)), (False, None)]
    assert ds.progress.schema == schema.PROGRESS
    # a project's own registration comes from the registers only: here there is none
    assert ds.projects["registered"].null_count() == ds.projects.height


def test_no_registration_column_gives_nulls(tmp_path):
    rows = [["2023年1-9月产业投资项目建设进度调度表"], ["单位：万元"], ["序号", "项目名称", "1-9月完成投资"],
            [1, "甲项目", 300]]
    ds = load_workbooks([write_workbook(tmp_path / "调度.xlsx", {"9月": rows})])
    assert ds.progress["registered"].to_list() == [None] and ds.progress["registered_on"].to_list() == [None]


def test_registration_word_not_understood_names_the_cell(tmp_path):
    rows = [["2023年1-9月产业投资项目建设进度调度表"], ["单位：万元"], ["序号", "项目名称", "1-9月完成投资", "是否入库"],
            [1, "甲项目", 300, "办理中"]]
    ds = load_workbooks([write_workbook(tmp_path / "调度.xlsx", {"9月": rows})])
    p = ds.problems.filter(code="registered_not_understood").row(0, named=True)
    assert (p["severity"], p["row"], p["column"], p["value"]) == ("error", 4, "D", "办理中")
    assert "第4行D列" in p["message"] and "已入库/未入库" in p["message"]


def test_sample_registration_equals_an_independent_reading():
    # forecast's test helper reads 是否入库/入库时间 straight from the workbooks (openpyxl, cell by
    # cell); the loader's canonical columns say the same for every project and every report
    import polars as pl
    import pytest

    from forecast_frames import with_registration
    from jygproj.io import load_dataset
    from jygproj.paths import SAMPLE_2023

    if not any(SAMPLE_2023.glob("*.xlsx")):
        pytest.skip("sample not generated yet")
    ds = load_dataset(SAMPLE_2023)
    for table in ("projects", "progress"):
        mine = getattr(ds, table)
        theirs = with_registration(mine.drop("registered", "registered_on"))
        assert mine.select("registered", "registered_on").equals(theirs.select("registered", "registered_on")), table
        assert mine["registered"].null_count() < mine.height
    assert ds.progress.filter(pl.col("registered") == False)["registered_on"].null_count() > 0  # noqa: E712
