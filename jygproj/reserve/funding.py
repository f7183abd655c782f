"""Funding matching (二(六), 二(七)): which reserve projects can go into each channel's application round.

A project is matched against the rounds of its own funding channel. It is eligible when its domain
is among the round's domains (empty = any), its total investment reaches the round's minimum and
every step the round asks for is done by the deadline — done now (已符合), or expected done by the
deadline on the readiness timeline (截止前可符合, push it). A step the project does not need counts
as satisfied. Deadlines come from the reference file; ``deadlines`` overrides them per round.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from jygproj import schema
from jygproj.errors import UsageError
from jygproj.reserve.reference import ReserveReference

ELIGIBILITY = schema.FUNDING_ELIGIBILITY_LABELS


def _as_date(value: str | dt.date) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def funding_matches(
    ready: pl.DataFrame,
    schedule: pl.DataFrame,
    ref: ReserveReference,
    deadlines: dict[str, str | dt.date] | None = None,
) -> pl.DataFrame:
    """One row per round and project of that round's channels: eligibility, missing steps, reasons.

    ``ready`` from readiness(); ``schedule`` from step_schedule() (end_date per outstanding step).
    """
    deadlines = deadlines or {}
    unknown = set(deadlines) - set(ref.rounds)
    if unknown:
        raise UsageError(f"截止日期参数含未知申报批次 {sorted(unknown)}（应为 {list(ref.rounds)}）", "unknown_round")
    step_label = schema.RESERVE_STEPS
    outstanding = schedule.filter(pl.col("required") & (pl.col("status") != "done")).select(
        "project_id", pl.col("step").cast(pl.String), "end_date",
        label=pl.col("step").cast(pl.String).replace_strict(step_label))
    frames = []
    for rnd in ref.rounds.values():
        deadline = _as_date(deadlines.get(rnd.key, rnd.deadline))
        pool = ready.filter(pl.col("funding_channel").is_in(list(rnd.channels)))
        if pool.is_empty():
            continue
        asked = outstanding.filter(pl.col("step").is_in(list(rnd.steps_done)))
        missing = asked.group_by("project_id").agg(
            missing_now=pl.col("label").str.join("、"),
            last_end=pl.col("end_date").max(),
        ).join(
            asked.filter(pl.col("end_date") > deadline).group_by("project_id").agg(late=pl.col("label").str.join("、")),
            on="project_id", how="left",
        )
        domain_ok = pl.lit(True) if not rnd.domains else pl.col("domain").is_in(list(rnd.domains))
        size_ok = pl.col("total_investment_wan").fill_null(0.0) >= rnd.min_total_investment_wan
        steps_now = pl.col("missing_now").is_null()
        steps_by_deadline = pl.col("late").is_null() | (pl.col("late") == "")
        reasons = pl.concat_str(
            [
                pl.when(~domain_ok).then(pl.format("领域“{}”不在支持范围", pl.col("domain"))),
                pl.when(~size_ok).then(pl.lit(f"总投资低于{rnd.min_total_investment_wan:,.0f}万元")),
                pl.when(~steps_now & ~steps_by_deadline).then(pl.format("截止前难以办结：{}", pl.col("late"))),
            ],
            separator="；", ignore_nulls=True,
        )
        frame = (
            pool.join(missing, on="project_id", how="left")
            .with_columns(
                eligibility=pl.when(~domain_ok | ~size_ok).then(pl.lit("not_eligible"))
                .when(steps_now).then(pl.lit("eligible"))
                .when(steps_by_deadline).then(pl.lit("by_deadline"))
                .otherwise(pl.lit("not_eligible")),
                reasons=reasons,
            )
            .with_columns(
                round=pl.lit(rnd.key), round_label=pl.lit(rnd.label), deadline=pl.lit(deadline),
                rule=pl.lit(rnd.rule),
                eligibility_label=pl.col("eligibility").replace_strict(ELIGIBILITY),
                missing_steps=pl.col("missing_now"),
                reasons=pl.col("reasons").replace("", None),
            )
        )
        frames.append(frame)
    cols = ["round", "round_label", "deadline", "project_id", "name", "domain", "funding_channel",
            "total_investment_wan", "first_year_wan", "eligibility", "eligibility_label", "missing_steps",
            "last_end", "reasons", "blocking_owner", "rule"]
    if not frames:
        return pl.DataFrame(schema={c: pl.String for c in cols})
    order = {k: i for i, k in enumerate(ELIGIBILITY)}
    rounds = {k: i for i, k in enumerate(ref.rounds)}  # the file's order
    return (
        pl.concat([f.select(cols) for f in frames], how="vertical_relaxed")
        .with_columns(_o=pl.col("eligibility").replace_strict(order, return_dtype=pl.Int32),
                      _r=pl.col("round").replace_strict(rounds, return_dtype=pl.Int32))
        .sort("_r", "_o", "project_id").drop("_o", "_r")
    )


def funding_summary(matches: pl.DataFrame) -> pl.DataFrame:
    """Per round: projects matched by channel, eligible now, eligible by the deadline, and their
    total investment."""
    if matches.is_empty():
        return pl.DataFrame(schema={"round": pl.String, "round_label": pl.String, "deadline": pl.Date})
    ok = pl.col("eligibility").is_in(["eligible", "by_deadline"])
    return (
        matches.group_by("round", "round_label", "deadline", maintain_order=True)
        .agg(
            candidates=pl.len().cast(pl.Int32),
            eligible=(pl.col("eligibility") == "eligible").sum().cast(pl.Int32),
            by_deadline=(pl.col("eligibility") == "by_deadline").sum().cast(pl.Int32),
            not_eligible=(pl.col("eligibility") == "not_eligible").sum().cast(pl.Int32),
            eligible_investment_wan=pl.col("total_investment_wan").filter(ok).sum(),
        )
    )
