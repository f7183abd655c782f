"""Write the sample as the offices lay their workbooks out (shared/domain.md, “Official Excel tables as
they really arrive”; the real-layout corpus, tests/io_corpus.py, cites a public form for each).

Each list has its own office style, so the sample exercises the loaders: provincial lists in 亿元
with two-row quarterly headers and section rows; the government list in 万元 with a 填报单位 line,
line breaks in headers, 小计 rows and a few amounts typed as text; the industrial list without
section rows (建设性质 column), 合计 at the bottom; the real-estate list with units in the headers
and Chinese 序号.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from jygproj.sample.baseline import BaselineRow
from jygproj.sample.plan import CONTINUING, NEW, PREPARATORY, Plan, Project
from jygproj.sample.progress import (
    Trajectory, cum_at, image_progress, issues_text, month_end,
)
from jygproj.sample.registration import Registration
from jygproj.sample.reserve import ReserveProject
from jygproj.sample.xlsx import (
    BORDER, SAMPLE_MARK, SHORT_MARK, Head, new_workbook, save_deterministic, style_row,
    write_frame, write_remarks,
)
from jygproj.schema import LISTS, RESERVE_STEPS

CN_NUM = "一二三四五六七八九十"
SECTION_ORDER = (CONTINUING, NEW, PREPARATORY)
FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


def cn_seq(i: int) -> str:
    """1 → 一, 12 → 十二, 105 → 一百零五, 112 → 一百一十二 (序号 written in Chinese, 1..999)."""
    if not 1 <= i <= 999:
        raise ValueError(f"Chinese 序号 is written here for 1..999, not {i}")
    if i <= 10:
        return CN_NUM[i - 1]
    if i < 100:
        tens, ones = divmod(i, 10)
        return (CN_NUM[tens - 1] if tens > 1 else "") + "十" + (CN_NUM[ones - 1] if ones else "")
    hundreds, rest = divmod(i, 100)
    head = CN_NUM[hundreds - 1] + "百"
    if rest == 0:
        return head
    if rest < 10:
        return head + "零" + CN_NUM[rest - 1]
    tens, ones = divmod(rest, 10)
    return head + CN_NUM[tens - 1] + "十" + (CN_NUM[ones - 1] if ones else "")


def as_text_number(value: float, style: int) -> str:
    """An amount typed as text, as offices do: thousands separators or full-width digits."""
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return text if style == 0 else text.replace(",", "").translate(FULL_WIDTH)


# --- registers ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Col:
    head: Head
    get: Callable[[Project], object]
    amount: str | None = None  # unit the amount column is written in ("万元"/"亿元"), else None


@dataclass(frozen=True)
class RegisterStyle:
    list_key: str
    title: str
    sheet: str
    unit_line: str | None
    unit_left: str | None
    cols: tuple[Col, ...]
    sections: bool  # section rows 一、续建项目（N项）
    subtotals: bool  # 小计 after each section
    total_at: str  # "top" | "bottom"
    seq: str  # "number" | "restart" | "chinese"
    remarks: tuple[str, ...]
    text_numbers: int = 0  # how many amount cells to type as text


def _amount_value(wan: float | None, unit: str) -> float | int | None:
    if wan is None:
        return None
    if unit == "亿元":
        return round(wan / 10_000, 2)
    return int(wan) if float(wan).is_integer() else round(wan, 1)


def _fmt(unit: str) -> str:
    return "0.00" if unit == "亿元" else "#,##0"


def _planned_text(p: Project, style: str) -> object:
    if not p.planned_start:
        return None
    y, m = int(p.planned_start[:4]), int(p.planned_start[5:7])
    if style == "date":
        return dt.datetime(y, m, 1)
    if style == "dot":
        return f"{y}.{m:02d}"
    return f"{y}年{m}月"


def _q(i: int, key: str = "quarters_wan"):
    return lambda p: (getattr(p, key) or (None,) * 4)[i]


def register_styles() -> dict[str, RegisterStyle]:
    yi, wan = "亿元", "万元"
    remarks_common = ("备注：1.本表为jygproj生成的样例数据，非官方数据，仅供软件演示和测试使用。",)
    return {
        "provincial_major": RegisterStyle(
            "provincial_major", f"2023年嘉峪关市省列重大项目清单{SAMPLE_MARK}", "省列重大项目",
            "单位：亿元", None,
            (Col(Head("序号", width=6), lambda p: None),
             Col(Head("项目名称", width=30), lambda p: p.name_on("provincial_major")),
             Col(Head("项目代码", width=26), lambda p: p.code),
             Col(Head("建设单位", width=24), lambda p: p.owner),
             Col(Head("建设规模及内容", width=30), lambda p: p.content),
             Col(Head("总投资"), lambda p: p.total_wan, yi),
             Col(Head("合计", "年度计划投资", 9), lambda p: p.annual_wan, yi),
             Col(Head("一季度", "年度计划投资", 9), _q(0), yi),
             Col(Head("二季度", "年度计划投资", 9), _q(1), yi),
             Col(Head("三季度", "年度计划投资", 9), _q(2), yi),
             Col(Head("四季度", "年度计划投资", 9), _q(3), yi),
             Col(Head("力争目标", width=9), lambda p: p.stretch_wan, yi),
             Col(Head("计划开工时间", width=12),
                 lambda p: _planned_text(p, "cn") if p.nature == NEW else None),
             Col(Head("责任单位", width=14), lambda p: p.responsible),
             Col(Head("牵头单位", width=14), lambda p: p.lead),
             Col(Head("备注", width=16), lambda p: p.remark or None)),
            sections=True, subtotals=True, total_at="top", seq="restart",
            remarks=remarks_common + ("2.力争目标为“大提速”力争年度投资（嘉政办发〔2023〕39号 二(一)），不作为年度计划。",)),
        "provincial_key": RegisterStyle(
            "provincial_key", f"2023年嘉峪关市全省重点投资项目（亿元以上）计划表{SAMPLE_MARK}",
            "全省重点投资项目", "单位：亿元", None,
            (Col(Head("序号", width=6), lambda p: None),
             Col(Head("项目名称", width=32), lambda p: p.name_on("provincial_key")),
             Col(Head("项目代码", width=26), lambda p: p.code),
             Col(Head("建设性质", width=8), lambda p: p.nature),
             Col(Head("建设单位", width=24), lambda p: p.owner),
             Col(Head("责任单位", width=14), lambda p: p.responsible),
             Col(Head("行业领域", width=10), lambda p: p.sector),
             Col(Head("总投资"), lambda p: p.total_wan, yi),
             Col(Head("合计", "2023年计划投资", 9), lambda p: p.annual_wan, yi),
             Col(Head("一季度", "2023年计划投资", 9), _q(0), yi),
             Col(Head("二季度", "2023年计划投资", 9), _q(1), yi),
             Col(Head("三季度", "2023年计划投资", 9), _q(2), yi),
             Col(Head("四季度", "2023年计划投资", 9), _q(3), yi),
             Col(Head("计划开工时间", width=12),
                 lambda p: _planned_text(p, "cn") if p.nature == NEW else None),
             Col(Head("备注", width=14), lambda p: None)),
            sections=True, subtotals=False, total_at="top", seq="restart",
            remarks=remarks_common + ("2.续建项目一季度全部复工；新建项目计划二、三、四季度分别开工10、11、6项（二(二)）。",)),
        "leader_package": RegisterStyle(
            "leader_package", f"2023年嘉峪关市市级领导包抓项目目标任务表{SAMPLE_MARK}",
            "市级领导包抓项目", "单位：万元", "牵头单位：市发展改革委",
            (Col(Head("序号", width=6), lambda p: None),
             Col(Head("包抓领导", width=11), lambda p: p.leader),
             Col(Head("项目名称", width=32), lambda p: p.name_on("leader_package")),
             Col(Head("建设性质", width=8), lambda p: p.nature),
             Col(Head("责任单位", width=14), lambda p: p.responsible),
             Col(Head("建设单位", width=24), lambda p: p.owner),
             Col(Head("总投资", width=11), lambda p: p.total_wan, wan),
             Col(Head("合计", "年度计划投资", 10), lambda p: sum(p.package_quarters_wan or ()), wan),
             Col(Head("一季度", "年度计划投资", 10), _q(0, "package_quarters_wan"), wan),
             Col(Head("二季度", "年度计划投资", 10), _q(1, "package_quarters_wan"), wan),
             Col(Head("三季度", "年度计划投资", 10), _q(2, "package_quarters_wan"), wan),
             Col(Head("四季度", "年度计划投资", 10), _q(3, "package_quarters_wan"), wan),
             Col(Head("备注", width=18), lambda p: _package_remark(p))),
            sections=False, subtotals=False, total_at="bottom", seq="number",
            remarks=remarks_common + ("2.年度计划投资为包抓目标任务，按季度倒排工期（二(三)）。",)),
        "government": RegisterStyle(
            "government", f"2023年嘉峪关市政府投资项目计划清单{SAMPLE_MARK}", "政府投资项目",
            "单位：万元", "填报单位：市发展改革委、市财政局",
            (Col(Head("序号", width=6), lambda p: None),
             Col(Head("项目名称", width=32), lambda p: p.name_on("government")),
             Col(Head("项目代码", width=26), lambda p: p.code),
             Col(Head("建设性质", width=8), lambda p: p.nature),
             Col(Head("建设单位", width=24), lambda p: p.owner),
             Col(Head("责任单位", width=14), lambda p: p.responsible),
             Col(Head("建设规模及内容", width=28), lambda p: p.content),
             Col(Head("总投资\n（万元）", width=11), lambda p: p.total_wan, wan),
             Col(Head("年度计划投资\n（万元）", width=11),
                 lambda p: p.annual_wan if p.nature != PREPARATORY else "—", wan),
             Col(Head("计划开工时间", width=12),
                 lambda p: _planned_text(p, "date") if p.nature != CONTINUING else None),
             Col(Head("备注", width=14), lambda p: p.remark or None)),
            sections=True, subtotals=True, total_at="top", seq="number",
            remarks=remarks_common + ("2.续建项目全部复工，新建项目力争一季度开工，一季度不能开工的6月底前全部开工（二(四)）。",
                                      "3.预备项目年度计划投资暂不安排。"),
            text_numbers=4),
        "industrial": RegisterStyle(
            "industrial", f"2023年嘉峪关市产业投资项目计划清单{SAMPLE_MARK}", "产业投资项目",
            "单位：万元", None,
            (Col(Head("序号", width=6), lambda p: None),
             Col(Head("项目名称", width=34), lambda p: p.name_on("industrial")),
             Col(Head("项目代码", width=26), lambda p: p.code),
             Col(Head("建设性质", width=8), lambda p: p.nature),
             Col(Head("建设单位", width=24), lambda p: p.owner),
             Col(Head("责任单位", width=14), lambda p: p.responsible),
             Col(Head("所属行业", width=10), lambda p: p.sector),
             Col(Head("建设内容", width=28), lambda p: p.content),
             Col(Head("计划总投资", width=11), lambda p: p.total_wan, wan),
             Col(Head("2023年计划投资", width=11),
                 lambda p: p.annual_wan if p.nature != PREPARATORY else None, wan),
             Col(Head("计划开工年月", width=11),
                 lambda p: _planned_text(p, "dot") if p.nature != CONTINUING else None),
             Col(Head("备注", width=14), lambda p: p.remark or None)),
            sections=False, subtotals=False, total_at="bottom", seq="number",
            remarks=("注：1.本表为样例数据，非官方数据。", "2.预备项目年内具备开工条件（二(五)）。"),
            text_numbers=2),
        "real_estate": RegisterStyle(
            "real_estate", f"2023年嘉峪关市房地产投资项目计划清单{SAMPLE_MARK}", "房地产投资项目",
            "单位：亿元", None,
            (Col(Head("序号", width=6), lambda p: None),
             Col(Head("项目名称", width=30), lambda p: p.name_on("real_estate")),
             Col(Head("项目代码", width=26), lambda p: p.code),
             Col(Head("建设性质", width=8), lambda p: p.nature),
             Col(Head("建设单位", width=24), lambda p: p.owner),
             Col(Head("责任单位", width=14), lambda p: p.responsible),
             Col(Head("建设规模及内容", width=24), lambda p: p.content),
             Col(Head("总投资（亿元）", width=11), lambda p: p.total_wan, yi),
             Col(Head("年度计划投资（亿元）", width=11),
                 lambda p: p.annual_wan if p.nature != PREPARATORY else None, yi),
             Col(Head("计划开工时间", width=12),
                 lambda p: _planned_text(p, "cn") if p.nature != CONTINUING else None),
             Col(Head("备注", width=12), lambda p: None)),
            sections=False, subtotals=False, total_at="top", seq="chinese",
            remarks=remarks_common),
    }


def _package_remark(p: Project) -> str | None:
    if "provincial_major" in p.lists:
        return "省列重大项目"
    if "provincial_key" in p.lists:
        return "全省重点投资项目"
    return p.remark or None


def _sorted_for(list_key: str, projects: list[Project]) -> list[Project]:
    order = {n: i for i, n in enumerate(SECTION_ORDER)}
    if list_key == "leader_package":
        return sorted(projects, key=lambda p: (p.leader or "", order[p.nature], p.pid))
    return sorted(projects, key=lambda p: (order[p.nature], p.pid))


#: How each register writes its 入库 columns (是否入库 words, 入库时间 style); the leader package's
#: target table has none.
REGISTER_REGISTRATION = {"provincial_major": ("cn", "date"), "provincial_key": ("cn", "date"),
                         "government": ("yn", "dot"), "industrial": ("cn", "dot"), "real_estate": ("yn", "cn")}
#: The lists are compiled at the start of the year: their 入库 status is as of this day.
REGISTER_STATUS_DAY = dt.date(2022, 12, 31)


def _registration_cols(style: RegisterStyle, registration: dict[str, Registration] | None) -> RegisterStyle:
    """The style with 是否入库 / 入库时间 before its last (备注) column, when registration is given."""
    if registration is None or style.list_key not in REGISTER_REGISTRATION:
        return style
    words, date_style = REGISTER_REGISTRATION[style.list_key]

    def status(p: Project) -> str:
        return _registered_word(registration[p.pid], REGISTER_STATUS_DAY, words)

    def when(p: Project):
        r = registration[p.pid]
        return _start_cell(r.registered_on, date_style) if r.registered_by(REGISTER_STATUS_DAY) else None

    cols = style.cols[:-1] + (Col(Head("是否入库", width=8), status), Col(Head("入库时间", width=12), when),
                              style.cols[-1])
    return dataclasses.replace(style, cols=cols)


def write_register(plan: Plan, style: RegisterStyle, path: Path, rng: random.Random,
                   registration: dict[str, Registration] | None = None) -> Path:
    style = _registration_cols(style, registration)
    wb = new_workbook()
    ws = wb.active
    ws.title = style.sheet
    heads = [c.head for c in style.cols]
    n = len(heads)
    # the unit line names the sheet's unit; a column whose header says （亿元） overrides it
    row = write_frame(ws, style.title, style.unit_line, heads, style.unit_left)
    projects = _sorted_for(style.list_key, plan.on(style.list_key))
    amount_idx = [j for j, c in enumerate(style.cols) if c.amount]
    formats = {j + 1: _fmt(style.cols[j].amount) for j in amount_idx}
    name_col = next(j for j, c in enumerate(style.cols) if c.head.text == "项目名称")

    def sums(group: list[Project]) -> dict[int, float]:
        out = {}
        for j in amount_idx:
            vals = [style.cols[j].get(p) for p in group]
            out[j] = sum(v for v in vals if isinstance(v, (int, float)))
        return out

    def total_row(r: int, label: str, group: list[Project], label_col: int) -> int:
        s = sums(group)
        ws.cell(row=r, column=label_col + 1, value=label)
        for j, v in s.items():
            ws.cell(row=r, column=j + 1, value=_amount_value(v, style.cols[j].amount))
        style_row(ws, r, n, bold=True, formats=formats)
        return r + 1

    if style.total_at == "top":
        row = total_row(row, "合计", projects, 0 if style.seq != "chinese" else name_col)
    # choose which amount cells are typed as text (deterministic)
    text_cells: dict[tuple[str, int], int] = {}  # (project, column) → 0 separators / 1 full-width
    if style.text_numbers:
        picks = rng.sample(projects, style.text_numbers)
        for k, p in enumerate(picks):
            text_cells[(p.pid, rng.choice(amount_idx))] = k % 2
    groups = ([[p for p in projects if p.nature == nat] for nat in SECTION_ORDER]
              if style.sections else [projects])
    seq = 0
    for gi, group in enumerate(g for g in groups if g):
        if style.sections:
            nat = group[0].nature
            ws.cell(row=row, column=1, value=f"{CN_NUM[gi]}、{nat}项目（{len(group)}项）")
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=name_col + 1)
            style_row(ws, row, n, bold=True)
            row += 1
            if style.seq == "restart":
                seq = 0
        for p in group:
            seq += 1
            for j, col in enumerate(style.cols):
                if j == 0:
                    value = cn_seq(seq) if style.seq == "chinese" else seq
                else:
                    value = col.get(p)
                    if col.amount and isinstance(value, (int, float)):
                        value = _amount_value(value, col.amount)
                        if (p.pid, j) in text_cells:
                            value = as_text_number(value, text_cells[(p.pid, j)])
                ws.cell(row=row, column=j + 1, value=value)
            style_row(ws, row, n, formats=formats)
            row += 1
        if style.subtotals:
            row = total_row(row, "小计", group, name_col)
    if style.total_at == "bottom":
        row += 1  # a blank spacer row before the total, as typed by hand
        row = total_row(row, "合计", projects, name_col)
    write_remarks(ws, row + 1, n, style.remarks)
    return save_deterministic(wb, path)


# --- scheduling tables --------------------------------------------------------------------------

@dataclass(frozen=True)
class ProgressStyle:
    list_key: str
    code: bool
    sections: bool
    two_row: bool  # "1-10月" over 完成投资 / 投资完成率
    started_words: str  # "cn" 已开工/未开工/已复工 | "yn" 是/否
    start_style: str  # "date" | "dot" | "cn"
    rate: str  # "number" (85.3 under （%）) | "text" ("85.3%")


PROGRESS_STYLES = {
    "provincial_major": ProgressStyle("provincial_major", True, False, False, "cn", "date", "number"),
    "provincial_key": ProgressStyle("provincial_key", True, True, True, "cn", "date", "number"),
    "government": ProgressStyle("government", False, True, False, "yn", "dot", "text"),
    "industrial": ProgressStyle("industrial", True, False, False, "cn", "cn", "number"),
    "real_estate": ProgressStyle("real_estate", False, False, False, "cn", "date", "text"),
}
#: Lists that get monthly scheduling tables (二(八)); the leader package is followed through them.
PROGRESS_LISTS = tuple(PROGRESS_STYLES)


def reported_on(month: int, list_key: str) -> dt.date:
    """填报日期: key projects by the 5th of the next month (二(八)), others a few days later."""
    y, m = (2023, month + 1) if month < 12 else (2024, 1)
    return dt.date(y, m, 4 if list_key == "provincial_key" else 6)


def _start_cell(d: dt.date | None, style: str):
    if d is None:
        return None
    if style == "date":
        return dt.datetime(d.year, d.month, d.day)
    if style == "dot":
        return f"{d.year}.{d.month}.{d.day}"
    return f"{d.year}年{d.month}月{d.day}日"


def _started_word(p: Project, t: Trajectory, day: dt.date, words: str) -> str:
    started = t.started_by(day)
    if words == "yn":
        return "是" if started else "否"
    if p.nature == CONTINUING:
        return "已复工" if started else "否"
    return "已开工" if started else "未开工"


def _registered_word(reg: Registration, day: dt.date, words: str) -> str:
    registered = reg.registered_by(day)
    if words == "yn":
        return "是" if registered else "否"
    return "已入库" if registered else "未入库"


def _rate(done: float, annual: float, style: str):
    if annual <= 0:
        return "—"
    pct = round(done / annual * 100, 1)
    return pct if style == "number" else f"{pct}%"


def progress_title(list_key: str, month: int, correction: bool = False) -> str:
    fix = "（更正）" if correction else ""
    return f"2023年1-{month}月{LISTS[list_key]}建设进度调度表{fix}{SHORT_MARK}"


def write_progress(plan: Plan, trajs: dict[str, Trajectory], list_key: str, month: int,
                   path: Path, reported: dt.date, correction: bool = False,
                   overrides: dict[str, int] | None = None,
                   registration: dict[str, Registration] | None = None) -> Path:
    """One monthly scheduling table (1-``month``月) for one list. ``overrides`` replaces some
    projects' cumulative figures (an erroneous first submission, later corrected). With
    ``registration``, the table carries 是否入库 and 入库时间 after 开工时间, as of the month's end."""
    st = PROGRESS_STYLES[list_key]
    wb = new_workbook()
    ws = wb.active
    ws.title = f"{month}月调度"
    ytd = f"1-{month}月"
    heads = [Head("序号", width=6), Head("项目名称", width=32)]
    if st.code:
        heads.append(Head("项目代码", width=26))
    heads += [Head("建设性质", width=8), Head("责任单位", width=14), Head("总投资", width=11),
              Head("年度计划投资", width=11)]
    if st.two_row:
        heads += [Head("完成投资", ytd, 11), Head("投资完成率（%）", ytd, 9)]
    else:
        label = f"{ytd}累计完成投资" if list_key == "provincial_major" else f"{ytd}完成投资"
        heads += [Head(label, width=11), Head("投资完成率（%）" if st.rate == "number" else "投资完成率",
                                               width=9)]
    heads += [Head("是否开工", width=8), Head("开工时间", width=12)]
    if registration is not None:
        heads += [Head("是否入库", width=8), Head("入库时间", width=12)]
    heads += [Head("形象进度", width=30), Head("存在问题", width=30), Head("填报日期", width=11),
              Head("备注", width=10)]
    n = len(heads)
    row = write_frame(ws, progress_title(list_key, month, correction), "单位：万元", heads)
    day = month_end(2023, month)
    projects = _sorted_for(list_key, plan.on(list_key))
    done_of = {p.pid: (overrides or {}).get(p.pid, trajs[p.pid].cum_wan[month]) for p in projects}
    # 合计 at the top, as the statistics office does
    ws.cell(row=row, column=1, value="合计")
    total_cols = {"总投资": sum(p.total_wan for p in projects),
                  "年度计划投资": sum(p.annual_wan for p in projects),
                  "done": sum(done_of.values())}
    for j, h in enumerate(heads):
        if h.text in ("总投资", "年度计划投资"):
            ws.cell(row=row, column=j + 1, value=total_cols[h.text])
        elif h.text in ("完成投资", f"{ytd}累计完成投资", f"{ytd}完成投资"):
            ws.cell(row=row, column=j + 1, value=total_cols["done"])
    style_row(ws, row, n, bold=True, formats={j + 1: "#,##0" for j in range(n)})
    row += 1
    groups = ([[p for p in projects if p.nature == nat] for nat in SECTION_ORDER]
              if st.sections else [projects])
    seq = 0
    for gi, group in enumerate(g for g in groups if g):
        if st.sections:
            ws.cell(row=row, column=1, value=f"{CN_NUM[gi]}、{group[0].nature}项目（{len(group)}项）")
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
            style_row(ws, row, n, bold=True)
            row += 1
        for p in group:
            seq += 1
            t = trajs[p.pid]
            done = done_of[p.pid]
            started = t.started_by(day)
            values = [seq, p.name_on(list_key)]
            if st.code:
                values.append(p.code)
            values += [p.nature, p.responsible, p.total_wan,
                       p.annual_wan if p.nature != PREPARATORY else "—", done,
                       _rate(done, p.annual_wan, st.rate), _started_word(p, t, day, st.started_words),
                       _start_cell(t.start if started else None, st.start_style)]
            if registration is not None:
                reg = registration[p.pid]
                values += [_registered_word(reg, day, st.started_words),
                           _start_cell(reg.registered_on, st.start_style) if reg.registered_by(day) else None]
            values += [image_progress(p, t, month), issues_text(t, month, p) or None,
                       dt.datetime(reported.year, reported.month, reported.day), None]
            for j, v in enumerate(values):
                ws.cell(row=row, column=j + 1, value=v)
            style_row(ws, row, n, formats=_progress_formats(heads))
            row += 1
    write_remarks(ws, row + 1, n, (f"备注：本表为样例数据，非官方数据。统计截至2023年{month}月{day.day}日。",))
    return save_deterministic(wb, path)


