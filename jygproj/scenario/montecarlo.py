"""Monte Carlo over project pace and start dates: the probability of meeting each reading of
the plan's growth goal by its target month, and P10/P50/P90 bands of the path.

Each draw multiplies every project's remaining investment by two mean-one factors: a city-wide
log-normal shock (weather, funds, factor guarantees hit all projects alike) and the project's own
pace factor, uniform around 1 with standard deviation ``pace_sigma_project`` (bounded, and cheap
to draw: 200 million of them for a province in a few seconds); a project not started yet starts with the ``start_probability`` lever, after a Poisson extra
delay (mean ``start_delay_mean_months``). Other FAI takes the city-wide shock too. Parameters live in
data/reference/scenario_levers.yaml (``uncertainty``).

Reproducible: a seeded numpy Generator, draws made in a fixed order in fixed-size chunks that
depend only on the model, never on the levers. So two scenarios see the same random world, and the
comparison between them (and the property tests: a faster pace never lowers the probability) is
exact. Vectorised: per chunk, the started projects are grouped by start month with one matrix
product and the unstarted ones with one bincount; no Python loop per project or per draw. Random
numbers are single precision; every sum is double precision.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from jygproj import projection, schema
from jygproj.growth import Goal, goal_amounts
from jygproj.projection import Model
from jygproj.scenario.levers import Levers

DEFAULT_UNCERTAINTY = {"pace_sigma_project": 0.25, "pace_sigma_common": 0.08, "start_delay_mean_months": 1.0}
CELLS_PER_CHUNK = 4_000_000  # draws × projects per chunk: ~32 MB per float64 array


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


def chunk_size(model: Model) -> int:
    return max(1, CELLS_PER_CHUNK // max(model.n, 1))


def simulate(model: Model, levers: Levers | None = None, *, draws: int = 10_000, seed: int = 2023,
             uncertainty: dict[str, float] | None = None, goal: Goal | None = None) -> MonteCarlo:
    """``draws`` random paths for one set of levers; the same seed gives the same numbers. ``goal``:
    the plan's growth goal (default: the plan of the model's year)."""
    if goal is None:
        from jygproj.plan import load_plan

        goal = load_plan(model.year).goal
    if draws < 1:
        raise ValueError(f"draws must be >= 1, got {draws}")
    u = {**DEFAULT_UNCERTAINTY, **(uncertainty or {})}
    s_p, s_c, lam = u["pace_sigma_project"], u["pace_sigma_common"], u["start_delay_mean_months"]
    half = min(s_p * math.sqrt(3.0), 1.0)  # uniform half-width with standard deviation s_p (factor >= 0)
    w = projection.resolve(model, levers or Levers())
    m0 = model.as_of_month
    prof = model.profile
    rng = np.random.default_rng(seed)

    started = ~w.unstarted
    # Started projects: start month is fixed per scenario, so group rates into a (n_s, 14) matrix.
    rate_s = w.rate[started]
    group_s = np.zeros((rate_s.size, 14))
    group_s[np.arange(rate_s.size), w.start[started]] = rate_s
    rate_u, start_u, chance_u = w.rate[w.unstarted], w.start[w.unstarted], w.chance[w.unstarted]
    n_s, n_u = rate_s.size, rate_u.size
    reserve_by_start = np.bincount(w.reserve_start, weights=w.reserve_weight, minlength=14)
    other_add = projection.other_increments(model, w.other_growth)
    base_cum = model.listed_completed0_wan + model.other_cum0_wan

    # Poisson extra delay by inverse CDF on a uniform draw (months 0..12; 12 pushes any start out of
    # the year), cheaper than a Poisson sampler and the same distribution over the months that matter.
    k = np.arange(13)
    pmf = np.exp(-lam) * lam**k / np.array([math.factorial(int(i)) for i in k]) if lam > 0 else (k == 0) * 1.0
    cdf = np.cumsum(pmf)[:-1].astype(np.float32)

    size = chunk_size(model)
    totals = np.empty((draws, 12))
    f32 = np.float32
    done = 0
    while done < draws:
        d = min(size, draws - done)
        # Fixed order of draws within a chunk, independent of the levers (same random world).
        z = rng.standard_normal(d)
        u_s = rng.random((d, n_s), dtype=f32)
        u_u = rng.random((d, n_u), dtype=f32)
        delay = np.searchsorted(cdf, rng.random((d, n_u), dtype=f32), side="right")
        go = rng.random((d, n_u), dtype=f32)
        common = np.exp(s_c * z - 0.5 * s_c**2)[:, None]  # city-wide shock, mean one
        # A project's own pace factor: uniform on [1 − a, 1 + a], mean one, standard deviation s_p.
        own_s = u_s * f32(2 * half) + f32(1 - half)
        by_start = (own_s @ group_s) * common  # float32 factors × float64 rates, summed in float64
        if n_u:
            own_u = (u_u * f32(2 * half) + f32(1 - half)) * (go < chance_u)
            st = np.minimum(start_u + delay, projection.NO_START)
            flat = (np.arange(d)[:, None] * 14 + st).ravel()
            by_u = np.bincount(flat, weights=(own_u * rate_u).ravel(), minlength=d * 14).reshape(d, 14)
            by_start += by_u * common
        by_start += reserve_by_start
        listed_add = projection.monthly_from_starts(by_start, prof, m0)
        totals[done:done + d] = base_cum + listed_add + other_add * common
        done += d
    totals[:, :m0] = model.actual_cum_wan[:m0]
    base = model.comparable_prior_wan
    growth = (totals / base - 1) * 100
    at_target = totals[:, goal.target_month - 1]
    goals = goal_amounts(base, goal)  # the goal as the one evaluator defines it
    probability = {"level": float(np.mean(at_target >= goals["level"])),
                   "rate": float(np.mean(at_target >= goals["rate"]))}
    q = np.percentile(totals, [10, 50, 90], axis=0)
    g = np.percentile(growth, [10, 50, 90], axis=0)
    bands = pl.DataFrame({
        "month": np.arange(1, 13, dtype=np.int8),
        "p10_cum_wan": q[0], "p50_cum_wan": q[1], "p90_cum_wan": q[2],
        "p10_growth_pct": g[0], "p50_growth_pct": g[1], "p90_growth_pct": g[2],
    })
    return MonteCarlo(draws, seed, probability, bands, at_target, goal.target_month)
