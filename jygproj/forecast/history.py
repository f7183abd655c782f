"""The city's own FAI history from the baseline: monthly levels per year, the monthly shape of past
years, and the range of monthly growth they support.

The baseline holds, per year, the prior year's comparable cumulative (prior_cum_wan) and the year's
published cumulative and growth (schema.BASELINE). A year's monthly increments are its cumulative's
differences; January is published with February, so "month 2" is the 1-2月 figure. The shape of a
year is each month's share of that year's total. The forecast uses the mean shape of the past years
(every year before the one forecast, from its published levels or, for the earliest, the comparable
base its successor carries); the seasonal construction profile (data/reference/seasonal_profile.yaml)
stands in only when the baseline has no full past year, and the result says so (``shape_source``).
Pure functions on polars frames and numpy arrays; months are 2..12, arrays indexed by month (0, 1 unused).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

MONTHS = np.arange(2, 13)  # published months: 1-2月 … 1-12月


@dataclass(frozen=True)
class City:
    """One year's city figures up to the as-of month, and the history before it."""

    year: int
    as_of_month: int
    level_wan: np.ndarray  # (13,) published 1-X月 level of ``year``, nan after the as-of month
    growth_pct: np.ndarray  # (13,) published cumulative growth, nan where not published
    base_wan: np.ndarray  # (13,) comparable base (year − 1), rescaled to the published rate at as-of
    shape: np.ndarray  # (13,) expected monthly share of a year (months 2..12 sum to 1)
    shape_source: str  # "history" (mean of past years) or "profile" (seasonal profile fallback)
    shape_years: tuple[int, ...]  # the past years the shape is the mean of
    month_growth_range_pct: tuple[float, float] | None  # min/max monthly yoy growth seen in the history

    def increments_wan(self) -> np.ndarray:
        """(13,) this year's monthly increments up to the as-of month (month 2 = 1-2月)."""
        return increments(self.level_wan)

    def base_increments_wan(self) -> np.ndarray:
        return increments(self.base_wan)


def increments(cum: np.ndarray) -> np.ndarray:
    """(13,) month t's own amount from a (13,) cumulative indexed by month (month 2 = the 1-2月 total)."""
    out = np.full(13, np.nan)
    out[2] = cum[2]
    out[3:] = cum[3:] - cum[2:12]
    return out


def year_levels(baseline: pl.DataFrame) -> dict[int, np.ndarray]:
    """Every year the baseline knows a published monthly level for: year → (13,) cumulative (nan
    where unknown). A year's own rows give it (current_cum_wan, else prior × (1 + growth)); the
    earliest year also appears as the comparable base of its successor (prior_cum_wan), used when
    no rows of its own exist."""
    b = baseline.select(
        pl.col("year").cast(pl.Int32), pl.col("month").cast(pl.Int32), "prior_cum_wan",
        pl.coalesce("current_cum_wan", pl.col("prior_cum_wan") * (1 + pl.col("growth_pct") / 100))
        .alias("level"))
    # a year whose own rows are partly known (the current year) is not a full past year; the shape
    # skips it by its missing months
    def series(col: str, shift: int) -> dict[int, np.ndarray]:
        out: dict[int, np.ndarray] = {}
        for r in b.filter(pl.col(col).is_not_null()).iter_rows(named=True):
            out.setdefault(r["year"] - shift, np.full(13, np.nan))[r["month"]] = float(r[col])
        return out

    published, comparable = series("level", 0), series("prior_cum_wan", 1)
    return {y: published.get(y, comparable.get(y)) for y in sorted(published.keys() | comparable.keys())}


def past_shape(levels: dict[int, np.ndarray], before_year: int) -> tuple[np.ndarray | None, tuple[int, ...]]:
    """Mean monthly share of the full years before ``before_year`` (None when there is none)."""
    shares = []
    used = []
    for y in sorted(levels):
        cum = levels[y]
        if y >= before_year or np.isnan(cum[MONTHS]).any() or cum[12] <= 0:
            continue
        shares.append(increments(cum) / cum[12])
        used.append(y)
    if not shares:
        return None, ()
    mean = np.zeros(13)
    mean[MONTHS] = np.vstack(shares)[:, MONTHS].mean(axis=0)
    return mean / mean[MONTHS].sum(), tuple(used)


def profile_shape(profile: dict[int, float]) -> np.ndarray:
    """The seasonal profile as a (13,) monthly shape, January folded into month 2 (1-2月)."""
    out = np.zeros(13)
    out[2] = profile[1] + profile[2]
    for m in range(3, 13):
        out[m] = profile[m]
    return out / out[MONTHS].sum()


def month_growth_range(levels: dict[int, np.ndarray], before_year: int) -> tuple[float, float] | None:
    """Lowest and highest monthly year-on-year growth (%) among the full past years' own months,
    each over the year before it (published levels; the comparable adjustment is small)."""
    rates = []
    for y in sorted(levels):
        if y >= before_year or (y - 1) not in levels:
            continue
        cur, prev = increments(levels[y]), increments(levels[y - 1])
        ok = ~np.isnan(cur) & ~np.isnan(prev) & (prev > 0)
        rates.extend(((cur[ok] / prev[ok] - 1) * 100).tolist())
    return (float(min(rates)), float(max(rates))) if rates else None


def city(baseline: pl.DataFrame, *, year: int, as_of_month: int, profile: dict[int, float],
         levels: dict[int, np.ndarray] | None = None) -> City:
    """The city's figures for ``year`` as known at the end of ``as_of_month`` (later months blanked).
    ``levels``: :func:`year_levels` of the same ``baseline``, when the caller has them (the backtest
    asks for every year and month of one baseline)."""
    rows = baseline.filter(pl.col("year") == year)
    level = np.full(13, np.nan)
    growth = np.full(13, np.nan)
    base = np.full(13, np.nan)
    for r in rows.iter_rows(named=True):
        m = int(r["month"])
        base[m] = np.nan if r["prior_cum_wan"] is None else float(r["prior_cum_wan"])
        if m > as_of_month:
            continue
        if r["growth_pct"] is not None:
            growth[m] = float(r["growth_pct"])
        if r["current_cum_wan"] is not None:
            level[m] = float(r["current_cum_wan"])
        elif r["growth_pct"] is not None and r["prior_cum_wan"] is not None:
            level[m] = float(r["prior_cum_wan"]) * (1 + r["growth_pct"] / 100)
    # the comparable base implied by the as-of month's published level and rate (jygproj.growth)
    if not np.isnan(growth[as_of_month]) and not np.isnan(level[as_of_month]) and base[as_of_month] > 0:
        base = base * (level[as_of_month] / (1 + growth[as_of_month] / 100) / base[as_of_month])
    levels = year_levels(baseline) if levels is None else levels
    shape, used = past_shape(levels, year)
    source = "history"
    if shape is None:
        shape, source = profile_shape(profile), "profile"
    return City(year, as_of_month, level, growth, base, shape, source, used,
                month_growth_range(levels, year))


def growth_of(level_wan: np.ndarray, base_wan: np.ndarray) -> np.ndarray:
    """Cumulative growth (%) of a level over the comparable base."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return (level_wan / base_wan - 1) * 100