def _progress_formats(heads: Sequence[Head]) -> dict[int, str]:
    out = {}
    for j, h in enumerate(heads):
        if h.text in ("总投资", "年度计划投资", "完成投资") or h.text.endswith("完成投资"):
            out[j + 1] = "#,##0"
        elif h.text.startswith("投资完成率"):
            out[j + 1] = "0.0"
        elif h.text in ("开工时间", "入库时间", "填报日期"):
            out[j + 1] = "yyyy-mm-dd"
    return out


def write_weekly(plan: Plan, trajs: dict[str, Trajectory], week: int, monday: dt.date,
                 sunday: dt.date, path: Path) -> Path:
    """政府投资项目周调度表 (二(四)/二(八): government projects are scheduled weekly)."""
    wb = new_workbook()
    ws = wb.active
    ws.title = f"第{week}周"
    title = (f"2023年政府投资项目周调度表（第{week}周 {monday.month}月{monday.day}日-"
             f"{sunday.month}月{sunday.day}日）{SHORT_MARK}")
    heads = [Head("序号", width=6), Head("项目名称", width=32), Head("建设性质", width=8),
             Head("责任单位", width=14), Head("年度计划投资", width=11), Head("本周完成投资", width=10),
             Head("累计完成投资", width=11), Head("投资完成率", width=9), Head("是否开工", width=8),
             Head("形象进度", width=30), Head("存在问题", width=30), Head("填报日期", width=11)]
    n = len(heads)
    row = write_frame(ws, title, "单位：万元", heads, "填报单位：市发展改革委")
    reported = sunday + dt.timedelta(days=1)
    projects = _sorted_for("government", plan.on("government"))
    for seq, p in enumerate(projects, 1):
        t = trajs[p.pid]
        done = cum_at(t, sunday)
        week_done = done - cum_at(t, monday - dt.timedelta(days=1))
        month = min(sunday.month, 12)
        values = [seq, p.name_on("government"), p.nature, p.responsible,
                  p.annual_wan if p.nature != PREPARATORY else "—", week_done, done,
                  _rate(done, p.annual_wan, "text"), "是" if t.started_by(sunday) else "否",
                  image_progress(p, t, month), issues_text(t, month, p) or None,
                  dt.datetime(reported.year, reported.month, reported.day)]
        for j, v in enumerate(values):
            ws.cell(row=row, column=j + 1, value=v)
        style_row(ws, row, n, formats={5: "#,##0", 6: "#,##0", 7: "#,##0", 12: "yyyy-mm-dd"})
        row += 1
    write_remarks(ws, row + 1, n, ("备注：本表为样例数据，非官方数据；累计完成投资为截至本周日的年度累计数。",))
    return save_deterministic(wb, path)


