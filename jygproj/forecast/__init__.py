"""The FAI forecast of issue 14: calibrated on the city's own history, backtested on hidden months,
reconciled with the statistics (调度数 vs 统计数), with one Monte Carlo whose median is the forecast.

Modules: history (the baseline's years, monthly shape), listed (per-project arrays from the ledger,
入库), projects (the listed projects' paths, vectorised, under a scenario's adjustments), model (the
deterministic forecast and its parts), montecarlo (uncertainty), backtest (hidden-month scores,
real-time calibration of the model error), reconcile (调度数 vs 统计数, registration warnings),
settings (data/reference/forecast_model.yaml).

:func:`forecast_city` is the one entry point: canonical frames (schema.PROJECTS/MEMBERSHIPS/
PROGRESS/BASELINE, with the optional registered/registered_on columns), the evaluation
(jygproj.evaluation) and the plan's goal (jygproj.plan) in, a :class:`Result` out. Its users: the
quarterly tracker (jygproj.quarterly: :meth:`Result.projection_frame` into jygproj.growth.track, the
bands, the reconciliation and the backtest into the report), the planner (jygproj.projection wraps the
same Result: its levers are adjustments of the forecast's parts, jygproj.forecast.projects) and
`jygproj backtest`. One forecast, so the report and the planner give the same figures and
probabilities.
"""

from __future__ import annotations

import contextvars
import pickle
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import polars as pl

from jygproj.errors import JygprojError
from jygproj.evaluation import Evaluation, evaluation
from jygproj.forecast import backtest, history, listed as listed_mod, memo, model, montecarlo, reconcile
from jygproj.forecast.settings import ForecastSettings, load_forecast_settings
from jygproj.growth import Goal, goal_amounts


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
    goal: Goal
    evaluation: Evaluation
    _bands: pl.DataFrame | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def as_of_month(self) -> int:
        return self.forecast.as_of_month

    @property
    def registration_known(self) -> bool:
        lst = self.forecast.listed
        return bool(lst is not None and lst.registration_known)

    def projection_frame(self) -> pl.DataFrame:
        """month (as-of..12), projected_cum_wan: the frame jygproj.growth.track(projection=...) takes."""
        m0 = self.as_of_month
        months = list(range(m0, 13))
        return pl.DataFrame({"month": months, "projected_cum_wan": [float(self.forecast.total_wan[m]) for m in months]},
                            schema={"month": pl.Int8, "projected_cum_wan": pl.Float64})

    def bands(self) -> pl.DataFrame:
        """month 1..12: deterministic and P10/P50/P90 of the cumulative (万元) and its growth (%).
        Made once per result: a review's summary and tables read the same frame (issue 18)."""
        if self._bands is None:
            self._bands = self._make_bands()
        return self._bands

    def _make_bands(self) -> pl.DataFrame:
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

    def thresholds(self) -> dict[str, float]:
        """What each reading of the plan's goal needs at the target month (万元), by the one evaluator's
        rule (jygproj.growth.goal_amounts) on the forecast's comparable base."""
        return {k: float(v) for k, v in goal_amounts(self.forecast.city.base_wan[1:], self.goal).items()}

    def probability(self, month: int, threshold_cum_wan: float) -> float:
        """Share of draws whose 1-``month``月 cumulative reaches ``threshold_cum_wan``."""
        return float(np.mean(self.simulation.total_wan[:, month] >= threshold_cum_wan - 1e-6))

    def reading_probabilities(self) -> dict[str, float]:
        """P(each reading of the goal is met by the target month), from the Monte Carlo (1 or 0 once
        the target month is published)."""
        return {k: self.probability(self.goal.target_month, v) for k, v in self.thresholds().items()}

    def backtest_summary(self) -> dict[str, Any]:
        return backtest.summary(self.cases)

    def registration_status(self) -> pl.DataFrame:
        """Each listed project's start and registration (入库) as the forecast reads them
        (jygproj.forecast.reconcile.registration_status), for a warning rule to use."""
        lst = self.forecast.listed
        return reconcile.registration_status(lst) if lst is not None else reconcile.registration_status(None)

    def as_json(self) -> dict[str, Any]:
        fc = self.forecast
        est = {k: (None if not np.isfinite(v) else round(v, 4)) for k, v in fc.estimates.values.items()}
        return {
            "year": fc.city.year, "as_of_month": fc.as_of_month, "mode": fc.parts.mode,
            "evaluated_on": self.evaluation.date.isoformat(), "target_month": self.goal.target_month,
            "shape_source": fc.city.shape_source, "shape_years": list(fc.city.shape_years),
            "model_sigma": round(self.model_sigma, 4),
            "estimates": est, "defaulted": fc.estimates.defaulted,
            "flags": fc.flags,
            "registration_known": self.registration_known,
            "reconciliation": {k: (round(v, 4) if isinstance(v, float) and np.isfinite(v) else v)
                               for k, v in self.reconciliation.items()},
            "registration_warnings": self.warnings.height,
            "probability": {k: round(v, 4) for k, v in self.reading_probabilities().items()},
            "backtest": {k: v for k, v in self.backtest_summary().items() if k != "cases"},
        }


