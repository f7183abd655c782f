"""Official-style Excel: title, unit line, header, 合计, frozen panes, formats, formula safety."""

from __future__ import annotations

import datetime as dt

import openpyxl
import polars as pl
import pytest

from jygproj.export import Sheet, Signature, write_workbook


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
    assert ws["C4"].number_format == "#,##0"  # 万元 as offices print them: whole 万元
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


SIGN = Signature("嘉峪关市发展和改革委员会", dt.date(2023, 11, 10))


def _official(tmp_path, sample=False):
    frame = pl.DataFrame({
        "responsible_unit": ["市住建局", "市教育局"], "is_final": [True, False],
        "from_level": ["blue", "yellow"], "to_level": ["red", "blue"],
        "red_projects": pl.Series([4, 2], dtype=pl.UInt32), "missed_targets": pl.Series([2, 0], dtype=pl.UInt32),
        "source_row": [5, 6], "annual_plan_wan": [9290.4, 1000.0], "completion_pct": [84.3, 90.0],
    })
    core = pl.DataFrame({"indicator": ["月数", "项目", "完成率", "完成投资"], "value": [12.0, 32.0, 84.3, 9290.4],
                         "unit": ["月", "个", "%", "万元"]})
    path = write_workbook(tmp_path / "o.xlsx", [
        Sheet("提醒函单位", "2023年三季度需发送提醒函的单位及原因（按红色预警项目数排序）", frame, unit="个",
              labels={"is_final": "是否终期考核"}),
        Sheet("核心指标", "核心指标", core, unit=None, total_row=False),
    ], Signature(SIGN.made_by, SIGN.made_on, sample))
    return path, openpyxl.load_workbook(path)


def test_booleans_codes_and_counts_read_as_offices_write_them(tmp_path):
    _, wb = _official(tmp_path)
    ws = wb["提醒函单位"]
    header = [c.value for c in ws[3]]
    assert header[1] == "是否终期考核"
    assert [ws.cell(4, 2).value, ws.cell(5, 2).value] == ["是", "否"]  # never TRUE/FALSE
    assert [ws.cell(4, 3).value, ws.cell(4, 4).value, ws.cell(5, 3).value] == ["蓝色预警", "红色预警", "黄色预警"]
    assert ws.cell(4, 5).number_format == "#,##0" and ws.cell(4, 7).number_format == "0"
    assert ws.cell(4, 8).number_format == "#,##0"  # 万元 without decimals
    assert ws.cell(4, 9).number_format == '0.0"%"'


def test_total_row_adds_up_counts_not_positions(tmp_path):
    _, wb = _official(tmp_path)
    ws = wb["提醒函单位"]
    total = [c.value for c in ws[6]]
    assert total[0] == "合计" and total[4] == 6 and total[5] == 2  # red projects 4 + 2, targets 2 + 0
    assert total[6] is None  # source rows are positions


def test_mixed_unit_table_formats_each_row_by_its_unit(tmp_path):
    _, wb = _official(tmp_path)
    ws = wb["核心指标"]
    formats = {ws.cell(r, 1).value: ws.cell(r, 2).number_format for r in range(3, 7)}
    assert formats == {"月数": "0", "项目": "#,##0", "完成率": "0.0", "完成投资": "#,##0"}


def test_title_merged_across_the_table_and_wrapped(tmp_path):
    _, wb = _official(tmp_path)
    ws = wb["提醒函单位"]
    assert "A1:I1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A1"].alignment.wrap_text and ws["A1"].alignment.horizontal == "center"
    ws = wb["核心指标"]  # a narrow table: the long title wraps onto more lines, never cut off
    assert ws["A1"].alignment.wrap_text


