"""The gap to next year (二(六) with 一 工作目标): is the reserve ready in time to keep 12% growth?

The formula, every input a parameter (:class:`GapInputs`) so anyone can redo it by hand:

    required next-year FAI       = this year's projected outturn × (1 + target growth)
    new-start investment needed  = required next-year FAI
                                   − continuing projects' remaining plans for next year
                                   − other FAI (projects outside the lists, real estate …) next year

What the reserve delivers next year: a project starts ``start_lag_months`` after it is expected
ready (readiness.py), but not before January of next year (no winter starts; a project ready now
goes onto next year's new-start list). From its start month *s* it delivers its first-year
investment spread by the seasonal construction profile: first_year_wan × (share of months s..12).
A project starting in January delivers all of it; one starting in July 61.5 % with the default
profile (July–December 13+13+12+11+8+4.5, data/reference/seasonal_profile.yaml).

Month by month, the needed new-start investment is spread with the same profile (needed × share of
months 1..m) and compared with the reserve's cumulative delivery; the shortfall is the December gap.

Closing it: the push list ranks projects not yet ready by first-year investment per month of
remaining work (greedy, transparent), assumes a push (挂牌督办, 容缺受理, 并联审批 — 二(七)) cuts the
remaining months by ``push_speedup`` and counts what each one adds next year, down the list until
the shortfall is covered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import polars as pl

from jygproj.pace import Profile, cum_share
from jygproj.reserve.months import ceil_months_expr, parse_month
from jygproj.errors import UsageError


@dataclass(frozen=True)
class GapInputs:
    next_year: int
    projected_outturn_wan: float  # this year's projected FAI outturn (growth tracker / projection)
    target_growth: float  # 0.12 = 12 %
    continuing_next_year_wan: float  # continuing projects' remaining plans for next year
    other_fai_next_year_wan: float  # FAI outside the lists and the reserve next year

    @property
    def required_total_wan(self) -> float:
        return self.projected_outturn_wan * (1 + self.target_growth)

    @property
    def needed_new_start_wan(self) -> float:
        return self.required_total_wan - self.continuing_next_year_wan - self.other_fai_next_year_wan

    def as_dict(self) -> dict:
        return {**asdict(self), "required_total_wan": self.required_total_wan,
                "needed_new_start_wan": self.needed_new_start_wan}


def share_from(start_month: int, profile: Profile) -> float:
    """Share of a year's construction done from ``start_month`` (1..12) to December; 0 after."""
    if start_month > 12:
        return 0.0
    return 1.0 - cum_share(max(start_month, 1) - 1, profile)


def _start_in_year(start: pl.Expr, year: int) -> pl.Expr:
    """Start month as a month number of ``year`` (≤1 → 1; after the year → 13)."""
    index = (start.dt.year().cast(pl.Int32) - year) * 12 + start.dt.month().cast(pl.Int32)
    return index.clip(1, 13)


def _share_expr(month_no: pl.Expr, profile: Profile) -> pl.Expr:
    table = {m: share_from(m, profile) for m in range(1, 14)}
    return month_no.replace_strict(list(table), [float(v) for v in table.values()], return_dtype=pl.Float64)


def next_year_contribution(ready: pl.DataFrame, next_year: int, profile: Profile) -> pl.DataFrame:
    """Add next_year_start (1..12, 13 = after next year), next_year_share and next_year_wan."""
    return ready.with_columns(next_year_start=_start_in_year(pl.col("start_month"), next_year)).with_columns(
        next_year_share=_share_expr(pl.col("next_year_start"), profile)
    ).with_columns(next_year_wan=pl.col("first_year_wan").fill_null(0.0) * pl.col("next_year_share"))


def gap_by_month(ready: pl.DataFrame, inputs: GapInputs, profile: Profile) -> pl.DataFrame:
    """Month 1..12 of next year: needed new-start investment to date, the reserve's delivery to date,
    the gap, and the projects able to start by then with their first-year investment."""
    contrib = next_year_contribution(ready, inputs.next_year, profile).select(
        fy=pl.col("first_year_wan").fill_null(0.0), s="next_year_start")
    months = pl.DataFrame({"month": list(range(1, 13)),
                           "cum_m": [float(cum_share(m, profile)) for m in range(1, 13)]})
    cum_before = {s: cum_share(s - 1, profile) for s in range(1, 13)}
    per = (
        # month by month, each start in the order of ``ready``: the sums below add the same floats in
        # the same order every run (polars gives a cross join no order unless asked)
        months.join(contrib, how="cross", maintain_order="left_right")
        .filter(pl.col("s") <= pl.col("month"))
        # Delivered by the end of m: first-year investment × the profile's share of months s..m.
        .with_columns(part=pl.col("fy") * (pl.col("cum_m") - pl.col("s").replace_strict(
            list(cum_before), [float(v) for v in cum_before.values()], return_dtype=pl.Float64)))
        .group_by("month")
        .agg(reserve_cum_wan=pl.col("part").sum(), starts_cum=pl.len().cast(pl.Int32),
             ready_first_year_cum_wan=pl.col("fy").sum(),
             starts=(pl.col("s") == pl.col("month")).sum().cast(pl.Int32))
    )
    return (
        months.join(per, on="month", how="left")
        .with_columns(
            pl.col("reserve_cum_wan", "ready_first_year_cum_wan").fill_null(0.0),
            pl.col("starts", "starts_cum").fill_null(0),
            needed_cum_wan=inputs.needed_new_start_wan * pl.col("cum_m"),
            month_label=pl.format("{}年{}月", pl.lit(inputs.next_year), pl.col("month")),
        )
        .with_columns(gap_cum_wan=pl.col("needed_cum_wan") - pl.col("reserve_cum_wan"),
                      month=pl.col("month").cast(pl.Int8))
        .select("month", "month_label", "needed_cum_wan", "reserve_cum_wan", "gap_cum_wan", "starts",
                "starts_cum", "ready_first_year_cum_wan")
        .sort("month")
    )


