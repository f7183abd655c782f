"""Scenario outcomes: the two readings of "12% one month early", margins, required extra investment,
and the tornado of the projects that move the answer most.

The plan (一 工作目标) asks for 12% FAI growth in 2023, reached one month early. Two readings
(domain page): ``level`` — January–November cumulative FAI reaches 1.12 × last year's full-year FAI;
``rate`` — January–November cumulative growth (comparable basis) is at least 12%. Both are always
computed; the ``headline`` lever picks the one shown first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from jygproj import projection, schema
from jygproj.projection import Model, Path
from jygproj.scenario.levers import HEADLINES, PACE_LISTS, Levers, LeverSpecs

NOVEMBER = 11  # "one month early": the goal is met with the January–November figure (一)
TARGET_PCT = 12.0  # 一 工作目标: FAI growth 12% (data/reference/targets_2023.yaml fai_growth_pct)


@dataclass(frozen=True)
class Reading:
    key: str  # "level" | "rate"
    label: str
    target_nov_wan: float  # what January–November must reach
    projected_nov_wan: float
    margin_wan: float  # projected − target at the end of November (negative: shortfall)
    met_month: int | None  # level: first month at the goal; rate: start of the final run at >= 12%
    met_by_november: bool
    extra_per_month_wan: float  # shortfall spread evenly over the remaining months to November

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key, "label": self.label,
            "target_nov_yi": round(schema.wan_to_yi(self.target_nov_wan), 4),
            "projected_nov_yi": round(schema.wan_to_yi(self.projected_nov_wan), 4),
            "margin_yi": round(schema.wan_to_yi(self.margin_wan), 4),
            "met_month": self.met_month, "met_by_november": self.met_by_november,
            "extra_per_month_yi": round(schema.wan_to_yi(self.extra_per_month_wan), 4),
        }


@dataclass
class Outcome:
    """One scenario's deterministic result."""

    model: Model
    levers: Levers
    path: Path
    readings: dict[str, Reading]
    target_pct: float

    @property
    def headline(self) -> Reading:
        return self.readings[self.levers.headline]

    def target_paths(self) -> tuple[np.ndarray, np.ndarray]:
        return target_paths(self.model, self.path, self.target_pct)

    def frame(self) -> pl.DataFrame:
        """Monthly frame: the projection plus both 12% paths (level_path_wan, rate_path_wan)."""
        level, rate = self.target_paths()
        return projection.path_frame(self.model, self.path).with_columns(
            pl.Series("level_path_wan", level), pl.Series("rate_path_wan", rate))

    def required_extra(self) -> pl.DataFrame:
        return required_extra(self.model, self.headline)

    def as_json(self) -> dict[str, Any]:
        return {
            "year": self.model.year, "as_of_month": self.model.as_of_month,
            "target_pct": self.target_pct, "headline": self.levers.headline,
            "headline_label": HEADLINES[self.levers.headline],
            "readings": {k: r.as_json() for k, r in self.readings.items()},
            "projected_dec_yi": round(schema.wan_to_yi(float(self.path.total_wan[11])), 4),
            "growth_nov_pct": round(float(self.path.growth_pct[NOVEMBER - 1]), 3),
            "growth_dec_pct": round(float(self.path.growth_pct[11]), 3),
        }


def target_paths(model: Model, path: Path, target_pct: float = TARGET_PCT) -> tuple[np.ndarray, np.ndarray]:
    """The two 12% paths, months 1..12.

    level: reaches (1 + target) × last year's full-year FAI in November, shaped like last year's
    months; rate: (1 + target) × last year's cumulative for the same months (comparable basis).
    """
    k = 1 + target_pct / 100
    base = path.comparable_prior_wan
    level = k * base[11] * base / base[NOVEMBER - 1]
    return level, k * base