# --- baseline and reserve ------------------------------------------------------------------------

def write_baseline(rows: list[BaselineRow], path: Path) -> Path:
    """One sheet per year, the current year first: 月份, the prior year's comparable cumulative, the
    year's published cumulative and growth (the statistics bureau's monthly release)."""
    wb = new_workbook()
    years = sorted({r.year for r in rows}, reverse=True)
    for k, year in enumerate(years):
        ws = wb.active if k == 0 else wb.create_sheet()
        ws.title = "固定资产投资基数" if k == 0 else f"{year}年"
        heads = [Head("月份", width=10), Head(f"{year - 1}年累计完成（可比口径）", width=16),
                 Head(f"{year}年累计完成", width=14), Head(f"{year}年累计增速（%）", width=14)]
        row = write_frame(ws, f"嘉峪关市{year}年固定资产投资月度累计（可比口径，样例数据）", "单位：万元", heads)
        for r in (r for r in rows if r.year == year):
            ws.cell(row=row, column=1, value=f"1-{r.month}月")
            ws.cell(row=row, column=2, value=r.prior_cum_wan)
            ws.cell(row=row, column=3, value=r.current_cum_wan)
            ws.cell(row=row, column=4, value=r.growth_pct)
            style_row(ws, row, 4, formats={2: "#,##0", 3: "#,##0", 4: "0.0"})
            row += 1
        note = (f"注：样例数据，非官方数据；1-2月合并统计；{year - 1}年为可比口径累计数"
                + ("；累计增速尚未公布的月份留空。" if k == 0 else "。"))
        write_remarks(ws, row + 1, 4, (note,))
    return save_deterministic(wb, path)


