"""Take a good workbook, break one cell, and assert the problem names that cell (issue 3, Tests).

Good layouts (see test_io_builders.py):
- register: title row 1, unit line row 2, two-row header rows 3-4, 合计 row 5, sections rows 6/9/13,
  projects rows 7-8 (续建), 10-12 (新建), 14 (预备); columns A 序号 B 项目名称 C 项目代码 D 建设性质
  E 建设单位 F 总投资 G 年度计划/合计 H-K 一至四季度 L 计划开工时间 M 备注.
- progress (1-10月): title 1, unit 2, header 3, 合计 4, projects rows 5-8; E 总投资 F 年度计划投资
  G 1-10月完成投资 I 是否开工 J 开工时间 M 填报日期.
- baseline: header row 3, months 1-2月 … 1-12月 in rows 4-14; A 月份 B 2022年累计 C 2023年累计 D 增速.
- reserve: header row 3, projects rows 4-5; G 总投资 H 首年投资 L 立项 … S 资金落实.
"""

from __future__ import annotations

import pytest

from jygproj.io import load_workbooks
from test_io_builders import build_baseline, build_progress, build_register, build_reserve

CODE_P1 = "2201-620200-04-01-000001"

CASES = [
    # (id, builder, cells, code, severity, row, column)
    ("text in total", "register", {"F7": "约1000"}, "amount_not_number", "error", 7, "F"),
    ("text in annual plan", "register", {"G8": "待定"}, "amount_not_number", "error", 8, "G"),
    ("text in Q1", "register", {"H10": "1千"}, "amount_not_number", "error", 10, "H"),
    ("two decimal points", "register", {"K11": "12..5"}, "amount_not_number", "error", 11, "K"),
    ("negative total", "register", {"F11": -5}, "amount_negative", "error", 11, "F"),
    ("planned start is a word", "register", {"L10": "明年"}, "date_not_understood", "error", 10, "L"),
    ("planned start month 13", "register", {"L11": "2023.13.5"}, "date_not_understood", "error", 11, "L"),
    ("合计 total disagrees", "register", {"F5": 99999}, "total_mismatch", "error", 5, "F"),
    ("合计 annual disagrees", "register", {"G5": 1}, "total_mismatch", "error", 5, "G"),
    ("section count wrong", "register", {"A6": "一、续建项目（3项）"}, "section_count_mismatch", "warning", 6, "A"),
    ("duplicate project by code", "register", {"C8": CODE_P1}, "duplicate_project", "error", 8, "C"),
    ("duplicate project by name", "register", {"B12": "嘉峪关市第三中学教学楼建设项目"}, "duplicate_project", "error", 12,
     "B"),
    ("start before approval year", "register", {"L7": "2021年3月"}, "start_before_approval", "error", 7, "L"),
    ("nature not understood", "register", {"D11": "改扩建"}, "nature_not_understood", "error", 11, "D"),
    ("nature contradicts section", "register", {"D11": "续建"}, "nature_conflict", "warning", 11, "D"),
    # the 合计 row follows each change, so that only the row check fires (合计 Q1 2200 + 400; annual 15500 + 7500)
    ("quarters do not add up", "register", {"H7": 900, "H5": 2600}, "quarters_mismatch", "warning", 7, "G"),
    ("annual above total", "register", {"G12": 9000, "G5": 23000}, "annual_above_total", "warning", 12, "G"),
    ("code malformed", "register", {"C10": "2301-6202"}, "code_format", "warning", 10, "C"),
    ("name missing", "register", {"B10": None}, "name_missing", "error", 10, "B"),
    ("header unit beside unit line", "register", {"F3": "总投资（亿元）"}, "unit_conflict", "warning", 3, "F"),
    ("unknown list", "register", {"A1": "2023年嘉峪关市项目计划清单"}, "list_unknown", "error", 1, "A"),
    ("text in completed", "progress", {"G6": "abc"}, "amount_not_number", "error", 6, "G"),
    ("completed above total", "progress", {"G7": 16000}, "completed_above_total", "error", 7, "G"),
    ("started not understood", "progress", {"I5": "也许"}, "started_not_understood", "error", 5, "I"),
    ("start date not understood", "progress", {"J6": "上个月"}, "date_not_understood", "error", 6, "J"),
    ("progress start before approval", "progress", {"J7": "2021-03-01"}, "start_before_approval", "error", 7, "J"),
    ("progress duplicate", "progress", {"C6": CODE_P1}, "duplicate_project", "error", 6, "C"),
    ("report date not understood", "progress", {"M5": "昨天"}, "date_not_understood", "error", 5, "M"),
    ("text in total (progress)", "progress", {"E6": "２万"}, "amount_not_number", "error", 6, "E"),
    ("progress list unknown", "progress", {"A1": "2023年1-10月项目建设进度调度表"}, "list_unknown", "error", 1, "A"),
    ("progress 合计 disagrees", "progress", {"G4": 1}, "total_mismatch", "error", 4, "G"),
    ("baseline text", "baseline", {"B5": "十八万"}, "amount_not_number", "error", 5, "B"),
    ("baseline cumulative falls", "baseline", {"B6": 100}, "cumulative_falling", "error", 6, "B"),
    ("baseline month unknown", "baseline", {"A7": "13月"}, "month_not_understood", "error", 7, "A"),
    ("baseline month twice", "baseline", {"A8": "1-4月"}, "duplicate_month", "error", 8, "A"),
    ("baseline growth text", "baseline", {"D9": "高"}, "percent_not_number", "error", 9, "D"),
    ("reserve total text", "reserve", {"G4": "三亿"}, "amount_not_number", "error", 4, "G"),
    ("reserve first-year negative", "reserve", {"H5": "-1"}, "amount_negative", "error", 5, "H"),
    ("reserve step unknown", "reserve", {"L4": "看情况"}, "step_not_understood", "warning", 4, "L"),
    ("reserve duplicate", "reserve", {"B5": "嘉峪关市冷链物流园二期"}, "duplicate_project", "error", 5, "B"),
]

