"""The scheduling ledger 调度台账: submissions, revisions, as-of snapshots, monthly cumulatives.

The progress table (schema.PROGRESS) keeps every submission: one row per project, list, period and
revision. A correction is a later revision of the same (project, list, period); both rows stay in
the table so the audit trail survives, and the calculations read the latest revision known on a
date (:func:`snapshot`).

Periods are "YYYY-MM" (monthly, 月调度) or "YYYY-Www" (ISO week, 周调度, 二(八): government projects
and provincial major new projects are scheduled weekly, counted monthly — 按周调度、按月统计).

A project can sit on several lists and be reported on each; :func:`monthly_cumulative` keeps one
figure per project and month so city totals never count a project twice (design page).
"""

from __future__ import annotations

import contextvars
import re
import weakref
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Callable, Hashable

import polars as pl

from jygproj.errors import UsageError
from jygproj.schema import CITY_PRECEDENCE

#: Which list's figure stands for a project when it is reported on several lists.
#: Provincial lists first: their figures go through the provincial online platform (在线审批监管平台,
#: 二(八)), which is tied to statistical registration (入库); then the city lists in the plan's
#: order. A monthly figure always beats a weekly one, whatever the list (monthly is the statistics'
#: own cadence, 按月统计).
LIST_PRECEDENCE: tuple[str, ...] = CITY_PRECEDENCE

_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
_WEEK_RE = re.compile(r"^(\d{4})-W(\d{1,2})$")


# --- periods ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    kind: str  # "month" | "week"
    year: int
    number: int  # month 1..12 or ISO week 1..53

    @property
    def end(self) -> date:
        """The last day the period covers (month end, or the Sunday of the ISO week)."""
        if self.kind == "month":
            return month_end(self.year, self.number)
        return date.fromisocalendar(self.year, self.number, 7)

    @property
    def month(self) -> int:
        """The month the period is counted in: a week counts in the month its Sunday falls in."""
        return self.number if self.kind == "month" else self.end.month


def parse_period(period: str) -> Period:
    """"2023-10" -> month 10 of 2023; "2023-W43" -> ISO week 43 of 2023. Anything else: ValueError."""
    text = period.strip()
    if m := _MONTH_RE.match(text):
        year, month = int(m[1]), int(m[2])
        if 1 <= month <= 12:
            return Period("month", year, month)
    elif m := _WEEK_RE.match(text):
        year, week = int(m[1]), int(m[2])
        try:
            date.fromisocalendar(year, week, 7)
            return Period("week", year, week)
        except ValueError:
            pass
    raise UsageError(f"调度期格式应为 YYYY-MM 或 YYYY-Www，实际为 {period!r}", "bad_period")


