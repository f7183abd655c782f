"""The time-elapsed pace (序时进度): how much of an annual plan should be done by a month.

Construction in Jiayuguan is seasonal, so the pace follows the seasonal profile
(data/reference/seasonal_profile.yaml), not 1/12 a month. Every module that compares progress with
the plan (completion, warnings, ranking, projections) takes its pace from here.
"""

from __future__ import annotations

import polars as pl

Profile = dict[int, float]  # month 1..12 -> share of the year's construction, summing to 1


def cum_share(month: int, profile: Profile) -> float:
    """Share of a year's plan due by the end of ``month`` (0 for month 0, 1 for December)."""
    if not 0 <= month <= 12:
        raise ValueError(f"month must be 0..12, got {month}")
    return sum(profile[m] for m in range(1, month + 1))


def remaining_shares(as_of_month: int, profile: Profile) -> dict[int, float]:
    """Each remaining month's share of the rest of the year, after ``as_of_month`` (sums to 1)."""
    rest = {m: profile[m] for m in range(as_of_month + 1, 13)}
    total = sum(rest.values())
    return {m: s / total for m, s in rest.items()} if total else {}


def cum_share_frame(profile: Profile) -> pl.DataFrame:
    """month (1..12) and cum_share, for joins."""
    return pl.DataFrame(
        {"month": list(range(1, 13)), "cum_share": [cum_share(m, profile) for m in range(1, 13)]},
        schema={"month": pl.Int8, "cum_share": pl.Float64},
    )


def planned_ytd_wan(annual_plan_wan: pl.Expr, month: int, profile: Profile) -> pl.Expr:
    """序时进度 in 万元: the part of an annual plan due by the end of ``month``."""
    return annual_plan_wan * cum_share(month, profile)
