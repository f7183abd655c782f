"""The reserve funnel (二(六) 谋划储备 → 开工): counts and investment per stage, and its movement.

Stages come from :func:`jygproj.reserve.readiness.readiness` (``stage``): 谋划阶段 (立项 not started),
立项阶段 (立项 in progress), 要件办理阶段 (立项 done, other needed steps outstanding), 具备开工条件
(every needed step done). Each project sits in exactly one stage, so the stage counts add up to the
pool, overall and within each domain or funding channel.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from jygproj import schema

STAGE_ORDER = {k: i for i, k in enumerate(schema.RESERVE_STAGES)}
MOVEMENTS = schema.RESERVE_MOVEMENT_LABELS


def _stages() -> pl.DataFrame:
    return pl.DataFrame(
        {"stage": list(schema.RESERVE_STAGES), "stage_label": list(schema.RESERVE_STAGES.values()),
         "stage_order": list(range(len(schema.RESERVE_STAGES)))},
        schema_overrides={"stage_order": pl.Int32},
    )


def funnel(ready: pl.DataFrame, by: str | None = None) -> pl.DataFrame:
    """Projects, total and first-year investment per stage (every stage shown, zeros included),
    optionally within each value of ``by`` ("domain" or "funding_channel"). ``reached`` counts the
    projects at this stage or further on (the funnel's width)."""
    keys = [by] if by else []
    frame = _stages()
    if by:
        frame = ready.select(pl.col(by).fill_null("未填")).unique().sort(by).join(frame, how="cross")
    counts = ready.with_columns(pl.col(by).fill_null("未填")) if by else ready
    counts = counts.group_by(keys + ["stage"]).agg(
        projects=pl.len().cast(pl.Int32),
        total_investment_wan=pl.col("total_investment_wan").sum(),
        first_year_wan=pl.col("first_year_wan").sum(),
    )
    out = (
        frame.join(counts, on=keys + ["stage"], how="left")
        .with_columns(
            pl.col("projects").fill_null(0),
            pl.col("total_investment_wan").fill_null(0.0),
            pl.col("first_year_wan").fill_null(0.0),
        )
        .sort(keys + ["stage_order"])
    )
    reached = pl.col("projects").reverse().cum_sum().reverse()
    return out.with_columns(reached=reached.over(keys) if keys else reached).drop("stage_order")


def funnel_wide(ready: pl.DataFrame, by: str) -> pl.DataFrame:
    """One row per ``by`` value, one column of project counts per stage, and the row total."""
    long = funnel(ready, by)
    wide = long.pivot(on="stage_label", index=by, values="projects")
    stage_cols = list(schema.RESERVE_STAGES.values())
    inv = long.group_by(by).agg(total_investment_wan=pl.col("total_investment_wan").sum())
    return (
        wide.select(by, *stage_cols)
        .with_columns(projects=pl.sum_horizontal(stage_cols))
        .join(inv, on=by)
        .sort(by)
    )


def steps_as_of(steps: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """The steps table as it stood on ``as_of``, rebuilt from completion dates: a step done after
    that day was then still in progress. (An approximation for a review without an earlier
    snapshot: we cannot tell 'in progress' from 'not started' back then.)"""
    later = (pl.col("status") == "done") & (pl.col("date") > pl.lit(as_of))
    return steps.with_columns(
        status=pl.when(later).then(pl.lit("in_progress")).otherwise(pl.col("status")),
        date=pl.when(later).then(pl.lit(None, pl.Date)).otherwise(pl.col("date")),
    )


def stage_movement(previous: pl.DataFrame, current: pl.DataFrame) -> pl.DataFrame:
    """Compare two readiness snapshots project by project: previous and current stage and the
    movement (新入库 / 出库 / 阶段前移 / 阶段后退 / 阶段未变)."""
    prev = previous.select("project_id", pl.col("name").alias("prev_name"), previous_stage="stage")
    cur = current.select("project_id", "name", "stage")
    both = prev.join(cur, on="project_id", how="full", coalesce=True)
    order_prev = pl.col("previous_stage").replace_strict(STAGE_ORDER, default=None, return_dtype=pl.Int32)
    order_cur = pl.col("stage").replace_strict(STAGE_ORDER, default=None, return_dtype=pl.Int32)
    movement = (
        pl.when(pl.col("previous_stage").is_null()).then(pl.lit("new"))
        .when(pl.col("stage").is_null()).then(pl.lit("left"))
        .when(order_cur > order_prev).then(pl.lit("advanced"))
        .when(order_cur < order_prev).then(pl.lit("regressed"))
        .otherwise(pl.lit("same"))
    )
    return (
        both.with_columns(name=pl.coalesce("name", "prev_name"), movement=movement)
        .with_columns(
            previous_stage_label=pl.col("previous_stage").replace_strict(schema.RESERVE_STAGES, default=None),
            stage_label=pl.col("stage").replace_strict(schema.RESERVE_STAGES, default=None),
            movement_label=pl.col("movement").replace_strict(MOVEMENTS),
        )
        .select("project_id", "name", "previous_stage", "previous_stage_label", "stage", "stage_label",
                "movement", "movement_label")
        .sort("project_id")
    )


def movement_summary(movement: pl.DataFrame) -> pl.DataFrame:
    """Counts per movement, every movement listed."""
    counts = movement.group_by("movement").agg(projects=pl.len().cast(pl.Int32))
    return (
        pl.DataFrame({"movement": list(MOVEMENTS), "movement_label": list(MOVEMENTS.values())})
        .join(counts, on="movement", how="left")
        .with_columns(pl.col("projects").fill_null(0))
    )
