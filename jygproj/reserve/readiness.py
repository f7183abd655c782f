"""Readiness of reserve projects (二(六)): which steps each needs, which block it, when it is ready.

Rules (all data in data/reference/reserve_steps.yaml, passed in as ``ref``):

- **Needed steps.** The project's type (项目类型, or an alias) lists required and conditional steps.
  A conditional step (e.g. 能评 for 核准类) is needed unless the sheet marks it 不涉及. A required
  step the sheet marks 不涉及 is taken as the office says (not needed) but flagged ``conflict``
  so the commission can check it. A type the file does not know falls back to ``default_type``.
  A needed step with no cell in the sheet counts as not started.
- **Blocking step.** The first needed step not done, in the usual order of schema.RESERVE_STEPS,
  with the department that owns it (by domain or funding channel where the file says so; "建设单位"
  is replaced by the project's own construction unit).
- **Remaining time.** A step not started needs its typical duration (plus its ``lead_months`` of
  preparation where the file gives one: a 立项 not yet applied for first needs its proposal and
  feasibility study written); **a step in progress needs half its typical duration** (we do not know
  how far along it is: half is the middle guess). Steps of one phase run side by side (并联审批,
  二(七)); phases follow one another; an in-progress step runs from the review date, a not-started
  one from the end of the previous phase; 资金落实 (``parallel``) runs alongside all phases from the
  review date. Where the sheet gives an expected month for an outstanding step, the step never ends
  before the end of that month (``use_expected_dates``). A project's remaining months = the latest
  end of its steps, counted from the end of the review month.
- **Ready month.** The review month (status at its end) plus the remaining months rounded up:
  ready_month = review + ceil(remaining). A project already ready has ready_month = review month.
  Construction is assumed to start ``start_lag_months`` later (default 1: the month after the last
  permit).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from jygproj import schema
from jygproj.errors import UsageError
from jygproj.reserve.months import DAYS_PER_MONTH, add_months, ceil_months_expr, parse_month
from jygproj.reserve.reference import ReserveReference

STATUSES = tuple(schema.RESERVE_STATUSES)
OWNER_PLACEHOLDER = "建设单位"


def _type_frame(types: list[str | None], ref: ReserveReference) -> pl.DataFrame:
    """project_type × step → kind (required / conditional / null), with the type actually used."""
    rows = []
    for name in types:
        ptype, matched = ref.resolve_type(name)
        for step in schema.RESERVE_STEPS:
            kind = "required" if step in ptype.required else "conditional" if step in ptype.conditional else None
            rows.append({"project_type": name, "step": step, "kind": kind,
                         "type_used": ptype.name, "type_matched": matched})
    return pl.DataFrame(rows, schema={"project_type": pl.String, "step": pl.String, "kind": pl.String,
                                      "type_used": pl.String, "type_matched": pl.Boolean})


def _step_ref_frame(ref: ReserveReference, durations: dict[str, float] | None) -> pl.DataFrame:
    durations = {**ref.durations(), **(durations or {})}
    unknown = set(durations) - set(schema.RESERVE_STEPS)
    if unknown:
        raise UsageError(f"办理时长参数含未知手续 {sorted(unknown)}（应为 {list(schema.RESERVE_STEPS)}）", "unknown_step")
    return pl.DataFrame(
        {
            "step": list(ref.steps),
            "step_label": [s.label for s in ref.steps.values()],
            "step_order": list(range(len(ref.steps))),
            "typical_months": [float(durations[k]) for k in ref.steps],
            "phase": [s.phase for s in ref.steps.values()],
            "lead_months": [s.lead_months for s in ref.steps.values()],
            "parallel": [s.parallel for s in ref.steps.values()],
            "default_owner": [s.owner for s in ref.steps.values()],
        },
        schema_overrides={"phase": pl.Int32, "step_order": pl.Int32},
    )


def _owner_overrides(ref: ReserveReference) -> tuple[pl.DataFrame, pl.DataFrame]:
    by_domain = [(k, d, o) for k, s in ref.steps.items() for d, o in s.owner_by_domain.items()]
    by_channel = [(k, c, o) for k, s in ref.steps.items() for c, o in s.owner_by_channel.items()]
    dom = pl.DataFrame(by_domain, schema={"step": pl.String, "domain": pl.String, "owner_by_domain": pl.String},
                       orient="row")
    chan = pl.DataFrame(by_channel, schema={"step": pl.String, "funding_channel": pl.String,
                                            "owner_by_channel": pl.String}, orient="row")
    return dom, chan


def step_table(
    reserve: pl.DataFrame,
    steps: pl.DataFrame,
    ref: ReserveReference,
    durations: dict[str, float] | None = None,
) -> pl.DataFrame:
    """One row per project and step (all eight): status, whether needed, owner, months remaining.

    ``reserve`` is schema.RESERVE, ``steps`` schema.RESERVE_STEPS_TABLE; ``durations`` overrides the
    typical months per step (keys of schema.RESERVE_STEPS).
    """
    bad = steps.filter(pl.col("status").is_not_null() & ~pl.col("status").is_in(STATUSES))
    if bad.height:
        row = bad.row(0, named=True)
        raise UsageError(
            f"手续状态无法识别：项目 {row['project_id']} 的 {row['step']} 为 {row['status']!r}，"
            f"应为 {'/'.join(STATUSES)}", "bad_status"
        )
    projects = reserve.select("project_id", "project_type", "domain", "funding_channel",
                              pl.col("owner").alias("construction_unit"))
    types = _type_frame(projects["project_type"].unique(maintain_order=True).to_list(), ref)
    dom, chan = _owner_overrides(ref)
    st = steps.select("project_id", pl.col("step").cast(pl.String), "status", "date")
    table = (
        projects.join(_step_ref_frame(ref, durations), how="cross")
        .join(types, on=["project_type", "step"], how="left", nulls_equal=True)
        .join(st, on=["project_id", "step"], how="left")
        .join(dom, on=["step", "domain"], how="left")
        .join(chan, on=["step", "funding_channel"], how="left")
        .with_columns(pl.col("status").fill_null("not_started"))
    )
    owner = pl.coalesce("owner_by_domain", "owner_by_channel", "default_owner")
    table = table.with_columns(
        required=pl.col("kind").is_not_null() & (pl.col("status") != "not_required"),
        conflict=(pl.col("kind") == "required") & (pl.col("status") == "not_required"),
        owner=pl.when((owner == OWNER_PLACEHOLDER) & pl.col("construction_unit").is_not_null())
        .then(pl.format("{}（{}）", owner, pl.col("construction_unit")))
        .otherwise(owner),
    ).with_columns(
        required=pl.col("required").fill_null(False),
        conflict=pl.col("conflict").fill_null(False),
    )
    remaining = (
        pl.when(~pl.col("required") | (pl.col("status") == "done")).then(0.0)
        .when(pl.col("status") == "in_progress").then(pl.col("typical_months") / 2)
        .otherwise(pl.col("typical_months") + pl.col("lead_months"))
    )
    return table.with_columns(remaining_months=remaining).select(
        "project_id", pl.col("step").cast(schema.RESERVE_STEPS_TABLE["step"]), "step_label", "step_order",
        "status", "date", "required", "conflict", "kind", "type_used", "type_matched", "owner",
        "typical_months", "remaining_months", "phase", "parallel",
    ).sort("project_id", "step_order")


def schedule(table: pl.DataFrame, review: str | dt.date, *, use_expected_dates: bool = True) -> pl.DataFrame:
    """Add each outstanding step's start and end, in months from the end of the review month."""
    t0 = add_months(parse_month(review), 1)
    pending = pl.col("required") & (pl.col("status") != "done")
    # An expected month in the sheet is a floor: done by the end of that month, not before.
    floor = (
        (pl.col("date").dt.year() * 12 + pl.col("date").dt.month() - (t0.year * 12 + t0.month) + 1)
        .cast(pl.Float64).clip(lower_bound=0.0)
        if use_expected_dates else pl.lit(None, pl.Float64)
    )
    work = table.filter(pending).with_columns(floor_offset=floor)
    main = work.filter(~pl.col("parallel"))
    side = work.filter(pl.col("parallel")).with_columns(start_offset=pl.lit(0.0)).with_columns(
        end_offset=pl.max_horizontal(pl.col("remaining_months"), pl.col("floor_offset")))
    prev = table.select("project_id").unique().with_columns(prev_end=pl.lit(0.0))
    parts = []
    for phase in sorted(table["phase"].unique().to_list()):
        rows = main.filter(pl.col("phase") == phase).join(prev, on="project_id", how="left")
        rows = rows.with_columns(
            start_offset=pl.when(pl.col("status") == "in_progress").then(0.0).otherwise(pl.col("prev_end"))
        ).with_columns(end_offset=pl.max_horizontal(pl.col("start_offset") + pl.col("remaining_months"),
                                                    pl.col("floor_offset")))
        parts.append(rows.drop("prev_end"))
        ends = rows.group_by("project_id").agg(phase_end=pl.col("end_offset").max())
        prev = prev.join(ends, on="project_id", how="left").select(
            "project_id", prev_end=pl.max_horizontal("prev_end", pl.col("phase_end").fill_null(0.0)))
    done = table.filter(~pending).with_columns(start_offset=pl.lit(None, pl.Float64),
                                               end_offset=pl.lit(None, pl.Float64),
                                               floor_offset=pl.lit(None, pl.Float64))
    return pl.concat([done, side, *parts], how="diagonal_relaxed").sort("project_id", "step_order")


