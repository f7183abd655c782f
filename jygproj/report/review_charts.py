"""The quarterly review's four charts: their data (calculation results reshaped and labelled for
altair) and the chart objects (jygproj.charts)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from jygproj.schema import LISTS, S_CURVE_LABELS

if TYPE_CHECKING:
    from jygproj.quarterly import Results, Review

def growth_series(factor: str) -> dict[str, str]:
    """Series of the growth chart: column of the tracker's path → legend label (``factor``: 1.12)."""
    return {"actual_cum_wan": "实际累计", "projected_cum_wan": "预测累计（按当前进度）",
            "rate_line_wan": f"增速口径：上年同期×{factor}", "level_path_wan": "总量口径：所需累计路径"}
S_CURVE_SERIES = S_CURVE_LABELS


def chart_data(r: "Results") -> dict[str, pl.DataFrame]:
    f, p = r.frames, r.params
    lists = [k for k in LISTS if k != "reserve"]
    by_q = f["completion"].filter(pl.col("nature").is_null() & pl.col("period").is_in(["Q1", "Q2", "Q3", "Q4"])
                                  & pl.col("list").is_in(lists)).select(
        "list", "quarter", pl.coalesce("target_wan", "plan_wan").alias("planned_wan"),
        pl.col("completed_wan").fill_null(0.0))
    series = growth_series(r.plan.words.factor)
    growth_long = (
        f["growth"].select("month", *series)
        .with_columns(pl.when(pl.col("month") >= p.as_of_month).then(pl.col("projected_cum_wan"))
                      .alias("projected_cum_wan"))
        .unpivot(index="month", on=list(series), variable_name="series", value_name="cum_wan")
        .drop_nulls("cum_wan").with_columns(pl.col("series").replace(series))
    )
    warn = f["worst"].join(r.projects.select("project_id", "responsible_unit"), on="project_id", how="left")
    s_curve = (f["s_curve"].unpivot(index="month", on=list(S_CURVE_SERIES), variable_name="series",
                                    value_name="cum_wan")
               .drop_nulls("cum_wan").with_columns(pl.col("series").replace(S_CURVE_SERIES))
               .select("month", "series", "cum_wan"))
    return {"completion": by_q, "growth": growth_long, "warnings": warn, "s_curve": s_curve}


def charts_for(review: "Review") -> dict[str, Any]:
    """The four standard charts of the review (altair objects; show with jygproj.charts.show)."""
    from jygproj import charts

    y = review.params.year
    series = growth_series(review.plan.words.factor)
    return {
        "completion": charts.completion_chart(review.chart_data["completion"],
                                              title="分清单分季度计划（方案目标）与完成投资（亿元）"),
        "growth": charts.growth_chart(review.chart_data["growth"], year=y,
                                      dashed=tuple(v for k, v in series.items() if k != "actual_cum_wan")),
        "warnings": charts.warnings_chart(review.chart_data["warnings"]),
        "s_curve": charts.s_curve_chart(review.chart_data["s_curve"], year=y),
    }
