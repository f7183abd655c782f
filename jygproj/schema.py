"""Canonical tables, enums and their Chinese labels, in one place.

Internal names are English; every user-facing label (report, chart, Excel header, widget) comes
from the label maps here, so a Chinese word is never typed twice in the package.

Money is 万元 (float64) everywhere inside the package: columns end in ``_wan``. Convert to 亿元
only at the edges with :func:`wan_to_yi`.
"""

from __future__ import annotations

import polars as pl

WAN_PER_YI = 10_000.0  # 1 亿元 = 10,000 万元
#: The word that marks the embedded sample: its workbooks carry it in their names (catalogue.is_sample),
#: and every output made from them says it (issue 15).
SAMPLE_WORD = "样例数据"
#: The layout file's names, in the folder of the workbooks it describes (jygproj.io.layout); never an
#: input workbook (catalogue.skip_code).
LAYOUT_NAMES = ("版式.yaml", "版式.yml")

#: Every file made from the embedded sample says so (issue 4: the sample workbooks; issue 15: every
#: output made from them — Excel, letters).
SAMPLE_MARK = "（样例数据，非官方数据）"
SHORT_MARK = "（样例数据）"


def wan_to_yi(wan: float) -> float:
    return wan / WAN_PER_YI


def yi_to_wan(yi: float) -> float:
    return yi * WAN_PER_YI


# --- enums -------------------------------------------------------------------------------------

#: Project lists of the plan, in the order reports show them, with Chinese labels and clause.
LISTS: dict[str, str] = {
    "provincial_major": "省列重大项目",  # 二(一)
    "provincial_key": "全省重点投资项目",  # 二(二)
    "leader_package": "市级领导包抓项目",  # 二(三)
    "government": "政府投资项目",  # 二(四)
    "industrial": "产业投资项目",  # 二(五)
    "real_estate": "房地产投资项目",  # 二(五)
    "reserve": "储备项目",  # 二(六)
}
LIST_CLAUSE: dict[str, str] = {
    "provincial_major": "二(一)",
    "provincial_key": "二(二)",
    "leader_package": "二(三)",
    "government": "二(四)",
    "industrial": "二(五)",
    "real_estate": "二(五)",
    "reserve": "二(六)",
}
#: Which list's figures describe a project city-wide when it sits on several (counted once): the
#: provincial lists first (their figures pass the provincial platform), then the city plans; the
#: leader-package list last, because its 年度计划 is the leader's target (二(三)), not the project's plan.
CITY_PRECEDENCE: tuple[str, ...] = (
    "provincial_major", "provincial_key", "government", "industrial", "real_estate", "leader_package", "reserve",
)
#: Lists whose projects are enterprise investment (企业投资, 二(五); their rates are the plan's, jygproj.plan).
ENTERPRISE_LISTS = ("industrial", "real_estate")

#: Construction nature 建设性质.
NATURES: dict[str, str] = {
    "continuing": "续建",
    "new": "新建",
    "preparatory": "预备",
}

#: Full names of the responsible units where the registers use the short one (市住建局): a user may type
#: either (`jygproj quarterly --unit 市住房和城乡建设局`, jygproj.schema.unit_of).
UNIT_FULL_NAMES: dict[str, str] = {
    "市住建局": "市住房和城乡建设局",
    "市卫生健康委": "市卫生健康委员会",
    "市工信局": "市工业和信息化局",
    "市文旅局": "市文化和旅游局",
    "市林草局": "市林业和草原局",
    "市发展改革委": "市发展和改革委员会",
    "郊区工作办": "郊区工作办公室",
    "工业园区管委会": "工业园区管理委员会",
    "大景区管委会(丝路长城文化研究院)": "大景区管理委员会",
}
#: The prefix a full name may carry (嘉峪关市住房和城乡建设局 = 市住房和城乡建设局).
CITY_NAME = "嘉峪关"


def code_of(given: str, labels: dict[str, str]) -> str | None:
    """The code a user means by ``given``: the code itself or its Chinese label (one of ``labels``,
    code → label, e.g. LISTS, NATURES, READING_NAMES); None when it is neither."""
    text = str(given).strip()
    if text in labels:
        return text
    return next((code for code, label in labels.items() if label == text), None)


def unit_of(given: str, known: list[str] | set[str]) -> str | None:
    """The responsible unit (as the registers write it, one of ``known``) a user means: the name as
    written, its full name (UNIT_FULL_NAMES), either with 嘉峪关 in front, half- or full-width brackets."""
    def norm(name: str) -> str:
        name = str(name).strip().replace("（", "(").replace("）", ")")
        return name[len(CITY_NAME):] if name.startswith(CITY_NAME + "市") else name

    wanted = norm(given)
    for unit in known:
        if wanted in (norm(unit), norm(UNIT_FULL_NAMES.get(unit, unit))):
            return unit
    return None


#: Warning levels, mildest first. Colour names are configurable in data/reference/alert_rules.yaml;
#: these are the plan's defaults (二(八) 红黄蓝预警机制; in Gansu practice blue is the mildest).
ALERT_LEVELS: dict[str, str] = {
    "blue": "蓝色预警",
    "yellow": "黄色预警",
    "red": "红色预警",
}

#: Sheet kinds recognised by jygproj.io.
SHEET_KINDS: dict[str, str] = {
    "register": "项目清单",
    "progress": "调度表",
    "baseline": "固定资产投资基数",
    "reserve": "储备项目库",
    "reply": "整改反馈表",  # 督办反馈/ (jygproj.io.followup_books)
    "closure": "督办销号记录",
}
#: Sheets of instructions for the person filling in a template: read as remarks, never data
#: (jygproj.io.sheets, jygproj.io.followup_books).
INSTRUCTION_SHEETS = frozenset({"填报说明", "填表说明"})

