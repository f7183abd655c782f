"""One forecast, honest uncertainty: a Monte Carlo around the deterministic path, with or without a
scenario's adjustments (the planner's levers, jygproj.forecast.projects.Adjustments).

Each draw re-runs the parts of :mod:`jygproj.forecast.model` with their own measured uncertainty:
- other FAI: its run rate per month times (1 + noise), the noise sized by how far its own past
  months stray from its pattern (``Parts.other_sigma``), plus the error of a run rate from a few
  months (the same noise over the window's length);
- listed projects: each started project's run rate times a factor over the months ahead (its run
  rate's own error, of the measured ``Parts.pace_sigma`` widened by the months' noise); each project not started
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
from jygproj.forecast.projects import NEUTRAL, NONE, Adjustments

RHO_SE_FLOOR = 0.03  # a least-squares error at a bound is not known: at least this much
CELLS_PER_CHUNK = 2_000_000  # draws × projects per chunk of the listed simulation (~8 MB a single-precision array)


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
    return max(1, CELLS_PER_CHUNK // max(n, 1))


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
    plan = None
    for lo in range(0, draws, size):
        d = min(size, draws - lo)
        # the draws of a chunk, always in this order (common random numbers)
        z_rho = rng.standard_normal((d, 1))
        listed_u = _draw_listed_uniforms(rng, fc, d) if split else None
        plan = plan or (_listed_draws(fc, adj, after) if split else None)
        level_err = parts.other_sigma / np.sqrt(window.size) * rng.standard_normal((d, 1))
        month_err = parts.other_sigma * rng.standard_normal((d, after.size))
        added = np.zeros((d, after.size))
        rate = np.full((d, 1), parts.other_rate)
        rho = np.ones((d, 1))
        if split:
            rho = fc.rho + max(fc.rho_se if np.isfinite(fc.rho_se) else 0.0, rho_se_floor) * z_rho
            # a larger ρ leaves less to other FAI in the same months: its rate moves the other way
            rate = rate - (rho - fc.rho) * reg_inc[window].sum() / parts.other_shape[window].sum()
            added += rho * _registered_added(plan, fc, listed_u)
        added += np.cumsum(np.clip(rate * adj.other_factor, 0, None) * parts.other_shape[after][None, :]
                           * (1 + level_err + month_err), axis=1)
        added += rho * extra[after][None, :]
        components[lo:lo + d, after] = fc.total_wan[m0] + added
    z = rng.standard_normal((draws, 1))  # the model's own error, persistent within a draw
    total = _with_model_error(components, z, m0, model_sigma)
    growth = growth_of(total, city.base_wan[None, :])
    growth[:, :m0 + 1] = fc.growth_pct[:m0 + 1]
    return Simulation(draws, seed, model_sigma, total, growth, components, z, m0, city.base_wan)


MAX_MULTIPLIER = 3.0  # the planner's largest run-rate multiplier (list pace 1.5 × accelerate 2): a
# project whose cap cannot bind even then is simulated without the cap (the same in every scenario)


def _classes(fc: Forecast) -> dict[str, np.ndarray]:
    """The started projects by how a draw treats them, from the data alone (never the levers, so
    every scenario gets the same random numbers for the same project): ``free`` — counted by the
    statistics already; ``waiting`` — not yet registered; ``capped`` — near its total investment,
    whose cap may bind (each in one class, the cap first)."""
    prep = fc.parts.prepared
    cached = getattr(prep, "_mc_classes", None)
    if cached is not None:
        return cached
    lst, m0 = fc.listed, prep.m0
    s_idx = np.nonzero(prep.started)[0]
    reach = lst.cum_wan[s_idx, m0] + prep.rates[s_idx] * MAX_MULTIPLIER * 2.0 * prep.q[m0 + 1:].sum()
    capped = reach >= prep.cap_wan[s_idx]
    registered = lst.registered()[s_idx]
    prep._mc_classes = {"free": s_idx[~capped & registered], "waiting": s_idx[~capped & ~registered],
                        "capped": s_idx[capped]}
    return prep._mc_classes


def _draw_listed_uniforms(rng: np.random.Generator, fc: Forecast, d: int) -> dict[str, np.ndarray]:
    """The listed projects' random numbers for ``d`` draws (their shapes depend on the data only):
    single precision uniforms, each turned into its event or factor by an inverse distribution."""
    prep = fc.parts.prepared
    c = _classes(fc)
    k = prep.candidates.size
    f32 = np.float32
    out = {name: rng.random((d, c[name].size), dtype=f32) for name in ("free", "waiting", "capped")}
    out |= {f"{name}_registration": rng.random((d, c[name].size), dtype=f32) for name in ("waiting", "capped")}
    return out | {"start": rng.random((d, k), dtype=f32), "candidate_registration": rng.random((d, k), dtype=f32)}


# The listed projects' events, from their uniform draws u ∈ [0, 1) (numpy's single-precision uniforms)
# by the inverse of their cumulative distributions: the number of entries of a distribution at or
# below u (what a sorted search of u gives). The draws never ask for that number itself, only whether
# it has reached a month, or for few entries, so each is found in comparisons, not one sorted search
# per draw and project (the same integers: tests/test_forecast_mc_exact.py).


def _below(cdf: np.ndarray, step: np.ndarray) -> np.ndarray:
    """float32 thresholds, the shape of ``step``: u lies below its threshold exactly when the number
    of entries of ``cdf`` at or below u is at most ``step`` — u < cdf[step] for a nondecreasing
    ``cdf`` (a cumulative distribution), never for a negative step, always past its last entry."""
    width = cdf.size
    at = cdf[np.clip(step, 0, width - 1)].astype(np.float32)
    return np.where(step < 0, np.float32(-np.inf), np.where(step >= width, np.float32(np.inf), at))


@dataclass
class _Inverse:
    """The inverse for items each on one of a few distributions (``rows``, ``row``): an entry ≤ 0 is at
    or below every draw and one ≥ 1 none, so only the entries between are compared — a start's
    distribution has them in the months ahead only."""

    always: np.ndarray  # (k,) int8: entries ≤ 0 of each item's row
    between: np.ndarray  # (e, k) float32: its entries strictly between 0 and 1 (inf: none)

    @classmethod
    def of(cls, rows: np.ndarray, row: np.ndarray) -> "_Inverse":
        live = (rows > 0) & (rows < 1)
        cols = np.nonzero(live.any(axis=0))[0]
        between = np.where(live[row][:, cols], rows[row][:, cols], np.float32(np.inf)).T.astype(np.float32)
        return cls((rows <= 0).sum(axis=1)[row].astype(np.int8), np.ascontiguousarray(between))

    def __call__(self, u: np.ndarray) -> np.ndarray:
        out = np.broadcast_to(self.always, u.shape).copy()
        for line in self.between:
            out += line[None, :] <= u
        return out


def _pace_factor(u: np.ndarray, sigma: float) -> np.ndarray:
    """A project's run-rate factor over the months ahead from a uniform draw: uniform on [1 − a, 1 + a]
    with standard deviation ``sigma`` (mean one, never negative: a ≤ 1)."""
    half = np.float32(min(sigma * np.sqrt(3.0), 1.0))
    return u * (2 * half) + (1 - half)


@dataclass
class _ListedDraws:
    """What every chunk of draws needs for one scenario, computed once per simulation."""

    after: np.ndarray
    sigma: float
    work: dict[str, np.ndarray]  # class → (n, months after) cumulative work at its rate, from next month
    now: dict[str, np.ndarray]  # class → (n,) 1-X月 completion
    cap: np.ndarray  # (capped,) total investment
    #: class (waiting, capped) → (1 + months after, n): a started project is counted by the as-of
    #: month (line 0) and by each month ahead when its registration draw lies below the line (_below):
    #: after the months drawn from the registration hazards — from the months waited when the data
    #: say so, else from its start month (possibly before now); inf for one registered already
    counted_below: dict[str, np.ndarray]
    start_month: _Inverse  # the candidates' start months τ (13: not this year)
    #: (14, months after): a candidate started in τ is counted by each month ahead when its
    #: registration draw (the hazards from its start month) lies below line τ; never for τ = 13
    start_counted_below: np.ndarray
    units: np.ndarray  # (14, months after) unit paths of a start in τ, float32
    intensity: np.ndarray  # (k,) × multiplier
    candidate_cap: np.ndarray  # (k,)


def _listed_draws(fc: Forecast, adj: Adjustments, after: np.ndarray) -> _ListedDraws:
    prep, lst = fc.parts.prepared, fc.listed
    m0 = prep.m0
    f32 = np.float32
    mult = np.ones(prep.n) if adj.multiplier is None else adj.multiplier
    pause = np.zeros(prep.n, dtype=int) if adj.pause_months is None else adj.pause_months.astype(int)
    c = _classes(fc)
    work = {k: ((prep.rates[i] * mult[i])[:, None] * prep.spans[np.minimum(m0 + 1 + pause[i], 14)][:, after]).astype(f32)
            for k, i in c.items()}
    table = prep.registration[:, 1:].astype(f32)  # (DURATIONS, 13) registration event table
    months = np.concatenate([[m0], after])
    counted_below = {}
    for name in ("waiting", "capped"):
        i = c[name]
        below = np.full((months.size, i.size), np.inf, dtype=f32)
        w = ~lst.registered()[i]
        start = np.maximum(lst.start_month[i[w]], 1)
        if lst.registration_known:  # counted from m0 + 1 + the inverse at the duration waited
            durations = np.minimum(m0 - start + 1, table.shape[0] - 1)
            for d in np.unique(durations):
                cols = np.nonzero(w)[0][durations == d]
                below[:, cols] = _below(table[d], np.broadcast_to((months - m0 - 1)[:, None], (months.size, cols.size)))
        else:  # counted from its start month + the inverse of the first row
            below[:, w] = _below(table[0], months[:, None] - start[None, :])
        counted_below[name] = below
    start_below = _below(table[0], after[None, :] - np.arange(14)[:, None])
    start_below[NONE] = -np.inf
    cdf = np.cumsum(prep.start_distribution(adj)[:, :NONE], axis=1) if prep.candidates.size else np.zeros((0, 13))
    rows, which = np.unique(cdf, axis=0, return_inverse=True)
    cand = prep.candidates
    return _ListedDraws(after, fc.parts.pace_sigma * np.sqrt(1 + 1 / max(after.size, 1)), work,
                        {k: lst.cum_wan[i, m0] for k, i in c.items()}, prep.cap_wan[c["capped"]],
                        counted_below, _Inverse.of(rows.astype(f32), which.ravel()), start_below,
                        prep.units[:, after].astype(f32), (prep.intensity * mult[cand]).astype(f32),
                        prep.cap_wan[cand].astype(f32))


def _registered_added(plan: _ListedDraws, fc: Forecast, u: dict[str, np.ndarray]) -> np.ndarray:
    """(draws, months after as-of): R(t) − R(as-of) per draw — the registered listed projects'
    reported completion added, new registrations bringing their year to date.

    A started project's run rate carries one error over the months ahead (its rate comes from its
    last month, which had its own noise), of the measured month-to-month spread ``Parts.pace_sigma``
    widened by the months' own noise (× √(1 + 1/months ahead)); every draw is monotone in the levers.
    What a draw adds after the as-of month: a project already counted in that draw adds its growth,
    one registered later its whole year to date (the observed total is each draw's own start)."""
    after = plan.after
    # counted already, no cap in reach: the draws' factors times each project's path, one matrix product
    out = (_pace_factor(u["free"], plan.sigma) @ plan.work["free"]).astype(float)
    # not yet registered: by the month counted from, again matrix products (one per month ahead)
    if plan.now["waiting"].size:
        f = _pace_factor(u["waiting"], plan.sigma)
        r, below, now = u["waiting_registration"], plan.counted_below["waiting"], plan.now["waiting"]
        for j in range(after.size):
            counted = r < below[j + 1][None, :]
            out[:, j] += ((f * counted) @ plan.work["waiting"][:, j]).astype(float) + counted @ now
        out -= ((r < below[0][None, :]) @ now)[:, None]
    # near its total investment: one by one, capped
    if plan.now["capped"].size:
        now = plan.now["capped"]
        cum = np.minimum(now[None, :, None] + _pace_factor(u["capped"], plan.sigma)[:, :, None]
                         * plan.work["capped"][None, :, :], np.maximum(plan.cap, now)[None, :, None])
        r, below = u["capped_registration"], plan.counted_below["capped"]
        counted = np.less(r[:, :, None], below[1:].T[None, :, :], out=np.empty(cum.shape, dtype=bool))  # C order, as cum
        out += (cum * counted).sum(axis=1) - ((r < below[0][None, :]) @ now)[:, None]
    # not started: a start month by the inverse of its distribution (13: not this year), then a
    # registration month from the start
    if plan.intensity.size:
        tau = plan.start_month(u["start"])  # (draws, k): 0..13
        paths = np.minimum(plan.intensity[None, :, None] * plan.units[tau], plan.candidate_cap[None, :, None])
        counted = u["candidate_registration"][:, :, None] < plan.start_counted_below[tau]
        out += (paths * counted).sum(axis=1, dtype=float)
    return out
