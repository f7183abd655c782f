"""What calamine's cells do not say, read from the sheet's own XML (issue 12, points 4-5): hidden rows
and columns and merged ranges, in Excel coordinates turned into the grid's; a sheet too large to
examine says so."""

from __future__ import annotations

import openpyxl

from jygproj.io import load_workbooks, workbook
from jygproj.io.workbook import open_workbook


def _book(tmp_path, name="表.xlsx"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["B2"] = "2023年1-9月政府投资项目调度表"
    for r, row in enumerate([["序号", "项目名称", "总投资", "1-9月完成投资"], [1, "甲项目", 100, 10], [2, "乙项目", 200, 20],
                             [3, "丙项目", 300, 30]], start=3):
        for c, v in enumerate(row, start=2):
            ws.cell(r, c, v)
    ws.row_dimensions[5].hidden = True  # 乙项目
    ws.column_dimensions["D"].hidden = True  # 总投资
    ws.merge_cells("B2:E2")
    path = tmp_path / name
    wb.save(path)
    return path


def test_hidden_rows_columns_and_merges_in_grid_coordinates(tmp_path):
    raw = open_workbook(_book(tmp_path))[0]
    # the grid starts at B2 (calamine trims the empty first row and column)
    assert (raw.row_offset, raw.col_offset) == (1, 1)
    assert raw.hidden_rows == {3} and raw.hidden_cols == {2} and raw.merges == ((0, 0, 0, 3),)
    assert raw.shape_known


def test_hidden_project_row_is_named_not_loaded(tmp_path):
    ds = load_workbooks([_book(tmp_path)])
    assert not ds.has_errors, ds.problems["message"].to_list()
    assert sorted(ds.progress["completed_ytd_wan"].to_list()) == [10.0, 30.0]
    hidden = ds.problems.filter(code="hidden_rows").row(0, named=True)
    assert (hidden["row"], hidden["column"]) == (5, "C") and "乙项目" in hidden["message"]
    cols = ds.problems.filter(code="hidden_columns").row(0, named=True)
    assert "D列“总投资”（已读取：没有同义的可见列）" in cols["message"]


def test_a_sheet_too_large_to_examine_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "SHAPE_SCAN_MAX_BYTES", 100)
    ds = load_workbooks([_book(tmp_path)])
    assert ds.problems.filter(code="shape_not_checked").height == 1
    assert ds.progress.height == 3  # the hidden row is then read like the others, and the note says why
    assert ds.problems.filter(code="hidden_columns").height == 1  # hidden columns are still known