def write_reserve(projects: list[ReserveProject], path: Path) -> Path:
    wb = new_workbook()
    ws = wb.active
    ws.title = "储备项目库"
    heads = [Head("序号", width=6), Head("项目名称", width=32), Head("项目代码", width=26),
             Head("领域", width=9), Head("资金渠道", width=14), Head("项目类型", width=14),
             Head("总投资", width=10), Head("预计首年投资", width=10), Head("责任单位", width=14),
             Head("建设单位", width=12), Head("储备层级", width=10)]
    heads += [Head(label, "前期手续办理情况", 16) for label in RESERVE_STEPS.values()]
    n = len(heads)
    row = write_frame(ws, f"嘉峪关市2023年项目储备库{SHORT_MARK}", "单位：万元", heads)
    for seq, p in enumerate(projects, 1):
        values = [seq, p.name, p.code, p.domain, p.channel, p.project_type, p.total_wan,
                  p.first_year_wan, p.responsible, p.owner, p.tier]
        values += [p.steps[k] for k in RESERVE_STEPS]
        for j, v in enumerate(values):
            ws.cell(row=row, column=j + 1, value=v)
        style_row(ws, row, n, formats={7: "#,##0", 8: "#,##0"})
        row += 1
    write_remarks(ws, row + 1, n, (
        "备注：1.样例数据，非官方数据。2.按“5年储备、3年滚动、1年实施”动态管理（二(六)）。",))
    return save_deterministic(wb, path)


__all__ = ["BORDER", "register_styles", "write_register", "write_progress", "write_weekly",
           "write_baseline", "write_reserve", "progress_title", "reported_on", "PROGRESS_LISTS"]