#: Reserve pre-construction steps 前期手续 (domain page), in their usual order.
RESERVE_STEPS: dict[str, str] = {
    "approval": "立项",
    "land": "用地预审与选址",
    "planning": "规划许可",
    "environment": "环评",
    "energy": "能评",
    "drawings": "施工图审查",
    "construction_permit": "施工许可",
    "funding": "资金落实",
}
RESERVE_DOMAINS = ("交通", "能源", "水利", "冷链物流", "社会事业", "生态环保", "乡村振兴", "产业")
FUNDING_CHANNELS = ("中央预算内投资", "专项债券", "政策性开发性金融工具", "企业自筹", "其他")

LIST_ENUM = pl.Enum(list(LISTS))
NATURE_ENUM = pl.Enum(list(NATURES))
LEVEL_ENUM = pl.Enum(list(ALERT_LEVELS))

# --- canonical tables --------------------------------------------------------------------------
# Every table that came from a workbook carries its provenance: source_file, source_sheet,
# source_row (the Excel row number, 1-based), so every figure traces to file, sheet and row.

SOURCE_COLUMNS: dict[str, pl.DataType] = {
    "source_file": pl.String,
    "source_sheet": pl.String,
    "source_row": pl.Int32,
}

#: One row per project (counted once city-wide, whatever lists it sits on).
PROJECTS: dict[str, pl.DataType] = {
    "project_id": pl.String,  # national code 项目代码 where known, else "N:" + normalised name
    "code": pl.String,  # 项目代码 as given (null when the list has none)
    "name": pl.String,
    "name_key": pl.String,  # normalised name used to match across lists and months
    "nature": NATURE_ENUM,
    "sector": pl.String,
    "total_investment_wan": pl.Float64,
    "annual_plan_wan": pl.Float64,
    "planned_start": pl.Date,  # first day of the planned start month
    "responsible_unit": pl.String,  # 责任单位
    "lead_unit": pl.String,  # 牵头单位
    "owner": pl.String,  # 建设单位
    "leader": pl.String,  # 包抓领导
    **SOURCE_COLUMNS,
    # statistical registration 入库/入统 (issue 14; domain page: 先入库，后有数), null when not given
    "registered": pl.Boolean,  # 是否入库/入统
    "registered_on": pl.Date,  # 入库/入统时间
}

#: A project's place on one list, with that list's own plan figures (a provincial target and a
#: city plan for the same project can differ).
MEMBERSHIPS: dict[str, pl.DataType] = {
    "project_id": pl.String,
    "list": LIST_ENUM,
    "nature": NATURE_ENUM,
    "total_investment_wan": pl.Float64,
    "annual_plan_wan": pl.Float64,
    "q1_plan_wan": pl.Float64,
    "q2_plan_wan": pl.Float64,
    "q3_plan_wan": pl.Float64,
    "q4_plan_wan": pl.Float64,
    "planned_start": pl.Date,
    **SOURCE_COLUMNS,
    "stretch_plan_wan": pl.Float64,  # 力争目标 (二(一): e.g. continuing 35.4 亿元, stretch 37.6), null when not given
}

#: The scheduling ledger 调度台账: one row per project, list and period submission.
PROGRESS: dict[str, pl.DataType] = {
    "project_id": pl.String,
    "list": LIST_ENUM,
    "period": pl.String,  # "2023-10" (monthly) or "2023-W43" (weekly)
    "period_end": pl.Date,  # last day the period covers
    "completed_ytd_wan": pl.Float64,  # 1-X月累计完成投资
    "started": pl.Boolean,
    "start_date": pl.Date,
    "resumed": pl.Boolean,  # 复工 (continuing projects)
    "image_progress": pl.String,  # 形象进度
    "issues": pl.String,  # 存在问题
    "reported_at": pl.Date,  # 填报日期
    "revision": pl.Int32,  # 0 = first submission; a later one supersedes, both are kept
    **SOURCE_COLUMNS,
    "registered": pl.Boolean,  # 是否入库/入统 as reported that period (issue 14), null when not given
    "registered_on": pl.Date,  # 入库/入统时间
}

#: The FAI baseline: prior-year monthly cumulative FAI (comparable basis 可比口径) and, where
#: published, the current year's cumulative growth.
BASELINE: dict[str, pl.DataType] = {
    "year": pl.Int32,  # the current year (growth is this year over year - 1)
    "month": pl.Int8,  # 1..12; January is reported with February (1-2月) as statistics do
    "prior_cum_wan": pl.Float64,  # year-1, 1-X月 cumulative FAI, comparable basis
    "current_cum_wan": pl.Float64,  # year, 1-X月 cumulative FAI where known
    "growth_pct": pl.Float64,  # published 1-X月 cumulative growth, % (null where not yet)
    **SOURCE_COLUMNS,
}

#: Reserve pool 项目储备库, one row per project.
RESERVE: dict[str, pl.DataType] = {
    "project_id": pl.String,
    "name": pl.String,
    "domain": pl.String,  # one of RESERVE_DOMAINS
    "funding_channel": pl.String,  # one of FUNDING_CHANNELS
    "project_type": pl.String,  # decides which steps are needed (reference file)
    "total_investment_wan": pl.Float64,
    "first_year_wan": pl.Float64,  # expected investment in the first year of construction
    "responsible_unit": pl.String,
    "owner": pl.String,
    "tier": pl.String,  # 5年储备 / 3年滚动 / 1年实施
    **SOURCE_COLUMNS,
}
#: Reserve steps in long form: one row per project and step.
RESERVE_STEPS_TABLE: dict[str, pl.DataType] = {
    "project_id": pl.String,
    "step": pl.Enum(list(RESERVE_STEPS)),
    "status": pl.String,  # done / in_progress / not_started / not_required
    "date": pl.Date,  # completion date (done) or expected date
}

