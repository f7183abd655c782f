"""The built-in backtest: forecasts made on months hidden from them, scored against what happened.

For every year of the baseline and every as-of month m whose figures are published, the forecast is
made with the data up to m only (the baseline's later months blanked; the scheduling ledger as it
stood on the evaluation date, periods after m dropped — as if the later workbooks were removed)
and compared with the published cumulative growth of month m+1 and of the plan's target month
(jygproj.plan: November for the 2023 plan, 12% one month early; October for a plan two months early). Past years have no listed-project data: their forecasts are
the city's own run rate (the model's "city" mode). Scores: the mean absolute error in percentage
points of cumulative growth, and how often P10–P90 held the outcome.

The model's own error τ (jygproj.forecast.montecarlo) is calibrated in real time: the band of a case
made as of (year, m) uses τ from the cases whose outcome was already published by then (earlier
years, and months up to m of the same year), so the coverage reported is out of sample. τ is the
80th percentile, over those cases, of the τ each would have needed to fall inside P10–P90 on top of
the components' own spread — so P10–P90 holds about 80% of them.
"""

from __future__ import annotations

import contextvars
import json
from concurrent.futures import Executor, Future
from dataclasses import asdict, dataclass, fields

import numpy as np
import polars as pl

from jygproj.evaluation import EVALUATION_LAG_DAYS, Evaluation
from jygproj.forecast import history, listed as listed_mod, memo, model, montecarlo

Z80 = 1.2815515655446004  # P90 of a standard normal: P10–P90 = ±Z80 standard deviations
COVERAGE = 0.8


@dataclass
class Case:
    year: int
    as_of_month: int
    month: int  # the month predicted
    horizon: int  # months ahead
    mode: str  # "split" (listed projects used) or "city"
    predicted_growth_pct: float
    actual_growth_pct: float
    hold_growth_pct: float  # naive: the as-of month's growth held
    predicted_cum_wan: float
    actual_cum_wan: float
    added_wan: float  # what the forecast adds after the as-of month (for τ)
    components_sd_wan: float  # spread of the Monte Carlo without model error
    model_sigma: float = float("nan")
    p10_growth_pct: float = float("nan")
    p90_growth_pct: float = float("nan")

    @property
    def error_pp(self) -> float:
        return self.predicted_growth_pct - self.actual_growth_pct

    @property
    def covered(self) -> bool:
        return self.p10_growth_pct <= self.actual_growth_pct <= self.p90_growth_pct

    def needed_sigma(self) -> float:
        """The τ this case would have needed to fall inside P10–P90 (0 when the components do)."""
        gap = abs(self.actual_cum_wan - self.predicted_cum_wan) / Z80
        extra = max(gap ** 2 - self.components_sd_wan ** 2, 0.0)
        scale = self.added_wan * np.sqrt(self.horizon)
        return float(np.sqrt(extra) / scale) if scale > 0 else 0.0

    def as_json(self) -> dict:
        return {
            "as_of": f"{self.year}-{self.as_of_month:02d}", "month": self.month, "horizon": self.horizon,
            "mode": self.mode,
            "predicted_growth_pct": round(self.predicted_growth_pct, 2),
            "actual_growth_pct": round(self.actual_growth_pct, 2),
            "p10_growth_pct": round(self.p10_growth_pct, 2), "p90_growth_pct": round(self.p90_growth_pct, 2),
            "error_pp": round(self.error_pp, 2), "hold_growth_pct": round(self.hold_growth_pct, 2),
        }


#: The backtest's Monte Carlo per as-of month is bounded: draws × listed projects at most this (at
#: least MIN_DRAWS draws). A city's 193 projects keep the full draws; a province's 20,000 take 200,
#: enough for the components' spread, which the model error sized by the backtest dominates there.
CELLS = 4_000_000
MIN_DRAWS = 200


