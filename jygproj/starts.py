"""Starts and resumptions 开工与复工: new-start rates against planned starts and the plan's start and
resumption requirements, with the projects that miss each.

Requirements of the plan (each a row of :func:`start_requirements`) are declared in the plan file
(data/reference/targets_<year>.yaml, section requirements; jygproj.plan): which lists, nature, start
or resumption, deadline and required rate. In 2023: the provincial key projects planned to start in
a quarter all start within it (二(二)); continuing key, government and enterprise projects resume
(二(二)、二(四)、二(五)); new government projects start in Q1, at the latest by the plan's June
deadline (二(四)); the enterprise new-start rate reaches the plan's rate, judged at the end of the
year, before that over the projects whose planned start month has passed (二(五)).

Pure: the start status comes from :func:`jygproj.ledger.start_status`; rates and dates are parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from jygproj.completion import CITY, ENTERPRISE
from jygproj.ledger import LIST_PRECEDENCE, per_project
from jygproj.schema import ENTERPRISE_LISTS

STATUS_CODES = ("on_time", "started_late", "not_started", "overdue", "resumed_late", "not_resumed")


def roster(memberships: pl.DataFrame, projects: pl.DataFrame | None, status: pl.DataFrame) -> pl.DataFrame:
    """One row per membership with what the start checks need.

    Columns: project_id, list, nature, planned_start (the list's own, else the project's), name,
    responsible_unit, and the project's status (every list's reports: ledger.project_status, or
    ledger.start_status) started, started_on, resumed, resumed_on. Reserve memberships are left out.
    """
    if projects is None:
        return _roster(memberships, None, status)
    # each project's rows of its own: a unit's are the city's (issue 18)
    return per_project("roster", (memberships, projects, status), None, _roster)


def _roster(memberships: pl.DataFrame, projects: pl.DataFrame | None, status: pl.DataFrame) -> pl.DataFrame:
    m = memberships.filter(pl.col("list").cast(pl.String) != "reserve").select(
        "project_id", pl.col("list").cast(pl.String), pl.col("nature").cast(pl.String), "planned_start"
    )
    if projects is not None:
        p = projects.select("project_id", "name", "responsible_unit",
                            pl.col("planned_start").alias("_p_start")).unique("project_id")
        m = m.join(p, on="project_id", how="left").with_columns(
            pl.coalesce("planned_start", "_p_start").alias("planned_start")
        ).drop("_p_start")
    else:
        m = m.with_columns(pl.lit(None, pl.String).alias("name"), pl.lit(None, pl.String).alias("responsible_unit"))
    return m.join(status, on="project_id", how="left").with_columns(
        pl.col("started").fill_null(False), pl.col("resumed").fill_null(False)
    )


def _planned_month_end() -> pl.Expr:
    return pl.col("planned_start").dt.month_end()


def _with_scopes(r: pl.DataFrame) -> pl.DataFrame:
    """Add the enterprise (industrial + real estate) and city scopes, each project once."""
    rank = {name: i for i, name in enumerate(LIST_PRECEDENCE)}

    def once(frame: pl.DataFrame, scope: str) -> pl.DataFrame:
        return (
            frame.with_columns(pl.col("list").replace_strict(rank, return_dtype=pl.Int32).alias("_r"))
            .sort(["project_id", "_r"]).unique("project_id", keep="first", maintain_order=True)
            .drop("_r").with_columns(pl.lit(scope).alias("list"))
        )

    # each project's rows (its lists, then its scopes' in scope order): a unit's are the city's (issue 18)
    return per_project("with_scopes", (r,), None, lambda r: pl.concat(
        [r, once(r.filter(pl.col("list").is_in(list(ENTERPRISE_LISTS))), ENTERPRISE), once(r, CITY)]))


# --- new-start rates -----------------------------------------------------------------------------


def new_start_rates(
    roster_frame: pl.DataFrame,
    *,
    year: int,
    as_of: date,
    planned_counts: dict[str, dict[int, int]] | None = None,
) -> pl.DataFrame:
    """New-start rate by list (plus enterprise and city) and quarter of the planned start.

    One row per list and period (Q1..Q4 by planned start, YTD): planned_count (new projects
    planned to start in the period), plan_count (the plan's own count, e.g. provincial_key
    {2: 10, 3: 11, 4: 6}, 二(二)), due_count (of the planned, those whose planned month has ended by
    as_of), started_count (of the due, started by as_of), on_time_count (started by the end of the
    planned quarter), rate_pct (started / due), plan_rate_pct (started / plan_count). Undated new
    projects appear only in YTD (undated_count) and are due at the end of the year.
    """
    planned_counts = planned_counts or {}
    new = per_project("new_starts", (roster_frame,), (year, as_of), lambda r: _new_starts(r, year, as_of))
    aggs = [
        pl.len().alias("planned_count"),
        pl.col("_due").sum().alias("due_count"),
        pl.col("_due_started").sum().alias("started_count"),
        pl.col("_on_time").sum().alias("on_time_count"),
        pl.col("planned_start").is_null().sum().alias("undated_count"),
    ]
    by_q = new.filter(pl.col("quarter").is_not_null()).group_by(["list", "quarter"]).agg(aggs).with_columns(
        pl.concat_str(pl.lit("Q"), pl.col("quarter").cast(pl.String)).alias("period")
    )
    ytd = new.group_by("list").agg(aggs).with_columns(
        pl.lit(None, pl.Int8).alias("quarter"), pl.lit("YTD").alias("period")
    )
    plan = pl.DataFrame(
        [dict(list=lst, quarter=q, plan_count=n) for lst, qs in planned_counts.items() for q, n in qs.items()]
        + [dict(list=lst, quarter=None, plan_count=sum(qs.values())) for lst, qs in planned_counts.items()],
        schema={"list": pl.String, "quarter": pl.Int8, "plan_count": pl.Int64},
    )
    order = {name: i for i, name in enumerate([*LIST_PRECEDENCE, ENTERPRISE, CITY])}
    return (
        pl.concat([by_q, ytd.select(by_q.columns)])
        .join(plan, on=["list", "quarter"], how="full", coalesce=True, nulls_equal=True)
        .with_columns(
            pl.col("period").fill_null(pl.concat_str(pl.lit("Q"), pl.col("quarter").cast(pl.String))),
            *(pl.col(c).fill_null(0).cast(pl.Int64) for c in
              ("planned_count", "due_count", "started_count", "on_time_count", "undated_count")),
        )
        .with_columns(
            pl.when(pl.col("due_count") > 0).then(pl.col("started_count") / pl.col("due_count") * 100)
            .alias("rate_pct"),
            pl.when(pl.col("due_count") > 0).then(pl.col("on_time_count") / pl.col("due_count") * 100)
            .alias("on_time_rate_pct"),
            pl.when(pl.col("plan_count") > 0).then(pl.col("started_count") / pl.col("plan_count") * 100)
            .alias("plan_rate_pct"),
            pl.col("list").replace_strict(order, default=len(order), return_dtype=pl.Int32).alias("_o"),
        )
        .sort(["_o", "quarter"], nulls_last=True)
        .select("list", "period", "quarter", "planned_count", "plan_count", "due_count", "started_count",
                "on_time_count", "undated_count", "rate_pct", "on_time_rate_pct", "plan_rate_pct")
    )


def _new_starts(roster_frame: pl.DataFrame, year: int, as_of: date) -> pl.DataFrame:
    """The new projects of every list and scope, each judged on ``as_of`` (due, started, on time):
    each project's rows of its own (a unit's are the city's, issue 18)."""
    new = _with_scopes(roster_frame).filter(pl.col("nature") == "new").with_columns(
        pl.col("planned_start").dt.quarter().cast(pl.Int8).alias("quarter"),
        (_planned_month_end() <= as_of).fill_null(as_of >= date(year, 12, 31)).alias("_due"),
        (pl.col("started") & (pl.col("started_on").is_null() | (pl.col("started_on") <= as_of))).alias("_started"),
    )
    return new.with_columns(
        (pl.col("_due") & pl.col("_started")).alias("_due_started"),
        (pl.col("_started") & pl.col("started_on").is_not_null()
         & (pl.col("started_on") <= pl.date(pl.col("planned_start").dt.year(),
                                            pl.col("planned_start").dt.quarter() * 3, 1).dt.month_end()))
        .alias("_on_time"),
    )


