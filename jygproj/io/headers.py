"""Find the header (one or two rows, merged group cells, line breaks inside header text), map header
synonyms to canonical fields, and read units from headers (layout contract, "Canonical header texts").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jygproj.io.cells import half_width

#: Canonical field → accepted header texts (normalised: half-width, no spaces, no unit in brackets).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "编号", "序"),
    "name": ("项目名称", "名称", "项目"),
    "code": ("项目代码", "国家代码", "项目编码", "统一项目代码", "项目代码(国家代码)", "全国投资项目在线审批监管平台代码"),
    "list": ("清单", "所属清单", "清单类别", "项目类别"),
    "nature": ("建设性质", "项目性质", "性质"),
    "owner": ("建设单位", "项目单位", "业主单位", "项目业主", "建设(业主)单位"),
    "responsible_unit": ("责任单位", "主管部门", "行业主管部门", "责任部门"),
    "lead_unit": ("牵头单位", "牵头部门"),
    "leader": ("包抓领导", "包抓市级领导", "市级包抓领导", "包抓市领导"),
    "sector": ("行业领域", "所属行业", "领域", "行业", "所属领域"),
    "content": ("建设规模及内容", "建设内容", "主要建设内容", "建设规模及主要内容", "建设内容及规模"),
    "total_investment": ("总投资", "计划总投资", "项目总投资"),
    "annual_plan": ("年度计划投资", "年度投资计划", "年度计划", "本年计划投资", "年计划投资", "计划投资"),
    "q1_plan": ("一季度", "第一季度", "一季度计划"),
    "q2_plan": ("二季度", "第二季度", "二季度计划"),
    "q3_plan": ("三季度", "第三季度", "三季度计划"),
    "q4_plan": ("四季度", "第四季度", "四季度计划"),
    "stretch_plan": ("力争目标", "大提速目标", "力争完成", "年度力争目标"),
    "planned_start": ("计划开工时间", "计划开工年月", "计划开工日期", "计划开工"),
    "remark": ("备注",),
    "completed_ytd": ("累计完成投资", "完成投资", "累计完成", "已完成投资"),
    # the period's own increment (本周/本月): the ledger keeps 1-X月 cumulative figures only
    "period_completed": ("本周完成投资", "本周完成", "当周完成投资", "本月完成投资", "当月完成投资", "本月完成"),
    "completion_rate": ("投资完成率", "完成率", "年度计划完成率"),
    "started": ("是否开工", "开工情况", "开工/复工情况", "是否开(复)工"),
    "start_date": ("开工时间", "实际开工时间", "开工日期", "实际开工日期"),
    "image_progress": ("形象进度", "工程形象进度", "项目进展情况", "进展情况"),
    "issues": ("存在问题", "存在的问题", "存在问题及建议", "问题"),
    "reported_at": ("填报日期", "填报时间", "报送日期"),
    # baseline
    "month": ("月份", "时间", "期别"),
    "growth_pct": ("累计增速", "增速", "同比增速", "累计增长"),
    # reserve
    "funding_channel": ("资金渠道", "资金来源", "拟申请资金渠道"),
    "project_type": ("项目类型", "类型"),
    "first_year": ("首年投资", "预计首年投资", "首年计划投资"),
    "tier": ("储备层级", "层级", "储备类别"),
    "step_approval": ("立项",),
    "step_land": ("用地预审与选址", "用地预审", "选址"),
    "step_planning": ("规划许可",),
    "step_environment": ("环评",),
    "step_energy": ("能评",),
    "step_drawings": ("施工图审查",),
    "step_construction_permit": ("施工许可",),
    "step_funding": ("资金落实",),
}
_LOOKUP = {syn: f for f, syns in SYNONYMS.items() for syn in syns}

#: Fields holding money (converted to 万元).
AMOUNT_FIELDS = (
    "total_investment", "annual_plan", "q1_plan", "q2_plan", "q3_plan", "q4_plan", "stretch_plan",
    "completed_ytd", "first_year", "prior_cum", "current_cum",
)
#: Group headers over quarter columns; the 合计 under them is the annual plan.
_PLAN_GROUP = re.compile(r"^(\d{4}年)?(年度)?(计划投资|投资计划|计划)(合计)?$|^年度计划投资|^\d{4}年计划投资")
_UNIT = re.compile(r"[(]\s*(?:单位[:]?)?\s*(万元|亿元|元)\s*[)]|单位[:]?\s*(万元|亿元|元)")
_PAREN = re.compile(r"[(][^()]*[)]")
_YTD_FULL = re.compile(r"^(?:(\d{4})年)?(?:1\s*[-~至到]\s*)?(\d{1,2})月(?:份)?(累计)?(完成投资|累计完成投资|完成|累计完成)$")
_MONTH_GROUP = re.compile(r"^(?:(\d{4})年)?(?:1\s*[-~至到]\s*)?(\d{1,2})月(?:份)?(累计)?$")
_YEAR_CUM = re.compile(r"^(\d{4})年(?:1\s*[-~至到]\s*\d{1,2}月)?(累计)?(完成)?(投资)?(额)?(?:累计)?(?:完成)?$")


def normalise_header(text: str | None) -> str:
    """Header text without spaces/line breaks, half-width, unit brackets kept for unit_of()."""
    if not text:
        return ""
    s = half_width(str(text))
    return re.sub(r"\s+", "", s)


def unit_of(header: str) -> str | None:
    m = _UNIT.search(header)
    if m:
        return m.group(1) or m.group(2)
    return None


def bare(header: str) -> str:
    """Header without bracketed parts (units, 可比口径, %) and trailing colons."""
    s = _UNIT.sub("", header)
    s = _PAREN.sub("", s)
    return s.replace("%", "").strip(":")


@dataclass
class Column:
    index: int  # position in the grid row
    field: str | None  # canonical field, None when unknown
    header: str  # header text as shown (both rows joined with "/")
    unit: str | None = None  # unit written in the header itself
    month: int | None = None  # for completed_ytd: the X of 1-X月
    year: int | None = None  # baseline: the year of a cumulative column


@dataclass
class Header:
    first_row: int  # grid row index of the first header row
    last_row: int  # grid row index of the last header row (== first_row for one-row headers)
    columns: list[Column] = field(default_factory=list)

    def by_field(self) -> dict[str, Column]:
        out: dict[str, Column] = {}
        for c in self.columns:
            if c.field and c.field not in out:
                out[c.field] = c
        return out

    def duplicates(self) -> list[Column]:
        seen: set[str] = set()
        dups = []
        for c in self.columns:
            if c.field and c.field in seen:
                dups.append(c)
            elif c.field:
                seen.add(c.field)
        return dups


def classify(text: str, group: str | None = None) -> tuple[str | None, int | None, int | None]:
    """(field, month, year) for a header cell; ``group`` is the merged group cell above it, if any."""
    h = bare(normalise_header(text))
    g = bare(normalise_header(group)) if group else None
    if not h:
        return None, None, None
    if g:
        if _PLAN_GROUP.search(g) or g in SYNONYMS["annual_plan"]:
            if h in ("合计", "小计", "全年", "年度", "计划投资", "总计"):
                return "annual_plan", None, None
            for f in ("q1_plan", "q2_plan", "q3_plan", "q4_plan"):
                if h in SYNONYMS[f]:
                    return f, None, None
        m = _MONTH_GROUP.match(g)
        if m and (h in SYNONYMS["completed_ytd"] or h in ("完成", "累计完成投资", "完成额")):
            return "completed_ytd", int(m[2]), int(m[1]) if m[1] else None
        if h in ("完成投资", "累计完成", "完成") and ("完成" in g or "累计" in g):
            return "completed_ytd", None, None
    return classify_single(h)


def classify_single(h: str) -> tuple[str | None, int | None, int | None]:
    if h in _LOOKUP:
        return _LOOKUP[h], None, None
    m = _YTD_FULL.match(h)
    if m:
        return "completed_ytd", int(m[2]), int(m[1]) if m[1] else None
    m = re.match(r"^(\d{4})年(计划投资|投资计划|年度计划投资|计划)$", h)
    if m:
        return "annual_plan", None, int(m[1])
    m = _YEAR_CUM.match(h)
    if m and (m[2] or m[3]):
        return "cumulative", None, int(m[1])
    if "增速" in h or "增长" in h:
        return "growth_pct", None, None
    for prefix, fld in _PREFIXES:
        if h.startswith(prefix):
            return fld, None, None
    if h.endswith("总投资") and len(h) <= 6:  # 估算总投资, 概算总投资
        return "total_investment", None, None
    return None, None, None


#: Longer header texts that start like a canonical one ("项目名称及建设内容", "形象进度及存在问题").
_PREFIXES = (
    ("计划开工", "planned_start"), ("备注", "remark"), ("项目名称", "name"), ("建设规模", "content"),
    ("建设内容", "content"), ("主要建设内容", "content"), ("形象进度", "image_progress"), ("存在问题", "issues"),
    ("项目代码", "code"), ("建设单位", "owner"), ("责任单位", "responsible_unit"),
)


#: Fields that mark a header row; the name column is the anchor.
_ANCHORS = {"name", "month"}


def _header_score(row: tuple) -> tuple[int, bool]:
    """(number of recognised header cells, has an anchor field)."""
    n = 0
    anchor = False
    for v in row:
        if v is None:
            continue
        f, _, _ = classify(v)
        if f:
            n += 1
            anchor = anchor or f in _ANCHORS
    return n, anchor


def _is_subheader(top: tuple, row: tuple) -> bool:
    """Is ``row`` the second row of a two-row header under ``top``? Its cells are all header words
    (no numbers, no section text) and at least one sits under an empty (merged) top cell or under a
    group cell."""
    any_cell = False
    under_group = False
    for j, v in enumerate(row):
        if v is None or not str(v).strip():
            continue
        any_cell = True
        h = bare(normalise_header(v))
        if re.fullmatch(r"[-+]?[\d.,]+", h):
            return False
        group = None
        k = j
        while k >= 0 and (top[k] is None or not str(top[k]).strip()):
            k -= 1
        group = top[k] if k >= 0 else None
        f, _, _ = classify(v, group)
        if f is None and h not in ("合计", "小计", "完成投资", "完成") and not _MONTH_GROUP.match(h):
            return False
        if top[j] is None or not str(top[j]).strip():
            under_group = True
        elif group is not None and classify(group)[0] in ("annual_plan", None):
            under_group = under_group or f in ("annual_plan", "q1_plan", "q2_plan", "q3_plan", "q4_plan",
                                               "completed_ytd")
    return any_cell and under_group


def find_header(rows: list[tuple], search_rows: int = 30) -> Header | None:
    """The header: the first row (within ``search_rows``) with the name or month anchor and at least
    two recognised header cells; plus the row below when it is a sub-header."""
    for i, row in enumerate(rows[:search_rows]):
        score, anchor = _header_score(row)
        if not anchor or score < 2:
            continue
        two = i + 1 < len(rows) and _is_subheader(row, rows[i + 1])
        return Header(i, i + 1 if two else i, _columns(row, rows[i + 1] if two else None))
    return None


def _columns(top: tuple, sub: tuple | None) -> list[Column]:
    cols: list[Column] = []
    group = None
    for j, t in enumerate(top):
        t_text = normalise_header(t) if t is not None else ""
        s_text = normalise_header(sub[j]) if sub is not None and sub[j] is not None else ""
        if t_text:
            group = t_text
        if not t_text and not s_text:
            continue
        if s_text:
            g = t_text or group
            f, month, year = classify(s_text, g)
            if f is None and t_text:
                f, month, year = classify(t_text)
            shown = f"{g}/{s_text}" if g else s_text
            unit = unit_of(s_text) or (unit_of(g) if g else None)
            if t_text and f is None:
                shown = t_text
        else:
            f, month, year = classify(t_text)
            shown = t_text
            unit = unit_of(t_text)
        if f is None and month is None:
            # "1-10月" alone (two-row "完成投资" missing): a month column of cumulative completion
            m = _MONTH_GROUP.match(bare(shown))
            if m:
                f, month = "completed_ytd", int(m[2])
        cols.append(Column(j, f, shown, unit, month, year))
    return cols
