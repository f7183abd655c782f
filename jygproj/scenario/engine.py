"""Scenario outcomes: the two readings of the plan's growth goal, margins, required extra investment,
and the tornado of the projects that move the answer most.

The plan (一 工作目标) sets a growth rate for the year and a target month (2023: 12%, one month early,
so November; jygproj.plan). Two readings (domain page): ``level`` — the cumulative to the target
month reaches (1 + g) × last year's full-year FAI; ``rate`` — the cumulative growth to the target
month (comparable basis) is at least g. Both are always computed, by the one evaluator the quarterly
tracker uses (jygproj.growth.evaluate_goal); the ``headline`` lever picks the one shown first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import polars as pl

from jygproj import growth, projection, schema
from jygproj.growth import Goal
from jygproj.plan import Plan, load_plan
from jygproj.projection import Model, Path
from jygproj.scenario.levers import PACE_LISTS, Levers, LeverSpecs


@dataclass(frozen=True)
class Reading:
    key: str  # "level" | "rate"
    label: str
    goal_wan: float  # what the cumulative to the target month must reach
    projected_wan: float  # the projected cumulative to the target month
    margin_wan: float  # projected − goal at the target month (negative: shortfall)
    met_month: int | None  # level: first month at the goal; rate: start of the final run at the target
    met_early: bool  # met by the target month
    extra_per_month_wan: float  # shortfall spread evenly over the remaining months to the target month

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key, "label": self.label,
            "goal_yi": round(schema.wan_to_yi(self.goal_wan), 4),
            "projected_target_month_yi": round(schema.wan_to_yi(self.projected_wan), 4),
            "margin_yi": round(schema.wan_to_yi(self.margin_wan), 4),
            "met_month": self.met_month, "met_early": self.met_early,
            "extra_per_month_yi": round(schema.wan_to_yi(self.extra_per_month_wan), 4),
        }


@dataclass
class Outcome:
    """One scenario's deterministic result."""

    model: Model
    levers: Levers
    path: Path
    readings: dict[str, Reading]
    goal: Goal

    @property
    def headline(self) -> Reading:
        return self.readings[self.levers.headline]

    def target_paths(self) -> tuple[np.ndarray, np.ndarray]:
        return target_paths(self.model, self.path, self.goal)

    def frame(self) -> pl.DataFrame:
        """Monthly frame: the projection plus both paths of the goal (level_path_wan, rate_path_wan)."""
        level, rate = self.target_paths()
        return projection.path_frame(self.model, self.path).with_columns(
            pl.Series("level_path_wan", level), pl.Series("rate_path_wan", rate)).with_columns(
            pl.col("level_path_wan").fill_nan(None))

    def required_extra(self) -> pl.DataFrame:
        return required_extra(self.model, self.headline, self.goal.target_month)

    def as_json(self) -> dict[str, Any]:
        return {
            "year": self.model.year, "as_of_month": self.model.as_of_month,
            "target_pct": self.goal.growth_pct, "target_month": self.goal.target_month,
            "headline": self.levers.headline,
            "headline_label": self.readings[self.levers.headline].label,
            "readings": {k: r.as_json() for k, r in self.readings.items()},
            "projected_dec_yi": round(schema.wan_to_yi(float(self.path.total_wan[11])), 4),
            "growth_target_month_pct": round(float(self.path.growth_pct[self.goal.target_month - 1]), 3),
            "growth_dec_pct": round(float(self.path.growth_pct[11]), 3),
        }


def target_paths(model: Model, path: Path, goal: Goal) -> tuple[np.ndarray, np.ndarray]:
    """The two paths of the goal, months 1..12, as the quarterly tracker draws them (jygproj.growth):
    level — the cumulative needed from the as-of month's actual to the level goal at the target
    month, the shortfall spread by the seasonal profile (NaN outside those months); rate — the growth
    line, (1 + g) × last year's comparable cumulative."""
    m0, base = model.as_of_month, path.comparable_prior_wan
    goal_wan = growth.goal_amounts(base, goal)["level"]
    profile = {m: float(model.profile[m - 1]) for m in range(1, 13)}
    level = np.full(12, np.nan)
    for m, v in growth.need_path(float(path.total_wan[m0 - 1]), float(goal_wan), m0, goal.target_month,
                                 profile).items():
        level[m - 1] = v
    return level, growth.rate_line(base, goal)


def _readings(model: Model, path: Path, goal: Goal, labels: dict[str, str]) -> dict[str, Reading]:
    """Both readings by the one evaluator of the goal (jygproj.growth.evaluate_goal)."""
    ev = growth.evaluate_goal(path.total_wan, path.comparable_prior_wan, path.growth_pct, goal=goal,
                              as_of_month=model.as_of_month)
    return {key: Reading(key, labels[key], float(r["goal_wan"]), float(r["at_target_wan"]), float(r["margin_wan"]),
                         r["met_month"], bool(r["met_early"]), float(r["extra_per_month_wan"]))
            for key, r in ev.items()}


