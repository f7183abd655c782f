"""The 12% tracker: year-to-date fixed-asset investment (FAI) growth and the goal of reaching 12%
one month early (一 工作目标: 固定资产投资增长12%，力争提前1个月完成).

"One month early" has two readings (domain page); both are always computed and shown side by side,
``headline`` picks the one the report leads with (default :data:`DEFAULT_HEADLINE`, the rate reading:
how Jiayuguan and Gansu judge a growth target, sources where it is declared):
- level ("level"): the January–November cumulative reaches (1 + 12%) × the prior year's full-year FAI;
- rate ("rate"): the January–November cumulative growth is at least 12%, i.e. the cumulative reaches
  (1 + 12%) × the prior year's January–November comparable cumulative.

Growth is on the comparable basis (可比口径): the base is the prior year's comparable cumulative
(baseline.prior_cum_wan), never the prior year's published level. Where the statistics bureau has
published a growth rate and no level, the level is the comparable base × (1 + rate). Where it has
published both for the as-of month and they imply a different base (current / (1 + rate) ≠ prior),
the prior series is rescaled to that implied base (comparable_prior_cum_wan), so projected growth
continues from the published rate — the same rule as jygproj.forecast.history.
January is published with February (1-2月), so the first month with figures is 2.

Up to the as-of month every figure is an actual — as of November or December the goal is judged
on the published figures alone (as of December nothing is projected).
The months after the as-of month come from a projection given as a frame (month,
projected_cum_wan) — normally the project-by-project projection of the scenario engine
(jygproj.forecast via jygproj.quarterly), on the same FAI basis — or, when none is given, from
:func:`seasonal_projection` (the current cumulative scaled by the seasonal profile).
Pure functions: frames and parameters in, a frame and a dict out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import polars as pl

from jygproj.errors import JygprojError
from jygproj.pace import Profile, cum_share

HEADLINES = ("level", "rate")
#: The reading reports lead with (the other is always shown beside it). Jiayuguan and Gansu judge an
#: FAI growth target by the cumulative growth RATE, never by a January–November level against last
#: year's full year (as the published figures below say):
#: - 甘肃省发展和改革委员会, report on the 2022 plan, 2023-01-15: “固定资产投资增长10%，高于年初目标（9%）1个百分点”
#:   http://rdgb.gsrdw.gov.cn/2023/249_0704/3644.html
#: - 嘉峪关日报, 2023-11-08: “前三季度……固定资产投资同比增长14.6%，全省排名第五位，高于全省7.9个百分点”
#:   http://m.dfzdm.com/html/1659/2023-11-08/content-464770.html
#: - 甘肃省工业和信息化厅, 2024 1-10月: “全省工业固定资产投资同比增长16.1%……高于调度目标(12%)4.1个百分点”
#:   http://www.kmxxf.com/gxj/info/1251/58872.htm
#: Level-type wording (完成年度投资计划的102%) is used for the lists' plans, not for FAI growth.
DEFAULT_HEADLINE = "rate"


class GrowthError(JygprojError, ValueError):
    """The FAI baseline or the parameters cannot give the tracker's figures (Chinese, English code)."""
MONTHS = pl.DataFrame({"month": list(range(1, 13))}, schema={"month": pl.Int8})
LAST_MONTH = 12  # the goal is for the calendar year's FAI


@dataclass(frozen=True)
class Goal:
    """The plan's growth goal (一 工作目标): growth_pct for the year, reached ``months_early`` months
    before December — the target month (2023: 12%, one month early, so November). From jygproj.plan."""

    growth_pct: float
    months_early: int
    year: int

    @property
    def target_month(self) -> int:
        return LAST_MONTH - self.months_early


def goal_amounts(comparable_prior_wan: Any, goal: Goal) -> dict[str, Any]:
    """What each reading needs at the target month: level (1 + g) × last year's full year, rate
    (1 + g) × last year's cumulative to the target month (comparable basis, 12 months January first;
    a (draws, 12) array works too)."""
    g = 1 + goal.growth_pct / 100
    return {"level": g * comparable_prior_wan[..., LAST_MONTH - 1] if hasattr(comparable_prior_wan, "ndim")
            else g * comparable_prior_wan[LAST_MONTH - 1],
            "rate": g * comparable_prior_wan[..., goal.target_month - 1] if hasattr(comparable_prior_wan, "ndim")
            else g * comparable_prior_wan[goal.target_month - 1]}


