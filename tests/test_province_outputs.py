"""The large outputs sized for a province (issue 18): the Excel writer works out each column's
cells, formats and widths at once, the reply forms are written by xlsxwriter, and write_atomic lists
a folder for leftovers once a minute rather than before every file. Each is checked here against a
deliberately simple cell-by-cell rule (speed is measured in benchmarks/, not here)."""

from __future__ import annotations

import datetime as dt
import math

import openpyxl
import polars as pl
import pytest

from jygproj import export, outputs
from jygproj.followups import form
from jygproj.io.followup_books import read_followup_books
from jygproj.schema import FOLLOWUP_PROGRESS_CHOICES

TEXT = ["市住建局", "a\x01b", "缺少计划 [plan_missing]", "第一行\n第二行很长很长很长", "x" * 41, "中" * 41, None,
        "[不是代码]", "", "全角　空格", "😀表情"]


def _one_by_one(values: list, fmt_name: str | None, yes_no: bool) -> tuple[list, list, int]:
    """The rule cell by cell, as the writer had it: _cell_value, then the text look by length."""
    cells = [export._cell_value(v) for v in values]
    looks = ["col" if not isinstance(v, str) else "center" if yes_no else "wrap" if len(v) > 40 else "plain"
             for v in cells]
    width = max((export._display_width(v, fmt_name) for v in cells if v is not None), default=0)
    return cells, looks, width


@pytest.mark.parametrize("series, fmt_name, yes_no", [
    (pl.Series(TEXT), None, False),
    (pl.Series(["是", "否", None]), None, True),
    (pl.Series(["red", "blue", None], dtype=pl.Categorical), None, False),
    (pl.Series([1.5, -0.2, float("nan"), float("inf"), None, -1234567.891, 0.0]), export.AMOUNT_FORMAT, False),
    (pl.Series([0.953, -0.001, None]), export.RATE_FORMAT, False),
    (pl.Series([95.0, 100.04, None]), export.PCT_FORMAT, False),
    (pl.Series([12.345, -3.0]), export.YI_FORMAT, False),
    (pl.Series([3, -12345, None], dtype=pl.Int64), export.INT_FORMAT, False),
    (pl.Series([dt.date(2023, 10, 31), None]), export.DATE_FORMAT, False),
    (pl.Series([None, None], dtype=pl.Date), export.DATE_FORMAT, False),
    (pl.Series([["a", "b"], None, ["中文"]]), None, False),
])
def test_a_column_at_once_gives_what_cell_by_cell_gives(series, fmt_name, yes_no):
    looks = ("center", "wrap", "plain")
    values, fmts, width = export._column_cells(series, fmt_name, "col", looks, yes_no)
    want_values, want_looks, want_width = _one_by_one(series.to_list(), fmt_name, yes_no)
    same = [a is None and b is None or a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b))
            for a, b in zip(values, want_values)]
    assert all(same) and len(values) == len(want_values), (values, want_values)
    assert fmts == want_looks
    assert width == want_width


def test_the_workbook_keeps_each_cell_and_the_widest_column(tmp_path):
    frame = pl.DataFrame({"name": ["城区集中供热管网改造项目", "x\x02", "说明 [code_x]"], "plan_wan": [1234.5, None, -3.0],
                          "late": [True, False, None]})
    path = export.write_workbook(tmp_path / "t.xlsx", [export.Sheet("表", "标题", frame, total_row=False)])
    ws = openpyxl.load_workbook(path)["表"]
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=4, max_row=6)] == [
        ["城区集中供热管网改造项目", 1234.5, "是"], ["x", None, "否"], ["说明", -3, None]]
    assert ws["A4"].alignment.wrap_text is not True and ws["C4"].alignment.horizontal == "center"
    # the name column is as wide as its widest cell: 12 CJK characters count two each, + 2
    assert ws.column_dimensions["A"].width == pytest.approx(26.71, abs=0.01)


ITEMS = [form.FormItem("2023-2-001", "城区集中供热管网改造项目", "开工滞后", dt.date(2023, 8, 10)),
         form.FormItem("2023-3-002", "政府投资项目（市住建局）", "=未完成季度目标", dt.date(2023, 11, 10))]
FORM = dict(letter_title="关于加快推进项目建设进度的提醒函", review_label="2023年第三季度考核", issued_on=dt.date(2023, 11, 10),
            deadline=dt.date(2023, 11, 25), plan_name="《方案》", issuer="嘉峪关市发展和改革委员会")


