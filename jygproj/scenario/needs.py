"""What the planner's answer means in 亿元 and in projects (issue 15, item 7).

- :func:`lever_effects_wan`: each lever's effect on the target month's cumulative (万元), the scenario
  against the same scenario with that one lever back at the baseline — the same change for both
  readings of the goal, since each reading's goal is a fixed amount (jygproj.growth.goal_amounts).
- :func:`month_needs`: what the months left to the target month need (万元 and year on year).
- :func:`what_it_takes`: the headline reading's shortfall (or margin) answered in lists and projects:
  the pace each list alone would need, and the fewest projects (of those that move the answer most,
  engine.tornado) whose acceleration closes the gap.

Pure functions of the engine's results; every figure is 万元 here, 亿元 only where the page shows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from jygproj import projection, schema
from jygproj.scenario.engine import Outcome, Reading
from jygproj.scenario.levers import PACE_LISTS, Levers, LeverSpecs


def target_wan(model, levers: Levers, target_month: int) -> float:
    """The projected cumulative to the target month (万元) for one set of levers."""
    return float(projection.run(model, levers).total_wan[target_month - 1])


def _without(levers: Levers, key: str) -> Levers:
    """``levers`` with one lever (``pace.<list>`` or a Levers field) back at its baseline value."""
    out = levers.copy()
    if key.startswith("pace."):
        out.pace_by_list.pop(key.split(".", 1)[1], None)
    else:
        setattr(out, key, getattr(Levers(), key))
    return out


LEVER_KEYS = tuple(f"pace.{k}" for k in PACE_LISTS) + (
    "new_start_delay_months", "start_probability", "other_change_pct", "accelerate", "exclude", "reserve_pull")


def lever_effects_wan(model, levers: Levers, target_month: int) -> dict[str, float]:
    """Per lever (LEVER_KEYS): target-month cumulative with the scenario minus with that lever at the
    baseline (万元; 0 for a lever not moved)."""
    now = target_wan(model, levers, target_month)
    out = {}
    for key in LEVER_KEYS:
        reset = _without(levers, key)
        out[key] = 0.0 if reset == levers else now - target_wan(model, reset, target_month)
    return out


def pace_step_effects_wan(model, levers: Levers, target_month: int, step: float = 0.1) -> dict[str, float]:
    """Per list: what ``step`` more of its pace multiplier adds to the target-month cumulative (万元)."""
    now = target_wan(model, levers, target_month)
    out = {}
    for k in PACE_LISTS:
        up = levers.copy()
        up.pace_by_list[k] = levers.pace(k) + step
        out[k] = target_wan(model, up, target_month) - now
    return out


def project_changes_wan(model, levers: Levers, base: Levers, target_month: int, top: int = 10) -> list[tuple[str, float]]:
    """The listed projects whose target-month statistical FAI the scenario changes most against ``base``:
    (name, 万元), largest change first (入统率 × each project's expected registered report, as
    engine.tornado computes it). Empty when the forecast could not split the city's FAI."""
    if not model.n or not model.levers_apply:
        return []
    prep = model.forecast.parts.prepared
    now = prep.expected(projection.resolve(model, levers))[1][:, target_month]
    was = prep.expected(projection.resolve(model, base))[1][:, target_month]
    delta = model.forecast.rho * (now - was)
    idx = np.argsort(-np.abs(delta), kind="stable")[:top]
    return [(str(model.names[i]), float(delta[i])) for i in idx if abs(delta[i]) >= 1]


@dataclass(frozen=True)
class MonthNeeds:
    months: tuple[int, int]  # first and last month left to the target month
    needed_wan: float  # what those months must add for the reading (万元)
    projected_wan: float  # what the scenario has them add
    prior_wan: float  # the same months last year (comparable basis)

    @property
    def yoy_pct(self) -> float | None:
        return (self.needed_wan / self.prior_wan - 1) * 100 if self.prior_wan > 0 else None

    @property
    def projected_yoy_pct(self) -> float | None:
        return (self.projected_wan / self.prior_wan - 1) * 100 if self.prior_wan > 0 else None


