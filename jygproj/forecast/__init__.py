"""The FAI forecast of issue 14: calibrated on the city's own history, backtested on hidden months,
reconciled with the statistics (调度数 vs 统计数), with one Monte Carlo whose median is the forecast.

Modules: history (the baseline's years, monthly shape), listed (per-project arrays from the ledger,
入库), model (the deterministic forecast), montecarlo (uncertainty), backtest (hidden-month scores,
real-time calibration of the model error), reconcile (调度数 vs 统计数, registration warnings),
settings (data/reference/forecast_model.yaml).

:func:`forecast_city` is the one entry point: canonical frames (schema.PROJECTS/MEMBERSHIPS/
PROGRESS/BASELINE, with the optional registered/registered_on columns) and an as-of month in, a
:class:`Result` out. :meth:`Result.projection_frame` is the seam for the 12% evaluator
(jygproj.growth.track(projection=...)); the wiring into projection/growth/scenario/quarterly is the
integration phase's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from jygproj import ledger
from jygproj.errors import JygprojError
from jygproj.forecast import backtest, history, listed as listed_mod, model, montecarlo, reconcile
from jygproj.forecast.settings import ForecastSettings, load_forecast_settings


class ForecastError(JygprojError, ValueError):
    """Input the forecast cannot use; Chinese message with an English code."""


@dataclass
class Result:
    forecast: model.Forecast
    simulation: montecarlo.Simulation
    cases: list[backtest.Case]
    model_sigma: float
    reconciliation: dict
    warnings: pl.DataFrame
    settings: ForecastSettings

    @property
    def as_of_month(self) -> int:
        return self.forecast.as_of_month

    def projection_frame(self) -> pl.DataFrame:
        """month (as-of..12), projected_cum_wan: the frame jygproj.growth.track(projection=...) takes."""
        m0 = self.as_of_month
        months = list(range(m0, 13))
        return pl.DataFrame({"month": months, "projected_cum_wan": [float(self.forecast.total_wan[m]) for m in months]},
                            schema={"month": pl.Int8, "projected_cum_wan": pl.Float64})

    def bands(self) -> pl.DataFrame:
        """month 1..12: deterministic and P10/P50/P90 of the cumulative (万元) and its growth (%)."""
        q, g = self.simulation.quantiles(), self.simulation.growth_quantiles()
        fc = self.forecast
        months = np.arange(1, 13)
        return pl.DataFrame({
            "month": months.astype(np.int8), "is_actual": months <= fc.as_of_month,
            "cum_wan": fc.total_wan[1:], "growth_pct": fc.growth_pct[1:],
            "p10_cum_wan": q[10][1:], "p50_cum_wan": q[50][1:], "p90_cum_wan": q[90][1:],
            "p10_growth_pct": g[10][1:], "p50_growth_pct": g[50][1:], "p90_growth_pct": g[90][1:],
            "listed_statistical_wan": fc.listed_stat_wan[1:], "other_wan": fc.other_wan[1:],
        }).with_columns(pl.col(pl.Float64).fill_nan(None))

    def probability(self, month: int, threshold_cum_wan: float) -> float:
        """Share of draws whose 1-``month``月 cumulative reaches ``threshold_cum_wan`` (the 12%
        evaluator gives the thresholds: level and rate readings)."""
        return float(np.mean(self.simulation.total_wan[:, month] >= threshold_cum_wan - 1e-6))

    def as_json(self) -> dict[str, Any]:
        fc = self.forecast
        est = {k: (None if not np.isfinite(v) else round(v, 4)) for k, v in fc.estimates.values.items()}
        return {
            "year": fc.city.year, "as_of_month": fc.as_of_month, "mode": fc.parts.mode,
            "shape_source": fc.city.shape_source, "shape_years": list(fc.city.shape_years),
            "model_sigma": round(self.model_sigma, 4),
            "estimates": est, "defaulted": fc.estimates.defaulted,
            "flags": fc.flags,
            "reconciliation": {k: (round(v, 4) if isinstance(v, float) and np.isfinite(v) else v)
                               for k, v in self.reconciliation.items()},
            "registration_warnings": self.warnings.height,
            "backtest": {k: v for k, v in backtest.summary(self.cases).items() if k != "cases"},
        }


def cut(baseline: pl.DataFrame, progress: pl.DataFrame, year: int, month: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The data as if the workbooks after ``month`` of ``year`` were removed: the baseline's later
    current-year cells blanked, the ledger's later periods and later submissions dropped."""
    later = (pl.col("year") == year) & (pl.col("month") > month)
    base = baseline.with_columns(
        pl.when(later).then(None).otherwise(pl.col("current_cum_wan")).alias("current_cum_wan"),
        pl.when(later).then(None).otherwise(pl.col("growth_pct")).alias("growth_pct"))
    if not progress.height:
        return base, progress
    known_on = listed_mod.evaluation_date(year, month)
    fields = ledger.with_period_fields(progress)
    keep = (((pl.col("year") < year) | ((pl.col("year") == year) & (pl.col("month") <= month)))
            & (pl.coalesce("reported_at", "period_end").is_null() | (pl.coalesce("reported_at", "period_end") <= known_on)))
    return base, fields.filter(keep).select(progress.columns)


def forecast_city(projects: pl.DataFrame, memberships: pl.DataFrame, progress: pl.DataFrame, baseline: pl.DataFrame,
                  *, as_of: str, profile: dict[int, float], target_month: int = 11,
                  settings: ForecastSettings | None = None) -> Result:
    """The forecast as of ``as_of`` ("YYYY-MM"), on the data as they stood then (later months cut)."""
    period = ledger.parse_period(as_of)
    if period.kind != "month":
        raise ForecastError(f"预测基准期应为月份（YYYY-MM），实际为 {as_of!r}", "as_of_not_month")
    year, m0 = period.year, period.month
    if not 2 <= m0 <= 11:
        raise ForecastError(f"预测基准月应为 2–11 月（1-2月合并公布，12月无需预测），实际为 {m0} 月", "as_of_out_of_range")
    if baseline.filter((pl.col("year") == year) & (pl.col("month") == m0)
                       & (pl.col("current_cum_wan").is_not_null() | pl.col("growth_pct").is_not_null())).is_empty():
        raise ForecastError(f"基数表缺少 {year} 年 1-{m0} 月的累计投资或累计增速", "baseline_current_missing")
    settings = settings or load_forecast_settings()
    base, prog = cut(baseline, progress, year, m0)
    q = history.profile_shape(profile)
    cases = backtest.run(projects, memberships, prog, base, profile=profile, target_month=target_month,
                         settings=settings.model, project_shape=q, draws=max(settings.draws // 2, 200),
                         seed=settings.seed, default_sigma=settings.default_model_sigma)
    tau = backtest.calibrate_sigma(cases, settings.default_model_sigma)
    city = history.city(base, year=year, as_of_month=m0, profile=profile)
    lst = listed_mod.build_listed(projects, memberships, prog, year=year, as_of_month=m0) if prog.height else None
    fc = model.forecast(city, lst, settings.model, project_shape=q)
    sim = montecarlo.simulate(fc, draws=settings.draws, seed=settings.seed, model_sigma=tau,
                             rho_se_floor=settings.rho_se_floor)
    warnings = (reconcile.registration_warnings(lst, yellow_after_months=settings.yellow_after_months,
                                                red_after_months=settings.red_after_months)
                if lst is not None else pl.DataFrame())
    return Result(fc, sim, cases, tau, reconcile.reconciliation(fc), warnings, settings)


__all__ = ["ForecastError", "Result", "cut", "forecast_city"]
