"""Rolling view "5年储备 / 3年滚动 / 1年实施" (二(六) 动态滚动接续): which projects move tier.

At each review a project goes to the nearest tier whose horizon holds the months until it is
expected ready (reference ``tiers``: ready within 12 months → 1年实施, within 36 → 3年滚动, else
5年储备). An idea still in 谋划阶段 (立项 not started) that sits in 5年储备 stays there: the timeline
cannot tell when its owner means to start, so only starting its 立项 moves it up. Moving nearer is 上调, further away 下调 (a project slipping needs attention), a project
without a tier in the sheet is 新定级.
"""

from __future__ import annotations

import polars as pl

from jygproj import schema
from jygproj.reserve.reference import ReserveReference

UNTIERED = "未定级"
TIER_MOVES = schema.TIER_MOVE_LABELS


def proposed_tier(months_to_ready: pl.Expr, ref: ReserveReference) -> pl.Expr:
    expr = None
    for tier in ref.tiers:
        cond = pl.lit(True) if tier.max_months_to_ready is None else months_to_ready <= tier.max_months_to_ready
        expr = (pl.when(cond) if expr is None else expr.when(cond)).then(pl.lit(tier.label))
    return expr.otherwise(pl.lit(ref.tiers[-1].label))


def tier_moves(ready: pl.DataFrame, ref: ReserveReference) -> pl.DataFrame:
    """Current tier, proposed tier and the move, one row per project (nearest tier first)."""
    rank = {t.label: i for i, t in enumerate(ref.tiers)}
    cur = pl.col("tier").replace_strict(rank, default=None, return_dtype=pl.Int32)
    new = pl.col("proposed_tier").replace_strict(rank, default=None, return_dtype=pl.Int32)
    move = (
        pl.when(cur.is_null()).then(pl.lit("new"))
        .when(new < cur).then(pl.lit("up"))
        .when(new > cur).then(pl.lit("down"))
        .otherwise(pl.lit("same"))
    )
    farthest = ref.tiers[-1].label
    keep = (pl.col("stage") == "concept") & (pl.col("tier") == farthest)
    return (
        ready.with_columns(proposed_tier=pl.when(keep).then(pl.lit(farthest))
                           .otherwise(proposed_tier(pl.col("months_to_ready"), ref)))
        .with_columns(tier_move=move)
        .with_columns(tier_move_label=pl.col("tier_move").replace_strict(TIER_MOVES))
        .select("project_id", "name", "domain", "stage_label", "months_to_ready", "ready_month", "tier",
                "proposed_tier", "tier_move", "tier_move_label", "total_investment_wan")
        .sort("tier_move", "project_id")
    )


def tier_summary(moves: pl.DataFrame, ref: ReserveReference) -> pl.DataFrame:
    """Projects per tier before and after this review."""
    labels = [t.label for t in ref.tiers]
    if moves["tier"].is_null().any() or not moves["tier"].is_in(labels).all():
        labels.append(UNTIERED)
    tier = pl.when(pl.col("tier").is_in(labels)).then(pl.col("tier")).otherwise(pl.lit(UNTIERED))
    before = moves.group_by(tier.alias("tier_label")).agg(before=pl.len().cast(pl.Int32))
    after = moves.group_by(pl.col("proposed_tier").alias("tier_label")).agg(after=pl.len().cast(pl.Int32))
    return (
        pl.DataFrame({"tier_label": labels})
        # the tiers in the reference's order (polars keeps a join's order only when asked)
        .join(before, on="tier_label", how="left", maintain_order="left")
        .join(after, on="tier_label", how="left", maintain_order="left")
        .with_columns(pl.col("before").fill_null(0), pl.col("after").fill_null(0))
    )
