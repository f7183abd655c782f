"""Workbooks laid out the way offices send them, built in code (openpyxl) for the io tests.

Each builder returns the path of a good workbook; ``cells`` overrides single cells ("F7": "abc") so a
test can break exactly one cell and assert the error names it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment

# The "must show" register (政府投资项目), in 万元. Rows 7-8 continuing, 10-12 new, 14 preparatory.
#   total:  12345.6 + 8000 + 20000 + 15000 + 6000 + 3000 = 64345.6
#   annual: 3000 + 2000 + 5000 + 4000 + 1500 + 0 = 15500 (= Q 2200 + 5300 + 5200 + 2800)
REGISTER_PROJECTS = [
    # (section, name, code, nature, total, annual, q1, q2, q3, q4, planned start)
    ("continuing", "嘉峪关市城区供热管网改造工程", "2201-620200-04-01-000001", "续建", 12345.6, 3000, 500, 1000, 1000, 500,
     dt.datetime(2022, 5, 1)),
    ("continuing", "嘉峪关市第三中学教学楼建设项目", None, "续建", 8000, 2000, 200, 800, 700, 300, "2022年8月"),
    ("new", "讨赖河生态修复工程（一期）", "2301-620200-04-01-000003", "新建", 20000, 5000, 1000, 1500, 1500, 1000,
     "2023.4.15"),
    ("new", "嘉峪关市冷链物流中心", "2302-620200-04-01-000004", "新建", 15000, 4000, 500, 1500, 1500, 500, "3月中旬"),
    ("new", "峪泉镇污水处理厂扩建项目", None, "新建", 6000, 1500, 0, 500, 500, 500, "2023-06"),
    ("preparatory", "嘉峪关市体育中心建设项目", None, "预备", 3000, None, None, None, None, None, None),
]
SECTION_TITLES = {"continuing": "一、续建项目（2项）", "new": "二、新建项目（3项）", "preparatory": "三、预备项目（1项）"}
HEADER_TOP = ["序号", "项目名称", "项目代码", "建设性质", "建设单位", "总投资", "年度计划投资", None, None, None, None,
              "计划开工时间", "备注"]
HEADER_SUB = [None, None, None, None, None, None, "合计", "一季度", "二季度", "三季度", "四季度", None, None]
# Expected per nature (万元): continuing 2 projects 20345.6 / 5000; new 3, 41000 / 10500; preparatory 1, 3000 / 0.
EXPECTED_BY_NATURE = {
    "continuing": (2, 20345.6, 5000.0),
    "new": (3, 41000.0, 10500.0),
    "preparatory": (1, 3000.0, 0.0),
}


def _as_text_in_unit(value: float, factor: float) -> float:
    return round(value / factor, 8)


def write_workbook(path: Path, sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None,
                   cells: dict[str, object] | None = None, cells_sheet: str | None = None) -> Path:
    """Write rows (lists of values, row 1 first) to sheets; then apply single-cell overrides."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row, start=1):
                if v is not None:
                    ws.cell(row=r, column=c, value=v)
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
        ws["A1"].alignment = Alignment(horizontal="center", wrap_text=True)
    target = wb[cells_sheet] if cells_sheet else wb.worksheets[0]
    for ref, v in (cells or {}).items():
        target[ref] = v
    wb.save(path)
    return path


def register_rows(unit: str = "万元", title: str | None = None) -> list[list]:
    factor = {"万元": 1.0, "亿元": 10_000.0}[unit]
    rows: list[list] = [
        [title or "2023年嘉峪关市政府投资项目计划清单（样例数据，非官方数据）"],
        ["填报单位：嘉峪关市发展和改革委员会", None, None, None, None, None, None, None, None, None, None,
         f"单位：{unit}"],
        list(HEADER_TOP),
        list(HEADER_SUB),
        ["合计", None, None, None, None, _as_text_in_unit(64345.6, factor), _as_text_in_unit(15500, factor),
         _as_text_in_unit(2200, factor), _as_text_in_unit(5300, factor), _as_text_in_unit(5200, factor),
         _as_text_in_unit(2800, factor)],
    ]
    seq = 0
    current = None
    for section, name, code, nature, total, annual, q1, q2, q3, q4, start in REGISTER_PROJECTS:
        if section != current:
            rows.append([SECTION_TITLES[section]])
            current = section
            seq = 0
        seq += 1
        amounts = [None if v is None else _as_text_in_unit(v, factor) for v in (total, annual, q1, q2, q3, q4)]
        rows.append([seq, name, code, nature, "嘉峪关市某建设单位", *amounts, start, None])
    # numbers typed as text: thousands separator, full-width digits, a dash for empty
    r7, r10, r14 = rows[6], rows[9], rows[13]
    r7[5] = f"{r7[5]:,}" if unit == "万元" else str(r7[5])
    r10[6] = "５０００" if unit == "万元" else "０.５"
    r14[6] = "—"
    rows.append([])
    rows.append(["备注：本表为样例数据，非官方数据。"])
    return rows


