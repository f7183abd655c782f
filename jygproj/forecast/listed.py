"""The listed projects as the forecast needs them: per project, the year's cumulative completion by
month as the ledger stood on the evaluation date, start and registration (入库) months, plan figures.

Counted once across lists (design page): the listed projects are those on any list but the reserve
pool. Completions come from jygproj.ledger (the latest revision known on the evaluation date; a
month with no report carries the last figure forward). Registration comes from the optional
canonical columns ``registered`` (是否入库, Boolean) and ``registered_on`` (入库时间, Date) of the
scheduling tables (progress) and registers (projects), added by the io branch; a row saying
registered without a date counts from its own period. When neither frame fills the columns
(:attr:`Listed.registration_known` False; the report says so: 统计数 can then not be told apart from
调度数 project by project), projects under way before this year count as registered from January and
a start of this year as “not known to be registered”: the model takes the registration hazards from
its start month (jygproj.forecast.projects).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from jygproj import ledger

NOT_THIS_YEAR = 99  # "month" of an event that has not happened by the as-of month (or is next year)


@dataclass(frozen=True)
class Listed:
    ids: np.ndarray  # (n,) project_id
    names: np.ndarray  # (n,)
    nature: np.ndarray  # (n,) schema.NATURES key: continuing / new / preparatory (or None)
    annual_wan: np.ndarray  # (n,) annual plan, counted once
    total_wan: np.ndarray  # (n,) total investment (nan when unknown)
    cum_wan: np.ndarray  # (n, 13) 1-X月 cumulative completion, months 0..12 (0 after the as-of month)
    planned_start_month: np.ndarray  # (n,) 1..12; 0 started before this year; NOT_THIS_YEAR next year / none
    start_month: np.ndarray  # (n,) month of the (re)start this year; 0 before this year; NOT_THIS_YEAR not yet
    registered_month: np.ndarray  # (n,) first month counted by the statistics (1 = before this year)
    registration_known: bool
    as_of_month: int

    @property
    def n(self) -> int:
        return len(self.ids)

    def started(self) -> np.ndarray:
        return self.start_month <= self.as_of_month

    def registered(self, month: int | None = None) -> np.ndarray:
        return self.registered_month <= (self.as_of_month if month is None else month)

    def reported_wan(self, month: int | None = None) -> float:
        """调度数: the listed projects' cumulative completion at ``month`` (default as-of), counted once."""
        return float(self.cum_wan[:, self.as_of_month if month is None else month].sum())

    def registered_cum_wan(self) -> np.ndarray:
        """(13,) the registered projects' cumulative completion by month (each counted from its
        registration month, in full: “先入库，后有数”, one-off catch-up of the year to date)."""
        months = np.arange(13)
        counted = self.registered_month[:, None] <= months[None, :]
        return (self.cum_wan * counted).sum(axis=0)


def _month_of(col: str, year: int) -> pl.Expr:
    """Month of a date column within ``year``: 0 before the year, NOT_THIS_YEAR after it or null."""
    d = pl.col(col)
    return (pl.when(d.is_null()).then(NOT_THIS_YEAR).when(d.dt.year() < year).then(0)
            .when(d.dt.year() > year).then(NOT_THIS_YEAR).otherwise(d.dt.month()).cast(pl.Int32))


def build_listed(projects: pl.DataFrame, memberships: pl.DataFrame, progress: pl.DataFrame, *,
                 year: int, as_of_month: int, known_on: date) -> Listed:
    """Per-project arrays as of the end of ``as_of_month`` of ``year``, the ledger as it stood on
    ``known_on`` (the evaluation date, jygproj.evaluation)."""
    m0 = as_of_month
    listed = (memberships.filter(pl.col("list").cast(pl.String) != "reserve")
              .group_by("project_id").agg(pl.col("annual_plan_wan").max().alias("_m_annual"),
                                          pl.col("planned_start").min().alias("_m_start")))
    proj_cols = [c for c in ("project_id", "name", "nature", "annual_plan_wan", "total_investment_wan",
                             "planned_start", "registered", "registered_on") if c in projects.columns]
    table = listed.join(projects.select(proj_cols), on="project_id", how="left").sort("project_id")

    rows = ledger.with_period_fields(ledger.snapshot(progress, known_on)).filter(
        (pl.col("year") == year) & (pl.col("month") <= m0))
    monthly = ledger.monthly_from_resolved(rows).select("project_id", "month", "completed_ytd_wan")
    n = table["project_id"].n_unique()
    cum = np.full((n, 13), np.nan)
    cum[:, 0] = 0.0
    # whole columns at once (a province's 20,000 projects went row by row); the ledger gives one row
    # per project and month (jygproj.ledger.monthly_from_resolved: one year here)
    at = _positions(monthly, table)
    cum[at["_i"].to_numpy(), at["month"].to_numpy()] = at["completed_ytd_wan"].to_numpy()
    for t in range(1, 13):  # a missing report carries the last figure forward (jygproj.ledger)
        cum[:, t] = np.where(np.isnan(cum[:, t]), cum[:, t - 1], cum[:, t])
    cum[:, m0 + 1:] = 0.0

    # the whole ledger's (a review's own, reused: jygproj.ledger.reuse_results); _positions keeps the
    # table's projects, each project's status being its own rows'
    status = ledger.start_status(progress, known_on)
    start_month = _start_months(status, table, cum, year, m0, known_on)
    start_month = np.where(start_month > m0, NOT_THIS_YEAR, start_month)


    table = table.with_columns(
        pl.coalesce("annual_plan_wan", "_m_annual").fill_null(0.0).clip(lower_bound=0).alias("_annual"),
        pl.coalesce("planned_start", "_m_start").alias("_start"))
    planned = table.select(_month_of("_start", year).alias("m"))["m"].to_numpy()
    nature = table["nature"].cast(pl.String).to_numpy() if "nature" in table.columns else np.full(n, None)
    registered_month, known = _registered_month(table, rows, n, year, m0, known_on)
    if not known:  # no registration data: projects under way before this year count from January;
        # a start of this year is "not known to be registered" (the model takes the registration
        # hazards from its start month: jygproj.forecast.model.registered_share)
        registered_month = np.where((start_month == 0) | (nature == "continuing"), 1, NOT_THIS_YEAR)
    planned = np.where((nature == "continuing") & (planned == NOT_THIS_YEAR), 0, planned)
    total = (table["total_investment_wan"].fill_null(np.nan).to_numpy().astype(float)
             if "total_investment_wan" in table.columns else np.full(n, np.nan))
    return Listed(
        ids=table["project_id"].to_numpy().astype(object),
        names=table["name"].fill_null(table["project_id"]).to_numpy().astype(object)
        if "name" in table.columns else table["project_id"].to_numpy().astype(object),
        nature=nature.astype(object), annual_wan=table["_annual"].to_numpy().astype(float), total_wan=total,
        cum_wan=cum, planned_start_month=planned.astype(np.int64), start_month=start_month.astype(np.int64),
        registered_month=registered_month.astype(np.int64), registration_known=known, as_of_month=m0)


