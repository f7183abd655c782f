"""The "must show" register: merged title, unit line, two-row header, 合计 row, section rows and numbers
typed as text load with the right counts and totals per construction nature, in 万元 and in 亿元 alike."""

from __future__ import annotations

import datetime as dt

import pytest

from jygproj import schema
from jygproj.io import load_workbooks, normalise_name
from test_io_builders import EXPECTED_BY_NATURE, build_register, write_workbook


@pytest.mark.parametrize("unit", ["万元", "亿元"])
def test_register_counts_and_totals_per_nature(tmp_path, unit):
    ds = load_workbooks([build_register(tmp_path, unit=unit)])
    assert not ds.has_errors
    sheet = ds.sheets[0]
    assert (sheet.kind, sheet.list, sheet.unit) == ("register", "government", unit)
    # 16 rows: title, unit line, 2 header rows, 合计, 3 sections, blank, remark = 10 structure; 6 projects
    assert sheet.rows == {"read": 16, "loaded": 6, "structure": 10, "rejected": 0}
    for nature, (n, total, annual) in EXPECTED_BY_NATURE.items():
        got = sheet.by_nature[nature]
        assert got["projects"] == n
        assert got["total_investment_wan"] == pytest.approx(total)
        assert got["annual_plan_wan"] == pytest.approx(annual)
    # city totals in 万元: 64345.6 total, 15500 annual (the 合计 row agrees, so no total_mismatch)
    m = ds.memberships
    assert m["total_investment_wan"].sum() == pytest.approx(64345.6)
    assert m["annual_plan_wan"].sum() == pytest.approx(15500)
    assert ds.problems.filter(code="total_mismatch").height == 0


def test_register_values_as_typed(tmp_path):
    ds = load_workbooks([build_register(tmp_path)])
    m = {r["source_row"]: r for r in ds.memberships.to_dicts()}
    assert m[7]["total_investment_wan"] == 12345.6  # typed "12,345.6"
    assert m[10]["annual_plan_wan"] == 5000.0  # typed "５０００" (full-width)
    assert m[14]["annual_plan_wan"] is None  # typed "—"
    assert m[7]["planned_start"] == dt.date(2022, 5, 1)  # an Excel date
    assert m[8]["planned_start"] == dt.date(2022, 8, 1)  # "2022年8月"
    assert m[10]["planned_start"] == dt.date(2023, 4, 15)  # "2023.4.15"
    assert m[11]["planned_start"] == dt.date(2023, 3, 11)  # "3月中旬" in the title's year
    assert m[12]["planned_start"] == dt.date(2023, 6, 1)  # "2023-06"
    assert (m[10]["q1_plan_wan"], m[10]["q4_plan_wan"]) == (1000.0, 1000.0)
    assert m[7]["project_id"] == "2201-620200-04-01-000001"
    assert m[8]["project_id"] == "N:" + normalise_name("嘉峪关市第三中学教学楼建设项目")
    assert ds.memberships.schema == schema.MEMBERSHIPS
    assert ds.projects.schema == schema.PROJECTS


def test_one_code_warning_per_sheet(tmp_path):
    ds = load_workbooks([build_register(tmp_path)])
    w = ds.problems.filter(code="code_missing")
    assert w.height == 1  # three rows without code (8, 12, 14), one warning
    assert "第8、12、14行" in w["message"][0]


def test_unit_line_in_yi_beside_header_in_wan(tmp_path):
    # Unit line says 亿元 but F3 says 总投资（万元）: the header wins for F, the unit line for the rest.
    # Amounts are the 万元 figures, so F (12,345.6) reads as 万元 and G (3000) as 3000 亿元.
    path = build_register(tmp_path, cells={"L2": "单位：亿元", "F3": "总投资（万元）"})
    ds = load_workbooks([path])
    w = ds.problems.filter(code="unit_conflict").row(0, named=True)
    assert (w["row"], w["column"]) == (3, "F")
    assert "亿元" in w["message"] and "万元" in w["message"]
    row7 = ds.memberships.filter(source_row=7).row(0, named=True)
    assert row7["total_investment_wan"] == 12345.6
    assert row7["annual_plan_wan"] == 3000 * 10_000


def test_nature_from_column_without_sections(tmp_path):
    rows = [["2023年嘉峪关市产业投资项目计划表"], ["单位：亿元"],
            ["序号", "项目名称", "建设性质", "计划总投资\n（亿元）", "2023年计划投资"],
            [1, "甲项目", "续建", "1.5", 0.5], [2, "乙项目", "新建", 2, 1], [3, "丙项目", "新开工", "3", "1.2"]]
    ds = load_workbooks([write_workbook(tmp_path / "产业.xlsx", {"Sheet1": rows})])
    assert not ds.has_errors
    s = ds.sheets[0]
    assert s.list == "industrial"
    assert s.by_nature["continuing"]["total_investment_wan"] == pytest.approx(15000)
    # new: 2 + 3 亿元 = 50000 万元; annual 1 + 1.2 = 22000 万元
    assert s.by_nature["new"] == {"projects": 2, "total_investment_wan": pytest.approx(50000),
                                  "annual_plan_wan": pytest.approx(22000), "completed_ytd_wan": None}


