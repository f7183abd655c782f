"""The planner's model: the FAI forecast (jygproj.forecast) with the scenario levers as adjustments of
its parts, so the baseline scenario IS the forecast the quarterly report shows.

The forecast splits the city's FAI into other FAI and the listed projects' statistical FAI (入统率 ×
the registered projects' reports, 调度数 vs 统计数) and projects each part from the city's own data
(jygproj.forecast.model). A lever never replaces that: it multiplies a part (jygproj.forecast.
projects.Adjustments):
- list pace, accelerate, exclude: × each project's run rate (or, not started, its plan intensity);
- defer: months without work from next month (not started: a later start);
- start_probability: × the measured start hazards; new_start_delay_months: later starts;
- other_change_pct: other FAI's run rate × (1 + pct/100);
- reserve_pull: hypothetical projects reporting their first-year investment along the seasonal
  profile from their start month, counted at 入统率 (假设).
With the default levers every adjustment is neutral: the path is the forecast's, and the Monte Carlo
(jygproj.scenario.montecarlo: the forecast's own simulation) has its median on it.

:func:`build_model` runs the forecast once (or takes the one the quarterly review made);
:func:`run` applies levers in a few numpy operations over per-project arrays (no Python loop per
project), so a slider move on a province (20,000 projects) takes milliseconds. :func:`project` is
the frame API (reserve pipeline, tests).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import polars as pl

from jygproj.errors import JygprojError
from jygproj.evaluation import Evaluation, evaluation
from jygproj.forecast import Result, forecast_city
from jygproj.forecast.model import ScenarioPath, scenario_path
from jygproj.forecast.projects import Adjustments
from jygproj.scenario.levers import PACE_LISTS, Levers

NO_START = 13  # "start month" of a project that does not start this year


class ProjectionError(JygprojError, ValueError):
    """Input that cannot be projected; Chinese message with an English code."""


@dataclass
class Model:
    """The forecast and the per-project arrays the levers need (see :func:`build_model`)."""

    result: Result  # the forecast (the quarterly review's, when it made one)
    profile: np.ndarray  # (12,) seasonal shares, January first (reserve pulls, extra needed by month)
    ids: np.ndarray  # (n,) project_id of the listed projects, in the forecast's order
    names: np.ndarray  # (n,)
    primary_list: np.ndarray  # (n,) index into PACE_LISTS: the first list the project sits on
    prior_cum_wan: np.ndarray  # (12,) the baseline's prior-year 1-X月 cumulative as published (January first)
    reserve_ids: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    reserve_names: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    reserve_first_year_wan: np.ndarray = field(default_factory=lambda: np.array([], dtype=float))
    index: dict[str, int] = field(default_factory=dict)  # project_id -> position
    reserve_index: dict[str, int] = field(default_factory=dict)
    #: the plan whose goal outcomes are judged by (jygproj.plan.Plan)
    plan: Any = field(default=None, repr=False, compare=False)

    @property
    def forecast(self):
        return self.result.forecast

    @property
    def year(self) -> int:
        return self.result.evaluation.year

    @property
    def as_of_month(self) -> int:
        return self.result.as_of_month

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def levers_apply(self) -> bool:
        """False when the forecast could not split the city's FAI (too few months, no listed
        data): it goes on at the city's own run rate and the project levers change nothing."""
        return self.forecast.parts.mode == "split"

    @property
    def comparable_prior_wan(self) -> np.ndarray:
        """(12,) the comparable base growth is measured on (可比口径, rescaled to the as-of month's
        published rate: jygproj.forecast.history, the same rule as jygproj.growth)."""
        return self.forecast.city.base_wan[1:]

    @property
    def actual_cum_wan(self) -> np.ndarray:
        out = self.forecast.city.level_wan[1:].copy()
        out[self.as_of_month:] = np.nan
        return out

    def names_by_id(self) -> dict[str, str]:
        out = dict(zip(self.ids.tolist(), self.names.tolist()))
        out.update(zip(self.reserve_ids.tolist(), self.reserve_names.tolist()))
        return out


def _primary_lists(memberships: pl.DataFrame, ids: np.ndarray) -> np.ndarray:
    """(n,) the first list (in PACE_LISTS order) each project sits on."""
    rank = (memberships.filter(pl.col("list").cast(pl.String) != "reserve")
            .with_columns(pl.col("list").cast(pl.String)
                          .replace_strict({k: i for i, k in enumerate(PACE_LISTS)}, default=len(PACE_LISTS),
                                          return_dtype=pl.Int32).alias("_rank"))
            .group_by("project_id").agg(pl.col("_rank").min()))
    found = dict(zip(rank["project_id"].to_list(), rank["_rank"].to_list()))
    return np.array([found.get(pid, len(PACE_LISTS)) for pid in ids.tolist()], dtype=np.int64)


