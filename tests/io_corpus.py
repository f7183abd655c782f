"""A corpus of office workbook layouts (issue 12, point 9), generated with openpyxl, each with its
expected reading or its expected located error.

Each variant is modelled on a public form or export; its ``source`` cites it (a public page's address,
a public repository's file, or a public code excerpt found by the exact header text), or the issue
itself where the variant reproduces one of the 47 failing real-layout workbooks it describes.

The expected figures are computed here from PROJECTS, by plain arithmetic, never by reading a
workbook back: the corpus is an independent check of the reader's figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

# --- sources (see each variant's ``source``) ------------------------------------------------------
ISSUE = "issue 12 (failure classes of the 47 real-layout workbooks)"
DOMAIN = "shared/domain.md, “Official Excel tables as they really arrive”"
PLATFORM = ("github 1015770492/excel-import-export, src/test/java/top/yumbo/excel/test/entity/ImportForInveProj.java "
            "(投资项目平台“项目总表”导出: 委内责任处室, 开工以来累计完成投资, 本年累计完成投资, 本月完成投资, 是否已入库, 入库时间)")
MULTILEVEL = ("github 1015770492/excel-import-export, src/test/java/top/yumbo/excel/test/entity/"
              "ImportRegularTitle_For_multiLevelTitle.java (2021年1-3月完成投资 › 绝对值 / 增速（%） / 单月完成数 / 进度（%）, "
              "one group per month)")
NANPING = ("github catkins10/cms, WebContent/dpc/keyproject/investCompleteEdit.jsp (当月完成投资, 年初至报告期累计完成投资, "
           "占年计划（%）, 开工至报告期累计完成投资)")
JIANGXI = ("public code, 江西省公路工程统计月报表 (found by the header text “开工至本月底”): 一、项目计划 / 二、本年元月至本月完成情况 / "
           "三、本月进展情况 / 四、自开工至本月底累计完成情况; 自元月至本月完成投资（万元）, 开工至本月完成投资（万元）")
GXCM = ("https://gx-cm.com/www/zwgk/fdxxgknr/zdxm/202110/t20211018_1834042 (1-9月份州重点项目投资完成情况汇总表, "
        "单位:个、亿元, 隶属 | 项目个数 | 年投资计划 | 完成投资额; 续建类 / 新开类)")
MINHOU = "http://minhou.gov.cn/xjwz/zwgk/zdlyxxgk/zdxm/xmjz/202307/t20230712_4636205.htm (在建项目 / 计划新开工项目 / 预备项目)"
HANZHONG = "http://www.hanzhong.gov.cn/hzszf/zwgk/zdjsxm/201809/t20180919_538245.shtml (续建 / 新建 / 建成 / 前期项目; 前8月)"
GANSU2017 = "https://www.xinxilanzhou.com/2017/0406/2995.shtml (省列重大项目: 续建 / 计划新开工; 竣工投产)"
GANSU2015 = ("http://my.ally.net.cn/index.php/a/lists/catid/1499/ucatid/1277/commid/1/id/2076/siteid/6/ (省上重点推进 / "
             "省上督导、市州重点推进; 按建设阶段 续建 / 计划新开工 / 预备)")
SHANGHAI = "https://paper.xinmin.cn/html/xmwb/2026-02-10/1/231518.html (正式项目 / 预备项目)"
DEZHOU = "http://mengkailong.com/industriesdevelop/503 (截至9月底; 前三季度)"
NANCHANG = "https://saintpaulhem.com/fgw/ncfzggw/xmjs/202311/cf28cc853a2f4a618eccd64a718d4e6c.shtml (前10月)"
WUJIN = "https://www.wj.gov.cn/html/czwj/2012/CKMNPPJN_0615/55609.html (年度计划投资调整: 从17.7亿元调整为15.4亿元)"
LIUAN = "https://yybnet.net/liuan/news/201901/8656629.html (年度计划完成工程量; 续建 / 新建, by sector)"
ZIGONG = "https://www.chacewang.com/newsdetail/news40117.html (续建 / 计划开工 / 加快前期项目)"
PHP = ("public code (found by the header text “包联领导”): 项目编号, 建设性质, 今年计划投资, 今年累计完成投资, 本月完成投资, "
       "包联领导, 本月进展, 问题和建议")
SHAANXI = ("public code (found by the header text “是否开复工”): 县级领导, 市级包抓领导, 市直行业主管部门, 是否开复工, 纳入情况, "
           "是否纳入统计; 当月调度投资, 累计完成投资, 开复工时间")
LEGAL = "public code (found by the header text “项目（法人）单位”): 项目代码, 项目名称, 建设性质, 项目（法人）单位"
PYEXPORT = ("public code (found by the header text “本年累计完成投资”): 截止上年底累计完成投资合计（元）, 本年累计完成投资合计（元）, "
            "本月完成投资合计（元）, 截止到目前累计完成投资合计（元）")
CHANGCHUN = "http://ccgzw.changchun.gov.cn/gzjg/201610/t20161027_1164122.html (前三季度; 开、复工)"


@dataclass(frozen=True)
class P:
    """A project, in 万元: total, annual plan, 1-9月 cumulative, September's own figure, completed up to
    the end of last year (so 开工以来 = prior + ytd)."""

    name: str
    code: str | None
    nature: str
    total: float
    annual: float | None
    ytd: float | None
    month: float | None
    prior: float
    owner: str
    unit: str
    leader: str

    @property
    def since(self) -> float:
        return self.prior + (self.ytd or 0.0)


PROJECTS = [
    P("嘉峪关市讨赖河生态治理工程", "2201-620200-04-01-100001", "continuing", 20000, 5000, 3800, 420, 6000,
      "嘉峪关市水务局", "市水务局", "张明"),
    P("嘉峪关市东湖片区供热管网改造工程", "2201-620200-04-01-100002", "continuing", 12000, 3000, 2400.5, 300, 6000,
      "嘉峪关市热力公司", "市住建局", "李华"),
    P("嘉峪关市第六中学建设项目", None, "new", 15000, 6000, 4200, 800, 0, "嘉峪关市教育局", "市教育局", "王强"),
    P("酒钢冷轧薄板产线升级改造项目", "2303-620200-04-01-100004", "new", 30000, 8000, 5100, 600, 0,
      "酒泉钢铁（集团）有限责任公司", "市工信局", "赵磊"),
    P("嘉峪关市文旅融合发展示范项目", None, "preparatory", 5000, None, None, None, 0, "嘉峪关市文旅局", "市文旅局",
      "孙丽"),
]
NATURE_CN = {"continuing": "续建", "new": "新建", "preparatory": "预备"}


def expected_by_nature(projects, *, total=True, annual=True, ytd=True) -> dict:
    """What the sheet's by_nature must say: counts and 万元 sums by nature (None where no column)."""
    out: dict = {}
    for nature in ("continuing", "new", "preparatory"):
        mine = [p for p in projects if p.nature == nature]
        if not mine:
            continue
        out[nature] = {
            "projects": len(mine),
            "total_investment_wan": round(sum(p.total for p in mine), 6) if total else None,
            "annual_plan_wan": round(sum(p.annual or 0.0 for p in mine), 6) if annual else None,
            "completed_ytd_wan": round(sum(p.ytd or 0.0 for p in mine), 6) if ytd else None,
        }
    return out


# --- writing a table -----------------------------------------------------------------------------

def header_block(paths: list[tuple[str, ...]], first_row: int, first_col: int = 1):
    """Header rows and merged ranges for column header paths (group first): a group cell merged across
    the columns under it, a shorter path merged down to the last header row."""
    depth = max(len(p) for p in paths)
    rows = [[None] * (first_col - 1 + len(paths)) for _ in range(depth)]
    merges = []
    j = 0
    while j < len(paths):
        path = paths[j]
        for level, text in enumerate(path):
            if j > 0 and len(paths[j - 1]) > level and paths[j - 1][:level + 1] == path[:level + 1]:
                continue  # inside a group already written
            span = 1
            while j + span < len(paths) and paths[j + span][:level + 1] == path[:level + 1]:
                span += 1
            col = first_col + j
            rows[level][col - 1] = text
            last_level = level if level < len(path) - 1 else depth - 1
            if span > 1 or last_level > level:
                merges.append(f"{get_column_letter(col)}{first_row + level}:"
                              f"{get_column_letter(col + span - 1)}{first_row + last_level}")
        j += 1
    return rows, merges


@dataclass
class Sheet:
    """One sheet: its rows (row 1 first), merged ranges, hidden Excel rows and column letters."""

    rows: list[list] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)
    hidden_rows: list[int] = field(default_factory=list)
    hidden_cols: list[str] = field(default_factory=list)


