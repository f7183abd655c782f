"""Completion against the plan: planned vs completed investment by list, nature, quarter and year to
date; against the plan's targets, stretch targets and requirements (季度考核, 二(一)–二(五)).

Pure functions: canonical frames, the monthly cumulative from :func:`jygproj.ledger.monthly_cumulative`,
the seasonal profile and the plan's targets and requirements (jygproj.plan) in; tidy polars frames
out.

Counting rules (each a decision the report states):
- A project's completed investment is one figure per month (ledger.monthly_cumulative), used for
  every list it sits on; so a list's completion and the city total agree project by project.
- A quarter's completion is the cumulative at the quarter's last month (or the as-of month) minus
  the cumulative at the previous quarter's end; a missing month carries the last report forward.
- A quarter's plan is the list's own q1..q4 figure when the list gives any quarter split (blank
  quarters count 0); otherwise the annual plan spread with the seasonal profile (pace.py).
- The year-to-date plan counts closed quarters whole and the running quarter by the seasonal share
  of its months already past (序时进度).
- The city total ("city") and the enterprise total ("enterprise" = industrial + real estate, 二(五))
  count each project once, with the plan of its first list in ledger.LIST_PRECEDENCE. Reserve
  projects (二(六)) are not under construction and are left out.
"""

from __future__ import annotations

import polars as pl

from jygproj.ledger import LIST_PRECEDENCE, cumulative_at, cumulative_at_each, memoised, per_project, profile_key
from jygproj.pace import Profile, cum_share
from jygproj.schema import ENTERPRISE_LISTS, QUARTER_LABELS, WAN_PER_YI

#: Scope names beside the list names in the ``list`` column of results.
CITY = "city"  # 全市合计（去重）
ENTERPRISE = "enterprise"  # 企业投资项目（产业+房地产，去重）, 二(五)
UNSPECIFIED = "unspecified"  # a membership whose nature the list does not give
PERIODS = ("Q1", "Q2", "Q3", "Q4", "YTD")
BREAKDOWNS = ("responsible_unit", "lead_unit", "leader")

#: Rounding allowed between a list's total investment received and the plan's (亿元 to one decimal).
TOTAL_TOLERANCE_WAN = 0.5
_Q_COLS = ["q1_plan_wan", "q2_plan_wan", "q3_plan_wan", "q4_plan_wan"]


# --- plans ---------------------------------------------------------------------------------------


def quarter_share(quarter: int, profile: Profile) -> float:
    return cum_share(quarter * 3, profile) - cum_share(quarter * 3 - 3, profile)


def elapsed_fraction(quarter: int, as_of_month: int, profile: Profile) -> float:
    """How much of a quarter's plan is due by the end of ``as_of_month`` (seasonal, 序时进度)."""
    first, last = quarter * 3 - 2, quarter * 3
    if as_of_month >= last:
        return 1.0
    if as_of_month < first:
        return 0.0
    share = quarter_share(quarter, profile)
    return (cum_share(as_of_month, profile) - cum_share(first - 1, profile)) / share if share else 0.0


def quarter_plans(memberships: pl.DataFrame, profile: Profile) -> pl.DataFrame:
    """One row per membership and quarter: project_id, list, nature, annual_plan_wan, quarter, plan_wan."""
    has_split = pl.any_horizontal([pl.col(c).is_not_null() for c in _Q_COLS])
    return (
        memberships.with_columns(pl.col("list").cast(pl.String), pl.col("nature").cast(pl.String))
        .with_columns(
            pl.when(has_split)
            .then(pl.col(f"q{q}_plan_wan").fill_null(0.0))
            .otherwise(pl.col("annual_plan_wan").fill_null(0.0) * quarter_share(q, profile))
            .alias(f"_q{q}")
            for q in range(1, 5)
        )
        .unpivot(index=["project_id", "list", "nature", "annual_plan_wan"],
                 on=[f"_q{q}" for q in range(1, 5)], variable_name="quarter", value_name="plan_wan")
        .with_columns(pl.col("quarter").str.slice(2).cast(pl.Int8))
    )


def _one_per_project(memberships: pl.DataFrame, lists: tuple[str, ...], scope: str) -> pl.DataFrame:
    """The memberships of ``lists`` reduced to one per project (first list in LIST_PRECEDENCE)."""
    rank = {name: i for i, name in enumerate(LIST_PRECEDENCE)}
    return (
        memberships.filter(pl.col("list").cast(pl.String).is_in(list(lists)))
        .sort(["project_id", pl.col("list").cast(pl.String).replace_strict(rank, return_dtype=pl.Int32)])
        .unique("project_id", keep="first", maintain_order=True)
        .with_columns(pl.lit(scope).alias("list"))
    )


# --- per project ---------------------------------------------------------------------------------


def completion_detail(
    memberships: pl.DataFrame,
    monthly: pl.DataFrame,
    *,
    year: int,
    as_of_month: int,
    profile: Profile,
) -> pl.DataFrame:
    """One row per project, scope (each list, "enterprise", "city") and period (Q1..Q4, YTD).

    Columns: project_id, list, nature, period, quarter, closed, annual_plan_wan, plan_wan,
    completed_wan (null for quarters not begun by the as-of month). The rows behind every total of
    :func:`completion`, for tracing a figure back to its projects.
    """
    # the review asks for it three times (by list, by unit, per project): computed once there
    return per_project("completion_detail", (memberships, monthly), (year, as_of_month, profile_key(profile)),
                       lambda ms, mo: _completion_detail(ms, mo, year, as_of_month, profile))