def evaluate_goal(cum_wan: Sequence[float | None], comparable_prior_wan: Sequence[float | None],
                  growth_pct: Sequence[float | None], *, goal: Goal, as_of_month: int) -> dict[str, dict[str, Any]]:
    """The one evaluator of the growth goal, shared by the tracker (:func:`growth_summary`) and the
    scenario engine. Inputs are 12 monthly values, January first (None or NaN unknown): the
    cumulative (actual, then projected), the comparable prior-year cumulative and the cumulative
    growth in %.

    For each reading: goal_wan (level: (1 + g) × last year's full year; rate: (1 + g) × last year's
    cumulative to the target month), at_target_wan, margin_wan (at target − goal; negative = short),
    met_early (margin >= 0), met_month (level: the first month from 1-2月 at the goal; rate: the
    earliest month of the run of months at or above the target that holds the target month, or, when
    the target month is below it, of the final run), extra_total_wan (the
    shortfall) and extra_per_month_wan (the shortfall spread evenly over the months left to the
    target month; 0 when none is left or nothing is short).
    """
    cum = np.asarray(cum_wan, dtype=float)
    growth = np.asarray(growth_pct, dtype=float)
    t = goal.target_month
    goals = goal_amounts(np.asarray(comparable_prior_wan, dtype=float), goal)
    known = np.flatnonzero(~np.isnan(cum[1:])) + 2  # months from 1-2月 with a figure
    hit = known[cum[known - 1] >= goals["level"]]
    level_month = int(hit[0]) if hit.size else None
    def run_start(end: int) -> int | None:
        """The earliest month of the run of months at or above the target that ends at ``end``."""
        start = None
        for m in known[known <= end][::-1]:
            if not growth[m - 1] >= goal.growth_pct - 1e-9:  # an unknown (NaN) growth ends the run too
                break
            start = int(m)
        return start

    # met by the target month: where the run holding it began (a later dip does not undo “one month
    # early”); otherwise where the final run began, if the year ends at or above the target
    rate_month = run_start(t) if t in known else None
    if rate_month is None and known.size:
        rate_month = run_start(int(known[-1]))
    at_target = None if np.isnan(cum[t - 1]) else float(cum[t - 1])
    remaining = max(t - as_of_month, 0)
    out = {}
    for reading, month in (("level", level_month), ("rate", rate_month)):
        goal_wan = float(goals[reading])
        margin = at_target - goal_wan if at_target is not None else None
        short = None if margin is None else max(0.0, -margin)
        out[reading] = {"goal_wan": goal_wan, "at_target_wan": at_target, "margin_wan": margin,
                        "met_early": None if margin is None else margin >= -1e-6, "met_month": month,
                        "extra_total_wan": short,
                        "extra_per_month_wan": (short / remaining) if short and remaining else 0.0}
    return out


def rate_line(comparable_prior_wan: Any, goal: Goal) -> Any:
    """The growth line: (1 + g) × the comparable prior-year cumulative (what the rate reading needs
    each month)."""
    return comparable_prior_wan * (1 + goal.growth_pct / 100)


def need_path(now_wan: float, goal_wan: float, as_of_month: int, target_month: int,
              profile: Profile) -> dict[int, float]:
    """The cumulative a reading needs month by month, from the actual at the as-of month to its goal
    at the target month, the shortfall spread over the months left by the seasonal profile."""
    remaining = list(range(as_of_month + 1, target_month + 1))
    total_w = sum(profile[m] for m in remaining)
    need = max(0.0, goal_wan - now_wan)
    path, done = {as_of_month: now_wan}, 0.0
    for m in remaining:
        done += profile[m] / total_w if total_w else 0.0
        path[m] = now_wan + need * done
    return path


def _baseline_months(baseline: pl.DataFrame, year: int | None) -> pl.DataFrame:
    b = baseline if year is None else baseline.filter(pl.col("year") == year)
    if b["year"].drop_nulls().n_unique() > 1:
        years = sorted(b["year"].unique().to_list())
        raise GrowthError(f"基数表含多个年份 {years}，请指定 year", "ambiguous_year")
    if b["month"].is_duplicated().any():
        dup = b.filter(pl.col("month").is_duplicated())["month"].unique().sort().to_list()
        raise GrowthError(f"基数表月份重复：{dup}", "duplicate_month")
    # months 1..12 in order: the path's month-on-month figures (shift) read its rows so, and polars
    # keeps a join's row order only when asked
    return MONTHS.join(b.select(pl.col("month").cast(pl.Int8), "prior_cum_wan", "current_cum_wan", "growth_pct"),
                       on="month", how="left", maintain_order="left")