def _positions(frame: pl.DataFrame, table: pl.DataFrame) -> pl.DataFrame:
    """``frame``'s rows of the table's projects, each with its row in the table (_i)."""
    rows = table.select("project_id").with_row_index("_i")
    return frame.join(rows, on="project_id", how="inner", maintain_order="left")


def _start_months(status: pl.DataFrame, table: pl.DataFrame, cum: np.ndarray, year: int, m0: int,
                  known_on: date) -> np.ndarray:
    """Each project's start month (before the as-of cut): its reported start or resumption known on
    ``known_on`` (0 before ``year``, NOT_THIS_YEAR after it), or its first month with completed
    investment if earlier — completed investment means started, whatever the flags say."""
    n = table.height
    s = _positions(status, table).with_columns(  # one row per project (jygproj.ledger.start_status)
        pl.when(pl.col("started").fill_null(False) | pl.col("resumed").fill_null(False))
        .then(pl.min_horizontal("started_on", "resumed_on")).alias("_day"))
    day = pl.col("_day")
    s = s.filter(day.is_not_null() & (day <= known_on)).select(
        "_i", pl.when(day.dt.year() < year).then(0).when(day.dt.year() == year).then(day.dt.month())
        .otherwise(NOT_THIS_YEAR).cast(pl.Int64).alias("_m"))
    start_month = np.full(n, NOT_THIS_YEAR, dtype=np.int64)
    start_month[s["_i"].to_numpy()] = s["_m"].to_numpy()
    spent = cum[:, 1:m0 + 1] > 0
    first = spent.argmax(axis=1) + 1
    return np.where(spent.any(axis=1), np.minimum(start_month, first), start_month)


def _carries_registration(frame: pl.DataFrame) -> bool:
    """Does a frame say anything about registration? The canonical tables always have the columns
    (jygproj.io: null when a workbook has no 是否入库/入库时间 column), so a column all null says nothing."""
    return any(c in frame.columns and frame[c].null_count() < frame.height for c in ("registered", "registered_on"))


def _registered_month(table: pl.DataFrame, rows: pl.DataFrame, n: int, year: int, m0: int,
                      known_on: date) -> tuple[np.ndarray, bool]:
    """First month each of the table's ``n`` projects is counted by the statistics, from the registers
    and the scheduling tables known on ``known_on``; NOT_THIS_YEAR when not registered by the as-of month."""
    out = np.full(n, NOT_THIS_YEAR)
    index = None
    known = False
    sources = []
    if _carries_registration(rows):
        sources.append(rows.with_columns(pl.col("month").cast(pl.Int32).alias("_period_month")))
    if _carries_registration(table):
        sources.append(table.with_columns(pl.lit(1, pl.Int32).alias("_period_month")))
    for frame in sources:
        cols = [c for c in ("registered", "registered_on") if c in frame.columns]
        if not frame.select(pl.any_horizontal(pl.col(cols).is_not_null()).any()).item():
            continue  # the columns exist (schema) but no table filled them: registration is not known
        known = True
        if "registered_on" not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.Date).alias("registered_on"))
        if "registered" not in frame.columns:
            frame = frame.with_columns(pl.col("registered_on").is_not_null().alias("registered"))
        hit = frame.filter(
            (pl.col("registered") == True) | pl.col("registered_on").is_not_null()  # noqa: E712
        ).filter(pl.col("registered_on").is_null() | (pl.col("registered_on") <= known_on))
        hit = hit.with_columns(
            pl.when(pl.col("registered_on").is_null()).then(pl.col("_period_month"))
            .otherwise(_month_of("registered_on", year)).alias("_m"))
        index = index or {pid: i for i, pid in enumerate(table["project_id"].to_list())}
        for pid, m in hit.group_by("project_id").agg(pl.col("_m").min()).iter_rows():
            if pid in index:
                out[index[pid]] = min(out[index[pid]], max(int(m), 1))
    return np.where(out > m0, NOT_THIS_YEAR, out), known
