"""The quarterly review's tables: calculation results selected, labelled and titled for readers.

No arithmetic here: every figure comes from the calculation modules (completion, starts, growth,
alerts, ranking, factors, supervision) through :class:`jygproj.quarterly.Results`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import polars as pl

from jygproj.completion import slowest_first
from jygproj.ledger import made_once
from jygproj.report import followup_report
from jygproj.report.formats import date_zh, under_way
from jygproj.report.tables import Table, codes_in_words, file_names, in_words, labelled, with_source, without_codes
from jygproj.schema import (LISTS, PACE_BASIS_LABELS, PERIOD_LABELS, PROBLEM_SEVERITY_LABELS, PROVENANCE_TABLE_LABELS,
                            REFERENCE_FILE_LABELS, LEVEL_COLUMNS, QUARTER_LABELS,
                            READING_NAMES, REMINDER_KIND_LABELS, SCOPE_LABELS, WAN_PER_YI)

SCOPES = {**LISTS, **SCOPE_LABELS}


if TYPE_CHECKING:
    from jygproj.quarterly import Results


def scope_note(unit: str | None) -> str:
    return f"（责任单位：{unit}）" if unit else "（全市）"


def period_words(frame: pl.DataFrame, as_of_month: int) -> pl.DataFrame:
    """A quarter under way is named so (四季度（截至10月，未结束）); the others by PERIOD_LABELS."""
    words = pl.col("period").replace(PERIOD_LABELS)
    return frame.with_columns(
        pl.when(pl.col("partial")).then(words + under_way(as_of_month))
        .otherwise(words).alias("period")).drop("partial")


def completion_tables(r: "Results") -> dict[str, Table]:
    f, p = r.frames, r.params
    when, note = f"{p.year}年1-{p.as_of_month}月", scope_note(p.unit)
    comp = f["completion"]
    cum = ("cum_plan_wan", "cum_completed_wan", "cum_rate_pct")
    tables = {
        "completion": Table(
            "分清单完成情况", f"{when}分清单分季度投资完成情况（当季与累计）{note}",
            labelled(period_words(comp.filter(pl.col("nature").is_null()).select(
                pl.col("list").alias("scope"), "period", "partial", "projects", "annual_plan_wan", "plan_wan",
                "completed_wan", "rate_pct", *cum, "annual_rate_pct", "target_wan", "target_rate_pct",
                "cum_target_wan", "cum_target_rate_pct"), p.as_of_month)),
            notes=("计划投资：清单给出分季度计划的按季度计划，否则按季节性施工曲线分解年度计划（本工具推算，参考）；"
                   "年初至今计划按序时进度计（参考）。“方案目标”为方案规定的数。累计为年初至该季度末（未结束的季度至数据截至月）。"
                   "全市合计、企业投资项目每个项目只计一次。",)),
        "completion_nature": Table(
            "分建设性质完成情况", f"{when}分清单、分建设性质投资完成情况（当季与累计）{note}",
            labelled(period_words(comp.filter(pl.col("nature").is_not_null()
                                              & pl.col("period").is_in(["Q1", "Q2", "Q3", "Q4", "YTD"])).select(
                pl.col("list").alias("scope"), "nature", "period", "partial", "projects", "plan_wan", "completed_wan",
                "rate_pct", *cum, "target_wan", "target_rate_pct", "cum_target_wan", "cum_target_rate_pct"),
                p.as_of_month)), shown_rows=20),
    }
    checks = f["target_checks"]
    if checks is not None:
        tables["targets"] = Table(
            "方案目标对照", f"{when}方案投资目标完成情况（确保与力争目标）",
            labelled(checks.select(
                pl.col("list").alias("scope"), "nature", "period", "kind", "clause", "target_wan", "completed_wan",
                "rate_pct", "due_wan", "pace_rate_pct", "pace_basis", "final", "met")),
            notes=("序时应完成：方案给出分季度目标的按方案各季度目标（二(二)、二(三)），否则按季节性施工曲线（参考）；"
                   "“是否达标”只在期末判断。",))
    if f["plan_sizes"] is not None:
        tables["plan_sizes"] = Table(
            "方案清单对账", f"收到的清单与方案所列项目数、总投资对照（{r.plan.document}）",
            labelled(f["plan_sizes"].select(pl.col("list").alias("scope"), "nature", "size_scope", "plan_projects",
                                            "projects", "count_difference", "plan_total_wan", "total_investment_wan",
                                            "total_difference_wan", "matches", "clause")),
            notes=("方案项目数与总投资取自方案文件；观摩评比范围（二(九)）与清单项目数分列。",))
    tables["requirements"] = Table(
        "完成率考核", f"{when}方案规定的考核要求（投资完成、开工、复工）{note}",
        labelled(f["requirement_items"].select(
            pl.col("requirement").alias("requirement_id"), "clause", pl.col("list").alias("scope"), "nature",
            "period", pl.col("threshold").alias("required_pct"), pl.col("value_pct").alias("measured_pct"), "final",
            "met", "strive", "note")).pipe(codes_in_words, "scope", SCOPES),
        unit=None,
        notes=("只列方案本身规定的要求（条款见“方案条款”）；“力争”目标单列，不计为未达到；期末未到的不判断。"
               "序时进度、预警与提醒函阈值等本市设定见“参考设定”。",))
    tables["practice"] = Table(
        "参考设定", "本工具推算或本市设定的参考（不是方案的考核要求，不计达标与否）",
        pl.concat([
            f["practice_settings"],
            labelled(f["practice_pace"].with_columns(
                pl.col("requirement_id").replace(r.plan.requirement_labels))).select(
                pl.concat_str(pl.col("requirement_id"), pl.lit("：序时进度")).alias("setting"),
                pl.col("list").alias("used_for"),
                pl.format("年初至今{}%，参考进度{}%（{}）", pl.col("value_pct").round(1), pl.col("reference_pct").round(1),
                          pl.col("pace_basis").replace(PACE_BASIS_LABELS)).alias("value"),
                pl.lit("序时进度（参考）").alias("source")),
        ], how="vertical_relaxed"), unit=None)
    tables["completion_by_unit"] = Table(
        "分责任单位完成", f"{when}分责任单位投资完成情况（每个项目只计一次）",
        slowest_first(f["unit_ytd"].select("responsible_unit", "projects", "annual_plan_wan", "plan_wan",
                                           "completed_wan", "rate_pct", "annual_rate_pct")),
        total_row=True, total_ratios={"rate_pct": ("completed_wan", "plan_wan"),
                                      "annual_rate_pct": ("completed_wan", "annual_plan_wan")})
    detail = file_names(labelled(
        f["project_detail"].join(r.projects.select("project_id", "name", "responsible_unit"), on="project_id",
                                 how="left")
        .select("project_id", "name", "responsible_unit", pl.col("list").cast(pl.String), "nature",
                "annual_plan_wan", "q_plan_wan", "q_completed_wan", "plan_wan", "completed_wan", "rate_pct",
                pl.col("month").alias("month_used"), "figure_file", "figure_sheet", "figure_row")
        .sort("list", "responsible_unit", "project_id", nulls_last=True)))
    tables["completion_detail"] = Table(
        "项目完成明细", f"{when}项目投资完成明细（含数据来源）{note}", detail, total_row=False, shown_rows=15)
    return tables


def start_tables(r: "Results") -> dict[str, Table]:
    f, p = r.frames, r.params
    on, note = f"截至{date_zh(p.as_of_date)}", scope_note(p.unit)
    return {
        "start_rates": Table(
            "新开工率", f"{on}新开工项目开工率（按计划开工季度）{note}",
            labelled(f["start_rates"].select(pl.col("list").alias("scope"), "period", "planned_count", "plan_count",
                                             "due_count", "started_count", "on_time_count",
                                             pl.col("rate_pct").alias("started_rate_pct"), "on_time_rate_pct",
                                             "plan_rate_pct")),
            unit=None,
            notes=("截至评估日开工率：计划开工月份已过的项目中截至评估日已开工（含逾期开工）的比例；"
                   "按期开工率：在计划开工季度内开工的比例，与“开复工考核”表的口径相同。",)),
        "start_requirements": Table(
            "开复工考核", f"{on}开工、复工考核要求{note}",
            labelled(f["start_requirements"].select("requirement_id", "clause", pl.col("list").alias("scope"),
                                                    "quarter", "deadline", "required_pct", "due_count", "met_count",
                                                    pl.col("rate_pct").alias("met_rate_pct"), "final", "met", "strive"),
                     {"requirement_id": r.plan.requirement_labels}).pipe(codes_in_words, "scope", SCOPES), unit=None,
            notes=("按方案时限考核：时限前开（复）工的项目计为达标；“力争”目标只计数，不列项目、不计为未达到。",)),
        "start_misses": Table(
            "未按期开复工项目", f"{on}未按要求开工、复工的项目{note}",
            with_source(labelled(f["start_misses"].select(
                "requirement_id", "clause", "project_id", "name", "list", "nature", "responsible_unit",
                "planned_start", "started_on", "resumed_on", "deadline", "status"),
                {"requirement_id": r.plan.requirement_labels}), r.projects), unit=None),
    }


def growth_tables(r: "Results") -> dict[str, Table]:
    """The tracker's and the forecast's tables: the city's, the same in every unit's report, so made
    once per inputs (issue 18); each report gets its own Table objects (all_tables sets their frames)."""
    f, p = r.frames, r.params
    made = made_once(r.memo, ("growth_tables", (p.year, p.as_of_month, p.headline)),
                     (f["growth"], r.forecast, r.plan, f.get("forecast_bands"), f.get("reconciliation"), f.get("backtest")),
                     lambda: _growth_tables(r))
    return {name: replace(table) for name, table in made.items()}


def _growth_tables(r: "Results") -> dict[str, Table]:
    p, w = r.params, r.plan.words
    readings = pl.DataFrame(r.growth_readings).with_columns(pl.col("reading").replace(w.reading_labels))
    tables = {
        "growth_readings": Table(
            "两种口径对照", f"{w.pct}增长目标：两种口径并列（{p.year}年1-{p.as_of_month}月实际）",
            readings_side_by_side(r), unit=None,
            notes=("增速口径：目标月累计增速不低于目标增速（嘉峪关、甘肃判断增长目标的口径，为本报告默认主口径）；"
                   f"总量口径：{w.span}累计达到上年全年（可比口径）的{w.factor}倍。",)),
        "growth": Table(
            f"{w.pct}增长跟踪", f"{p.year}年固定资产投资累计与{w.pct}增长目标路径（全市）",
            # two tables of seven columns (the cumulative path, then each month's needs) fit a page
            r.frames["growth"].select(
                "month", "prior_cum_wan", "actual_cum_wan", "projected_cum_wan", "cum_growth_pct",
                "rate_path_wan", "level_path_wan"),
            notes=(f"总量口径：{w.span}累计达到上年全年（可比口径）的{w.factor}倍；增速口径：{w.span}累计增速不低于{w.pct}。"
                   "预测为投资预测模型：全市统计数＝清单外投资＋入统率×已入库清单项目调度数，按全市历年月度规律和各项目近期进度推算。",)),
        "growth_months": Table(
            f"{w.pct}增长各月所需", f"{p.year}年各月预测投资与实现{w.pct}增长目标所需投资（全市）",
            r.frames["growth"].select(
                "month", "projected_month_wan", "rate_need_month_wan", "level_need_month_wan",
                "rate_extra_month_wan", "level_extra_month_wan")),
        "growth_needed": Table(
            "达标所需投资", f"实现“{w.early}完成{w.pct}增长目标”尚需完成的投资（两种口径）", readings, unit="万元"),
    }
    f = r.frames
    if f.get("forecast_bands") is not None:
        tables["forecast_bands"] = Table(
            "预测区间", f"{p.year}年全市固定资产投资累计预测及80%把握区间",
            f["forecast_bands"].select("month", "is_actual", "cum_wan", "growth_pct", "p10_cum_wan", "p90_cum_wan",
                                       "p10_growth_pct", "p90_growth_pct", "listed_statistical_wan", "other_wan"),
            notes=("80%把握区间：蒙特卡洛模拟中80%的结果落在此区间，含项目进度、开工、入库、入统率、清单外投资的波动，"
                   "以及按回测误差确定的模型误差。",))
    if f.get("reconciliation") is not None:
        tables["reconciliation"] = Table(
            "调度数与统计数", f"清单项目调度数与全市统计数对账（1-{p.as_of_month}月累计）", reconciliation_rows(r),
            notes=("调度数为清单项目填报的完成投资（项目只计一次）；统计数只计已入库项目（先入库，后有数），"
                   "入统率为已入库项目调度数中计入统计的比例，按本年各月全市统计数测算。",))
    if f.get("backtest") is not None:
        tables["backtest"] = Table(
            "预测可信度", "预测可信度：用当时可得的数据预测下月和目标月累计增速，与公布数比较（回测）",
            f["backtest"].select(
                pl.format("{}年{}月", "year", "as_of_month").alias("as_of_label"), pl.col("month").alias("predicted_month"),
                "horizon", "predicted_growth_pct", "actual_growth_pct", "error_pp", "p10_growth_pct", "p90_growth_pct",
                "covered", "hold_growth_pct"),
            unit=None, notes=(credibility_note(r),), shown_rows=12)
    return tables


def week_words(periods: list[str]) -> list[str]:
    """ISO weeks as the offices say them: 2023-W44 → 2023年第44周."""
    import re

    return [re.sub(r"^(\d{4})-W0?(\d+)$", r"\1年第\2周", x) for x in periods]


def readings_side_by_side(r: "Results") -> pl.DataFrame:
    """Indicators × readings (headline first), figures in 亿元 and % as text (mixed units)."""
    from jygproj.report.review_text import readings_order, rest_span, target_month_actual

    g, w = r.growth, r.plan.words
    fc = g.get("forecast")
    order = readings_order(r.params.headline)
    actual = target_month_actual(g)
    span = rest_span(g) if g["rest_months"] else ""

    def row(label: str, values: dict[str, str]) -> dict[str, str]:
        return {"indicator": label, **{READING_NAMES[k] + ("（主口径）" if i == 0 else ""): values[k]
                                       for i, k in enumerate(order)}}

    both = lambda text: {k: text for k in order}  # noqa: E731 (the same figure under both readings)
    rows = [row(f"目标：{w.span}累计（亿元）", {k: _yi(g[f"{k}_goal_wan"]) for k in order}),
            row(f"目标对应{w.span}累计增速（%）", {k: _pct(g[f"{k}_goal_growth_pct"]) for k in order})]
    if not actual:
        rows += [row(f"所需{span}投资（亿元）", {k: _yi(g[f"{k}_needed_rest_wan"]) for k in order}),
                 row(f"所需{span}投资比上年同期（%）", {k: _pct(g[f"{k}_needed_rest_yoy_pct"]) for k in order}),
                 row(f"预测{span}投资（亿元）", both(_yi(g["projected_rest_wan"]))),
                 row(f"预测{span}投资比上年同期（%）", both(_pct(g["projected_rest_yoy_pct"])))]
        if fc is not None:
            rows += [row(f"预测{w.span}累计（亿元，80%把握区间）",
                         both(f"{_yi(fc['cum_wan'])}（{_yi(fc['p10_cum_wan'])}–{_yi(fc['p90_cum_wan'])}）")),
                     row(f"预测{w.span}累计增速（%，80%把握区间）",
                         both(f"{_pct(fc['growth_pct'])}（{_pct(fc['p10_growth_pct'])}–{_pct(fc['p90_growth_pct'])}）")),
                     row("预测较目标（亿元，负数为差距）", {k: _yi(g[f"{k}_margin_wan"]) for k in order}),
                     row("达到的概率", {k: f"{fc['probability'][k]:.0%}" for k in order})]
    else:
        rows.append(row(f"{w.span}累计（亿元，实际）", both(_yi(g["projected_target_month_cum_wan"]))))
        rows.append(row("实际较目标（亿元，负数为差距）", {k: _yi(g[f"{k}_margin_wan"]) for k in order}))
    return pl.DataFrame(rows)


def _yi(wan: float | None) -> str:
    from jygproj.report.formats import DASH

    return DASH if wan is None else f"{wan / WAN_PER_YI:,.2f}"


def _pct(x: float | None) -> str:
    from jygproj.report.formats import DASH

    return DASH if x is None else f"{x:.1f}"


def reconciliation_rows(r: "Results") -> pl.DataFrame:
    """The reconciliation (jygproj.forecast.reconcile) as rows: item, 万元, 亿元; the ratios after."""
    from jygproj.forecast.reconcile import RECONCILIATION_LABELS

    rec = r.forecast.reconciliation
    rows = [{"indicator": label.replace("1-X月", f"1-{r.params.as_of_month}月"), "value_wan": rec.get(k), "value_yi": None if rec.get(k) is None else rec[k] / WAN_PER_YI}
            for k, label in RECONCILIATION_LABELS.items()]
    rows += [{"indicator": "统计数÷调度数（覆盖率）", "value_wan": None, "value_yi": None, "ratio": rec.get("coverage_ratio")},
             {"indicator": "入统率（测算）", "value_wan": None, "value_yi": None, "ratio": rec.get("rho")}]
    return pl.DataFrame(rows, schema={"indicator": pl.String, "value_wan": pl.Float64, "value_yi": pl.Float64,
                                      "ratio": pl.Float64})


def credibility_note(r: "Results") -> str:
    bt = r.growth["forecast"]["backtest"]
    return (f"平均绝对误差（百分点）：全部 {bt['mae_pp']:.2f}，下月 {bt['mae_pp_next_month']:.2f}"
            + (f"，目标月 {bt['mae_pp_target_month']:.2f}" if bt.get("mae_pp_target_month") is not None else "")
            + f"；80%把握区间覆盖率 {bt['coverage_p10_p90']:.0%}；对照（沿用当月累计增速）{bt['hold_mae_pp']:.2f}。"
            "往年各月只用全市统计数预测，本年有清单项目数据的月份按清单项目与清单外投资分别预测。")


def warning_tables(r: "Results") -> dict[str, Table]:
    f, p, projects = r.frames, r.params, r.projects
    on, note = f"截至{date_zh(p.as_of_date)}", scope_note(p.unit)
    names = projects.select("project_id", "name", "responsible_unit")
    warn_rows = with_source(
        codes_in_words(f["worst"], "rule_ids", r.rule_names).join(names, on="project_id",
                                                                                           how="left")
        .select("project_id", "name", "responsible_unit", "level", "rule_ids", "alert_count", "reasons")
        .sort([pl.col("level").to_physical(), "responsible_unit", "project_id"], descending=[True, False, False],
              nulls_last=True), projects)
    return {
        "warnings": Table("预警项目", f"{on}预警项目清单{note}", warn_rows, unit=None, shown_rows=15,
                          notes=("预警阈值为本市预警设定（参考），不是方案的考核要求；每个项目每条规则一条预警，列明涉及的清单。",)),
        "alert_rules": Table("预警规则", "红黄蓝预警规则与阈值来源（本市设定，参考）",
                             f["alert_rules"].with_columns(pl.col("rule_id").replace(r.rule_notes).alias("kind"))
                             .with_columns(pl.when(pl.col("kind") == pl.col("rule_id")).then(pl.lit("已评估"))
                                           .otherwise(pl.col("kind")).alias("kind"))
                             .select("name", "thresholds", "clause", "source", pl.col("kind").alias("note")), unit=None),
        "warnings_by_unit": Table(
            "分单位预警", f"{on}各责任单位预警项目数（按项目最高等级）", f["warnings_by_unit"], unit="个",
            total_row=True),
        "latest_weekly": Table(
            "最新周调度", f"最新周调度（{'、'.join(week_words(sorted(f['latest_weekly']['period'].unique().to_list())))}；"
                          "周调度数仅供参考，不计入月度统计、图表和提醒函）",
            file_names(labelled(f["latest_weekly"].join(names, on="project_id", how="left", maintain_order="left").select(
                "project_id", "name", "responsible_unit", pl.col("list").alias("scope"),
                pl.col("period").str.replace(r"^(\d{4})-W0?(\d+)$", "${1}年第${2}周"), "period_end",
                "completed_ytd_wan", "reported_at", "source_file", "source_sheet", "source_row"))), shown_rows=10),
        "movements": Table(
            "预警变动", f"预警等级变动（{date_zh(p.previous_as_of_date)} → {date_zh(p.as_of_date)}）",
            f["movements"].join(names, on="project_id", how="left")
            .select("project_id", "name", "responsible_unit", "from_level", "to_level", "movement_label")
            .sort("movement_label", "responsible_unit", "project_id", nulls_last=True), unit=None, shown_rows=20),
    }


def ranking_tables(r: "Results") -> dict[str, Table]:
    levels = r.level_labels
    return {"ranking": Table(
        "观摩评比", f"观摩评比推荐项目（各清单前{r.top_n}名，不含红色、黄色预警项目）{scope_note(r.params.unit)}",
        with_source(labelled(r.frames["top"].select(
            "list", "recommend_rank", "rank", "project_id", "name", "responsible_unit", "nature", "months_early",
            "annual_plan_wan", "planned_to_date_wan", "completed_ytd_wan", "annual_pct", "speed_points", "pace_points",
            "over_points", "score", pl.col("level").replace(levels).alias("level"))), r.projects),
        notes=("较计划提前开工（月）：按清单计划开工月份计，与开工预警同一口径；评分权重为市发展改革委设定（参考）。",),
        shown_columns=("list", "recommend_rank", "name", "responsible_unit", "nature", "annual_plan_wan",
                       "completed_ytd_wan", "annual_pct", "score"))}


def factor_tables(r: "Results") -> dict[str, Table]:
    f, p = r.frames, r.params
    on, note = f"截至{date_zh(p.as_of_date)}", scope_note(p.unit)
    return {
        "factors": Table(
            "要素保障问题", f"{on}项目要素保障问题分类（按责任单位）{note}",
            f["factors_by_unit"].select("responsible_unit", "category_label", "projects",
                                        "project_names"), unit="个", shown_rows=20),
        "factor_detail": Table(
            "问题明细", f"{on}调度表“存在问题”分类明细",
            with_source(labelled(f["issues"]).join(r.projects.select("project_id", "name", "responsible_unit"),
                                         on="project_id", how="left", maintain_order="left")
                        .select("project_id", "name", "responsible_unit", "list", "period",
                                "category_label", "matched", "issues"), r.projects), unit=None, shown_rows=12),
    }


def supervision_tables(r: "Results") -> dict[str, Table]:
    f, on = r.frames, f"截至{date_zh(r.params.as_of_date)}"
    return {
        "reminders": Table("提醒函单位", f"拟发送提醒函的责任单位（{on}；三(三)：重视程度不高、项目推进落实慢、未完成年度目标）",
                           f["reminder_units"].select("responsible_unit", "triggers", "red_projects", "missed_targets",
                                                      "reasons"),
                           unit="个", total_row=True),
        "reminder_facts": Table("提醒函事实", "提醒函所列事实（逐项，含数据来源）",
                                file_names(labelled(f["reminder_facts"].with_columns(
                                    pl.col("kind").replace(REMINDER_KIND_LABELS).alias("kind_label"))
                                    .select("responsible_unit", "kind_label", "project_id", "list", "fact", "gap_wan",
                                            "figure_file", "figure_sheet", "figure_row", "plan_file", "plan_sheet",
                                            "plan_row", "project_ids"))), unit=None, shown_rows=12,
                                shown_columns=("responsible_unit", "kind_label", "fact", "gap_wan", "figure_file", "figure_sheet",
                                               "figure_row")),
        "priority_support": Table("优先支持单位", f"责任单位序时进度与优先支持资格（{on}；参考）",
                                  f["priority_support"], total_row=False,
                                  shown_columns=("responsible_unit", "projects", "projects_on_pace", "planned_to_date_wan",
                                                 "completed_ytd_wan", "pace_ratio", "annual_pct", "qualifies"),
                                  notes=("项目数、年度计划、序时计划与完成投资与“分责任单位完成”表同一口径（每个项目只计一次）。",)),
    }


def level_words(frame: pl.DataFrame, labels: dict[str, str]) -> pl.DataFrame:
    """Warning level codes as the rules name them (红色预警…), in whichever level columns a table has."""
    cols = [c for c in LEVEL_COLUMNS if c in frame.columns]
    return frame.with_columns(in_words(c, labels) for c in cols) if cols else frame


def reference_names(provenance: pl.DataFrame) -> pl.DataFrame:
    """The reference files of the 数据来源 table by what they hold (参考数据：预警与提醒函规则), not their
    machine names; the checksum beside each still identifies the file."""
    stem = pl.col("source_file").str.extract(r"([^/\\]+)\.ya?ml$").str.replace(r"_\d{4}$", "")
    return provenance.with_columns(
        pl.when(pl.col("table") == "reference")
        .then(pl.lit("参考数据：") + stem.replace_strict(REFERENCE_FILE_LABELS, default="其他参考数据"))
        .otherwise(pl.col("source_file")).alias("source_file"))


def all_tables(r: "Results", provenance: pl.DataFrame, headline: pl.DataFrame) -> dict[str, Table]:
    """Every table of the review, in the report's order (the Excel workbook's sheets)."""
    p = r.params
    tables = {"headline_figures": Table("核心指标", f"{p.year}年第{QUARTER_LABELS[p.quarter][0]}季度考核核心指标{scope_note(p.unit)}", headline,
                                        unit=None)}
    for part in (completion_tables, start_tables, growth_tables, warning_tables, ranking_tables, factor_tables,
                 supervision_tables, followup_report.tables):
        tables.update(part(r))
    tables["factor_totals"] = Table(
        "要素类别汇总", f"截至{date_zh(p.as_of_date)}各类要素保障问题涉及项目数{scope_note(p.unit)}",
        r.frames["factor_totals"].select("category_label", "projects"), unit="个", total_row=False)
    # the inputs' own, the same in every report on them: made once (issue 18)
    tables["provenance"] = Table("数据来源", "数据来源：读取的工作簿、工作表、行数与校验值",
                                 made_once(r.memo, ("provenance_table", None), (provenance,), lambda: labelled(
                                     reference_names(provenance), {"table": PROVENANCE_TABLE_LABELS})), unit=None,
                                 shown_rows=15)
    if r.left_out is not None:  # always shown: "无" says the inputs had no error
        left_out = r.left_out
        tables["left_out"] = Table("未载入工作表", "因错误未载入的工作表及其内容（行数、金额）",
                                   made_once(r.memo, ("left_out_table", None), (left_out,), lambda: labelled(
                                       left_out.rename({"file": "source_file", "sheet": "source_sheet"}),
                                       {"list": SCOPES})), unit=None)
    for table in tables.values():  # warning levels in the rules' words, in every table (HTML and Excel)
        table.frame = level_words(table.frame, r.level_labels)
    problems = r.problems
    if problems is not None and problems.height:
        tables["problems"] = Table("读取问题", "读取工作簿时发现的问题（含跨清单不一致）",
                                   file_names(labelled(problems.drop("code", strict=False).rename(
                                       {"file": "source_file", "value": "cell_value"}, strict=False),
                                       {"severity": PROBLEM_SEVERITY_LABELS})).pipe(without_codes, "message"), unit=None,
                                   shown_rows=10, shown_columns=("severity", "message"))
    return tables

