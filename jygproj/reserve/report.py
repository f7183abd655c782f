"""The reserve report in one call: every table of notebooks/20_reserve_pipeline.ipynb, its
summary.json, its Excel sheets and its Chinese narrative — so the notebook stays thin and every
figure it shows comes from a tested function.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl

from jygproj import schema
from jygproj.pace import Profile
from jygproj.reserve.funding import funding_matches, funding_summary
from jygproj.reserve.funnel import funnel, funnel_wide, movement_summary, stage_movement
from jygproj.reserve.gap import GapInputs, gap_by_month, gap_summary, next_year_contribution, push_plan
from jygproj.report.formats import month_zh as month_label, yi as _yi
from jygproj.reserve.months import parse_month
from jygproj.reserve.readiness import blocking_steps, readiness, step_schedule, step_table
from jygproj.reserve.reference import ReserveReference
from jygproj.reserve.rolling import tier_moves, tier_summary


@dataclass
class ReserveReport:
    review: dt.date
    inputs: GapInputs
    ready: pl.DataFrame
    schedule: pl.DataFrame
    funnel: pl.DataFrame
    funnel_domain: pl.DataFrame
    funnel_channel: pl.DataFrame
    blocking: pl.DataFrame
    blocked: pl.DataFrame
    movement: pl.DataFrame | None
    movement_counts: pl.DataFrame | None
    previous_review: dt.date | None
    tiers: pl.DataFrame
    tier_counts: pl.DataFrame
    funding: pl.DataFrame
    funding_counts: pl.DataFrame
    gap: dict[str, Any]
    gap_months: pl.DataFrame
    push: pl.DataFrame
    assumptions: pl.DataFrame

    @property
    def next_year(self) -> int:
        return self.inputs.next_year


def build_report(
    reserve: pl.DataFrame,
    steps: pl.DataFrame,
    ref: ReserveReference,
    review: str | dt.date,
    inputs: GapInputs,
    profile: Profile,
    *,
    durations: dict[str, float] | None = None,
    deadlines: dict[str, str | dt.date] | None = None,
    push_speedup: float = 0.5,
    start_lag_months: int = 1,
    previous: tuple[pl.DataFrame, pl.DataFrame, str | dt.date] | None = None,
    assumptions: pl.DataFrame | None = None,
) -> ReserveReport:
    """Everything the report shows. ``previous`` = (reserve, steps, review) of the last snapshot."""
    review_month = parse_month(review)
    ready = readiness(reserve, steps, ref, review_month, durations=durations, start_lag_months=start_lag_months)
    table = step_table(reserve, steps, ref, durations)
    sched = step_schedule(table, review_month)
    ready = next_year_contribution(ready, inputs.next_year, profile)
    gap = gap_summary(ready, inputs, profile)
    movement = counts = prev_review = None
    if previous is not None:
        p_reserve, p_steps, p_review = previous
        prev_review = parse_month(p_review)
        prev_ready = readiness(p_reserve, p_steps, ref, prev_review, durations=durations,
                               start_lag_months=start_lag_months)
        movement = stage_movement(prev_ready, ready)
        counts = movement_summary(movement)
    blocked = (
        ready.filter(pl.col("stage") != "ready")
        # project_id last: projects alike on the three keys in one order whatever the reserve's row order
        .sort(["blocking_step", "ready_month", "first_year_wan", "project_id"], descending=[False, False, True, False],
              nulls_last=True)
        .select("name", "domain", "funding_channel", "stage_label", "blocking_step_label",
                "blocking_status_label", "blocking_owner", "remaining_steps", "ready_month", "start_month",
                "total_investment_wan", "first_year_wan", "next_year_wan", "responsible_unit")
    )
    moves = tier_moves(ready, ref)
    matches = funding_matches(ready, sched, ref, deadlines)
    return ReserveReport(
        review=review_month, inputs=inputs, ready=ready, schedule=sched,
        funnel=funnel(ready), funnel_domain=funnel(ready, "domain"), funnel_channel=funnel(ready, "funding_channel"),
        blocking=blocking_steps(ready), blocked=blocked,
        movement=movement, movement_counts=counts, previous_review=prev_review,
        tiers=moves, tier_counts=tier_summary(moves, ref),
        funding=matches, funding_counts=funding_summary(matches),
        gap=gap, gap_months=gap_by_month(ready, inputs, profile),
        push=push_plan(ready, inputs, profile, review_month, gap["shortfall_wan"], push_speedup=push_speedup,
                       start_lag_months=start_lag_months),
        assumptions=assumptions if assumptions is not None else pl.DataFrame(),
    )


# --- summary.json --------------------------------------------------------------------------------


def _jsonable(frame: pl.DataFrame) -> list[dict]:
    return frame.with_columns(pl.col(pl.Date).dt.strftime("%Y-%m-%d")).to_dicts()


def summary(report: ReserveReport) -> dict[str, Any]:
    """The run's headline figures (万元), JSON-ready: the pool, the funnel, the gap, blocking steps,
    tier moves, funding rounds and the push list."""
    r = report.ready
    out: dict[str, Any] = {
        "review_month": report.review.strftime("%Y-%m"),
        "next_year": report.next_year,
        "pool": {
            "projects": r.height,
            "total_investment_wan": float(r["total_investment_wan"].sum()),
            "first_year_wan": float(r["first_year_wan"].sum()),
        },
        "funnel": _jsonable(report.funnel),
        "funnel_by_domain": _jsonable(funnel_wide(r, "domain")),
        "funnel_by_channel": _jsonable(funnel_wide(r, "funding_channel")),
        "gap": report.gap,
        "gap_by_month": _jsonable(report.gap_months),
        "push_selected": _jsonable(report.push.filter(pl.col("selected")).select(
            "rank", "project_id", "name", "gain_wan", "cum_gain_wan", "blocking_step_label", "blocking_owner")),
        "push_selected_gain_wan": float(report.push.filter(pl.col("selected"))["gain_wan"].sum()),
        "blocking_steps": _jsonable(report.blocking.drop("names")),
        "tier_moves": _jsonable(report.tier_counts),
        "tier_changes": int(report.tiers.filter(pl.col("tier_move") != "same").height),
        "funding_rounds": _jsonable(report.funding_counts),
        "assumptions": _jsonable(report.assumptions) if report.assumptions.height else [],
    }
    if report.movement_counts is not None:
        out["movement"] = {
            "previous_review_month": report.previous_review.strftime("%Y-%m"),
            "counts": _jsonable(report.movement_counts),
        }
    return out


# --- Excel ---------------------------------------------------------------------------------------



def sheets(report: ReserveReport) -> list:
    """Official-style Excel sheets (jygproj.export.Sheet), one per table."""
    from jygproj.export import Sheet

    y = report.next_year
    when = month_label(report.review)
    note = f"评审时点：{when}（状态截至当月末）；样例数据时为示意，非官方数据。"
    out = [
        Sheet("储备漏斗", f"嘉峪关市项目储备库分阶段情况（{when}）",
              report.funnel.drop("stage"), labels=schema.RESERVE_REPORT_LABELS, notes=(note,),
              sum_columns=["projects", "total_investment_wan", "first_year_wan"]),
        Sheet("分领域", f"储备项目分领域所处阶段（{when}）", funnel_wide(report.ready, "domain"),
              labels=schema.RESERVE_REPORT_LABELS,
              sum_columns=[*schema.RESERVE_STAGES.values(), "projects", "total_investment_wan"]),
        Sheet("分资金渠道", f"储备项目分资金渠道所处阶段（{when}）", funnel_wide(report.ready, "funding_channel"),
              labels=schema.RESERVE_REPORT_LABELS,
              sum_columns=[*schema.RESERVE_STAGES.values(), "projects", "total_investment_wan"]),
        Sheet("卡点手续", f"储备项目卡点手续及责任部门（{when}）", report.blocking.drop("blocking_step"),
              labels=schema.RESERVE_REPORT_LABELS, sum_columns=["projects", "in_progress", "total_investment_wan", "first_year_wan"]),
        Sheet("未具备开工条件项目", f"未具备开工条件的储备项目及卡点（{when}）", report.blocked,
              labels=schema.RESERVE_REPORT_LABELS),
        Sheet("次年缺口", f"{y}年新开工投资需求与储备项目供给（逐月累计）", report.gap_months.drop("month"),
              labels=schema.RESERVE_REPORT_LABELS, total_row=False,
              notes=(f"需新开工项目完成投资 = 本年预计完成×(1+目标) − 续建项目次年计划 − 清单外投资 = "
                     f"{report.inputs.needed_new_start_wan:,.2f}万元；按季节规律逐月分摊。",)),
        Sheet("推进清单", f"为弥补{y}年缺口建议优先推进的项目", report.push.drop("project_id"),
              labels=schema.RESERVE_REPORT_LABELS, sum_columns=["gain_wan"],
              notes=("排序：首年投资÷剩余办理月数（每月办理量对应的首年投资）由高到低；"
                     "累计增加投资达到缺口为止标为“建议优先推进”。",)),
        Sheet("层级调整", f"“5年储备、3年滚动、1年实施”层级调整建议（{when}）", report.tiers.drop("project_id", "tier_move"),
              labels=schema.RESERVE_REPORT_LABELS, total_row=False),
        Sheet("资金申报匹配", "各资金渠道申报批次匹配情况", report.funding.drop("round", "eligibility", "project_id"),
              labels=schema.RESERVE_REPORT_LABELS, total_row=False),
        Sheet("项目明细", f"储备项目要件办理明细（{when}）", report.ready.select(
            "project_id", "name", "domain", "funding_channel", "project_type", "tier", "stage_label",
            "steps_done", "steps_required", "readiness_pct", "blocking_step_label", "blocking_owner",
            "remaining_steps", "remaining_months", "ready_month", "start_month", "total_investment_wan",
            "first_year_wan", "next_year_wan", "responsible_unit", "owner"),
            labels=schema.RESERVE_REPORT_LABELS, sum_columns=["total_investment_wan", "first_year_wan", "next_year_wan"]),
    ]
    if report.assumptions.height:
        out.append(Sheet("假设与参数", "次年缺口测算的输入、来源与质量", report.assumptions, labels=schema.RESERVE_REPORT_LABELS,
                         unit=None, total_row=False, number_formats={"value": "#,##0.00"}))
    return out


# --- narrative -----------------------------------------------------------------------------------


def narrative(report: ReserveReport) -> str:
    """The report's Chinese summary paragraphs (Markdown), every figure from the tables."""
    r, g, y = report.ready, report.gap, report.next_year
    f = {row["stage"]: row for row in report.funnel.iter_rows(named=True)}
    lines = [
        f"截至{month_label(report.review)}末，项目储备库共有项目 **{r.height} 个**，总投资 {_yi(r['total_investment_wan'].sum())}，"
        f"预计首年投资 {_yi(r['first_year_wan'].sum())}。其中谋划阶段 {f['concept']['projects']} 个、"
        f"立项阶段 {f['approval']['projects']} 个、要件办理阶段 {f['permits']['projects']} 个、"
        f"具备开工条件 {f['ready']['projects']} 个（合计 {sum(x['projects'] for x in f.values())} 个，与库内项目数一致）。",
    ]
    if report.blocking.height:
        top = report.blocking.row(0, named=True)
        lines.append(
            f"卡点最集中的手续是 **{top['blocking_step_label']}**（{top['blocking_owner']}），"
            f"卡住 {top['projects']} 个项目、总投资 {_yi(top['total_investment_wan'])}；"
            "各部门卡点项目见“卡点手续”表，逐项目见“未具备开工条件项目”表。")
    verdict = (f"缺口 **{_yi(g['shortfall_wan'])}**" if g["shortfall_wan"] > 0
               else f"可覆盖需求并富余 {_yi(g['margin_wan'])}")
    lines.append(
        f"**{y}年缺口测算**：本年预计完成 {_yi(g['projected_outturn_wan'])}，按增长 {g['target_growth']:.0%} "
        f"测算{y}年需完成 {_yi(g['required_total_wan'])}；扣除续建项目次年计划 {_yi(g['continuing_next_year_wan'])} "
        f"和清单外投资 {_yi(g['other_fai_next_year_wan'])}，需新开工项目完成 **{_yi(g['needed_new_start_wan'])}**。"
        f"储备项目按预计具备开工条件时间开工，{y}年可完成 {_yi(g['reserve_next_year_wan'])}"
        f"（{g['projects_starting_next_year']} 个项目在{y}年内开工，其中 {g['projects_starting_in_january']} 个可于1月开工），"
        f"{verdict}。")
    chosen = report.push.filter(pl.col("selected"))
    if g["shortfall_wan"] > 0 and chosen.height:
        gain = float(chosen["gain_wan"].sum())
        covered = "可基本弥补缺口" if gain >= g["shortfall_wan"] - 1e-6 else f"仍差 {_yi(g['shortfall_wan'] - gain)}，需新谋划项目或争取更多项目提前开工"
        lines.append(
            f"建议对 {chosen.height} 个项目挂牌督办、容缺受理、并联审批（二(七)），剩余办理时间压缩后{y}年可增加投资 "
            f"{_yi(gain)}，{covered}；名单及需推进的手续、责任部门见“推进清单”表。")
    ups = report.tiers.filter(pl.col("tier_move") == "up").height
    downs = report.tiers.filter(pl.col("tier_move") == "down").height
    lines.append(f"**动态滚动**：本次评审建议 {ups} 个项目上调层级、{downs} 个项目下调层级（12个月内可具备开工条件的进入“1年实施”）。")
    if report.funding_counts.height:
        parts = [f"{row['round_label']}（截止{row['deadline']}）已符合 {row['eligible']} 个、截止前可符合 {row['by_deadline']} 个"
                 for row in report.funding_counts.iter_rows(named=True)]
        lines.append("**资金申报匹配**：" + "；".join(parts) + "。")
    if report.movement_counts is not None:
        c = dict(report.movement_counts.select("movement", "projects").iter_rows())
        lines.append(f"与{month_label(report.previous_review)}相比：阶段前移 {c['advanced']} 个、新入库 {c['new']} 个、"
                     f"出库 {c['left']} 个、阶段后退 {c['regressed']} 个。")
    return "\n\n".join(lines)
