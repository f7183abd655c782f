"""The planner's chart: projected cumulative FAI against both paths of the plan's goal, with P10–P90 bands.

Aggregated before plotting (12 months × a few series), 亿元 at this edge, rendered offline as SVG
through jygproj.charts.to_svg (vl-convert bundles vega: no CDN).
"""

from __future__ import annotations

import altair as alt
import numpy as np
import polars as pl

from jygproj import charts
from jygproj.plan import Words
from jygproj.schema import WAN_PER_YI
from jygproj.scenario.engine import Outcome
from jygproj.scenario.montecarlo import MonteCarlo


def series_labels(outcome: Outcome) -> dict[str, str]:
    """The four lines' labels, in the plan's words (e.g. 总量口径路径（11月达上年全年×1.12）)."""
    words = Words(outcome.goal)
    return {"projected": "本情景（实际＋推演）",
            "level": f"总量口径路径（{words.month}达上年全年×{words.factor}）",
            "rate": f"增速口径路径（上年同期×{words.factor}）",
            "prior": "上年同期（可比口径）"}


def path_table(outcome: Outcome) -> pl.DataFrame:
    """Long frame (月份, 口径, 亿元) of the four lines, months 2..12 (1-2月 reported together)."""
    level, rate = outcome.target_paths()
    labels = series_labels(outcome)
    lines = {
        labels["projected"]: outcome.path.total_wan,
        labels["level"]: level,
        labels["rate"]: rate,
        labels["prior"]: outcome.path.comparable_prior_wan,
    }
    months = np.arange(1, 13)
    frames = [pl.DataFrame({"month": months, "口径": [name] * 12, "亿元": values / WAN_PER_YI})
              for name, values in lines.items()]
    year = outcome.model.year
    return (pl.concat(frames).filter(pl.col("month") >= 2).drop_nans().drop_nulls()
            .with_columns(pl.date(year, pl.col("month"), 1).alias("月份")).select("月份", "口径", "亿元"))


def scenario_chart(outcome: Outcome, mc: MonteCarlo | None = None, title: str = "全年固定资产投资推演") -> alt.TopLevelMixin:
    """Lines of the scenario and both paths of the goal; the P10–P90 band when a Monte Carlo run is given."""
    table = path_table(outcome)
    series = list(series_labels(outcome).values())
    x = alt.X("月份:T", title=None, axis=alt.Axis(format=charts.MONTH_FORMAT, tickCount="month"))
    y = alt.Y("亿元:Q", title="1-X月累计（亿元）", scale=alt.Scale(zero=False), axis=alt.Axis(format=",.0f"))
    lines = alt.Chart(table).mark_line(strokeWidth=2, point=True).encode(
        x=x, y=y,
        color=alt.Color("口径:N", sort=series, title=None,
                        scale=alt.Scale(domain=series, range=["#1f4e9c", "#c53030", "#d69e2e", "#888888"])),
        strokeDash=alt.StrokeDash("口径:N", sort=series, legend=None,
                                  scale=alt.Scale(domain=series, range=[[1, 0], [6, 4], [6, 4], [2, 2]])),
    )
    layers = [lines]
    if mc is not None:
        b = mc.bands.filter(pl.col("month") >= outcome.model.as_of_month).select(
            pl.date(outcome.model.year, pl.col("month"), 1).alias("月份"),
            (pl.col("p10_cum_wan") / WAN_PER_YI).alias("P10"), (pl.col("p90_cum_wan") / WAN_PER_YI).alias("P90"))
        band = alt.Chart(b).mark_area(opacity=0.18, color="#1f4e9c").encode(x=x, y=alt.Y("P10:Q"), y2=alt.Y2("P90:Q"))
        layers.insert(0, band)
    chart = alt.layer(*layers).properties(width=charts.WIDTH, height=charts.HEIGHT)
    return charts.with_report_style(chart, title + ("（阴影为80%把握区间）" if mc is not None else ""))


def scenario_svg(outcome: Outcome, mc: MonteCarlo | None = None) -> str:
    return charts.to_svg(scenario_chart(outcome, mc))
