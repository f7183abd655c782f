"""The quarterly review's five charts: their data (calculation results reshaped and labelled for
altair) and the chart objects (jygproj.charts)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from jygproj.ledger import made_once
from jygproj.report.formats import NOT_BEGUN, under_way
from jygproj.schema import LISTS, PLANNED_LABELS, QUARTER_LABELS, S_CURVE_LABELS

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
    # the quarter under way named so, as in the tables: its completion runs to the as-of month only,
    # its plan is the whole quarter's (a bar half the plan's is not a quarter half done); a quarter not
    # begun shows its plan and no completion bar (nothing can be reported for it yet)
    quarter = pl.col("quarter").cast(pl.Int64).replace_strict(QUARTER_LABELS, return_dtype=pl.String)
    begun = pl.col("partial") | pl.col("closed")
    by_q = f["completion"].filter(pl.col("nature").is_null() & pl.col("period").is_in(["Q1", "Q2", "Q3", "Q4"])
                                  & pl.col("list").is_in(lists)).select(
        "list", "quarter", pl.coalesce("target_wan", "plan_wan").alias("planned_wan"),
        # the plan's own quarterly target where it sets one (二(二), 二(三)), else the list's plan: named apart
        pl.when(pl.col("target_wan").is_not_null()).then(pl.lit(PLANNED_LABELS["target_wan"]))
        .otherwise(pl.lit(PLANNED_LABELS["plan_wan"])).alias("planned_name"),
        pl.when(begun).then(pl.col("completed_wan").fill_null(0.0)).alias("completed_wan"),
        pl.when(pl.col("partial")).then(quarter + under_way(p.as_of_month))
        .when(~begun).then(quarter + NOT_BEGUN).otherwise(quarter).alias("quarter_label"))
    # the city's tracker, the same in every unit's report: its two charts made once per inputs (issue 18)
    growth_long, cum_growth = made_once(r.memo, ("growth_charts", p.as_of_month), (f["growth"], r.plan), lambda: (
        growth_lines(f["growth"], p.as_of_month, r.plan.words.factor), cum_growth_data(f["growth"], p.as_of_month)))
    warn = f["worst"].join(r.projects.select("project_id", "responsible_unit"), on="project_id", how="left")
    s_curve = (f["s_curve"].unpivot(index="month", on=list(S_CURVE_SERIES), variable_name="series",
                                    value_name="cum_wan")
               .drop_nulls("cum_wan").with_columns(pl.col("series").replace(S_CURVE_SERIES))
               .select("month", "series", "cum_wan"))
    return {"completion": by_q, "growth": growth_long, "cum_growth": cum_growth, "warnings": warn, "s_curve": s_curve}


def growth_lines(growth: pl.DataFrame, as_of_month: int, factor: str) -> pl.DataFrame:
    """The level chart's lines (month, series, cum_wan) from :func:`growth_from_month`: last year's
    cumulative, the actual one, the projection from the as-of month and the two readings' paths."""
    series = growth_series(factor)
    return (
        growth.select("month", *series)
        .with_columns(pl.when(pl.col("month") >= as_of_month).then(pl.col("projected_cum_wan"))
                      .alias("projected_cum_wan"))
        .unpivot(index="month", on=list(series), variable_name="series", value_name="cum_wan")
        .drop_nulls("cum_wan").with_columns(pl.col("series").replace(series))
        .filter(pl.col("month") >= growth_from_month(as_of_month))
    )


def growth_from_month(as_of_month: int) -> int:
    """The level chart starts three months before the as-of month: scaled to the data (not from 0),
    the months to the target month fill the height and the target month's gap shows."""
    return max(1, as_of_month - 3)


CUM_GROWTH_SERIES = {"actual": "本年累计增速（实际）", "projected": "本年累计增速（预测）"}


def cum_growth_data(growth: pl.DataFrame, as_of_month: int) -> pl.DataFrame:
    """The cumulative-growth chart's lines (month, series, growth_pct), months 2–12: the published
    growth to the as-of month, then the forecast from it (joined at the as-of month)."""
    actual = growth.filter(pl.col("growth_pct").is_not_null() & (pl.col("month") >= 2)).select(
        "month", pl.lit(CUM_GROWTH_SERIES["actual"]).alias("series"), "growth_pct")
    projected = growth.filter((pl.col("month") >= as_of_month) & pl.col("cum_growth_pct").is_not_null()).select(
        "month", pl.lit(CUM_GROWTH_SERIES["projected"]).alias("series"), pl.col("cum_growth_pct").alias("growth_pct"))
    return pl.concat([actual, projected]).with_columns(pl.col("month").cast(pl.Int32))


