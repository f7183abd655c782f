"""Wiring for the reserve report: the gap's inputs from a loaded data set and the run's parameters.

Kept apart from the calculations (style page: kedro). Each input is either given as a parameter or
derived here, and every one goes into an assumptions log with its source and quality, printed in
the report — so the gap can be redone by hand from the report alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from jygproj.errors import JygprojError, UsageError
from jygproj.reserve.gap import GapInputs, continuing_next_year_wan
from jygproj.reserve.months import add_months, parse_month
from jygproj.reserve.reference import Assumption

ASSUMPTION_COLUMNS = {"item": pl.String, "value": pl.Float64, "unit": pl.String, "source": pl.String,
                      "quality": pl.String}


def projected_outturn(dataset: Any, as_of: str | dt.date, profile: dict[int, float], goal: Any) -> dict:
    """This year's projected FAI outturn (万元) and the part outside the lists, with the method used.

    First the project-by-project projection of the scenario engine (jygproj.projection, the same
    figure the growth tracker reports); if it cannot run on this data set, the growth tracker's
    seasonal extrapolation (jygproj.growth); if neither can, value None and the reasons."""
    from jygproj import growth, projection

    month = parse_month(as_of)
    reasons = []
    try:
        path = projection.project_dataset(dataset, as_of=month.strftime("%Y-%m"), profile=profile)
        dec = path.filter(pl.col("month") == 12).row(0, named=True)
        planned = float(dataset.projects["annual_plan_wan"].fill_null(0.0).sum())
        return {"value": dec["projected_cum_wan"], "other_wan": dec["other_cum_wan"],
                "listed_wan": dec["listed_cum_wan"], "planned_wan": planned,
                "method": f"逐项目预测（jygproj.projection，截至{month.year}年{month.month}月）", "quality": "中"}
    except JygprojError as exc:  # the data cannot be projected: the reason goes into the assumptions log
        reasons.append(f"逐项目预测不可用：{exc}")
    try:
        _, summary = growth.track(dataset.baseline, as_of_month=month.month, profile=profile, goal=goal,
                                  year=month.year)
        return {"value": summary["projected_year_cum_wan"], "other_wan": None,
                "method": f"按季节规律外推（jygproj.growth，截至{month.year}年{month.month}月）；" + "；".join(reasons),
                "quality": "低"}
    except JygprojError as exc:
        reasons.append(f"季节外推不可用：{exc}")
    return {"value": None, "other_wan": None, "method": "；".join(reasons), "quality": "无"}


def gap_inputs(
    dataset: Any,
    *,
    review: str | dt.date,
    as_of: str | dt.date | None,
    profile: dict[int, float],
    assumptions: dict[str, Assumption],
    goal: Any,
    target_growth: float | None = None,
    projected_outturn_wan: float | None = None,
    continuing_next_year_wan_given: float | None = None,
    other_fai_next_year_wan: float | None = None,
    continuing_intensity: float | None = None,
    other_fai_growth: float | None = None,
) -> tuple[GapInputs, pl.DataFrame]:
    """The gap's inputs and the assumptions log (item, value, unit, source, quality).

    Parameters left None come from the data set and data/reference/reserve_gap.yaml. Raises
    ValueError (Chinese, code outturn_unknown) when this year's outturn can neither be projected
    nor was given."""
    review_month = parse_month(review)
    as_of_month = parse_month(as_of) if as_of else add_months(review_month, -1)
    log: list[dict] = []

    def note(item, value, unit, source, quality):
        log.append({"item": item, "value": None if value is None else float(value), "unit": unit,
                    "source": source, "quality": quality})

    a = assumptions
    growth_value = a["target_growth"].value if target_growth is None else target_growth
    note("次年投资增长目标", growth_value, "比例",
         a["target_growth"].source if target_growth is None else "运行参数 target_growth", a["target_growth"].quality
         if target_growth is None else "给定")

    projected: dict[str, Any] = {"other_wan": None}
    if projected_outturn_wan is None:
        projected = projected_outturn(dataset, as_of_month, profile, goal)
        if projected["value"] is None:
            raise UsageError("无法预测本年固定资产投资全年值，请在参数 projected_outturn_wan 中给出（万元）："
                             f"{projected['method']}", "outturn_unknown")
        outturn, source, quality = projected["value"], projected["method"], projected["quality"]
    else:
        outturn, source, quality = projected_outturn_wan, "运行参数 projected_outturn_wan", "给定"
    note("本年固定资产投资预计完成", outturn, "万元", source, quality)

    if continuing_next_year_wan_given is None:
        base = a["continuing_intensity"]
        intensity = base.value if continuing_intensity is None else continuing_intensity
        listed, planned = projected.get("listed_wan"), projected.get("planned_wan")
        realised = listed / planned if listed and planned else 1.0
        continuing = continuing_next_year_wan(dataset.projects, intensity * realised)
        note("续建项目次年计划投资", continuing, "万元",
             f"估算：本年清单项目（去重）按本年年度计划强度×{intensity:g}延续（不超过剩余投资），"
             f"再乘本年计划执行率 {realised:.1%}（预测完成÷年度计划）；" + base.source, base.quality)
    else:
        continuing = continuing_next_year_wan_given
        note("续建项目次年计划投资", continuing, "万元", "运行参数 continuing_next_year_wan", "给定")

    if other_fai_next_year_wan is None:
        grow = a["other_fai_growth"].value if other_fai_growth is None else other_fai_growth
        if projected.get("other_wan") is not None:
            other_now, how = projected["other_wan"], "逐项目预测中的清单外投资"
        else:
            listed = float(dataset.projects["annual_plan_wan"].fill_null(0.0).sum())
            other_now, how = max(outturn - listed, 0.0), "本年预计完成减清单项目年度计划"
        other = other_now * (1 + grow)
        note("清单外投资次年预计", other, "万元", f"{how}（{other_now:,.0f}万元）×(1+{grow:.0%})；"
             + a["other_fai_growth"].source, a["other_fai_growth"].quality)
    else:
        other = other_fai_next_year_wan
        note("清单外投资次年预计", other, "万元", "运行参数 other_fai_next_year_wan", "给定")

    inputs = GapInputs(next_year=review_month.year + 1, projected_outturn_wan=float(outturn),
                       target_growth=float(growth_value), continuing_next_year_wan=float(continuing),
                       other_fai_next_year_wan=float(other))
    note("次年需完成固定资产投资", inputs.required_total_wan, "万元", "本年预计完成×(1+增长目标)", "推算")
    note("次年需新开工项目完成投资", inputs.needed_new_start_wan, "万元",
         "次年需完成−续建项目次年计划−清单外投资", "推算")
    return inputs, pl.DataFrame(log, schema=ASSUMPTION_COLUMNS)