#: A warning, stored per project, rule and period (domain page, "Warning practice"): one per project
#: and rule (jygproj.alerts.evaluate), ``list`` the list its figures come from, ``lists`` every list
#: of the project the rule hit (codes, "、"-joined).
ALERTS: dict[str, pl.DataType] = {
    "project_id": pl.String,
    "list": LIST_ENUM,
    "period": pl.String,
    "level": LEVEL_ENUM,
    "rule_id": pl.String,
    "reason": pl.String,  # Chinese reason text with figures
    "evaluated_on": pl.Date,
    "lists": pl.String,
}

#: A problem found while reading a workbook (io.problems); errors stop the sheet, warnings not.
PROBLEMS: dict[str, pl.DataType] = {
    "severity": pl.String,  # "error" | "warning"
    "file": pl.String,
    "sheet": pl.String,
    "row": pl.Int32,  # Excel row number (1-based), null for sheet-level problems
    "column": pl.String,  # Excel column letter, null for row/sheet-level problems
    "header": pl.String,
    "value": pl.String,
    "expected": pl.String,
    "code": pl.String,  # English code, e.g. "amount_not_number"
    "message": pl.String,  # Chinese message
}

# --- Chinese column labels for reports and Excel output -----------------------------------------

COLUMN_LABELS: dict[str, str] = {
    "project_id": "项目代码/标识",
    "code": "项目代码",
    "name": "项目名称",
    "nature": "建设性质",
    "sector": "行业领域",
    "list": "清单",
    "total_investment_wan": "总投资（万元）",
    "annual_plan_wan": "年度计划投资（万元）",
    "q1_plan_wan": "一季度计划（万元）",
    "q2_plan_wan": "二季度计划（万元）",
    "q3_plan_wan": "三季度计划（万元）",
    "q4_plan_wan": "四季度计划（万元）",
    "planned_start": "计划开工时间",
    "responsible_unit": "责任单位",
    "lead_unit": "牵头单位",
    "owner": "建设单位",
    "leader": "包抓领导",
    "period": "调度期",
    "completed_ytd_wan": "累计完成投资（万元）",
    "started": "是否开工",
    "start_date": "开工时间",
    "resumed": "是否复工",
    "image_progress": "形象进度",
    "issues": "存在问题",
    "reported_at": "填报日期",
    "registered": "是否入库",
    "registered_on": "入库时间",
    "level": "预警等级",
    "rule_id": "规则编号",
    "reason": "预警原因",
    "evaluated_on": "评估日期",
    "source_file": "来源文件",
    "source_sheet": "来源工作表",
    "source_row": "来源行号",
}


def empty(table: dict[str, pl.DataType]) -> pl.DataFrame:
    """An empty frame with a canonical table's columns and dtypes."""
    return pl.DataFrame(schema=table)


def conform(frame: pl.DataFrame, table: dict[str, pl.DataType]) -> pl.DataFrame:
    """Select and cast a frame to a canonical table; missing columns become typed nulls."""
    return frame.select(
        [
            (pl.col(c) if c in frame.columns else pl.lit(None)).cast(dtype).alias(c)
            for c, dtype in table.items()
        ]
    )

# --- reserve pipeline (二(六)); added by the reserve module ---------------------------------------

#: Step statuses in RESERVE_STEPS_TABLE.status, with the word a report shows.
RESERVE_STATUSES: dict[str, str] = {
    "done": "已完成",
    "in_progress": "办理中",
    "not_started": "未启动",
    "not_required": "不涉及",
}
#: Funnel stages of the reserve, in order (labels also in data/reference/reserve_steps.yaml).
RESERVE_STAGES: dict[str, str] = {
    "concept": "谋划阶段",
    "approval": "立项阶段",
    "permits": "要件办理阶段",
    "ready": "具备开工条件",
}
#: Rolling tiers "5年储备 / 3年滚动 / 1年实施", nearest first.
RESERVE_TIERS: dict[str, str] = {
    "implement_1y": "1年实施",
    "rolling_3y": "3年滚动",
    "reserve_5y": "5年储备",
}
#: Chinese headers for the reserve pipeline's result columns (reports, Excel).
RESERVE_COLUMN_LABELS: dict[str, str] = {
    "domain": "领域",
    "funding_channel": "资金渠道",
    "project_type": "项目类型",
    "first_year_wan": "首年投资（万元）",
    "tier": "储备层级",
    "stage": "所处阶段",
    "steps_required": "需办要件数",
    "steps_done": "已办结要件数",
    "readiness_pct": "要件完成率（%）",
    "blocking_step": "卡点手续",
    "blocking_owner": "卡点责任部门",
    "blocking_status": "卡点手续状态",
    "remaining_steps": "待办手续",
    "remaining_months": "预计剩余办理月数",
    "ready_month": "预计具备开工条件月份",
    "start_month": "预计开工月份",
    "next_year_wan": "次年预计完成投资（万元）",
    "proposed_tier": "建议层级",
    "tier_move": "层级调整",
    "round": "申报批次",
    "deadline": "截止日期",
    "eligibility": "符合情况",
    "missing_steps": "尚缺手续",
    "gain_wan": "推进后次年增加投资（万元）",
    "wan_per_month": "每月办理量对应首年投资（万元/月）",
    "cum_gain_wan": "累计增加投资（万元）",
    "previous_stage": "上期阶段",
    "movement": "变动",
}

# --- completion, starts and the 12% tracker (ledger.py, completion.py, starts.py, growth.py) ------

