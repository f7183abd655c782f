"""Official-style Excel: title, unit line, header, 合计, frozen panes, formats, formula safety."""

from __future__ import annotations

import datetime as dt

import openpyxl
import polars as pl
import pytest

from jygproj.export import Sheet, write_workbook


def _frame():
    return pl.DataFrame({
        "name": ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "嘉峪关项目"],
        "list": ["government", "government", "industrial", "industrial", "real_estate"],
        "annual_plan_wan": [1000.0, 2000.0, 500.0, None, 1500.0],
        "completed_wan": [800.0, 2100.0, 400.0, 100.0, 1500.0],
        "completion_rate": [0.8, 1.05, 0.8, None, 1.0],
        "planned_start": [dt.date(2023, 3, 1)] * 5,
        "source_row": [5, 6, 7, 8, 9],
    })


@pytest.fixture
def sheet(tmp_path):
    path = write_workbook(tmp_path / "out" / "t.xlsx", [
        Sheet("完成情况", "2023年三季度投资完成情况", _frame(),
              total_ratios={"completion_rate": ("completed_wan", "annual_plan_wan")},
              labels={"completion_rate": "完成率", "completed_wan": "完成投资（万元）"}),
        Sheet("完成情况", "同名工作表", pl.DataFrame({"x_count": [1, 2]}), unit=None),
    ])
    return openpyxl.load_workbook(path)


def test_layout_title_unit_header_total_freeze(sheet):
    ws = sheet["完成情况"]
    assert ws["A1"].value == "2023年三季度投资完成情况" and ws["A1"].font.b
    assert "A1:G1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A2"].value == "单位：万元"
    header = [c.value for c in ws[3]]
    assert header[:5] == ["项目名称", "清单", "年度计划投资（万元）", "完成投资（万元）", "完成率"]
    assert all(c.font.b and c.border.bottom.style == "thin" for c in ws[3])
    assert ws["B4"].value == "政府投资项目"  # enum shown in Chinese
    assert ws.freeze_panes == "A4"
    total = [c.value for c in ws[9]]
    assert total[0] == "合计"
    assert total[2] == pytest.approx(5000.0)  # 1000 + 2000 + 500 + 1500 (blank ignored)
    assert total[3] == pytest.approx(4900.0)  # 800 + 2100 + 400 + 100 + 1500
    assert total[4] == pytest.approx(4900 / 5000)  # ratio of the sums, not a sum of rates
    assert total[6] is None  # source rows are not added up


def test_number_formats(sheet):
    ws = sheet["完成情况"]
    assert ws["C4"].number_format == "#,##0.00"
    assert ws["E4"].number_format == "0.0%"
    assert ws["E9"].number_format == "0.0%"
    assert ws["F4"].number_format == "yyyy-mm-dd"
    assert ws.column_dimensions["A"].width >= 12


def test_text_starting_like_a_formula_is_never_a_formula(sheet):
    ws = sheet["完成情况"]
    values = [ws.cell(row=r, column=1) for r in range(4, 8)]
    assert [c.value for c in values] == ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)"]
    assert all(c.data_type == "s" for c in values)
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_duplicate_sheet_names_and_no_unit_line(sheet):
    assert sheet.sheetnames == ["完成情况", "完成情况(2)"]
    ws = sheet["完成情况(2)"]
    assert [c.value for c in ws[2]] == ["x_count"] and ws.freeze_panes == "A3"
    assert ws["A5"].value == 3  # first column numeric: 合计 row holds 1 + 2


def test_write_is_atomic_no_temp_left(tmp_path):
    write_workbook(tmp_path / "a.xlsx", [Sheet("s", "t", pl.DataFrame({"a_wan": [1.0]}))])
    assert [p.name for p in tmp_path.iterdir()] == ["a.xlsx"]
