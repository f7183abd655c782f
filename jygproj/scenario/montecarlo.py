"""The probability of meeting each reading of the plan's growth goal by its target month, and the
P10/P50/P90 bands of the path, for one set of levers: the forecast's own Monte Carlo
(jygproj.forecast.montecarlo) with the levers as adjustments of its parts (jygproj.projection.resolve).

So the baseline scenario's probabilities are the quarterly report's (same draws and seed: the same
numbers), the uncertainty is the forecast's measured one (run rates, starts, registrations, 入统率,
other FAI, and the model error sized by the backtest: data/reference/forecast_model.yaml), and two
scenarios see the same random world (common random numbers: the comparison between them is exact).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from jygproj import projection, schema
from jygproj.forecast import montecarlo as forecast_mc
from jygproj.growth import Goal, goal_amounts
from jygproj.projection import Model
from jygproj.scenario.levers import Levers


@dataclass
class MonteCarlo:
    draws: int
    seed: int
    probability: dict[str, float]  # "level" / "rate": share of draws meeting the reading by the target month
    bands: pl.DataFrame  # month, p10/p50/p90 cumulative (万元) and growth (%)
    target_month_wan: np.ndarray  # (draws,) cumulative to the target month per draw
    target_month: int

    def as_json(self) -> dict[str, Any]:
        b = self.bands.filter(pl.col("month") == self.target_month).row(0, named=True)
        return {
            "draws": self.draws, "seed": self.seed,
            "probability": {k: round(v, 4) for k, v in self.probability.items()},
            "target_month_yi": {q: round(schema.wan_to_yi(b[f"{q}_cum_wan"]), 4) for q in ("p10", "p50", "p90")},
            "target_month_growth_pct": {q: round(b[f"{q}_growth_pct"], 3) for q in ("p10", "p50", "p90")},
        }


def summarise(sim: forecast_mc.Simulation, base_wan: np.ndarray, goal: Goal) -> MonteCarlo:
    """Probabilities by reading and bands of a forecast simulation (``base_wan``: (12,) comparable
    base, January first), judged by the one evaluator's goal amounts (jygproj.growth)."""
    totals = sim.total_wan[:, 1:]
    growth = sim.growth_pct[:, 1:]
    at_target = totals[:, goal.target_month - 1]
    goals = goal_amounts(base_wan, goal)
    probability = {k: float(np.mean(at_target >= goals[k] - 1e-6)) for k in ("level", "rate")}
    q = np.percentile(totals, [10, 50, 90], axis=0)
    g = np.percentile(growth, [10, 50, 90], axis=0)
    bands = pl.DataFrame({
        "month": np.arange(1, 13, dtype=np.int8),
        "p10_cum_wan": q[0], "p50_cum_wan": q[1], "p90_cum_wan": q[2],
        "p10_growth_pct": g[0], "p50_growth_pct": g[1], "p90_growth_pct": g[2],
    }).with_columns(pl.col(pl.Float64).fill_nan(None))
    return MonteCarlo(sim.draws, sim.seed, probability, bands, at_target, goal.target_month)


def simulate(model: Model, levers: Levers | None = None, *, draws: int | None = None, seed: int | None = None,
             goal: Goal | None = None) -> MonteCarlo:
    """``draws`` random paths for one set of levers; the same seed gives the same numbers (default
    draws and seed: the forecast's, data/reference/forecast_model.yaml, so the baseline equals the
    quarterly report's simulation). ``goal``: the plan's growth goal (default: the model's plan)."""
    result = model.result
    settings = result.settings
    goal = goal or (model.plan.goal if model.plan is not None else result.goal)
    draws = settings.draws if draws is None else draws
    seed = settings.seed if seed is None else seed
    if draws < 1:
        raise ValueError(f"draws must be >= 1, got {draws}")
    adj = projection.resolve(model, levers or Levers())
    sim = forecast_mc.simulate(model.forecast, adj, draws=draws, seed=seed, model_sigma=result.model_sigma,
                               rho_se_floor=settings.rho_se_floor)
    return summarise(sim, model.comparable_prior_wan, goal)
