"""Find the header and read every column's header as a path (group › sub-header › …, any depth), map
it to a canonical field from the whole path, and read units from headers (layout contract,
"Canonical header texts"; issue 12, point 1).

Real forms put meaning in the group cells and the qualifiers: "2023年1-9月 › 完成投资" is the 1-9月
cumulative completion, "2023年1-9月 › 其中：9月份" the month's own figure, "年度计划投资（调整后）" not
"（调整前）", "开工以来累计" never "本年累计". Qualifiers are kept on the column (``qualifier``) so
that the pick between two columns of one field (sheets.pick_columns) can follow a documented rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jygproj.io.cells import half_width

#: Canonical field → accepted header texts (normalised: half-width, no spaces, no unit in brackets).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "编号", "序"),
    "name": ("项目名称", "名称", "项目", "项目全称", "工程名称", "工程项目名称", "建设项目名称", "项目(工程)名称"),
    "code": ("项目代码", "国家代码", "项目编码", "统一项目代码", "项目代码(国家代码)", "全国投资项目在线审批监管平台代码",
             "审批监管平台代码", "在线审批监管平台代码", "项目统一代码"),
    "list": ("清单", "所属清单", "清单类别", "项目类别"),
    "nature": ("建设性质", "项目性质", "性质"),
    "owner": ("建设单位", "项目单位", "业主单位", "项目业主", "建设(业主)单位", "项目法人", "项目(法人)单位",
              "项目法人单位", "投资主体", "单位名称", "项目建设单位", "项目实施单位", "实施单位", "建设主体", "业主"),
    "responsible_unit": ("责任单位", "主管部门", "行业主管部门", "责任部门", "市直行业主管部门"),
    "lead_unit": ("牵头单位", "牵头部门"),
    "leader": ("包抓领导", "包抓市级领导", "市级包抓领导", "包抓市领导", "包联领导"),
    "sector": ("行业领域", "所属行业", "领域", "行业", "所属领域", "行业分类"),
    "content": ("建设规模及内容", "建设内容", "主要建设内容", "建设规模及主要内容", "建设内容及规模"),
    "total_investment": ("总投资", "计划总投资", "项目总投资", "总投资额", "批复总投资", "项目投资总额", "投资总额"),
    "annual_plan": ("年度计划投资", "年度投资计划", "年度计划", "本年计划投资", "年计划投资", "计划投资", "本年度投资计划",
                    "本年度计划投资", "当年计划投资", "今年计划投资", "年度计划完成投资", "本年计划完成投资",
                    "年度计划完成工程量", "年度投资"),
    "q1_plan": ("一季度", "第一季度", "一季度计划"),
    "q2_plan": ("二季度", "第二季度", "二季度计划"),
    "q3_plan": ("三季度", "第三季度", "三季度计划"),
    "q4_plan": ("四季度", "第四季度", "四季度计划"),
    "stretch_plan": ("力争目标", "大提速目标", "力争完成", "年度力争目标"),
    "planned_start": ("计划开工时间", "计划开工年月", "计划开工日期", "计划开工", "拟开工时间", "拟开工年份", "拟开工"),
    "remark": ("备注",),
    "completed_ytd": ("累计完成投资", "完成投资", "累计完成", "累计完成投资额", "累计投资"),
    # the period's own increment (本周/本月): the ledger keeps 1-X月 cumulative figures only
    "period_completed": ("本周完成投资", "本周完成", "当周完成投资", "本月完成投资", "当月完成投资", "本月完成",
                         "当月调度投资", "单月完成数", "月完成投资", "月度完成投资", "当月投资"),
    # cumulative figures of other scopes: read to be told apart from 1-X月, never loaded as it
    "since_start": ("开工以来累计完成投资", "开工以来", "开工至本月底累计完成投资", "开工至本月底", "至今累计完成投资",
                    "开累完成投资", "自开工累计完成投资", "截至目前累计完成投资", "截止到目前累计完成投资合计"),
    "prior_years": ("到上年底", "截止上年底累计完成投资", "截至上年底累计完成投资", "至上年底累计完成投资",
                    "上年底累计完成投资", "以前年度完成投资", "已完成投资"),
    "completion_rate": ("投资完成率", "完成率", "年度计划完成率", "占年度计划比例", "占年计划", "占年度计划"),
    "started": ("是否开工", "开工情况", "开工/复工情况", "是否开(复)工", "是否开复工", "开复工情况", "是否已开工"),
    "start_date": ("开工时间", "实际开工时间", "开工日期", "实际开工日期", "开复工时间"),
    # "开工/计划开工时间": the start for a started project, the plan for the others
    "start_or_planned": ("开工/计划开工时间", "开工(计划开工)时间", "实际(计划)开工时间"),
    "registered": ("是否入库", "是否入统", "是否已入库", "是否纳入统计", "是否纳统", "纳统情况", "入库情况", "纳入情况",
                   "是否纳入统计库", "入统情况"),
    "registered_on": ("入库时间", "入统时间", "入库日期", "入统日期", "纳统时间", "纳入统计库时间"),
    "image_progress": ("形象进度", "工程形象进度", "项目进展情况", "进展情况", "本月进展", "项目推进情况", "工程进度"),
    "issues": ("存在问题", "存在的问题", "存在问题及建议", "问题", "问题和建议", "存在的问题和困难"),
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
#: Synonyms that name a field less directly: a column of these is read only when no column of the
#: field's own words is there (the NDRC's own division beside the government's responsible unit; a
#: county leader beside the city leader who packages the project).
SECONDARY: dict[str, tuple[str, ...]] = {
    "responsible_unit": ("委内责任处室", "主管单位"),
    "leader": ("县级领导", "联系领导", "包抓县级领导"),
}
_LOOKUP = {syn: f for f, syns in SYNONYMS.items() for syn in syns}
_LOOKUP.update({syn: f for f, syns in SECONDARY.items() for syn in syns})
_SECONDARY = {syn for syns in SECONDARY.values() for syn in syns}

#: Fields holding money (converted to 万元).
AMOUNT_FIELDS = (
    "total_investment", "annual_plan", "q1_plan", "q2_plan", "q3_plan", "q4_plan", "stretch_plan",
    "completed_ytd", "first_year", "prior_cum", "current_cum",
)
#: Recognised columns that are not read at all (known words, so no "unknown column" warning): parts
#: of a figure (其中：中央预算内、省级、自筹…), of which a sheet may have several.
NOT_LOADED = ("funding_part", "part", "ignored")

#: Group headers over quarter columns; the 合计 under them is the annual plan.
_PLAN_GROUP = re.compile(r"^(\d{4}年)?(年度)?(计划投资|投资计划|计划)(合计)?$|^年度计划投资|^\d{4}年计划投资")
#: Group headers of a year's plan in its other wordings (本年度计划投资及资金来源, 2023年计划, 本年计划).
_PLAN_GROUP_WIDE = re.compile(r"^(?:\d{4}年|本年度?|今年|当年|年度)(?:度)?(?:计划|投资计划)|计划投资|投资计划")
_UNIT = re.compile(r"[(]\s*(?:单位[:]?)?\s*(万元|亿元|元)\s*[)]|单位[:]?\s*(万元|亿元|元)")
_PAREN = re.compile(r"[(][^()]*[)]")
_YTD_FULL = re.compile(r"^(?:(\d{4})年)?(?:1\s*[-~至到]\s*)?(\d{1,2})月(?:份)?(累计)?(完成投资|累计完成投资|完成|累计完成)$")
_MONTH_GROUP = re.compile(r"^(?:(\d{4})年)?(?:1\s*[-~至到]\s*)?(\d{1,2})月(?:份)?(累计)?$")
_YEAR_CUM = re.compile(r"^(\d{4})年(?:1\s*[-~至到]\s*\d{1,2}月)?(累计)?(完成)?(投资)?(额)?(?:累计)?(?:完成)?$")
#: Qualifiers of a revised figure, kept as meaning (issue 12: 调整前 and 调整后 must not collide).
_AFTER = re.compile(r"调整后|调后|修订后|调整|新")
_BEFORE = re.compile(r"调整前|调前|原计划|原")
_QUALIFIER = re.compile(r"[(]([^()]*)[)]|(调整后|调整前)")
_QUALIFIER_LEAF = re.compile(r"调整后|调整前|调后|调前|原计划|调整后计划|调整前计划")


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
    """Header without bracketed parts (units, 可比口径, %, qualifiers), required-field stars and
    trailing colons."""
    s = _UNIT.sub("", header)
    s = _PAREN.sub("", s)
    return s.replace("%", "").replace("*", "").strip(":")


def qualifier_of(header: str) -> str | None:
    """"after" for 调整后 (or a bracket saying so), "before" for 调整前, else None."""
    h = normalise_header(header)
    for m in _QUALIFIER.finditer(h):
        text = m.group(1) if m.group(1) is not None else m.group(2)
        if text is None or _UNIT.fullmatch(f"({text})"):
            continue
        if re.search(r"调整前|调前|原计划", text):
            return "before"
        if re.search(r"调整后|调后|修订后|调整", text):
            return "after"
    return None


@dataclass
class Column:
    index: int  # position in the grid row
    field: str | None  # canonical field, None when unknown
    header: str  # header text as shown (the path's levels joined with "/")
    unit: str | None = None  # unit written in the header itself
    month: int | None = None  # for completed_ytd: the X of 1-X月
    year: int | None = None  # baseline: the year of a cumulative column
    path: tuple[str, ...] = ()  # the header's levels, group first
    qualifier: str | None = None  # "after" (调整后) | "before" (调整前) | None
    secondary: bool = False  # named by a SECONDARY synonym
    hidden: bool = False  # the column is hidden in Excel


@dataclass
class Header:
    first_row: int  # grid row index of the first header row
    last_row: int  # grid row index of the last header row (== first_row for one-row headers)
    columns: list[Column] = field(default_factory=list)
    numbering_row: int | None = None  # grid row of a column-numbering row (1 2 3 … / 甲 乙 1 2) under it
    anchor_row: int | None = None  # grid row holding 项目名称 (or 月份)

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

    @property
    def structure_end(self) -> int:
        """The last grid row of the header, its numbering row included."""
        return self.numbering_row if self.numbering_row is not None else self.last_row


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
    m = re.match(r"^(\d{4})年(计划投资|投资计划|年度计划投资|计划|计划完成投资)$", h)
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
    if h.endswith("总投资") and len(h) <= 6 and not h.startswith("占"):  # 估算总投资, 概算总投资 (占总投资: a rate)
        return "total_investment", None, None
    return None, None, None


#: Longer header texts that start like a canonical one ("项目名称及建设内容", "形象进度及存在问题").
_PREFIXES = (
    ("计划开工", "planned_start"), ("备注", "remark"), ("项目名称", "name"), ("建设规模", "content"),
    ("建设内容", "content"), ("主要建设内容", "content"), ("形象进度", "image_progress"), ("存在问题", "issues"),
    ("项目代码", "code"), ("建设单位", "owner"), ("责任单位", "responsible_unit"),
)

# --- whole-path classification (issue 12, point 1) ---------------------------------------------

#: Words that make a cumulative figure one since the project started, or up to last year's end, or
#: the period's own figure; checked on the whole path before the 1-X月 wordings, which they contain.
_SINCE_START = re.compile(r"开工以来|开工至|自开工|开工累计|开累|至今累计|截至目前|截止目前|截止到目前|建设以来|自开建|开工至报告期")
_PRIOR_YEARS = re.compile(r"上年底|上年末|以前年度|往年|截[至止]上年|[到至]上年")
_SINGLE = re.compile(r"本月|当月|本周|当周|单月|本旬|当旬|月度完成")
#: A month's own figure: "9月份完成投资", "9月完成", "其中:9月份" (no 1-, no 累计, no 本年).
_SINGLE_MONTH = re.compile(r"^(?:其中[:]?)?(?:(\d{4})年)?(\d{1,2})月(?:份)?(?:完成投资|完成|完成额|完成数)?$")
_YTD_WORDS = re.compile(r"本年|今年|当年|年初至|自元月|元月至|年度累计|年度完成|本年度|1[-~至到]\d{1,2}月|截[至止]\d{1,2}月底|"
                        r"前三季度|上半年|前\d{1,2}个?月")
_COMPLETION = re.compile(r"完成|累计|开累")
_YTD_LEAF = re.compile(r"本年|今年|当年|年初至|自元月|元月至|年度累计|年度完成|本年度")
_RATE = re.compile(r"率|比例|比重|进度|增速|增长|占")
_COMPLETION_VALUE = re.compile(r"完成投资$|完成额$|完成数$")
_VALUE_LEAVES = ("绝对值", "金额", "数额", "合计", "小计", "投资", "投资额", "完成投资", "完成", "累计完成投资", "累计完成",
                 "完成额", "完成投资额", "累计", "计", "总计", "数值")
_FUNDING_PART = re.compile(r"^(?:其中[:]?)?(?:中央|省级|省|市级|市|县级|县|区级|自筹|企业自筹|专项债|地方政府专项债|债券|"
                           r"银行|贷款|其他|财政|地方|上级|本级|社会|政策性|国债)")
_CUM_MONTH = re.compile(r"1[-~至到](\d{1,2})月|截[至止](\d{1,2})月底|(\d{1,2})月底|前(\d{1,2})个?月")
_CN_QUARTERS = {"前三季度": 9, "上半年": 6, "前两季度": 6, "一季度": 3, "第一季度": 3}


def _scope_month(text: str) -> int | None:
    m = _CUM_MONTH.search(text)
    if m:
        month = int(next(g for g in m.groups() if g))
        return month if 1 <= month <= 12 else None
    for word, month in _CN_QUARTERS.items():
        if word in text:
            return month
    return None


def classify_path(path: tuple[str, ...]) -> tuple[str | None, int | None, int | None]:
    """(field, month, year) of a column from its header path (group first, leaf last)."""
    if not path:
        return None, None, None
    path = tuple(normalise_header(t) for t in path)
    leaf = bare(path[-1])
    groups = [bare(g) for g in path[:-1]]
    whole = "".join(groups + [leaf])
    # a completion figure's scope, from the whole path
    if _COMPLETION.search(whole) and not _RATE.search(leaf) and (len(path) > 1 or leaf not in _LOOKUP
                                                                  or _LOOKUP[leaf] in ("completed_ytd",)):
        scoped = _completion_scope(leaf, groups, whole)
        if scoped is not None:
            return scoped
    if len(path) == 1:
        return classify(path[0])
    if _QUALIFIER_LEAF.fullmatch(leaf):  # 2023年计划投资 › 调整后: the group's field, qualified
        return classify_path(path[:-1])
    if _RATE.search(leaf) and not _COMPLETION_VALUE.search(leaf):  # 占年计划（%）, 增速（%）, 进度（%）
        return ("growth_pct" if ("增速" in leaf or "增长" in leaf) else "completion_rate"), None, None
    # parts of a plan or a total: 其中：中央预算内, 省级, 自筹 …
    if any(_PLAN_GROUP_WIDE.search(g) or g in SYNONYMS["annual_plan"] or g in SYNONYMS["total_investment"]
           for g in groups):
        if _FUNDING_PART.match(leaf) or leaf.startswith("其中"):
            return "funding_part", None, None
    m = _SINGLE_MONTH.match(leaf)
    if m and any(_MONTH_GROUP.match(g) or _YTD_WORDS.search(g) for g in groups):  # 1-9月 › 其中：9月份
        return "period_completed", int(m[2]), None
    if leaf.startswith("其中"):
        return "part", None, None
    for g in reversed(path[:-1]):
        f, month, year = classify(path[-1], g)
        if f is not None:
            if f == "completed_ytd" and month is None:
                month = _scope_month("".join(groups))
            return f, month, year
    f, month, year = classify_single(whole)
    if f is not None:
        return f, month, year
    if leaf in _VALUE_LEAVES or not leaf:
        for g in reversed(path[:-1]):
            f, month, year = classify(g)
            if f is not None:
                return f, month, year
    if any(_PLAN_GROUP_WIDE.search(g) for g in groups) and leaf in ("投资", "合计", "金额", "计划投资", "小计"):
        return "annual_plan", None, None
    return None, None, None


def _completion_scope(leaf: str, groups: list[str], whole: str) -> tuple[str | None, int | None, int | None] | None:
    """since_start / prior_years / period_completed / completed_ytd for a completion column, or None
    when the path is no completion figure (a plan, a rate) or says nothing about its scope."""
    if "计划" in whole and "完成" not in whole.replace("计划完成", ""):
        return None  # 年度计划完成投资: a plan
    if _SINCE_START.search(whole):
        return "since_start", None, None
    if _PRIOR_YEARS.search(whole):
        return "prior_years", None, None
    if _YTD_LEAF.search(leaf):  # 自元月至本月, 年初至报告期, 本年累计: the year so far, though 本月 is in it
        return "completed_ytd", _scope_month(whole), _year_in(whole)
    m = _SINGLE_MONTH.match(leaf)
    if m and (groups or leaf.startswith("其中") or "份" in leaf or "完成" in leaf):
        return "period_completed", int(m[2]), None
    if _SINGLE.search(leaf) or (groups and _SINGLE.search(groups[-1]) and not _YTD_WORDS.search(groups[-1])):
        return "period_completed", None, None
    if _YTD_WORDS.search(whole):
        return "completed_ytd", _scope_month(whole), _year_in(whole)
    return None


def _year_in(text: str) -> int | None:
    m = re.search(r"(\d{4})年", text)
    return int(m[1]) if m else None


def path_unit(path: tuple[str, ...], extra: tuple[str, ...] = ()) -> str | None:
    """The unit written in a column's header: the leaf's, else the nearest group's, else a unit row's."""
    for text in reversed(path + extra):
        u = unit_of(text)
        if u:
            return u
    for text in extra:
        t = bare(normalise_header(text)).strip("()")
        if t in ("万元", "亿元", "元"):
            return t
    return None


# --- finding the header block --------------------------------------------------------------------

#: Fields that mark a header row; the name column is the anchor.
_ANCHORS = {"name", "month"}
_NUMBER = re.compile(r"[-+]?[\d.,]+")
_UNIT_ONLY = re.compile(r"^[(]?(?:单位[:]?)?(万元|亿元|元|%|个|项)[)]?$")
_NUMBERING = re.compile(r"^(?:\d{1,3}|[甲乙丙丁戊己庚辛壬癸])$")
#: A line above a header that is not a group row of it: title, unit line, filler's lines.
_NOT_GROUP = re.compile(r"单位[:：]|填报|报送|日期|附件|附表|制表|盖章|表$|清单$")
_ROW_LABEL = re.compile(r"^(?:[一二三四五六七八九十]+[、.．,，]|[（(][一二三四五六七八九十]+[)）]|备注|注[:：])")


def _text(v) -> str:
    return "" if v is None else str(v).strip()


def _header_score(row: tuple) -> tuple[int, bool]:
    """(number of recognised header cells, has an anchor field)."""
    n = 0
    anchor = False
    for v in row:
        if v is None:
            continue
        f, _, _ = classify(str(v))
        if f:
            n += 1
            anchor = anchor or f in _ANCHORS
    return n, anchor


def _merge_at(merges, r: int, c: int):
    for m in merges:
        if m[0] <= r <= m[2] and m[1] <= c <= m[3]:
            return m
    return None


def _is_subheader(block: list[tuple], row: tuple, key_cols: tuple[int, ...], merges, r: int) -> bool:
    """Is ``row`` (grid row ``r``) one more row of the header ``block`` above it? Its key columns
    (序号, 项目名称) are empty (merged down from the header), no cell is a number or a row label (合计,
    一、…), and at least one cell sits under a group: an empty (merged) cell above it, a merged range, or
    a group header above."""
    any_cell = False
    under_group = False
    for c in key_cols:
        if c < len(row) and _text(row[c]):
            return False
    top = block[-1]
    for j, v in enumerate(row):
        t = _text(v)
        if not t:
            continue
        any_cell = True
        h = bare(normalise_header(t))
        if _NUMBER.fullmatch(h) or _ROW_LABEL.match(normalise_header(t)):
            return False
        above = _text(top[j]) if j < len(top) else ""
        if not above or _merge_at(merges, r - 1, j) is not None:
            under_group = True
            continue
        f, _, _ = classify(above)
        if f in ("annual_plan", "total_investment", "completed_ytd", "cumulative", None) or f in NOT_LOADED:
            under_group = True
    return any_cell and under_group


def _is_numbering(row: tuple) -> bool:
    """A row numbering the columns (1 2 3 …, or 甲 乙 1 2 …), as statistical forms have under the header."""
    cells = [_text(v) for v in row if _text(v)]
    if len(cells) < 3 or not all(_NUMBERING.match(c) for c in cells):
        return False
    numbers = [int(c) for c in cells if c.isdigit()]
    return len(numbers) >= 2 and numbers == sorted(numbers) and len(set(numbers)) == len(numbers)


def _is_group_row(row: tuple, below: tuple, merges, r: int) -> bool:
    """Is the row just above the anchor row a group row of the header (一、项目计划 | 二、本年完成情况 …)?
    At least two short cells, none a title, unit or filler line, each over header cells below."""
    cells = [(j, _text(v)) for j, v in enumerate(row) if _text(v)]
    if len(cells) < 2:
        return False
    for j, t in cells:
        n = normalise_header(t)
        if len(n) > 30 or _NOT_GROUP.search(n) or _NUMBER.fullmatch(bare(n)) or ":" in n:
            return False  # a title, unit or filler's line, a label: value line (所属县区：肃州区)
        if j >= len(below):
            return False
    # with merges known, a group cell is merged across the columns under it; a sheet with no merge
    # at all (written without merging) needs a column empty on this row over a header text below
    if merges:
        return any(_merge_at(merges, r, j) is not None for j, _ in cells)
    return any(not _text(row[j]) and _text(below[j]) for j in range(min(len(row), len(below))))


def find_header(rows, search_rows: int = 30, merges=(), hidden_cols=frozenset()) -> Header | None:
    """The header: the first row (within ``search_rows``) with the name or month anchor and at least
    two recognised header cells; the group rows just above it; and every row below that is a sub-
    header (any depth), then a column-numbering row if there is one."""
    for i, row in enumerate(rows[:search_rows]):
        score, anchor = _header_score(row)
        if not anchor or score < 2:
            continue
        first = i
        while first > 0 and first > i - 3 and _is_group_row(rows[first - 1], rows[first], merges, first - 1):
            first -= 1
        key_cols = tuple(j for j, v in enumerate(row) if v is not None and classify(str(v))[0] in ("seq", "name"))
        block = [rows[k] for k in range(first, i + 1)]
        last = i
        while last + 1 < len(rows) and len(block) < 6 and _is_subheader(block, rows[last + 1], key_cols, merges,
                                                                          last + 1):
            last += 1
            block.append(rows[last])
        numbering = last + 1 if last + 1 < len(rows) and _is_numbering(rows[last + 1]) else None
        header = Header(first, last, _columns(block, first, merges), numbering, i)
        for c in header.columns:
            c.hidden = c.index in hidden_cols
        return header
    return None


def _level_texts(block: list[tuple], first: int, merges, j: int) -> list[str]:
    """The texts governing column ``j`` on each header row, top first: the cell's own text, else the
    text of a merged range covering it, else (on a group row, over a sub-header) the nearest text to
    the left on that row."""
    out: list[str] = []
    width = max(len(r) for r in block)
    for k, row in enumerate(block):
        t = _text(row[j]) if j < len(row) else ""
        if not t:
            m = _merge_at(merges, first + k, j)
            below = any(_text(block[q][j]) if j < len(block[q]) else "" for q in range(k + 1, len(block)))
            if m is not None and first <= m[0] <= first + k and (m[1] == j or below):
                # a merged header governs the columns it spans that have sub-headers of their own; a
                # cell merged across columns only for width (项目名称 over B:C) is one column
                r0 = m[0] - first
                t = _text(block[r0][m[1]]) if m[1] < len(block[r0]) else ""
            elif k < len(block) - 1 and any(_text(block[q][j]) if j < len(block[q]) else "" for q in
                                            range(k + 1, len(block))) and not merges:
                left = j - 1
                while left >= 0 and not (_text(row[left]) if left < len(row) else ""):
                    left -= 1
                if left >= 0 and _spans_right(block, k, left, j, width):
                    t = _text(row[left])
        if t:
            out.append(normalise_header(t))
    return out


def _spans_right(block: list[tuple], k: int, left: int, j: int, width: int) -> bool:
    """Without merge information: does the cell at (k, left) reach column j? It does when it has
    sub-header cells under it (a group) and every column between is empty on row k."""
    row = block[k]
    return all(not (_text(row[c]) if c < len(row) else "") for c in range(left + 1, j + 1)) and any(
        _text(block[q][left]) if left < len(block[q]) else "" for q in range(k + 1, len(block)))


def _columns(block: list[tuple], first: int, merges) -> list[Column]:
    width = max(len(r) for r in block)
    cols: list[Column] = []
    for j in range(width):
        texts = _level_texts(block, first, merges, j)
        if not texts:
            continue
        units = tuple(t for t in texts if _UNIT_ONLY.match(bare(t) or t))
        levels: list[str] = []
        for t in texts:
            if t in units or (levels and levels[-1] == t):
                continue
            levels.append(t)
        if not levels:
            continue
        path = tuple(levels)
        f, month, year = classify_path(path)
        leaf_unit = path_unit(path, units)
        qualifier = None
        for t in path:
            qualifier = qualifier_of(t) or qualifier
        secondary = bare(path[-1]) in _SECONDARY and f in SECONDARY
        if f is None and month is None:
            # "1-10月" alone (two-row "完成投资" missing): a month column of cumulative completion
            m = _MONTH_GROUP.match(bare("/".join(path)))
            if m:
                f, month = "completed_ytd", int(m[2])
        cols.append(Column(j, f, "/".join(path), leaf_unit, month, year, path, qualifier, secondary))
    return cols