def actual_cumulative(baseline: pl.DataFrame, *, as_of_month: int, year: int | None = None) -> pl.DataFrame:
    """month 1..12, prior_cum_wan, actual_cum_wan, growth_pct (actual figures up to ``as_of_month``).

    actual_cum_wan is the known current cumulative, else prior_cum × (1 + published growth);
    growth_pct is the published growth, else current / prior comparable − 1.
    Months after the as-of month are blanked, so an analysis "as of August" ignores later figures.
    """
    _check_month(as_of_month)
    b = _baseline_months(baseline, year)
    known = pl.col("month") <= as_of_month
    return b.select(
        "month",
        "prior_cum_wan",
        pl.when(known).then(
            pl.coalesce(pl.col("current_cum_wan"), pl.col("prior_cum_wan") * (1 + pl.col("growth_pct") / 100))
        ).alias("actual_cum_wan"),
        pl.when(known).then(
            pl.coalesce(pl.col("growth_pct"), (pl.col("current_cum_wan") / pl.col("prior_cum_wan") - 1) * 100)
        ).alias("growth_pct"),
    )


def comparable_scale(baseline: pl.DataFrame, *, as_of_month: int, year: int | None = None) -> float:
    """Factor taking baseline.prior_cum_wan to the base implied by the as-of month's published level
    and rate: current / (1 + rate) / prior. 1 when the month lacks either figure."""
    b = _baseline_months(baseline, year).filter(pl.col("month") == as_of_month)
    row = b.row(0, named=True)
    if None in (row["current_cum_wan"], row["growth_pct"], row["prior_cum_wan"]) or not row["prior_cum_wan"]:
        return 1.0
    return row["current_cum_wan"] / (1 + row["growth_pct"] / 100) / row["prior_cum_wan"]


def seasonal_projection(
    baseline: pl.DataFrame, as_of_month: int, profile: Profile, *, year: int | None = None,
    shape: str = "profile",
) -> pl.DataFrame:
    """The simple projection: the current cumulative scaled by the seasonal share of the year.

    projected_cum[m] = actual_cum[as_of] × cum_share(m) / cum_share(as_of), for months as_of..12
    (at the as-of month it equals the actual). Used when no project-level projection is given.
    ``shape="profile"`` takes the shares from the seasonal construction profile (pace.py);
    ``shape="prior_year"`` from the prior year's own cumulative FAI (prior_cum[m] / prior_cum[as_of]),
    which amounts to holding the year-to-date growth constant.
    """
    actual = actual_cumulative(baseline, as_of_month=as_of_month, year=year)
    now = actual.filter(pl.col("month") == as_of_month)["actual_cum_wan"][0]
    if now is None:
        raise GrowthError(f"基数表缺少 {as_of_month} 月的本年累计数（或增速）", "missing_current")
    if shape == "profile":
        share = {m: cum_share(m, profile) for m in range(as_of_month, 13)}
    elif shape == "prior_year":
        prior = dict(zip(actual["month"].to_list(), actual["prior_cum_wan"].to_list()))
        if any(prior.get(m) is None for m in range(as_of_month, 13)):
            raise GrowthError(f"基数表缺少上年 {as_of_month}–12 月可比累计数", "missing_prior")
        share = {m: prior[m] for m in range(as_of_month, 13)}
    else:
        raise GrowthError(f"shape 应为 profile 或 prior_year，实际为 {shape!r}", "bad_shape")
    return pl.DataFrame(
        {"month": list(range(as_of_month, 13)),
         "projected_cum_wan": [now * share[m] / share[as_of_month] for m in range(as_of_month, 13)]},
        schema={"month": pl.Int8, "projected_cum_wan": pl.Float64},
    )