# --- requirements --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StartRule:
    requirement_id: str
    clause: str
    lists: tuple[str, ...]  # population: memberships of these lists (counted once)
    nature: str  # "new" | "continuing"
    event: str  # "start" | "resume"
    deadline: date
    required_pct: float
    quarter: int | None = None  # population: planned to start in this quarter only
    due_by_plan: bool = False  # population: only projects whose planned month has passed
    strive: bool = False  # 力争: counted and shown, never a deadline (no project listed as missing it)
    period: str | None = None  # Q1..Q4, Year or YYYY-MM (jygproj.plan.Requirement.period)


def rules_from_plan(plan) -> list[StartRule]:
    """The plan's start and resumption requirements (jygproj.plan.Plan, checks start and resume), in
    the order the plan file lists them."""
    return [StartRule(r.id, r.clause, r.lists, r.nature, "start" if r.check == "start" else "resume", r.deadline,
                      r.threshold_pct, quarter=r.quarter, due_by_plan=r.due_by_plan, strive=r.strive, period=r.period)
            for r in plan.requirements_of("start", "resume")]


def _population(roster_frame: pl.DataFrame, rule: StartRule, as_of: date, made: dict | None = None) -> pl.DataFrame:
    """The projects ``rule`` judges; ``made``: the projects of each (lists, nature) already taken from
    this roster (several rules share them)."""
    key = (tuple(rule.lists), rule.nature)
    pop = made.get(key) if made is not None else None
    if pop is None:
        rank = {name: i for i, name in enumerate(LIST_PRECEDENCE)}
        pop = (
            roster_frame.filter(pl.col("list").is_in(list(rule.lists)) & (pl.col("nature") == rule.nature))
            .sort(["project_id", pl.col("list").replace_strict(rank, return_dtype=pl.Int32)])
            .unique("project_id", keep="first", maintain_order=True)
        )
        if made is not None:
            made[key] = pop
    keep = []  # the rule's own conditions, in one filter
    if rule.quarter is not None:
        keep.append(pl.col("planned_start").dt.quarter() == rule.quarter)
    if rule.due_by_plan:
        # judged on the projects whose planned start month has ended by the earlier of as_of and the
        # deadline; an undated one only once the deadline has passed
        cut = min(as_of, rule.deadline)
        keep.append((_planned_month_end() <= cut).fill_null(as_of >= rule.deadline))
    return pop.filter(pl.all_horizontal(keep)) if keep else pop


