"""Blank input templates (issue 4, point 7): official layout, drop-downs, formats, locked header,
Chinese instructions; a filled-in template loads cleanly; a value outside a drop-down is reported."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from jygproj.io import load_workbooks
from jygproj.templates import GUIDE_SHEET, validate_against_template, write_templates


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> list[Path]:
    return write_templates(tmp_path_factory.mktemp("templates"), year=2023, month=11)


def _by_name(templates, word: str) -> Path:
    return next(p for p in templates if word in p.name)


def _headers(ws) -> dict[str, int]:
    """Header text → column, reading the two header rows (group cells on row 3, subs on row 4)."""
    out = {}
    for c in range(1, ws.max_column + 1):
        top, sub = ws.cell(row=3, column=c).value, ws.cell(row=4, column=c).value
        out[sub if sub and top is None or sub in ("合计", "一季度", "二季度", "三季度", "四季度") else top] = c
    return out


def _fill(path: Path, out: Path, rows: list[dict]) -> Path:
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    heads = _headers(ws)
    first = 5 if ws.cell(row=4, column=heads["项目名称"]).value is None and any(
        ws.cell(row=4, column=c).value for c in range(1, ws.max_column + 1)) else 4
    for i, row in enumerate(rows):
        for header, value in row.items():
            ws.cell(row=first + i, column=heads[header], value=value)
    wb.save(out)
    return out


def test_one_template_per_list_and_a_scheduling_table(templates):
    names = [p.name for p in templates]
    assert len(names) == 7
    for label in ("省列重大项目", "全省重点投资项目", "市级领导包抓项目", "政府投资项目", "产业投资项目",
                  "房地产投资项目", "项目建设进度调度表"):
        assert any(label in n for n in names), label


def test_layout_dropdowns_formats_protection_and_guide(templates):
    wb = load_workbook(_by_name(templates, "政府投资项目"))
    ws = wb.worksheets[0]
    assert ws.cell(row=1, column=1).value == "2023年嘉峪关市政府投资项目计划清单"
    assert ws.cell(row=2, column=ws.max_column).value == "单位：万元"
    heads = _headers(ws)
    lists = {next(iter(dv.sqref.ranges)).bounds[0]: dv.formula1
             for dv in ws.data_validations.dataValidation if dv.type == "list"}
    assert lists[heads["建设性质"]] == '"续建,新建,预备"'
    assert "市教育局" in lists[heads["责任单位"]]  # a responsible unit of 二(四)
    # amounts: number format and a decimal validation; data cells unlocked, header locked
    amount = ws.cell(row=4, column=heads["总投资"])
    assert amount.number_format == "#,##0.00" and amount.protection.locked is False
    assert ws.cell(row=3, column=1).protection.locked is True and ws.protection.sheet is True
    assert GUIDE_SHEET in wb.sheetnames
    guide = "\n".join(str(c.value) for c in wb[GUIDE_SHEET]["A"] if c.value)
    assert "嘉政办发〔2023〕39号" in guide and "下拉" in guide


def test_provincial_template_in_yi_with_quarters(templates):
    ws = load_workbook(_by_name(templates, "全省重点投资项目")).worksheets[0]
    assert ws.cell(row=2, column=ws.max_column).value == "单位：亿元"
    assert [ws.cell(row=4, column=c).value for c in range(1, ws.max_column + 1) if ws.cell(row=4, column=c).value] \
        == ["合计", "一季度", "二季度", "三季度", "四季度"]


def test_scheduling_template_has_list_and_yes_no_dropdowns(templates):
    ws = load_workbook(_by_name(templates, "调度表")).worksheets[0]
    formulas = [dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert any("政府投资项目" in f and "产业投资项目" in f for f in formulas)
    assert any(f == '"已开工,未开工,已复工,是,否"' for f in formulas)
    assert ws.cell(row=3, column=9).value == "1-11月完成投资"


GOOD_ROWS = [
    {"序号": 1, "项目名称": "嘉峪关市第九中学改扩建项目", "项目代码": "2303-620200-04-01-123456",
     "建设性质": "新建", "建设单位": "嘉峪关市教育局", "责任单位": "市教育局", "行业领域": "教育",
     "建设规模及内容": "改扩建教学楼", "总投资": 12000, "年度计划投资": 3000,
     "计划开工时间": dt.datetime(2023, 4, 1)},
    {"序号": 2, "项目名称": "城区供水管网改造项目", "项目代码": "2201-620200-04-01-654321",
     "建设性质": "续建", "建设单位": "嘉峪关市水务局", "责任单位": "市水务局", "行业领域": "水利",
     "建设规模及内容": "改造供水管网12公里", "总投资": 8000.5, "年度计划投资": 2500},
]


def test_filled_template_loads_cleanly(templates, tmp_path):
    path = _fill(_by_name(templates, "政府投资项目"), tmp_path / "filled.xlsx", GOOD_ROWS)
    assert validate_against_template(path) == []
    ds = load_workbooks([path])
    # the 填报说明 sheet is instructions, not data: it is read as remark rows, with no problem at all
    assert ds.problems.to_dicts() == []
    guide = next(s for s in ds.sheets if s.sheet == GUIDE_SHEET)
    assert guide.rows["read"] == guide.rows["structure"] > 0
    m = ds.memberships
    assert m.height == 2 and sorted(m["nature"].cast(str).to_list()) == ["continuing", "new"]
    assert m["total_investment_wan"].sum() == pytest.approx(20000.5)  # 12000 + 8000.5
    assert m["annual_plan_wan"].sum() == pytest.approx(5500)


def test_filled_scheduling_template_loads_cleanly(templates, tmp_path):
    rows = [{"序号": 1, "项目名称": "城区供水管网改造项目", "项目代码": "2201-620200-04-01-654321",
             "清单": "政府投资项目", "建设性质": "续建", "责任单位": "市水务局", "总投资": 8000,
             "年度计划投资": 2500, "1-11月完成投资": 2100, "是否开工": "已复工",
             "开工时间": dt.datetime(2023, 3, 10), "形象进度": "完成管网铺设10公里", "存在问题": "无",
             "填报日期": dt.datetime(2023, 12, 4)}]
    path = _fill(_by_name(templates, "调度表"), tmp_path / "sched.xlsx", rows)
    assert validate_against_template(path) == []
    ds = load_workbooks([path])
    assert ds.problems.to_dicts() == []
    row = ds.progress.row(0, named=True)
    assert (row["period"], row["completed_ytd_wan"], row["list"]) == ("2023-11", 2100.0, "government")


def test_value_outside_a_dropdown_is_reported(templates, tmp_path):
    bad = [dict(GOOD_ROWS[0]), dict(GOOD_ROWS[1], 责任单位="市发改局", 总投资="约8000")]
    bad[0]["建设性质"] = "改建"
    path = _fill(_by_name(templates, "政府投资项目"), tmp_path / "bad.xlsx", bad)
    found = {(p["row"], p["column"], p["header"], p["value"], p["code"]) for p in validate_against_template(path)}
    assert found == {(4, "D", "建设性质", "改建", "value_not_in_list"),
                     (5, "F", "责任单位", "市发改局", "value_not_in_list"),
                     (5, "I", "总投资", "约8000", "amount_not_number")}
    # the loader also refuses the nature it cannot read
    ds = load_workbooks([path])
    assert "nature_not_understood" in ds.problems["code"].to_list()