def step_schedule(table: pl.DataFrame, review: str | dt.date, *, use_expected_dates: bool = True) -> pl.DataFrame:
    """The schedule with dates: each outstanding step's expected start and end (for the Gantt chart
    and funding deadlines). t=0 is the end of the review month."""
    t0 = add_months(parse_month(review), 1)
    sched = schedule(table, review, use_expected_dates=use_expected_dates)

    def at(col: str) -> pl.Expr:
        return pl.lit(t0) + pl.duration(days=(pl.col(col) * DAYS_PER_MONTH).round(0).cast(pl.Int64))

    return sched.with_columns(start_date=at("start_offset"), end_date=at("end_offset"))


def readiness(
    reserve: pl.DataFrame,
    steps: pl.DataFrame,
    ref: ReserveReference,
    review: str | dt.date,
    *,
    durations: dict[str, float] | None = None,
    start_lag_months: int = 1,
    use_expected_dates: bool = True,
) -> pl.DataFrame:
    """One row per reserve project: needed and done steps, stage, blocking step and owner,
    remaining months, ready month and expected start month (rules in the module docstring)."""
    review_month = parse_month(review)
    table = step_table(reserve, steps, ref, durations)
    sched = schedule(table, review_month, use_expected_dates=use_expected_dates)
    pending = pl.col("required") & (pl.col("status") != "done")
    per_project = table.group_by("project_id").agg(
        steps_required=pl.col("required").sum().cast(pl.Int32),
        steps_done=(pl.col("required") & (pl.col("status") == "done")).sum().cast(pl.Int32),
        approval_status=pl.col("status").filter((pl.col("step") == "approval") & pl.col("required")).first(),
        type_used=pl.col("type_used").first(),
        type_matched=pl.col("type_matched").first(),
        conflicts=pl.col("step_label").filter(pl.col("conflict")).str.join("、"),
    )
    blocking = (
        table.filter(pending).sort("step_order")
        .group_by("project_id", maintain_order=True)
        .agg(
            blocking_step=pl.col("step").first().cast(pl.String),
            blocking_step_label=pl.col("step_label").first(),
            blocking_status=pl.col("status").first(),
            blocking_owner=pl.col("owner").first(),
            remaining_steps=pl.format(
                "{}{}", pl.col("step_label"),
                pl.when(pl.col("status") == "in_progress").then(pl.lit("（办理中）")).otherwise(pl.lit("")),
            ).str.join("、"),
        )
    )
    months = sched.group_by("project_id").agg(remaining_months=pl.col("end_offset").max())
    out = (
        reserve.join(per_project, on="project_id", how="left")
        .join(blocking, on="project_id", how="left")
        .join(months, on="project_id", how="left")
        .with_columns(remaining_months=pl.col("remaining_months").fill_null(0.0))
    )
    ready = pl.col("steps_done") == pl.col("steps_required")
    stage = (
        pl.when(ready).then(pl.lit("ready"))
        .when(pl.col("approval_status") == "not_started").then(pl.lit("concept"))
        .when(pl.col("approval_status") == "in_progress").then(pl.lit("approval"))
        .otherwise(pl.lit("permits"))
    )
    to_ready = ceil_months_expr(pl.col("remaining_months"))
    out = out.with_columns(
        stage=stage,
        readiness_pct=pl.when(pl.col("steps_required") > 0)
        .then(100.0 * pl.col("steps_done") / pl.col("steps_required")).otherwise(100.0),
        months_to_ready=to_ready,
        blocking_status_label=pl.col("blocking_status").replace_strict(schema.RESERVE_STATUSES, default=None),
    ).with_columns(
        stage_label=pl.col("stage").replace_strict(schema.RESERVE_STAGES),
        ready_month=pl.lit(review_month).dt.offset_by(pl.format("{}mo", pl.col("months_to_ready"))),
        start_month=pl.lit(review_month).dt.offset_by(
            pl.format("{}mo", pl.col("months_to_ready") + start_lag_months)),
    )
    return out.select(
        "project_id", "name", "domain", "funding_channel", "project_type", "type_used", "type_matched",
        "total_investment_wan", "first_year_wan", "responsible_unit", "owner", "tier",
        "steps_required", "steps_done", "readiness_pct", "stage", "stage_label",
        "blocking_step", "blocking_step_label", "blocking_status", "blocking_status_label", "blocking_owner",
        "remaining_steps", "remaining_months", "months_to_ready", "ready_month", "start_month",
        pl.col("conflicts").replace("", None),
    ).sort("project_id")


def blocking_steps(ready: pl.DataFrame) -> pl.DataFrame:
    """The list of blocking steps: how many projects each step (and owner) holds up, and their
    investment, most projects first. Projects already ready are not counted."""
    return (
        ready.filter(pl.col("blocking_step").is_not_null())
        .group_by("blocking_step", "blocking_step_label", "blocking_owner")
        .agg(
            projects=pl.len().cast(pl.Int32),
            in_progress=(pl.col("blocking_status") == "in_progress").sum().cast(pl.Int32),
            total_investment_wan=pl.col("total_investment_wan").sum(),
            first_year_wan=pl.col("first_year_wan").sum(),
            names=pl.col("name").sort().str.join("、"),
        )
        .with_columns(order=pl.col("blocking_step").replace_strict(
            {k: i for i, k in enumerate(schema.RESERVE_STEPS)}, return_dtype=pl.Int32))
        .sort(["projects", "order", "blocking_owner"], descending=[True, False, False])
        .drop("order")
    )