def _scoped_plans(memberships: pl.DataFrame, profile: Profile) -> pl.DataFrame:
    """:func:`quarter_plans` of every list's memberships and of the enterprise and city scopes (each
    project once), sorted by list, project and quarter (the order :func:`_completion_detail`'s
    quarter-on-quarter shift relies on): the same for every date a review looks at, so made (and
    sorted) once per memberships."""
    return per_project("scoped_plans", (memberships,), profile_key(profile),
                       lambda ms: _scoped_plans_of(ms, profile).sort(["list", "project_id", "quarter"]))


def _scoped_plans_of(memberships: pl.DataFrame, profile: Profile) -> pl.DataFrame:
    # a membership without a nature gets "unspecified", so it never merges into the all-natures row
    active = memberships.filter(pl.col("list").cast(pl.String) != "reserve").with_columns(
        pl.col("list").cast(pl.String), pl.col("nature").cast(pl.String).fill_null(UNSPECIFIED)
    )
    building = [lst for lst in LIST_PRECEDENCE if lst != "reserve"]
    scoped = pl.concat(
        [active, _one_per_project(active, ENTERPRISE_LISTS, ENTERPRISE),
         _one_per_project(active, tuple(building), CITY)],
        how="vertical_relaxed",
    )
    return quarter_plans(scoped, profile)


def _completion_detail(memberships: pl.DataFrame, monthly: pl.DataFrame, year: int, as_of_month: int,
                       profile: Profile) -> pl.DataFrame:
    if not 2 <= as_of_month <= 12:
        # January is published with February (1-2月): the first month with figures is 2.
        raise ValueError(f"as_of_month must be 2..12 (1-2月 is reported together), got {as_of_month}")
    plans = _scoped_plans(memberships, profile)

    # cumulative at each quarter's end (clipped to the as-of month), per project
    cums = pl.concat(list(cumulative_at_each(monthly, year, {q: min(q * 3, as_of_month) for q in range(1, 5)},
                                             "quarter").values())).select(
        "project_id", "quarter", pl.col("completed_ytd_wan").alias("_cum"))
    # each (list, project)'s quarters are contiguous once sorted: the previous row is the previous
    # quarter when it belongs to the same pair (a shift, not a window per pair)
    cum = pl.col("_cum").fill_null(0.0)
    prev = pl.when(pl.col("list").eq_missing(pl.col("list").shift(1))
                   & pl.col("project_id").eq_missing(pl.col("project_id").shift(1))
                   & (pl.int_range(pl.len()) > 0)).then(cum.shift(1)).otherwise(0.0)
    # the plans come sorted (_scoped_plans) and the join keeps their order: the rows of sorting after
    # the join (a (list, project, quarter) is one row), without sorting every date's rows again
    quarters = (
        plans.join(cums, on=["project_id", "quarter"], how="left", maintain_order="left")
        .with_columns(
            pl.concat_str(pl.lit("Q"), pl.col("quarter").cast(pl.String)).alias("period"),
            (pl.col("quarter") * 3 <= as_of_month).alias("closed"),
            pl.when(pl.col("quarter") * 3 - 2 <= as_of_month).then(cum - prev).otherwise(None).alias("completed_wan"),
            pl.col("quarter").replace_strict({q: elapsed_fraction(q, as_of_month, profile) for q in range(1, 5)},
                                             return_dtype=pl.Float64).alias("_elapsed"),
        )
    )
    ytd = quarters.group_by(["project_id", "list", "nature", "annual_plan_wan"], maintain_order=True).agg(
        (pl.col("plan_wan") * pl.col("_elapsed")).sum().alias("plan_wan"),
        pl.col("completed_wan").sum().alias("completed_wan"),
    ).select("project_id", "list", "nature", pl.lit("YTD").alias("period"), pl.lit(None, pl.Int8).alias("quarter"),
             pl.lit(as_of_month == 12).alias("closed"), "annual_plan_wan", "plan_wan", "completed_wan")
    cols = ["project_id", "list", "nature", "period", "quarter", "closed", "annual_plan_wan", "plan_wan",
            "completed_wan"]
    return pl.concat([quarters.select(cols), ytd])


# --- totals --------------------------------------------------------------------------------------



def totals_aggs(projects_once: bool = False) -> list[pl.Expr]:
    """How per-project detail rows add up to a total (projects counted once; a total is "begun" when
    any of its projects reported). Shared with the national path (jygproj.scale). ``projects_once``:
    no project is twice on a list (:func:`_each_project_once`), so a project is one row of a total
    and its rows are its projects — n_unique's figure without hashing every total's ids (a
    province's 84,000 totals by unit)."""
    return [
        (pl.len() if projects_once else pl.col("project_id").n_unique()).alias("projects"),
        pl.col("annual_plan_wan").sum(),
        pl.col("plan_wan").sum(),
        pl.col("completed_wan").sum().alias("completed_wan"),
        pl.col("completed_wan").is_not_null().any().alias("_begun"),
        pl.col("closed").first(),
        pl.col("quarter").first(),
    ]