def gap_summary(ready: pl.DataFrame, inputs: GapInputs, profile: Profile) -> dict:
    """The headline figures (万元), with every input echoed so the gap can be redone by hand."""
    contrib = next_year_contribution(ready, inputs.next_year, profile)
    delivered = float(contrib["next_year_wan"].sum())
    in_year = contrib.filter(pl.col("next_year_start") <= 12)
    shortfall = inputs.needed_new_start_wan - delivered
    return {
        **inputs.as_dict(),
        "reserve_next_year_wan": delivered,
        "shortfall_wan": max(shortfall, 0.0),
        "margin_wan": max(-shortfall, 0.0),
        "projects_starting_next_year": in_year.height,
        "projects_starting_in_january": contrib.filter(pl.col("next_year_start") == 1).height,
        "first_year_wan_starting_next_year": float(in_year["first_year_wan"].fill_null(0.0).sum()),
        "pool_projects": ready.height,
        "pool_first_year_wan": float(ready["first_year_wan"].fill_null(0.0).sum()),
    }


def push_plan(
    ready: pl.DataFrame,
    inputs: GapInputs,
    profile: Profile,
    review: str | dt.date,
    shortfall_wan: float,
    *,
    push_speedup: float = 0.5,
    start_lag_months: int = 1,
) -> pl.DataFrame:
    """Projects to push to close the shortfall, greedy by first-year investment per month of
    remaining work. Each candidate (not ready, would add investment next year if pushed) gets:
    pushed remaining months = remaining × (1 − push_speedup), its pushed start month, the gain
    next year, the running total and ``selected`` while the running total before it is short of
    the shortfall. The steps to push and the blocking step's owner say who must act."""
    if not 0 <= push_speedup < 1:
        raise UsageError(f"push_speedup 应在 [0, 1) 之间，实际为 {push_speedup}", "bad_parameter")
    review_month = parse_month(review)
    base = next_year_contribution(ready, inputs.next_year, profile)
    pushed_months = ceil_months_expr(pl.col("remaining_months") * (1 - push_speedup))
    pushed = base.with_columns(pushed_months_to_ready=pushed_months).with_columns(
        pushed_start_month=pl.lit(review_month).dt.offset_by(
            pl.format("{}mo", pl.col("pushed_months_to_ready") + start_lag_months))
    ).with_columns(
        pushed_next_year_wan=pl.col("first_year_wan").fill_null(0.0)
        * _share_expr(_start_in_year(pl.col("pushed_start_month"), inputs.next_year), profile)
    ).with_columns(gain_wan=pl.col("pushed_next_year_wan") - pl.col("next_year_wan"))
    cands = (
        pushed.filter((pl.col("remaining_months") > 0) & (pl.col("gain_wan") > 1e-9))
        .with_columns(wan_per_month=pl.col("first_year_wan") / pl.col("remaining_months"))
        .sort(["wan_per_month", "project_id"], descending=[True, False])
        .with_columns(cum_gain_wan=pl.col("gain_wan").cum_sum())
        .with_columns(
            rank=pl.int_range(1, pl.len() + 1, dtype=pl.Int32),
            selected=(pl.col("cum_gain_wan") - pl.col("gain_wan")) < shortfall_wan - 1e-9,
        )
    )
    return cands.select(
        "rank", "selected", "project_id", "name", "domain", "funding_channel", "stage_label",
        "first_year_wan", "remaining_months", "wan_per_month", "start_month", "pushed_start_month",
        "next_year_wan", "pushed_next_year_wan", "gain_wan", "cum_gain_wan",
        "blocking_step_label", "blocking_owner", "remaining_steps",
    )


def continuing_next_year_wan(projects: pl.DataFrame, intensity: float = 1.0) -> float:
    """A rough estimate when no next-year plan is given: each of this year's projects keeps this
    year's annual plan next year, but never more than it has left (total − annual plan, not below 0;
    investment before this year is not known, so this is an upper bound for older projects),
    × ``intensity`` (the caller folds in this year's realisation, e.g. projected ÷ planned). An
    assumption, shown as such in the report; pass the real plan when the offices have it."""
    left = (pl.col("total_investment_wan").fill_null(0.0) - pl.col("annual_plan_wan").fill_null(0.0)).clip(0.0)
    keep = pl.min_horizontal(left, pl.col("annual_plan_wan").fill_null(0.0))
    return float(projects.select(keep.sum()).item()) * intensity