def as_known(baseline: pl.DataFrame, ev: Evaluation) -> pl.DataFrame:
    """The baseline as it stood on the evaluation: the current year's later months (and any later
    year) blanked, as if the later workbooks were removed. The ledger needs no cut: every forecast
    reads it as it stood on its own evaluation date (jygproj.ledger.snapshot)."""
    later = (pl.col("year") > ev.year) | ((pl.col("year") == ev.year) & (pl.col("month") > ev.month))
    return baseline.filter(pl.col("year") <= ev.year).with_columns(
        pl.when(later).then(None).otherwise(pl.col("current_cum_wan")).alias("current_cum_wan"),
        pl.when(later).then(None).otherwise(pl.col("growth_pct")).alias("growth_pct"))


def forecast_city(projects: pl.DataFrame, memberships: pl.DataFrame, progress: pl.DataFrame, baseline: pl.DataFrame,
                  *, as_of: "str | date | Evaluation", goal: Goal, profile: dict[int, float],
                  settings: ForecastSettings | None = None) -> Result:
    """The forecast as of the evaluation ``as_of`` (jygproj.evaluation: "YYYY-MM" or an Evaluation),
    on the data as they stood then, for the plan's ``goal`` (jygproj.plan.Plan.goal: its target
    month is the backtest's and the probabilities')."""
    ev = evaluation(as_of)
    year, m0 = ev.year, ev.month
    if not 2 <= m0 <= 11:
        raise ForecastError(f"预测基准月应为 2–11 月（1-2月合并公布，12月无需预测），实际为 {m0} 月", "as_of_out_of_range")
    if baseline.filter((pl.col("year") == year) & (pl.col("month") == m0)
                       & (pl.col("current_cum_wan").is_not_null() | pl.col("growth_pct").is_not_null())).is_empty():
        raise ForecastError(f"基数表缺少 {year} 年 1-{m0} 月的累计投资或累计增速", "baseline_current_missing")
    missing = [m for m in range(m0, 13) if baseline.filter((pl.col("year") == year) & (pl.col("month") == m)
                                                           & pl.col("prior_cum_wan").is_not_null()).is_empty()]
    if missing:
        raise ForecastError(f"基数表缺少 {year - 1} 年 {missing} 月的累计投资（可比口径）", "baseline_prior_missing")
    settings = settings or load_forecast_settings()
    # kept on disk by its inputs' content and code (jygproj.forecast.memo): made again only when they change
    with memo.one_call():
        return memo.remembered("forecast", (projects, memberships, progress, baseline),
                               {"evaluation": ev, "goal": goal, "profile": profile, "settings": settings},
                               lambda: _forecast(projects, memberships, progress, baseline, ev, goal, profile, settings),
                               lambda result: pickle.dumps(result, protocol=5), pickle.loads)


def _forecast(projects: pl.DataFrame, memberships: pl.DataFrame, progress: pl.DataFrame, baseline: pl.DataFrame,
              ev: Evaluation, goal: Goal, profile: dict[int, float], settings: ForecastSettings) -> Result:
    year, m0 = ev.year, ev.month
    base = as_known(baseline, ev)
    q = history.profile_shape(profile)

    def own() -> tuple[model.Forecast, montecarlo.Simulation, listed_mod.Listed | None]:
        city = history.city(base, year=year, as_of_month=m0, profile=profile)
        lst = (listed_mod.build_listed(projects, memberships, progress, year=year, as_of_month=m0, known_on=ev.date)
               if progress.height else None)
        fc = model.forecast(city, lst, settings.model, project_shape=q)
        # the draws do not depend on τ, which waits for the backtest (Simulation.with_model_sigma)
        return fc, montecarlo.simulate(fc, draws=settings.draws, seed=settings.seed,
                                       rho_se_floor=settings.rho_se_floor), lst

    # this forecast and the backtest's (each on its own hidden month) in two threads: numpy and polars
    # release the GIL, so both cores work; they read the same ledger memo (jygproj.ledger.
    # reuse_results, a context variable: copied into each thread). The backtest's error comes first,
    # as when it ran before this forecast.
    with ThreadPoolExecutor(2, thread_name_prefix="jygproj-forecast") as pool:
        mine = pool.submit(contextvars.copy_context().run, own)
        cases = backtest.run_memoised(  # kept on disk too: a forecast of other draws or as-of month on the same data
            projects, memberships, progress, base, workers=pool, profile=profile, target_month=goal.target_month,
            lag_days=ev.lag_days, settings=settings.model, project_shape=q,
            draws=backtest.draws_for(memberships["project_id"].n_unique(), settings.draws // 2), seed=settings.seed,
            default_sigma=settings.default_model_sigma, rho_se_floor=settings.rho_se_floor)
        fc, drawn, lst = mine.result()
    tau = backtest.calibrate_sigma(cases, settings.default_model_sigma)
    sim = drawn.with_model_sigma(tau)
    warnings = (reconcile.registration_warnings(lst, yellow_after_months=settings.yellow_after_months,
                                                red_after_months=settings.red_after_months)
                if lst is not None else pl.DataFrame())
    return Result(fc, sim, cases, tau, reconcile.reconciliation(fc), warnings, settings, goal, ev)


__all__ = ["ForecastError", "Result", "as_known", "forecast_city"]