REGISTER_MERGES = ["A1:M1", "G3:K3", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:E4", "F3:F4", "L3:L4", "M3:M4"]


def build_register(tmp_path: Path, unit: str = "万元", cells: dict | None = None, name: str = "政府投资项目",
                   title: str | None = None, file: str = "政府投资项目（样例数据）.xlsx") -> Path:
    rows = register_rows(unit, title)
    return write_workbook(tmp_path / file, {name: rows}, {name: REGISTER_MERGES}, cells)


# --- scheduling table (调度表) ------------------------------------------------------------------
# Rows 5-8 data; row 4 合计. 1-{month}月完成投资 per project below; totals as in the register.
PROGRESS_PROJECTS = [
    ("嘉峪关市城区供热管网改造工程", "2201-620200-04-01-000001", "续建", 12345.6, 3000, "已复工", "2022年5月", "主体完工"),
    ("讨赖河生态修复工程（一期）", "2301-620200-04-01-000003", "新建", 20000, 5000, "是", "2023.4.15", "河道清淤"),
    ("嘉峪关市冷链物流中心", "2302-620200-04-01-000004", "新建", 15000, 4000, "已开工", "2023-05-10", "基础施工"),
    ("峪泉镇污水处理厂扩建项目", None, "新建", 6000, 1500, "否", None, "前期手续办理中"),
]


def progress_rows(month: int, completed: list[float], title: str | None = None, correction: bool = False) -> list[list]:
    title = title or f"2023年1-{month}月政府投资项目建设进度调度表（样例数据）{'（更正）' if correction else ''}"
    header = ["序号", "项目名称", "项目代码", "建设性质", "总投资", "年度计划投资", f"1-{month}月完成投资", "投资完成率",
              "是否开工", "开工时间", "形象进度", "存在问题", "填报日期"]
    rows: list[list] = [[title], [None, None, None, None, None, None, None, None, None, None, None, "单位：万元"], header,
                        ["合计", None, None, None, 53345.6, 13500, round(sum(completed), 6)]]
    for n, ((name, code, nature, total, annual, started, start, image), done) in enumerate(
            zip(PROGRESS_PROJECTS, completed), start=1):
        rows.append([n, name, code, nature, total, annual, done, f"{done / annual:.0%}", started, start, image, None,
                     dt.datetime(2023, month + 1 if month < 12 else 12, 3 if not correction else 8)])
    rows.append(["注：投资完成率=累计完成投资/年度计划投资。"])
    return rows


def build_progress(tmp_path: Path, month: int = 10, completed: list[float] | None = None, cells: dict | None = None,
                   name: str | None = None, title: str | None = None, correction: bool = False,
                   file: str | None = None) -> Path:
    completed = completed or [2500.0, 3000.0, 2600.0, 0.0]
    name = name or f"{month}月调度"
    file = file or f"政府投资项目调度表_2023-{month:02d}{'（更正）' if correction else ''}（样例数据）.xlsx"
    rows = progress_rows(month, completed, title, correction)
    return write_workbook(tmp_path / file, {name: rows}, {name: ["A1:M1"]}, cells)


# --- baseline and reserve -----------------------------------------------------------------------
# 2022 comparable cumulative (万元): 1-2月 100000, then +80000 a month (1-3月 180000 … 1-12月 900000).
BASELINE_PRIOR = {m: 100000.0 + 80000.0 * (m - 2) for m in range(2, 13)}


def baseline_rows(unit: str = "万元") -> list[list]:
    factor = {"万元": 1.0, "亿元": 10_000.0}[unit]
    rows: list[list] = [["嘉峪关市固定资产投资月度累计（可比口径，样例数据）"], [None, None, None, f"单位：{unit}"],
                        ["月份", "2022年累计完成（可比口径）", "2023年累计完成", "2023年累计增速（%）"]]
    for m in range(2, 13):
        current = round(BASELINE_PRIOR[m] * 1.1 / factor, 8) if m <= 9 else None
        rows.append([f"1-{m}月", round(BASELINE_PRIOR[m] / factor, 8), current, 10.0 if m <= 9 else None])
    return rows


def build_baseline(tmp_path: Path, unit: str = "万元", cells: dict | None = None) -> Path:
    return write_workbook(tmp_path / "固定资产投资基数（样例数据）.xlsx", {"固定资产投资基数": baseline_rows(unit)},
                          {"固定资产投资基数": ["A1:D1"]}, cells)


RESERVE_HEADER = ["序号", "项目名称", "项目代码", "领域", "资金渠道", "项目类型", "总投资", "首年投资", "责任单位", "建设单位",
                  "储备层级", "立项", "用地预审与选址", "规划许可", "环评", "能评", "施工图审查", "施工许可", "资金落实"]


def reserve_rows() -> list[list]:
    rows: list[list] = [["嘉峪关市2023年项目储备库（样例数据）"], ["单位：万元"], RESERVE_HEADER]
    rows.append([1, "嘉峪关市冷链物流园二期", None, "冷链物流", "专项债券", "产业", 30000, 8000, "市商务局", "某公司",
                 "1年实施", "已完成 2023.5.10", "办理中 预计2024年3月", "未启动", "已取得", "不涉及", "未启动", "未启动",
                 "办理中"])
    rows.append([2, "嘉峪关市城乡供水一体化工程", None, "水利", "中央预算内投资", "政府投资", 12000, 5000, "市水务局",
                 "市水务集团", "3年滚动", "办理中", "未启动", "未启动", "未启动", "不涉及", "未启动", "未启动", "未启动"])
    return rows


def build_reserve(tmp_path: Path, cells: dict | None = None) -> Path:
    return write_workbook(tmp_path / "储备项目库（样例数据）.xlsx", {"储备项目库": reserve_rows()},
                          {"储备项目库": ["A1:S1"]}, cells)


def test_builders_write_readable_workbooks(tmp_path):
    for p in (build_register(tmp_path), build_progress(tmp_path), build_baseline(tmp_path), build_reserve(tmp_path)):
        assert openpyxl.load_workbook(p).worksheets[0]["A1"].value
