"""Observation and ranking 观摩评比 (二(九)): a transparent score and the top projects per list.

二(九) names three qualities — 建设速度快 (fast construction), 工程进度好 (good progress),
超额完成年度投资 (over-completion of the annual plan) — so the score has exactly three parts, each
kept as a column next to the figures it comes from, and the weights live in
data/reference/ranking.yaml. See that file for the formulas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from jygproj import paths, schema
from jygproj.alerts import positions
from jygproj.ledger import per_project
from jygproj.pace import Profile
from jygproj.reference import ReferenceDataError, check_keys, read_strict


@dataclass(frozen=True)
class RankingRules:
    file: str
    lists: tuple[str, ...]
    top_n: int
    require_started: bool
    min_annual_plan_wan: float
    speed_points_per_month: float
    speed_min_points: float
    speed_max_points: float
    pace_points_per_ratio: float
    pace_cap_ratio: float
    over_points_per_pct: float
    over_max_points: float
    labels: dict[str, str]  # part -> Chinese label
    exclude_levels: tuple[str, ...] = ()  # warning levels that keep a project out of the recommendations


def load_ranking(path: Path | None = None) -> RankingRules:
    """Load the score weights (data/reference/ranking.yaml); unknown/duplicate keys are refused."""
    path = Path(path) if path else paths.REFERENCE / "ranking.yaml"
    data, lines = read_strict(path)
    check_keys(data, file=path, lines=lines, key_path=(), required={"meta", "lists", "top_n", "eligibility", "parts"})
    check_keys(data["meta"], file=path, lines=lines, key_path=("meta",), required={"title", "clause", "description"})
    check_keys(data["eligibility"], file=path, lines=lines, key_path=("eligibility",),
               required={"require_started", "min_annual_plan_wan", "exclude_warning_levels"})
    exclude = data["eligibility"]["exclude_warning_levels"]
    bad_levels = [x for x in exclude if x not in schema.ALERT_LEVELS] if isinstance(exclude, list) else [exclude]
    if bad_levels:
        raise ReferenceDataError(path, lines.get(("eligibility", "exclude_warning_levels")),
                                 "eligibility.exclude_warning_levels",
                                 f"未知的预警等级 {bad_levels!r}；允许：{'、'.join(schema.ALERT_LEVELS)}", "unknown_level")
    parts = data["parts"]
    check_keys(parts, file=path, lines=lines, key_path=("parts",), required={"speed", "pace", "over_completion"})
    spec = {"speed": {"label", "points_per_month", "min_points", "max_points"},
            "pace": {"label", "points_per_ratio", "cap_ratio"},
            "over_completion": {"label", "points_per_pct", "max_points"}}
    for part, keys in spec.items():
        check_keys(parts[part], file=path, lines=lines, key_path=("parts", part), required=keys)
        for key in keys - {"label"}:
            _number(path, lines, ("parts", part, key), parts[part][key])
    lists = data["lists"]
    bad = [x for x in lists if x not in schema.LISTS] if isinstance(lists, list) else [lists]
    if bad:
        raise ReferenceDataError(path, lines.get(("lists",)), "lists",
                                 f"未知的清单 {bad!r}；允许：{'、'.join(schema.LISTS)}", "unknown_list")
    top_n = data["top_n"]
    if isinstance(top_n, bool) or not isinstance(top_n, int) or top_n < 1:
        raise ReferenceDataError(path, lines.get(("top_n",)), "top_n", f"应为正整数，实际为 {top_n!r}", "bad_top_n")
    sp, pc, oc = parts["speed"], parts["pace"], parts["over_completion"]
    if sp["min_points"] > sp["max_points"]:
        raise ReferenceDataError(path, lines.get(("parts", "speed", "min_points")), "parts.speed.min_points",
                                 "最低分不得高于最高分", "bad_range")
    return RankingRules(
        file=str(path), lists=tuple(lists), top_n=top_n,
        require_started=bool(data["eligibility"]["require_started"]),
        min_annual_plan_wan=float(_number(path, lines, ("eligibility", "min_annual_plan_wan"),
                                          data["eligibility"]["min_annual_plan_wan"])),
        speed_points_per_month=float(sp["points_per_month"]), speed_min_points=float(sp["min_points"]),
        speed_max_points=float(sp["max_points"]),
        pace_points_per_ratio=float(pc["points_per_ratio"]), pace_cap_ratio=float(pc["cap_ratio"]),
        over_points_per_pct=float(oc["points_per_pct"]), over_max_points=float(oc["max_points"]),
        labels={"speed": sp["label"], "pace": pc["label"], "over_completion": oc["label"]},
        exclude_levels=tuple(exclude),
    )


def _number(path: Path, lines: Any, kp: tuple[str, ...], value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ReferenceDataError(path, lines.get(kp), ".".join(kp), f"应为数字，实际为 {value!r}", "value_not_number")
    return float(value)



def score_projects(projects: pl.DataFrame, memberships: pl.DataFrame, progress: pl.DataFrame, as_of: date,
                   weights: RankingRules, profile: Profile, *, month: int | None = None,
                   schedules: dict | None = None) -> pl.DataFrame:
    """Score every project on the ranked lists as known on ``as_of``; ranks are per list.

    ``progress`` is the raw ledger (resolved with jygproj.ledger.snapshot inside
    :func:`jygproj.alerts.positions`, the same figures, cut-off month and start status as the
    warnings). Speed counts whole calendar months between the planned and the actual start month
    (+ early, − late; the planned month is the list's, as in the start warnings); continuing projects,
    with no start this year, score 0 for speed. A project is eligible when it is under construction (started, resumed or with
    investment this year) and its annual plan reaches the floor; ineligible rows keep their score
    but get no rank.

    Equal scores on a list: the larger completion this year first, then project_id — every eligible
    project its own rank (1, 2, 3 …, none shared), whatever the order of the input rows. The plan
    (二(九)) sets no ranking and no rule for ties: this order is the tool's, like the weights
    (ranking.yaml), and the report shows each project's score beside its rank.

    Columns: list, rank, project_id, name, responsible_unit, nature, planned_start, started_on,
    months_early, annual_plan_wan, planned_to_date_wan, completed_ytd_wan, pace_ratio, annual_pct,
    speed_points, pace_points, over_points, score, eligible.
    """
    pos = positions(projects, memberships, progress, as_of, profile, month=month, schedules=schedules)
    # each project's score is its own (a unit's are the city's rows, issue 18); the ranks are within
    # the projects scored
    scored = per_project("scores", (pos,), (as_of, _weights_key(weights)), lambda p: _scored(p, as_of, weights))
    ranked = scored.sort(["list", "eligible", "score", "completed_ytd_wan", "project_id"],
                         descending=[False, True, True, True, False], nulls_last=True).with_columns(
        pl.when(pl.col("eligible"))
        .then(pl.col("eligible").cast(pl.Int32).cum_sum().over("list"))
        .cast(pl.Int32).alias("rank")
    )
    return ranked.select(
        "list", "rank", "project_id", "name", "responsible_unit", "nature", "planned_start", "started_on",
        "months_early", "annual_plan_wan", "planned_to_date_wan", "completed_ytd_wan", "pace_ratio",
        "annual_pct", "speed_points", "pace_points", "over_points", "score", "eligible",
    )


def _weights_key(w: RankingRules) -> tuple:
    """What of the rules a score depends on (hashable: the labels are words only)."""
    return (w.lists, w.require_started, w.min_annual_plan_wan, w.speed_points_per_month, w.speed_min_points,
            w.speed_max_points, w.pace_points_per_ratio, w.pace_cap_ratio, w.over_points_per_pct, w.over_max_points)


def _scored(positions_frame: pl.DataFrame, as_of: date, w: RankingRules) -> pl.DataFrame:
    """Each project's score on each ranked list (unsorted, unranked)."""
    pos = positions_frame.filter(pl.col("list").cast(pl.String).is_in(w.lists))
    done = pl.col("completed_ytd_wan").fill_null(0.0)
    ym = lambda e: e.dt.year().cast(pl.Int32) * 12 + e.dt.month().cast(pl.Int32)  # noqa: E731
    is_new = pl.col("nature").cast(pl.String) != "continuing"
    months_early = (
        pl.when(is_new & pl.col("planned_start").is_not_null() & pl.col("started_on").is_not_null())
        .then(ym(pl.col("planned_start")) - ym(pl.col("started_on")))
        .when(is_new & pl.col("planned_start").is_not_null() & ~pl.col("started")
              & (pl.col("planned_start") <= as_of))
        .then(ym(pl.col("planned_start")) - (as_of.year * 12 + as_of.month))  # still waiting: late so far
        .otherwise(0)
    )
    under_construction = pl.col("started") | pl.col("resumed") | (done > 0)
    eligible = (under_construction if w.require_started else pl.lit(True)) & (
        pl.col("annual_plan_wan").fill_null(0) >= w.min_annual_plan_wan) & (pl.col("annual_plan_wan") > 0)
    scored = (
        pos.with_columns(
            months_early.cast(pl.Int32).alias("months_early"),
            pl.when(pl.col("annual_plan_wan") > 0).then(done / pl.col("annual_plan_wan") * 100).alias("annual_pct"),
            pl.when(pl.col("planned_to_date_wan") > 0).then(done / pl.col("planned_to_date_wan"))
            .alias("pace_ratio"),
            eligible.fill_null(False).alias("eligible"),
        )
        .with_columns(
            (pl.col("months_early") * w.speed_points_per_month)
            .clip(w.speed_min_points, w.speed_max_points).cast(pl.Float64).alias("speed_points"),
            (pl.col("pace_ratio").fill_null(0).clip(upper_bound=w.pace_cap_ratio) * w.pace_points_per_ratio)
            .alias("pace_points"),
            ((pl.col("annual_pct").fill_null(0) - 100).clip(lower_bound=0) * w.over_points_per_pct)
            .clip(upper_bound=w.over_max_points).alias("over_points"),
        )
        .with_columns((pl.col("speed_points") + pl.col("pace_points") + pl.col("over_points")).alias("score"))
    )
    return scored


def top_projects(scores: pl.DataFrame, n: int, worst: pl.DataFrame | None = None,
                 exclude_levels: tuple[str, ...] = ()) -> pl.DataFrame:
    """The ``n`` best-ranked eligible projects of each list that carry no warning at ``exclude_levels``
    (ranking.yaml: never recommend a red or yellow project for observation, issue 13), in list and
    rank order. ``worst``: jygproj.alerts.worst_level_per_project; the result's ``level`` is the
    project's worst warning (null where it has none), ``recommend_rank`` its place among the
    recommended of its list."""
    level = (worst.select("project_id", pl.col("level").cast(pl.String)) if worst is not None
             else pl.DataFrame(schema={"project_id": pl.String, "level": pl.String}))
    out = scores.join(level, on="project_id", how="left").filter(
        pl.col("eligible") & ~pl.col("level").is_in(list(exclude_levels)).fill_null(False)).sort(["list", "rank"])
    out = out.with_columns(pl.int_range(1, pl.len() + 1).over("list").cast(pl.Int32).alias("recommend_rank"))
    return out.filter(pl.col("recommend_rank") <= n)