def completion(
    memberships: pl.DataFrame,
    monthly: pl.DataFrame,
    *,
    year: int,
    as_of_month: int,
    profile: Profile,
    plan_targets: pl.DataFrame | None = None,
    projects: pl.DataFrame | None = None,
    by: str | None = None,
    lists: tuple[str, ...] | None = None,
    periods: tuple[str, ...] | None = None,
    natures: bool = True,
) -> pl.DataFrame:
    """Planned vs completed investment by list (plus "enterprise" and "city"), nature and period.

    One row per [by,] list, nature (null = all natures) and period (Q1..Q4, YTD), in 万元:
    projects, annual_plan_wan, plan_wan, completed_wan, rate_pct (completed / plan), annual_rate_pct
    (YTD rows: completed / annual plan), and, where the plan sets one, target_wan (the plan's own
    quarterly target; for YTD the targets due by the as-of month, or an annual target by the seasonal
    pace) and target_rate_pct (the cumulative beside each quarter: :func:`with_cumulative`). ``by``
    is one of BREAKDOWNS, taken from ``projects``.

    ``lists``, ``periods`` (scopes CITY, ENTERPRISE count as lists), ``natures=False``: only those
    rows (all natures: nature null), the very rows of the whole frame filtered so — a total adds its
    own list's and period's detail rows, so the others are left out before adding, not after (a
    caller reading a unit's year to date, or a quarter's targets, need not add up every total).
    """
    detail = completion_detail(memberships, monthly, year=year, as_of_month=as_of_month, profile=profile)
    if lists is not None or periods is not None:
        detail = detail.filter(pl.col("list").is_in(list(lists)) if lists is not None else pl.lit(True),
                               pl.col("period").is_in(list(periods)) if periods is not None else pl.lit(True))
    keys = ["list", "nature"]
    if by is not None:
        if by not in BREAKDOWNS:
            raise ValueError(f"by must be one of {BREAKDOWNS}, got {by!r}")
        if projects is None:
            raise ValueError(f"by={by!r} needs the projects frame")
        # in detail's order: each unit's sums add the same floats in the same order every run
        detail = detail.join(_breakdown(projects, by), on="project_id", how="left", maintain_order="left")
        keys = [by, *keys]
    aggs = totals_aggs(projects_once=_each_project_once(memberships))
    all_natures = detail.group_by([k for k in keys if k != "nature"] + ["period"]).agg(aggs)
    all_natures = all_natures.select(*(pl.lit(None, pl.String).alias(c) if c == "nature" else c for c in [*keys, "period"]),
                                     *(c for c in all_natures.columns if c not in keys and c != "period"))
    totals = [detail.group_by([*keys, "period"]).agg(aggs), all_natures] if natures else [all_natures]
    order = {name: i for i, name in enumerate([*LIST_PRECEDENCE, ENTERPRISE, CITY])}
    # a total none of whose projects reported has no completion (null, not 0); each expression reads
    # that column, so one pass computes them all
    completed = pl.when(pl.col("_begun")).then(pl.col("completed_wan")).otherwise(None)
    out = pl.concat(totals).with_columns(
        completed.alias("completed_wan"),
        _pct(completed, pl.col("plan_wan")).alias("rate_pct"),
        pl.when(pl.col("period") == "YTD").then(_pct(completed, pl.col("annual_plan_wan"))).alias("annual_rate_pct"),
    )
    out = _join_targets(out, plan_targets, as_of_month, profile)
    return (
        out.sort(_report_order(out, by, order))
        .select(*keys, "period", "quarter", "closed", "projects", "annual_plan_wan", "plan_wan",
                "completed_wan", "rate_pct", "annual_rate_pct", "target_wan", "target_rate_pct")
    )


def _report_order(out: pl.DataFrame, by: str | None, lists: dict[str, int]) -> pl.Expr:
    """:func:`completion`'s row order — [``by``,] list (``lists``: the report's order, any other list
    after them), nature, period (PERIODS); text in text order, a null last — as one integer per row:
    one integer sort instead of a sort on four columns (a province's 125,000 totals by unit: 38 →
    13 ms), the same order (a total is one row per key)."""
    def place(col: str, ranks: dict) -> tuple[pl.Expr, int]:  # the rank, len(ranks) if unranked, null last
        return (pl.when(pl.col(col).is_null()).then(pl.lit(len(ranks) + 1, pl.UInt64))
                .otherwise(pl.col(col).replace_strict(ranks, default=len(ranks), return_dtype=pl.UInt64)),
                len(ranks) + 2)

    def text_order(col: str) -> dict[str, int]:  # Python's order of str is the code points', polars' too
        return {v: i for i, v in enumerate(sorted(v for v in out.get_column(col).unique().to_list() if v is not None))}

    parts = [place(by, text_order(by))] if by is not None else []
    parts += [place("list", lists), place("nature", text_order("nature")), place("period", {p: i for i, p in enumerate(PERIODS)})]
    key = pl.lit(0, pl.UInt64)
    for rank, size in parts:
        key = key * size + rank
    return key


def _each_project_once(memberships: pl.DataFrame) -> bool:
    """True when no project is twice on a list: then each list's detail has one row per project and
    period, and so has each scope (enterprise, city: one membership per project) and each total of
    :func:`completion` (a project has one ``by`` and, on a list, one nature). Once per memberships."""
    return memoised("each_project_once", (memberships,), None,
                    lambda: not memberships.select("project_id", "list").is_duplicated().any())


def _breakdown(projects: pl.DataFrame, by: str) -> pl.DataFrame:
    """project_id and its ``by`` (one row per project), once per projects frame in a review."""
    return memoised("breakdown", (projects,), by, lambda: projects.select("project_id", by).unique("project_id"))