BUILDERS = {
    "register": lambda tmp, cells: build_register(tmp, cells=cells, name="Sheet1" if "A1" in cells else "政府投资项目"),
    "progress": lambda tmp, cells: build_progress(tmp, cells=cells, name="Sheet1" if "A1" in cells else None,
                                                  file="调度表.xlsx"),
    "baseline": lambda tmp, cells: build_baseline(tmp, cells=cells),
    "reserve": lambda tmp, cells: build_reserve(tmp, cells=cells),
}


def test_there_are_at_least_25_cases():
    assert len(CASES) >= 25


@pytest.mark.parametrize("builder", sorted(BUILDERS))
def test_unbroken_workbook_has_no_errors(tmp_path, builder):
    ds = load_workbooks([BUILDERS[builder](tmp_path, {})])
    assert not ds.has_errors, ds.problems.filter(severity="error")["message"].to_list()


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_broken_cell_is_named(tmp_path, case):
    _, builder, cells, code, severity, row, column = case
    ds = load_workbooks([BUILDERS[builder](tmp_path, cells)])
    found = ds.problems.filter(code=code)
    assert found.height >= 1, ds.problems.select("code", "row", "column", "message").to_dicts()
    hit = found.filter(row=row, column=column)
    assert hit.height == 1, found.select("row", "column", "message").to_dicts()
    p = hit.row(0, named=True)
    assert p["severity"] == severity
    assert f"第{row}行{column}列" in p["message"]  # the Chinese message names the cell too
    assert f"[{code}]" in p["message"]
    if severity == "error":
        assert ds.has_errors
        sheet = ds.sheets[0]
        assert sheet.rows["loaded"] == 0  # a sheet with errors loads nothing
        assert sheet.rows["read"] == sheet.rows["structure"] + sheet.rows["rejected"]
    else:
        assert not ds.has_errors
        assert ds.sheets[0].rows["loaded"] > 0  # warnings do not stop loading


def test_cumulative_falling_across_months_names_the_later_cell(tmp_path):
    # Project 2 (讨赖河, row 6): 1-9月 2500, then 1-10月 2400 < 2500.
    sep = build_progress(tmp_path, month=9, completed=[2000.0, 2500.0, 2000.0, 0.0])
    oct_ = build_progress(tmp_path, month=10, cells={"G6": 2400, "G4": 7500})  # 合计 2500 + 2400 + 2600 + 0
    ds = load_workbooks([sep, oct_])
    p = ds.problems.filter(code="cumulative_falling").row(0, named=True)
    assert (p["file"], p["row"], p["column"]) == (str(oct_), 6, "G")
    assert "2400" in p["message"] and "2500" in p["message"]
    # the October sheet is rejected whole; September stays loaded
    oct_sheet = next(s for s in ds.sheets if s.path == str(oct_))
    assert oct_sheet.rows["loaded"] == 0 and oct_sheet.rows["rejected"] == 4
    assert set(ds.progress["period"].to_list()) == {"2023-09"}


def test_a_correction_may_lower_the_figure(tmp_path):
    # October first submission says 2600 for project 2; the （更正） resubmission says 2400; September 2500.
    sep = build_progress(tmp_path, month=9, completed=[2000.0, 2500.0, 2000.0, 0.0])
    oct_ = build_progress(tmp_path, month=10, completed=[2500.0, 2600.0, 2600.0, 0.0])
    fix = build_progress(tmp_path, month=10, completed=[2500.0, 2550.0, 2600.0, 0.0], correction=True)
    ds = load_workbooks([sep, oct_, fix])
    assert not ds.has_errors
    oct_rows = ds.progress.filter(period="2023-10", project_id="2301-620200-04-01-000003").sort("revision")
    assert oct_rows["revision"].to_list() == [0, 1]
    assert oct_rows["completed_ytd_wan"].to_list() == [2600.0, 2550.0]