COLUMN_LABELS.update({
    # ledger
    "period_kind": "调度频次",
    "year": "年份",
    "month": "月份",
    "quarter": "季度",
    "month_used": "采用月份",
    "started_on": "实际开工日期",
    "start_date_reported": "是否填报开工日期",
    "resumed_on": "复工日期",
    # completion against the plan
    "closed": "是否已结束",
    "projects": "项目个数",
    "plan_wan": "计划投资（万元）",
    "completed_wan": "完成投资（万元）",
    "rate_pct": "完成率（%）",
    "annual_rate_pct": "年度计划完成率（%）",
    "target_wan": "方案目标（万元）",
    "target_yi": "方案目标（亿元）",
    "target_rate_pct": "目标完成率（%）",
    "kind": "目标类别",
    "key": "目标键",
    "clause": "方案条款",
    "due_wan": "序时目标（万元）",
    "pace_rate_pct": "序时完成率（%）",
    "final": "是否终期考核",
    "met": "是否达标",
    "requirement_id": "考核要求",
    "basis": "考核口径",
    "measured_pct": "实际值（%）",
    "required_pct": "要求值（%）",
    "pace_required_pct": "序时要求值（%）",
    "on_pace": "是否达到序时要求",
    # starts and resumptions
    "planned_count": "计划新开工项目数",
    "plan_count": "方案计划开工数",
    "due_count": "应开工（复工）项目数",
    "started_count": "已开工项目数",
    "on_time_count": "按期开工项目数",
    "undated_count": "未填计划开工时间项目数",
    "plan_rate_pct": "对方案计划开工率（%）",
    "met_count": "已达标项目数",
    "deadline": "截止日期",
    "status": "状态",
    # the 12% tracker
    "prior_cum_wan": "上年同期累计（可比口径，万元）",
    "comparable_prior_cum_wan": "上年同期累计（万元，可比口径，按公布增速校准）",
    "current_cum_wan": "本年累计（万元）",
    "growth_pct": "累计增速（%）",
    "actual_cum_wan": "本年实际累计（万元）",
    "projected_cum_wan": "预测累计（万元）",
    "cum_wan": "累计（实际或预测，万元）",
    "cum_growth_pct": "累计增速（实际或预测，%）",
    "rate_line_wan": "增长目标线（万元）",  # the plan's rate in reports: jygproj.plan.Words.column_labels
    "level_path_wan": "总量口径所需累计（万元）",
    "rate_path_wan": "增速口径所需累计（万元）",
    "level_need_month_wan": "总量口径当月所需投资（万元）",
    "rate_need_month_wan": "增速口径当月所需投资（万元）",
    "projected_month_wan": "预测当月投资（万元）",
    "level_extra_month_wan": "总量口径当月需新增（万元）",
    "rate_extra_month_wan": "增速口径当月需新增（万元）",
})

COLUMN_LABELS.update({
    # issue 13: requirements as the plan states them, practice apart, cumulative beside quarterly
    "requirement": "方案要求",
    "threshold": "要求（%）",
    "strive": "是否力争目标",
    "note": "说明",
    "partial": "季度未结束",
    "cum_plan_wan": "累计计划（万元）",
    "cum_completed_wan": "累计完成（万元）",
    "cum_rate_pct": "累计完成率（%）",
    "cum_target_wan": "累计方案目标（万元）",
    "cum_target_rate_pct": "累计目标完成率（%）",
    "value_pct": "实际（%）",
    "reference_pct": "参考进度（%）",
    "pace_basis": "序时进度依据",
    "on_time_rate_pct": "按期开工率（%）",
    "started_rate_pct": "截至评估日开工率（%）",
    "met_rate_pct": "按时限开（复）工率（%）",
    "resumed_by": "复工依据",
    "lists": "涉及清单",
    "plan_label": "计划口径",
    "recommend_rank": "推荐顺序",
    "trigger": "提醒情形",
    "triggers": "提醒情形（三(三)）",
    "gap_wan": "差额（万元）",
    "figure_list": "完成数所在清单",
    "plan_file": "计划数来源文件",
    "plan_sheet": "计划数来源工作表",
    "plan_row": "计划数来源行号",
    "project_ids": "涉及项目",
    "letter_facts": "提醒函事项数",
    "projects_with_plan": "有年度计划的项目数",
    "rows_left_out": "未载入行数",
    "first_error": "首条错误",
    "setting": "设定",
    "used_for": "用于",
    "source": "来源",
    "period_end": "期末日期",
    "used_list": "采用清单", "used_wan": "采用数（万元）", "used_file": "采用数文件", "used_sheet": "采用数工作表",
    "used_row": "采用数行号", "used_column": "采用数列",
    "other_list": "另一清单", "other_wan": "另一清单数（万元）", "other_file": "另一清单文件",
    "other_sheet": "另一清单工作表", "other_row": "另一清单行号", "other_column": "另一清单列",
    "difference_wan": "相差（万元）",
})

COLUMN_LABELS.update({
    # io: what each sheet was read as (Dataset.sheet_table)
    "sheet_kind": "表类型",
    "unit": "单位",
    "rows_read": "读取行数",
    "rows_loaded": "载入行数",
    "rows_structure": "结构行数（标题/表头/分节/合计/备注/空行）",
    "rows_rejected": "拒绝行数",
    "errors": "错误数",
    "warnings": "警告数",
    # io: problems (schema.PROBLEMS)
    "severity": "级别",
    "file": "文件",
    "sheet": "工作表",
    "row": "行号",
    "column": "列",
    "header": "表头",
    "value": "发现的值",
    "expected": "应为",
    "message": "说明",
})

