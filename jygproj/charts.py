"""Altair chart builders for reports: zh-CN number and date formats, offline rendering.

Every builder aggregates its frame before plotting (a chart carries a handful of rows, never the
ledger), converts 万元 to 亿元 at this edge (the plan speaks 亿元), and labels in Chinese.
Charts render to SVG or PNG through vl-convert, which bundles vega: nothing is fetched from a CDN
(altair's default renderer writes a page that loads vega from the internet and is blank offline,
design page "Seen on these machines").

- :func:`show` displays a chart inline as SVG, so a papermill/nbconvert HTML report draws it with
  the network off.
- :func:`save_png` converts the chart's SVG (the one :func:`show` drew, when it did) to PNG. It
  needs a CJK font on the machine (scripts/setup.sh installs fonts-wqy-microhei); without one
  every Chinese character is a box, so it refuses to run without one.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import pickle
import subprocess
from pathlib import Path
from typing import Any, Iterable

import altair as alt
import polars as pl

from jygproj.drawer import SERVE_CODE  # (stdlib only: the drawing loop's text)
from jygproj.errors import JygprojError
from jygproj.schema import ALERT_LEVELS, LISTS, PLANNED_LABELS, QUARTER_LABELS, WAN_PER_YI

FORMAT_LOCALE = "zh-CN"  # d3-format: thousands separator, decimal point, ¥
TIME_FORMAT_LOCALE = "zh-CN"  # d3-time-format: 一月…十二月, 星期一…
AMOUNT_FORMAT = ",.2f"  # 亿元 with two decimals, as the plan writes them (e.g. 8.20)
PCT_FORMAT = ".1%"
AXIS_FORMAT = ",.2~f"  # 250 / 1.5 / 0.05: as many decimals as the scale needs, no trailing zeros
MONTH_FORMAT = "%-m月"
#: Font stack: the first CJK font found wins (SVG uses the viewer's fonts, PNG the machine's).
FONT = "WenQuanYi Micro Hei, Noto Sans CJK SC, Microsoft YaHei, SimHei, PingFang SC, sans-serif"
#: Default warning colours (二(八) 红黄蓝); labels from schema.ALERT_LEVELS.
LEVEL_COLOURS = {"blue": "#2b6cb0", "yellow": "#d69e2e", "red": "#c53030"}
WIDTH = 560
HEIGHT = 260


class ChartError(JygprojError, RuntimeError):
    code = "chart_failed"


#: Number and month labels are never cut short: a label of an amount (",.2~f") or a month ("%-m月")
#: is far narrower than Vega's default limit of 180 px, so the limit never applied, and without it
#: Vega does not measure each label again to test it. Each text measured costs vl-convert a font
#: lookup and a layout (issue 18): a report's charts draw ~15 % faster, the same SVG byte for byte.
#: Labels of names (units, lists) keep the default limit: a long name is still cut short, as before.
_NO_LABEL_LIMIT = alt.AxisConfig(labelLimit=0)
#: The completion chart's planned bars, in PLANNED_LABELS' order: the plan's own target darker grey
#: than a list's plan, so the two read apart.
_PLANNED_COLOURS = ("#718096", "#a0aec0")
#: An axis label with a note in brackets on two lines: 四季度 / （截至10月，未结束）.
_TWO_LINES = ("indexof(datum.label, '（') > 0 ? [slice(datum.label, 0, indexof(datum.label, '（')), "
              "slice(datum.label, indexof(datum.label, '（'))] : datum.label")


def with_report_style(chart: alt.TopLevelMixin, title: str) -> alt.TopLevelMixin:
    """``chart`` (just built by the caller) with its title and the reports' one chart config (title,
    fonts, sizes; the quarterly review's, the reserve plan's and the planner's charts), set on it: not
    through properties() and configure_*(), which copy the chart at each call (a layered chart's copy
    combines its layers' parameters anew: most of the time of building a report's charts, issue 18)
    and validate each value alone; the whole spec is validated when drawn (:func:`_spec`), and the
    spec is the same."""
    chart.title = title
    chart.config = alt.Config(
        font=FONT, title=alt.TitleConfig(fontSize=15, anchor="start"),
        axis=alt.AxisConfig(labelFontSize=11, titleFontSize=12),
        axisQuantitative=_NO_LABEL_LIMIT, axisTemporal=_NO_LABEL_LIMIT,
        legend=alt.LegendConfig(labelFontSize=11, titleFontSize=12, orient="bottom"))
    return chart


def _unchecked(builder):
    """``builder`` with altair's checks of each part of the chart as it is made (its debug mode: every
    alt.X, alt.Axis, alt.Scale… converted to a dict and validated on its own, ~30 a report's charts,
    a third of building them, issue 18) left out: the whole spec is validated when it is drawn
    (:func:`_spec`, altair's schema error if it is not valid), so a wrong part is still refused."""
    from altair.utils.schemapi import debug_mode

    @functools.wraps(builder)
    def build(*args: Any, **kwargs: Any) -> Any:
        with debug_mode(False):
            return builder(*args, **kwargs)

    return build


def _require(frame: pl.DataFrame, columns: list[str], builder: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ChartError(f"{builder}：输入缺少列 {'、'.join(missing)}（现有列：{'、'.join(frame.columns)}）")


def _list_label(col: str) -> pl.Expr:
    return pl.col(col).cast(pl.String).replace(LISTS).alias("清单")


# --- builders ------------------------------------------------------------------------------------
#
# Encodings are channel objects (alt.Tooltip("口径:N")), not bare shorthand strings or alt.value():
# altair makes a string or a dict its channel through from_dict, which hashes the whole Vega-Lite
# schema each time (~4 ms; eleven of them were half the time of building a report's charts, issue
# 18). The spec is the same.


@_unchecked
def completion_chart(
    frame: pl.DataFrame,
    *,
    title: str = "分清单分季度投资完成情况（亿元）",
    list_col: str = "list",
    quarter_col: str = "quarter",
    planned_col: str = "planned_wan",
    completed_col: str = "completed_wan",
    panel_width: int = 200,
    label_col: str | None = None,
    planned_name_col: str | None = None,
) -> alt.FacetChart:
    """Planned vs completed investment by list and quarter, one panel per list.

    ``frame``: any rows with a list, a quarter (1–4) and 万元 amounts; summed per list and quarter (a
    list's quarter whose completed amounts are all null has no completion bar).
    ``label_col``: the quarters' names (default QUARTER_LABELS); a name with a note in brackets (a
    quarter under way: 四季度（截至10月，未结束）) is written on two lines below its bars.
    ``planned_name_col``: what each planned amount is, in the legend (PLANNED_LABELS: the plan's own
    target, or a list's plan; not one word for both); default a list's plan.
    """
    named = [c for c in (label_col, planned_name_col) if c]
    _require(frame, [list_col, quarter_col, planned_col, completed_col, *named], "completion_chart")
    name = (pl.col(label_col) if label_col else
            pl.col(quarter_col).cast(pl.Int64).replace_strict(QUARTER_LABELS, return_dtype=pl.String))
    sums = (
        frame.group_by(list_col, quarter_col, maintain_order=True)  # the same marks in the same order every run
        .agg(pl.col(planned_col).sum().alias("计划"),
             pl.when(pl.col(completed_col).is_not_null().any()).then(pl.col(completed_col).sum()).alias("完成"),
             name.first().alias("季度"),
             (pl.col(planned_name_col) if planned_name_col else pl.lit(PLANNED_LABELS["plan_wan"])).first()
             .alias("_planned_as"))
    )
    agg = (
        sums.unpivot(index=[list_col, quarter_col, "季度", "_planned_as"], on=["计划", "完成"], variable_name="口径",
                     value_name="wan")
        .drop_nulls("wan")
        .with_columns(
            _list_label(list_col),
            pl.when(pl.col("口径") == "计划").then(pl.col("_planned_as")).otherwise(pl.col("口径")).alias("图例"),
            (pl.col("wan") / WAN_PER_YI).alias("亿元"),
            pl.col(list_col).cast(pl.String).replace_strict(
                {k: i for i, k in enumerate(LISTS)}, default=99, return_dtype=pl.Int32).alias("order"),
        )
        .sort("order", quarter_col, maintain_order=True)
        .select("清单", "季度", "口径", "图例", "亿元")
    )
    list_order = list(dict.fromkeys(agg["清单"].to_list()))
    # the planned bars' names in the legend, the plan's own targets first; the completed bars last
    known = list(PLANNED_LABELS.values())
    planned_as = sorted(set(sums["_planned_as"].to_list()), key=lambda n: (known.index(n) if n in known else 99, n))
    colours = dict(zip(planned_as, _PLANNED_COLOURS[-len(planned_as):]))  # (a third name: the lighter grey)
    quarter_order = (sums.sort(quarter_col)["季度"].unique(maintain_order=True).to_list() if label_col
                     else list(QUARTER_LABELS.values()))
    chart = (
        alt.Chart(agg)
        .mark_bar()
        .encode(
            x=alt.X("季度:N", sort=quarter_order, title=None,
                    axis=alt.Axis(labelAngle=0, labelExpr=_TWO_LINES if label_col else alt.Undefined)),
            xOffset=alt.XOffset("口径:N", sort=["计划", "完成"]),
            y=alt.Y("亿元:Q", title="亿元", axis=alt.Axis(format=AXIS_FORMAT)),
            color=alt.Color("图例:N", sort=[*planned_as, "完成"],
                            scale=alt.Scale(domain=[*planned_as, "完成"],
                                            range=[*(colours.get(n, _PLANNED_COLOURS[-1]) for n in planned_as),
                                                   "#2f855a"]), title=None),
            tooltip=[alt.Tooltip("清单:N"), alt.Tooltip("季度:N"), alt.Tooltip("图例:N", title="口径"),
                     alt.Tooltip("亿元:Q", format=AMOUNT_FORMAT)],
        )
        .properties(width=panel_width, height=170)
        .facet(facet=alt.Facet("清单:N", sort=list_order, title=None), columns=3)
    )
    return with_report_style(chart, title)


@_unchecked
def growth_chart(
    frame: pl.DataFrame,
    *,
    title: str = "固定资产投资累计完成与12%增长路径（亿元）",
    month_col: str = "month",
    series_col: str = "series",
    value_col: str = "cum_wan",
    dashed: tuple[str, ...] = (),
    year: int | None = None,
    zero: bool = True,
    width: int = WIDTH,
) -> alt.LayerChart:
    """Cumulative FAI (1-X月) against the paths to the 12% goal, one line per series.

    ``frame``: long form, one row per month (1–12) and series (e.g. 实际累计, 总量口径路径,
    增速口径路径, 预测); values in 万元, summed per month and series. Series named in ``dashed``
    (paths, projections) are drawn dashed. ``zero`` False: the axis spans the data, so a gap of a
    few 亿 near the end of a 100亿 path is visible (the quarterly report's chart).
    """
    _require(frame, [month_col, series_col, value_col], "growth_chart")
    agg = _monthly(frame, month_col, series_col, value_col, year)
    return with_report_style(_lines(agg, dashed, "累计（亿元）", zero=zero, width=width), title)


@_unchecked
def cum_growth_chart(
    frame: pl.DataFrame,
    *,
    target_pct: float,
    title: str = "全市固定资产投资累计增速与12%目标（%）",
    target_label: str = "目标：累计增长12%",
    month_col: str = "month",
    series_col: str = "series",
    value_col: str = "growth_pct",
    dashed: tuple[str, ...] = (),
    year: int | None = None,
    width: int = WIDTH,
) -> alt.LayerChart:
    """Cumulative growth (%, 1-X月 on the same months of last year) against the goal's line — the
    standard chart of a growth target. ``frame``: long form (month, series, growth_pct), months 2–12
    (January has no published figure); series in ``dashed`` (the projection) drawn dashed; the
    target drawn as a red rule labelled ``target_label``."""
    _require(frame, [month_col, series_col, value_col], "cum_growth_chart")
    y = year or 2000
    data = frame.select(pl.date(y, pl.col(month_col), 1).alias("月份"), pl.col(series_col).alias("口径"),
                        pl.col(value_col).alias("增速"))
    series = list(dict.fromkeys(data["口径"].to_list()))
    base = alt.Chart(data).encode(
        x=alt.X("月份:T", title=None, axis=alt.Axis(format=MONTH_FORMAT, tickCount="month"),
                scale=alt.Scale(domain=[f"{y}-02-01", f"{y}-12-01"])),
        y=alt.Y("增速:Q", title="累计增速（%）", scale=alt.Scale(zero=False), axis=alt.Axis(format=".1f")),
        color=alt.Color("口径:N", sort=series, title=None),
        strokeDash=alt.StrokeDash("口径:N", sort=series, title=None, legend=None,
                                  scale=alt.Scale(domain=series, range=[[6, 4] if s in dashed else [1, 0] for s in series])),
        tooltip=[alt.Tooltip("月份:T", format="%Y年%-m月"), alt.Tooltip("口径:N"), alt.Tooltip("增速:Q", format=".1f")],
    )
    rule = alt.Chart(pl.DataFrame({"增速": [target_pct], "label": [target_label]})).encode(y=alt.Y("增速:Q"))
    layers = [base.mark_line(strokeWidth=2.5), base.mark_point(size=30, filled=True),
              rule.mark_rule(color=LEVEL_COLOURS["red"], strokeWidth=1.5, strokeDash=[2, 2]),
              rule.mark_text(align="left", dx=4, dy=-7, color=LEVEL_COLOURS["red"], fontSize=12)
              .encode(text=alt.Text("label:N"), x=alt.XValue(0))]
    return with_report_style(alt.layer(*layers, width=width, height=HEIGHT), title)  # (one LayerChart made, not two)


@_unchecked
def s_curve_chart(
    frame: pl.DataFrame,
    *,
    title: str = "计划与实际累计投资S曲线（亿元）",
    month_col: str = "month",
    series_col: str = "series",
    value_col: str = "cum_wan",
    dashed: tuple[str, ...] = ("计划累计",),
    year: int | None = None,
) -> alt.LayerChart:
    """Planned vs actual cumulative investment by month (the S-curve): long form as growth_chart."""
    _require(frame, [month_col, series_col, value_col], "s_curve_chart")
    agg = _monthly(frame, month_col, series_col, value_col, year)
    return with_report_style(_lines(agg, dashed, "累计（亿元）"), title)


@_unchecked
def warnings_chart(
    frame: pl.DataFrame,
    *,
    title: str = "各责任单位预警项目数",
    unit_col: str = "responsible_unit",
    level_col: str = "level",
    level_labels: dict[str, str] | None = None,
    level_colours: dict[str, str] | None = None,
    top: int = 20,
    width: int = WIDTH - 160,
) -> alt.Chart:
    """Count of warnings by responsible unit and level, stacked horizontal bars: the ``top`` units
    with the most (the title then says so, and of how many units).

    ``frame``: one row per warning (the alerts table joined to the unit); counted here.
    Colour names and colours are configurable (二(八): red/yellow/blue by default).
    """
    _require(frame, [unit_col, level_col], "warnings_chart")
    labels = level_labels or ALERT_LEVELS
    colours = level_colours or LEVEL_COLOURS
    codes = list(reversed(list(labels)))  # most severe first: legend and stack (left to right) alike
    counts = (
        frame.with_columns(pl.col(unit_col).fill_null("（未填责任单位）"), pl.col(level_col).cast(pl.String))
        .group_by(unit_col, level_col, maintain_order=True)
        .len("count")
    )
    everyone = counts.group_by(unit_col).agg(pl.col("count").sum().alias("total")).sort(
        ["total", unit_col], descending=[True, False])
    totals = everyone.head(top)
    if everyone.height > top:  # the chart shows some of the units: its title says which, and of how many
        title += f"（预警项目最多的{top}个，共{everyone.height}个单位有预警项目）"
    agg = counts.join(totals, on=unit_col).with_columns(
        pl.col(unit_col).alias("责任单位"),
        pl.col(level_col).replace(labels).alias("预警等级"),
        pl.col("count").alias("项目数"),
        pl.col(level_col).replace_strict({k: i for i, k in enumerate(codes)}, default=len(codes),
                                         return_dtype=pl.Int32).alias("stack"),
    ).sort(["total", unit_col, "stack"], descending=[True, False, False])  # one order every run (the join's is not)
    most = int(totals["total"].max() or 1)
    step = max(1, -(-most // 10))  # whole-number ticks, at most about ten of them
    order = [labels.get(k, k) for k in codes]
    colour_range = [colours.get(k, "#718096") for k in codes]
    chart = (
        alt.Chart(agg.select("责任单位", "预警等级", "项目数", "total", "stack"))
        .mark_bar()
        .encode(
            y=alt.Y("责任单位:N", sort=totals[unit_col].to_list(), title=None),
            x=alt.X("项目数:Q", title="项目数（个）", axis=alt.Axis(format="d", values=list(range(0, most + step, step)))),
            color=alt.Color("预警等级:N", sort=order, scale=alt.Scale(domain=order, range=colour_range),
                            title=None),
            order=alt.Order("stack:Q", sort="ascending"),
            tooltip=[alt.Tooltip("责任单位:N"), alt.Tooltip("预警等级:N"), alt.Tooltip("项目数:Q", format="d")],
        )
        .properties(width=width, height=alt.Step(20))
    )
    return with_report_style(chart, title)


def _monthly(frame: pl.DataFrame, month_col: str, series_col: str, value_col: str,
             year: int | None) -> pl.DataFrame:
    order = {name: i for i, name in enumerate(frame[series_col].unique(maintain_order=True).to_list())}
    agg = (frame.group_by(month_col, series_col).agg(pl.col(value_col).sum())
           .sort(pl.col(series_col).replace_strict(order, return_dtype=pl.Int32), month_col))  # legend: input order
    if agg[month_col].dtype.is_integer():
        y = year or 2000  # the year only anchors the month on a time axis labelled "%-m月"
        agg = agg.with_columns(pl.date(y, pl.col(month_col), 1).alias("月份"))
    else:
        agg = agg.with_columns(pl.col(month_col).cast(pl.Date).alias("月份"))
    return agg.select(
        "月份", pl.col(series_col).cast(pl.String).alias("口径"), (pl.col(value_col) / WAN_PER_YI).alias("亿元")
    )


def _lines(agg: pl.DataFrame, dashed: tuple[str, ...], y_title: str, *, zero: bool = True,
           width: int = WIDTH) -> alt.LayerChart:
    series = list(dict.fromkeys(agg["口径"].to_list()))
    base = alt.Chart(agg).encode(
        x=alt.X("月份:T", title=None, axis=alt.Axis(format=MONTH_FORMAT, tickCount="month")),
        y=alt.Y("亿元:Q", title=y_title, axis=alt.Axis(format=AXIS_FORMAT), scale=alt.Scale(zero=zero)),
        color=alt.Color("口径:N", sort=series, title=None),
        strokeDash=alt.StrokeDash(
            "口径:N", sort=series, title=None, legend=None,
            scale=alt.Scale(domain=series, range=[[6, 4] if s in dashed else [1, 0] for s in series]),
        ),
        tooltip=[alt.Tooltip("月份:T", format="%Y年%-m月"), alt.Tooltip("口径:N"),
                 alt.Tooltip("亿元:Q", format=AMOUNT_FORMAT)],
    )
    return alt.layer(base.mark_line(strokeWidth=2), base.mark_point(size=25, filled=True), width=width, height=HEIGHT)


# --- rendering (offline) -------------------------------------------------------------------------


#: SVGs drawn in this process, by the text of their Vega-Lite spec (oldest dropped first): a report
#: shows a chart and then saves it as PNG, and the PNG is converted from this SVG (~0.03 s) instead
#: of running Vega again (~0.1 s a chart, issue 18). A changed chart is a new spec, drawn anew.
_SVGS: dict[str, str] = {}
#: PNGs converted in this process, by their SVG: the city-wide charts of every unit's report (growth
#: tracking is the city's) are the same picture in each report a lent kernel runs (issue 18).
_PNGS: dict[tuple[str, float], bytes] = {}
_SVGS_KEPT = 32


#: The PNGs' scale (twice the SVG's pixels): save_png's default, and what draw_ahead draws.
PNG_SCALE = 2.0

_WARM: list = []  # the thread of warm_up(), once per process


def warm_up() -> None:
    """Start the drawing process (:class:`_Drawer`: vl-convert, its JavaScript runtime, Vega and the
    fonts, ~0.4 s of CPU, on the other core), and ask fontconfig for the CJK fonts in a thread: the
    notebook runner calls it in the kernel before the notebook runs (issue 18). Once per process.
    Where the process cannot start, vl-convert's engine is started here instead, in the thread (as
    before the process: the first chart waits for it if it has not finished)."""
    import threading

    if _WARM:
        return
    drawer = _Drawer.start()

    def draw() -> None:
        if drawer is None:
            import vl_convert as vlc

            try:
                vlc.vegalite_to_svg(_WARM_SPEC, format_locale=FORMAT_LOCALE, time_format_locale=TIME_FORMAT_LOCALE,
                                    allowed_base_urls=[])
            except Exception:  # noqa: BLE001 - only a head start: a real chart reports its own error
                pass
        cjk_fonts()  # fontconfig's list, asked once (a PNG needs a CJK font): ~0.3 s the first time

    thread = threading.Thread(target=draw, name="jygproj-vl-convert-warm-up", daemon=True)
    thread.start()
    _WARM.append(thread)


#: The chart drawn to start vl-convert's engine (its result is not used).
_WARM_SPEC = {"data": {"values": [{"月份": "2023-01-01", "亿元": 1.0}]}, "mark": "line",
              "encoding": {"x": {"field": "月份", "type": "temporal"}, "y": {"field": "亿元", "type": "quantitative"}}}


#: What the drawing process runs: requests (number, "svg" and a spec, or "png" and an SVG; keyword
#: arguments) received on stdin, answers (number, whether it worked, the drawing or the error) sent
#: on stdout, both as multiprocessing.connection messages (pickled, each after its length). No
#: jygproj import: the process starts in ~0.06 s.
_DRAWER_CODE = r"""
from multiprocessing.connection import Connection
import vl_convert as vlc
""" + SERVE_CODE + r"""
serve(Connection(0, writable=False), Connection(1, readable=False))
"""


class _DrawerGone(RuntimeError):
    """The drawing process ended before answering: the chart is drawn in this process instead."""


class _Drawer:
    """vl-convert in a process of its own, started by :func:`warm_up`. vl-convert holds the GIL while
    it draws (an SVG ~40 ms, a PNG ~35 ms; measured: a Python thread beside a drawing one got a third
    of its core), so draw_ahead's thread took those from the kernel's own work; in a process the
    charts are drawn on the other core while the report goes on (issue 18). The same library and
    fonts draw the same bytes. Requests are written by a thread of their own (a spec may not fit the
    pipe while the process draws), answers read by another; the process ends when this one does
    (its stdin closes). Under ``--all-units`` the kernels share one, the command's (jygproj.drawer:
    ``proc`` None, requests and answers on one connection)."""

    def __init__(self, proc, requests, answers):
        import queue
        import threading

        self.proc, self.gone = proc, False
        self._requests, self._answers = requests, answers  # multiprocessing.connection.Connection
        self._lock = threading.Lock()
        self._waiting: dict[int, Any] = {}
        self._number = 0
        self._out: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._write, name="jygproj-drawer-requests", daemon=True).start()
        threading.Thread(target=self._read, name="jygproj-drawer-answers", daemon=True).start()

    @classmethod
    def start(cls) -> "_Drawer | None":
        import atexit
        import sys

        if _DRAWER:
            return _DRAWER[0]
        from multiprocessing.connection import Client, Connection

        from jygproj import drawer as shared

        if os.environ.get(shared.ENV):  # the command's drawing process, shared by its kernels
            try:
                both = Client(os.environ[shared.ENV], family="AF_UNIX")
            except OSError:  # gone, or never there: one of this kernel's own, as without
                both = None
            if both is not None:
                drawer = cls(None, both, both)
                _DRAWER.append(drawer)
                atexit.register(drawer.close, wait=False)
                drawer.submit("svg", _WARM_SPEC)  # its engine started now (by the first kernel to ask)
                return drawer
        to_child, from_here = os.pipe()
        from_child, to_here = os.pipe()
        try:
            # a session of its own: ipykernel signals and waits out the children in its process group
            # at shutdown (a zombie counted as one: 2.6 s a kernel); this one ends on its own when
            # its stdin closes, as this process ends
            proc = subprocess.Popen([sys.executable, "-c", _DRAWER_CODE], stdin=to_child, stdout=to_here,
                                    stderr=subprocess.DEVNULL, start_new_session=True)
        except OSError:
            for fd in (to_child, from_here, from_child, to_here):
                os.close(fd)
            return None
        os.close(to_child)
        os.close(to_here)
        drawer = cls(proc, Connection(from_here, readable=False), Connection(from_child, writable=False))
        _DRAWER.append(drawer)
        # not waited for as this process ends (its exit waited out the drawer's engine: ~0.3 s a
        # run): it ends on its own at its stdin's end
        atexit.register(drawer.close, wait=False)
        drawer.submit("svg", _WARM_SPEC)  # its engine started now, not at the first chart
        return drawer

    def submit(self, kind: str, payload: Any) -> Any:
        """A future of the SVG of a spec (``kind`` "svg") or the PNG of an SVG at PNG_SCALE ("png")."""
        from concurrent.futures import Future

        kw = ({"format_locale": FORMAT_LOCALE, "time_format_locale": TIME_FORMAT_LOCALE, "allowed_base_urls": []}
              if kind == "svg" else {"scale": PNG_SCALE})
        future: Future = Future()
        with self._lock:
            if self.gone:
                future.set_exception(_DrawerGone())
                return future
            number = self._number = self._number + 1
            self._waiting[number] = future
        self._out.put((number, (kind, payload, kw)))
        return future

    def _write(self) -> None:
        try:
            while True:
                request = self._out.get()
                if request is None:
                    break
                number, asked = request
                # pickled apart: its bytes are the drawing process's key (jygproj.drawer.SERVE_CODE)
                self._requests.send((number, pickle.dumps(asked, protocol=pickle.HIGHEST_PROTOCOL)))
        except (OSError, ValueError):
            self._end()
        with contextlib.suppress(OSError):
            self._requests.close()  # the process's stdin ends: it ends

    def _read(self) -> None:
        try:
            while True:
                number, ok, value = self._answers.recv()  # EOFError once the process has ended
                with self._lock:
                    future = self._waiting.pop(number, None)
                if future is not None:
                    future.set_result(value) if ok else future.set_exception(value)
        except Exception:  # noqa: BLE001 - the end, or a broken answer: what waits is drawn here instead
            pass
        self._end()
        with contextlib.suppress(OSError):
            self._answers.close()
        if self.proc is not None:
            with contextlib.suppress(Exception):
                self.proc.wait(timeout=5)  # reaped: no zombie left under this process

    def _end(self) -> None:
        with self._lock:
            self.gone = True
            waiting, self._waiting = self._waiting, {}
        for future in waiting.values():
            if not future.done():
                future.set_exception(_DrawerGone())

    def close(self, wait: bool = True) -> None:
        """End the drawing process (its stdin closed); ``wait``: until it has ended."""
        self._out.put(None)
        if not wait or self.proc is None:  # (a shared one is ended by the command that started it)
            return
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._end()


_DRAWER: list = []  # the drawing process warm_up started, once per process


def _spec(chart: alt.TopLevelMixin) -> tuple[str, dict]:
    """The chart's Vega-Lite spec and its text, the key of the drawings kept: validated when new (a
    spec found kept was validated when it was drawn; the validation is most of to_dict's time)."""
    ahead = _kept(_AHEAD_SPECS, id(chart))
    if ahead is not None and ahead[0] is chart:  # given to draw_ahead: its spec as it was then
        return ahead[1], ahead[2]
    spec = chart.to_dict(validate=False)  # (its data made plain values: most of the rest of its time)
    key = json.dumps(spec, ensure_ascii=False, sort_keys=True)
    if key not in _SVGS and key not in _AHEAD:
        shape = _shape(spec)
        if shape not in _VALID:
            type(chart).validate(spec)  # what to_dict() checks, on the same dict: altair's schema error if not
            _keep(_VALID, shape, True)
    return key, spec


#: The shapes of the specs validated in this process (:func:`_shape`).
_VALID: dict[str, bool] = {}


def _shape(spec: dict) -> str:
    """A spec without its data: the text of everything but the inline datasets' rows (their names,
    hashes of the rows, numbered instead), its lists of sort order and of tick values each one item
    long (:func:`_general`). The Vega-Lite schema takes any rows of objects as inline data, so a spec
    valid with some rows is valid with any: a unit's charts, the city's with other figures, are
    validated once per shape, not once per report (40 ms a chart, issue 18)."""
    names = {name: f"data-{i}" for i, name in enumerate(spec.get("datasets", {}))}
    text = json.dumps(_general({k: v for k, v in spec.items() if k != "datasets"}), ensure_ascii=False,
                      sort_keys=True)
    for name, number in names.items():
        text = text.replace(json.dumps(name), json.dumps(number))
    return json.dumps(sorted(names.values())) + text


#: The keys whose lists the Vega-Lite schema takes whatever their length and items, so long as the
#: items are all numbers, all strings or all booleans (its SortArray, an axis's or legend's values,
#: inline data; a transform's sort list takes objects only, so a list of numbers, strings or
#: booleans is refused there whatever its length and items, as its one-item stand-in is).
_ANY_LIST = ("sort", "values")
_STAND_IN = {str: "", int: 0, float: 0.0, bool: False}


def _general(value: Any, key: str | None = None) -> Any:
    """``value`` (a spec, or a part of it) with each non-empty list of numbers, strings or booleans
    alone (all of one type) under a key of _ANY_LIST made one item of that type: valid just when the
    list is. A unit's warnings chart sorts its bars by its own units and ticks at its own counts, a
    unit's completion chart its own lists: the 110 charts of 22 reports had 32 shapes, validated one by one, 6 now
    (issue 18)."""
    if isinstance(value, dict):
        return {k: _general(v, k) for k, v in value.items()}
    if isinstance(value, list):
        kinds = {type(v) for v in value}
        if key in _ANY_LIST and len(kinds) == 1 and next(iter(kinds)) in _STAND_IN:
            return [_STAND_IN[next(iter(kinds))]]
        return [_general(v) for v in value]
    return value


def _draw(spec: dict) -> str:
    import vl_convert as vlc

    # the dict, not the text: vl-convert reads floats from text 1 ulp off now and then
    return vlc.vegalite_to_svg(spec, format_locale=FORMAT_LOCALE, time_format_locale=TIME_FORMAT_LOCALE,
                               allowed_base_urls=[])  # charts carry their data inline; never reach out for any


def _keep(store: dict, key: Any, value: Any) -> None:
    """Keep ``value``, the least recently used entry dropped when the store is full."""
    store.pop(key, None)  # (re-kept: now the most recent)
    if len(store) >= _SVGS_KEPT:
        del store[next(iter(store))]
    store[key] = value


def _kept(store: dict, key: Any) -> Any:
    """The value kept under ``key`` (None if none), made the most recently used: the city-wide charts
    a lent kernel shows in every report stay kept while each unit's charts come and go (dropped
    first-in-first-out, they fell out after ten reports and were drawn again in the kernel itself,
    vl-convert's engine started there: ~0.5 CPU-s of an --all-units run, issue 18)."""
    value = store.pop(key, None)
    if value is not None:
        store[key] = value
    return value


#: Drawings under way in the thread of :func:`draw_ahead`, by the spec's text: (future of the SVG,
#: future of the PNG at PNG_SCALE or None).
_AHEAD: dict[str, tuple[Any, Any]] = {}
#: The charts given to :func:`draw_ahead`, by id: (the chart, its spec's text, its spec). Their spec
#: is worked out once (altair's to_dict makes the data plain values again at every call: 20-60 ms a
#: chart), and a chart is shown and saved as it was when it was given there.
_AHEAD_SPECS: dict[int, tuple[Any, str, dict]] = {}
_AHEAD_POOL: list = []


def draw_ahead(charts: Iterable[alt.TopLevelMixin], *, png: bool = False) -> None:
    """Draw ``charts`` (SVG, and PNG at :func:`save_png`'s scale when ``png`` and a CJK font is
    installed) while the caller goes on: in the drawing process :func:`warm_up` started, on the other
    core while a report writes its tables and files (issue 18); without one, in a thread of this
    process (vl-convert holds the GIL there, so that thread takes turns with the caller).
    :func:`to_svg` and :func:`save_png` then take the drawing (waiting for it if it is not done, and
    raising its error if it failed): the same SVG and PNG as drawn there."""
    from concurrent.futures import ThreadPoolExecutor

    drawer = _DRAWER[0] if _DRAWER and not _DRAWER[0].gone else None
    if drawer is None and not _AHEAD_POOL:
        _AHEAD_POOL.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="jygproj-charts"))
    pool = None if drawer else _AHEAD_POOL[0]
    png = png and bool(cjk_fonts())
    svgs = []
    for chart in charts:  # every SVG first (the notebook shows them), then the PNGs
        key, spec = _spec(chart)
        _keep(_AHEAD_SPECS, id(chart), (chart, key, spec))
        if (_kept(_SVGS, key), _kept(_AHEAD, key)) != (None, None):  # (both made the most recent)
            continue
        svgs.append((key, drawer.submit("svg", spec) if drawer else pool.submit(_draw, spec)))
    for key, svg in svgs:
        _AHEAD[key] = (svg, (_png_after(drawer, svg) if drawer else
                             pool.submit(lambda f: _to_png(f.result(), PNG_SCALE), svg)) if png else None)
    while len(_AHEAD) > _SVGS_KEPT:
        del _AHEAD[next(iter(_AHEAD))]


def _png_after(drawer: _Drawer, svg) -> Any:
    """A future of the PNG (at PNG_SCALE) of the SVG ``svg`` will give, asked of the drawing process
    as soon as the SVG is there (its error, if the SVG failed)."""
    from concurrent.futures import Future

    png: Future = Future()

    def then(done) -> None:
        if done.exception() is not None:
            png.set_exception(done.exception())
            return
        asked = drawer.submit("png", done.result())
        asked.add_done_callback(lambda f: png.set_exception(f.exception()) if f.exception() is not None
                                else png.set_result(f.result()))

    svg.add_done_callback(then)
    return png


#: Modules to import the first time this process waits for a drawing (:func:`import_while_waiting`).
_WHILE_WAITING: list[str] = []


def import_while_waiting(*modules: str) -> None:
    """Import ``modules`` when this process first waits for a drawing ahead, instead of now: a
    report's kernel (jygproj.commands.quarterly) leaves what only its last cell uses for the time
    its chart cells wait on the drawing process (issue 18). In the waiting thread itself, so never
    two threads importing at once; a module imported before then is simply found imported."""
    _WHILE_WAITING.extend(modules)


def _ahead_result(future, again):
    """What a drawing ahead gave, or ``again()`` (drawn here) when the drawing process ended first."""
    import importlib

    while _WHILE_WAITING and not future.done():
        importlib.import_module(_WHILE_WAITING.pop(0))
    try:
        return future.result()
    except _DrawerGone:
        return again()


def _to_png(svg: str, scale: float) -> bytes:
    import vl_convert as vlc

    png = _kept(_PNGS, (svg, scale))
    if png is None:
        png = vlc.svg_to_png(svg, scale=scale)
        _keep(_PNGS, (svg, scale), png)
    return png


def to_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as a self-contained SVG string, numbers and dates in zh-CN formats."""
    key, spec = _spec(chart)
    svg = _kept(_SVGS, key)
    if svg is None:
        ahead = _kept(_AHEAD, key)
        svg = _ahead_result(ahead[0], lambda: _draw(spec)) if ahead is not None else _draw(spec)
        _keep(_SVGS, key, svg)
    return svg


def show(chart: alt.TopLevelMixin) -> None:
    """Display the chart inline as SVG (renders in nbconvert HTML with the network off).

    The output carries the SVG once, as HTML (:func:`chart_html`): nbconvert writes it into the page
    as an ``<svg>`` element (so its Chinese text is real text), and JupyterLab and other front ends
    show it the same way. (It was given as image/svg+xml too, which the HTML export passes over: every
    chart crossed the kernel's channel and was stored in the notebook twice, issue 18.)
    """
    from IPython.display import display

    display({"text/html": chart_html(chart)}, raw=True)


def chart_html(chart: alt.TopLevelMixin) -> str:
    """The chart as the report shows it: its SVG in a ``jyg-chart`` block (html.REPORT_CSS)."""
    return f'<div class="jyg-chart">{to_svg(chart)}</div>'


def save_svg(chart: alt.TopLevelMixin, path: str | Path) -> Path:
    path = Path(path)
    path.write_text(to_svg(chart), encoding="utf-8")
    return path


@functools.cache
def cjk_fonts() -> tuple[str, ...]:
    """Font files on this machine that cover Chinese (fontconfig's ``fc-list :lang=zh``)."""
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return ()
    return tuple(line.split(":")[0].strip() for line in out.stdout.splitlines() if line.strip())


def save_png(chart: alt.TopLevelMixin, path: str | Path, *, scale: float = PNG_SCALE) -> Path:
    """Write a PNG; refuses when no CJK font is installed (Chinese would render as boxes)."""
    if not cjk_fonts():
        raise ChartError("本机没有中文字体，PNG 中的中文会显示为方框；请运行 scripts/setup.sh"
                         "（安装 fonts-wqy-microhei）")
    # The same pixels as vegalite_to_png (which draws this SVG too); the text is drawn with the
    # machine's fonts, so FONT's first installed CJK font.
    key, _ = _spec(chart)
    ahead = _kept(_AHEAD, key)
    if ahead is not None and ahead[1] is not None and scale == PNG_SCALE:
        png = _ahead_result(ahead[1], lambda: _to_png(to_svg(chart), scale))
    else:
        png = _to_png(to_svg(chart), scale)
    path = Path(path)
    path.write_bytes(png)
    return path