def test_the_reply_form_locks_what_the_tool_wrote_and_leaves_the_rest_to_fill(tmp_path):
    path = form.write_reply_form(tmp_path / "f.xlsx", "市住建局", ITEMS, **FORM)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [form.SHEET, form.GUIDE_SHEET] and wb.active.title == form.SHEET
    assert wb.properties.creator == "嘉峪关市发展和改革委员会"
    ws = wb[form.SHEET]
    assert ws["A1"].value == "关于加快推进项目建设进度的提醒函整改落实情况反馈表" and "A1:J1" in map(str, ws.merged_cells.ranges)
    assert [c.value for c in ws[5]] == [h for h, _, _ in form.COLUMNS]
    assert [ws.cell(6, j).value for j in range(1, 6)] == [1, "2023-2-001", "城区集中供热管网改造项目", "开工滞后",
                                                          dt.datetime(2023, 8, 10)]
    assert ws["D7"].value == "=未完成季度目标" and ws["D7"].data_type == "s"  # text, never a formula
    assert [ws.cell(6, j).protection.locked for j in range(1, 11)] == [not fills for _, _, fills in form.COLUMNS]
    last = 6 + len(ITEMS) + form.FILL_ROWS - 1
    assert ws.cell(last, 1).protection.locked is False and ws.cell(last + 1, 1).value is None
    assert ws["B4"].protection.locked is False and ws["E6"].number_format == "yyyy-mm-dd"
    assert ws.protection.sheet and not ws.protection.insertRows and ws.freeze_panes == "C6"
    rules = {v.type: v for v in ws.data_validations.dataValidation}
    assert rules["list"].formula1 == '"' + ",".join(FOLLOWUP_PROGRESS_CHOICES) + '"'
    assert str(rules["list"].sqref) == f"I6:I{last}" and set(str(rules["date"].sqref).split()) == {"B4", f"H6:H{last}"}
    assert rules["date"].formula1 == "36526" and rules["date"].operator == "greaterThan"


def test_the_reply_form_gives_the_same_bytes_and_reads_back_filled_in(tmp_path):
    a = form.write_reply_form(tmp_path / "a.xlsx", "市住建局", ITEMS, **FORM)
    b = form.write_reply_form(tmp_path / "b.xlsx", "市住建局", ITEMS, **FORM)
    assert a.read_bytes() == b.read_bytes()
    answers = {"2023-2-001": form.Answer("倒排工期", "张三（副局长）", dt.date(2023, 12, 31), FOLLOWUP_PROGRESS_CHOICES[1],
                                         "已进场施工")}
    filled = form.write_reply_form(tmp_path / "c.xlsx", "市住建局", ITEMS, answers=answers,
                                   replied_on=dt.date(2023, 11, 20), atomic=False, **FORM)
    books = read_followup_books([filled])
    (reply,) = books.replies.iter_rows(named=True)
    assert (reply["item_id"], reply["measures"], reply["promised_on"], reply["replied_on"]) == (
        "2023-2-001", "倒排工期", dt.date(2023, 12, 31), dt.date(2023, 11, 20))


def test_a_folder_is_listed_for_leftovers_once_not_before_every_file(tmp_path, monkeypatch):
    dead = tmp_path / f".other.xlsx.tmp-{2 ** 22 + 7}-x1y2"  # a killed write of another file, by a pid never used
    dead.write_text("half")
    outputs._SWEPT.pop(str(tmp_path), None)
    listed = []
    real = outputs._dead_leftovers
    monkeypatch.setattr(outputs, "_dead_leftovers", lambda *a: listed.append(a) or real(*a))
    for i in range(20):
        outputs.write_atomic(tmp_path / f"{i}.txt", "x")
    assert len(listed) == 1 and not dead.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{i}.txt" for i in range(20))


# --- the workbook written by a second process (export.write_workbook_elsewhere) ---------------------


def _sheets():
    frame = pl.DataFrame({"name": ["城区集中供热管网改造项目", "x\x02", "说明 [code_x]"], "plan_wan": [1234.5, None, -3.0],
                          "late": [True, False, None], "on": [dt.date(2023, 10, 31), None, dt.date(2023, 1, 1)]})
    return [export.Sheet("表", "标题", frame), export.Sheet("二", "第二张", frame.head(1), unit=None, notes=("注",))]


def test_a_workbook_written_elsewhere_is_the_same_file(tmp_path):
    sign = export.Signature("嘉峪关市发展和改革委员会", dt.date(2023, 11, 10))
    here = export.write_workbook(tmp_path / "here.xlsx", _sheets(), sign)
    job = export.write_workbook_elsewhere(tmp_path / "there.xlsx", _sheets(), sign)
    there = job.result()
    assert there == (tmp_path / "there.xlsx").absolute() and job.result() == there  # result() twice: the same
    assert there.read_bytes() == here.read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_a_worker_error_names_the_file_and_the_sheet(tmp_path):
    bad = export.Sheet("坏表", "标题", pl.DataFrame({"x": [1]}), labels={"x": 5})  # a header that is no text
    job = export.write_workbook_elsewhere(tmp_path / "坏.xlsx", [_sheets()[0], bad])
    with pytest.raises(export.ExportError) as err:
        job.result()
    assert "《坏.xlsx》" in str(err.value) and "“坏表”" in str(err.value)
    assert str(err.value).endswith("[sheet_write_failed]") and err.value.code == "sheet_write_failed"
    assert not (tmp_path / "坏.xlsx").exists()


def test_the_review_writes_the_same_workbook_by_either_process(tmp_path, monkeypatch):
    from jygproj import paths, quarterly
    from jygproj.report import review_files

    review = quarterly.build_review(quarterly.load_inputs(paths.SAMPLE_2023, 2023),
                                    quarterly.ReviewParams(2023, 3, "", "2023-10"))
    here = review_files.write_outputs(review, tmp_path / "here")
    monkeypatch.setattr(review_files, "PARALLEL_CELLS", 0)
    there = review_files.write_outputs(review, tmp_path / "there")
    assert list(there) == list(here)
    assert there["excel"].read_bytes() == here["excel"].read_bytes()
    assert (tmp_path / "there" / "summary.json").read_bytes() == (tmp_path / "here" / "summary.json").read_bytes()