def write(path: Path, sheets: dict[str, Sheet]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, sh in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(sh.rows, start=1):
            for c, v in enumerate(row, start=1):
                if v is not None:
                    ws.cell(row=r, column=c, value=v)
        for rng in sh.merges:
            ws.merge_cells(rng)
        for r in sh.hidden_rows:
            ws.row_dimensions[r].hidden = True
        for letter in sh.hidden_cols:
            ws.column_dimensions[letter].hidden = True
    wb.save(path)
    return path


def start(title: list[list], cols) -> tuple[list[list], list[str]]:
    """Title lines and the header of ``cols``, for a sheet whose body a variant writes itself."""
    head, merges = header_block([c.path for c in cols], len(title) + 1)
    return title + head, merges


@dataclass
class Col:
    """A data column: its header path and the cell of a project (万元 values are divided by the
    sheet's unit factor; ``amount`` marks the columns a 合计/小计 row sums)."""

    path: tuple[str, ...]
    value: object  # callable P -> cell value
    amount: bool = False


def table(title: list[list], cols: list[Col], projects=PROJECTS, *, factor: float = 1.0,
          sections: dict[str, str] | None = None, seq=lambda n, p: n, total: str | None = "top",
          subtotals: bool = False, footer: list[list] | None = None, counts: bool = True) -> Sheet:
    """A sheet: title lines, the header of ``cols``, optionally a 合计 row (top or bottom), optionally a
    section row per nature (label from ``sections``, with its count) and a 小计 after each section."""
    sheet = Sheet()
    sheet.rows.extend(title)
    head, merges = header_block([c.path for c in cols], len(title) + 1)
    sheet.rows.extend(head)
    sheet.merges.extend(merges)

    def cell(c: Col, p: P):
        v = c.value(p)
        return round(v / factor, 8) if c.amount and isinstance(v, (int, float)) else v

    def sums(group):
        out = []
        for c in cols:
            if not c.amount:
                out.append(None)
                continue
            vals = [cell(c, p) for p in group]
            nums = [v for v in vals if isinstance(v, (int, float))]
            out.append(round(sum(nums), 8) if nums else None)
        return out

    def label_row(text, group):
        row = sums(group)
        row[0] = text
        return row

    body = []
    if sections:
        for nature in ("continuing", "new", "preparatory"):
            group = [p for p in projects if p.nature == nature]
            if not group or nature not in sections:
                continue
            label = sections[nature] + (f"（{len(group)}项）" if counts else "")
            body.append([label])
            for n, p in enumerate(group, 1):
                body.append([seq(n, p)] + [cell(c, p) for c in cols[1:]])
            if subtotals:
                body.append(label_row("小计", group))
    else:
        for n, p in enumerate(projects, 1):
            body.append([seq(n, p)] + [cell(c, p) for c in cols[1:]])
    if total == "top":
        sheet.rows.append(label_row("合计", projects))
    sheet.rows.extend(body)
    if total == "bottom":
        sheet.rows.append(label_row("合计", projects))
    sheet.rows.extend(footer or [])
    return sheet


# --- columns used by many variants ---------------------------------------------------------------
SEQ = Col(("序号",), None)
NAME = Col(("项目名称",), lambda p: p.name)
CODE = Col(("项目代码",), lambda p: p.code)
NATURE = Col(("建设性质",), lambda p: NATURE_CN[p.nature])
OWNER = Col(("建设单位",), lambda p: p.owner)
UNIT = Col(("责任单位",), lambda p: p.unit)
TOTAL = Col(("总投资",), lambda p: p.total, True)
ANNUAL = Col(("年度计划投资",), lambda p: p.annual, True)
YTD9 = Col(("1-9月完成投资",), lambda p: p.ytd, True)
STARTED = Col(("是否开工",), lambda p: "是" if p.nature == "continuing" or (p.ytd or 0) > 0 else "否")
IMAGE = Col(("形象进度",), lambda p: "主体施工" if p.ytd else "前期手续办理中")
SECTIONS = {"continuing": "一、续建项目", "new": "二、新建项目", "preparatory": "三、预备项目"}


def register_title(list_word="政府投资项目", unit="万元"):
    return [[f"2023年嘉峪关市{list_word}计划清单"], [None, None, None, None, f"单位：{unit}"]]


def progress_title(text="2023年1-9月政府投资项目建设进度调度表", unit="万元"):
    return [[text], [None, None, None, None, f"单位：{unit}"]]


def dt_(y, m, d):
    return dt.datetime(y, m, d)


# --- variants --------------------------------------------------------------------------------------

@dataclass
class Reading:
    """The expected reading of one sheet (and no error on it)."""

    sheet: str
    kind: str
    list: str | None
    unit: str | None
    period: str | None
    by_nature: dict
    file: str | None = None  # the workbook's name, when the variant has several
    warnings: tuple[str, ...] = ()  # codes the sheet must report (a pick, a hidden row…)
    loaded: int | None = None  # rows loaded, when it matters


@dataclass
class Refusal:
    """The expected located error: code, sheet, Excel row and column (None where the error names none)."""

    code: str
    sheet: str | None
    row: int | None
    column: str | None
    file: str | None = None


@dataclass
class Variant:
    id: str
    cls: str  # failure class of issue 12 (1-11), "synonyms" or "kept" (already read right: keep so)
    source: str
    build: object  # callable(tmp_path) -> list[Path]
    expect: list


VARIANTS: list[Variant] = []


def variant(id: str, cls: str, source: str, expect: list):
    def deco(fn):
        VARIANTS.append(Variant(id, cls, source, fn, expect))
        return fn
    return deco


ALL = expected_by_nature(PROJECTS)
REG = expected_by_nature(PROJECTS, ytd=False)
GOV = "government"


def one(tmp, name: str, sheet: str, sh: Sheet) -> list[Path]:
    return [write(tmp / name, {sheet: sh})]


# class 1: which completion column, which period --------------------------------------------------

@variant("c1-本年累计完成投资", "1", PLATFORM, [Reading("调度", "progress", GOV, "万元", "2023-09", ALL)])
def _(tmp):
    cols = [SEQ, NAME, CODE, NATURE, TOTAL, ANNUAL, Col(("本年累计完成投资",), lambda p: p.ytd, True)]
    return one(tmp, "c1a.xlsx", "调度", table(progress_title(), cols))


@variant("c1-年初至报告期累计完成投资", "1", NANPING, [Reading("Sheet1", "progress", GOV, "万元", "2023-09", ALL)])
def _(tmp):
    cols = [SEQ, NAME, NATURE, TOTAL, ANNUAL, Col(("当月完成投资（万元）",), lambda p: p.month, True),
            Col(("年初至报告期累计完成投资（万元）",), lambda p: p.ytd, True), Col(("占年计划（%）",), lambda p: None),
            Col(("开工至报告期累计完成投资（万元）",), lambda p: p.since, True)]
    return one(tmp, "c1b.xlsx", "Sheet1", table(progress_title("2023年9月份政府投资重点项目进度表"), cols))


@variant("c1-自元月至本月完成投资", "1", JIANGXI, [Reading("9月", "progress", GOV, "万元", "2023-09", ALL)])
def _(tmp):
    cols = [SEQ, NAME, TOTAL, Col(("本年计划投资(万元)",), lambda p: p.annual, True),
            Col(("本月完成投资（万元）",), lambda p: p.month, True),
            Col(("自元月至本月完成投资（万元）",), lambda p: p.ytd, True),
            Col(("开工至本月完成投资（万元）",), lambda p: p.since, True)]
    return one(tmp, "c1c.xlsx", "9月", table(progress_title("2023年9月政府投资项目统计月报表"), cols,
                                               sections=SECTIONS))


@variant("c1-截至9月底本年累计", "1", ISSUE, [Reading("Sheet1", "progress", GOV, "万元", "2023-09", ALL)])
def _(tmp):
    cols = [SEQ, NAME, NATURE, TOTAL, ANNUAL, Col(("截至9月底本年累计完成投资",), lambda p: p.ytd, True)]
    return one(tmp, "c1d.xlsx", "Sheet1", table(progress_title("2023年政府投资项目建设进展表"), cols))


@variant("c1-单月列在累计列之前", "1", ISSUE, [Reading("Sheet1", "progress", GOV, "万元", "2023-09", ALL)])
def _(tmp):
    # 9月份完成投资 (the month's own figure) placed before 1-9月累计完成投资: never the cumulative one
    cols = [SEQ, NAME, NATURE, TOTAL, ANNUAL, Col(("9月份完成投资",), lambda p: p.month, True),
            Col(("1-9月累计完成投资",), lambda p: p.ytd, True)]
    return one(tmp, "c1e.xlsx", "Sheet1", table(progress_title(), cols))


def _twelve_months(p: P, m: int):
    """An export's 1-m月 cumulative for a project: figures up to 1-9月, empty after."""
    if m > 9:
        return None
    return None if p.ytd is None else round(p.ytd * m / 9, 2) if m < 9 else p.ytd


@variant("c1-十二个月累计列导出（无标题调度期）", "1", MULTILEVEL,
         [Reading("导出", "progress", GOV, "万元", "2023-09", ALL, warnings=("column_pick",))])
def _(tmp):
    cols = [SEQ, NAME, NATURE, TOTAL, ANNUAL] + [
        Col((f"1-{m}月累计完成投资",), (lambda mm: lambda p: _twelve_months(p, mm))(m), m == 9) for m in range(2, 13)]
    return one(tmp, "c1f.xlsx", "导出", table([["2023年政府投资项目调度信息导出"], ["单位：万元"]], cols, total=None))


@variant("c1-十二个月累计列导出（标题1-9月）", "1", MULTILEVEL,
         [Reading("导出", "progress", GOV, "万元", "2023-09", ALL, warnings=("column_pick",))])
def _(tmp):
    cols = [SEQ, NAME, NATURE, TOTAL, ANNUAL] + [
        Col((f"2023年1-{m}月", "完成投资"), (lambda mm: lambda p: _twelve_months(p, mm))(m), m == 9)
        for m in range(2, 13)]
    return one(tmp, "c1g.xlsx", "导出", table(progress_title("2023年1-9月政府投资项目调度表"), cols, total=None))


@variant("c1-推进情况表截至9月底", "1", ISSUE, [Reading("Sheet1", "progress", GOV, "万元", "2023-09", ALL)])
def _(tmp):
    cols = [SEQ, NAME, NATURE, TOTAL, ANNUAL, Col(("累计完成投资",), lambda p: p.ytd, True), IMAGE]
    return one(tmp, "c1h.xlsx", "Sheet1", table(progress_title("嘉峪关市政府投资项目推进情况表（截至2023年9月底）"), cols))


@variant("c1-平台导出开工以来与本年累计并列", "1", PLATFORM, [Reading("项目总表", "progress", GOV, "万元", "2023-09", ALL)])
def _(tmp):
    cols = [SEQ, Col(("审批监管平台代码",), lambda p: p.code), NAME, NATURE, Col(("行业主管部门",), lambda p: p.unit),
            Col(("委内责任处室",), lambda p: "投资科"), Col(("总投资（万元）",), lambda p: p.total, True),
            Col(("开工以来累计完成投资（万元）",), lambda p: p.since, True),
            Col(("本年累计完成投资",), lambda p: p.ytd, True), Col(("剩余投资（万元）",), lambda p: p.total - p.since),
            Col(("2023年计划完成投资（万元）",), lambda p: p.annual, True), Col(("本月完成投资",), lambda p: p.month)]
    return one(tmp, "c1i.xlsx", "项目总表", table([["2023年1-9月政府投资项目总表"]], cols, total=None))


@variant("c1-只有开工以来累计（拒绝）", "1", PLATFORM, [Refusal("column_missing", "Sheet1", 3, None)])
def _(tmp):
    cols = [SEQ, NAME, NATURE, TOTAL, ANNUAL, Col(("开工以来累计完成投资",), lambda p: p.since, True)]
    return one(tmp, "c1j.xlsx", "Sheet1", table(progress_title(), cols))


@variant("c1-今年累计完成投资（月报导出）", "1", PHP, [Reading("2023-09", "progress", GOV, None, "2023-09", ALL)])
def _(tmp):
    cols = [SEQ, Col(("项目编号",), lambda p: None), NAME, NATURE, Col(("建设内容",), lambda p: "建设内容"),
            TOTAL, Col(("今年计划投资",), lambda p: p.annual, True), Col(("今年累计完成投资",), lambda p: p.ytd, True),
            Col(("本月完成投资",), lambda p: p.month), Col(("包联领导",), lambda p: p.leader),
            Col(("本月进展",), lambda p: "施工中"), Col(("问题和建议",), lambda p: None)]
    return one(tmp, "2023年1-9月政府投资项目月报.xlsx", "2023-09", table([["政府投资项目月度调度"]], cols, total=None))


@variant("c1-多级表头每月一组（绝对值/单月完成数）", "1", MULTILEVEL,
         [Reading("县区", "progress", GOV, "万元", "2023-09", ALL)])
def _(tmp):
    cols = [SEQ, NAME, NATURE, TOTAL, ANNUAL]
    for m in (8, 9):
        g = f"2023年1-{m}月完成投资"
        cols += [Col((g, "绝对值"), (lambda mm: lambda p: _twelve_months(p, mm))(m), m == 9),
                 Col((g, "增速（%）"), lambda p: None), Col((g, "单月完成数"), lambda p: p.month if m == 9 else None),
                 Col((g, "进度（%）"), lambda p: None)]
    return one(tmp, "c1l.xlsx", "县区", table(progress_title("2023年1-9月政府投资项目完成情况"), cols, total=None))


@variant("c1-三级表头（本年元月至本月/自开工至本月底）", "1", JIANGXI,
         [Reading("月报", "progress", GOV, "万元", "2023-09", ALL)])
def _(tmp):
    cols = [SEQ, Col(("一、项目计划", "项目名称"), lambda p: p.name), Col(("一、项目计划", "建设性质"), lambda p: NATURE_CN[p.nature]),
            Col(("一、项目计划", "总投资（万元）"), lambda p: p.total, True),
            Col(("一、项目计划", "本年计划投资(万元)"), lambda p: p.annual, True),
            Col(("二、本年元月至本月完成情况", "完成投资（万元）"), lambda p: p.ytd, True),
            Col(("二、本年元月至本月完成情况", "占年计划（%）"), lambda p: None),
            Col(("三、本月进展情况", "本月完成投资（万元）"), lambda p: p.month),
            Col(("四、自开工至本月底累计完成情况", "完成投资（万元）"), lambda p: p.since, True),
            Col(("四、自开工至本月底累计完成情况", "占总投资（%）"), lambda p: None)]
    return one(tmp, "c1m.xlsx", "月报", table(progress_title("2023年1-9月政府投资项目统计月报表"), cols, total="bottom"))


@variant("c1-上月与本月累计并列", "1", DOMAIN,
         [Reading("9月", "progress", GOV, "万元", "2023-09", ALL, warnings=("column_pick",))])
def _(tmp):
    cols = [SEQ, NAME, NATURE, TOTAL, ANNUAL, Col(("1-8月累计完成投资",), lambda p: _twelve_months(p, 8)),
            Col(("1-9月累计完成投资",), lambda p: p.ytd, True)]
    return one(tmp, "c1n.xlsx", "9月", table(progress_title(), cols))


# class 2: construction nature of a section ---------------------------------------------------------

def _sectioned(tmp, name, labels: dict, title=None, kind="register", sheet="Sheet1", cols=None, **kw):
    cols = cols or ([SEQ, NAME, CODE, OWNER, TOTAL, ANNUAL] if kind == "register" else [SEQ, NAME, TOTAL, ANNUAL, YTD9])
    title = title or (register_title() if kind == "register" else progress_title())
    return one(tmp, name, sheet, table(title, cols, sections=labels, **kw))


@variant("c2-续建类/开工类/预备类", "2", ISSUE, [Reading("Sheet1", "register", GOV, "万元", None, REG)])
def _(tmp):
    return _sectioned(tmp, "c2a.xlsx", {"continuing": "一、续建类", "new": "二、开工类", "preparatory": "三、预备类"})


@variant("c2-在建/计划新开工/预备", "2", MINHOU, [Reading("Sheet1", "progress", GOV, "万元", "2023-09", ALL)])
def _(tmp):
    return _sectioned(tmp, "c2b.xlsx", {"continuing": "一、在建项目", "new": "二、计划新开工项目",
                                         "preparatory": "三、预备项目"}, kind="progress")


@variant("c2-竣工投产项目为续建", "2", GANSU2017, [Reading("Sheet1", "register", "provincial_major", "万元", None, REG)])
def _(tmp):
    return _sectioned(tmp, "c2c.xlsx", {"continuing": "一、竣工投产项目", "new": "二、计划新开工项目",
                                         "preparatory": "三、前期项目"}, title=register_title("省列重大项目"))


@variant("c2-一表一性质（工作表名）", "2", ISSUE,
         [Reading(NATURE_CN[n] + "项目", "register", GOV, "万元", None, expected_by_nature(
             [p for p in PROJECTS if p.nature == n], ytd=False)) for n in ("continuing", "new", "preparatory")])
def _(tmp):
    cols = [SEQ, NAME, CODE, OWNER, TOTAL, ANNUAL]
    sheets = {NATURE_CN[n] + "项目": table(register_title(), cols, [p for p in PROJECTS if p.nature == n])
              for n in ("continuing", "new", "preparatory")}
    return [write(tmp / "c2d.xlsx", sheets)]


@variant("c2-性质在标题（新开工项目表）", "2", GANSU2017,
         [Reading("Sheet1", "register", GOV, "万元", None, expected_by_nature(
             [p for p in PROJECTS if p.nature == "new"], ytd=False))])
def _(tmp):
    new = [p for p in PROJECTS if p.nature == "new"]
    return one(tmp, "c2e.xlsx", "Sheet1", table([["2023年嘉峪关市政府投资计划新开工项目表"], ["单位：万元"]],
                                                [SEQ, NAME, OWNER, TOTAL, ANNUAL], new))


@variant("c2-无法识别的分组词（拒绝）", "2", SHANGHAI, [Refusal("section_nature_unknown", "Sheet1", 8, "A")])
def _(tmp):
    # 合计 row 4; 一、续建项目 row 5 (projects 6-7); 二、正式项目 (a word of another city's list) row 8
    sh = table(register_title(), [SEQ, NAME, OWNER, TOTAL, ANNUAL], sections={
        "continuing": "一、续建项目", "new": "二、正式项目", "preparatory": "三、预备项目"})
    return one(tmp, "c2f.xlsx", "Sheet1", sh)


@variant("c2-两级分组（省上重点推进/续建）", "2", GANSU2015,
         [Reading("Sheet1", "register", "provincial_major", "万元", None, REG)])
def _(tmp):
    cols = [SEQ, NAME, CODE, OWNER, TOTAL, ANNUAL]
    rows, merges = start(register_title("省列重大项目"), cols)
    groups = [("一、省上重点推进项目", PROJECTS[:3]), ("二、省上督导、市州重点推进项目", PROJECTS[3:])]
    for label, group in groups:
        rows.append([label])
        for k, nature in enumerate(("continuing", "new", "preparatory")):
            mine = [p for p in group if p.nature == nature]
            if not mine:
                continue
            rows.append([f"（{'一二三'[k]}）{ {'continuing': '续建项目', 'new': '计划新开工项目', 'preparatory': '预备项目'}[nature]}"])
            rows += [[n, p.name, p.code, p.owner, p.total, p.annual] for n, p in enumerate(mine, 1)]
    return one(tmp, "c2g.xlsx", "Sheet1", Sheet(rows, merges))


@variant("c2-按领域分组，性质在列", "2", GXCM, [Reading("Sheet1", "register", "industrial", "万元", None, REG)])
def _(tmp):
    cols = [SEQ, NAME, NATURE, OWNER, TOTAL, ANNUAL]
    rows, merges = start(register_title("产业投资项目"), cols)
    for label, group in (("一、基础设施类", PROJECTS[:2]), ("二、产业发展类", PROJECTS[2:4]), ("三、社会民生类", PROJECTS[4:])):
        rows.append([label])
        rows += [[n, p.name, NATURE_CN[p.nature], p.owner, p.total, p.annual] for n, p in enumerate(group, 1)]
    return one(tmp, "c2h.xlsx", "Sheet1", Sheet(rows, merges))


@variant("c2-分组与工作表名矛盾（拒绝）", "2", ISSUE, [Refusal("nature_conflict_sheet", "新开工项目", 5, "A")])
def _(tmp):
    sh = table(register_title(), [SEQ, NAME, OWNER, TOTAL, ANNUAL], [p for p in PROJECTS if p.nature == "continuing"],
               sections={"continuing": "一、续建项目"})
    return one(tmp, "c2i.xlsx", "新开工项目", sh)


@variant("c2-加快前期/计划开工", "2", ZIGONG, [Reading("Sheet1", "progress", GOV, "万元", "2023-09", ALL)])
def _(tmp):
    return _sectioned(tmp, "c2j.xlsx", {"continuing": "（一）续建项目", "new": "（二）计划开工项目",
                                         "preparatory": "（三）加快前期项目"}, kind="progress")


@variant("c2-续建类/新开类", "2", GXCM, [Reading("Sheet1", "progress", GOV, "万元", "2023-09", ALL)])
def _(tmp):
    return _sectioned(tmp, "c2k.xlsx", {"continuing": "续建类项目", "new": "新开类项目", "preparatory": "前期类项目"},
                      kind="progress", counts=False)


@variant("c2-序号列写“一”，名称列写分组", "2", DOMAIN, [Reading("Sheet1", "register", GOV, "万元", None, REG)])
def _(tmp):
    cols = [SEQ, NAME, OWNER, TOTAL, ANNUAL]
    rows, merges = start(register_title(), cols)
    for k, nature in enumerate(("continuing", "new", "preparatory")):
        mine = [p for p in PROJECTS if p.nature == nature]
        rows.append(["一二三"[k], {"continuing": "续建项目", "new": "新建项目", "preparatory": "预备项目"}[nature] + f"（{len(mine)}项）"])
        rows += [[n, p.name, p.owner, p.total, p.annual] for n, p in enumerate(mine, 1)]
    return one(tmp, "c2l.xlsx", "Sheet1", Sheet(rows, merges))


# class 3: multi-row headers ------------------------------------------------------------------------

@variant("c3-2023年计划›投资/主要建设内容", "3", ISSUE, [Reading("Sheet1", "register", GOV, "万元", None, REG)])
def _(tmp):
    cols = [SEQ, NAME, CODE, OWNER, TOTAL, Col(("2023年计划", "投资"), lambda p: p.annual, True),
            Col(("2023年计划", "主要建设内容"), lambda p: "建设内容")]
    return one(tmp, "c3a.xlsx", "Sheet1", table(register_title(), cols, sections=SECTIONS))


@variant("c3-本年度计划投资及资金来源›合计/中央/省/市/自筹", "3", ISSUE, [Reading("Sheet1", "register", GOV, "万元", None, REG)])
def _(tmp):
    g = "本年度计划投资及资金来源"
    cols = [SEQ, NAME, OWNER, TOTAL, Col((g, "合计"), lambda p: p.annual, True),
            Col((g, "中央预算内"), lambda p: None if p.annual is None else p.annual * 0.4, True),
            Col((g, "省级"), lambda p: None if p.annual is None else p.annual * 0.2, True),
            Col((g, "市级"), lambda p: None if p.annual is None else p.annual * 0.2, True),
            Col((g, "自筹"), lambda p: None if p.annual is None else p.annual * 0.2, True)]
    return one(tmp, "c3b.xlsx", "Sheet1", table(register_title(), cols, sections=SECTIONS))


@variant("c3-1-9月›完成投资/占年度计划比例/其中：9月份", "3", ISSUE, [Reading("Sheet1", "progress", GOV, "万元", "2023-09", ALL)])
def _(tmp):
    g = "2023年1-9月"
    cols = [SEQ, NAME, NATURE, TOTAL, ANNUAL, Col((g, "完成投资"), lambda p: p.ytd, True),
            Col((g, "占年度计划比例"), lambda p: None), Col((g, "其中：9月份"), lambda p: p.month, True)]
    return one(tmp, "c3c.xlsx", "Sheet1", table(progress_title("2023年政府投资项目建设进度表"), cols))


@variant("c3-第三行表头为单位", "3", ISSUE, [Reading("Sheet1", "progress", GOV, "亿元", "2023-09", ALL)])
def _(tmp):
    cols = [SEQ, NAME, NATURE, Col(("总投资", "（亿元）"), lambda p: p.total, True),
            Col(("年度计划", "投资", "（亿元）"), lambda p: p.annual, True),
            Col(("1-9月", "完成投资", "（亿元）"), lambda p: p.ytd, True)]
    return one(tmp, "c3d.xlsx", "Sheet1", table([["2023年1-9月政府投资项目调度表"]], cols, factor=10_000.0))


@variant("c3-第二行表头含未知词（建设年限›开工/完工）", "3", JIANGXI, [Reading("Sheet1", "register", GOV, "万元", None, REG)])
def _(tmp):
    cols = [SEQ, NAME, OWNER, Col(("建设年限", "起"), lambda p: 2022), Col(("建设年限", "止"), lambda p: 2025), TOTAL,
            Col(("年度计划投资", "合计"), lambda p: p.annual, True)]
    return one(tmp, "c3e.xlsx", "Sheet1", table(register_title(), cols, sections=SECTIONS))


@variant("c3-表头下的列序号行（甲乙1 2 3）", "3", DOMAIN, [Reading("Sheet1", "register", GOV, "万元", None, REG)])
def _(tmp):
    sh = table(register_title(), [SEQ, NAME, OWNER, TOTAL, ANNUAL], sections=SECTIONS)
    sh.rows.insert(3, ["甲", "乙", "丙", 1, 2])
    return one(tmp, "c3f.xlsx", "Sheet1", sh)


@variant("c3-表头上方的大类分组行", "3", JIANGXI, [Reading("Sheet1", "progress", GOV, "万元", "2023-09", ALL)])
def _(tmp):
    cols = [SEQ, Col(("项目计划", "项目名称"), lambda p: p.name), Col(("项目计划", "总投资"), lambda p: p.total, True),
            Col(("项目计划", "年度计划投资"), lambda p: p.annual, True),
            Col(("本年完成情况", "1-9月完成投资"), lambda p: p.ytd, True), Col(("本年完成情况", "形象进度"), lambda p: "施工")]
    return one(tmp, "c3g.xlsx", "Sheet1", table(progress_title(), cols, sections=SECTIONS))


@variant("c3-总投资›合计/其中：中央", "3", ISSUE, [Reading("Sheet1", "register", GOV, "万元", None, REG)])
def _(tmp):
    cols = [SEQ, NAME, Col(("总投资", "合计"), lambda p: p.total, True), Col(("总投资", "其中：中央资金"), lambda p: p.total / 2, True),
            ANNUAL, NATURE]
    return one(tmp, "c3h.xlsx", "Sheet1", table(register_title(), cols))


# class 4: header wordings and marks ---------------------------------------------------------------

@variant("c4-总投资额/本年度投资计划", "4", ISSUE, [Reading("Sheet1", "register", GOV, "万元", None, REG)])
def _(tmp):
    cols = [SEQ, NAME, NATURE, Col(("总投资额（万元）",), lambda p: p.total, True),
            Col(("本年度投资计划",), lambda p: p.annual, True)]
    return one(tmp, "c4a.xlsx", "Sheet1", table(register_title(), cols))


@variant("c4-本年度计划投资/当年计划投资", "4", ISSUE, [Reading("Sheet1", "progress", GOV, "万元", "2023-09", ALL)])
def _(tmp):
    cols = [SEQ, NAME, NATURE, TOTAL, Col(("当年计划投资",), lambda p: p.annual, True), YTD9]
    return one(tmp, "c4b.xlsx", "Sheet1", table(progress_title(), cols))


@variant("c4-必填列带星号", "4", ISSUE, [Reading("Sheet1", "register", GOV, "万元", None, REG)])
def _(tmp):
    cols = [SEQ, Col(("项目名称*",), lambda p: p.name), Col(("*建设性质",), lambda p: NATURE_CN[p.nature]),
            Col(("总投资（万元）*",), lambda p: p.total, True), Col(("年度计划投资*",), lambda p: p.annual, True)]
    return one(tmp, "c4c.xlsx", "Sheet1", table(register_title(), cols))


def _adjusted(p: P, after: bool):
    return None if p.annual is None else (p.annual if after else round(p.annual * 1.2, 2))


@variant("c4-调整前（隐藏）与调整后", "4", WUJIN,
         [Reading("Sheet1", "register", GOV, "万元", None, REG, warnings=("column_pick", "hidden_columns"))])
def _(tmp):
    cols = [SEQ, NAME, NATURE, TOTAL, Col(("年度计划投资（调整前）",), lambda p: _adjusted(p, False)),
            Col(("年度计划投资（调整后）",), lambda p: _adjusted(p, True), True)]
    sh = table(register_title(), cols)
    sh.hidden_cols = ["E"]
    return one(tmp, "c4d.xlsx", "Sheet1", sh)


@variant("c4-调整前与调整后都可见", "4", WUJIN,
         [Reading("Sheet1", "register", GOV, "万元", None, REG, warnings=("column_pick",))])
def _(tmp):
    cols = [SEQ, NAME, NATURE, TOTAL, Col(("2023年计划投资", "调整后"), lambda p: _adjusted(p, True), True),
            Col(("2023年计划投资", "调整前"), lambda p: _adjusted(p, False))]
    return one(tmp, "c4e.xlsx", "Sheet1", table(register_title(), cols))


@variant("c4-两列总投资（拒绝）", "4", ISSUE, [Refusal("column_ambiguous", "Sheet1", 3, "E")])
def _(tmp):
    cols = [SEQ, NAME, NATURE, TOTAL, Col(("项目总投资",), lambda p: p.total * 1.1, True), ANNUAL]
    return one(tmp, "c4f.xlsx", "Sheet1", table(register_title(), cols))


@variant("c4-年度计划完成工程量", "4", LIUAN, [Reading("Sheet1", "register", GOV, "万元", None, REG)])
def _(tmp):
    cols = [SEQ, NAME, OWNER, TOTAL, Col(("年度计划完成工程量",), lambda p: p.annual, True)]
    return one(tmp, "c4g.xlsx", "Sheet1", table(register_title(), cols,
                                                 sections={"continuing": "一、续建项目", "new": "二、新建项目",
                                                           "preparatory": "三、预备项目"}))


# class 5: structural rows ---------------------------------------------------------------------------

@variant("c5-一个项目占两行（序号/名称/金额合并）", "5", ISSUE, [Reading("Sheet1", "register", GOV, "万元", None, REG, loaded=5)])
def _(tmp):
    cols = [SEQ, NAME, OWNER, TOTAL, ANNUAL, Col(("建设内容",), lambda p: "一期：主体工程")]
    sh = table(register_title(), cols, sections=SECTIONS)
    # the first project (row 6) goes on over row 7: its second line of 建设内容, the rest merged down
    sh.rows.insert(6, [None, None, None, None, None, "二期：配套管网"])
    sh.merges += [f"{c}6:{c}7" for c in "ABCDE"]
    return one(tmp, "c5a.xlsx", "Sheet1", sh)


@variant("c5-同表第二个表格重复表头", "5", ISSUE, [Reading("Sheet1", "register", GOV, "万元", None, REG)])
def _(tmp):
    cols = [SEQ, NAME, NATURE, OWNER, TOTAL, ANNUAL]
    first = [p for p in PROJECTS if p.nature == "continuing"]
    sh = table(register_title(), cols, first, total=None)
    head, _ = header_block([c.path for c in cols], 1)
    sh.rows += [[], ["2023年嘉峪关市政府投资新建及预备项目计划表"]] + head
    sh.rows += [[n, p.name, NATURE_CN[p.nature], p.owner, p.total, p.annual]
                for n, p in enumerate([p for p in PROJECTS if p.nature != "continuing"], 1)]
    return one(tmp, "c5b.xlsx", "Sheet1", sh)


@variant("c5-汇总表在明细表之前", "5", GXCM,
         [Reading("明细表", "progress", GOV, "万元", "2023-09", ALL)])
def _(tmp):
    summary = Sheet([["1-9月份政府投资项目投资完成情况汇总表"], ["单位：个、万元"],
                     ["类别", "项目个数", "年投资计划", "完成投资额", "年计划投资完成率"],
                     ["续建项目", 2, 8000, 6200.5, "77.5%"], ["新建项目", 2, 14000, 9300, "66.4%"], ["合计", 5, 22000, 15500.5, None]])
    detail = table(progress_title(), [SEQ, NAME, NATURE, TOTAL, ANNUAL, YTD9])
    return [write(tmp / "c5c.xlsx", {"汇总表": summary, "明细表": detail})]


@variant("c5-续行无合并单元格（仅文字）", "5", DOMAIN, [Reading("Sheet1", "progress", GOV, "万元", "2023-09", ALL, loaded=5)])
def _(tmp):
    sh = table(progress_title(), [SEQ, NAME, NATURE, TOTAL, ANNUAL, YTD9, IMAGE])
    sh.rows.insert(5, [None, None, None, None, None, None, "（续）管网铺设完成80%"])
    return one(tmp, "c5d.xlsx", "Sheet1", sh)


@variant("c5-第二个表格表头不同（拒绝）", "5", ISSUE, [Refusal("header_repeated_differs", "Sheet1", 10, "B")])
def _(tmp):
    cols = [SEQ, NAME, NATURE, OWNER, TOTAL, ANNUAL]
    sh = table(register_title(), cols, [p for p in PROJECTS if p.nature == "continuing"], total=None)
    # rows 1-2 title and unit, 3 header, 4-5 projects; 6 blank; then a table of another layout
    sh.rows += [[], ["2023年新建项目计划表"], [], [], ["序号", "项目名称", "总投资", "建设单位", "年度计划投资"],
                [1, "另一个项目", 100, "某单位", 50]]
    return one(tmp, "c5e.xlsx", "Sheet1", sh)


@variant("c5-有金额无名称的行（拒绝）", "5", ISSUE, [Refusal("name_missing", "Sheet1", 7, "B")])
def _(tmp):
    sh = table(register_title(), [SEQ, NAME, NATURE, TOTAL, ANNUAL], total=None)
    sh.rows.insert(6, [None, None, None, 300, 100])  # row 7: figures, no project named
    return one(tmp, "c5f.xlsx", "Sheet1", sh)


# class 6: footers and signatures -------------------------------------------------------------------

FOOTER_ONE = ["填报单位（盖章）：嘉峪关市住房和城乡建设局    填报人：张三    审核人：李四    联系电话：0937-6221234"]


@variant("c6-落款在一个单元格", "6", ISSUE, [Reading("Sheet1", "register", GOV, "万元", None, REG)])
def _(tmp):
    return one(tmp, "c6a.xlsx", "Sheet1", table(register_title(), [SEQ, NAME, NATURE, TOTAL, ANNUAL],
                                                footer=[[], FOOTER_ONE]))


@variant("c6-落款分在几个单元格", "6", ISSUE, [Reading("Sheet1", "progress", GOV, "万元", "2023-09", ALL)])
def _(tmp):
    footer = [[None, "填报人：", "张三", "审核：", "李四", "制表：", "王五"], [None, "联系电话", "13909371234", None, "填报日期", "2023年10月8日"]]
    return one(tmp, "c6b.xlsx", "Sheet1", table(progress_title(), [SEQ, NAME, NATURE, TOTAL, ANNUAL, YTD9, IMAGE],
                                                footer=footer))


@variant("c6-表头上方的填报单位与日期行", "6", ISSUE, [Reading("Sheet1", "progress", GOV, "万元", "2023-09", ALL)])
def _(tmp):
    title = [["2023年1-9月政府投资项目建设进度调度表"],
             ["填报单位：嘉峪关市发展和改革委员会", None, None, "填报日期：2023年10月5日", None, "单位：万元"]]
    return one(tmp, "c6c.xlsx", "Sheet1", table(title, [SEQ, NAME, NATURE, TOTAL, ANNUAL, YTD9]))


@variant("c6-1-9月调度表以填报单位/日期行结尾", "6", ISSUE, [Reading("9月", "progress", GOV, "万元", "2023-09", ALL)])
def _(tmp):
    footer = [["填报单位：嘉峪关市发展和改革委员会                填报日期：2023年10月6日"]]
    return one(tmp, "c6d.xlsx", "9月", table(progress_title(), [SEQ, NAME, NATURE, TOTAL, ANNUAL, YTD9],
                                             total="bottom", footer=footer))


@variant("c6-盖章与落款日期", "6", ISSUE, [Reading("Sheet1", "register", GOV, "万元", None, REG)])
def _(tmp):
    footer = [[], [None, None, None, "嘉峪关市发展和改革委员会（盖章）"], [None, None, None, "2023年  月  日"]]
    return one(tmp, "c6e.xlsx", "Sheet1", table(register_title(), [SEQ, NAME, NATURE, TOTAL, ANNUAL], footer=footer))


# class 7: period wording -----------------------------------------------------------------------------

def _period_variant(tmp, name, title, sheet="Sheet1"):
    return one(tmp, name, sheet, table(progress_title(title), [SEQ, NAME, NATURE, TOTAL, ANNUAL,
                                                                Col(("累计完成投资",), lambda p: p.ytd, True)]))


@variant("c7-前三季度", "7", DEZHOU, [Reading("Sheet1", "progress", GOV, "万元", "2023-09", ALL)])
def _(tmp):
    return _period_variant(tmp, "c7a.xlsx", "2023年前三季度政府投资项目建设进展情况")


@variant("c7-截至2023年9月30日", "7", ISSUE, [Reading("Sheet1", "progress", GOV, "万元", "2023-09", ALL)])
def _(tmp):
    return _period_variant(tmp, "c7b.xlsx", "嘉峪关市政府投资项目建设进度表（截至2023年9月30日）")


@variant("c7-一至九月/全角破折号", "7", DOMAIN, [Reading("Sheet1", "progress", GOV, "万元", "2023-09", ALL)])
def _(tmp):
    return _period_variant(tmp, "c7c.xlsx", "2023年1—9月政府投资项目调度表")


@variant("c7-第39周", "7", DOMAIN, [Reading("第39周", "progress", GOV, "万元", "2023-W39", ALL)])
def _(tmp):
    return _period_variant(tmp, "c7d.xlsx", "2023年政府投资项目周调度表（第39周）", sheet="第39周")


@variant("c7-前9月", "7", NANCHANG, [Reading("Sheet1", "progress", GOV, "万元", "2023-09", ALL)])
def _(tmp):
    return _period_variant(tmp, "c7e.xlsx", "2023年前9月政府投资项目推进情况")


@variant("c7-标题与文件名调度期不一致（拒绝）", "7", ISSUE, [Refusal("period_conflict", "Sheet1", 1, "A")])
def _(tmp):
    return _period_variant(tmp, "2023年1-10月政府投资项目调度表.xlsx", "2023年1-9月政府投资项目调度表")


@variant("c7-标题与表头调度期不一致（拒绝）", "7", ISSUE, [Refusal("period_conflict", "Sheet1", 3, "F")])
def _(tmp):
    return one(tmp, "c7g.xlsx", "Sheet1", table(progress_title(), [SEQ, NAME, NATURE, TOTAL, ANNUAL,
                                                                     Col(("1-10月完成投资",), lambda p: p.ytd, True)]))


@variant("c7-截至月中日期（拒绝）", "7", ISSUE, [Refusal("period_unknown", "Sheet1", 1, "A")])
def _(tmp):
    return _period_variant(tmp, "c7h.xlsx", "政府投资项目建设进度表（截至2023年9月15日）")


# class 8: title -------------------------------------------------------------------------------------

@variant("c8-附件2在标题之上", "8", ISSUE, [Reading("Sheet1", "register", "provincial_key", "万元", None, REG)])
def _(tmp):
    title = [["附件2"], ["2023年嘉峪关市全省重点投资项目清单"], [None, None, None, None, "单位：万元"]]
    return one(tmp, "c8a.xlsx", "Sheet1", table(title, [SEQ, NAME, NATURE, TOTAL, ANNUAL]))


@variant("c8-附件2与标题同格", "8", ISSUE, [Reading("Sheet1", "register", "industrial", "万元", None, REG)])
def _(tmp):
    title = [["附件2：2023年嘉峪关市产业投资项目计划表"], ["单位：万元"]]
    return one(tmp, "c8b.xlsx", "Sheet1", table(title, [SEQ, NAME, NATURE, TOTAL, ANNUAL]))


# class 9: kind --------------------------------------------------------------------------------------

@variant("c9-计划清单带已完成投资列", "9", ISSUE, [Reading("Sheet1", "register", GOV, "万元", None, REG)])
def _(tmp):
    cols = [SEQ, NAME, NATURE, TOTAL, Col(("已完成投资",), lambda p: p.prior), ANNUAL]
    return one(tmp, "c9a.xlsx", "Sheet1", table(register_title(), cols))


@variant("c9-计划清单带截至上年底累计完成投资", "9", PYEXPORT, [Reading("Sheet1", "register", GOV, "万元", None, REG)])
def _(tmp):
    cols = [SEQ, NAME, NATURE, TOTAL, Col(("截至上年底累计完成投资",), lambda p: p.prior, True), ANNUAL]
    return one(tmp, "c9b.xlsx", "Sheet1", table(register_title(), cols))


# class 10: hidden rows and columns --------------------------------------------------------------------

EXTRA = P("嘉峪关市已调出项目", None, "new", 8000, 2000, 1000, 100, 0, "某单位", "市住建局", "周一")


@variant("c10-隐藏项目行不在合计内", "10", ISSUE,
         [Reading("Sheet1", "register", GOV, "万元", None, REG, warnings=("hidden_rows",), loaded=5)])
def _(tmp):
    sh = table(register_title(), [SEQ, NAME, NATURE, TOTAL, ANNUAL])  # 合计 of the five projects
    sh.rows.insert(7, [6, EXTRA.name, "新建", EXTRA.total, EXTRA.annual])  # row 8, hidden by the office
    sh.hidden_rows = [8]
    return one(tmp, "c10a.xlsx", "Sheet1", sh)


@variant("c10-合计含隐藏行（拒绝）", "10", ISSUE, [Refusal("total_counts_hidden", "Sheet1", 4, "D")])
def _(tmp):
    sh = table(register_title(), [SEQ, NAME, NATURE, TOTAL, ANNUAL], PROJECTS + [EXTRA])
    sh.hidden_rows = [10]  # EXTRA, the last project, hidden; the 合计 (row 4) counts it
    return one(tmp, "c10b.xlsx", "Sheet1", sh)


@variant("c10-隐藏的项目代码列仍读取", "10", ISSUE,
         [Reading("Sheet1", "register", GOV, "万元", None, REG, warnings=("hidden_columns",))])
def _(tmp):
    sh = table(register_title(), [SEQ, NAME, CODE, NATURE, TOTAL, ANNUAL])
    sh.hidden_cols = ["C"]
    return one(tmp, "c10c.xlsx", "Sheet1", sh)


@variant("c10-隐藏行、无合计", "10", ISSUE,
         [Reading("Sheet1", "progress", GOV, "万元", "2023-09", ALL, warnings=("hidden_rows",), loaded=5)])
def _(tmp):
    sh = table(progress_title(), [SEQ, NAME, NATURE, TOTAL, ANNUAL, YTD9], total=None)
    sh.rows.insert(4, [9, EXTRA.name, "新建", EXTRA.total, EXTRA.annual, EXTRA.ytd])  # row 5, hidden
    sh.hidden_rows = [5]
    return one(tmp, "c10d.xlsx", "Sheet1", sh)


# class 11: totals -------------------------------------------------------------------------------------

@variant("c11-各分组小计与合计", "11", ISSUE, [Reading("Sheet1", "register", GOV, "万元", None, REG)])
def _(tmp):
    return one(tmp, "c11a.xlsx", "Sheet1", table(register_title(), [SEQ, NAME, OWNER, TOTAL, ANNUAL], sections=SECTIONS,
                                                  subtotals=True, total="bottom"))


@variant("c11-小计在分组行之下、项目之上", "11", DOMAIN, [Reading("Sheet1", "register", GOV, "万元", None, REG)])
def _(tmp):
    sh = table(register_title(), [SEQ, NAME, OWNER, TOTAL, ANNUAL], sections=SECTIONS, subtotals=True)
    # move each 小计 from below its rows to just under its section row
    rows = sh.rows
    out = []
    for r in rows:
        if r and r[0] == "小计":
            continue
        out.append(r)
    # rebuild: section row, then its 小计, then its rows
    final = []
    for r in out:
        final.append(r)
        if r and isinstance(r[0], str) and r[0][:2] in ("一、", "二、", "三、"):
            nature = {"一": "continuing", "二": "new", "三": "preparatory"}[r[0][0]]
            group = [p for p in PROJECTS if p.nature == nature]
            final.append(["小计", None, None, sum(p.total for p in group), sum(p.annual or 0 for p in group)])
    sh.rows = final
    return one(tmp, "c11b.xlsx", "Sheet1", sh)


@variant("c11-小计在外层分组之末（内层分领域）", "11", ISSUE, [Reading("Sheet1", "register", GOV, "万元", None, REG)])
def _(tmp):
    cols = [SEQ, NAME, OWNER, TOTAL, ANNUAL]
    rows, merges = start(register_title(), cols)
    for k, nature in enumerate(("continuing", "new", "preparatory")):
        group = [p for p in PROJECTS if p.nature == nature]
        rows.append([f"{'一二三'[k]}、{NATURE_CN[nature]}项目"])
        for q, part in enumerate((group[:1], group[1:])):
            if not part:
                continue
            rows.append([f"（{'一二'[q]}）{('交通', '能源')[q]}"])
            rows += [[n, p.name, p.owner, p.total, p.annual] for n, p in enumerate(part, 1)]
        rows.append(["小计", None, None, sum(p.total for p in group), sum(p.annual or 0 for p in group)])
    return one(tmp, "c11c.xlsx", "Sheet1", Sheet(rows, merges))


@variant("c11-合计与明细不符（拒绝）", "11", ISSUE, [Refusal("total_mismatch", "Sheet1", 4, "D")])
def _(tmp):
    sh = table(register_title(), [SEQ, NAME, NATURE, TOTAL, ANNUAL])
    sh.rows[3][3] = 83000  # 合计 总投资 written 83000; the rows make 82000
    return one(tmp, "c11d.xlsx", "Sheet1", sh)


@variant("c11-合计取整", "11", DOMAIN, [Reading("Sheet1", "progress", GOV, "万元", "2023-09", ALL)])
def _(tmp):
    sh = table(progress_title(), [SEQ, NAME, NATURE, TOTAL, ANNUAL, YTD9])
    sh.rows[3][5] = 15501  # 1-9月 合计 typed as a whole number: 6200.5 + 9300 = 15500.5
    return one(tmp, "c11e.xlsx", "Sheet1", sh)


@variant("c11-小计与本组不符（拒绝）", "11", ISSUE, [Refusal("total_mismatch", "Sheet1", 11, "E")])
def _(tmp):
    sh = table(register_title(), [SEQ, NAME, OWNER, TOTAL, ANNUAL], sections=SECTIONS, subtotals=True, total=None)
    # rows: 4 一、 5-6 projects 7 小计; 8 二、 9-10 projects 11 小计 (新建)
    for r in sh.rows:
        if r and r[0] == "小计" and r[3] == 45000:
            r[4] = 13000  # 新建 annual written 13000; its rows make 14000
    return one(tmp, "c11f.xlsx", "Sheet1", sh)


@variant("c11-亿元两位小数合计", "11", DOMAIN, [Reading("Sheet1", "register", "provincial_key", "亿元", None, REG)])
def _(tmp):
    sh = table(register_title("全省重点投资项目", "亿元"), [SEQ, NAME, NATURE, TOTAL, ANNUAL], factor=10_000.0)
    sh.rows[3][3] = 8.2  # 合计 总投资 8.2 亿元 (the rows: 8.2 亿元 exactly)
    return one(tmp, "c11g.xlsx", "Sheet1", sh)


# header synonyms the issue lists -----------------------------------------------------------------------

@variant("syn-项目法人/包联领导/委内责任处室", "synonyms", PLATFORM,
         [Reading("Sheet1", "register", "leader_package", "万元", None, REG)])
def _(tmp):
    cols = [SEQ, Col(("包联领导",), lambda p: p.leader), NAME, NATURE, Col(("项目法人",), lambda p: p.owner),
            Col(("委内责任处室",), lambda p: "投资科"), TOTAL, ANNUAL]
    return one(tmp, "syn1.xlsx", "Sheet1", table(register_title("市级领导包抓项目"), cols))


@variant("syn-项目（法人）单位/县级领导/是否开复工/开工/计划开工时间", "synonyms", SHAANXI,
         [Reading("Sheet1", "progress", GOV, "万元", "2023-09", ALL)])
def _(tmp):
    cols = [SEQ, NAME, NATURE, Col(("项目（法人）单位",), lambda p: p.owner), Col(("县级领导",), lambda p: p.leader),
            TOTAL, ANNUAL, YTD9, Col(("是否开复工",), lambda p: "已复工" if p.nature == "continuing" else "否"),
            Col(("开工/计划开工时间",), lambda p: dt_(2022, 5, 1) if p.nature == "continuing" else dt_(2023, 11, 1))]
    return one(tmp, "syn2.xlsx", "Sheet1", table(progress_title(), cols))


@variant("syn-投资主体/单位名称/纳入情况/截止上年底累计", "synonyms", SHAANXI,
         [Reading("Sheet1", "progress", GOV, "万元", "2023-09", ALL)])
def _(tmp):
    cols = [SEQ, NAME, NATURE, Col(("投资主体",), lambda p: p.owner), TOTAL, ANNUAL,
            Col(("截止上年底累计完成投资",), lambda p: p.prior, True), YTD9,
            Col(("纳入情况",), lambda p: "已纳入" if p.nature != "preparatory" else "未纳入")]
    return one(tmp, "syn3.xlsx", "Sheet1", table(progress_title(), cols))


@variant("syn-到上年底/开工至本月底/至今累计", "synonyms", PYEXPORT,
         [Reading("Sheet1", "progress", GOV, "万元", "2023-09", ALL)])
def _(tmp):
    cols = [SEQ, NAME, NATURE, Col(("单位名称",), lambda p: p.owner), TOTAL, ANNUAL, Col(("到上年底",), lambda p: p.prior),
            Col(("1-9月", "完成投资"), lambda p: p.ytd, True), Col(("开工至本月底累计完成投资",), lambda p: p.since)]
    return one(tmp, "syn4.xlsx", "Sheet1", table(progress_title(), cols))


@variant("syn-至今累计完成投资/开工以来", "synonyms", LEGAL,
         [Reading("Sheet1", "progress", GOV, "万元", "2023-09", ALL)])
def _(tmp):
    cols = [SEQ, CODE, NAME, NATURE, Col(("项目（法人）单位",), lambda p: p.owner), TOTAL, ANNUAL,
            Col(("至今累计完成投资",), lambda p: p.since), Col(("本年累计完成投资",), lambda p: p.ytd, True)]
    return one(tmp, "syn5.xlsx", "Sheet1", table(progress_title(), cols))


# already read right: keep so -------------------------------------------------------------------------

@variant("keep-文本数字、千分位、全角、不间断空格、破折号", "kept", DOMAIN, [Reading("Sheet1", "register", GOV, "万元", None, REG)])
def _(tmp):
    sh = table(register_title(), [SEQ, NAME, NATURE, TOTAL, ANNUAL], total=None)
    sh.rows[3][3] = "20,000"
    sh.rows[4][3] = "１２０００"
    sh.rows[5][4] = "6000\u00a0"
    sh.rows[7][4] = "—"
    return one(tmp, "k1.xlsx", "Sheet1", sh)


@variant("keep-单位行与报送部门同行", "kept", DOMAIN, [Reading("Sheet1", "register", GOV, "万元", None, REG)])
def _(tmp):
    title = [["2023年嘉峪关市政府投资项目计划清单"], ["报送部门：市发展改革委", None, None, "单位：万元"]]
    return one(tmp, "k2.xlsx", "Sheet1", table(title, [SEQ, NAME, NATURE, TOTAL, ANNUAL]))


@variant("keep-表头注明亿元", "kept", DOMAIN, [Reading("Sheet1", "register", "real_estate", "亿元", None, REG)])
def _(tmp):
    cols = [SEQ, NAME, NATURE, Col(("总投资（亿元）",), lambda p: p.total, True),
            Col(("年度计划投资（亿元）",), lambda p: p.annual, True)]
    return one(tmp, "k3.xlsx", "Sheet1", table([["2023年嘉峪关市房地产投资项目计划清单"]], cols, factor=10_000.0))


@variant("keep-金额为文字（拒绝）", "kept", DOMAIN, [Refusal("amount_not_number", "Sheet1", 6, "D")])
def _(tmp):
    sh = table(register_title(), [SEQ, NAME, NATURE, TOTAL, ANNUAL])
    sh.rows[5][3] = "约12000"
    return one(tmp, "k4.xlsx", "Sheet1", sh)


@variant("keep-开复工前三季度（长春）", "kept", CHANGCHUN, [Reading("Sheet1", "progress", GOV, "万元", "2023-09", ALL)])
def _(tmp):
    cols = [SEQ, NAME, NATURE, TOTAL, ANNUAL, Col(("累计完成投资",), lambda p: p.ytd, True),
            Col(("开复工情况",), lambda p: "已开工" if p.ytd else "未开工")]
    return one(tmp, "k5.xlsx", "Sheet1", table(progress_title("2023年前三季度政府投资项目开复工情况表"), cols))


# the two official-layout examples the issue names ------------------------------------------------------

@variant("official-登记表 2023年计划›年度计划投资/其中：上半年", "3", ISSUE, [Reading("Sheet1", "register", GOV, "万元", None, REG)])
def _(tmp):
    cols = [SEQ, NAME, NATURE, OWNER, TOTAL, Col(("2023年计划", "年度计划投资"), lambda p: p.annual, True),
            Col(("2023年计划", "其中：上半年"), lambda p: None if p.annual is None else p.annual / 2, True)]
    return one(tmp, "official1.xlsx", "Sheet1", table(register_title(), cols))


@variant("official-1-9月调度表以“填报单位：…  填报日期：…”结尾", "6", ISSUE,
         [Reading("Sheet1", "progress", GOV, "万元", "2023-09", ALL)])
def _(tmp):
    footer = [[], [None, "填报单位：嘉峪关市住建局", None, None, None, "填报日期：2023年10月5日"]]
    return one(tmp, "official2.xlsx", "Sheet1", table(progress_title("2023年1-9月政府投资项目调度表"),
                                                       [SEQ, NAME, NATURE, TOTAL, ANNUAL, YTD9, IMAGE], footer=footer))


# more office wordings ---------------------------------------------------------------------------------

@variant("c7-副标题行（截至2023年9月30日）", "7", ISSUE, [Reading("Sheet1", "progress", GOV, "万元", "2023-09", ALL)])
def _(tmp):
    title = [["嘉峪关市政府投资项目建设推进情况表"], ["（截至2023年9月30日）"], [None, None, None, None, "单位：万元"]]
    return one(tmp, "c7i.xlsx", "Sheet1", table(title, [SEQ, NAME, NATURE, TOTAL, ANNUAL,
                                                         Col(("累计完成投资",), lambda p: p.ytd, True)]))


@variant("c1-年度完成投资", "1", HANZHONG, [Reading("前8月", "progress", GOV, "万元", "2023-08", expected_by_nature(
    [P(p.name, p.code, p.nature, p.total, p.annual, _twelve_months(p, 8), None, p.prior, p.owner, p.unit, p.leader)
     for p in PROJECTS]))])
def _(tmp):
    cols = [SEQ, NAME, NATURE, TOTAL, ANNUAL, Col(("年度完成投资",), lambda p: _twelve_months(p, 8), True)]
    return one(tmp, "c1o.xlsx", "前8月", table(progress_title("2023年前8月政府投资重点项目推进情况"), cols))


@variant("syn-项目建设单位/责任领导", "synonyms", LEGAL, [Reading("Sheet1", "register", "real_estate", "万元", None, REG)])
def _(tmp):
    cols = [SEQ, NAME, NATURE, Col(("项目建设单位",), lambda p: p.owner), TOTAL, ANNUAL]
    return one(tmp, "syn6.xlsx", "Sheet1", table(register_title("房地产开发项目"), cols))


@variant("c3-项目名称合并两列（仅为列宽）", "3", DOMAIN, [Reading("Sheet1", "register", GOV, "万元", None, REG)])
def _(tmp):
    # 项目名称 merged over B:C in the header (and each name over B:C in its row): one column, not two
    rows = register_title() + [["序号", "项目名称", None, "建设性质", "总投资", "年度计划投资"]]
    merges = ["B3:C3"]
    for n, p in enumerate(PROJECTS, 1):
        rows.append([n, p.name, None, NATURE_CN[p.nature], p.total, p.annual])
        merges.append(f"B{len(rows)}:C{len(rows)}")
    return one(tmp, "c3i.xlsx", "Sheet1", Sheet(rows, merges))


# bad files of the remaining classes: the right answer is a located error -------------------------------

@variant("c3-分组下两列同名（拒绝）", "3", ISSUE, [Refusal("column_ambiguous", "Sheet1", 3, "G")])
def _(tmp):
    g = "2023年1-9月"
    cols = [SEQ, NAME, NATURE, TOTAL, ANNUAL, Col((g, "完成投资"), lambda p: p.ytd, True),
            Col((g, "完成投资（万元）"), lambda p: p.ytd, True)]
    return one(tmp, "c3x.xlsx", "Sheet1", table(progress_title("2023年政府投资项目建设进度表"), cols))


@variant("c6-无关键字的落款行（拒绝）", "6", ISSUE, [Refusal("row_not_project", "Sheet1", 11, "B")])
def _(tmp):
    sh = table(register_title(), [SEQ, NAME, NATURE, TOTAL, ANNUAL])
    # rows 5-9 the projects; row 10 blank; row 11 a signature written without 填报人：
    sh.rows += [[], [None, "张三", None, None, None, "2023.10.8"]]
    return one(tmp, "c6x.xlsx", "Sheet1", sh)


@variant("c8-附件标记下的标题不含清单（拒绝）", "8", ISSUE, [Refusal("list_unknown", "Sheet1", 2, "A")])
def _(tmp):
    title = [["附件2"], ["2023年嘉峪关市重点项目计划表"], [None, None, None, None, "单位：万元"]]
    return one(tmp, "c8x.xlsx", "Sheet1", table(title, [SEQ, NAME, NATURE, TOTAL, ANNUAL]))


@variant("c9-调度表标题下只有计划（拒绝）", "9", ISSUE, [Refusal("column_missing", "Sheet1", 3, None)])
def _(tmp):
    return one(tmp, "c9x.xlsx", "Sheet1", table(progress_title(), [SEQ, NAME, NATURE, TOTAL, ANNUAL]))


@variant("syn-纳入情况写法无法识别（拒绝）", "synonyms", SHAANXI, [Refusal("registered_not_understood", "Sheet1", 6, "G")])
def _(tmp):
    cols = [SEQ, NAME, NATURE, TOTAL, ANNUAL, YTD9, Col(("纳入情况",), lambda p: "已纳入")]
    sh = table(progress_title(), cols)
    sh.rows[5][6] = "拟纳入"
    return one(tmp, "synx.xlsx", "Sheet1", sh)