def draws_for(n_projects: int, draws: int) -> int:
    return max(MIN_DRAWS, min(draws, CELLS // max(n_projects, 1)))


MIN_KNOWN_CASES = 5  # fewer scored cases than this: the default τ (a quantile of two cases says little)


def calibrate_sigma(known: list[Case], default: float, min_cases: int = MIN_KNOWN_CASES) -> float:
    """τ: the 80th percentile of the τ the known cases needed (``default`` with fewer than
    ``min_cases`` known)."""
    if len(known) < min_cases:
        return default
    return float(np.quantile([c.needed_sigma() for c in known], COVERAGE))


def _years(baseline: pl.DataFrame) -> list[int]:
    return sorted(int(y) for y in baseline["year"].unique().to_list())


def run(projects: pl.DataFrame, memberships: pl.DataFrame, progress: pl.DataFrame, baseline: pl.DataFrame, *,
        profile: dict[int, float], target_month: int, lag_days: int = EVALUATION_LAG_DAYS,
        settings: model.Settings | None = None, project_shape: np.ndarray | None = None, draws: int = 1000,
        seed: int = 2023, default_sigma: float = 0.05,
        rho_se_floor: float = montecarlo.RHO_SE_FLOOR, workers: Executor | None = None) -> list[Case]:
    """Every case the baseline can score, in (year, as-of month, month) order, with real-time bands.

    ``target_month``: the plan's target month (jygproj.plan: the month the growth goal is judged by).
    Each forecast sees the ledger as it stood on its own evaluation date (jygproj.evaluation, the as-of
    month's end plus ``lag_days``). ``project_shape``: the construction intensity of a project
    (default: the seasonal profile, the one 序时进度 uses). Listed-project data are used for the latest
    baseline year only (the scheduling ledger covers one year). ``workers``: the forecasts with listed
    projects (each on its own as-of month, independent of the others) are made there, in threads
    (numpy and polars release the GIL), the same figures in the same order; None: one after another."""
    settings = settings or model.Settings()
    q = history.profile_shape(profile) if project_shape is None else project_shape
    years = _years(baseline)
    current = years[-1]
    levels = history.year_levels(baseline)

    def made(year: int, m: int, listed: bool) -> tuple[history.City, model.Forecast, montecarlo.Simulation]:
        city = history.city(baseline, year=year, as_of_month=m, profile=profile, levels=levels)
        lst = (listed_mod.build_listed(projects, memberships, progress, year=year, as_of_month=m,
                                       known_on=Evaluation(year, m, lag_days).date) if listed else None)
        fc = model.forecast(city, lst, settings, project_shape=q)
        return city, fc, montecarlo.simulate(fc, draws=draws, seed=seed, rho_se_floor=rho_se_floor)

    jobs = []
    for year in years:
        full = history.city(baseline, year=year, as_of_month=12, profile=profile, levels=levels)
        known = [m for m in range(2, 13) if not np.isnan(full.level_wan[m])]
        for m in known:
            targets = sorted({t for t in (m + 1, target_month) if t > m and t in known})
            if not targets:
                continue
            # the listed projects only where the forecast can use them (model.forecast's split
            # needs settings.min_split_months published months)
            listed = bool(year == current and progress.height and m - 1 >= settings.min_split_months)
            job = (workers.submit(contextvars.copy_context().run, made, year, m, listed) if workers and listed
                   else made(year, m, listed))
            jobs.append((year, m, targets, full, job))
    out: list[Case] = []
    sims: dict[tuple[int, int], montecarlo.Simulation] = {}
    for year, m, targets, full, job in jobs:
        city, fc, sim = job.result() if isinstance(job, Future) else job
        sims[(year, m)] = sim
        sd = sim.total_wan.std(axis=0)
        for t in targets:
            out.append(Case(year, m, t, t - m, fc.parts.mode, float(fc.growth_pct[t]), float(full.growth_pct[t]),
                            float(city.growth_pct[m]), float(fc.total_wan[t]), float(full.level_wan[t]),
                            float(fc.total_wan[t] - fc.total_wan[m]), float(sd[t])))
    _bands(out, sims, default_sigma)
    return out


def run_memoised(projects: pl.DataFrame, memberships: pl.DataFrame, progress: pl.DataFrame, baseline: pl.DataFrame,
                 *, workers: Executor | None = None, **arguments) -> list[Case]:
    """:func:`run`, kept on disk by the key of everything it reads (jygproj.forecast.memo): a second
    run on the same data reads the same cases back instead of making them again (the larger part of a
    province's forecast), float for float (JSON keeps a float's every digit). ``workers``
    (where, not what: no part of the key) as in :func:`run`."""
    names = [f.name for f in fields(Case)]

    def dump(cases: list[Case]) -> bytes:
        return json.dumps({"fields": names, "cases": [[getattr(c, n) for n in names] for c in cases]}).encode("utf-8")

    def load(blob: bytes) -> list[Case]:
        stored = json.loads(blob)
        if stored["fields"] != names:
            raise ValueError("fields")
        return [Case(**dict(zip(names, row))) for row in stored["cases"]]

    return memo.remembered("backtest", (projects, memberships, progress, baseline), arguments,
                           lambda: run(projects, memberships, progress, baseline, workers=workers, **arguments),
                           dump, load)


def _bands(cases: list[Case], sims: dict[tuple[int, int], montecarlo.Simulation], default_sigma: float) -> None:
    """P10/P90 of each case with τ from the cases published by its as-of month (out of sample), on
    the same draws as its components' spread."""
    by_as_of: dict[tuple[int, int], list[Case]] = {}
    for c in cases:
        by_as_of.setdefault((c.year, c.as_of_month), []).append(c)
    for (year, m), group in by_as_of.items():
        known = [c for c in cases if c.year < year or (c.year == year and c.month <= m)]
        tau = calibrate_sigma(known, default_sigma)
        g = sims[(year, m)].with_model_sigma(tau).growth_quantiles((10, 90))
        for c in group:
            c.model_sigma = tau
            c.p10_growth_pct, c.p90_growth_pct = float(g[10][c.month]), float(g[90][c.month])


def summary(cases: list[Case]) -> dict:
    """The JSON of ``jygproj backtest --json``: cases, MAE (pp of cumulative growth), coverage."""
    def mae(sel: list[Case], key=lambda c: c.error_pp) -> float | None:
        return round(float(np.mean([abs(key(c)) for c in sel])), 3) if sel else None

    one = [c for c in cases if c.horizon == 1]
    target = [c for c in cases if c.horizon > 1]
    return {
        "cases": [c.as_json() for c in cases],
        "mae_pp": mae(cases),
        "mae_pp_next_month": mae(one),
        "mae_pp_target_month": mae(target),
        "hold_mae_pp": mae(cases, lambda c: c.hold_growth_pct - c.actual_growth_pct),
        "coverage_p10_p90": round(float(np.mean([c.covered for c in cases])), 3) if cases else None,
        "mae_pp_by_mode": {mode: mae([c for c in cases if c.mode == mode]) for mode in sorted({c.mode for c in cases})},
        "mae_pp_next_month_by_mode": {mode: mae([c for c in one if c.mode == mode]) for mode in sorted({c.mode for c in one})},
        "cases_by_mode": {mode: sum(c.mode == mode for c in cases) for mode in sorted({c.mode for c in cases})},
    }


def case_frame(cases: list[Case]) -> pl.DataFrame:
    return pl.DataFrame([asdict(c) | {"error_pp": c.error_pp, "covered": c.covered} for c in cases])