def _judged(roster_frame: pl.DataFrame, rules: tuple[StartRule, ...], as_of: date) -> dict[int | str, pl.DataFrame]:
    """Each rule's projects (by the rule's place in ``rules``; a rule whose quarter has not begun by
    ``as_of`` left out), each judged on ``as_of``: _met (in time), _late_done (done, late); and
    "misses", :func:`start_requirements`' misses. Each project's own rows: made once on the city's
    roster, a unit's review takes its rows (issue 18)."""
    return per_project("start_judged", (roster_frame,), (rules, as_of), lambda r: _judge(r, rules, as_of))


def _judge(roster_frame: pl.DataFrame, rules: tuple[StartRule, ...], as_of: date) -> dict[int | str, pl.DataFrame]:
    out: dict[int | str, pl.DataFrame] = {}
    misses = []
    made: dict = {}
    for order, rule in enumerate(rules):
        if rule.quarter is not None and as_of < date(rule.deadline.year, rule.quarter * 3 - 2, 1):
            continue
        cut = min(as_of, rule.deadline)
        event_on = "started_on" if rule.event == "start" else "resumed_on"
        event_flag = "started" if rule.event == "start" else "resumed"
        pop = _population(roster_frame, rule, as_of, made)
        if rule.event == "resume" and "resumed_by" not in pop.columns:
            # a status without the project's resumption (ledger.project_status): city tables have one
            # 开工（复工）时间 column and often no 复工 column, so a start reported within the year counts
            this_year = pl.col("started") & (pl.col("started_on") >= date(rule.deadline.year, 1, 1))
            pop = pop.with_columns(
                pl.min_horizontal(pl.col("resumed_on"), pl.when(this_year).then(pl.col("started_on")))
                .alias("resumed_on"),
                (pl.col("resumed") | this_year.fill_null(False)).alias("resumed"),
            )
        out[order] = pop = pop.with_columns(
            # a start/resumption reported without any date counts as in time (the report came first)
            (pl.col(event_flag) & (pl.col(event_on).is_null() | (pl.col(event_on) <= cut))).alias("_met"),
            (pl.col(event_flag) & pl.col(event_on).is_not_null() & (pl.col(event_on) <= as_of)).alias("_late_done"),
        )
        if rule.strive:
            continue
        final = as_of >= rule.deadline
        missed = pop.filter(~pl.col("_met") if final else ~pl.col("_met") & (_planned_month_end() <= as_of).fill_null(False))
        done, never = ("started_late", "not_started") if rule.event == "start" else ("resumed_late", "not_resumed")
        status = (pl.when(pl.col("_late_done")).then(pl.lit(done)).otherwise(pl.lit(never)) if final
                  else pl.lit("overdue"))
        misses.append(missed.select(
            pl.lit(order).alias("_order"),
            pl.lit(rule.requirement_id).alias("requirement_id"), pl.lit(rule.clause).alias("clause"),
            "project_id", "name", "list", "nature", "responsible_unit", "planned_start", "started_on",
            "resumed_on", pl.lit(rule.deadline).alias("deadline"), status.alias("status"),
        ))
    miss_schema = {"_order": pl.Int32, "requirement_id": pl.String, "clause": pl.String,
                   "project_id": pl.String, "name": pl.String,
                   "list": pl.String, "nature": pl.String, "responsible_unit": pl.String, "planned_start": pl.Date,
                   "started_on": pl.Date, "resumed_on": pl.Date, "deadline": pl.Date, "status": pl.String}
    miss_frame = pl.concat([m.cast(miss_schema) for m in misses]) if misses else pl.DataFrame(schema=miss_schema)
    # sorted by rule, then unit and project: a unit's rows of the city's are in its own order
    out["misses"] = miss_frame.sort(["_order", "responsible_unit", "project_id"], nulls_last=True).drop("_order")
    return out