def charts_for(review: "Review") -> dict[str, Any]:
    """The five standard charts of the review (altair objects; show with jygproj.charts.show), built
    once per review: the notebook shows them and write_outputs saves the same ones as PNG (building
    them, altair's validation included, is a quarter of a second a report, issue 18)."""
    built = review.__dict__.get("_charts")
    if built is None:
        built = review.__dict__["_charts"] = _build_charts(review)
        _draw_ahead(built)
    return dict(built)


#: The order the notebook shows the charts in (notebooks/10_quarterly_review.ipynb): drawn ahead in it.
SHOWN_ORDER = ("cum_growth", "completion", "s_curve", "growth", "warnings")


def _draw_ahead(built: dict[str, Any]) -> None:
    """The charts drawn in a thread while the report goes on (jygproj.charts.draw_ahead), in the
    order the notebook shows them; their PNGs too when the runner runs the notebook (write_outputs
    saves them: jygproj.runs sets the run directory)."""
    import os

    from jygproj import charts, runs

    order = [k for k in SHOWN_ORDER if k in built] + [k for k in built if k not in SHOWN_ORDER]
    charts.draw_ahead([built[k] for k in order], png=bool(os.environ.get(runs.RUN_DIR_ENV)))


#: The city-wide charts (growth tracking is the city's in every report) built in this process, by
#: name: (what they were built from, the chart). A unit's report after the city's (--all-units, one
#: lent kernel running one report after another) reuses the chart when its data and words are the
#: same, so its spec, SVG and PNG are worked out once (issue 18).
_CITY_WIDE: dict[str, tuple[tuple, pl.DataFrame, Any]] = {}


def _city_wide(name: str, frame: pl.DataFrame, words: tuple, build) -> Any:
    kept = _CITY_WIDE.get(name)
    if kept is not None and kept[0] == words and kept[1].equals(frame):
        return kept[2]
    chart = build()
    _CITY_WIDE[name] = (words, frame, chart)
    return chart


def _build_charts(review: "Review") -> dict[str, Any]:
    from jygproj import charts

    y, w = review.params.year, review.plan.words
    series = growth_series(w.factor)
    cum_title = f"全市固定资产投资累计增速与{w.pct}目标（%，{w.span}累计为考核月）"
    growth_title = f"固定资产投资累计完成与{w.pct}增长路径（亿元，{growth_from_month(review.params.as_of_month)}月起）"
    dashed = tuple(v for k, v in series.items() if k != "actual_cum_wan")
    cum, grow = review.chart_data["cum_growth"], review.chart_data["growth"]
    return {
        "cum_growth": _city_wide("cum_growth", cum, (y, w.goal.growth_pct, cum_title, w.pct), lambda: charts.cum_growth_chart(
            cum, target_pct=w.goal.growth_pct, year=y,
            dashed=(CUM_GROWTH_SERIES["projected"],), width=CHART_WIDTH,
            title=cum_title, target_label=f"目标：累计增长{w.pct}")),
        "growth": _city_wide("growth", grow, (y, growth_title, dashed), lambda: charts.growth_chart(
            grow, year=y, zero=False, width=CHART_WIDTH, title=growth_title, dashed=dashed)),
        "completion": charts.completion_chart(review.chart_data["completion"], panel_width=280,
                                              title="分清单分季度计划与完成投资（亿元）",
                                              label_col="quarter_label", planned_name_col="planned_name"),
        "warnings": charts.warnings_chart(review.chart_data["warnings"], width=CHART_WIDTH - 200,
                                          **({"title": f"{review.params.unit}预警项目数"} if review.params.unit else {})),
        "s_curve": charts.s_curve_chart(review.chart_data["s_curve"], year=y),
    }


#: Charts are drawn this wide (px) and shown at the page's full width (html.REPORT_CSS).
CHART_WIDTH = 960