def test_every_sheet_prints_on_a4_by_the_one_rule_with_the_header_repeated_and_the_footer(tmp_path):
    from jygproj.print_setup import layout, sheet_width_px

    _, wb = _official(tmp_path)
    for ws in wb:
        portrait, across = layout(sheet_width_px(ws))  # jygproj.print_setup: portrait when it fits
        assert ws.page_setup.orientation == ("portrait" if portrait else "landscape")
        assert ws.page_setup.paperSize in (9, "9")
        assert ws.sheet_properties.pageSetUpPr.fitToPage and int(ws.page_setup.fitToWidth or 1) == across
        assert ws.page_setup.fitToHeight in (0, "0")
        assert ws.print_title_rows
        assert "制表单位：嘉峪关市发展和改革委员会" in ws.oddFooter.left.text
        assert "制表日期：2023年11月10日" in ws.oddFooter.right.text and "&P" in ws.oddFooter.center.text
        cells = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        assert "制表单位：嘉峪关市发展和改革委员会　　制表日期：2023年11月10日" in cells


def test_properties_name_the_commission_and_no_tool(tmp_path):
    import zipfile

    path, wb = _official(tmp_path)
    assert wb.properties.creator == "嘉峪关市发展和改革委员会"
    with zipfile.ZipFile(path) as z:
        meta = (z.read("docProps/core.xml") + z.read("docProps/app.xml")).decode()
    assert "嘉峪关市发展和改革委员会" in meta
    for tool in ("openpyxl", "xlsxwriter", "XlsxWriter", "python", "polars", "jygproj"):
        assert tool not in meta


def test_a_workbook_from_the_sample_says_so_on_every_sheet(tmp_path):
    _, wb = _official(tmp_path, sample=True)
    for ws in wb:
        assert "样例数据" in ws["A1"].value
    _, wb = _official(tmp_path / "real")
    assert all("样例数据" not in (c.value or "") for ws in wb for row in ws.iter_rows() for c in row
               if isinstance(c.value, str))


def test_messages_lose_their_english_code_for_readers(tmp_path):
    frame = pl.DataFrame({"message": ["《a.xlsx》C列：11 个项目缺少项目代码 [code_missing]", "保留[方括号]中的中文"]})
    path = write_workbook(tmp_path / "m.xlsx", [Sheet("读取问题", "读取问题", frame, unit=None, total_row=False)], SIGN)
    ws = openpyxl.load_workbook(path)["读取问题"]
    assert [ws["A3"].value, ws["A4"].value] == ["《a.xlsx》C列：11 个项目缺少项目代码", "保留[方括号]中的中文"]


def test_short_text_columns_give_the_cells_the_long_way_gives():
    """_column_cells works out a short text column in Python (issue 18): the same values, formats
    and width as the polars way it takes for a long one."""
    from jygproj import export

    text = pl.Series(["嘉峪关项目", None, "a\x01b", "问题 [code_missing]", "第一行\n第二行很长很长", "x" * 41,
                      "", "[括号]在前", "=SUM(A1)", "全角字符" * 12])
    fmts = ("center", "wrap", "plain")
    for yes_no in (False, True):
        small = export._column_cells(text, None, "col", fmts, yes_no)
        long = export._column_cells(pl.concat([text] * 300), None, "col", fmts, yes_no)
        n = text.len()
        assert small == (long[0][:n], long[1][:n], long[2])


def test_short_sheets_put_codes_and_yes_no_in_words_as_the_long_way_does(tmp_path, monkeypatch):
    """A short frame's codes, yes/no and sums are worked out without a query per column (issue 18):
    the workbook's parts are the same bytes as the polars way a long frame takes."""
    import zipfile

    from jygproj import export

    frame = pl.DataFrame({
        "list": ["government", None, "unknown_code", "industrial"],
        "level": pl.Series(["red", "blue", None, "yellow"], dtype=pl.Categorical),
        "final": [True, None, False, True],
        "value": [3.0, float("nan"), 12.5, None],
        "unit": ["个", "%", "万元", "亿元"],
        "red_count": [1, None, 2, 3],
    })
    sheets = [Sheet("表", "标题", frame, sum_columns=["value", "red_count", "value"]),
              Sheet("空表", "空", frame.clear())]

    def parts(path):
        with zipfile.ZipFile(path) as z:
            return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}

    short = parts(write_workbook(tmp_path / "short.xlsx", sheets, SIGN))
    monkeypatch.setattr(export, "_SMALL_COLUMN", 0)
    assert parts(write_workbook(tmp_path / "long.xlsx", sheets, SIGN)) == short
