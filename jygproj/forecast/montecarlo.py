"""One forecast, honest uncertainty: a Monte Carlo around the deterministic path, with or without a
scenario's adjustments (the planner's levers, jygproj.forecast.projects.Adjustments).

Each draw re-runs the parts of :mod:`jygproj.forecast.model` with their own measured uncertainty:
- other FAI: its run rate per month times (1 + noise), the noise sized by how far its own past
  months stray from its pattern (``Parts.other_sigma``), plus the error of a run rate from a few
  months (the same noise over the window's length);
- listed projects: each started project's run rate times a persistent factor (its run rate's own
  error) and monthly noise, both of the measured ``Parts.pace_sigma``; each project not started
  starts in a month drawn from the start hazards or not at all; each unregistered one is
  registered after a number of months drawn from the registration hazards (its year to date comes
  in then);
- 入统率 ρ: normal around its estimate with its least-squares standard error;
- the model's own error, sized from the backtest (jygproj.forecast.backtest): what the city adds
  after the as-of month times (1 + τ·√h·z), h months ahead, one z per draw (an error that persists).
The continuous noises are symmetric and mean zero; starts and registrations are yes/no events whose
expectation the deterministic path carries, so the median stays close to it (within 0.5% on the
sample, tests/test_forecast_sample.py).

Common random numbers: the draws are made in a fixed order, in chunks whose size depends only on
the data, never on the adjustments; a start or a registration is found from its uniform draw by the
inverse of its distribution. So two scenarios see the same random world and the comparison between
them is exact (a faster pace never lowers a draw: tests/test_scenario_properties.py). Seeded numpy
Generator, vectorised over draws and projects, bounded memory.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jygproj.forecast.history import growth_of
from jygproj.forecast.model import Forecast
from jygproj.forecast.projects import NEUTRAL, NONE, Adjustments, first_step

RHO_SE_FLOOR = 0.03  # a least-squares error at a bound is not known: at least this much
CELLS_PER_CHUNK = 2_000_000  # draws × projects × months per chunk of the listed simulation (~16 MB a float array)


@dataclass
class Simulation:
    draws: int
    seed: int
    model_sigma: float  # τ used
    total_wan: np.ndarray  # (draws, 13)
    growth_pct: np.ndarray  # (draws, 13)
    components_wan: np.ndarray  # (draws, 13): the draws before the model error (τ = 0)
    model_z: np.ndarray  # (draws, 1): each draw's model-error normal
    as_of_month: int
    base_wan: np.ndarray  # (13,) comparable base of the growth

    def quantiles(self, q: tuple[float, ...] = (10, 50, 90)) -> dict[int, np.ndarray]:
        return {int(p): np.percentile(self.total_wan, p, axis=0) for p in q}

    def growth_quantiles(self, q: tuple[float, ...] = (10, 50, 90)) -> dict[int, np.ndarray]:
        return {int(p): np.percentile(self.growth_pct, p, axis=0) for p in q}

    def with_model_sigma(self, model_sigma: float) -> "Simulation":
        """The same draws with another model error τ (the backtest's out-of-sample bands)."""
        total = _with_model_error(self.components_wan, self.model_z, self.as_of_month, model_sigma)
        growth = growth_of(total, self.base_wan[None, :])
        growth[:, :self.as_of_month + 1] = self.growth_pct[:, :self.as_of_month + 1]
        return Simulation(self.draws, self.seed, model_sigma, total, growth, self.components_wan, self.model_z,
                          self.as_of_month, self.base_wan)


def _with_model_error(components: np.ndarray, z: np.ndarray, m0: int, model_sigma: float) -> np.ndarray:
    """What the city adds after the as-of month times (1 + τ√h z), never below zero."""
    total = components.copy()
    after = np.arange(m0 + 1, 13)
    factor = np.clip(1 + model_sigma * np.sqrt(after - m0)[None, :] * z, 0.0, None)
    total[:, after] = components[:, [m0]] + (components[:, after] - components[:, [m0]]) * factor
    return total


def chunk_draws(fc: Forecast) -> int:
    """Draws per chunk: bounded memory, from the data's size alone (never from the adjustments)."""
    n = fc.listed.n if fc.parts.mode == "split" else 0
    return max(1, CELLS_PER_CHUNK // max(n * max(12 - fc.as_of_month, 1), 1))


def simulate(fc: Forecast, adj: Adjustments = NEUTRAL, *, draws: int = 2000, seed: int = 2023,
             model_sigma: float = 0.0, rho_se_floor: float = RHO_SE_FLOOR) -> Simulation:
    """``draws`` paths around ``fc`` under ``adj``; ``model_sigma`` is τ (0: the components'
    uncertainty only); ``rho_se_floor``: the least standard error of ρ (data/reference/forecast_model.yaml)."""
    if draws < 1:
        raise ValueError(f"draws must be >= 1, got {draws}")
    rng = np.random.default_rng(seed)
    city, parts = fc.city, fc.parts
    m0 = city.as_of_month
    after = np.arange(m0 + 1, 13)
    window = np.arange(max(2, m0 - parts.window_months + 1), m0 + 1)
    split = parts.mode == "split"
    reg_inc = np.diff(fc.registered_wan, prepend=0.0)
    extra = np.zeros(13) if adj.extra_reported_wan is None else np.asarray(adj.extra_reported_wan, dtype=float)
    components = np.tile(fc.total_wan, (draws, 1))
    size = chunk_draws(fc)
    for lo in range(0, draws, size):
        d = min(size, draws - lo)
        # the draws of a chunk, always in this order (common random numbers)
        z_rho = rng.standard_normal((d, 1))
        listed_u = _draw_listed_uniforms(rng, fc, d) if split else None
        level_err = parts.other_sigma / np.sqrt(window.size) * rng.standard_normal((d, 1))
        month_err = parts.other_sigma * rng.standard_normal((d, after.size))
        added = np.zeros((d, after.size))
        rate = np.full((d, 1), parts.other_rate)
        rho = np.ones((d, 1))
        if split:
            rho = fc.rho + max(fc.rho_se if np.isfinite(fc.rho_se) else 0.0, rho_se_floor) * z_rho
            # a larger ρ leaves less to other FAI in the same months: its rate moves the other way
            rate = rate - (rho - fc.rho) * reg_inc[window].sum() / parts.other_shape[window].sum()
            added += rho * _registered_added(fc, adj, listed_u)
        added += np.cumsum(np.clip(rate * adj.other_factor, 0, None) * parts.other_shape[after][None, :]
                           * (1 + level_err + month_err), axis=1)
        added += rho * extra[after][None, :]
        components[lo:lo + d, after] = fc.total_wan[m0] + added
    z = rng.standard_normal((draws, 1))  # the model's own error, persistent within a draw
    total = _with_model_error(components, z, m0, model_sigma)
    growth = growth_of(total, city.base_wan[None, :])
    growth[:, :m0 + 1] = fc.growth_pct[:m0 + 1]
    return Simulation(draws, seed, model_sigma, total, growth, components, z, m0, city.base_wan)


def _draw_listed_uniforms(rng: np.random.Generator, fc: Forecast, d: int) -> dict[str, np.ndarray]:
    """The listed projects' random numbers for ``d`` draws (their shapes depend on the data only)."""
    prep = fc.parts.prepared
    n_s = int(prep.started.sum())
    months = 12 - prep.m0
    k = prep.candidates.size
    return {"persistent": rng.standard_normal((d, n_s, 1)), "monthly": rng.standard_normal((d, n_s, months)),
            "registration": rng.random((d, n_s)), "start": rng.random((d, k)), "candidate_registration": rng.random((d, k))}


def _registered_added(fc: Forecast, adj: Adjustments, u: dict[str, np.ndarray]) -> np.ndarray:
    """(draws, months after as-of): R(t) − R(as-of) per draw — the registered listed projects'
    reported completion added, new registrations bringing their year to date."""
    prep, lst = fc.parts.prepared, fc.listed
    m0 = prep.m0
    after = np.arange(m0 + 1, 13)
    q = prep.q
    mult = np.ones(prep.n) if adj.multiplier is None else adj.multiplier
    pause = np.zeros(prep.n, dtype=int) if adj.pause_months is None else adj.pause_months.astype(int)

    # started projects: a persistent run-rate error (the rate comes from its last month, which had
    # its own noise) and each month's own noise; a pause stops the first months
    s_idx = np.nonzero(prep.started)[0]
    sig = fc.parts.pace_sigma
    factor = np.clip(1 + sig * u["persistent"] + sig * u["monthly"], 0, None)
    active = after[None, :] >= (m0 + 1 + pause[s_idx])[:, None]
    inc = (prep.rates[s_idx] * mult[s_idx])[None, :, None] * q[after][None, None, :] * factor * active[None, :, :]
    now = lst.cum_wan[s_idx, m0]
    cum_s = np.minimum(now[None, :, None] + np.cumsum(inc, axis=2), np.maximum(prep.cap_wan[s_idx], now)[None, :, None])
    # registration month: registered already (0); waiting: after the months drawn from the hazards,
    # from the months waited (known) or from its start month (not observed: possibly before now)
    reg_month = np.zeros(u["registration"].shape, dtype=int)
    waiting = ~lst.registered()[s_idx]
    if waiting.any():
        start = np.maximum(lst.start_month[s_idx[waiting]], 1)
        uw = u["registration"][:, waiting]
        if lst.registration_known:
            rows = prep.registration[np.minimum(m0 - start + 1, prep.registration.shape[0] - 1), 1:]
            reg_month[:, waiting] = m0 + (uw[:, :, None] >= rows[None, :, :]).sum(axis=2) + 1
        else:
            reg_month[:, waiting] = start[None, :] + first_step(prep.registration[0], uw) - 1
    # what each draw adds after the as-of month: a project already counted in that draw adds its
    # growth, one registered later its whole year to date (the observed total is each draw's own start)
    out = (cum_s * (reg_month[:, :, None] <= after[None, None, :])).sum(axis=1) - (now[None, :] * (reg_month <= m0)).sum(axis=1)[:, None]

    # not started: a start month by the inverse of its distribution (13: not this year), then a
    # registration month from the start
    c = prep.candidates
    if c.size:
        p = prep.start_distribution(adj)
        cdf = np.cumsum(p[:, :NONE], axis=1)  # (k, 13)
        tau = (u["start"][:, :, None] >= cdf[None, :, :]).sum(axis=2)  # (draws, k): 0..13
        paths = np.minimum((prep.intensity * mult[c])[None, :, None] * prep.units[tau][:, :, after],
                           prep.cap_wan[c][None, :, None])
        r_month = tau + first_step(prep.registration[0], u["candidate_registration"]) - 1
        counted = (tau[:, :, None] < NONE) & (r_month[:, :, None] <= after[None, None, :])
        out += (paths * counted).sum(axis=1)
    return out
