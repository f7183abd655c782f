"""The deterministic projection of the city's FAI from the as-of month to December.

Project by project (each project counted once across its lists): the annual plan's share for the
remaining months, spread with the seasonal profile (jygproj.pace, data/reference/
seasonal_profile.yaml), scaled by the project's own pace so far (completed / 序时计划 to date,
clipped to a sane range). New projects not started yet start in their planned month (or next
month when overdue), at the plan's seasonal intensity. Investment outside the lists ("other FAI" =
the city's published cumulative minus the listed projects' completed-to-date) grows on its share of
last year's monthly increments at its own growth rate (default: the city's growth so far).

Everything is numpy over per-project arrays: :func:`build_model` turns the frames into a
:class:`Model` once; :func:`run` applies levers in O(projects) with no Python loop per project, so
a slider move on a province (20,000 projects) takes milliseconds. :func:`project` is the frame
API the quarterly growth tracker (jygproj.growth) consumes: with default levers it IS the baseline
scenario, so the tracker and the planner always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import polars as pl

from jygproj import ledger
from jygproj.errors import JygprojError
from jygproj.evaluation import Evaluation, evaluation
from jygproj.scenario.levers import PACE_LISTS, Levers

#: Pace clip defaults (data/reference/scenario_levers.yaml, model.pace_floor / pace_cap).
PACE_FLOOR, PACE_CAP = 0.3, 1.5
NO_START = 13  # "start month" of a project not planned to start this year


class ProjectionError(JygprojError, ValueError):
    """Input that cannot be projected; Chinese message with an English code."""


@dataclass
class Model:
    """Per-project arrays and city aggregates, built once from the data (see :func:`build_model`)."""

    year: int
    as_of_month: int  # m0: the last month with data; months m0+1..12 are projected
    profile: np.ndarray  # (12,) seasonal shares, January first, summing to 1
    ids: np.ndarray  # (n,) project_id (str)
    names: np.ndarray  # (n,) project name
    primary_list: np.ndarray  # (n,) index into PACE_LISTS: the first list the project sits on
    annual_wan: np.ndarray  # (n,) annual plan, counted once
    completed_wan: np.ndarray  # (n,) 1-m0月 completed
    started: np.ndarray  # (n,) bool: started / resumed / has completed investment
    planned_start_month: np.ndarray  # (n,) 1..12, NO_START for next year
    pace: np.ndarray  # (n,) clipped completed / planned-to-date (1 where nothing was due yet)
    prior_cum_wan: np.ndarray  # (12,) prior-year 1-X月 cumulative (nan where unknown)
    actual_cum_wan: np.ndarray  # (12,) current-year 1-X月 cumulative, months <= m0 (nan where unknown)
    actual_growth_pct: np.ndarray  # (12,) published cumulative growth (nan where unknown)
    current_cum0_wan: float  # the city's cumulative at m0
    growth0: float  # the city's cumulative growth at m0 (fraction): published, else level / base
    other_cum0_wan: float  # other FAI (outside the lists) at m0
    reserve_ids: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    reserve_names: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    reserve_first_year_wan: np.ndarray = field(default_factory=lambda: np.array([], dtype=float))
    index: dict[str, int] = field(default_factory=dict)  # project_id -> position
    reserve_index: dict[str, int] = field(default_factory=dict)
    #: the plan whose goal outcomes are judged by (jygproj.plan.Plan), read once per model by the engine
    plan: Any = field(default=None, repr=False, compare=False)

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def listed_completed0_wan(self) -> float:
        return float(self.completed_wan.sum())

    @property
    def comparable_prior_wan(self) -> np.ndarray:
        """Prior-year cumulative rescaled so that (1 + growth0) × base = current at m0 (可比口径).

        Published growth is on a comparable basis, not this year's level over last year's; chaining
        the projection onto the published rate keeps projected growth continuous with it. The scale is
        1 when the as-of month lacks a published level or rate (the same rule as jygproj.growth).
        """
        m0 = self.as_of_month
        scale = self.current_cum0_wan / ((1 + self.growth0) * self.prior_cum_wan[m0 - 1])
        return self.prior_cum_wan * scale

    def names_by_id(self) -> dict[str, str]:
        out = dict(zip(self.ids.tolist(), self.names.tolist()))
        out.update(zip(self.reserve_ids.tolist(), self.reserve_names.tolist()))
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
    pace_floor: float = PACE_FLOOR,
    pace_cap: float = PACE_CAP,
) -> Model:
    """Arrays per project from canonical frames (schema.PROJECTS/MEMBERSHIPS/PROGRESS/BASELINE).

    ``as_of`` is the evaluation (jygproj.evaluation): its month is the last with data, and the
    ledger is read as it stood on its date (a correction filed later changes nothing)."""
    ev = evaluation(as_of)
    year, m0 = ev.year, ev.month
    if not 1 <= m0 <= 11:
        raise ProjectionError(f"推演基准月应为 1–11 月，实际为 {m0} 月", "as_of_out_of_range")
    prof = np.array([profile[m] for m in range(1, 13)], dtype=float)
    cum = np.concatenate([[0.0], np.cumsum(prof)])  # cum[k] = share due by the end of month k

    # Listed projects: those on any list but the reserve pool, each once (design page).
    listed = (
        memberships.filter(pl.col("list").cast(pl.String) != "reserve")
        .with_columns(
            pl.col("list").cast(pl.String)
            .replace_strict({k: i for i, k in enumerate(PACE_LISTS)}, default=len(PACE_LISTS),
                            return_dtype=pl.Int32).alias("_rank"))
        .group_by("project_id")
        .agg(pl.col("_rank").min().alias("primary_list"),
             pl.col("annual_plan_wan").max().alias("_m_annual"),
             pl.col("planned_start").min().alias("_m_start"))
    )
    table = listed.join(
        projects.select("project_id", "name", "annual_plan_wan", "planned_start"), on="project_id", how="left"
    )

    # Completed to date and start status, counted once per project (jygproj.ledger).
    rows = ledger.with_period_fields(ledger.snapshot(progress, ev.date)).filter(
        (pl.col("year") == year) & (pl.col("month") <= m0))
    monthly = ledger.monthly_from_resolved(rows)  # rows are resolved and parsed already
    done = ledger.cumulative_at(monthly, year, m0).select("project_id", "completed_ytd_wan")
    month_end = ledger.month_end(year, m0)
    status = rows.group_by("project_id").agg(
        ((pl.col("started") == True) | (pl.col("resumed") == True)  # noqa: E712
         | (pl.col("start_date") <= month_end)).any().alias("_flag"))
    table = (
        table.join(done, on="project_id", how="left").join(status, on="project_id", how="left")
        .sort("project_id")
        .with_columns(
            pl.coalesce("annual_plan_wan", "_m_annual").fill_null(0.0).clip(lower_bound=0).alias("annual_wan"),
            pl.col("completed_ytd_wan").fill_null(0.0).alias("completed_wan"),
            pl.coalesce("planned_start", "_m_start").alias("_start"),
            pl.coalesce("name", "project_id").alias("name"),
        )
        .with_columns(
            (pl.col("_flag").fill_null(False) | (pl.col("completed_wan") > 0)).alias("started"),
            # Planned start month this year: earlier years count as January, later years as no start.
            pl.when(pl.col("_start").is_null()).then(1)
            .when(pl.col("_start").dt.year() < year).then(1)
            .when(pl.col("_start").dt.year() > year).then(NO_START)
            .otherwise(pl.col("_start").dt.month()).cast(pl.Int32).alias("planned_start_month"),
        )
    )
    annual = table["annual_wan"].to_numpy().astype(float)
    completed = table["completed_wan"].to_numpy().astype(float)
    start = table["planned_start_month"].to_numpy().astype(np.int64)
    # 序时计划 to date on the project's own schedule: the plan from its start month to m0.
    before = cum[np.clip(start - 1, 0, 12)]
    span = 1.0 - before
    due = np.where((start <= m0) & (span > 0), annual * (cum[m0] - before) / np.where(span > 0, span, 1), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        pace = np.where(due > 0, completed / np.where(due > 0, due, 1), 1.0)
    pace = np.clip(pace, pace_floor, pace_cap)

    base = baseline.filter(pl.col("year") == year).sort("month")
    prior = np.full(12, np.nan)
    actual = np.full(12, np.nan)
    growth = np.full(12, np.nan)
    for col, arr in (("prior_cum_wan", prior), ("current_cum_wan", actual), ("growth_pct", growth)):
        sub = base.filter(pl.col(col).is_not_null())
        arr[sub["month"].to_numpy().astype(int) - 1] = sub[col].to_numpy().astype(float)
    actual[m0:] = np.nan
    growth[m0:] = np.nan
    if np.isnan(prior[m0 - 1:]).any():
        missing = [m for m in range(m0, 13) if np.isnan(prior[m - 1])]
        raise ProjectionError(f"基数表缺少 {year - 1} 年 {missing} 月的累计投资（可比口径）", "baseline_prior_missing")
    if np.isnan(actual[m0 - 1]):
        if np.isnan(growth[m0 - 1]):
            raise ProjectionError(f"基数表缺少 {year} 年 1-{m0} 月的累计投资和累计增速", "baseline_current_missing")
        actual[m0 - 1] = prior[m0 - 1] * (1 + growth[m0 - 1] / 100)
    current0 = float(actual[m0 - 1])
    g0 = growth[m0 - 1] / 100 if not np.isnan(growth[m0 - 1]) else current0 / prior[m0 - 1] - 1
    other0 = max(current0 - float(completed.sum()), 0.0)

    ids = table["project_id"].to_numpy().astype(object)
    model = Model(
        year=year, as_of_month=m0, profile=prof, ids=ids,
        names=table["name"].to_numpy().astype(object),
        primary_list=table["primary_list"].to_numpy().astype(np.int64),
        annual_wan=annual, completed_wan=completed, started=table["started"].to_numpy().astype(bool),
        planned_start_month=start, pace=pace, prior_cum_wan=prior, actual_cum_wan=actual,
        actual_growth_pct=growth, current_cum0_wan=current0, growth0=float(g0), other_cum0_wan=other0,
        index={pid: i for i, pid in enumerate(ids.tolist())},
    )
    if reserve is not None and reserve.height:
        r = reserve.select("project_id", "name", "first_year_wan").unique("project_id", keep="first").sort("project_id")
        model.reserve_ids = r["project_id"].to_numpy().astype(object)
        model.reserve_names = r["name"].to_numpy().astype(object)
        model.reserve_first_year_wan = r["first_year_wan"].fill_null(0.0).to_numpy().astype(float)
        model.reserve_index = {pid: i for i, pid in enumerate(model.reserve_ids.tolist())}
    return model


# --- applying levers ------------------------------------------------------------------------------


@dataclass
class Weights:
    """Levers resolved to per-project arrays: monthly investment = weight × profile[m] for m >= start."""

    rate: np.ndarray  # (n,) 万元 per unit of seasonal share (an annual rate), if the project goes ahead
    chance: np.ndarray  # (n,) probability it goes ahead this year (start_probability for unstarted, else 1)
    start: np.ndarray  # (n,) first month with investment (m0+1..13)
    unstarted: np.ndarray  # (n,) bool: not started by m0 (random start in Monte Carlo)
    multiplier: np.ndarray  # (n,) lever multiplier applied (list pace × accelerate × not excluded)
    reserve_weight: np.ndarray  # (r,) pulled reserve projects (hypothetical), 0 when not pulled
    reserve_start: np.ndarray  # (r,)
    other_growth: float  # growth of other FAI (fraction)


def lookup(model: Model, pid: str, lever: str) -> int:
    try:
        return model.index[pid]
    except KeyError:
        raise ProjectionError(f"杠杆 {lever} 指定的项目 {pid!r} 不在清单项目中", "unknown_project") from None


def resolve(model: Model, levers: Levers) -> Weights:
    """Per-project weights for one set of levers: O(n) numpy, Python only over named projects."""
    m0 = model.as_of_month
    prof = model.profile
    cum = np.concatenate([[0.0], np.cumsum(prof)])
    rest = 1.0 - cum[m0]
    pace_by_list = np.array([levers.pace(k) for k in PACE_LISTS] + [1.0])
    mult = pace_by_list[model.primary_list]
    defer = np.zeros(model.n, dtype=np.int64)
    if levers.accelerate:
        idx = np.array([lookup(model, p, "accelerate") for p in levers.accelerate])
        mult[idx] *= np.array(list(levers.accelerate.values()), dtype=float)
    if levers.defer:
        idx = np.array([lookup(model, p, "defer") for p in levers.defer])
        defer[idx] = np.array(list(levers.defer.values()), dtype=np.int64)
    if levers.exclude:
        idx = np.array([lookup(model, p, "exclude") for p in levers.exclude])
        mult[idx] = 0.0

    unstarted = ~model.started
    s = model.planned_start_month
    # The plan's seasonal intensity: the annual plan over the seasonal share from the planned start
    # month (1 for continuing projects), so the plan for month m is intensity × profile[m].
    span = 1.0 - cum[np.clip(s - 1, 0, 12)]
    intensity = np.where((s < NO_START) & (span > 0), model.annual_wan / np.where(span > 0, span, 1), 0.0)
    # Started: the plan for the remaining months at the project's own pace so far (a project at half
    # the time-elapsed pace keeps doing half its planned months; it does not catch up by itself — the
    # pace levers say what catching up would take). One that started before its planned month does
    # the rest of its annual plan over the remaining months.
    early = (s > m0) & (rest > 0)
    started_rate = np.where(early, np.maximum(model.annual_wan - model.completed_wan, 0.0) / max(rest, 1e-12),
                            intensity * model.pace)
    # Not started: the plan's intensity from the planned start month (a late start loses months).
    rate = np.where(unstarted, intensity, started_rate) * mult
    chance = np.where(unstarted, levers.start_probability, 1.0)
    start = np.where(unstarted, np.maximum(s, m0 + 1) + levers.new_start_delay_months, m0 + 1) + defer
    start = np.minimum(start, NO_START)

    r = len(model.reserve_ids)
    r_weight = np.zeros(r)
    r_start = np.full(r, NO_START, dtype=np.int64)
    for pid, pull in levers.reserve_pull.items():
        if pid not in model.reserve_index:
            raise ProjectionError(f"储备项目提前开工指定的项目 {pid!r} 不在储备项目库中", "unknown_reserve_project")
        i = model.reserve_index[pid]
        r_weight[i] = pull["first_year_wan"]  # an annual amount: this year gets its seasonal part
        r_start[i] = max(int(pull["start_month"]), m0 + 1)
    other_growth = model.growth0 if levers.other_growth_pct is None else levers.other_growth_pct / 100
    return Weights(rate, chance, start, unstarted, mult, r_weight, r_start, float(other_growth))


def expected_weight(w: Weights) -> np.ndarray:
    """Deterministic weight: the rate times the chance the project goes ahead (expected value)."""
    return w.rate * w.chance


def monthly_from_starts(weight_by_start: np.ndarray, profile: np.ndarray, m0: int) -> np.ndarray:
    """(…, 14) weights grouped by start month 0..13 → (…, 12) cumulative added by each month's end."""
    active = np.cumsum(weight_by_start[..., 1:13], axis=-1)  # weight active in month m (started by m)
    monthly = active * profile
    monthly[..., :m0] = 0.0
    return np.cumsum(monthly, axis=-1)