#: Scope codes beside the list names in result frames (completion, starts).
SCOPE_LABELS: dict[str, str] = {
    "city": "全市合计（去重）",
    "enterprise": "企业投资项目（产业+房地产，去重）",
    "unspecified": "未注明",
}
#: Period codes of completion results and plan targets.
PERIOD_LABELS: dict[str, str] = {
    "Q1": "一季度",
    "Q2": "二季度",
    "Q3": "三季度",
    "Q4": "四季度",
    "YTD": "年初至今",
    "Year": "全年",
}
#: Kinds of plan targets: 确保 (target) and 力争 (stretch, 二(一)).
TARGET_KIND_LABELS: dict[str, str] = {"target": "目标任务", "stretch": "力争目标"}
#: What a completion rate is measured against.
BASIS_LABELS: dict[str, str] = {
    "plan_target": "对方案季度目标",
    "list_plan": "对清单季度计划",
    "annual_plan": "对年度计划",
}
#: What a 序时进度 (pace, 参考) follows: a list's own quarterly targets for the project, the plan's
#: quarterly schedule (二(二)), or the seasonal profile (alerts.positions, completion.target_checks).
PACE_BASIS_LABELS: dict[str, str] = {
    "list_quarters": "清单分季度目标",
    "plan_schedule": "方案分季度安排",
    "plan_quarter": "方案季度目标",
    "seasonal": "季节性施工曲线",
}
#: Start and resumption status of a project that misses a requirement (starts.py).
START_STATUS_LABELS: dict[str, str] = {
    "on_time": "按期开工",
    "started_late": "逾期开工",
    "not_started": "未开工",
    "overdue": "已过计划开工月份未开工",
    "resumed_late": "逾期复工",
    "not_resumed": "未复工",
}
# --- report labels (one place: every table header and code a reader sees) ------------------------

#: Quarters in words (一季度…), by number.
QUARTER_LABELS: dict[int, str] = {1: "一季度", 2: "二季度", 3: "三季度", 4: "四季度"}

#: Chinese headers of the score table (reports and Excel); the figure columns use schema.COLUMN_LABELS.
SCORE_LABELS: dict[str, str] = {
    "rank": "名次",
    "months_early": "较计划提前开工（月）",
    "planned_to_date_wan": "序时计划投资（万元）",
    "pace_ratio": "完成/序时计划",
    "annual_pct": "年度计划完成率（%）",
    "speed_points": "建设速度得分",
    "pace_points": "工程进度得分",
    "over_points": "超额完成得分",
    "score": "总分",
    "eligible": "是否参评",
    "started_on": "实际开工时间",
}

#: The two readings of the plan's growth goal, short (jygproj.growth; the plan's own words with its
#: numbers: jygproj.plan.Words.reading_labels / reading_short).
READING_NAMES: dict[str, str] = {"rate": "增速口径", "level": "总量口径"}
#: Why a reading is the default, with its source, said where the report names its headline reading
#: (jygproj.growth.DEFAULT_HEADLINE, where its published sources are cited). The plan's own
#: words (一 工作目标: 力争提前1个月完成) stay the requirement; the reading is how it is judged.
READING_SOURCES: dict[str, str] = {
    "rate": "嘉峪关、甘肃公布增长目标完成情况时均以累计增速衡量，如《嘉峪关日报》2023年11月8日："
            "“前三季度……固定资产投资同比增长14.6%，全省排名第五位，高于全省7.9个百分点”；"
            "甘肃省发展和改革委员会2023年1月15日：“固定资产投资增长10%，高于年初目标（9%）1个百分点”",
}

#: Chinese headers of the FAI forecast's report columns (jygproj.forecast via jygproj.quarterly).
FORECAST_LABELS: dict[str, str] = {
    "cum_wan": "1-X月累计（万元，实际或预测）",
    "p10_cum_wan": "累计下限（万元，80%把握区间）",
    "p90_cum_wan": "累计上限（万元，80%把握区间）",
    "p10_growth_pct": "累计增速下限（%，80%把握区间）",
    "p90_growth_pct": "累计增速上限（%，80%把握区间）",
    "listed_statistical_wan": "清单项目统计数（万元）",
    "other_wan": "清单外投资（万元）",
    "value_wan": "金额（万元）",
    "value_yi": "金额（亿元）",
    "ratio": "比例",
    "as_of_label": "预测基准月",
    "predicted_month": "预测月份",
    "horizon": "提前月数",
    "predicted_growth_pct": "预测累计增速（%）",
    "actual_growth_pct": "实际累计增速（%）",
    "error_pp": "误差（百分点）",
    "covered": "落入80%把握区间",
    "hold_growth_pct": "对照：沿用当月累计增速（%）",
}

