"""Scenario planner speed (issue 6): recompute after a slider move, and Monte Carlo with 10,000 draws,
for a city (the embedded sample, or a synthetic 200-project city when it is absent) and a synthetic
province (20,000 projects, canonical frames built in numpy, the model built once as the planner does:
the FAI forecast with its backtest, jygproj.forecast).

Goals: city deterministic <= 50 ms median, Monte Carlo 10,000 <= 1 s; province deterministic
<= 0.5 s, Monte Carlo 10,000 <= 10 s.

Run alone: `.venv/bin/python -m benchmarks.bench_scenario [N_PROJECTS]` prints the figures;
`make bench` runs it with the others through the harness.
"""

from __future__ import annotations

import sys
import time
from datetime import date

import numpy as np
import polars as pl

from benchmarks.harness import Case
from jygproj import projection, schema
from jygproj.paths import SAMPLE_2023
from jygproj.reference import load_seasonal_profile
from jygproj.scenario import engine, montecarlo
from jygproj.scenario.levers import PACE_LISTS, Levers, load_lever_specs

SLIDER_MOVE = Levers(pace_by_list={"provincial_major": 1.2, "industrial": 1.1}, new_start_delay_months=1)


def synthetic_frames(n: int, seed: int = 1) -> dict[str, pl.DataFrame]:
    """Canonical frames for ``n`` projects as of October: plans, progress, a baseline that the
    projects make up about 60% of."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"P{i:06d}" for i in range(n)])
    annual = rng.lognormal(7.5, 1.0, n)  # 万元: median ~1800
    new = rng.random(n) < 0.4
    start_month = np.where(new, rng.integers(1, 13, n), 1)
    planned = [date(2023, int(m), 1) if nw else date(2022, 5, 1) for m, nw in zip(start_month, new)]
    profile = load_seasonal_profile()
    cum = np.concatenate([[0.0], np.cumsum([profile[m] for m in range(1, 13)])])
    due = annual * np.where(start_month <= 10, (cum[10] - cum[start_month - 1]) / (1 - cum[start_month - 1]), 0)
    started = (~new) | ((start_month <= 10) & (rng.random(n) < 0.85))
    done = np.where(started, due * rng.lognormal(-0.05, 0.3, n), 0.0)
    lists = np.array(PACE_LISTS)[rng.integers(0, len(PACE_LISTS), n)]
    projects = schema.conform(pl.DataFrame({
        "project_id": ids, "name": [f"项目{i}" for i in range(n)],
        "nature": np.where(new, "new", "continuing"), "annual_plan_wan": annual, "planned_start": planned,
    }), schema.PROJECTS)
    memberships = schema.conform(pl.DataFrame({"project_id": ids, "list": lists, "annual_plan_wan": annual}),
                                 schema.MEMBERSHIPS)
    progress = schema.conform(pl.DataFrame({
        "project_id": ids, "list": lists, "period": ["2023-10"] * n, "completed_ytd_wan": done,
        "started": started, "revision": np.zeros(n, dtype=np.int32),
    }), schema.PROGRESS)
    listed = float(done.sum())
    prior = {m: listed / 0.6 / 1.1 * cum[m] / cum[10] for m in range(2, 13)}
    baseline = schema.conform(pl.DataFrame({
        "year": [2023] * 11, "month": list(range(2, 13)), "prior_cum_wan": [prior[m] for m in range(2, 13)],
        "current_cum_wan": [prior[m] * 1.1 if m <= 10 else None for m in range(2, 13)],
        "growth_pct": [10.0 if m <= 10 else None for m in range(2, 13)],
    }), schema.BASELINE)
    reserve = schema.conform(pl.DataFrame({"project_id": ["R1"], "name": ["储备"], "first_year_wan": [1000.0]}),
                             schema.RESERVE)
    return {"projects": projects, "memberships": memberships, "progress": progress, "baseline": baseline,
            "reserve": reserve}


def province_model(n: int = 20_000) -> projection.Model:
    return projection.build_model(**synthetic_frames(n), as_of="2023-10", profile=load_seasonal_profile())


def city_model() -> projection.Model:
    if SAMPLE_2023.is_dir() and any(SAMPLE_2023.glob("*.xlsx")):
        from jygproj.scenario.files import load_planner

        return load_planner(SAMPLE_2023)[0].model
    return province_model(200)


SPECS = load_lever_specs()


def recompute(model: projection.Model):
    """What a slider move does: levers → outcome (both readings) and the tornado."""
    outcome = engine.evaluate(model, SLIDER_MOVE)
    engine.tornado(model, SLIDER_MOVE, SPECS)
    return outcome


def monte_carlo(model: projection.Model):
    return montecarlo.simulate(model, SLIDER_MOVE, draws=10_000, seed=2023)


def cases():
    return [
        Case("scenario: city recompute after a slider move", setup=city_model, run=recompute, repeat=20,
             goal_s=0.05, note="deterministic outcome + tornado; sample data when present"),
        Case("scenario: city Monte Carlo 10,000 draws", setup=city_model, run=monte_carlo, repeat=5, goal_s=1.0),
        Case("scenario: province model build (20,000 projects)", setup=lambda: synthetic_frames(20_000),
             run=lambda f: projection.build_model(**f, as_of="2023-10", profile=load_seasonal_profile()),
             repeat=3, note="once per data load, not per slider move"),
        Case("scenario: province recompute after a slider move (20,000 projects)", setup=province_model,
             run=recompute, repeat=10, goal_s=0.5),
        Case("scenario: province Monte Carlo 10,000 draws (20,000 projects)", setup=province_model,
             run=monte_carlo, repeat=3, goal_s=10.0),
    ]


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    for label, build in (("city", city_model), (f"province {n}", lambda: province_model(n))):
        t = time.perf_counter()
        model = build()
        print(f"{label}: model of {model.n} projects built in {time.perf_counter() - t:.2f} s")
        times = []
        for _ in range(10):
            t = time.perf_counter()
            recompute(model)
            times.append(time.perf_counter() - t)
        print(f"  recompute median {np.median(times) * 1000:.1f} ms (min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f})")
        t = time.perf_counter()
        mc = monte_carlo(model)
        print(f"  Monte Carlo 10,000: {time.perf_counter() - t:.2f} s  P(level)={mc.probability['level']:.2%}"
              f"  P(rate)={mc.probability['rate']:.2%}")