def growth_path(
    baseline: pl.DataFrame,
    *,
    as_of_month: int,
    profile: Profile,
    goal: Goal,
    projection: pl.DataFrame | None = None,
    year: int | None = None,
) -> pl.DataFrame:
    """The monthly path, month 1..12, in 万元:

    prior_cum_wan and comparable_prior_cum_wan (the base growth is measured on, see the module
    docstring); actual_cum_wan and growth_pct (up to the as-of month); projected_cum_wan (the
    projection after the as-of month, the actual at it); cum_wan (actual, else projected) and
    cum_growth_pct (its growth over the comparable base); rate_line_wan ((1 + 12%) × comparable prior, the
    12%-growth line); level_path_wan and rate_path_wan (the cumulative each reading needs: from the
    actual at the as-of month to its goal at the target month, the shortfall spread over the
    remaining months by the seasonal profile); level_need_month_wan / rate_need_month_wan (the
    investment each remaining month needs), projected_month_wan (what the projection gives that
    month) and level_extra_month_wan / rate_extra_month_wan (the extra over the projection, the
    shortfall at the target month spread seasonally; 0 when the projection already reaches the goal).

    The as-of month may be at or after the target month (a Q4 review as of November or December):
    months up to the as-of month are actuals, so the target month's cumulative, the margins and the
    met months are the published figures; no month remains to need anything, and the paths hold the
    target month's actual only. As of December nothing is projected (projected_cum_wan is the actual
    at December and null before; a projection given is ignored).
    """
    _check_month(as_of_month)
    target_month = goal.target_month
    if not 2 <= target_month <= 12:
        raise GrowthError(f"target_month 应为 2–12，实际为 {target_month}", "bad_target_month")
    g = 1 + goal.growth_pct / 100
    actual = actual_cumulative(baseline, as_of_month=as_of_month, year=year)
    now = actual.filter(pl.col("month") == as_of_month)["actual_cum_wan"][0]
    if now is None:
        raise GrowthError(f"基数表缺少 {as_of_month} 月的本年累计数（或增速）", "missing_current")
    raw_prior = dict(zip(actual["month"].to_list(), actual["prior_cum_wan"].to_list()))
    for m in (as_of_month, target_month, 12):
        if raw_prior.get(m) is None:
            raise GrowthError(f"基数表缺少上年 1-{m} 月可比累计数 prior_cum_wan", "missing_prior")
    scale = comparable_scale(baseline, as_of_month=as_of_month, year=year)
    prior = {m: v * scale if v is not None else None for m, v in raw_prior.items()}
    actual = actual.with_columns((pl.col("prior_cum_wan") * scale).alias("comparable_prior_cum_wan"))
    if as_of_month == 12:
        # December known: every month is an actual, there is nothing to project (any frame given is ignored)
        projection = pl.DataFrame(schema={"month": pl.Int8, "projected_cum_wan": pl.Float64})
    elif projection is None:
        projection = seasonal_projection(baseline, as_of_month, profile, year=year)
    proj = projection.select(pl.col("month").cast(pl.Int8), pl.col("projected_cum_wan").cast(pl.Float64))

    goals = {"level": g * prior[12], "rate": g * prior[target_month]}
    remaining = list(range(as_of_month + 1, target_month + 1))
    total_w = sum(profile[m] for m in remaining)
    share = {m: profile[m] / total_w for m in remaining} if total_w else {}

    path = actual.join(proj, on="month", how="left", maintain_order="left").with_columns(  # month order
        pl.when(pl.col("month") == as_of_month).then(pl.lit(now))
        .when(pl.col("month") > as_of_month).then(pl.col("projected_cum_wan"))
        .alias("projected_cum_wan")
    ).with_columns(
        pl.coalesce(pl.col("actual_cum_wan"), pl.col("projected_cum_wan")).alias("cum_wan"),
    ).with_columns(
        # a published growth rate stands for its month; otherwise the level over the comparable base
        pl.coalesce(pl.col("growth_pct"), (pl.col("cum_wan") / pl.col("comparable_prior_cum_wan") - 1) * 100)
        .alias("cum_growth_pct"),
        rate_line(pl.col("comparable_prior_cum_wan"), goal).alias("rate_line_wan"),
        (pl.col("projected_cum_wan") - pl.col("projected_cum_wan").shift(1)).alias("projected_month_wan"),
    ).with_columns(
        pl.when(pl.col("month") <= as_of_month).then(None).otherwise(pl.col("projected_month_wan"))
        .alias("projected_month_wan")
    )
    at_target = path.filter(pl.col("month") == target_month)["cum_wan"][0]
    # The paths start from the actual at the as-of month; once the target month is past (as of
    # November or December, 一 "one month early"), the goal is settled by the published actuals: the
    # path is the target month's actual alone and nothing remains to be needed.
    start = {as_of_month: now} if as_of_month <= target_month else {target_month: at_target}
    columns = []
    for reading, goal_wan in goals.items():
        need = max(0.0, goal_wan - now)
        shortfall = max(0.0, goal_wan - at_target) if at_target is not None else None
        columns += [
            _by_month(start | {m: v for m, v in need_path(now, goal_wan, as_of_month, target_month, profile).items()
                               if m in remaining}, f"{reading}_path_wan"),
            _by_month({m: need * share[m] for m in remaining}, f"{reading}_need_month_wan"),
            _by_month({m: shortfall * share[m] for m in remaining} if shortfall is not None else {},
                      f"{reading}_extra_month_wan"),
        ]
    for col in columns:
        path = path.join(col, on="month", how="left", maintain_order="left")
    return path.select(
        "month", "prior_cum_wan", "comparable_prior_cum_wan", "actual_cum_wan", "growth_pct", "projected_cum_wan",
        "cum_wan", "cum_growth_pct",
        "rate_line_wan", "level_path_wan", "rate_path_wan", "level_need_month_wan", "rate_need_month_wan",
        "projected_month_wan", "level_extra_month_wan", "rate_extra_month_wan",
    )