def _plan_of(model: Model) -> Plan:
    """The plan of the model's year (jygproj.plan.load_plan; normally the one the model was built for),
    read once per model: a slider move does not look the file up again."""
    if model.plan is None or model.plan.year != model.year:
        model.plan = load_plan(model.year)
    return model.plan


def evaluate(model: Model, levers: Levers | None = None, plan: Plan | None = None) -> Outcome:
    """Deterministic outcome of one set of levers (milliseconds, also at province scale), judged by the
    goal of ``plan`` (default: the plan of the model's year, jygproj.plan.load_plan)."""
    plan = plan or _plan_of(model)
    levers = levers or Levers()
    path = projection.run(model, levers)
    return Outcome(model, levers, path, _readings(model, path, plan.goal, plan.words.reading_short), plan.goal)


def required_extra(model: Model, reading: Reading, target_month: int) -> pl.DataFrame:
    """The shortfall at the target month spread over the remaining months to it, evenly and by the
    seasonal profile (winter months can carry less). Empty when the reading is met."""
    m0 = model.as_of_month
    months = np.arange(m0 + 1, target_month + 1)
    short = max(-reading.margin_wan, 0.0)
    if not months.size or short == 0:
        return pl.DataFrame(schema={"month": pl.Int8, "even_wan": pl.Float64, "seasonal_wan": pl.Float64})
    shares = model.profile[months - 1] / model.profile[months - 1].sum()
    return pl.DataFrame({"month": months.astype(np.int8), "even_wan": np.full(months.size, short / months.size),
                         "seasonal_wan": short * shares})


TORNADO_COLUMNS = {"project_id": pl.String, "name": pl.String, "list": pl.String, "base_wan": pl.Float64,
                   "low_delta_wan": pl.Float64, "high_delta_wan": pl.Float64, "low_margin_yi": pl.Float64,
                   "high_margin_yi": pl.Float64, "swing_wan": pl.Float64}


def tornado(model: Model, levers: Levers, specs: LeverSpecs, plan: Plan | None = None) -> pl.DataFrame:
    """The projects that move the headline margin most (top ``tornado.top_n``), vectorised.

    Each project's statistical FAI to the target month (入统率 × its expected registered report,
    jygproj.forecast.projects) is re-run for every project at once (projects are independent) in a
    low case — ``low_multiplier`` × its intensity, a project not started yet does not start — and a
    high case, ``high_multiplier`` ×. Columns: project_id, name, list, base_wan (what it adds to the
    city's FAI by the target month in this scenario), low_delta_wan, high_delta_wan, low_margin_yi,
    high_margin_yi, swing_wan. Empty when the forecast could not split the city's FAI.
    """
    lo, hi = specs.param("tornado", "low_multiplier"), specs.param("tornado", "high_multiplier")
    top_n = int(specs.param("tornado", "top_n"))
    plan = plan or _plan_of(model)
    if not model.n or not model.levers_apply:
        return pl.DataFrame(schema=TORNADO_COLUMNS)
    t, m0 = plan.goal.target_month, model.as_of_month
    adj = projection.resolve(model, levers)
    fc = model.forecast
    prep = fc.parts.prepared
    base = prep.expected(adj)[1]
    low = prep.expected(replace(adj, multiplier=np.where(prep.started, adj.multiplier * lo, 0.0)))[1][:, t]
    high = prep.expected(replace(adj, multiplier=adj.multiplier * hi))[1][:, t]
    rho = fc.rho
    contrib = rho * (base[:, t] - base[:, m0]) if t > m0 else np.zeros(model.n)
    low_delta, high_delta = rho * (low - base[:, t]), rho * (high - base[:, t])
    swing = high_delta - low_delta
    n = min(top_n, model.n)
    idx = np.argpartition(-swing, n - 1)[:n] if n < model.n else np.arange(model.n)
    idx = idx[np.lexsort((model.ids[idx].astype(str), -swing[idx]))]
    margin = evaluate(model, levers, plan).headline.margin_wan
    list_labels = np.array([schema.LISTS[k] for k in PACE_LISTS] + ["其他"], dtype=object)
    return pl.DataFrame({
        "project_id": model.ids[idx].astype(str),
        "name": model.names[idx].astype(str),
        "list": list_labels[model.primary_list[idx]].astype(str),
        "base_wan": contrib[idx],
        "low_delta_wan": low_delta[idx],
        "high_delta_wan": high_delta[idx],
        "low_margin_yi": (margin + low_delta[idx]) / schema.WAN_PER_YI,
        "high_margin_yi": (margin + high_delta[idx]) / schema.WAN_PER_YI,
        "swing_wan": swing[idx],
    }, schema=TORNADO_COLUMNS)