def test_total_row_below_data_and_subtotals(tmp_path):
    # 小计 after each section; 合计 at the bottom; 小计 of 新建 wrong: 5 instead of 3 + 4 = 7.
    rows = [["2023年市级领导包抓项目清单"], ["单位：万元"], ["序号", "项目名称", "总投资", "年度计划投资"],
            ["一、续建项目（1项）"], [1, "甲", 10, 1], ["小计", None, 10, 1],
            ["二、新建项目（2项）"], [1, "乙", 20, 3], [2, "丙", 30, 4], ["小计", None, 50, 5],
            ["合计", None, 60, 8], ["注：包抓领导见附件。"], ["填报人：张三"]]
    ds = load_workbooks([write_workbook(tmp_path / "包抓.xlsx", {"市级领导包抓项目": rows})])
    # a 小计 that disagrees with its own section is an error (issue 12, point 7): the sheet loads nothing
    s = ds.sheets[0]
    assert s.rows == {"read": 13, "loaded": 0, "structure": 10, "rejected": 3}
    w = ds.problems.filter(code="total_mismatch").sort("row").to_dicts()
    assert [(p["row"], p["column"], p["severity"]) for p in w] == [(10, "D", "error")]
    assert "为 5 万元" in w[0]["message"] and "之和为 7 万元" in w[0]["message"] and "相差 -2 万元" in w[0]["message"]


def test_same_project_on_two_lists_is_one_project(tmp_path):
    # Coded on the provincial list, uncoded (and spelled with full-width brackets) on the city list.
    prov = [["2023年省列重大项目清单"], ["单位：亿元"], ["序号", "项目名称", "项目代码", "总投资", "年度计划投资", "力争目标"],
            ["一、续建项目"], [1, "嘉峪关 冷链物流中心(一期)", "2301-620200-04-01-000009", 10, 2, 2.2]]
    city = [["2023年产业投资项目计划表"], ["单位：万元"], ["序号", "项目名称", "总投资", "年度计划投资", "建设性质"],
            [1, "嘉峪关冷链物流中心（一期）", 100000, 18000, "续建"]]
    ds = load_workbooks([write_workbook(tmp_path / "a.xlsx", {"省列重大项目": prov}),
                         write_workbook(tmp_path / "b.xlsx", {"产业投资项目": city})])
    assert not ds.has_errors
    assert ds.projects.height == 1
    assert sorted(ds.memberships["list"].cast(str).to_list()) == ["industrial", "provincial_major"]
    assert set(ds.memberships["project_id"]) == {"2301-620200-04-01-000009"}
    prov_row = ds.memberships.sort("list").row(0, named=True)  # enum order: provincial_major first
    assert prov_row["stretch_plan_wan"] == pytest.approx(22000)
    # the provincial list comes first in the plan's order, so its figures stand for the project
    assert ds.projects["annual_plan_wan"][0] == pytest.approx(20000)


def test_normalise_name_variants():
    a = normalise_name("嘉峪关市ＡＢＣ有限责任公司 年产10万吨项目【一期】")
    b = normalise_name("嘉峪关市abc有限公司年产10万吨项目(一期)")
    assert a == b
    assert normalise_name("讨赖河生态修复工程（一期）") != normalise_name("讨赖河生态修复工程（二期）")


def test_amounts_in_yuan_and_breakdown_rows(tmp_path):
    # 单位：元 → 万元 ÷ 10,000; "其中：" rows break the 合计 down and are not projects.
    rows = [["2023年房地产投资项目计划表（单位：元）"], ["序号", "项目名称及建设内容", "估算总投资", "年度计划投资", "建设性质"],
            ["合计", None, 300_000_000, 50_000_000], ["其中：续建项目", None, 100_000_000, 20_000_000],
            [1, "甲小区", "100,000,000", 20_000_000, "续建"], [2, "乙小区", 200_000_000, 30_000_000, "新建"]]
    ds = load_workbooks([write_workbook(tmp_path / "房地产.xlsx", {"房地产投资项目": rows})])
    assert not ds.has_errors
    s = ds.sheets[0]
    assert (s.unit, s.list) == ("元", "real_estate")
    assert s.rows == {"read": 6, "loaded": 2, "structure": 4, "rejected": 0}
    # 1亿元 = 10,000 万元; 2000万元 annual
    assert s.by_nature["continuing"]["total_investment_wan"] == pytest.approx(10_000)
    assert s.by_nature["continuing"]["annual_plan_wan"] == pytest.approx(2_000)
    assert ds.problems.filter(code="total_mismatch").height == 0


def test_missing_name_column_and_unrecognised_header(tmp_path):
    rows = [["2023年政府投资项目计划清单"], ["单位：万元"], ["编号", "工程", "总投资"], [1, "甲", 10]]
    ds = load_workbooks([write_workbook(tmp_path / "无表头.xlsx", {"政府投资项目": rows})])
    p = ds.problems.filter(code="header_not_found").row(0, named=True)
    assert p["severity"] == "error"
    assert ds.sheets[0].rows == {"read": 4, "loaded": 0, "structure": 0, "rejected": 4}