def _prior(baseline: pl.DataFrame, year: int) -> np.ndarray:
    out = np.full(12, np.nan)
    rows = baseline.filter((pl.col("year") == year) & pl.col("prior_cum_wan").is_not_null())
    out[rows["month"].to_numpy().astype(int) - 1] = rows["prior_cum_wan"].to_numpy().astype(float)
    return out


def build_model(
    projects: pl.DataFrame,
    memberships: pl.DataFrame,
    progress: pl.DataFrame,
    baseline: pl.DataFrame,
    *,
    as_of: str | date | Evaluation,
    profile: dict[int, float],
    reserve: pl.DataFrame | None = None,
    plan: Any = None,
    result: Result | None = None,
) -> Model:
    """The planner's model from canonical frames (schema.PROJECTS/MEMBERSHIPS/PROGRESS/BASELINE):
    the forecast as of the evaluation ``as_of`` (jygproj.evaluation: the ledger as it stood on its
    date) for the goal of ``plan`` (default: the plan of the as-of year), or ``result`` when the
    forecast was made already (the quarterly review's: one forecast for report and planner)."""
    from jygproj.plan import load_plan

    ev = evaluation(as_of)
    if not 2 <= ev.month <= 11:
        raise ProjectionError(f"推演基准月应为 2–11 月，实际为 {ev.month} 月（12月全年均为实际数，无需推演）",
                              "as_of_out_of_range")
    plan = plan or load_plan(ev.year)
    if result is None:
        try:
            result = forecast_city(projects, memberships, progress, baseline, as_of=ev, goal=plan.goal,
                                   profile=profile)
        except JygprojError as exc:
            raise ProjectionError(str(exc).rsplit(" [", 1)[0], exc.code) from exc
    lst = result.forecast.listed
    ids = lst.ids if lst is not None else np.array([], dtype=object)
    model = Model(
        result=result, profile=np.array([profile[m] for m in range(1, 13)], dtype=float), ids=ids,
        names=lst.names if lst is not None else np.array([], dtype=object),
        primary_list=_primary_lists(memberships, ids), prior_cum_wan=_prior(baseline, ev.year), index={pid: i for i, pid in enumerate(ids.tolist())},
        plan=plan)
    if reserve is not None and reserve.height:
        r = reserve.select("project_id", "name", "first_year_wan").unique("project_id", keep="first").sort("project_id")
        model.reserve_ids = r["project_id"].to_numpy().astype(object)
        model.reserve_names = r["name"].to_numpy().astype(object)
        model.reserve_first_year_wan = r["first_year_wan"].fill_null(0.0).to_numpy().astype(float)
        model.reserve_index = {pid: i for i, pid in enumerate(model.reserve_ids.tolist())}
    return model


# --- applying levers ------------------------------------------------------------------------------


def lookup(model: Model, pid: str, lever: str) -> int:
    try:
        return model.index[pid]
    except KeyError:
        raise ProjectionError(f"杠杆 {lever} 指定的项目 {pid!r} 不在清单项目中", "unknown_project") from None


def reserve_reports(model: Model, levers: Levers) -> np.ndarray:
    """(13,) cumulative reports of the pulled reserve projects (hypothetical, 假设): each its
    first-year investment along the seasonal profile from its start month (never before next month)."""
    out = np.zeros(13)
    m0 = model.as_of_month
    for pid, pull in levers.reserve_pull.items():
        if pid not in model.reserve_index:
            raise ProjectionError(f"储备项目提前开工指定的项目 {pid!r} 不在储备项目库中", "unknown_reserve_project")
        start = max(int(pull["start_month"]), m0 + 1)
        monthly = np.zeros(13)
        monthly[start:] = pull["first_year_wan"] * model.profile[start - 1:]  # an annual amount: this year's part
        out += np.cumsum(monthly)
    return out