def month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def quarter_of(month: int) -> int:
    """Quarter 1..4 of a month 1..12."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12, got {month}")
    return (month - 1) // 3 + 1


def quarter_end_month(quarter: int) -> int:
    if not 1 <= quarter <= 4:
        raise ValueError(f"quarter must be 1..4, got {quarter}")
    return quarter * 3


def quarter_end(year: int, quarter: int) -> date:
    return month_end(year, quarter_end_month(quarter))


def quarter_expr(month: pl.Expr) -> pl.Expr:
    """Quarter (Int8) of a month expression."""
    return ((month.cast(pl.Int16) - 1) // 3 + 1).cast(pl.Int8)


def with_period_fields(progress: pl.DataFrame) -> pl.DataFrame:
    """Add period_kind ("month"/"week"), year (Int32) and month (Int8) parsed from ``period``.

    A weekly period counts in the month of its ``period_end`` when given, else of its ISO Sunday.
    Unparseable periods get nulls (the loaders report them; calculations skip them).
    """
    period = pl.col("period").str.strip_chars()
    fields = (
        period.str.extract(r"^(\d{4})-\d{1,2}$", 1).cast(pl.Int32).alias("_m_year"),
        period.str.extract(r"^\d{4}-(\d{1,2})$", 1).cast(pl.Int8).alias("_m_month"),
        period.str.extract(r"^(\d{4})-W\d{1,2}$", 1).cast(pl.Int32).alias("_w_year"),
        period.str.extract(r"^\d{4}-W(\d{1,2})$", 1).cast(pl.Int32).alias("_w_week"),
    )
    if isinstance(progress, pl.DataFrame):
        # the regexes run once per distinct period (a ledger has a few dozen), then join back by period
        parsed = progress.select(pl.col("period").unique()).with_columns(*fields)
        progress = progress.join(parsed, on="period", how="left", maintain_order="left")
    else:  # a lazy plan (jygproj.scale): row-wise, so the ledger is not scanned twice
        progress = progress.with_columns(*fields)
    m_year, m_month, w_year, w_week = (pl.col(c) for c in ("_m_year", "_m_month", "_w_year", "_w_week"))
    # Monday of ISO week 1 is the Monday on or before 4 January.
    jan4 = pl.date(w_year, 1, 4)
    week_sunday = jan4 - pl.duration(days=jan4.dt.weekday() - 1) + pl.duration(days=(w_week - 1) * 7 + 6)
    week_end = pl.coalesce(pl.col("period_end"), week_sunday)
    monthly_ok = m_month.is_between(1, 12)
    added = {
        "period_kind": pl.when(monthly_ok).then(pl.lit("month")).when(w_week.is_between(1, 53)).then(pl.lit("week"))
        .otherwise(None),
        "year": pl.when(monthly_ok).then(m_year).otherwise(week_end.dt.year().cast(pl.Int32)),
        "month": pl.when(monthly_ok).then(m_month).otherwise(week_end.dt.month().cast(pl.Int8)),
    }
    # with_columns then drop of the parts, as one select: the columns in with_columns' order (a column
    # already there replaced in place, the others added at the end)
    parts = ("_m_year", "_m_month", "_w_year", "_w_week")
    names = progress.collect_schema().names()
    return progress.select(
        *(added[c].alias(c) if c in added else pl.col(c) for c in names if c not in parts),
        *(e.alias(c) for c, e in added.items() if c not in names))


# --- computing a snapshot once per review ---------------------------------------------------------

_MEMO: contextvars.ContextVar[dict | None] = contextvars.ContextVar("jygproj_ledger_memo", default=None)


@contextmanager
def outermost_memo(var: contextvars.ContextVar):
    """Within the block the context variable ``var`` holds a dict (a fresh one, unless an outer block
    already set one: nested blocks share it); it is None again after the outermost block."""
    token = var.set({}) if var.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            var.reset(token)


def reuse_results(kept: dict | None = None):
    """Within this block, results of :func:`memoised` functions (snapshots, start status, project
    positions…) are computed once per input frame and date and reused: the quarterly review asks for
    the same snapshot of the ledger from completion, starts, warnings, ranking, factors and
    supervision. Frames are matched by identity (polars frames are immutable), so the results are the
    ones a fresh call would give; outside the block nothing is kept. Nested blocks share the outer memo.

    ``kept`` (a dict the caller keeps, e.g. with a review's inputs): where the :func:`per_project`
    results of whole frames made for their parts (:func:`part_of`) are kept beyond the block, for the
    next blocks' parts. Without it (or inside a block without it) each part's are made on its own rows.
    """
    return _reuse(kept)


@contextmanager
def _reuse(kept: dict | None):
    token = _PARTS.set({"parts": {}, "kept": kept, "depth": 0}) if _PARTS.get() is None else None
    try:
        with outermost_memo(_MEMO):
            yield
    finally:
        if token is not None:
            _PARTS.reset(token)


def memoised(name: str, frames: tuple[pl.DataFrame, ...], extra: Hashable, compute: Callable[[], Any]) -> Any:
    """``compute()``, or its earlier result for the same frames (by identity) and ``extra`` inside
    :func:`reuse_results`."""
    return _memoised_in(_MEMO.get(), name, frames, extra, compute)


def _memoised_in(memo: dict | None, name: str, frames: tuple, extra: Hashable, compute: Callable[[], Any]) -> Any:
    key = _key(memo, name, frames, extra)
    if key is None:
        return compute()
    hit = _hit(memo, key, frames)
    if hit is not None:
        return hit[0]
    out = compute()
    memo[key] = (tuple(weakref.ref(f) for f in frames), out)
    return out


def _key(memo: dict | None, name: str, frames: tuple, extra: Hashable) -> Hashable | None:
    """The memo key of a result, None when nothing is reused (no memo, lazy plans, unhashable)."""
    if memo is None or not all(isinstance(f, pl.DataFrame) for f in frames):
        return None
    try:
        key = (name, tuple((id(f), f.height, f.width) for f in frames), extra)
        hash(key)
    except TypeError:
        return None
    return key


def _hit(memo: dict, key: Hashable, frames: tuple) -> tuple[Any] | None:
    """(the result,) kept under ``key`` for these very frames, else None."""
    hit = memo.get(key)
    return (hit[1],) if hit is not None and all(ref() is f for ref, f in zip(hit[0], frames)) else None


def made_once(memo: dict, key: Any, deps: tuple, make: Callable[[], Any]) -> Any:
    """``make()`` kept in ``memo`` (jygproj.quarterly.Inputs.memo) under ``key``, used again only while
    ``deps`` are the very objects it was made from: a copy of the inputs with another data set, plan
    or rules (dataclasses.replace) shares the memo dict, never its entries (:func:`per_project`'s
    results are matched to the very frames they were made of)."""
    hit = memo.get(key)
    if hit is not None and len(hit[0]) == len(deps) and all(a is b for a, b in zip(hit[0], deps)):
        return hit[1]
    value = make()
    memo[key] = (deps, value)
    return value


# --- one unit's rows of the city's per-project results (issue 18) ----------------------------------

#: Within :func:`reuse_results`: "parts", id(frame) -> (weakref(frame), whole, ids) for each frame
#: known to be the rows of the projects ``ids`` of a larger frame (a unit's ledger of the city's);
#: "kept": the caller's dict keeping the wholes' :func:`per_project` results (and "wholes", the
#: frames registered whole) beyond the block.
_PARTS: contextvars.ContextVar[dict | None] = contextvars.ContextVar("jygproj_ledger_parts", default=None)


def part_of(part: pl.DataFrame, whole: pl.DataFrame, ids: pl.Series) -> pl.DataFrame:
    """``part`` (returned), registered inside :func:`reuse_results` as the rows of the projects ``ids``
    of ``whole`` (``whole`` filtered on project_id, in its order), so that :func:`per_project` results
    of ``part`` are the whole's results' rows of those projects (:func:`kept_whole`: the whole's
    results made for a part are kept in the block's ``kept`` dict, for the parts of the next blocks)."""
    reg = _PARTS.get()
    if reg is not None and isinstance(part, pl.DataFrame) and isinstance(whole, pl.DataFrame):
        reg["parts"][id(part)] = (weakref.ref(part), whole, ids)
        kept_whole(whole)
    return part


def kept_whole(whole: pl.DataFrame) -> pl.DataFrame:
    """``whole`` (returned), registered inside :func:`reuse_results` (given a ``kept`` dict) as a whole
    frame: its :func:`per_project` results made for a part are kept there and used again for its other
    parts and for the whole itself (the data set's frames, for its units' reviews)."""
    reg = _PARTS.get()
    if reg is not None and reg["kept"] is not None and isinstance(whole, pl.DataFrame):
        reg["kept"].setdefault("wholes", {})[id(whole)] = weakref.ref(whole)
    return whole


def _is_whole(reg: dict, frame: Any) -> bool:
    kept = reg["kept"]
    ref = None if kept is None else kept.get("wholes", {}).get(id(frame))
    return ref is not None and ref() is frame


def per_project(name: str, frames: tuple[pl.DataFrame, ...], extra: Hashable,
                make: Callable[..., pl.DataFrame]) -> pl.DataFrame:
    """``make(*frames)``, memoised as :func:`memoised`, for a result (a frame with a project_id column,
    or a dict of such frames) whose rows are each project's and depend only on that project's rows of
    ``frames`` and on ``extra`` (nothing taken from the other projects: a year or cut-off month
    derived from the whole ledger is resolved by the caller and given in ``extra``), in an order the
    rows of any set of projects keep (sorted with project_id among the keys, or in the order of the
    frames' rows).

    When every frame is a :func:`part_of` the same projects of wholes, inside a :func:`reuse_results`
    block given a ``kept`` dict, the result is the wholes' result filtered to those projects — the
    same rows, in the same order, as ``make`` on the part — and the wholes' result is made once and
    kept there for the next part (issue 18: each unit's review of --all-units computed each project's
    snapshot, status, positions and completion again; a lent kernel's first unit makes them, its
    other units take their rows). A review of the wholes (the city's) keeps nothing: a city report
    alone holds no more memory after its review than before."""
    reg = _PARTS.get()
    if reg is None or not frames or not all(isinstance(f, pl.DataFrame) for f in frames):
        return memoised(name, frames, extra, lambda: make(*frames))
    found = [reg["parts"].get(id(f)) for f in frames]
    if (reg["kept"] is not None and reg["depth"] == 0 and all(p is not None and p[0]() is f for p, f in zip(found, frames))
            and len({id(p[2]) for p in found}) == 1 and all(_is_whole(reg, p[1]) for p in found)):
        wholes, ids = tuple(p[1] for p in found), found[0][2]

        def make_whole() -> Any:  # what it is made of is not kept (a part asks for the result only)
            reg["depth"] += 1
            try:
                return make(*wholes)
            finally:
                reg["depth"] -= 1
        whole = _memoised_in(reg["kept"].setdefault("results", {}), name, wholes, extra, make_whole)
        return memoised(name, frames, extra, lambda: _rows_of(whole, ids))
    if all(_is_whole(reg, f) for f in frames):  # made by a part's request before: the very result
        kept = _kept_result(reg, name, frames, extra)
        if kept is not None:
            return kept[0]
    return memoised(name, frames, extra, lambda: make(*frames))


def _rows_of(result: pl.DataFrame | dict, ids: pl.Series) -> pl.DataFrame | dict:
    """The rows of the projects ``ids`` of a per-project result (a frame, or a dict of frames)."""
    if isinstance(result, dict):
        return {k: _rows_of(v, ids) for k, v in result.items()}
    return part_of(rows_of_projects(result, ids), result, ids)


def rows_of_projects(frame: pl.DataFrame, ids: pl.Series) -> pl.DataFrame:
    """``frame.filter(pl.col("project_id").is_in(ids))``: the rows of the projects ``ids``, in the
    frame's order. Inside :func:`reuse_results` given a ``kept`` dict, a String project_id column's
    rows are taken by their row numbers, each project's found once per frame and kept (issue 18: a
    unit's review took its rows of some forty kept city-wide frames, a filter each; a take costs
    less than half of one). The same rows: a null project_id is in no unit, as is_in leaves it out."""
    reg = _PARTS.get()
    kept = None if reg is None else reg["kept"]
    if kept is None or frame.schema.get("project_id") != pl.String or ids.dtype != pl.String:
        return frame.filter(pl.col("project_id").is_in(ids.implode()))
    index = _memoised_in(kept.setdefault("row_numbers", {}), "row_numbers", (frame,), None,
                         lambda: _row_numbers(frame["project_id"]))
    rows = sorted(i for p in set(ids.to_list()) for i in index.get(p, ()))
    return frame[pl.Series(rows, dtype=pl.UInt32)]


def _row_numbers(project_ids: pl.Series) -> dict[str, list[int]]:
    """Each project's row numbers in a frame (a null project_id is no project's)."""
    index: dict[str, list[int]] = {}
    for i, p in enumerate(project_ids.to_list()):
        if p is not None:
            index.setdefault(p, []).append(i)
    return index


def _kept_result(reg: dict, name: str, wholes: tuple, extra: Hashable) -> tuple[Any] | None:
    """(the kept per_project result of the wholes,) when one was made, else None."""
    kept = reg["kept"]
    if kept is None or not all(_is_whole(reg, f) for f in wholes):
        return None
    results = kept.get("results", {})
    key = _key(results, name, wholes, extra)
    return None if key is None else _hit(results, key, wholes)


def profile_key(profile: Any) -> Hashable:
    """A hashable stand-in for a seasonal profile (month -> share) in a :func:`memoised` key; an
    unknown kind of profile gets a key that never matches, so nothing is reused for it."""
    try:
        return tuple(sorted(profile.items()))
    except (AttributeError, TypeError):
        return object()


# --- revisions and snapshots ----------------------------------------------------------------------

_KEY = ["project_id", "list", "period"]


def latest_revisions(progress: pl.DataFrame) -> pl.DataFrame:
    """The latest revision of each (project_id, list, period): a correction supersedes the original.

    Order: highest ``revision``, then latest ``reported_at``, then the lowest source row (the first
    row of the workbook wins a tie, so the result never depends on the input's row order).
    """
    return per_project("latest_revisions", (progress,), None, _latest_revisions)


def _first_of(keys: list[str]) -> pl.Expr:
    """True on the first row of each run of equal ``keys`` (nulls equal) in a frame sorted by them."""
    return pl.any_horizontal([pl.col(k).ne_missing(pl.col(k).shift(1)) for k in keys]) | (pl.int_range(pl.len()) == 0)


def last_of(keys: list[str]) -> pl.Expr:
    """True on the last row of each run of equal ``keys`` (nulls equal) in a frame sorted by them:
    the rows ``group_by(keys, maintain_order=True).agg(pl.all().last())`` would keep, in that order."""
    return pl.any_horizontal([pl.col(k).ne_missing(pl.col(k).shift(-1)) for k in keys]) \
        | (pl.int_range(pl.len()) == pl.len() - 1)


def _latest_revisions(progress: pl.DataFrame) -> pl.DataFrame:
    if not isinstance(progress, pl.DataFrame):  # a lazy plan (jygproj.scale): the streaming engine's unique
        return (
            progress.sort(["revision", "reported_at", "source_file", "source_row"],
                          descending=[True, True, False, False], nulls_last=True)
            .unique(subset=_KEY, keep="first", maintain_order=True)
            .sort(_KEY)
        )
    # one sort by key then preference, and the first row of each key (a shift compare, no hashing):
    # the same rows, in key order, as sorting by preference, keeping the first per key, sorting by key
    return _revision_order(progress).filter(_first_of(_KEY))


def _revision_order(progress: pl.DataFrame) -> pl.DataFrame:
    """The ledger sorted by key, then latest revision first (ties: earliest source row). Memoised, so
    a review sorts its ledger once for every date it looks at (filtering keeps the order)."""
    return per_project("revision_order", (progress,), None, lambda p: p.sort(
        [*_KEY, "revision", "reported_at", "source_file", "source_row"],
        descending=[False, False, False, True, True, False, False],
        nulls_last=[False, False, False, True, True, True, True],
    ))


def snapshot(progress: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """The ledger as the commission knew it on ``as_of``: submissions reported by that day, and of
    those the latest revision per (project_id, list, period).

    A submission without ``reported_at`` is taken as reported on its ``period_end`` (a missing date
    must not hide a figure forever); one with neither date is kept.
    """
    return per_project("snapshot", (progress,), as_of, lambda p: _snapshot(p, as_of))


def _snapshot(progress: pl.DataFrame, as_of: date) -> pl.DataFrame:
    known_on = pl.coalesce(pl.col("reported_at"), pl.col("period_end"))
    known = known_on.is_null() | (known_on <= as_of)
    if isinstance(progress, pl.DataFrame) and _MEMO.get() is not None:
        # within a review: the ledger sorted once, filtered to this date (the same rows, in the same
        # order, as sorting the filtered ledger), then the first row of each key
        return _revision_order(progress).filter(known).filter(_first_of(_KEY))
    return latest_revisions(progress.filter(known))


def monthly_cumulative(progress: pl.DataFrame, as_of: date | None = None) -> pl.DataFrame:
    """One row per (project_id, year, month): 1-X月累计完成投资, counted once per project.

    Takes the latest revisions (as known on ``as_of`` when given). For each project and month the
    figure comes from, in order: a monthly period before a weekly one (weekly periods count in a
    month only when no monthly figure exists); then the list earliest in :data:`LIST_PRECEDENCE`;
    for weeks, the latest week of the month. Rows without a figure are skipped.

    Columns: project_id, year, month, quarter, completed_ytd_wan, list (the list the figure came
    from), period, period_kind, source_file, source_sheet, source_row.
    """
    rows = snapshot(progress, as_of) if as_of else latest_revisions(progress)
    return monthly_from_resolved(with_period_fields(rows))


def monthly_from_resolved(rows: pl.DataFrame) -> pl.DataFrame:
    """:func:`monthly_cumulative` of rows already resolved to their latest revisions and carrying
    :func:`with_period_fields` (a caller that has them need not resolve and parse them again)."""
    rank = {name: i for i, name in enumerate(LIST_PRECEDENCE)}
    rows = rows.filter(pl.col("month").is_not_null() & pl.col("completed_ytd_wan").is_not_null())
    order = [pl.col("project_id"), pl.col("year"), pl.col("month"), (pl.col("period_kind") == "week"),
             pl.col("list").cast(pl.String).replace_strict(rank, default=len(rank), return_dtype=pl.Int32),
             pl.coalesce(pl.col("period_end"), pl.lit(date(1900, 1, 1))), pl.col("period")]
    descending = [False, False, False, False, False, True, True]
    out = [pl.col("project_id"), pl.col("year"), pl.col("month"), quarter_expr(pl.col("month")).alias("quarter"),
           pl.col("completed_ytd_wan"), pl.col("list").cast(pl.String), pl.col("period"), pl.col("period_kind"),
           pl.col("source_file"), pl.col("source_sheet"), pl.col("source_row")]
    keys = ["project_id", "year", "month"]
    if not isinstance(rows, pl.DataFrame):  # a lazy plan (jygproj.scale): the streaming engine's unique
        rows = (rows.with_columns(*(e.alias(f"_o{i}") for i, e in enumerate(order[3:6])))
                .sort([*keys, "_o0", "_o1", "_o2", "period"], descending=descending)
                .unique(subset=keys, keep="first", maintain_order=True))
        return rows.select(out).sort(keys)
    # the first row of each (project, year, month) in that order; the rows are then already in
    # (project_id, year, month) order
    return rows.sort(order, descending=descending).filter(_first_of(keys)).select(out)


def monthly_reports(progress: pl.DataFrame) -> pl.DataFrame:
    """The monthly submissions of a ledger (periods "YYYY-MM"): the figures a report counts.

    One cut-off per report (issue 13): monthly totals, charts and letters use 1-X月 figures of the
    evaluation month; weekly figures (周调度) never stand in for them — they are shown apart, as the
    latest weekly report (:func:`latest_weekly`)."""
    return per_project("monthly_reports", (progress,), None, _monthly_reports)


def _monthly_reports(progress: pl.DataFrame) -> pl.DataFrame:
    reports = progress.filter(pl.col("period").str.strip_chars().str.contains(r"^\d{4}-\d{1,2}$"))
    # a ledger of monthly reports only (a province's) is its own monthly reports: the very frame, so
    # what a review computes of it by identity (its sorted revisions, snapshots) is computed once
    return progress if isinstance(progress, pl.DataFrame) and reports.height == progress.height else reports


def latest_weekly(progress: pl.DataFrame, as_of: date, year: int) -> pl.DataFrame:
    """最新周调度: each project's latest weekly report of ``year`` known on ``as_of``, per list.

    Columns: project_id, list, period, period_end, completed_ytd_wan, reported_at, source_file,
    source_sheet, source_row. Shown apart from the monthly figures, never added to them."""
    return per_project("latest_weekly", (progress,), (as_of, year), lambda p: _latest_weekly(p, as_of, year))


def _latest_weekly(progress: pl.DataFrame, as_of: date, year: int) -> pl.DataFrame:
    rows = with_period_fields(snapshot(progress, as_of)).filter(
        (pl.col("period_kind") == "week") & (pl.col("year") == year)
        & (pl.coalesce(pl.col("period_end"), pl.lit(as_of)) <= as_of))
    return (rows.sort(["project_id", "list", "period_end", "period"])
            .filter(last_of(["project_id", "list"]))
            .select("project_id", pl.col("list").cast(pl.String), "period", "period_end", "completed_ytd_wan",
                    "reported_at", "source_file", "source_sheet", "source_row"))


def figure_at(monthly: pl.DataFrame, year: int, month: int) -> pl.DataFrame:
    """Each project's figure at the end of ``month`` with the cell it came from: the latest monthly
    figure up to that month (one per project, :func:`monthly_cumulative`'s choice of list).

    Columns: project_id, completed_ytd_wan, month_used, period, figure_list, source_file,
    source_sheet, source_row."""
    return (
        monthly.filter((pl.col("year") == year) & (pl.col("month") <= month))
        .sort(["project_id", "month"])
        .filter(last_of(["project_id"]))
        .select("project_id", "completed_ytd_wan", pl.col("month").alias("month_used"), "period",
                pl.col("list").alias("figure_list"), "source_file", "source_sheet", "source_row")
    )


def cross_list_conflicts(progress: pl.DataFrame, as_of: date, *, tolerance_wan: float = 0.5,
                         columns: dict[tuple[str, str], tuple[str | None, str | None]] | None = None) -> pl.DataFrame:
    """The same project and month reported with different 1-X月 figures on two lists (issue 13).

    :func:`monthly_cumulative` keeps one figure (the list earliest in :data:`LIST_PRECEDENCE`); this
    says so, naming both cells. One row per project, month and pair of lists (the figure used
    against each other list): project_id, period, used_list, used_wan, used_file, used_sheet,
    used_row, used_column, other_list, other_wan, other_file, other_sheet, other_row, other_column,
    difference_wan. ``columns`` maps (file, sheet) to the (letter, header) of its completion column
    (jygproj.io SheetReport.completed_column), so each cell is named by file, sheet, row and column.
    """
    columns = columns or {}
    return per_project("cross_list_conflicts", (progress,), (as_of, tolerance_wan, tuple(sorted(columns.items()))),
                       lambda p: _cross_list_conflicts(p, as_of, tolerance_wan, columns))


def _cross_list_conflicts(progress: pl.DataFrame, as_of: date, tolerance_wan: float,
                          columns: dict[tuple[str, str], tuple[str | None, str | None]]) -> pl.DataFrame:
    rank = {name: i for i, name in enumerate(LIST_PRECEDENCE)}
    rows = monthly_reports(snapshot(progress, as_of)).filter(pl.col("completed_ytd_wan").is_not_null()).select(
        "project_id", "period", pl.col("list").cast(pl.String), "completed_ytd_wan", "source_file", "source_sheet",
        "source_row").with_columns(
        pl.col("list").replace_strict(rank, default=len(rank), return_dtype=pl.Int32).alias("_rank"))
    several = rows.filter(pl.len().over(["project_id", "period"]) > 1).sort(["project_id", "period", "_rank"])
    used = several.filter(_first_of(["project_id", "period"]))
    others = several.filter(~_first_of(["project_id", "period"]))
    cols = ["list", "completed_ytd_wan", "source_file", "source_sheet", "source_row"]
    pairs = used.select("project_id", "period", *[pl.col(c).alias(f"used_{c}") for c in cols]).join(
        others.select("project_id", "period", *[pl.col(c).alias(f"other_{c}") for c in cols]),
        on=["project_id", "period"]).filter(
        (pl.col("used_completed_ytd_wan") - pl.col("other_completed_ytd_wan")).abs() > tolerance_wan)

    def letter(side: str) -> pl.Expr:
        keys = {f"{f}\x00{s}": (c[0] or "") for (f, s), c in columns.items()}
        return (pl.concat_str(pl.col(f"{side}_source_file"), pl.lit("\x00"), pl.col(f"{side}_source_sheet"))
                .replace_strict(keys, default=None, return_dtype=pl.String).alias(f"{side}_column"))

    renamed = {f"{s}_{c}": f"{s}_{c.replace('source_', '').replace('completed_ytd_', '')}"
               for s in ("used", "other") for c in cols}
    return (pairs.with_columns(letter("used"), letter("other"),
                               (pl.col("used_completed_ytd_wan") - pl.col("other_completed_ytd_wan"))
                               .alias("difference_wan"))
            .rename(renamed)
            .select("project_id", "period", "used_list", "used_wan", "used_file", "used_sheet", "used_row",
                    "used_column", "other_list", "other_wan", "other_file", "other_sheet", "other_row",
                    "other_column", "difference_wan")
            .sort("project_id", "period", "other_list"))


def cumulative_at(monthly: pl.DataFrame, year: int, month: int) -> pl.DataFrame:
    """Each project's cumulative completion at the end of ``month``: the latest monthly figure up to
    that month (a missing report carries the last known figure forward — the money was spent; the
    missing report is a matter for the warnings). Columns project_id, completed_ytd_wan, month_used.
    A month of 0 gives an empty frame (nothing done before the year starts).
    """
    return (
        monthly.filter((pl.col("year") == year) & (pl.col("month") <= month))
        .sort(["project_id", "month"])
        .group_by("project_id", maintain_order=True)
        .agg(pl.col("completed_ytd_wan").last(), pl.col("month").last().alias("month_used"))
    )


def cumulative_at_each(monthly: pl.DataFrame, year: int, months: dict[int, int], key: str) -> dict[int, pl.DataFrame]:
    """:func:`cumulative_at` at several months, the ledger sorted once: ``months`` maps each point (a
    quarter, a month) to its month; each point's frame has ``key`` (Int8: the point), project_id,
    completed_ytd_wan, month_used, by project_id (the rows of :func:`cumulative_at`). Memoised: a
    review's completion of every list and of the lists with their own quarters read the same months."""
    return per_project("cumulative_at_each", (monthly,), (year, tuple(months.items()), key),
                       lambda mo: _cumulative_at_each(mo, year, months, key))


def _cumulative_at_each(monthly: pl.DataFrame, year: int, months: dict[int, int], key: str) -> dict[int, pl.DataFrame]:
    kept = (pl.col("year") == year) & (pl.col("month") <= max(months.values(), default=0))
    rows = monthly.filter(kept).sort(["project_id", "month"])
    out = {}
    for point, month in months.items():
        # the last row of each project up to ``month``: the next row is another project's or later
        last = (pl.col("month") <= month) & (pl.col("project_id").ne_missing(pl.col("project_id").shift(-1))
                                             | (pl.col("month").shift(-1) > month)
                                             | (pl.int_range(pl.len()) == pl.len() - 1))
        out[point] = rows.select(pl.lit(point, pl.Int8).alias(key), pl.col("project_id").filter(last),
                                 pl.col("completed_ytd_wan").filter(last), pl.col("month").filter(last).alias("month_used"))
    return out


# --- starts and resumptions -----------------------------------------------------------------------


def start_status(progress: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Each project's start and resumption as known on ``as_of``, combined across its lists.

    started_on: the earliest ``start_date`` reported on any list (on or before as_of); when a project
    is reported started without a date, the end of the first period that says so stands in.
    resumed_on: the earliest resumption (复工) reported: the row's start_date when a row reported
    resumed carries one (tables have one 开工（复工）时间 column), else the end of that period.
    Columns: project_id, started (bool), started_on (date), start_date_reported (bool), resumed
    (bool), resumed_on (date).
    """
    return per_project("start_status", (progress,), as_of, lambda p: _start_status(p, as_of))


def _start_status(progress: pl.DataFrame, as_of: date) -> pl.DataFrame:
    rows = snapshot(progress, as_of)
    start_known = pl.col("start_date").is_not_null() & (pl.col("start_date") <= as_of)
    flagged = (pl.col("started") == True) & pl.col("start_date").is_null()  # noqa: E712
    resumed = pl.col("resumed") == True  # noqa: E712
    status = rows.group_by("project_id").agg(
        pl.col("start_date").filter(start_known).min().alias("_dated"),
        pl.col("period_end").filter(flagged).min().alias("_flagged"),
        flagged.any().alias("_any_flag"),
        pl.coalesce(pl.when(start_known).then(pl.col("start_date")), pl.col("period_end"))
        .filter(resumed).min().alias("resumed_on"),
        resumed.any().alias("resumed"),
    )
    return status.select(
        "project_id",
        (pl.col("_dated").is_not_null() | pl.col("_any_flag")).alias("started"),
        pl.coalesce("_dated", "_flagged").alias("started_on"),
        pl.col("_dated").is_not_null().alias("start_date_reported"),
        pl.col("resumed").fill_null(False),
        "resumed_on",
    ).sort("project_id")


#: How a resumption (复工) is known, most direct first (ledger.resumption).
RESUMPTION_EVIDENCE = ("flag", "start_date", "investment")


def resumption(progress: pl.DataFrame, as_of: date, year: int) -> pl.DataFrame:
    """Each project's resumption in ``year`` as known on ``as_of``, from every list's reports of it
    (a project's status is the project's, issue 13): the leader-package list has no scheduling tables
    of its own, and government tables write 是 in 是否开工 where the key tables write 已复工.

    Evidence, most direct first: a row reported 已复工 (its 开工（复工）时间, else its period's end); a
    开工（复工）时间 within the year on any list (tables have one column for both); investment reported
    this year (money spent on site: the first period with a figure above 0). Columns: project_id,
    resumed_on (the earliest date of the first evidence found), resumed_by (RESUMPTION_EVIDENCE)."""
    rows = snapshot(progress, as_of).filter(pl.coalesce(pl.col("period_end"), pl.lit(as_of)) <= as_of)
    in_year = pl.col("start_date").is_between(date(year, 1, 1), min(as_of, date(year, 12, 31)))
    ends_in_year = pl.col("period_end").dt.year() == year
    evidence = rows.group_by("project_id").agg(
        pl.coalesce(pl.when(in_year).then(pl.col("start_date")), pl.col("period_end"))
        .filter((pl.col("resumed") == True) & ends_in_year).min().alias("flag"),  # noqa: E712
        pl.col("start_date").filter(in_year).min().alias("start_date"),
        pl.col("period_end").filter(ends_in_year & (pl.col("completed_ytd_wan") > 0)).min().alias("investment"),
    )
    by = pl.when(pl.col("flag").is_not_null()).then(pl.lit("flag")) \
        .when(pl.col("start_date").is_not_null()).then(pl.lit("start_date")) \
        .when(pl.col("investment").is_not_null()).then(pl.lit("investment"))
    resumed_on = pl.coalesce("flag", "start_date", "investment")
    return (evidence.filter(resumed_on.is_not_null())
            .select("project_id", resumed_on.alias("resumed_on"), by.alias("resumed_by"))
            .sort("project_id"))


def project_status(progress: pl.DataFrame, as_of: date, year: int) -> pl.DataFrame:
    """:func:`start_status` with the resumption of ``year`` from :func:`resumption` (every list's
    reports): project_id, started, started_on, start_date_reported, resumed, resumed_on, resumed_by."""
    def compute(progress: pl.DataFrame) -> pl.DataFrame:
        status = start_status(progress, as_of).drop("resumed", "resumed_on")
        res = resumption(progress, as_of, year)
        return (status.join(res, on="project_id", how="full", coalesce=True)
                .select("project_id", pl.col("started").fill_null(False), "started_on",
                        pl.col("start_date_reported").fill_null(False), pl.col("resumed_on").is_not_null().alias("resumed"),
                        "resumed_on", "resumed_by").sort("project_id"))
    return per_project("project_status", (progress,), (as_of, year), compute)