def with_cumulative(out: pl.DataFrame, *, as_of_month: int, profile: Profile) -> pl.DataFrame:
    """:func:`completion`'s frame with the cumulative beside each quarter (issue 13): to the end of the
    quarter, or to the as-of month for the running one (``partial``: begun, not ended). cum_plan_wan /
    cum_target_wan count closed quarters whole and the running one by its elapsed (seasonal) part;
    quarters not begun get nulls; YTD rows repeat the year-to-date figures. Adds partial,
    cum_plan_wan, cum_completed_wan, cum_rate_pct, cum_target_wan, cum_target_rate_pct."""
    keys = [c for c in (*BREAKDOWNS, "list", "nature") if c in out.columns]
    frac = {q: elapsed_fraction(q, as_of_month, profile) for q in range(1, 5)}
    out = out.with_row_index("_row")
    f = pl.col("quarter").replace_strict(frac, return_dtype=pl.Float64)
    begun = (pl.col("quarter") * 3 - 2) <= as_of_month
    # each cumulative in one expression (null before its quarter begins; cum_completed_wan null where
    # the quarter's completion is): one pass, not three (issue 18: a unit's review is counted in
    # polars operations on tiny frames)
    q = out.filter(pl.col("period") != "YTD").sort([*keys, "quarter"], nulls_last=True).with_columns(
        pl.when(begun).then((pl.col("plan_wan") * f).cum_sum().over(keys)).alias("cum_plan_wan"),
        pl.when(pl.col("completed_wan").is_null()).then(None)
        .otherwise(pl.when(begun).then(pl.col("completed_wan").fill_null(0.0).cum_sum().over(keys)))
        .alias("cum_completed_wan"),
        pl.when(begun).then((pl.col("target_wan") * f).cum_sum().over(keys)).alias("cum_target_wan"),
        (begun & ~pl.col("closed")).alias("partial"),
    )
    ytd = out.filter(pl.col("period") == "YTD").select(*q.columns[:-4],
        pl.col("plan_wan").alias("cum_plan_wan"), pl.col("completed_wan").alias("cum_completed_wan"),
        pl.col("target_wan").alias("cum_target_wan"), pl.lit(False).alias("partial"))
    return pl.concat([q, ytd]).sort("_row").select(
        pl.exclude("_row"), _pct(pl.col("cum_completed_wan"), pl.col("cum_plan_wan")).alias("cum_rate_pct"),
        _pct(pl.col("cum_completed_wan"), pl.col("cum_target_wan")).alias("cum_target_rate_pct"))