def resolve(model: Model, levers: Levers) -> Adjustments:
    """The forecast's adjustments for one set of levers: O(n) numpy, Python only over named projects."""
    pace_by_list = np.array([levers.pace(k) for k in PACE_LISTS] + [1.0])
    mult = pace_by_list[model.primary_list]
    pause = np.zeros(model.n, dtype=np.int64)
    if levers.accelerate:
        idx = np.array([lookup(model, p, "accelerate") for p in levers.accelerate])
        mult[idx] *= np.array(list(levers.accelerate.values()), dtype=float)
    if levers.defer:
        idx = np.array([lookup(model, p, "defer") for p in levers.defer])
        pause[idx] = np.array(list(levers.defer.values()), dtype=np.int64)
    if levers.exclude:
        idx = np.array([lookup(model, p, "exclude") for p in levers.exclude])
        mult[idx] = 0.0
    extra = reserve_reports(model, levers) if levers.reserve_pull else None
    return Adjustments(multiplier=mult, pause_months=pause, start_hazard_factor=float(levers.start_probability),
                       start_delay_months=int(levers.new_start_delay_months),
                       other_factor=1.0 + float(levers.other_change_pct) / 100.0, extra_reported_wan=extra)


@dataclass
class Path:
    """One projected path, months 1..12 (index 0 = January)."""

    total_wan: np.ndarray
    listed_wan: np.ndarray  # the listed projects' statistical FAI (入统率 × registered 调度数)
    other_wan: np.ndarray
    reserve_wan: np.ndarray  # hypothetical reserve pulls (counted at 入统率)
    growth_pct: np.ndarray
    comparable_prior_wan: np.ndarray
    scenario: ScenarioPath | None = field(default=None, repr=False)


def run(model: Model, levers: Levers | None = None, adjustments: Adjustments | None = None) -> Path:
    """The projected path for one set of levers (deterministic: expected values over starts and
    registrations; the default levers give the forecast itself)."""
    adj = adjustments or resolve(model, levers or Levers())
    sp = scenario_path(model.forecast, adj)
    m0 = model.as_of_month
    base = model.comparable_prior_wan
    total = sp.total_wan[1:]
    growth = (total / base - 1) * 100
    growth[:m0] = model.forecast.growth_pct[1:m0 + 1]
    listed = sp.listed_stat_wan[1:] - sp.extra_wan[1:]
    other, reserve = sp.other_wan[1:].copy(), sp.extra_wan[1:].copy()
    for part in (listed, other, reserve):  # the parts are given from the as-of month on
        part[:m0 - 1] = np.nan
    return Path(total, listed, other, reserve, growth, base, sp)


def path_frame(model: Model, path: Path) -> pl.DataFrame:
    """The monthly frame of a path: what :func:`project` returns."""
    months = np.arange(1, 13)
    return pl.DataFrame({
        "month": months.astype(np.int8),
        "is_actual": months <= model.as_of_month,
        "projected_cum_wan": path.total_wan,
        "listed_cum_wan": path.listed_wan,
        "other_cum_wan": path.other_wan,
        "reserve_cum_wan": path.reserve_wan,
        "prior_cum_wan": model.prior_cum_wan,
        "comparable_prior_cum_wan": path.comparable_prior_wan,
        "growth_pct": path.growth_pct,
    }).with_columns(pl.col(pl.Float64).fill_nan(None))


def project(
    projects: pl.DataFrame,
    memberships: pl.DataFrame,
    progress: pl.DataFrame,
    baseline: pl.DataFrame,
    *,
    as_of: str | date | Evaluation,
    profile: dict[int, float],
    levers: Levers | None = None,
    reserve: pl.DataFrame | None = None,
    plan: Any = None,
) -> pl.DataFrame:
    """The city's monthly cumulative FAI, actual to ``as_of`` and projected to December.

    Columns: month (1..12), is_actual, projected_cum_wan (actual where is_actual), listed_cum_wan
    (the listed projects' statistical FAI), other_cum_wan, reserve_cum_wan (hypothetical pulls; 0 in
    the baseline), prior_cum_wan, comparable_prior_cum_wan, growth_pct (cumulative growth on the
    comparable basis). The parts are given from the as-of month on. ``levers=None`` is the forecast.
    """
    model = build_model(projects, memberships, progress, baseline, as_of=as_of, profile=profile,
                        reserve=reserve, plan=plan)
    return path_frame(model, run(model, levers))


def project_dataset(dataset, *, as_of: str | date | Evaluation, profile: dict[int, float],
                    levers: Levers | None = None, plan: Any = None) -> pl.DataFrame:
    """:func:`project` on a loaded ``jygproj.io`` Dataset (.projects .memberships .progress .baseline .reserve)."""
    return project(dataset.projects, dataset.memberships, dataset.progress, dataset.baseline,
                   as_of=as_of, profile=profile, levers=levers, reserve=getattr(dataset, "reserve", None), plan=plan)