def month_needs(outcome: Outcome, reading: Reading) -> MonthNeeds | None:
    """What the months after the as-of month, to the target month, need for ``reading``; None when the
    target month is already published."""
    m0, t = outcome.model.as_of_month, outcome.goal.target_month
    if t <= m0:
        return None
    done = float(outcome.path.total_wan[m0 - 1])
    prior = outcome.path.comparable_prior_wan
    return MonthNeeds((m0 + 1, t), reading.goal_wan - done, reading.projected_wan - done,
                      float(prior[t - 1] - prior[m0 - 1]))


@dataclass
class WhatItTakes:
    short_wan: float  # > 0: the headline reading's shortfall; <= 0: its margin (−short)
    list_pace: dict[str, float | None] = field(default_factory=dict)  # list -> pace alone that closes it (None: cannot)
    list_max_gain_wan: dict[str, float] = field(default_factory=dict)  # list at its maximum pace: what it adds
    projects: list[tuple[str, str, float]] = field(default_factory=list)  # (name, list, 万元 gained), fewest first
    projects_cover: bool = False  # the projects listed close the gap
    multiplier: float = 1.5  # the acceleration the project answer assumes


def _pace_needed(model, levers: Levers, k: str, need_wan: float, t: int, lo: float, hi: float) -> float | None:
    """The smallest pace of list ``k`` in [lo, hi] whose target-month cumulative reaches need_wan (bisection:
    the cumulative rises with the pace)."""
    def at(p: float) -> float:
        lv = levers.copy()
        lv.pace_by_list[k] = p
        return target_wan(model, lv, t)

    if at(hi) < need_wan:
        return None
    for _ in range(30):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if at(mid) < need_wan else (lo, mid)
        if hi - lo < 0.005:
            break
    return hi


def what_it_takes(outcome: Outcome, tornado, specs: LeverSpecs) -> WhatItTakes:
    """The headline reading answered in lists and projects (see module docstring). ``tornado``: the
    scenario's engine.tornado frame (its high case is each project at ``tornado.high_multiplier``)."""
    model, levers, t = outcome.model, outcome.levers, outcome.goal.target_month
    r = outcome.headline
    out = WhatItTakes(short_wan=-r.margin_wan, multiplier=specs.param("tornado", "high_multiplier"))
    pace = specs["pace_by_list"]
    if out.short_wan > 0 and model.levers_apply:
        now = r.projected_wan
        for k in PACE_LISTS:
            top = levers.copy()
            top.pace_by_list[k] = pace.max
            out.list_max_gain_wan[k] = target_wan(model, top, t) - now
            out.list_pace[k] = (_pace_needed(model, levers, k, r.goal_wan, t, levers.pace(k), pace.max)
                                if out.list_max_gain_wan[k] > 0 else None)
        gained = 0.0
        if tornado is not None and not tornado.is_empty():
            for row in tornado.sort("high_delta_wan", descending=True).iter_rows(named=True):
                if row["high_delta_wan"] <= 0:
                    break
                out.projects.append((row["name"], row["list"], float(row["high_delta_wan"])))
                gained += row["high_delta_wan"]
                if gained >= out.short_wan:
                    out.projects_cover = True
                    break
    return out


def yi_text(wan: float) -> str:
    """An amount shown in 亿元 with two decimals and no sign (the words around it give the sign)."""
    return f"{abs(wan) / schema.WAN_PER_YI:,.2f}亿元"


def gap_words(margin_wan: float) -> str:
    """One sign convention for the page: a shortfall is 差 …亿元, a surplus 超 …亿元."""
    if round(margin_wan / schema.WAN_PER_YI, 2) == 0:
        return "持平"
    return ("超 " if margin_wan > 0 else "差 ") + yi_text(margin_wan)


def signed_yi(wan: float) -> str:
    """A change in 亿元 with its sign: +0.85亿元 / −0.30亿元."""
    v = wan / schema.WAN_PER_YI
    return "±0.00亿元" if round(v, 2) == 0 else f"{'+' if v > 0 else '−'}{abs(v):,.2f}亿元"