def start_requirements(
    roster_frame: pl.DataFrame, rules: list[StartRule], *, as_of: date
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Check each rule on ``as_of``; return (summary, misses).

    summary: requirement_id, clause, list (the rule's lists joined by "+"), nature, quarter, deadline,
    required_pct, due_count, met_count, rate_pct, final (deadline passed), met (final checks with at
    least one project due; null otherwise), strive, period (Q1..Q4, Year or YYYY-MM).
    A rule whose quarter has not begun by as_of is skipped.

    misses: requirement_id, clause, project_id, name, list, nature, responsible_unit, planned_start,
    started_on, resumed_on, deadline, status — every project that missed a final rule
    (not_started / started_late / not_resumed / resumed_late), and for a running rule those whose
    planned start month has passed without a start (overdue). A 力争 (strive) rule lists no project:
    the plan gives it no deadline a project could miss (二(四): 力争一季度开工, the deadline is June).
    """
    summaries = []
    judged = _judged(roster_frame, tuple(rules), as_of)
    for order, rule in enumerate(rules):
        if order not in judged:
            continue
        final = as_of >= rule.deadline
        pop = judged[order]
        due, met = pop.height, int(pop["_met"].sum())
        rate = met / due * 100 if due else None
        summaries.append(dict(
            requirement_id=rule.requirement_id, clause=rule.clause, list="+".join(rule.lists),
            quarter=rule.quarter, deadline=rule.deadline, required_pct=rule.required_pct, due_count=due,
            met_count=met, rate_pct=rate, final=final,
            met=(rate >= rule.required_pct) if final and due else None, nature=rule.nature, strive=rule.strive,
            period=rule.period,
        ))
    summary = pl.DataFrame(summaries, schema={
        "requirement_id": pl.String, "clause": pl.String, "list": pl.String, "quarter": pl.Int8,
        "deadline": pl.Date, "required_pct": pl.Float64, "due_count": pl.Int64, "met_count": pl.Int64,
        "rate_pct": pl.Float64, "final": pl.Boolean, "met": pl.Boolean, "nature": pl.String, "strive": pl.Boolean,
        "period": pl.String,
    })
    return summary, judged["misses"]