@dataclass
class Path:
    """One projected path, months 1..12 (index 0 = January)."""

    total_wan: np.ndarray
    listed_wan: np.ndarray
    other_wan: np.ndarray
    reserve_wan: np.ndarray
    growth_pct: np.ndarray
    comparable_prior_wan: np.ndarray


def other_increments(model: Model, other_growth: float) -> np.ndarray:
    """(12,) cumulative other FAI added after m0: its share of last year's increments × (1 + g)."""
    m0 = model.as_of_month
    base = model.comparable_prior_wan
    share = model.other_cum0_wan / model.current_cum0_wan if model.current_cum0_wan > 0 else 0.0
    added = np.zeros(12)
    added[m0:] = (base[m0:] - base[m0 - 1]) * share * (1 + other_growth)
    return added


def run(model: Model, levers: Levers | None = None, weights: Weights | None = None) -> Path:
    """The projected path for one set of levers (deterministic; expected values for start chances)."""
    w = weights or resolve(model, levers or Levers())
    m0 = model.as_of_month
    listed_add = monthly_from_starts(np.bincount(w.start, weights=expected_weight(w), minlength=14), model.profile, m0)
    reserve_add = monthly_from_starts(
        np.bincount(w.reserve_start, weights=w.reserve_weight, minlength=14), model.profile, m0)
    other_add = other_increments(model, w.other_growth)
    listed = model.listed_completed0_wan + listed_add
    other = model.other_cum0_wan + other_add
    total = listed + other + reserve_add
    total[:m0] = model.actual_cum_wan[:m0]
    base = model.comparable_prior_wan
    growth = (total / base - 1) * 100
    growth[:m0] = np.where(np.isnan(model.actual_growth_pct[:m0]),
                           (model.actual_cum_wan[:m0] / base[:m0] - 1) * 100,
                           model.actual_growth_pct[:m0])
    growth[m0 - 1] = model.growth0 * 100
    listed[:m0 - 1] = np.nan
    other[:m0 - 1] = np.nan
    reserve_add[:m0 - 1] = np.nan
    return Path(total, listed, other, reserve_add, growth, base)


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
) -> pl.DataFrame:
    """The city's monthly cumulative FAI, actual to ``as_of`` and projected to December.

    Columns: month (1..12), is_actual, projected_cum_wan (actual where is_actual), listed_cum_wan,
    other_cum_wan, reserve_cum_wan (hypothetical pulls; 0 in the baseline), prior_cum_wan,
    comparable_prior_cum_wan, growth_pct (cumulative growth on the comparable basis). The listed and
    other parts are given from the as-of month on. ``levers=None`` is the baseline scenario.
    """
    model = build_model(projects, memberships, progress, baseline, as_of=as_of, profile=profile,
                        reserve=reserve)
    return path_frame(model, run(model, levers))


def project_dataset(dataset, *, as_of: str | date | Evaluation, profile: dict[int, float],
                    levers: Levers | None = None) -> pl.DataFrame:
    """:func:`project` on a loaded ``jygproj.io`` Dataset (.projects .memberships .progress .baseline .reserve)."""
    return project(dataset.projects, dataset.memberships, dataset.progress, dataset.baseline,
                   as_of=as_of, profile=profile, levers=levers, reserve=getattr(dataset, "reserve", None))