def _pct(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    return pl.when(den > 0).then(num / den * 100).otherwise(None)


def quarter_targets(plan_targets: pl.DataFrame) -> pl.DataFrame:
    """The plan's quarterly amount targets (kind target) by list, nature and period Q1..Q4, with a
    list's all-natures quarters added up from its natures' where the plan sets them only by nature
    (二(二): continuing 1.3/6.3/8.2/3.8 and new 0.25/4.2/14.75/18.2 make the 44 projects' quarters).
    Columns: list, nature, period, target_wan, summed (true for a sum of the natures' targets)."""
    # a review asks for them from completion, the schedules, the targets and the letters: once per plan
    return memoised("quarter_targets", (plan_targets,), None, lambda: _quarter_targets(plan_targets))


def _quarter_targets(plan_targets: pl.DataFrame) -> pl.DataFrame:
    t = plan_targets.filter((pl.col("kind") == "target") & pl.col("period").is_in(["Q1", "Q2", "Q3", "Q4"]))
    own = t.select("list", "nature", "period", "target_wan", pl.lit(False).alias("summed"))
    by_nature = t.filter(pl.col("nature").is_not_null())
    summed = (by_nature.join(t.filter(pl.col("nature").is_null()).select("list").unique(), on="list", how="anti")
              .group_by("list", "period", maintain_order=True).agg(pl.col("target_wan").sum())
              .select("list", pl.lit(None, pl.String).alias("nature"), "period", "target_wan",
                      pl.lit(True).alias("summed")))
    return pl.concat([own, summed])


def _target_to_date(plan_targets: pl.DataFrame, as_of_month: int, profile: Profile) -> pl.DataFrame:
    """Plan target per (list, nature, period) incl. YTD: the quarters due so far (the plan's own
    schedule, 二(二)、二(三)), or the annual target by the seasonal pace for lists with only an annual target."""
    t = plan_targets.filter(pl.col("kind") == "target")
    quarterly = quarter_targets(plan_targets)
    frac = {f"Q{q}": elapsed_fraction(q, as_of_month, profile) for q in range(1, 5)}
    ytd_from_q = (
        quarterly.with_columns(pl.col("period").replace_strict(frac, return_dtype=pl.Float64).alias("_f"))
        .group_by(["list", "nature"])
        .agg((pl.col("target_wan") * pl.col("_f")).sum())
        .with_columns(pl.lit("YTD").alias("period"))
    )
    annual_only = (
        t.filter(pl.col("period") == "Year")
        .join(quarterly.select("list", "nature").unique(), on=["list", "nature"], how="anti", nulls_equal=True)
        .with_columns((pl.col("target_wan") * cum_share(as_of_month, profile)).alias("target_wan"),
                      pl.lit("YTD").alias("period"))
    )
    cols = ["list", "nature", "period", "target_wan"]
    return pl.concat([quarterly.select(cols), ytd_from_q.select(cols), annual_only.select(cols)])


def plan_schedules(plan_targets: pl.DataFrame, profile: Profile) -> dict[tuple[str, str | None], Profile]:
    """The plan's own schedule as a monthly profile, for each (list, nature) whose quarterly targets
    cover the year (二(二)'s key projects): each quarter's share of the year's targets, spread over
    its months by the seasonal profile. Pace follows the plan where the plan has a schedule (issue 13);
    everywhere else the seasonal profile (序时进度, pace.py). Read only: within a review the same dict
    is handed to every caller (memoised)."""
    return memoised("plan_schedules", (plan_targets,), profile_key(profile),
                    lambda: _plan_schedules(plan_targets, profile))


def _plan_schedules(plan_targets: pl.DataFrame, profile: Profile) -> dict[tuple[str, str | None], Profile]:
    q = quarter_targets(plan_targets)
    out: dict[tuple[str, str | None], Profile] = {}
    for (lst, nature), rows in q.group_by(["list", "nature"], maintain_order=True):
        amounts = dict(zip(rows["period"], rows["target_wan"]))
        total = sum(amounts.values())
        if total <= 0 or set(amounts) != {"Q1", "Q2", "Q3", "Q4"}:
            continue
        monthly: Profile = {}
        for quarter in range(1, 5):
            share_q = quarter_share(quarter, profile)
            for m in range(quarter * 3 - 2, quarter * 3 + 1):
                within = profile[m] / share_q if share_q else 1 / 3
                monthly[m] = amounts[f"Q{quarter}"] / total * within
        out[(lst, nature)] = monthly
    return out


def _join_targets(out: pl.DataFrame, plan_targets: pl.DataFrame | None, as_of_month: int,
                  profile: Profile) -> pl.DataFrame:
    if plan_targets is None:
        return out.with_columns(pl.lit(None, pl.Float64).alias("target_wan"),
                                pl.lit(None, pl.Float64).alias("target_rate_pct"))
    due = _target_to_date(plan_targets, as_of_month, profile)
    return out.join(due, on=["list", "nature", "period"], how="left", nulls_equal=True).with_columns(
        _pct(pl.col("completed_wan"), pl.col("target_wan")).alias("target_rate_pct")
    )


# --- the plan's targets --------------------------------------------------------------------------


def target_checks(
    completion_frame: pl.DataFrame, plan_targets: pl.DataFrame, *, as_of_month: int, profile: Profile
) -> pl.DataFrame:
    """Every amount target of the plan (quarterly, annual, stretch) against what is completed.

    One row per target: list, nature, period (Q1..Q4/Year), kind, key, clause, target_wan,
    target_yi, completed_wan (the quarter's, or year to date for Year), rate_pct, due_wan (the part
    due by the as-of month: the whole quarter once closed; an annual target by the plan's own
    quarters where it sets them, else by the seasonal pace), pace_rate_pct (completed / due, 序时,
    参考), pace_basis (plan_quarter | plan_schedule | seasonal), final (the period has ended) and met
    (completed >= target; null until final: an unfinished period is not judged).
    """
    base = completion_frame.filter(pl.col("list").is_in(plan_targets["list"].unique().to_list()))
    if any(c in base.columns for c in BREAKDOWNS):
        raise ValueError("target_checks takes the city-wide completion frame (by=None)")
    done = base.select("list", "nature", pl.col("period").replace("YTD", "Year"), "completed_wan")
    frac = {f"Q{q}": elapsed_fraction(q, as_of_month, profile) for q in range(1, 5)}
    frac["Year"] = cum_share(as_of_month, profile)
    final = {f"Q{q}": as_of_month >= 3 * q for q in range(1, 5)} | {"Year": as_of_month == 12}
    # a year's target is due by the plan's own quarters where it sets them, else by the seasonal pace
    schedules = plan_schedules(plan_targets, profile)
    by_plan = pl.DataFrame(
        [{"list": lst, "nature": nature, "_plan_share": cum_share(as_of_month, sched)}
         for (lst, nature), sched in schedules.items()],
        schema={"list": pl.String, "nature": pl.String, "_plan_share": pl.Float64})
    return (
        plan_targets.join(done, on=["list", "nature", "period"], how="left", maintain_order="left", nulls_equal=True)
        .join(by_plan, on=["list", "nature"], how="left", maintain_order="left", nulls_equal=True)
        .with_columns(
            (pl.col("target_wan") / WAN_PER_YI).alias("target_yi"),
            _pct(pl.col("completed_wan"), pl.col("target_wan")).alias("rate_pct"),
            (pl.col("target_wan") * pl.when((pl.col("period") == "Year") & pl.col("_plan_share").is_not_null())
             .then(pl.col("_plan_share"))
             .otherwise(pl.col("period").replace_strict(frac, return_dtype=pl.Float64))).alias("due_wan"),
            pl.when(pl.col("period") != "Year").then(pl.lit("plan_quarter"))
            .when(pl.col("_plan_share").is_not_null()).then(pl.lit("plan_schedule"))
            .otherwise(pl.lit("seasonal")).alias("pace_basis"),
            pl.col("period").replace_strict(final, return_dtype=pl.Boolean).alias("final"),
        )
        .with_columns(
            _pct(pl.col("completed_wan"), pl.col("due_wan")).alias("pace_rate_pct"),
            pl.when(pl.col("final")).then(pl.col("completed_wan").fill_null(0) >= pl.col("target_wan"))
            .alias("met"),
        )
        .select("list", "nature", "period", "kind", "key", "clause", "target_wan", "target_yi",
                "completed_wan", "rate_pct", "due_wan", "pace_rate_pct", "pace_basis", "final", "met")
    )


# --- requirements --------------------------------------------------------------------------------


def requirements(
    completion_frame: pl.DataFrame,
    checks: pl.DataFrame | None,
    *,
    as_of_month: int,
    rules: list,
    planned_starts: dict[str, dict[int, int]] | None = None,
) -> pl.DataFrame:
    """The plan's completion requirements (jygproj.plan.Requirement, checks target_completion and
    annual_completion, as the plan file declares them), one row per list and period.

    - target_completion: completed against the plan's own amount target (``checks``,
      :func:`target_checks`) for each period of the rule: a quarter is judged once closed, the year in
      the deadline month; measured_pct = completed / target.
    - annual_completion: year to date over the lists' annual plans, judged in the deadline month.

    Nothing is judged before its period ends (met null; the seasonal pace is a practice reference,
    :func:`practice_pace`, never a requirement). A quarterly target of new projects due before any
    planned start (二(二): 0.25亿 in Q1, starts planned from Q2 — ``planned_starts``, Plan.planned_starts)
    is the plan's own inconsistency: shown with a note, not judged (met null).

    Columns: requirement_id, clause, list, nature, period, basis (plan_target | annual_plan),
    target_wan (plan_target rows), completed_wan, measured_pct, required_pct, final, partial, met,
    strive, note. Rows in the order of the rules.
    """
    planned_starts = planned_starts or {}
    cols = {"requirement_id": pl.String, "clause": pl.String, "list": pl.String, "nature": pl.String,
            "period": pl.String, "basis": pl.String, "target_wan": pl.Float64, "completed_wan": pl.Float64,
            "measured_pct": pl.Float64, "required_pct": pl.Float64, "final": pl.Boolean, "partial": pl.Boolean,
            "strive": pl.Boolean, "note": pl.String}
    rows: list[dict] = []
    for rule in rules:
        if rule.check == "target_completion" and checks is not None:
            hits = checks.filter((pl.col("kind") == "target") & pl.col("list").is_in(list(rule.lists))
                                 & pl.col("nature").eq_missing(rule.nature) & pl.col("period").is_in(list(rule.periods)))
            for c in hits.iter_rows(named=True):
                quarter = int(c["period"][1]) if c["period"].startswith("Q") else None
                begun = quarter is None or quarter * 3 - 2 <= as_of_month
                if not begun:
                    continue
                final = c["final"] if quarter is not None else as_of_month >= (rule.deadline_month or 12)
                note = rule.note
                counts = planned_starts.get(c["list"], {})
                if quarter is not None and rule.nature == "new" and counts and c["target_wan"] > 0 \
                        and sum(counts.get(k, 0) for k in range(1, quarter + 1)) == 0:
                    note = (f"方案自身不一致：安排{QUARTER_LABELS[quarter]}完成投资{c['target_wan'] / WAN_PER_YI:g}亿元，"
                            f"但未安排{QUARTER_LABELS[quarter]}及以前新开工项目（计划新开工自"
                            f"{QUARTER_LABELS[min(counts)]}起）；不作为责任单位未完成")
                    final = False
                rows.append(dict(requirement_id=rule.id, clause=rule.clause, list=c["list"], nature=c["nature"],
                                 period=c["period"], basis="plan_target", target_wan=c["target_wan"],
                                 completed_wan=c["completed_wan"], measured_pct=c["rate_pct"] if c["completed_wan"]
                                 is not None else None, required_pct=rule.threshold_pct,
                                 final=bool(final), partial=quarter is not None and not c["final"],
                                 strive=rule.strive, note=note))
        elif rule.check == "annual_completion":
            ytd = completion_frame.filter((pl.col("period") == "YTD") & pl.col("nature").is_null()
                                          & pl.col("list").is_in(list(rule.lists)))
            for c in ytd.iter_rows(named=True):
                rows.append(dict(requirement_id=rule.id, clause=rule.clause, list=c["list"], nature=None,
                                 period="Year", basis="annual_plan", target_wan=c["annual_plan_wan"],
                                 completed_wan=c["completed_wan"], measured_pct=c["annual_rate_pct"],
                                 required_pct=rule.threshold_pct, final=as_of_month >= (rule.deadline_month or 12),
                                 partial=False, strive=rule.strive, note=rule.note))
    out = pl.DataFrame(rows, schema=cols)
    return out.with_columns(
        # no rate (nothing planned) or not final -> nothing to judge: met stays null
        pl.when(pl.col("final") & pl.col("measured_pct").is_not_null())
        .then(pl.col("measured_pct") >= pl.col("required_pct") - 1e-9).alias("met"),
    ).select(*[c for c in cols if c not in ("strive", "note")], "met", "strive", "note")


def practice_pace(requirements_frame: pl.DataFrame, checks: pl.DataFrame | None, *, as_of_month: int,
                  profile: Profile) -> pl.DataFrame:
    """序时进度 (参考, not a requirement): where a requirement of the year is not judged yet, how far
    completion is against the pace — the plan's own quarters where it has them (二(二)), else the
    seasonal profile. Never counted as met or failed.

    Columns: requirement_id, list, nature, period (YTD), value_pct (completed / the year's target or
    plan), reference_pct (the pace: threshold × share due), pace_basis (plan_schedule | seasonal),
    on_pace."""
    open_year = requirements_frame.filter((pl.col("period") == "Year") & ~pl.col("final"))
    schedules = plan_schedules(checks, profile) if checks is not None else {}
    rows = []
    for r in open_year.iter_rows(named=True):
        sched = schedules.get((r["list"], r["nature"]))
        share = cum_share(as_of_month, sched or profile)
        value = r["measured_pct"]
        ref = r["required_pct"] * share
        rows.append(dict(requirement_id=r["requirement_id"], list=r["list"], nature=r["nature"], period="YTD",
                         value_pct=value, reference_pct=ref, pace_basis="plan_schedule" if sched else "seasonal",
                         on_pace=None if value is None else value >= ref))
    return pl.DataFrame(rows, schema={"requirement_id": pl.String, "list": pl.String, "nature": pl.String,
                                      "period": pl.String, "value_pct": pl.Float64, "reference_pct": pl.Float64,
                                      "pace_basis": pl.String, "on_pace": pl.Boolean})


def requirement_items(requirements_frame: pl.DataFrame, start_summary: pl.DataFrame | None,
                      labels: dict[str, str]) -> pl.DataFrame:
    """Every requirement the plan sets, completion and starts together, one row per list and period
    (summary.json requirements.items): requirement_id, requirement (in words), clause, list, nature,
    period (Q1..Q4, Year, or the deadline month YYYY-MM), threshold (%), value_pct (%), met (null
    until final), final, strive (力争: not counted), note. ``start_summary``: jygproj.starts.start_requirements'
    summary; ``labels``: Plan.requirement_labels."""
    comp = requirements_frame.select(
        "requirement_id", "clause", "list", "nature", "period", pl.col("required_pct").alias("threshold"),
        pl.col("measured_pct").alias("value_pct"), "final", "met", "strive", "note")
    parts = [comp]
    if start_summary is not None and start_summary.height:
        st = start_summary.select(
            "requirement_id", "clause", "list", pl.col("nature").cast(pl.String),
            "period",
            pl.col("required_pct").alias("threshold"), pl.col("rate_pct").alias("value_pct"), "final", "met",
            "strive", pl.lit("").alias("note"))
        parts.append(st)
    out = pl.concat(parts, how="vertical_relaxed")
    return out.with_columns(pl.col("requirement_id").replace_strict(labels, default=None).alias("requirement")) \
        .select("requirement_id", "requirement", "clause", "list", "nature", "period", "threshold", "value_pct",
                "met", "final", "strive", "note")


def requirement_counts(items: pl.DataFrame) -> dict[str, int]:
    """How many of the plan's requirements were checked (final), met and failed (final and not met),
    how many are not due yet (open), and how many 力争 items fell short (never counted as failed)."""
    binding = items.filter(~pl.col("strive"))
    final = binding.filter(pl.col("final") & pl.col("met").is_not_null())
    return {"checked": final.height, "met": int(final["met"].sum()), "failed": int((~final["met"]).sum()),
            "open": binding.height - final.height,
            "strive_short": int(items.filter(pl.col("strive") & pl.col("final") & (pl.col("met") == False)).height)}  # noqa: E712


def plan_reconciliation(memberships: pl.DataFrame, plan_sizes: pl.DataFrame) -> pl.DataFrame:
    """The lists received against the sizes the plan states (jygproj.plan.Plan.list_sizes_frame):
    list, nature, size_scope, plan_projects, projects (on the list received, of that nature), plan_total_wan,
    total_investment_wan (received), count_difference, total_difference_wan, matches (count equal and,
    where the plan gives one, total within 0.5 万元)."""
    # the sums in project order, not in the order the registers' rows came: the same totals to the last
    # bit however an office ordered its rows (floats added in another order differ in their last bits)
    m = memberships.with_columns(pl.col("list").cast(pl.String), pl.col("nature").cast(pl.String)).sort(
        "list", "project_id", nulls_last=True)
    by_nature = m.with_columns(pl.col("nature").fill_null(UNSPECIFIED)).group_by("list", "nature").agg(pl.col("project_id").n_unique().alias("projects"),
                                                 pl.col("total_investment_wan").sum().alias("total_investment_wan"))
    whole = m.group_by("list").agg(pl.col("project_id").n_unique().alias("projects"),
                                   pl.col("total_investment_wan").sum().alias("total_investment_wan")) \
        .with_columns(pl.lit(None, pl.String).alias("nature"))
    got = pl.concat([by_nature, whole.select(by_nature.columns)])
    return (plan_sizes.join(got, on=["list", "nature"], how="left", maintain_order="left", nulls_equal=True)
            .with_columns(pl.col("projects").fill_null(0).cast(pl.Int64))
            .with_columns((pl.col("projects") - pl.col("plan_count")).alias("count_difference"),
                          (pl.col("total_investment_wan") - pl.col("plan_total_wan")).alias("total_difference_wan"))
            .with_columns(((pl.col("count_difference") == 0)
                           & (pl.col("total_difference_wan").abs() <= TOTAL_TOLERANCE_WAN).fill_null(True))
                          .alias("matches"))
            .select("list", "nature", pl.col("scope").alias("size_scope"), pl.col("plan_count").alias("plan_projects"),
                    "projects", "plan_total_wan",
                    "total_investment_wan",
                    "count_difference", "total_difference_wan", "matches", "clause"))


# --- review figures ------------------------------------------------------------------------------


def city_annual_plan_wan(completion_frame: pl.DataFrame) -> float | None:
    """The city's annual plan, each project once (the "city" scope's YTD row); None without one."""
    rows = completion_frame.filter((pl.col("list") == CITY) & pl.col("nature").is_null() & (pl.col("period") == "YTD"))
    return float(rows["annual_plan_wan"].sum()) if rows.height else None


def city_annual_rate_pct(completion_frame: pl.DataFrame) -> float | None:
    """年度计划完成率: the city's completed year to date over its annual plan (each project once)."""
    rows = completion_frame.filter((pl.col("list") == CITY) & pl.col("nature").is_null() & (pl.col("period") == "YTD"))
    plan = float(rows["annual_plan_wan"].sum()) if rows.height else 0.0
    if not rows.height or not plan:
        return None
    return float(rows["completed_wan"].fill_null(0.0).sum()) / plan * 100


def s_curve(completion_frame: pl.DataFrame, monthly: pl.DataFrame, *, year: int, as_of_month: int,
            profile: Profile) -> pl.DataFrame:
    """Planned and actual cumulative of all listed projects (once each), month 1..12:
    month, planned_cum_wan (the city's annual plan by the seasonal profile), actual_cum_wan (the
    ledger's 1-X月 figures, from 1-2月 to the as-of month; null after)."""
    plan_total = city_annual_plan_wan(completion_frame) or 0.0
    # each month's figures summed in cumulative_at's order, as one column each (the same sums)
    at = cumulative_at_each(monthly, year, {m: m for m in range(2, as_of_month + 1)}, "_m")
    actual = {m: float(at[m]["completed_ytd_wan"].rechunk().sum() or 0.0) for m in range(2, as_of_month + 1)}
    return pl.DataFrame({"month": list(range(1, 13)),
                         "planned_cum_wan": [plan_total * cum_share(m, profile) for m in range(1, 13)],
                         "actual_cum_wan": [actual.get(m) for m in range(1, 13)]},
                        schema={"month": pl.Int64, "planned_cum_wan": pl.Float64, "actual_cum_wan": pl.Float64})


def project_detail(memberships: pl.DataFrame, monthly: pl.DataFrame, *, year: int, quarter: int, as_of_month: int,
                   profile: Profile) -> pl.DataFrame:
    """Per project and list: YTD plan and completion, the review quarter's plan and completion, the
    rate, and the ledger row the figure was taken from (month_used, figure_file/sheet/row)."""
    # each project's rows of its own (a unit's are the city's, issue 18)
    return per_project("project_detail", (memberships, monthly), (year, quarter, as_of_month, profile_key(profile)),
                       lambda ms, mo: _project_detail(ms, mo, year, quarter, as_of_month, profile))


def _project_detail(memberships: pl.DataFrame, monthly: pl.DataFrame, year: int, quarter: int, as_of_month: int,
                    profile: Profile) -> pl.DataFrame:
    d = completion_detail(memberships, monthly, year=year, as_of_month=as_of_month, profile=profile)
    ytd = d.filter((pl.col("period") == "YTD") & ~pl.col("list").is_in([CITY, ENTERPRISE]))
    this_quarter = d.filter(pl.col("period") == f"Q{quarter}").select(
        "project_id", "list", pl.col("plan_wan").alias("q_plan_wan"), pl.col("completed_wan").alias("q_completed_wan"))
    used = cumulative_at(monthly, year, as_of_month)
    figure_src = monthly.join(used.select("project_id", pl.col("month_used").alias("month")),
                              on=["project_id", "month"]).select(
        "project_id", "month", pl.col("source_file").alias("figure_file"),
        pl.col("source_sheet").alias("figure_sheet"), pl.col("source_row").alias("figure_row"))
    return (
        ytd.join(this_quarter, on=["project_id", "list"], how="left", maintain_order="left")
        .join(figure_src, on="project_id", how="left", maintain_order="left")
        .with_columns(_pct(pl.col("completed_wan"), pl.col("plan_wan")).alias("rate_pct"))
    )


def most_behind(frame: pl.DataFrame, key: str, n: int = 5) -> pl.DataFrame:
    """The ``n`` rows of a year-to-date completion frame (one per ``key``: a responsible unit, a
    project) furthest behind their 序时计划 in 万元: ``behind_wan`` = plan_wan − completed_wan, only
    those behind (> 0), largest first. A project on several lists counts once (its largest gap).

    Equal gaps are in ``key`` order, and a project behind by the same 万元 on two lists shows the list
    whose figures stand for it city-wide (LIST_PRECEDENCE): a total order, so the first screen names
    the same rows whatever the order of the input rows (polars' sort leaves ties in no given order)."""
    keys = [pl.col("behind_wan"), pl.col(key)]
    if "list" in frame.columns and key != "list":
        rank = {name: i for i, name in enumerate(LIST_PRECEDENCE)}
        keys.append(pl.col("list").cast(pl.String).replace_strict(rank, default=len(rank), return_dtype=pl.Int32))
    # a row without a plan has no gap (null, not > 0): one filter leaves it out (issue 18: one operation less)
    return (frame.with_columns((pl.col("plan_wan") - pl.col("completed_wan").fill_null(0.0)).alias("behind_wan"))
            .filter(pl.col("behind_wan") > 0)
            .sort(keys, descending=[True, *[False] * (len(keys) - 1)], nulls_last=True)
            .unique(key, keep="first", maintain_order=True).head(n))


def slowest_first(by_unit: pl.DataFrame) -> pl.DataFrame:
    """Completion by responsible unit, slowest against its 序时计划 first (rate_pct ascending, a unit
    without a rate last); units at the same rate in name order, so the 分责任单位完成 table and the
    report's words list them alike whatever the order of the input rows."""
    return by_unit.sort(["rate_pct", "responsible_unit"], nulls_last=True)
