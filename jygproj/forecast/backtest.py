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

import hashlib
import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
import polars as pl

from jygproj.evaluation import EVALUATION_LAG_DAYS, Evaluation
from jygproj.forecast import history, listed as listed_mod, model, montecarlo

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
        rho_se_floor: float = montecarlo.RHO_SE_FLOOR) -> list[Case]:
    """Every case the baseline can score, in (year, as-of month, month) order, with real-time bands.

    ``target_month``: the plan's target month (jygproj.plan: the month the growth goal is judged by).
    Each forecast sees the ledger as it stood on its own evaluation date (jygproj.evaluation, the as-of
    month's end plus ``lag_days``). ``project_shape``: the construction intensity of a project
    (default: the seasonal profile, the one 序时进度 uses). Listed-project data are used for the latest
    baseline year only (the scheduling ledger covers one year)."""
    settings = settings or model.Settings()
    q = history.profile_shape(profile) if project_shape is None else project_shape
    years = _years(baseline)
    current = years[-1]
    out: list[Case] = []
    sims: dict[tuple[int, int], montecarlo.Simulation] = {}
    for year in years:
        full = history.city(baseline, year=year, as_of_month=12, profile=profile)
        known = [m for m in range(2, 13) if not np.isnan(full.level_wan[m])]
        for m in known:
            targets = sorted({t for t in (m + 1, target_month) if t > m and t in known})
            if not targets:
                continue
            city = history.city(baseline, year=year, as_of_month=m, profile=profile)
            # the listed projects only where the forecast can use them (model.forecast's split
            # needs settings.min_split_months published months)
            lst = (listed_mod.build_listed(projects, memberships, progress, year=year, as_of_month=m,
                                           known_on=Evaluation(year, m, lag_days).date)
                   if year == current and progress.height and m - 1 >= settings.min_split_months else None)
            fc = model.forecast(city, lst, settings, project_shape=q)
            sim = sims[(year, m)] = montecarlo.simulate(fc, draws=draws, seed=seed, rho_se_floor=rho_se_floor)
            sd = sim.total_wan.std(axis=0)
            for t in targets:
                out.append(Case(year, m, t, t - m, fc.parts.mode, float(fc.growth_pct[t]), float(full.growth_pct[t]),
                                float(city.growth_pct[m]), float(fc.total_wan[t]), float(full.level_wan[t]),
                                float(fc.total_wan[t] - fc.total_wan[m]), float(sd[t])))
    _bands(out, sims, default_sigma)
    return out


#: Where :func:`run_memoised` keeps the cases it made (git-ignored, beside the Parquet copies; made
#: again by any run). The environment variable names another folder, or "0" / "" for none.
MEMO_ENV = "JYGPROJ_BACKTEST_MEMO"
MEMO_KEEP = 32  # newest memo files kept
#: The code the cases come from (besides numpy and polars): a change in any of them is a new key.
_CODE = ("forecast/backtest.py", "forecast/history.py", "forecast/listed.py", "forecast/model.py",
         "forecast/montecarlo.py", "forecast/projects.py", "ledger.py", "evaluation.py", "schema.py")


def memo_dir() -> Path | None:
    given = os.environ.get(MEMO_ENV)
    if given is not None:
        return Path(given) if given not in ("", "0") else None
    from jygproj import paths

    return paths.DATA / "parquet" / ".memo" / "backtest"


def _frame_digest(frame: pl.DataFrame) -> str:
    """Content of a frame: its schema and every row's hash (polars' row hash is stable within one
    polars version, which is part of the key). Categoricals are hashed by their text."""
    frame = frame.with_columns(pl.col(pl.Categorical).cast(pl.String))
    h = hashlib.sha256(repr(list(frame.schema.items())).encode("utf-8"))
    h.update(frame.hash_rows(seed=0).to_numpy().tobytes())
    return h.hexdigest()


def memo_key(frames: tuple[pl.DataFrame, ...], arguments: dict) -> str:
    """The key of one backtest: the frames' content, every argument, the versions of numpy and
    polars and the source of the modules the cases are computed by."""
    import jygproj

    h = hashlib.sha256()
    for f in frames:
        h.update(_frame_digest(f).encode())
    for name, value in sorted(arguments.items()):
        if isinstance(value, np.ndarray):
            value = (value.dtype.str, value.shape, value.tobytes().hex())
        elif isinstance(value, dict):
            value = sorted(value.items())
        h.update(f"{name}={value!r};".encode("utf-8"))
    h.update(f"numpy {np.__version__} polars {pl.__version__}".encode())
    root = Path(jygproj.__file__).parent
    for rel in _CODE:
        h.update((root / rel).read_bytes())
    return h.hexdigest()[:32]


def run_memoised(projects: pl.DataFrame, memberships: pl.DataFrame, progress: pl.DataFrame, baseline: pl.DataFrame,
                 **arguments) -> list[Case]:
    """:func:`run`, kept on disk by the key of everything it reads (:func:`memo_key`): a second run
    on the same data (a report made again, a unit's report after the city's) reads the same cases
    back instead of making them again (4–5 s for a province's 20,000 projects). The cases read back
    are those :func:`run` made, float for float (JSON keeps a float's every digit)."""
    folder = memo_dir()
    if folder is None:
        return run(projects, memberships, progress, baseline, **arguments)
    try:
        key = memo_key((projects, memberships, progress, baseline), arguments)
    except (pl.exceptions.PolarsError, TypeError, ValueError, OSError):  # a column polars cannot hash
        return run(projects, memberships, progress, baseline, **arguments)
    path = folder / f"{key}.json"
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        names = [f.name for f in fields(Case)]
        if stored.get("key") == key and stored.get("fields") == names:
            return [Case(**dict(zip(names, row))) for row in stored["cases"]]
    except (OSError, ValueError, TypeError, KeyError):
        pass
    cases = run(projects, memberships, progress, baseline, **arguments)
    _store(folder, path, key, cases)
    return cases


def _store(folder: Path, path: Path, key: str, cases: list[Case]) -> None:
    from jygproj import outputs

    names = [f.name for f in fields(Case)]
    text = json.dumps({"key": key, "fields": names, "cases": [[getattr(c, n) for n in names] for c in cases]})
    try:
        outputs.write_atomic(path, text)
        kept = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[MEMO_KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:  # a read-only checkout: the cases are made each time
        pass


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
