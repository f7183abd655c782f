"""Wiring of the quarterly review 季度考核 (notebooks/10_quarterly_review.ipynb, `jygproj quarterly`).

Which files, which parameters, which calculation, which table: the calculations themselves live in
their own modules (completion, starts, alerts, ranking, factors, projection…) and are pure; this
module reads the inputs once (:func:`load_inputs`), calls them (:func:`build_review`) and turns the
results into report tables with Chinese headers, an Excel workbook, letters and ``summary.json``
(:func:`write_outputs`). The notebook stays thin: parameters, narrative, calls into here.

Traceability: every per-project table carries source_file / source_sheet / source_row (the
workbook row the figure came from), and the 数据来源 table lists every workbook read with its
sha256 and row counts, so every figure of the report leads back to a workbook, sheet and row.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import polars as pl

from jygproj import (alerts, completion, factors, growth, ledger, letters, paths, projection, ranking, runs, schema,
                     starts, supervision)
from jygproj.errors import JygprojError
from jygproj.export import Sheet, write_workbook
from jygproj.reference import load_seasonal_profile, load_targets
from jygproj.schema import ALERT_LEVELS, COLUMN_LABELS, LISTS, NATURES, WAN_PER_YI

HEADLINES = growth.HEADLINES  # the two readings of "12% one month early" (domain page)
SCOPE_LABELS = {**LISTS, **schema.SCOPE_LABELS}
PERIOD_LABELS = schema.PERIOD_LABELS

#: Chinese headers of the report's own columns (schema.COLUMN_LABELS covers the canonical ones).
LABELS: dict[str, str] = {
    "scope": "清单/口径",
    "period": "期间",
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
    "value": "数值",
    "unit": "单位",
    "note": "说明",
    "file": "文件",
    "sheet": "工作表",
    "rows": "行数",
    "first_row": "起始行",
    "last_row": "末行",
    "table": "数据表",
    "sha256": "SHA-256",
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
    **ranking.SCORE_LABELS,
    # …except where a shared word would mislead in these tables
    "period": "期间",
}


#: Days after the as-of month's end on which the review reads the ledger: the month's reports are
#: due by the 5th (provincial key projects, 二(八)) and statistics documents by the 10th (domain page).
EVALUATION_LAG_DAYS = 10


class ReviewError(JygprojError, ValueError):
    """Bad review parameters or inputs; Chinese message, English code."""


# --- parameters --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewParams:
    year: int
    quarter: int
    data_dir: str
    as_of: str  # "YYYY-MM": the month whose cumulative figures the review uses
    unit: str | None = None  # responsible unit 责任单位, None for the city
    headline: str = "level"

    def __post_init__(self):
        if not 1 <= self.quarter <= 4:
            raise ReviewError(f"季度应为 1–4，实际为 {self.quarter}", "bad_quarter")
        if self.headline not in HEADLINES:
            raise ReviewError(f"headline 应为 {'/'.join(HEADLINES)}，实际为 {self.headline!r}", "bad_headline")
        y, m = parse_month(self.as_of)
        if y != self.year:
            raise ReviewError(f"as_of {self.as_of} 不在 {self.year} 年内", "as_of_wrong_year")
        if m < self.quarter * 3:
            raise ReviewError(f"{self.year}年第{self.quarter}季度尚未结束：as_of 应不早于 "
                              f"{self.year}-{self.quarter * 3:02d}，实际为 {self.as_of}", "quarter_not_closed")

    @property
    def as_of_month(self) -> int:
        return parse_month(self.as_of)[1]

    @property
    def as_of_date(self) -> dt.date:
        """The evaluation date: the 10th of the month after the as-of month, when that month's
        reports are in (key projects report by the 5th, 二(八); statistics by the 10th)."""
        return ledger.month_end(self.year, self.as_of_month) + dt.timedelta(days=EVALUATION_LAG_DAYS)

    @property
    def previous_as_of_date(self) -> dt.date:
        """The same point one quarter earlier, for warning movements quarter on quarter."""
        y, m = self.year, self.as_of_month - 3
        if m < 1:
            y, m = y - 1, m + 12
        return ledger.month_end(y, m) + dt.timedelta(days=EVALUATION_LAG_DAYS)

    @property
    def run_name(self) -> str:
        return f"{self.year}Q{self.quarter}"


def parse_month(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", str(text).strip())
    if not m or not 1 <= int(m[2]) <= 12:
        raise ReviewError(f"月份格式应为 YYYY-MM，实际为 {text!r}", "bad_month")
    return int(m[1]), int(m[2])


def parse_run(text: str) -> tuple[int, int]:
    """"2023Q3" -> (2023, 3)."""
    m = re.fullmatch(r"(\d{4})[Qq]([1-4])", text.strip())
    if not m:
        raise ReviewError(f"季度格式应为 YYYYQn（如 2023Q3），实际为 {text!r}", "bad_run")
    return int(m[1]), int(m[2])


def default_as_of(year: int, quarter: int) -> str:
    """The review is held in the month after the quarter (Q4: December's figures)."""
    return f"{year}-{min(quarter * 3 + 1, 12):02d}"


def unit_slug(unit: str) -> str:
    """A unit name as a directory name (keeps Chinese, drops path separators)."""
    return re.sub(r"[\\/:*?\"<>|\s]+", "_", unit).strip("._") or "unit"


# --- inputs --------------------------------------------------------------------------------------

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
REFERENCE_FILES = ("seasonal_profile.yaml", "alert_rules.yaml", "ranking.yaml", "issue_categories.yaml")


def workbooks(data_dir: str | Path) -> list[Path]:
    d = runs.resolve(data_dir)
    if not d.is_dir():
        raise ReviewError(f"数据目录不存在：{d}", "data_dir_missing")
    files = sorted(p for p in d.rglob("*") if p.suffix.lower() in WORKBOOK_SUFFIXES
                   and not p.name.startswith(("~$", ".")))
    if not files:
        raise ReviewError(f"数据目录中没有 Excel 工作簿：{d}", "no_workbooks")
    return files


def input_files(data_dir: str | Path, year: int) -> list[Path]:
    """Every file a review reads: the workbooks and the reference files (hashed into the record)."""
    ref = [paths.targets_file(year), *(paths.REFERENCE / f for f in REFERENCE_FILES)]
    return [*workbooks(data_dir), *(p for p in ref if p.exists())]


@dataclass
class Inputs:
    dataset: Any  # jygproj.io Dataset: projects, memberships, progress, baseline, reserve, problems
    targets: Any
    plan_targets: pl.DataFrame
    profile: dict[int, float]
    rules: Any
    ranking_rules: Any
    categories: Any
    data_dir: Path
    files: list[Path]


def load_inputs(data_dir: str | Path, year: int) -> Inputs:
    """Read the workbooks (through their Parquet copy, refreshed when an input's hash changed:
    jygproj.ingest) and the reference data, once."""
    from jygproj.ingest import load_or_ingest

    d = runs.resolve(data_dir)
    files = input_files(d, year)
    targets = load_targets(year)
    return Inputs(
        dataset=load_or_ingest(d),
        targets=targets,
        plan_targets=completion.plan_targets_frame(targets),
        profile=load_seasonal_profile(),
        rules=alerts.load_rules(),
        ranking_rules=ranking.load_ranking(),
        categories=factors.load_categories(),
        data_dir=d,
        files=files,
    )


# --- the review ----------------------------------------------------------------------------------


@dataclass
class Table:
    name: str  # sheet name
    title: str
    frame: pl.DataFrame
    unit: str | None = "万元"
    total_row: bool = False
    notes: tuple[str, ...] = ()
    total_ratios: Mapping[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class Review:
    params: ReviewParams
    tables: dict[str, Table]
    summary: dict[str, Any]
    chart_data: dict[str, pl.DataFrame]
    text: dict[str, str]  # narrative sentences with figures, Chinese (Markdown)
    frames: dict[str, pl.DataFrame]  # raw results, for the analyst
    letter_units: list[str] = field(default_factory=list)  # units due a reminder letter (三(三))


def scope_to_unit(projects: pl.DataFrame, unit: str | None) -> set[str] | None:
    """The project ids of a responsible unit (None: the whole city)."""
    if unit is None:
        return None
    ids = set(projects.filter(pl.col("responsible_unit") == unit)["project_id"].to_list())
    if not ids:
        known = sorted(u for u in projects["responsible_unit"].drop_nulls().unique().to_list())
        raise ReviewError(f"没有责任单位为“{unit}”的项目；已有责任单位：{'、'.join(known)}", "unknown_unit")
    return ids


def units(projects: pl.DataFrame) -> list[str]:
    return sorted(projects["responsible_unit"].drop_nulls().unique().to_list())


def _only(frame: pl.DataFrame, ids: set[str] | None) -> pl.DataFrame:
    return frame if ids is None else frame.filter(pl.col("project_id").is_in(sorted(ids)))


def build_review(inputs: Inputs, params: ReviewParams) -> Review:
    """Run every calculation of the quarterly review and build its tables."""
    # the same ledger snapshots and project positions serve every calculation: computed once each
    with ledger.reuse_results():
        return _build_review(inputs, params)


def _build_review(inputs: Inputs, params: ReviewParams) -> Review:
    ds = inputs.dataset
    ids = scope_to_unit(ds.projects, params.unit)
    projects, memberships, progress = _only(ds.projects, ids), _only(ds.memberships, ids), _only(ds.progress, ids)
    as_of, m = params.as_of_date, params.as_of_month
    profile = inputs.profile
    tables: dict[str, Table] = {}
    frames: dict[str, pl.DataFrame] = {}
    text: dict[str, str] = {}
    scope_note = f"（责任单位：{params.unit}）" if params.unit else "（全市）"
    when = f"{params.year}年1-{m}月"

    # 1. completion against the plan (二(一)–二(五)); figures as known on the evaluation date
    monthly = ledger.monthly_cumulative(progress, as_of=as_of)
    comp = completion.completion(memberships, monthly, year=params.year, as_of_month=m, profile=profile,
                                 plan_targets=inputs.plan_targets if ids is None else None)
    checks = completion.target_checks(comp, inputs.plan_targets, as_of_month=m, profile=profile) \
        if ids is None else None
    reqs = completion.requirements(comp, as_of_month=m, profile=profile)
    by_unit = completion.completion(memberships, monthly, year=params.year, as_of_month=m, profile=profile,
                                    projects=projects, by="responsible_unit")
    detail = _completion_detail(memberships, monthly, projects, params, profile)
    frames.update(completion=comp, target_checks=checks, requirements=reqs, completion_by_unit=by_unit,
                  monthly=monthly)

    comp_all = comp.filter(pl.col("nature").is_null())
    tables["completion"] = Table(
        "分清单完成情况", f"{when}分清单分季度投资完成情况{scope_note}",
        _labelled(comp_all.select(
            pl.col("list").alias("scope"), "period", "projects", "annual_plan_wan", "plan_wan", "completed_wan",
            "rate_pct", "annual_rate_pct", "target_wan", "target_rate_pct")),
        notes=("计划投资：清单给出分季度计划的按季度计划，否则按季节性施工曲线分解年度计划；"
               "年初至今计划按序时进度计。全市合计、企业投资项目每个项目只计一次。",))
    comp_nature = comp.filter(pl.col("nature").is_not_null() & pl.col("period").is_in(["Q1", "Q2", "Q3", "Q4", "YTD"]))
    tables["completion_nature"] = Table(
        "分建设性质完成情况", f"{when}分清单、分建设性质投资完成情况{scope_note}",
        _labelled(comp_nature.select(
            pl.col("list").alias("scope"), "nature", "period", "projects", "plan_wan", "completed_wan", "rate_pct",
            "target_wan", "target_rate_pct")))
    if checks is not None:
        tables["targets"] = Table(
            "方案目标对照", f"{when}方案投资目标完成情况（确保与力争目标）",
            _labelled(checks.select(
                pl.col("list").alias("scope"), "nature", "period", "kind", "clause", "target_wan", "completed_wan",
                "rate_pct", "due_wan", "pace_rate_pct", "final", "met")))
    tables["requirements"] = Table(
        "完成率考核", f"{when}投资完成率考核要求{scope_note}",
        _labelled(reqs.select("requirement_id", "clause", pl.col("list").alias("scope"), "nature", "period",
                              "measured_pct", "required_pct", "pace_required_pct", "final", "met", "on_pace")),
        unit=None)
    unit_ytd = by_unit.filter((pl.col("period") == "YTD") & pl.col("nature").is_null()
                              & (pl.col("list") == completion.CITY))
    tables["completion_by_unit"] = Table(
        "分责任单位完成", f"{when}分责任单位投资完成情况（每个项目只计一次）",
        unit_ytd.select("responsible_unit", "projects", "annual_plan_wan", "plan_wan", "completed_wan",
                        "rate_pct", "annual_rate_pct").sort("rate_pct", nulls_last=True),
        total_row=True, total_ratios={"rate_pct": ("completed_wan", "plan_wan"),
                                      "annual_rate_pct": ("completed_wan", "annual_plan_wan")})
    tables["completion_detail"] = Table(
        "项目完成明细", f"{when}项目投资完成明细（含数据来源）{scope_note}", detail, total_row=False)

    # 2. starts and resumptions (二(二)、二(四)、二(五))
    status = ledger.start_status(progress, as_of)
    rost = starts.roster(memberships, projects, status)
    rates = starts.new_start_rates(rost, year=params.year, as_of=as_of,
                                   planned_counts=starts.key_planned_starts(inputs.targets) if ids is None else None)
    start_summary, misses = starts.start_requirements(rost, starts.plan_start_rules(params.year), as_of=as_of)
    frames.update(start_rates=rates, start_requirements=start_summary, start_misses=misses)
    tables["start_rates"] = Table(
        "新开工率", f"截至{_date_zh(as_of)}新开工项目开工率（按计划开工季度）{scope_note}",
        _labelled(rates.select(pl.col("list").alias("scope"), "period", "planned_count", "plan_count",
                               "due_count", "started_count", "on_time_count", "rate_pct", "plan_rate_pct")),
        unit=None)
    tables["start_requirements"] = Table(
        "开复工考核", f"截至{_date_zh(as_of)}开工、复工考核要求{scope_note}",
        _labelled(start_summary.select("requirement_id", "clause", pl.col("list").alias("scope"), "quarter",
                                       "deadline", "required_pct", "due_count", "met_count", "rate_pct", "final",
                                       "met")), unit=None)
    tables["start_misses"] = Table(
        "未按期开复工项目", f"截至{_date_zh(as_of)}未按要求开工、复工的项目{scope_note}",
        _with_source(_labelled(misses.select("requirement_id", "clause", "project_id", "name", "list", "nature",
                                             "responsible_unit", "planned_start", "started_on", "resumed_on",
                                             "deadline", "status")), projects), unit=None)

    # 3. the 12% tracker (city-wide: the baseline is the city's FAI statistics)
    growth_frame, growth_summary = growth_tracker(inputs, params)
    frames["growth"] = growth_frame
    tables["growth"] = Table(
        "12%增长跟踪", f"{params.year}年固定资产投资累计与12%增长目标路径（全市）",
        growth_frame.select("month", "prior_cum_wan", "actual_cum_wan", "growth_pct", "projected_cum_wan",
                            "cum_growth_pct", "rate_line_wan", "level_path_wan", "rate_path_wan",
                            "level_need_month_wan", "rate_need_month_wan", "projected_month_wan",
                            "level_extra_month_wan", "rate_extra_month_wan"),
        notes=("总量口径：1-11月累计达到上年全年（可比口径）的1.12倍；增速口径：1-11月累计增速不低于12%。"
               "预测按各项目当前完成进度与季节性施工曲线推算（jygproj.projection 基准情景）。",))
    tables["growth_needed"] = Table(
        "达标所需投资", f"实现“提前一个月完成12%增长目标”尚需完成的投资（两种口径）",
        pl.DataFrame(growth_summary["readings_table"]), unit="万元")

    # 4. warnings (二(八)) and movements against the previous quarter
    warn = alerts.evaluate(projects, memberships, progress, as_of, inputs.rules, profile)
    before = alerts.evaluate(projects, memberships, progress, params.previous_as_of_date, inputs.rules, profile)
    worst = alerts.worst_level_per_project(warn)
    moves = alerts.level_movements(warn, before)
    frames.update(alerts=warn, alerts_previous=before, worst=worst, movements=moves)
    level_label = {k: inputs.rules.label(k) for k in ALERT_LEVELS}
    warn_rows = _with_source(
        worst.join(projects.select("project_id", "name", "responsible_unit"), on="project_id", how="left")
        .select("project_id", "name", "responsible_unit", "level", "rule_ids", "alert_count", "reasons")
        .sort([pl.col("level").to_physical(), "responsible_unit", "project_id"], descending=[True, False, False],
              nulls_last=True), projects)
    tables["warnings"] = Table("预警项目", f"截至{_date_zh(as_of)}预警项目清单{scope_note}", warn_rows, unit=None)
    unit_counts = _warning_counts_by_unit(worst, projects)
    tables["warnings_by_unit"] = Table(
        "分单位预警", f"截至{_date_zh(as_of)}各责任单位预警项目数（按项目最高等级）", unit_counts, unit="个",
        total_row=True)
    tables["movements"] = Table(
        "预警变动", f"预警等级变动（{_date_zh(params.previous_as_of_date)} → {_date_zh(as_of)}）",
        moves.join(projects.select("project_id", "name", "responsible_unit"), on="project_id", how="left")
        .select("project_id", "name", "responsible_unit", "from_level", "to_level", "movement_label")
        .sort("movement_label", "responsible_unit", "project_id", nulls_last=True), unit=None)

    # 5. observation and ranking 观摩评比 (二(九))
    scores = ranking.score_projects(projects, memberships, progress, as_of, inputs.ranking_rules, profile)
    top = ranking.top_projects(scores, inputs.ranking_rules.top_n)
    frames.update(scores=scores, top=top)
    tables["ranking"] = Table(
        "观摩评比", f"观摩评比推荐项目（各清单前{inputs.ranking_rules.top_n}名）{scope_note}",
        _with_source(top.select("list", "rank", "project_id", "name", "responsible_unit", "nature",
                                "months_early", "annual_plan_wan", "planned_to_date_wan", "completed_ytd_wan",
                                "annual_pct", "speed_points", "pace_points", "over_points", "score"), projects))

    # 6. factor guarantees 要素保障 (二(七))
    issues = factors.current_issues(progress, as_of)
    classified = factors.classify(issues, inputs.categories)
    by_cat = factors.summarise(classified, projects, by=("responsible_unit",))
    cat_totals = (classified.unique(["project_id", "category"]).group_by("category_code", "category_label")
                  .agg(pl.len().alias("projects")).sort("projects", "category_code", descending=[True, False]))
    frames.update(issues=classified, factors_by_unit=by_cat, factor_totals=cat_totals)
    tables["factors"] = Table(
        "要素保障问题", f"截至{_date_zh(as_of)}项目要素保障问题分类（按责任单位）{scope_note}",
        by_cat.select("responsible_unit", "category_code", "category_label", "projects", "project_names"),
        unit="个")
    tables["factor_detail"] = Table(
        "问题明细", f"截至{_date_zh(as_of)}调度表“存在问题”分类明细",
        _with_source(classified.join(projects.select("project_id", "name", "responsible_unit"), on="project_id",
                                     how="left")
                     .select("project_id", "name", "responsible_unit", "list", "period", "category_code",
                             "category_label", "matched", "issues"), projects), unit=None)

    # 7. supervision 督办 (三(三)): reminder letters for red projects and missed quarterly targets
    sup = supervision_tables(projects, memberships, progress, warn, by_unit, inputs, params)
    frames.update(sup["frames"])
    tables.update(sup["tables"])

    tables["factor_totals"] = Table("要素类别汇总", f"截至{_date_zh(as_of)}各类要素保障问题涉及项目数{scope_note}",
                                    cat_totals.select("category_code", "category_label", "projects"), unit="个",
                                    total_row=False)

    # 8. provenance
    tables["provenance"] = Table("数据来源", "数据来源：读取的工作簿、工作表、行数与校验值",
                                 provenance(inputs), unit=None)
    problems = getattr(ds, "problems", None)
    if problems is not None and problems.height:
        tables["problems"] = Table("读取问题", "读取工作簿时发现的问题", problems, unit=None)

    summary = _summary(params, comp, reqs, start_summary, growth_summary, warn, moves, top, cat_totals, sup, inputs)
    summary["plan_targets"] = [] if checks is None else [
        {"list": r["list"], "nature": r["nature"], "period": r["period"], "kind": r["kind"], "key": r["key"],
         "clause": r["clause"], "target_wan": _num(r["target_wan"]), "completed_wan": _num(r["completed_wan"]),
         "rate_pct": _num(r["rate_pct"]), "pace_rate_pct": _num(r["pace_rate_pct"]), "final": r["final"],
         "met": r["met"]}
        for r in checks.iter_rows(named=True)]
    tables = {"headline_figures": Table("核心指标", f"{params.run_name}季度考核核心指标{scope_note}",
                                        headline_figures(summary, params), unit=None), **tables}
    text = _narrative(params, summary, comp, level_label)
    chart_data = _chart_data(comp, growth_frame, worst, projects, memberships, monthly, params, profile)
    return Review(params, tables, summary, chart_data, text, frames, letter_units=sup["letters"])


# --- pieces --------------------------------------------------------------------------------------


def _date_zh(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _labelled(frame: pl.DataFrame) -> pl.DataFrame:
    """Translate scope/period/kind/requirement/status codes to Chinese for display."""
    maps = {"scope": SCOPE_LABELS, "period": PERIOD_LABELS, "kind": schema.TARGET_KIND_LABELS,
            "requirement_id": schema.REQUIREMENT_LABELS, "status": schema.START_STATUS_LABELS,
            "list": SCOPE_LABELS, "basis": schema.BASIS_LABELS,
            "nature": {**NATURES, completion.UNSPECIFIED: "未注明"}}
    exprs = []
    for col, mapping in maps.items():
        if col in frame.columns:
            exprs.append(pl.col(col).cast(pl.String).replace(mapping))
    return frame.with_columns(exprs) if exprs else frame


def _with_source(frame: pl.DataFrame, projects: pl.DataFrame) -> pl.DataFrame:
    """Append the project register's source (file, sheet, row) to a per-project table."""
    src = projects.select("project_id", "source_file", "source_sheet", "source_row").unique("project_id")
    return frame.join(src, on="project_id", how="left")


def _completion_detail(memberships, monthly, projects, params: ReviewParams, profile) -> pl.DataFrame:
    """Per project and list, YTD plan and completion with the workbook row of the figure used."""
    d = completion.completion_detail(memberships, monthly, year=params.year, as_of_month=params.as_of_month,
                                     profile=profile)
    ytd = d.filter((pl.col("period") == "YTD") & ~pl.col("list").is_in([completion.CITY, completion.ENTERPRISE]))
    quarter = d.filter(pl.col("period") == f"Q{params.quarter}").select(
        "project_id", "list", pl.col("plan_wan").alias("q_plan_wan"), pl.col("completed_wan").alias("q_completed_wan"))
    used = ledger.cumulative_at(monthly, params.year, params.as_of_month)
    figure_src = monthly.join(used.select("project_id", pl.col("month_used").alias("month")),
                              on=["project_id", "month"]).select(
        "project_id", "month", pl.col("source_file").alias("figure_file"),
        pl.col("source_sheet").alias("figure_sheet"), pl.col("source_row").alias("figure_row"))
    return (
        ytd.join(quarter, on=["project_id", "list"], how="left")
        .join(projects.select("project_id", "name", "responsible_unit"), on="project_id", how="left")
        .join(figure_src, on="project_id", how="left")
        .with_columns(pl.when(pl.col("plan_wan") > 0).then(pl.col("completed_wan") / pl.col("plan_wan") * 100)
                      .alias("rate_pct"))
        .select("project_id", "name", "responsible_unit", pl.col("list").cast(pl.String), "nature",
                "annual_plan_wan", "q_plan_wan", "q_completed_wan", "plan_wan", "completed_wan", "rate_pct",
                pl.col("month").alias("month_used"), "figure_file", "figure_sheet", "figure_row")
        .with_columns(pl.col("list").replace(SCOPE_LABELS),
                      pl.col("nature").cast(pl.String).replace({**NATURES, completion.UNSPECIFIED: "未注明"}))
        .sort("list", "responsible_unit", "project_id", nulls_last=True)
    )


def _warning_counts_by_unit(worst: pl.DataFrame, projects: pl.DataFrame) -> pl.DataFrame:
    j = worst.join(projects.select("project_id", "responsible_unit"), on="project_id", how="left").with_columns(
        pl.col("responsible_unit").fill_null("（未填责任单位）"), pl.col("level").cast(pl.String))
    out = j.group_by("responsible_unit").agg(
        *[(pl.col("level") == k).sum().cast(pl.Int64).alias(f"{k}_count") for k in ("red", "yellow", "blue")],
        pl.len().cast(pl.Int64).alias("total_count"))
    return out.sort(["red_count", "yellow_count", "total_count", "responsible_unit"],
                    descending=[True, True, True, False])


def provenance(inputs: Inputs) -> pl.DataFrame:
    """One row per workbook sheet read: file, sheet, canonical table, rows, first/last row, sha256.
    Reference files appear too (no sheet), so the whole input of the run is listed."""
    ds = inputs.dataset
    parts = []
    for table in ("projects", "memberships", "progress", "baseline", "reserve"):
        frame = getattr(ds, table, None)
        if frame is None or not frame.height or "source_file" not in frame.columns:
            continue
        parts.append(frame.group_by("source_file", "source_sheet").agg(
            pl.len().cast(pl.Int64).alias("rows"), pl.col("source_row").min().alias("first_row"),
            pl.col("source_row").max().alias("last_row")).with_columns(pl.lit(table).alias("table")))
    sheets = pl.concat(parts) if parts else pl.DataFrame(schema={
        "source_file": pl.String, "source_sheet": pl.String, "rows": pl.Int64, "first_row": pl.Int32,
        "last_row": pl.Int32, "table": pl.String})
    hashes = pl.DataFrame(runs.file_records(inputs.files, inputs.data_dir)).with_columns(
        pl.col("path").alias("_p"))
    names = {Path(r["path"]).name: r for r in hashes.iter_rows(named=True)}
    sheets = sheets.with_columns(
        pl.col("source_file").map_elements(lambda f: names.get(Path(f).name, {}).get("sha256"),
                                           return_dtype=pl.String).alias("sha256"))
    refs = hashes.filter(~pl.col("path").str.to_lowercase().str.contains(r"\.xls[xm]?$")).select(
        pl.col("path").alias("source_file"), pl.lit(None, pl.String).alias("source_sheet"),
        pl.lit("reference").alias("table"), pl.lit(None, pl.Int64).alias("rows"),
        pl.lit(None, pl.Int32).alias("first_row"), pl.lit(None, pl.Int32).alias("last_row"), "sha256")
    cols = ["source_file", "source_sheet", "table", "rows", "first_row", "last_row", "sha256"]
    return pl.concat([sheets.select(cols).sort("source_file", "source_sheet", "table"), refs.select(cols)],
                     how="vertical_relaxed")


# --- the 12% tracker -------------------------------------------------------------------------------


def growth_tracker(inputs: Inputs, params: ReviewParams) -> tuple[pl.DataFrame, dict[str, Any]]:
    """The 12% tracker (jygproj.growth) on the city's FAI baseline, with the project-by-project
    projection of jygproj.projection (baseline scenario: each project at its current pace, seasonal
    profile) for the months after the as-of month. Always city-wide: the baseline is the city's
    statistics, a unit has no FAI base of its own.

    As of December (the Q4 review) every month is an actual: nothing is projected (the scenario
    engine refuses December, there is nothing left to plan) and summary["projection"] says so. Once
    the target month is past (as of November or December), the goal is judged on the published
    January–November figures (一 "one month early"): the readings table compares the goal with the
    target month's actual cumulative, with no month remaining.
    """
    ds = inputs.dataset
    m = params.as_of_month
    settings = growth.target_settings(inputs.targets)
    if m == 12:
        proj = None
    else:
        proj = projection.project(ds.projects, ds.memberships, ds.progress, ds.baseline, as_of=params.as_of,
                                  profile=inputs.profile).select("month", "projected_cum_wan")
    path, summary = growth.track(ds.baseline, as_of_month=m, profile=inputs.profile, projection=proj,
                                 headline=params.headline, year=params.year, **settings)
    summary["projection"] = ("无（截至12月，全年均为实际数，不作预测）" if proj is None
                             else "jygproj.projection（基准情景）")
    remaining = settings["target_month"] - m
    # the cumulative the goal is compared with: the as-of month's, or the target month's once it is past
    reached = summary["projected_target_month_cum_wan"] if remaining <= 0 else summary["ytd_cum_wan"]
    readings = []
    for reading in HEADLINES:
        goal = summary[f"{reading}_goal_wan"]
        gap = max(goal - reached, 0.0) if reached is not None else None
        readings.append({
            "reading": schema.GROWTH_READING_LABELS[reading],
            "goal_wan": goal,
            "actual_cum_wan": reached,
            "gap_wan": gap,
            "remaining_months": max(remaining, 0),
            "needed_per_month_wan": gap / remaining if remaining > 0 else None,
            "projected_cum_wan": summary["projected_target_month_cum_wan"],
            "margin_wan": summary[f"{reading}_margin_wan"],
            "extra_total_wan": summary[f"{reading}_extra_total_wan"],
            "projected_met_month": summary[f"{reading}_met_month"],
        })
    summary["readings_table"] = readings
    return path, summary


# --- supervision ---------------------------------------------------------------------------------


def missed_quarter_targets(by_unit: pl.DataFrame, quarter: int) -> pl.DataFrame:
    """The review quarter's list plans a unit did not complete (三(三)): responsible_unit, list,
    quarter, planned_wan, completed_wan — from completion by responsible unit, all natures, each
    list (a unit's project on two lists counts on each, as each list is assessed on its own)."""
    q = by_unit.filter((pl.col("period") == f"Q{quarter}") & pl.col("nature").is_null() & pl.col("closed")
                       & ~pl.col("list").is_in([completion.CITY, completion.ENTERPRISE])
                       & (pl.col("plan_wan") > 0) & (pl.col("completed_wan").fill_null(0) < pl.col("plan_wan")))
    return q.select("responsible_unit", "list", pl.lit(str(quarter)).alias("quarter"),
                    pl.col("plan_wan").alias("planned_wan"), pl.col("completed_wan").fill_null(0.0))


def supervision_tables(projects: pl.DataFrame, memberships: pl.DataFrame, progress: pl.DataFrame,
                       warn: pl.DataFrame, by_unit: pl.DataFrame, inputs: Inputs,
                       params: ReviewParams) -> dict[str, Any]:
    """Reminder letters 提醒函 and priority support 优先支持 (三(三)), via jygproj.supervision."""
    as_of = params.as_of_date
    missed = missed_quarter_targets(by_unit, params.quarter)
    pos = alerts.positions(projects, memberships, progress, as_of, inputs.profile)
    level_labels = {k: inputs.rules.label(k) for k in ALERT_LEVELS}
    units_due = supervision.reminder_units(warn, projects, missed)
    facts = supervision.reminder_facts(warn, projects, missed, positions=pos, level_labels=level_labels)
    support = supervision.priority_support_units(pos, warn, missed)
    kind = {"red_project": "红色预警项目", "missed_target": "未完成季度目标"}
    tables = {
        "reminders": Table("提醒函单位", f"拟发送提醒函的责任单位（截至{_date_zh(as_of)}）",
                           units_due.select("responsible_unit", "red_projects", "missed_targets", "reasons"),
                           unit="个", total_row=True),
        "reminder_facts": Table("提醒函事实", "提醒函所列事实（逐项）",
                                facts.with_columns(pl.col("kind").replace(kind).alias("kind_label"))
                                .select("responsible_unit", "kind_label", "project_id", "list", "fact"), unit=None),
        "priority_support": Table("优先支持单位", f"责任单位序时进度与优先支持资格（截至{_date_zh(as_of)}）",
                                  support, total_row=False),
    }
    frames = {"missed_targets": missed, "reminder_units": units_due, "reminder_facts": facts,
              "priority_support": support}
    return {"tables": tables, "frames": frames, "facts": facts, "letters": units_due["responsible_unit"].to_list(),
            "support_units": support.filter(pl.col("qualifies"))["responsible_unit"].to_list()}


def write_letters(review: "Review", out_dir: Path) -> list[Path]:
    """One 提醒函 (docx) per unit due one; issued on the evaluation date, answer due in 15 days."""
    facts = review.frames["reminder_facts"]
    if not facts.height:
        return []
    as_of = review.params.as_of_date
    return letters.write_letters(facts, out_dir, as_of=as_of, issued_on=as_of,
                                 deadline=as_of + dt.timedelta(days=LETTER_DAYS))


#: Days a unit has to answer a reminder letter in writing (a commission's choice, not the plan's).
LETTER_DAYS = 15


# --- summary and narrative -------------------------------------------------------------------------


def _num(x: Any, nd: int = 2) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else round(x, nd)


def _summary(params, comp, reqs, start_summary, growth, warn, moves, top, cat_totals, sup, inputs) -> dict:
    completion_out: dict[str, dict[str, dict[str, Any]]] = {}
    for row in comp.filter(pl.col("nature").is_null()).iter_rows(named=True):
        completion_out.setdefault(row["list"], {})[row["period"]] = {
            "projects": row["projects"],
            "plan_wan": _num(row["plan_wan"]),
            "completed_wan": _num(row["completed_wan"]),
            "rate_pct": _num(row["rate_pct"]),
            "target_wan": _num(row["target_wan"]),
            "target_rate_pct": _num(row["target_rate_pct"]),
        }
    counts = alerts.level_counts(warn)
    return {
        "run": {"name": params.run_name, "year": params.year, "quarter": params.quarter,
                "as_of": params.as_of, "evaluated_on": params.as_of_date.isoformat(),
                "unit": params.unit, "headline": params.headline, "data_dir": str(params.data_dir)},
        "completion": completion_out,
        "completion_annual_plan_wan": _num(comp.filter((pl.col("list") == completion.CITY) & pl.col("nature").is_null()
                                                       & (pl.col("period") == "YTD"))["annual_plan_wan"].sum()),
        "requirements": {
            "checked": reqs.height,
            "met": int(reqs["met"].fill_null(False).sum()),
            "failed": int((reqs["final"] & ~reqs["met"].fill_null(True)).sum()),
        },
        "starts": [
            {k: (_num(v) if isinstance(v, float) else v.isoformat() if isinstance(v, dt.date) else v)
             for k, v in r.items()} for r in start_summary.iter_rows(named=True)
        ],
        "growth": _growth_summary(growth),
        "support_units": sup["support_units"],
        "warnings": {"projects_by_level": counts, "alerts": warn.height,
                     "movements": {r["movement"]: r["n"] for r in moves.group_by("movement").agg(
                         pl.len().alias("n")).iter_rows(named=True)}},
        "ranking": {"top_projects": top.height},
        "factors": {r["category_code"]: r["projects"] for r in cat_totals.iter_rows(named=True)},
        "letters": len(sup["letters"]),
        "problems": {"errors": _problem_count(inputs, "error"), "warnings": _problem_count(inputs, "warning")},
    }


def _growth_summary(g: dict[str, Any]) -> dict[str, Any]:
    """The 12% tracker's headline figures, both readings (万元, %, month numbers)."""
    def reading(r: str) -> dict[str, Any]:
        return {
            "goal_wan": _num(g[f"{r}_goal_wan"]),
            "margin_wan": _num(g[f"{r}_margin_wan"]),
            "met_early": g[f"{r}_met_early"],
            "projected_met_month": g[f"{r}_met_month"],
            "extra_total_wan": _num(g[f"{r}_extra_total_wan"]),
            "needed_per_month_wan": {str(k): _num(v) for k, v in g[f"{r}_needed_per_month_wan"].items()},
        }
    return {
        "as_of_month": g["as_of_month"],
        "target_month": g["target_month"],
        "target_growth_pct": g["target_growth_pct"],
        "ytd_cum_wan": _num(g["ytd_cum_wan"]),
        "ytd_prior_cum_wan": _num(g["ytd_prior_cum_wan"]),
        "ytd_growth_pct": _num(g["ytd_growth_pct"]),
        "prior_year_total_wan": _num(g["prior_year_total_wan"]),
        "projected_target_month_cum_wan": _num(g["projected_target_month_cum_wan"]),
        "projected_target_month_growth_pct": _num(g["projected_target_month_growth_pct"]),
        "projected_year_growth_pct": _num(g["projected_year_growth_pct"]),
        "projection": g.get("projection"),
        "headline": g["headline"],
        "headline_met_month": g["headline_met_month"],
        "level": reading("level"),
        "rate": reading("rate"),
    }


def headline_figures(s: dict[str, Any], params: ReviewParams) -> pl.DataFrame:
    """The summary's headline figures as a table: indicator, value, unit, note."""
    q = f"Q{params.quarter}"
    city = s["completion"].get(completion.CITY, {})
    g = s["growth"]
    # from November on the target month is an actual (published figures), not a projection
    actual = _target_month_actual(g)
    met = "达成月份（实际）" if actual else "预计达成月份"
    met_note = "空白：年内未达成" if actual else "空白：按当前进度年内无法达成"
    rows = [
        (f"{PERIOD_LABELS[q]}完成投资", (city.get(q) or {}).get("completed_wan"), "万元", "清单项目，每个项目只计一次"),
        (f"{PERIOD_LABELS[q]}计划投资", (city.get(q) or {}).get("plan_wan"), "万元", "清单季度计划或按季节曲线分解"),
        (f"{PERIOD_LABELS[q]}完成率", (city.get(q) or {}).get("rate_pct"), "%", "完成÷计划"),
        (f"1-{params.as_of_month}月累计完成投资", (city.get("YTD") or {}).get("completed_wan"), "万元", "清单项目"),
        ("序时完成率", (city.get("YTD") or {}).get("rate_pct"), "%", "累计完成÷序时计划"),
        ("年度计划完成率", None if not city.get("YTD") else _num(
            (city["YTD"].get("completed_wan") or 0) / s["completion_annual_plan_wan"] * 100
            if s.get("completion_annual_plan_wan") else None), "%", "累计完成÷年度计划"),
        (f"全市固定资产投资1-{g['as_of_month']}月累计", g["ytd_cum_wan"], "万元", "统计基数表（全市）"),
        (f"全市固定资产投资1-{g['as_of_month']}月累计增速", g["ytd_growth_pct"], "%", "可比口径"),
        ("总量口径目标（1-11月累计）", g["level"]["goal_wan"], "万元", "上年全年×1.12"),
        (f"总量口径{met}", g["level"]["projected_met_month"], "月", met_note),
        ("增速口径目标（1-11月累计）", g["rate"]["goal_wan"], "万元", "上年1-11月×1.12"),
        (f"增速口径{met}", g["rate"]["projected_met_month"], "月", met_note),
        ("红色预警项目", s["warnings"]["projects_by_level"].get("red"), "个", "按项目最高等级"),
        ("黄色预警项目", s["warnings"]["projects_by_level"].get("yellow"), "个", "按项目最高等级"),
        ("蓝色预警项目", s["warnings"]["projects_by_level"].get("blue"), "个", "按项目最高等级"),
        ("提醒函", s["letters"], "份", "三(三)"),
        ("优先支持单位", len(s["support_units"]), "个", "三(三)"),
    ]
    return pl.DataFrame([{"indicator": a, "value": None if b is None else float(b), "unit": c, "note": d}
                         for a, b, c, d in rows],
                        schema={"indicator": pl.String, "value": pl.Float64, "unit": pl.String, "note": pl.String})


def _problem_count(inputs: Inputs, severity: str) -> int:
    p = getattr(inputs.dataset, "problems", None)
    return 0 if p is None or not p.height else int((p["severity"] == severity).sum())


def _yi(wan: float | None) -> str:
    return "—" if wan is None else f"{wan / WAN_PER_YI:,.2f}亿元"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.1f}%"


def _narrative(params: ReviewParams, s: dict, comp: pl.DataFrame, level_label: dict[str, str]) -> dict[str, str]:
    q = f"Q{params.quarter}"
    city = s["completion"].get(completion.CITY, {})
    cq, ytd = city.get(q, {}), city.get("YTD", {})
    g = s["growth"]
    counts = s["warnings"]["projects_by_level"]
    actual = _target_month_actual(g)
    who = params.unit or "全市"
    lines = {
        "headline": (
            f"**{who}**清单项目{PERIOD_LABELS[q]}完成投资 {_yi(cq.get('completed_wan'))}，为季度计划的 "
            f"{_pct(cq.get('rate_pct'))}；1-{params.as_of_month}月累计完成 {_yi(ytd.get('completed_wan'))}，"
            f"为序时计划的 {_pct(ytd.get('rate_pct'))}。"
        ),
        "growth": (
            f"全市1-{g['as_of_month']}月固定资产投资累计 {_yi(g['ytd_cum_wan'])}，累计增速 "
            f"{_pct(g['ytd_growth_pct'])}。{'按已公布数据' if actual else '按当前进度预测'}："
            f"总量口径（1-{g['target_month']}月累计达到上年全年的{1 + g['target_growth_pct'] / 100:.2f}倍，"
            f"即 {_yi(g['level']['goal_wan'])}）"
            f"{_month_zh(g['level']['projected_met_month'], g['target_month'], actual)}；"
            f"增速口径（1-{g['target_month']}月累计增速≥{g['target_growth_pct']:g}%，即累计 "
            f"{_yi(g['rate']['goal_wan'])}）{_month_zh(g['rate']['projected_met_month'], g['target_month'], actual)}。"
            f"本报告以{'总量口径' if params.headline == 'level' else '增速口径'}为主口径。"
        ),
        "warnings": (
            "按项目最高等级计，" + "、".join(f"{level_label[k]} {counts.get(k, 0)} 个" for k in ("red", "yellow", "blue"))
            + "。"
        ),
    }
    return lines


def _target_month_actual(g: dict[str, Any]) -> bool:
    """True once the target month (November, 一 "one month early") is published: figures are actuals."""
    return g["as_of_month"] >= g["target_month"]


def _month_zh(month: int | None, target_month: int = 11, actual: bool = False) -> str:
    if actual:
        if month is None:
            return "年内未达成"
        return f"{month}月达成" + ("，已提前一个月完成" if month <= target_month else "，未能提前一个月完成")
    if month is None:
        return "按当前进度预计年内无法达成"
    return f"预计{month}月达成" + ("，可实现提前一个月完成" if month <= target_month else "，不能提前一个月完成")


# --- charts --------------------------------------------------------------------------------------


def _chart_data(comp, growth_frame, worst, projects, memberships, monthly, params, profile) -> dict[str, pl.DataFrame]:
    lists = [k for k in LISTS if k != "reserve"]
    by_q = comp.filter(pl.col("nature").is_null() & pl.col("period").is_in(["Q1", "Q2", "Q3", "Q4"])
                       & pl.col("list").is_in(lists)).select(
        "list", "quarter", pl.coalesce("target_wan", "plan_wan").alias("planned_wan"),
        pl.col("completed_wan").fill_null(0.0))
    series = {"actual_cum_wan": "实际累计", "projected_cum_wan": "预测累计（按当前进度）",
              "rate_line_wan": "增速口径：上年同期×1.12", "level_path_wan": "总量口径：所需累计路径"}
    growth_long = (
        growth_frame.select("month", *series)
        .with_columns(pl.when(pl.col("month") >= params.as_of_month).then(pl.col("projected_cum_wan"))
                      .alias("projected_cum_wan"))
        .unpivot(index="month", on=list(series), variable_name="series", value_name="cum_wan")
        .drop_nulls("cum_wan").with_columns(pl.col("series").replace(series))
    )
    warn = worst.join(projects.select("project_id", "responsible_unit"), on="project_id", how="left")
    # S-curve: all listed projects (once each), planned (seasonal pace of annual plans) vs actual
    # the city's annual plan, each project once (the completion module's city scope)
    plan_total = float(comp.filter((pl.col("list") == completion.CITY) & pl.col("nature").is_null()
                                   & (pl.col("period") == "YTD"))["annual_plan_wan"].sum() or 0.0)
    cum = 0.0
    rows = []
    for month in range(1, 13):
        cum += profile[month]
        rows.append({"month": month, "series": "计划累计", "cum_wan": plan_total * cum})
    for month in range(2, params.as_of_month + 1):
        got = ledger.cumulative_at(monthly, params.year, month)["completed_ytd_wan"].sum()
        rows.append({"month": month, "series": "实际累计", "cum_wan": float(got or 0.0)})
    return {"completion": by_q, "growth": growth_long, "warnings": warn, "s_curve": pl.DataFrame(rows)}


def charts_for(review: Review) -> dict[str, Any]:
    """The four standard charts of the review (altair objects; show with jygproj.charts.show)."""
    from jygproj import charts

    y = review.params.year
    return {
        "completion": charts.completion_chart(review.chart_data["completion"],
                                              title="分清单分季度计划（方案目标）与完成投资（亿元）"),
        "growth": charts.growth_chart(review.chart_data["growth"], year=y,
                                      dashed=("预测累计（按当前进度）", "增速口径：上年同期×1.12",
                                              "总量口径：所需累计路径")),
        "warnings": charts.warnings_chart(review.chart_data["warnings"]),
        "s_curve": charts.s_curve_chart(review.chart_data["s_curve"], year=y),
    }


# --- outputs ---------------------------------------------------------------------------------------


def display_table(frame: pl.DataFrame, *, labels: Mapping[str, str] = LABELS, max_rows: int = 60,
                  caption: str | None = None) -> Any:
    """An HTML table with Chinese headers and formatted numbers (for the notebook and its HTML)."""
    from IPython.display import HTML

    shown = frame.head(max_rows)
    head = "".join(f"<th>{html.escape(labels.get(c, c))}</th>" for c in shown.columns)
    body = []
    for row in shown.iter_rows():
        cells = "".join(f"<td style='text-align:{_align(v)}'>{html.escape(_fmt(c, v))}</td>"
                        for c, v in zip(shown.columns, row))
        body.append(f"<tr>{cells}</tr>")
    more = (f"<p>（共 {frame.height} 行，此处显示前 {max_rows} 行；完整数据见 Excel 工作簿）</p>"
            if frame.height > max_rows else "")
    cap = f"<caption style='caption-side:top;font-weight:bold'>{html.escape(caption)}</caption>" if caption else ""
    return HTML(f"<table class='jyg'>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{more}")


def show(review: Review, key: str, max_rows: int = 60) -> None:
    """Display one of the review's tables with its title (a missing table says so, never blank)."""
    from IPython.display import Markdown, display

    table = review.tables.get(key)
    if table is None:
        display(Markdown(f"*（本节无数据：{key}）*"))
        return
    if not table.frame.height:
        display(Markdown(f"**{table.title}**：无。"))
        return
    unit = f"（单位：{table.unit}）" if table.unit else ""
    frame = table.frame
    if {"value", "unit"} <= set(frame.columns):  # mixed units: each value formatted by its own unit
        frame = frame.with_columns(pl.struct("value", "unit").map_elements(
            lambda r: _fmt_value(r["value"], r["unit"]), return_dtype=pl.String).alias("value"))
    display(display_table(frame, max_rows=max_rows, caption=f"{table.title}{unit}"))


def _fmt_value(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit in ("月", "个", "份"):
        return f"{value:,.0f}"
    return f"{value:,.1f}" if unit == "%" else f"{value:,.2f}"


def say(review: Review, *keys: str) -> None:
    """Display narrative sentences (Markdown) of the review."""
    from IPython.display import Markdown, display

    display(Markdown("\n\n".join(review.text[k] for k in keys if k in review.text)))


def show_heading(review: Review) -> None:
    from IPython.display import Markdown, display

    p = review.params
    who = f"责任单位：**{p.unit}**（12%增长跟踪为全市口径）" if p.unit else "范围：**全市**"
    display(Markdown(
        f"**{p.year}年第{p.quarter}季度** · {who} · 数据截至 **{_date_zh(p.as_of_date)}**"
        f"（{p.as_of}） · 主口径：{schema.GROWTH_READING_LABELS[p.headline]} · "
        f"数据目录：`{p.data_dir}` · 生成时间：{dt.datetime.now():%Y-%m-%d %H:%M}"))


def show_files(written: Mapping[str, Path]) -> None:
    from IPython.display import Markdown, display

    display(Markdown("\n".join(f"- `{Path(p).parent.name}/{Path(p).name}`" if Path(p).parent.name == "letters"
                                else f"- `{Path(p).name}`" for p in written.values())))


def _align(v: Any) -> str:
    return "right" if isinstance(v, (int, float)) and not isinstance(v, bool) else "left"


def _fmt(col: str, v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if isinstance(v, bool):
        return "是" if v else "否"
    if col in ("level", "from_level", "to_level"):
        return ALERT_LEVELS.get(str(v), str(v))
    if isinstance(v, float):
        if col.endswith("_pct"):
            return f"{v:.1f}"
        if col.endswith("ratio"):
            return f"{v:.2f}"
        return f"{v:,.2f}"
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def sheets_for(review: Review) -> list[Sheet]:
    return [
        Sheet(t.name, t.title, t.frame, unit=t.unit, total_row=t.total_row, labels=LABELS,
              total_ratios=t.total_ratios,
              notes=(*t.notes, f"数据截至{_date_zh(review.params.as_of_date)}；来源见“数据来源”工作表。"))
        for t in review.tables.values()
    ]


def write_outputs(review: Review, out_dir: str | Path) -> dict[str, Path]:
    """Write the Excel workbook, the letters and summary.json into ``out_dir`` (the run directory)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    name = review.params.run_name
    written = {"excel": write_workbook(out / f"{name}_季度考核.xlsx", sheets_for(review))}
    for path in write_letters(review, out / "letters"):  # one 提醒函 .docx per unit
        written[f"letter:{path.stem}"] = path
    from jygproj import charts

    if charts.cjk_fonts():  # PNG text needs a CJK font on this machine (SVG in the HTML does not)
        (out / "charts").mkdir(exist_ok=True)
        for key, chart in charts_for(review).items():
            written[f"chart:{key}"] = charts.save_png(chart, out / "charts" / f"{key}.png")
    summary = out / "summary.json"
    summary.write_text(json.dumps(review.summary, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    written["summary"] = summary
    return written
