"""Charts of the reserve report: funnel, readiness timeline (Gantt-like), gap to next year.

Built with altair; rendered offline as SVG through jygproj.charts.show / to_svg (no CDN). Amounts
are converted from 万元 to 亿元 here, at the edge; every label is Chinese. Encodings are channel
objects, not shorthand strings (why: jygproj.charts, above its builders).
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import polars as pl

from jygproj.charts import AMOUNT_FORMAT, with_report_style
from jygproj.schema import RESERVE_STAGES, WAN_PER_YI

WIDTH = 560
STAGE_COLOURS = ["#a0aec0", "#63b3ed", "#3182ce", "#2f855a"]  # 谋划 → 具备开工条件


def _records(frame: pl.DataFrame) -> list[dict]:
    """Rows for altair with dates as ISO strings (vega parses them; no pandas needed)."""
    return frame.with_columns(pl.col(pl.Date).dt.strftime("%Y-%m-%d")).to_dicts()




def funnel_chart(funnel: pl.DataFrame, title: str = "储备项目漏斗：各阶段项目数与总投资") -> alt.TopLevelMixin:
    """Horizontal bars: projects per stage (谋划 at the top), labelled with count and 亿元."""
    data = funnel.select(
        "stage_label", "projects",
        yi=(pl.col("total_investment_wan") / WAN_PER_YI).round(2),
    ).with_columns(label=pl.format("{}个 / {}亿元", pl.col("projects"), pl.col("yi")))
    order = list(RESERVE_STAGES.values())
    base = alt.Chart(alt.Data(values=_records(data))).encode(
        y=alt.Y("stage_label:N", sort=order, title=None),
    )
    bars = base.mark_bar().encode(
        x=alt.X("projects:Q", title="项目数（个）"),
        color=alt.Color("stage_label:N", sort=order, scale=alt.Scale(domain=order, range=STAGE_COLOURS),
                        legend=None),
        tooltip=[alt.Tooltip("stage_label:N", title="阶段"), alt.Tooltip("projects:Q", title="项目数"),
                 alt.Tooltip("yi:Q", title="总投资（亿元）", format=AMOUNT_FORMAT)],
    )
    text = base.mark_text(align="left", dx=4).encode(x=alt.X("projects:Q"), text=alt.Text("label:N"))
    return with_report_style((bars + text).properties(width=WIDTH, height=160), title)


def funnel_by_chart(funnel_by: pl.DataFrame, by: str, by_title: str,
                    title: str = "分领域储备项目所处阶段") -> alt.TopLevelMixin:
    """Stacked bars: projects per ``by`` value (domain or channel), split by stage."""
    order = list(RESERVE_STAGES.values())
    data = funnel_by.filter(pl.col("projects") > 0).select(by, "stage_label", "projects")
    chart = alt.Chart(alt.Data(values=_records(data))).mark_bar().encode(
        y=alt.Y(f"{by}:N", title=by_title),
        x=alt.X("sum(projects):Q", title="项目数（个）"),
        color=alt.Color("stage_label:N", title="阶段", sort=order,
                        scale=alt.Scale(domain=order, range=STAGE_COLOURS)),
        order=alt.Order("stage_order:Q"),
        tooltip=[alt.Tooltip(f"{by}:N", title=by_title), alt.Tooltip("stage_label:N", title="阶段"),
                 alt.Tooltip("projects:Q", title="项目数")],
    ).transform_calculate(
        stage_order=" + ".join(f"(datum.stage_label == '{s}' ? {i} : 0)" for i, s in enumerate(order))
    )
    return with_report_style(chart.properties(width=WIDTH, height=220), title)


def timeline_chart(
    schedule: pl.DataFrame,
    ready: pl.DataFrame,
    review: dt.date,
    next_year: int,
    *,
    limit: int = 40,
    title: str = "要件办理时间轴（预计）",
) -> alt.TopLevelMixin:
    """Gantt-like bars: each outstanding step of the projects not yet ready, from its expected start
    to its expected end; projects ordered by expected ready month; a rule at 1 January next year.
    At most ``limit`` projects (largest first-year investment first) so the chart stays readable."""
    pending = ready.filter(pl.col("remaining_months") > 0)
    # the same ``limit`` projects whatever the reserve's row order: equal amounts in project_id order
    top = pending.sort(["first_year_wan", "project_id"], descending=[True, False]).head(limit).select("project_id")
    order = (pending.join(top, on="project_id").sort("ready_month", "name")["name"].to_list())
    bars = (
        schedule.filter(pl.col("end_offset").is_not_null() & (pl.col("end_offset") > 0))
        .join(ready.select("project_id", "name", "ready_month"), on="project_id")
        .join(top, on="project_id")
        .select("name", "step_label", "owner", "start_date", "end_date", "ready_month")
    )
    y = alt.Y("name:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    chart = alt.Chart(alt.Data(values=_records(bars))).mark_bar(opacity=0.8, height=9).encode(
        y=y,
        x=alt.X("start_date:T", title="预计办理时间", axis=alt.Axis(format="%Y年%-m月")),
        x2=alt.X2("end_date:T"),
        color=alt.Color("step_label:N", title="手续"),
        tooltip=[alt.Tooltip("name:N", title="项目"), alt.Tooltip("step_label:N", title="手续"),
                 alt.Tooltip("owner:N", title="责任部门"),
                 alt.Tooltip("start_date:T", title="开始", format="%Y-%m-%d"),
                 alt.Tooltip("end_date:T", title="办结", format="%Y-%m-%d")],
    )
    t0 = dt.date(review.year + review.month // 12, review.month % 12 + 1, 1)  # end of the review month
    marks = pl.DataFrame({"date": [dt.date(next_year, 1, 1), t0], "what": [f"{next_year}年1月1日", "评审时点"]})
    rule = alt.Chart(alt.Data(values=_records(marks))).mark_rule(color="#c53030", strokeDash=[4, 3]).encode(
        x=alt.X("date:T"), tooltip=[alt.Tooltip("what:N", title="标记")])
    height = max(120, 14 * len(order))
    return with_report_style((chart + rule).properties(width=WIDTH, height=height), title)


def gap_chart(gap: pl.DataFrame, next_year: int, title: str | None = None) -> alt.TopLevelMixin:
    """Cumulative new-start investment needed next year against what the reserve delivers, 亿元."""
    needed, supply = "需新开工项目完成投资（累计）", "储备项目按期开工可完成投资（累计）"
    long = pl.concat([
        gap.select("month", series=pl.lit(needed), yi=pl.col("needed_cum_wan") / WAN_PER_YI),
        gap.select("month", series=pl.lit(supply), yi=pl.col("reserve_cum_wan") / WAN_PER_YI),
    ]).with_columns(pl.col("yi").round(2), month_label=pl.format("{}月", pl.col("month")))
    order = [f"{m}月" for m in range(1, 13)]
    chart = alt.Chart(alt.Data(values=_records(long))).mark_line(point=True).encode(
        x=alt.X("month_label:N", sort=order, title=f"{next_year}年月份"),
        y=alt.Y("yi:Q", title="累计投资（亿元）", axis=alt.Axis(format=AMOUNT_FORMAT)),
        color=alt.Color("series:N", title=None, legend=alt.Legend(labelLimit=400),
                        scale=alt.Scale(domain=[needed, supply], range=["#c53030", "#2b6cb0"])),
        strokeDash=alt.StrokeDash("series:N", title=None,
                                  scale=alt.Scale(domain=[needed, supply], range=[[6, 4], [1, 0]])),
        tooltip=[alt.Tooltip("month_label:N", title="月份"), alt.Tooltip("series:N", title="口径"),
                 alt.Tooltip("yi:Q", title="亿元", format=AMOUNT_FORMAT)],
    )
    return with_report_style(chart.properties(width=WIDTH, height=260),
                      title or f"{next_year}年新开工投资需求与储备项目供给（逐月累计）")