def growth_summary(
    path: pl.DataFrame,
    *,
    as_of_month: int,
    goal: Goal,
    headline: str = DEFAULT_HEADLINE,
) -> dict[str, Any]:
    """The headline figures of a :func:`growth_path` frame, JSON-ready (万元, %, months).

    ytd_*: the as-of month's cumulative, comparable base and growth. For each reading r in
    (level, rate): r_goal_wan (the cumulative needed at the target month), r_margin_wan (cumulative
    at the target month, actual or projected, minus the goal; negative = short), r_met_early
    (margin >= 0), r_met_month (level: the first month the cumulative reaches the goal; rate: the
    first month from which cumulative growth stays >= the target through the target month, or, when
    it is below the target then, through the last month known),
    r_needed_per_month_wan and r_extra_per_month_wan ({month: 万元}) and r_extra_total_wan;
    r_goal_growth_pct (the cumulative growth the goal amounts to), r_needed_rest_wan and
    r_needed_rest_yoy_pct (what the months left to the target month must add — as of October,
    November alone — in 万元 and year on year over last year's same months, comparable basis; None
    once the target month is published), with rest_months, rest_prior_wan and projected_rest_wan /
    projected_rest_yoy_pct (what the projection gives those months). headline_* repeat the chosen
    reading's figures. target_month_actual is True when the as-of month
    is at or after the target month: the projected_target_month_* figures and the margins are then
    actuals, not projections.
    """
    if headline not in HEADLINES:
        raise GrowthError(f"headline 应为 level 或 rate，实际为 {headline!r}", "bad_headline")
    target_month = goal.target_month
    by_month = {r["month"]: r for r in path.iter_rows(named=True)}
    now, target, dec = by_month[as_of_month], by_month[target_month], by_month[12]
    readings = evaluate_goal(path["cum_wan"].to_list(), path["comparable_prior_cum_wan"].to_list(),
                             path["cum_growth_pct"].to_list(), goal=goal, as_of_month=as_of_month)
    out: dict[str, Any] = {
        "as_of_month": as_of_month,
        "target_month": target_month,
        "target_growth_pct": goal.growth_pct,
        "headline": headline,
        "ytd_cum_wan": now["actual_cum_wan"],
        "ytd_prior_cum_wan": now["comparable_prior_cum_wan"],
        "ytd_growth_pct": now["growth_pct"],
        "prior_year_total_wan": dec["comparable_prior_cum_wan"],
        "target_month_actual": as_of_month >= target_month,
        "projected_target_month_cum_wan": target["cum_wan"],
        "projected_target_month_growth_pct": target["cum_growth_pct"],
        "projected_year_cum_wan": dec["cum_wan"],
        "projected_year_growth_pct": dec["cum_growth_pct"],
    }
    # the months left to the target month (as of October: November alone), last year's same months on
    # the comparable base, and what the projection gives them: what each reading needs is read against these
    rest_base = (target["comparable_prior_cum_wan"] - now["comparable_prior_cum_wan"]
                 if as_of_month < target_month else None)
    out |= {"rest_months": [m for m in range(as_of_month + 1, target_month + 1)],
            "rest_prior_wan": rest_base,
            "projected_rest_wan": None if rest_base is None else target["cum_wan"] - now["actual_cum_wan"],
            "projected_rest_yoy_pct": _yoy(target["cum_wan"] - now["actual_cum_wan"], rest_base)}
    for reading, r in readings.items():
        extra = {m: by_month[m][f"{reading}_extra_month_wan"] for m in range(as_of_month + 1, target_month + 1)}
        needed = None if rest_base is None else r["goal_wan"] - now["actual_cum_wan"]
        out |= {
            f"{reading}_goal_growth_pct": (r["goal_wan"] / target["comparable_prior_cum_wan"] - 1) * 100,
            f"{reading}_needed_rest_wan": needed,
            f"{reading}_needed_rest_yoy_pct": _yoy(needed, rest_base),
            f"{reading}_goal_wan": r["goal_wan"],
            f"{reading}_margin_wan": r["margin_wan"],
            f"{reading}_met_early": r["met_early"],
            f"{reading}_met_month": r["met_month"],
            f"{reading}_needed_per_month_wan": {m: by_month[m][f"{reading}_need_month_wan"]
                                                for m in range(as_of_month + 1, target_month + 1)},
            f"{reading}_extra_per_month_wan": extra,
            f"{reading}_extra_total_wan": r["extra_total_wan"],
        }
    for key in ("goal_wan", "margin_wan", "met_early", "met_month", "needed_per_month_wan",
                "extra_per_month_wan", "extra_total_wan", "needed_rest_wan", "needed_rest_yoy_pct"):
        out[f"headline_{key}"] = out[f"{headline}_{key}"]
    return out