#: Chinese headers of the quarterly report's columns (COLUMN_LABELS covers the canonical ones).
REPORT_LABELS: dict[str, str] = {
    **FORECAST_LABELS,
    "scope": "清单/口径",
    "quarter": "季度",
    "closed": "是否已结束",
    "projects": "项目数",
    "plan_wan": "计划投资（万元）",
    "completed_wan": "完成投资（万元）",
    "rate_pct": "完成率（%）",
    "annual_rate_pct": "年度计划完成率（%）",
    "target_wan": "方案目标（万元）",
    "target_rate_pct": "目标完成率（%）",
    "kind": "目标类型",
    "key": "目标键",
    "clause": "方案条款",
    "due_wan": "序时应完成（万元）",
    "pace_rate_pct": "序时完成率（%）",
    "final": "是否期末",
    "met": "是否达标",
    "on_pace": "是否达序时",
    "requirement_id": "考核要求",
    "basis": "口径",
    "measured_pct": "实际（%）",
    "required_pct": "要求（%）",
    "pace_required_pct": "序时要求（%）",
    "planned_count": "计划新开工数",
    "plan_count": "方案计划数",
    "plan_projects": "方案项目数",
    "count_difference": "项目数差异",
    "plan_total_wan": "方案总投资（万元）",
    "total_difference_wan": "总投资差异（万元）",
    "matches": "是否一致",
    "size_scope": "范围",
    "due_count": "应开（复）工数",
    "started_count": "已开工数",
    "met_count": "达标项目数",
    "on_time_count": "按期开工数",
    "undated_count": "无计划时间数",
    "plan_rate_pct": "对方案开工率（%）",
    "deadline": "时限",
    "status": "状态",
    "started_on": "实际开工时间",
    "resumed_on": "复工时间",
    "month": "月份",
    "actual_cum_wan": "1-X月累计（万元，实际）",
    "projected_cum_wan": "1-X月累计（万元，预测）",
    "level_path_wan": "总量口径目标路径（万元）",
    "rate_path_wan": "增速口径目标路径（万元）",
    "comparable_prior_cum_wan": "上年同期累计（万元，可比口径）",
    "prior_cum_wan": "上年同期累计（万元）",
    "growth_pct": "累计增速（%）",
    "is_actual": "实际值",
    "reading": "口径",
    "goal_wan": "目标累计（万元）",
    "gap_wan": "尚需完成（万元）",
    "remaining_months": "剩余月数",
    "needed_per_month_wan": "月均尚需（万元）",
    "projected_met_month": "预计达成月份",
    "level": "预警等级",
    "from_level": "上季度等级",
    "to_level": "本季度等级",
    "movement_label": "变动",
    "rule_ids": "触发规则",
    "alert_count": "预警条数",
    "reasons": "预警原因",
    "red_count": "红色预警数",
    "yellow_count": "黄色预警数",
    "blue_count": "蓝色预警数",
    "total_count": "预警合计",
    "category_code": "问题编码",
    "category_label": "要素类别",
    "project_names": "涉及项目",
    "project_ids": "项目标识",
    "matched": "匹配关键词",
    "indicator": "指标",
    "unit": "单位",
    "note": "说明",
    "file": "文件",
    "sheet": "工作表",
    "rows": "行数",
    "first_row": "起始行",
    "last_row": "末行",
    "table": "数据表",
    "bytes": "字节数",
    "path": "路径",
    "severity": "级别",
    "message": "问题说明",
    "month_used": "数据月份",
    "margin_wan": "预测较目标盈缺（万元）",
    "extra_total_wan": "预测之外尚需新增（万元）",
    "q_plan_wan": "本季度计划（万元）",
    "q_completed_wan": "本季度完成（万元）",
    "figure_file": "完成数来源文件",
    "figure_sheet": "完成数来源工作表",
    "figure_row": "完成数来源行号",
    "red_projects": "红色预警项目数",
    "missed_targets": "未完成季度目标数",
    "kind_label": "事项类型",
    "fact": "事实与数据",
    "letter_file": "提醒函文件",
    "projects_on_pace": "达序时进度项目数",
    "qualifies": "是否优先支持",
    "planned_wan": "计划投资（万元）",
    "row": "行号",
    "column": "列",
    "header": "表头",
    "expected": "应为",
    # the shared labels win over the report's own where both name a column…
    **COLUMN_LABELS,
    **SCORE_LABELS,
    # …except where a shared word would mislead in these tables
    "period": "期间",
    "value": "数值",  # (COLUMN_LABELS' 发现的值 is a loader problem's cell: cell_value below)
    "cell_value": "单元格原值",
    # a cell's place as readers see it (report.tables.sources): 《文件》“工作表”第N行
    "source": "来源",
    "figure_source": "完成数来源",
    "plan_source": "计划数来源",
    "thresholds": "阈值",
    "sha256": "文件校验值",
}

#: Codes in report columns → Chinese (labelled by jygproj.report.tables.labelled).
_SCOPES = {**LISTS, **SCOPE_LABELS}
VALUE_CODE_LABELS: dict[str, dict[str, str]] = {
    "scope": _SCOPES, "period": PERIOD_LABELS, "kind": TARGET_KIND_LABELS,
    "status": START_STATUS_LABELS, "list": _SCOPES, "basis": BASIS_LABELS, "pace_basis": PACE_BASIS_LABELS,
    "nature": {**NATURES, "unspecified": SCOPE_LABELS["unspecified"]},
    "size_scope": {"list": "清单项目", "observation": "观摩评比范围（二(九)）"},
}

#: Headers of the reserve report's tables.
RESERVE_REPORT_LABELS: dict[str, str] = {
    **COLUMN_LABELS,
    **RESERVE_COLUMN_LABELS,
    "stage_label": "所处阶段",
    "blocking_step_label": "卡点手续",
    "blocking_status_label": "卡点手续状态",
    "projects": "项目数（个）",
    "reached": "已达到该阶段及以后（个）",
    "in_progress": "其中办理中（个）",
    "names": "项目名称",
    "month_label": "月份",
    "needed_cum_wan": "需新开工项目累计完成（万元）",
    "reserve_cum_wan": "储备项目累计可完成（万元）",
    "gap_cum_wan": "累计缺口（万元）",
    "starts": "当月可开工项目（个）",
    "starts_cum": "累计可开工项目（个）",
    "ready_first_year_cum_wan": "累计可开工项目首年投资（万元）",
    "rank": "排序",
    "selected": "建议优先推进",
    "pushed_start_month": "推进后开工月份",
    "pushed_next_year_wan": "推进后次年完成投资（万元）",
    "months_to_ready": "距具备开工条件（月）",
    "tier_move_label": "层级调整",
    "tier_label": "储备层级",
    "before": "调整前（个）",
    "after": "调整后（个）",
    "round_label": "申报批次",
    "eligibility_label": "符合情况",
    "reasons": "不符合原因",
    "last_end": "尚缺手续预计办结",
    "candidates": "同渠道项目（个）",
    "eligible": "已符合（个）",
    "by_deadline": "截止前可符合（个）",
    "not_eligible": "不符合（个）",
    "eligible_investment_wan": "符合项目总投资（万元）",
    "item": "项目",
    "value": "取值",
    "unit": "单位",
    "source": "来源/方法",
    "quality": "质量",
    "movement_label": "变动",
    "previous_stage_label": "上期阶段",
    "谋划阶段": "谋划阶段（个）",
    "立项阶段": "立项阶段（个）",
    "要件办理阶段": "要件办理阶段（个）",
    "具备开工条件": "具备开工条件（个）",
}

