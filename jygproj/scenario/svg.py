"""The dashboard's chart, drawn directly as SVG: cumulative growth (%) against the plan's growth line.

The standard chart for the plan's goal (一 工作目标: 12%, one month early): 1-X月累计增速, actual then
projected, the 80% band of the Monte Carlo run, the growth target as a line and, at the target month,
the growth the level reading needs. Drawn by hand (a few dozen elements) rather than through
Altair/vl-convert: a slider move redraws it in about a millisecond instead of 0.2–0.6 s (issue 18:
slider to redrawn chart ≤ 0.3 s), and the legend is ours, in the order the lines are drawn.
"""

from __future__ import annotations

import html
import math

import numpy as np

from jygproj.charts import FONT
from jygproj.growth import goal_amounts
from jygproj.scenario.engine import Outcome
from jygproj.scenario.montecarlo import MonteCarlo

WIDTH, HEIGHT = 700, 330
_LEFT, _RIGHT, _TOP, _BOTTOM = 52, 26, 58, 34
COLOURS = {"scenario": "#1f4e9c", "band": "#1f4e9c", "target": "#c53030", "level": "#d69e2e"}
FIRST_MONTH = 2  # 1-2月 are published together (no January figure)
HISTORY_MONTHS = 5  # published months shown before the as-of month: early months' swings would hide the gap


def _nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    step = (hi - lo) / max(n, 1)
    mag = 10 ** math.floor(math.log10(step)) if step > 0 else 1
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= step), default=step)
    start = math.floor(lo / step) * step
    return [round(start + i * step, 6) for i in range(int((hi - start) / step) + 2) if start + i * step <= hi + 1e-9]


def chart_series(outcome: Outcome, mc: MonteCarlo | None = None) -> dict:
    """What the chart shows (pure numbers, also what the tests check): months, growth (%), the band,
    the target line and the level reading's requirement at the target month."""
    m0, t = outcome.model.as_of_month, outcome.goal.target_month
    growth = np.asarray(outcome.path.growth_pct, dtype=float)
    base = np.asarray(outcome.path.comparable_prior_wan, dtype=float)
    level_need_pct = float(goal_amounts(base, outcome.goal)["level"] / base[t - 1] * 100 - 100)
    band = None
    if mc is not None:
        b = mc.bands
        months = b["month"].to_numpy()
        keep = months >= m0
        band = (months[keep].astype(int), b["p10_growth_pct"].to_numpy()[keep].astype(float),
                b["p90_growth_pct"].to_numpy()[keep].astype(float))
    return {"as_of_month": m0, "target_month": t, "growth_pct": growth, "target_pct": float(outcome.goal.growth_pct),
            "level_need_pct": level_need_pct, "band": band}


