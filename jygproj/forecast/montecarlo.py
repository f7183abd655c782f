"""One forecast, honest uncertainty: a Monte Carlo around the deterministic path.

Each draw re-runs the parts of :mod:`jygproj.forecast.model` with their own measured uncertainty:
- other FAI: its run rate per month times (1 + noise), the noise sized by how far its own past
  months stray from its pattern (``Parts.other_sigma``), plus the error of a run rate from a few
  months (the same noise over the window's length);
- listed projects: each started project's run rate times a persistent factor (its run rate's own
  error) and monthly noise, both of the measured ``Parts.pace_sigma``; each project
  not started starts in a month drawn from the start hazards or not at all; each unregistered one is
  registered in a month drawn from the registration hazards (its year to date comes in then);
- 入统率 ρ: normal around its estimate with its least-squares standard error;
- the model's own error, sized from the backtest (jygproj.forecast.backtest): what the city adds
  after the as-of month times (1 + τ·√h·z), h months ahead, one z per draw (an error that persists).
The continuous noises are symmetric and mean zero; starts and registrations are yes/no events whose
expectation the deterministic path carries, so the median stays close to it (within 0.5% on the
sample, tests/test_forecast_sample.py). Seeded numpy Generator, vectorised over draws and projects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jygproj.forecast.history import growth_of
from jygproj.forecast.model import (
    DURATIONS, Forecast, hazards, plan_intensity, start_distribution,
)

RHO_SE_FLOOR = 0.03  # a least-squares error at a bound is not known: at least this much
CELLS_PER_CHUNK = 4_000_000  # draws × projects × months per chunk of the listed simulation (~32 MB a float array)


@dataclass
class Simulation:
    draws: int
    seed: int
    model_sigma: float  # τ used
    total_wan: np.ndarray  # (draws, 13)
    growth_pct: np.ndarray  # (draws, 13)

    def quantiles(self, q: tuple[float, ...] = (10, 50, 90)) -> dict[int, np.ndarray]:
        return {int(p): np.percentile(self.total_wan, p, axis=0) for p in q}

    def growth_quantiles(self, q: tuple[float, ...] = (10, 50, 90)) -> dict[int, np.ndarray]:
        return {int(p): np.percentile(self.growth_pct, p, axis=0) for p in q}


def _draw_event(rng: np.random.Generator, h: np.ndarray, first_duration: np.ndarray, first_month: np.ndarray,
                draws: int) -> np.ndarray:
    """(draws, k): the month an event with duration hazards ``h`` happens (13: not by December),
    each of k items at risk from ``first_month`` at duration ``first_duration``."""
    k = first_month.size
    out = np.full((draws, k), 13)
    pending = np.ones((draws, k), dtype=bool)
    u = rng.random((draws, k, 13))
    for j in range(13):
        month = first_month + j
        d = np.minimum(first_duration + j, DURATIONS - 1)
        hit = pending & (month <= 12)[None, :] & (u[:, :, j] < h[d][None, :])
        out[hit] = np.broadcast_to(month, (draws, k))[hit]
        pending &= ~hit
    return out


def simulate(fc: Forecast, *, draws: int = 2000, seed: int = 2023, model_sigma: float = 0.0,
             rho_se_floor: float = RHO_SE_FLOOR) -> Simulation:
    """``draws`` paths around ``fc``; ``model_sigma`` is τ (0: the components' uncertainty only);
    ``rho_se_floor``: the least standard error of ρ (data/reference/forecast_model.yaml)."""
    rng = np.random.default_rng(seed)
    city, parts = fc.city, fc.parts
    m0 = city.as_of_month
    after = np.arange(m0 + 1, 13)
    total = np.tile(fc.total_wan, (draws, 1))
    h_ahead = after - m0
    window = np.arange(max(2, m0 - parts.window_months + 1), m0 + 1)

    rate = np.full((draws, 1), parts.other_rate)
    added = np.zeros((draws, after.size))
    if parts.mode == "split":
        rho = fc.rho + max(fc.rho_se if np.isfinite(fc.rho_se) else 0.0, rho_se_floor) * rng.standard_normal((draws, 1))
        reg_inc = np.diff(fc.registered_wan, prepend=0.0)
        # a larger ρ leaves less to other FAI in the same months: its rate moves the other way
        rate = rate - (rho - fc.rho) * reg_inc[window].sum() / parts.other_shape[window].sum()
        size = max(1, CELLS_PER_CHUNK // max(fc.listed.n * after.size, 1))  # draws per chunk: bounded memory
        added += rho * np.concatenate([_registered_added(fc, rng, min(size, draws - k)) for k in range(0, draws, size)])
    level_err = parts.other_sigma / np.sqrt(window.size) * rng.standard_normal((draws, 1))
    month_err = parts.other_sigma * rng.standard_normal((draws, after.size))
    added += np.cumsum(np.clip(rate, 0, None) * parts.other_shape[after][None, :] * (1 + level_err + month_err),
                       axis=1)
    # the model's own error, persistent within a draw, growing with the horizon
    z = rng.standard_normal((draws, 1))
    added *= 1 + model_sigma * np.sqrt(h_ahead)[None, :] * z
    total[:, after] = fc.total_wan[m0] + added
    growth = growth_of(total, city.base_wan[None, :])
    growth[:, :m0 + 1] = fc.growth_pct[:m0 + 1]
    return Simulation(draws, seed, model_sigma, total, growth)


def _registered_added(fc: Forecast, rng: np.random.Generator, draws: int) -> np.ndarray:
    """(draws, months after as-of): R(t) − R(as-of) per draw — the registered listed projects'
    reported completion added, new registrations bringing their year to date."""
    listed, parts, est = fc.listed, fc.parts, fc.estimates
    m0 = listed.as_of_month
    after = np.arange(m0 + 1, 13)
    q = parts.project_shape
    cap = np.where(np.isfinite(listed.total_wan) & (listed.total_wan > 0), listed.total_wan, np.inf)
    started = listed.started()
    cum_now = listed.cum_wan[:, m0]
    g = hazards(est, "registration_hazard") if listed.registration_known else np.ones(DURATIONS)

    # started projects: a persistent run-rate error (the rate comes from its last month, which had
    # its own noise) and each month's own noise
    s_idx = np.nonzero(started)[0]
    sig = parts.pace_sigma
    factor = (1 + sig * rng.standard_normal((draws, s_idx.size, 1))
              + sig * rng.standard_normal((draws, s_idx.size, after.size)))
    inc = parts.rates[s_idx][None, :, None] * q[after][None, None, :] * np.clip(factor, 0, None)
    cum_s = np.minimum(cum_now[s_idx][None, :, None] + np.cumsum(inc, axis=2),
                       np.maximum(cap[s_idx], cum_now[s_idx])[None, :, None])
    reg_month = np.zeros((draws, s_idx.size), dtype=int)  # 0: counted already
    waiting = ~listed.registered()[s_idx]
    if waiting.any():
        w_idx = s_idx[waiting]
        waited = m0 - np.maximum(listed.start_month[w_idx], 1)
        reg_month[:, waiting] = _draw_event(rng, g, waited + 1, np.full(w_idx.size, m0 + 1), draws)
    counted = reg_month[:, :, None] <= after[None, None, :]
    out = (cum_s * counted).sum(axis=1) - fc.registered_wan[m0]

    # not started: a start month drawn from the start hazards (or none), then a registration month
    v = est.values
    intensity = plan_intensity(listed, q) * v["new_pace"]
    h = hazards(est, "start_hazard")
    cand = np.nonzero(~started & (listed.annual_wan > 0) & (listed.nature != "preparatory")
                      & (listed.planned_start_month <= 12))[0]
    u = rng.random((draws, cand.size))
    for j, i in enumerate(cand):
        dist = start_distribution(int(listed.planned_start_month[i]), m0, h)
        if not dist:
            continue
        months = np.array(list(dist), dtype=int)
        pick = np.searchsorted(np.cumsum(list(dist.values())), u[:, j], side="right")
        tau = np.where(pick < months.size, months[np.minimum(pick, months.size - 1)], 13)
        path = np.zeros((draws, 13))
        for t in range(m0 + 1, 13):
            step = np.where(t > tau, 1.0, np.where(t == tau, v["first_month_factor"], 0.0)) * intensity[i] * q[t]
            path[:, t] = np.minimum(path[:, t - 1] + step, cap[i])
        r_month = np.full(draws, 13)
        for d in np.unique(tau[tau <= 12]):
            sel = tau == d
            r_month[sel] = _draw_event(rng, g, np.array([0]), np.array([d]), int(sel.sum()))[:, 0]
        out += path[:, after] * (r_month[:, None] <= after[None, :])
    return out