def _readings(model: Model, path: Path, target_pct: float) -> dict[str, Reading]:
    k = 1 + target_pct / 100
    m0 = model.as_of_month
    remaining = max(NOVEMBER - m0, 0)
    total, growth = path.total_wan, path.growth_pct
    out = {}
    # level: cumulative FAI only grows, so the first month at the level stays met.
    level_target = k * path.comparable_prior_wan[11]
    hit = np.nonzero(total >= level_target)[0]
    level_month = int(hit[0]) + 1 if hit.size else None
    # rate: the earliest month of the final run of months (from 1-2月) at or above the target through
    # December, as jygproj.growth reads it; met by November when November's growth is at the target.
    ok = growth >= target_pct - 1e-9
    rate_month = None
    for m in range(12, 1, -1):
        if not ok[m - 1]:
            break
        rate_month = m
    rate_target = k * path.comparable_prior_wan[NOVEMBER - 1]
    for key, target, month in (("level", level_target, level_month), ("rate", rate_target, rate_month)):
        nov = float(total[NOVEMBER - 1])
        margin = nov - target
        extra = (-margin / remaining) if (margin < 0 and remaining) else 0.0
        out[key] = Reading(key, HEADLINES[key], float(target), nov, float(margin), month,
                           bool(margin >= -1e-6), float(extra))
    return out


def evaluate(model: Model, levers: Levers | None = None, target_pct: float = TARGET_PCT) -> Outcome:
    """Deterministic outcome of one set of levers (milliseconds, also at province scale)."""
    levers = levers or Levers()
    path = projection.run(model, levers)
    return Outcome(model, levers, path, _readings(model, path, target_pct), target_pct)


def required_extra(model: Model, reading: Reading) -> pl.DataFrame:
    """The shortfall at the end of November spread over the remaining months to November, evenly
    and by the seasonal profile (winter months can carry less). Empty when the reading is met."""
    m0 = model.as_of_month
    months = np.arange(m0 + 1, NOVEMBER + 1)
    short = max(-reading.margin_wan, 0.0)
    if not months.size or short == 0:
        return pl.DataFrame(schema={"month": pl.Int8, "even_wan": pl.Float64, "seasonal_wan": pl.Float64})
    shares = model.profile[months - 1] / model.profile[months - 1].sum()
    return pl.DataFrame({"month": months.astype(np.int8), "even_wan": np.full(months.size, short / months.size),
                         "seasonal_wan": short * shares})


def november_contributions(model: Model, weights: projection.Weights) -> np.ndarray:
    """(n,) each project's investment added from the as-of month to the end of November."""
    # share[e] = seasonal share of months e..November; 0 for starts after November.
    prof = model.profile
    tail = np.concatenate([np.cumsum(prof[:NOVEMBER][::-1])[::-1], [0.0, 0.0]])  # index e-1
    share = tail[np.clip(weights.start - 1, 0, 12)]
    return projection.expected_weight(weights) * share


def tornado(model: Model, levers: Levers, specs: LeverSpecs, target_pct: float = TARGET_PCT) -> pl.DataFrame:
    """The projects that move the headline margin most (top ``tornado.top_n``), vectorised.

    Each project's investment to November is linear in its multiplier, so its low and high cases are
    exact without rerunning: low = ``low_multiplier`` × (a project not started yet: does not start),
    high = ``high_multiplier`` ×. Columns: project_id, name, list, base_wan (its investment to
    November in this scenario), low_delta_wan, high_delta_wan, low_margin_yi, high_margin_yi, swing_wan.
    """
    lo, hi = specs.param("tornado", "low_multiplier"), specs.param("tornado", "high_multiplier")
    top_n = int(specs.param("tornado", "top_n"))
    w = projection.resolve(model, levers)
    contrib = november_contributions(model, w)
    low = np.where(w.unstarted, -contrib, (lo - 1) * contrib)
    high = (hi - 1) * contrib
    swing = high - low
    n = min(top_n, model.n)
    idx = np.argpartition(-swing, n - 1)[:n] if n < model.n else np.arange(model.n)
    idx = idx[np.lexsort((model.ids[idx].astype(str), -swing[idx]))]
    margin = evaluate(model, levers, target_pct).headline.margin_wan
    list_labels = np.array([schema.LISTS[k] for k in PACE_LISTS] + ["其他"], dtype=object)
    return pl.DataFrame({
        "project_id": model.ids[idx].astype(str),
        "name": model.names[idx].astype(str),
        "list": list_labels[model.primary_list[idx]].astype(str),
        "base_wan": contrib[idx],
        "low_delta_wan": low[idx],
        "high_delta_wan": high[idx],
        "low_margin_yi": (margin + low[idx]) / schema.WAN_PER_YI,
        "high_margin_yi": (margin + high[idx]) / schema.WAN_PER_YI,
        "swing_wan": swing[idx],
    })