def growth_svg(outcome: Outcome, mc: MonteCarlo | None = None) -> str:
    """The chart as an inline SVG string (Chinese labels, legend above the plot)."""
    s = chart_series(outcome, mc)
    m0, t, g = s["as_of_month"], s["target_month"], s["growth_pct"]
    first = max(FIRST_MONTH, m0 - HISTORY_MONTHS)
    months = np.arange(first, 13)
    values = [v for v in g[first - 1:] if np.isfinite(v)] + [s["target_pct"], s["level_need_pct"]]
    if s["band"] is not None:
        values += [v for v in np.concatenate(s["band"][1:]) if np.isfinite(v)]
    lo, hi = min(values), max(values)
    pad = max((hi - lo) * 0.08, 1.0)
    ticks = _nice_ticks(lo - pad, hi + pad)
    y_lo, y_hi = ticks[0], ticks[-1]
    pw, ph = WIDTH - _LEFT - _RIGHT, HEIGHT - _TOP - _BOTTOM

    def x(m: float) -> float:
        return _LEFT + (m - first) / (12 - first) * pw

    def y(v: float) -> float:
        return _TOP + (y_hi - v) / (y_hi - y_lo) * ph

    def pts(ms, vs) -> str:
        return " ".join(f"{x(m):.1f},{y(v):.1f}" for m, v in zip(ms, vs) if np.isfinite(v))

    out = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{HEIGHT}' viewBox='0 0 {WIDTH} {HEIGHT}' "
           f"font-family='{FONT}' font-size='12' role='img' aria-label='1-X月累计增速'>"]
    for v in ticks:  # grid and y axis
        out.append(f"<line x1='{_LEFT}' x2='{WIDTH - _RIGHT}' y1='{y(v):.1f}' y2='{y(v):.1f}' stroke='#e2e2e2'/>"
                   f"<text x='{_LEFT - 6}' y='{y(v) + 4:.1f}' text-anchor='end' fill='#555'>{v:g}%</text>")
    for m in months:
        out.append(f"<text x='{x(m):.1f}' y='{HEIGHT - _BOTTOM + 18}' text-anchor='middle' fill='#555'>"
                   f"1-{m}月</text>")
    out.append(f"<text x='{_LEFT}' y='{_TOP - 8}' fill='#333'>1-X月累计增速（%）</text>")
    if s["band"] is not None:
        bm, p10, p90 = s["band"]
        ok = np.isfinite(p10) & np.isfinite(p90)
        poly = pts(bm[ok], p90[ok]) + " " + pts(bm[ok][::-1], p10[ok][::-1])
        out.append(f"<polygon points='{poly}' fill='{COLOURS['band']}' fill-opacity='0.15' stroke='none'/>")
    out.append(f"<line x1='{_LEFT}' x2='{WIDTH - _RIGHT}' y1='{y(s['target_pct']):.1f}' y2='{y(s['target_pct']):.1f}' "
               f"stroke='{COLOURS['target']}' stroke-width='2' stroke-dasharray='7 4'/>")
    actual = [m for m in months if m <= m0]
    ahead = [m for m in months if m >= m0]
    out.append(f"<polyline points='{pts(actual, g[np.array(actual) - 1])}' fill='none' stroke='{COLOURS['scenario']}' "
               f"stroke-width='2.5'/>")
    out.append(f"<polyline points='{pts(ahead, g[np.array(ahead) - 1])}' fill='none' stroke='{COLOURS['scenario']}' "
               f"stroke-width='2.5' stroke-dasharray='5 4'/>")
    for m in months:
        if np.isfinite(g[m - 1]):
            filled = COLOURS["scenario"] if m <= m0 else "#ffffff"
            out.append(f"<circle cx='{x(m):.1f}' cy='{y(g[m - 1]):.1f}' r='3.2' fill='{filled}' "
                       f"stroke='{COLOURS['scenario']}' stroke-width='1.5'/>")
    yt = g[t - 1]
    if np.isfinite(yt):
        out.append(f"<text x='{x(t) - 6:.1f}' y='{y(yt) + (16 if yt < s['target_pct'] else -8):.1f}' text-anchor='end' "
                   f"fill='{COLOURS['scenario']}' font-weight='bold'>{t}月 {yt:.1f}%</text>")
    ln = s["level_need_pct"]
    out.append(f"<path d='M {x(t):.1f} {y(ln) - 6:.1f} l 6 6 l -6 6 l -6 -6 z' fill='{COLOURS['level']}'/>"
               f"<text x='{x(t) - 9:.1f}' y='{y(ln) + 4:.1f}' text-anchor='end' fill='#8a6212'>总量口径需 {ln:.1f}%</text>")
    legend = [("line", COLOURS["scenario"], "", "本情景：已公布"), ("line", COLOURS["scenario"], "5 4", "本情景：推演"),
              ("band", COLOURS["band"], "", "80%把握区间") if s["band"] is not None else None,
              ("line", COLOURS["target"], "7 4", f"增速目标 {s['target_pct']:g}%"),
              ("diamond", COLOURS["level"], "", "总量口径所需增速")]
    lx = _LEFT
    for item in filter(None, legend):
        kind, colour, dash, label = item
        if kind == "line":
            out.append(f"<line x1='{lx}' x2='{lx + 24}' y1='14' y2='14' stroke='{colour}' stroke-width='2.5'"
                       + (f" stroke-dasharray='{dash}'" if dash else "") + "/>")
        elif kind == "band":
            out.append(f"<rect x='{lx}' y='8' width='24' height='12' fill='{colour}' fill-opacity='0.15'/>")
        else:
            out.append(f"<path d='M {lx + 12} 8 l 6 6 l -6 6 l -6 -6 z' fill='{colour}'/>")
        out.append(f"<text x='{lx + 30}' y='18' fill='#333'>{html.escape(label)}</text>")
        lx += 30 + sum(12 if ord(ch) > 255 else 7 for ch in label) + 22
    out.append("</svg>")
    return "".join(out)