#: Column labels of :func:`jygproj.projection.project`'s frame (Chinese, for reports).
PROJECTION_LABELS: dict[str, str] = {
    "month": "月份",
    "is_actual": "实际值",
    "projected_cum_wan": "1-X月累计投资（万元，预测）",
    "listed_cum_wan": "清单项目累计（万元）",
    "other_cum_wan": "清单外投资累计（万元）",
    "reserve_cum_wan": "储备项目提前开工（万元，假设）",
    "prior_cum_wan": "上年同期累计（万元）",
    "comparable_prior_cum_wan": "上年同期累计（万元，可比口径）",
    "growth_pct": "累计增速（%）",
}

#: Columns of the scenario engine's tornado table (jygproj.scenario.engine.tornado).
TORNADO_LABELS: dict[str, str] = {
    "project_id": "项目代码/标识", "name": "项目名称", "list": "所属清单",
    "base_wan": "至目标月新增投资（万元）", "low_delta_wan": "低情景变化（万元）",
    "high_delta_wan": "高情景变化（万元）", "low_margin_yi": "低情景目标月末差额（亿元）",
    "high_margin_yi": "高情景目标月末差额（亿元）", "swing_wan": "摆幅（万元）",
}


#: Warning level movements quarter on quarter (alerts.level_movements).
ALERT_MOVEMENT_LABELS: dict[str, str] = {
    "up": "升级",  # worse than last quarter
    "down": "降级",  # milder
    "new": "新增",
    "cleared": "解除",
    "unchanged": "持平",
}
#: Units of the warning rules' thresholds, by rule kind (alerts.rules_table).
ALERT_THRESHOLD_UNITS: dict[str, str] = {"start_lateness": "个月", "resume_lateness": "个月", "pace_gap": "个百分点",
                                         "registration_lag": "个月"}
#: Kinds of facts in a reminder letter (supervision.reminder_facts).
REMINDER_KIND_LABELS: dict[str, str] = {"red_project": "红色预警项目", "missed_target": "未完成季度目标",
                                        "missed_annual": "未完成年度目标", "missing_reports": "调度信息漏报",
                                        "attention_warning": "开工未入库等"}
#: The S-curve's two series (completion.s_curve).
S_CURVE_LABELS: dict[str, str] = {"planned_cum_wan": "计划累计", "actual_cum_wan": "实际累计"}
#: The completion chart's planned bars (charts.completion_chart), the plan's own quarterly target first:
#: the 44 key projects' (二(二)) and the package projects' (二(三)) quarters have one, the others a
#: list's plan; named apart, never one word for both.
PLANNED_LABELS: dict[str, str] = {"target_wan": "方案目标", "plan_wan": "计划"}
#: Reserve projects against a funding round (reserve.funding).
FUNDING_ELIGIBILITY_LABELS: dict[str, str] = {"eligible": "已符合", "by_deadline": "截止前可符合", "not_eligible": "不符合"}
#: Reserve projects between two reviews (reserve.funnel).
RESERVE_MOVEMENT_LABELS: dict[str, str] = {
    "new": "新入库",
    "left": "出库（已开工或调出）",
    "advanced": "阶段前移",
    "regressed": "阶段后退",
    "same": "阶段未变",
}
#: Tier moves of the rolling reserve (reserve.rolling).
TIER_MOVE_LABELS: dict[str, str] = {"up": "上调", "down": "下调", "same": "不变", "new": "新定级"}

# --- follow-up ledger 督办台账 (三(三)); added by jygproj.followups ----------------------------------