def _yoy(amount: float | None, prior: float | None) -> float | None:
    """Year-on-year growth (%) of an amount over last year's same months (None when either is unknown)."""
    if amount is None or not prior:
        return None
    return (amount / prior - 1) * 100


def track(
    baseline: pl.DataFrame,
    *,
    as_of_month: int,
    profile: Profile,
    goal: Goal,
    projection: pl.DataFrame | None = None,
    headline: str = DEFAULT_HEADLINE,
    year: int | None = None,
) -> tuple[pl.DataFrame, dict[str, Any]]:
    """:func:`growth_path` and :func:`growth_summary` in one call; the summary says which projection
    ("seasonal", "given", or "none" as of December, when every month is an actual)."""
    path = growth_path(baseline, as_of_month=as_of_month, profile=profile, goal=goal, projection=projection,
                       year=year)
    summary = growth_summary(path, as_of_month=as_of_month, goal=goal, headline=headline)
    summary["projection"] = "none" if as_of_month == 12 else "seasonal" if projection is None else "given"
    return path, summary


def _by_month(values: dict[int, float], name: str) -> pl.DataFrame:
    return pl.DataFrame({"month": list(values), name: list(values.values())},
                        schema={"month": pl.Int8, name: pl.Float64})


def _check_month(as_of_month: int) -> None:
    if not 2 <= as_of_month <= 12:
        raise GrowthError(f"as_of_month 应为 2–12（1-2月合并发布），实际为 {as_of_month}", "bad_month")


def readings(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """What each reading still needs (a :func:`growth_summary`): reading, goal_wan, actual_cum_wan (the
    cumulative the goal is compared with: the as-of month's, or the target month's once it is past),
    gap_wan, remaining_months (to the target month), needed_per_month_wan (the gap spread evenly),
    projected_cum_wan, margin_wan, extra_total_wan, projected_met_month."""
    remaining = summary["target_month"] - summary["as_of_month"]
    reached = summary["projected_target_month_cum_wan"] if remaining <= 0 else summary["ytd_cum_wan"]
    out = []
    for reading in HEADLINES:
        goal = summary[f"{reading}_goal_wan"]
        gap = max(goal - reached, 0.0) if reached is not None else None
        out.append({
            "reading": reading,
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
    return out