#: A unit's written reply to a follow-up item (整改落实情况反馈表), one row per item and reply;
#: every reply is kept, a later one (by 填报日期, then file and row) supersedes for the item.
FOLLOWUP_REPLIES: dict[str, pl.DataType] = {
    "item_id": pl.String,  # 督办编号 the reply answers
    "replying_unit": pl.String,  # 反馈单位 as written on the form
    "measures": pl.String,  # 整改措施
    "responsible_person": pl.String,  # 责任人
    "promised_on": pl.Date,  # 承诺完成时间 (null when blank or unreadable: see the problems)
    "progress": pl.String,  # 整改进展 (the form's drop-down)
    "explanation": pl.String,  # 情况说明
    "replied_on": pl.Date,  # 填报日期 of the form
    "revision": pl.Int32,  # 0 = the item's first reply; higher = later replies
    **SOURCE_COLUMNS,
}
#: The analyst's closures 销号记录 (an input kept beside the workbooks; never written by the tool).
FOLLOWUP_CLOSURES: dict[str, pl.DataType] = {
    "item_id": pl.String,
    "closed_on": pl.Date,  # 销号日期
    "reason": pl.String,  # 销号理由 (required: an item is closed by hand only with a written reason)
    "closed_by": pl.String,  # 经办人
    **SOURCE_COLUMNS,
}
#: Status of a follow-up item on an evaluation date (the issue's four).
FOLLOWUP_STATUS_LABELS: dict[str, str] = {
    "unanswered": "逾期未反馈",  # a letter's reply deadline passed without a reply
    "awaiting": "待反馈",  # in a letter whose deadline has not passed, no reply yet
    "in_progress": "整改中",  # replied, the problem not gone yet
    "closed": "已销号",  # the data shows the problem gone, or the analyst closed it with a reason
}
#: How an item's problem moved from when it was raised to the evaluation date.
FOLLOWUP_MOVEMENT_LABELS: dict[str, str] = {
    "improved": "好转",
    "worsened": "加重",
    "unchanged": "未好转",
    "cleared": "已消除",
}
#: Who closed an item.
FOLLOWUP_CLOSED_BY_LABELS: dict[str, str] = {"data": "数据显示问题消除", "analyst": "分析人员销号"}
#: The reply form's drop-down for 整改进展.
FOLLOWUP_PROGRESS_CHOICES: tuple[str, ...] = ("已完成整改", "正在整改", "无法按期完成")
#: Headers of the follow-up tables (report and Excel).
FOLLOWUP_LABELS: dict[str, str] = {
    "item_id": "督办编号",
    "status_label": "状态",
    "overdue": "承诺期限已过未整改",
    "problem": "督办问题",
    "first_review": "首次提出",
    "letters_text": "提醒函",
    "reply_deadline": "反馈截止日期",
    "level_first": "提出时预警",
    "level_now": "当前预警",
    "item_movement": "变化",
    "replied_on": "最近反馈日期",
    "reply_note": "反馈情况",
    "measures": "整改措施（单位填报）",
    "responsible_person": "责任人",
    "promised_on": "承诺完成时间",
    "progress": "整改进展（单位填报）",
    "explanation": "情况说明（单位填报）",
    "closed_on": "销号日期",
    "closed_by_label": "销号方式",
    "closure_reason": "销号理由",
    "items_open": "在办事项",
    "items_unanswered": "逾期未反馈",
    "items_overdue": "承诺逾期",
    "items_awaiting": "待反馈",
    "items_in_progress": "整改中",
    "items_closed_this_quarter": "本季度销号",
    "items_closed": "累计销号",
    "unit_words": "单位反馈（原文摘录）",
    "on": "日期",
    "review": "考核",
    "event_label": "事件",
    "text": "记录",
    "severity_label": "级别",
}
#: The canonical table a sheet's rows went to, in words (the 数据来源 table).
PROVENANCE_TABLE_LABELS: dict[str, str] = {
    "projects": "项目", "memberships": "清单归属", "progress": "调度台账", "baseline": "投资基数", "reserve": "储备项目",
    "reference": "参考数据", "followup_replies": "整改反馈", "followup_closures": "销号记录",
}
#: Severity of a problem (schema.PROBLEMS.severity) in words.
#: Columns of report tables that hold a warning level (red/yellow/blue, ALERT_LEVELS).
LEVEL_COLUMNS = ("level", "from_level", "to_level", "level_first", "level_now")

#: The reference files a review reads (data/reference/<stem>.yaml) as readers name them (数据来源).
REFERENCE_FILE_LABELS: dict[str, str] = {
    "targets": "工作方案（目标、要求与时限）", "seasonal_profile": "季节性施工曲线", "alert_rules": "预警与提醒函规则",
    "ranking": "观摩评比评分规则", "issue_categories": "要素保障问题分类", "followups": "督办规则",
}
PROBLEM_SEVERITY_LABELS: dict[str, str] = {"error": "错误", "warning": "警告"}
#: Events of an item's history.
FOLLOWUP_EVENT_LABELS: dict[str, str] = {
    "raised": "提出",
    "repeated": "复查",
    "reply": "单位反馈",
    "deadline_missed": "逾期未反馈",
    "promise_passed": "承诺期限已过",
    "closed_data": "销号（数据）",
    "closed_analyst": "销号（分析人员）",
}

# --- io: what a header column is read as (check --explain, layout files, pick messages) -----------

#: Canonical field of a header column → its Chinese name. Also the words a layout file (版式.yaml)
#: uses under 列 to say what a column is (jygproj.io.layout).
HEADER_FIELD_LABELS: dict[str, str] = {
    "seq": "序号", "name": "项目名称", "code": "项目代码", "list": "清单", "nature": "建设性质", "owner": "建设单位",
    "responsible_unit": "责任单位", "lead_unit": "牵头单位", "leader": "包抓领导", "sector": "行业领域",
    "content": "建设内容", "total_investment": "总投资", "annual_plan": "年度计划投资", "q1_plan": "一季度计划",
    "q2_plan": "二季度计划", "q3_plan": "三季度计划", "q4_plan": "四季度计划", "stretch_plan": "力争目标",
    "planned_start": "计划开工时间", "remark": "备注", "completed_ytd": "1-X月累计完成投资",
    "period_completed": "本期完成投资", "since_start": "开工以来累计完成投资", "prior_years": "截至上年底累计完成投资",
    "completion_rate": "投资完成率", "started": "是否开工", "start_date": "开工时间",
    "start_or_planned": "开工/计划开工时间", "registered": "是否入库", "registered_on": "入库时间",
    "image_progress": "形象进度", "issues": "存在问题", "reported_at": "填报日期", "month": "月份",
    "growth_pct": "累计增速", "funding_channel": "资金渠道", "project_type": "项目类型", "first_year": "首年投资",
    "tier": "储备层级", "cumulative": "累计完成（基数表）", "prior_cum": "上年累计完成（可比口径）",
    "current_cum": "本年累计完成", "funding_part": "资金来源分项", "part": "“其中”分项", "ignored": "不读取",
    **{f"step_{k}": v for k, v in RESERVE_STEPS.items()},
}
