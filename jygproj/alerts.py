"""Red/yellow/blue warnings 红黄蓝预警 (二(八)): a rules engine driven by data/reference/alert_rules.yaml.

Rules differ by city, so thresholds, levels and the words shown to users are configuration
(domain page, "Warning practice"). The level keys are fixed by :data:`jygproj.schema.ALERT_LEVELS`
(blue < yellow < red, mildest first as in Gansu practice); their labels come from the rules file.

Five rule kinds:

- ``start_lateness``   new projects not started after their planned start month (二(四)、二(五));
- ``resume_lateness``  continuing projects not resumed after the deadline month (二(二): Q1);
- ``pace_gap``         completion behind the seasonal time-elapsed pace 序时进度, in percentage points;
- ``report_timeliness`` scheduling reports filed late or missing (二(八): key projects by the 5th);
- ``cumulative_fall``  a 1-X月 cumulative figure lower than the previous period's (data quality).

:func:`evaluate` returns one ALERTS row per hit: a project on two lists, or hit by two rules, has
several rows. Count projects with :func:`worst_level_per_project`. Everything here is pure: the
caller passes frames, the as-of date, the loaded rules and the seasonal profile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl

from jygproj import ledger, paths, schema
from jygproj.pace import Profile, cum_share
from jygproj.report.formats import date_zh as _date_zh, wan as _wan
from jygproj.reference import Lines, ReferenceDataError, check_keys, read_strict

LEVEL_ORDER: dict[str, int] = {level: i for i, level in enumerate(schema.ALERT_LEVELS)}
RULE_KINDS = ("start_lateness", "resume_lateness", "pace_gap", "report_timeliness", "cumulative_fall")
CADENCES = ("monthly", "weekly")

#: Lists under construction scheduling; the reserve pool (二(六)) has no progress to warn about.
CONSTRUCTION_LISTS = tuple(k for k in schema.LISTS if k != "reserve")


# --- the rules file -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelStyle:
    key: str
    label: str  # 蓝色预警
    colour: str  # 蓝
    hex: str
    definition: str


@dataclass(frozen=True)
class Band:
    level: str
    above: float  # hits when the measure is strictly greater


@dataclass(frozen=True)
class Schedule:
    cadence: str  # monthly | weekly
    due_days_after_period_end: int
    source: str


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    kind: str
    clause: str
    source: str
    lists: tuple[str, ...] = CONSTRUCTION_LISTS
    natures: tuple[str, ...] = tuple(schema.NATURES)
    bands: tuple[Band, ...] = ()
    level: str | None = None  # single-level rules (cumulative_fall)
    params: dict[str, Any] = field(default_factory=dict)
    schedules: dict[str, Schedule] = field(default_factory=dict)

    def level_for(self, measure: float) -> str | None:
        """The highest band the measure exceeds, or None."""
        hit = None
        for band in sorted(self.bands, key=lambda b: b.above):
            if measure > band.above:
                hit = band.level
        return hit


@dataclass(frozen=True)
class AlertRules:
    file: str
    title: str
    levels: dict[str, LevelStyle]
    rules: dict[str, Rule]

    def label(self, level: str) -> str:
        return self.levels[level].label


_RULE_KEYS = {"name", "kind", "clause", "source"}
_KIND_KEYS: dict[str, tuple[set[str], set[str]]] = {  # kind -> (required, optional) beyond _RULE_KEYS
    "start_lateness": ({"bands"}, {"applies_to_lists", "applies_to_natures"}),
    "resume_lateness": ({"bands", "deadline_month"}, {"applies_to_lists", "applies_to_natures"}),
    "pace_gap": ({"bands"}, {"applies_to_lists", "applies_to_natures", "min_annual_plan_wan",
                             "pace_from_planned_start"}),
    "report_timeliness": ({"schedules", "late_level", "missing_level"},
                          {"applies_to_natures", "lookback_periods"}),
    "cumulative_fall": ({"level"}, {"applies_to_lists", "tolerance_wan"}),
}


def load_rules(path: Path | None = None, *, plan: Any = None) -> AlertRules:
    """Load and validate the warning rules (data/reference/alert_rules.yaml by default).

    Refuses duplicate or unknown keys, unknown levels, lists, natures and kinds, and bands that do
    not escalate (a higher threshold must give a more severe level); errors name file, line, key.
    A value written ``{plan_target: key}`` or ``{plan_requirement: id}`` is the plan's number (a target,
    or the month of a requirement's deadline): the plan's dates are never copied into the rules, so
    ``plan`` (jygproj.plan.Plan) is needed when the file refers to it.
    """
    path = Path(path) if path else paths.REFERENCE / "alert_rules.yaml"
    data, lines = read_strict(path)
    data = _from_plan(data, plan, path, lines, ())
    check_keys(data, file=path, lines=lines, key_path=(), required={"meta", "levels", "rules"})
    check_keys(data["meta"], file=path, lines=lines, key_path=("meta",),
               required={"title", "clause", "description"})
    levels_raw = data["levels"]
    check_keys(levels_raw, file=path, lines=lines, key_path=("levels",), required=set(schema.ALERT_LEVELS))
    levels = {}
    for key in schema.ALERT_LEVELS:
        entry = levels_raw[key]
        check_keys(entry, file=path, lines=lines, key_path=("levels", key),
                   required={"label", "colour", "hex", "definition"})
        levels[key] = LevelStyle(key, str(entry["label"]), str(entry["colour"]), str(entry["hex"]),
                                 str(entry["definition"]))
    rules_raw = data["rules"]
    if not isinstance(rules_raw, dict) or not rules_raw:
        raise ReferenceDataError(path, lines.get(("rules",)), "rules", "至少需要一条规则", "no_rules")
    rules = {rid: _rule(path, lines, rid, entry) for rid, entry in rules_raw.items()}
    return AlertRules(str(path), str(data["meta"]["title"]), levels, rules)


def _from_plan(node: Any, plan: Any, path: Path, lines: Lines, kp: tuple[str, ...]) -> Any:
    """Replace {plan_target: key} / {plan_requirement: id} by the plan's number (see load_rules)."""
    if isinstance(node, dict) and len(node) == 1 and next(iter(node)) in ("plan_target", "plan_requirement"):
        kind, ref = next(iter(node.items()))
        if plan is None:
            raise ReferenceDataError(path, lines.get(kp), ".".join(kp), f"取值引用方案（{kind}: {ref}），需给出方案",
                                     "plan_needed")
        if kind == "plan_target":
            if ref not in plan.targets.items:
                raise ReferenceDataError(path, lines.get(kp), ".".join(kp), f"方案中没有目标 {ref!r}", "unknown_target")
            return int(plan.value(ref))
        months = {r.deadline_month for r in plan.requirements if r.id == ref and r.deadline_month}
        if len(months) != 1:
            raise ReferenceDataError(path, lines.get(kp), ".".join(kp),
                                     f"方案中没有唯一时限的要求 {ref!r}", "unknown_requirement")
        return months.pop()
    if isinstance(node, dict):
        return {k: _from_plan(v, plan, path, lines, kp + (str(k),)) for k, v in node.items()}
    if isinstance(node, list):
        return [_from_plan(v, plan, path, lines, kp + (str(i),)) for i, v in enumerate(node)]
    return node


def _rule(path: Path, lines: Lines, rid: str, entry: Any) -> Rule:
    kp = ("rules", rid)
    kind = entry.get("kind") if isinstance(entry, dict) else None
    if kind not in _KIND_KEYS:
        raise ReferenceDataError(path, lines.get(kp + ("kind",), lines.get(kp)), ".".join(kp + ("kind",)),
                                 f"规则类型应为 {'、'.join(RULE_KINDS)} 之一，实际为 {kind!r}", "unknown_kind")
    required, optional = _KIND_KEYS[kind]
    check_keys(entry, file=path, lines=lines, key_path=kp, required=_RULE_KEYS | required, optional=optional)

    def level(key: str, value: Any) -> str:
        if value not in schema.ALERT_LEVELS:
            raise ReferenceDataError(path, lines.get(kp + (key,)), ".".join(kp + (key,)),
                                     f"预警等级应为 {'/'.join(schema.ALERT_LEVELS)}，实际为 {value!r}",
                                     "unknown_level")
        return value

    def members(key: str, allowed: dict[str, str], default: tuple[str, ...]) -> tuple[str, ...]:
        values = entry.get(key, list(default))
        bad = [v for v in values if v not in allowed] if isinstance(values, list) else [values]
        if bad:
            raise ReferenceDataError(path, lines.get(kp + (key,)), ".".join(kp + (key,)),
                                     f"未知的取值 {bad!r}；允许：{'、'.join(allowed)}", "unknown_value")
        return tuple(values)

    bands: list[Band] = []
    for i, band in enumerate(entry.get("bands", [])):
        bkp = kp + ("bands", str(i))
        check_keys(band, file=path, lines=lines, key_path=bkp, required={"level", "above"})
        if isinstance(band["above"], bool) or not isinstance(band["above"], (int, float)):
            raise ReferenceDataError(path, lines.get(bkp + ("above",), lines.get(kp + ("bands",))),
                                     ".".join(bkp + ("above",)), f"阈值应为数字，实际为 {band['above']!r}",
                                     "value_not_number")
        bands.append(Band(level("bands", band["level"]), float(band["above"])))
    ordered = sorted(bands, key=lambda b: b.above)
    if any(LEVEL_ORDER[a.level] >= LEVEL_ORDER[b.level] or a.above == b.above
           for a, b in zip(ordered, ordered[1:])):
        raise ReferenceDataError(path, lines.get(kp + ("bands",)), ".".join(kp + ("bands",)),
                                 "阈值越高，等级应越严重（蓝<黄<红），且阈值不得重复", "bands_not_escalating")

    schedules = {}
    for lst, sched in (entry.get("schedules") or {}).items():
        skp = kp + ("schedules", lst)
        if lst not in schema.LISTS:
            raise ReferenceDataError(path, lines.get(skp), ".".join(skp),
                                     f"未知的清单；允许：{'、'.join(schema.LISTS)}", "unknown_list")
        check_keys(sched, file=path, lines=lines, key_path=skp,
                   required={"cadence", "due_days_after_period_end", "source"})
        if sched["cadence"] not in CADENCES:
            raise ReferenceDataError(path, lines.get(skp + ("cadence",)), ".".join(skp + ("cadence",)),
                                     f"调度频次应为 {'/'.join(CADENCES)}，实际为 {sched['cadence']!r}",
                                     "bad_cadence")
        days = sched["due_days_after_period_end"]
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise ReferenceDataError(path, lines.get(skp + ("due_days_after_period_end",)),
                                     ".".join(skp + ("due_days_after_period_end",)),
                                     f"应为非负整数，实际为 {days!r}", "bad_days")
        schedules[lst] = Schedule(sched["cadence"], days, str(sched["source"]))

    params: dict[str, Any] = {}
    for key in ("deadline_month", "min_annual_plan_wan", "pace_from_planned_start", "tolerance_wan",
                "lookback_periods"):
        if key in entry:
            params[key] = entry[key]
    if "deadline_month" in params and params["deadline_month"] not in range(1, 13):
        raise ReferenceDataError(path, lines.get(kp + ("deadline_month",)), ".".join(kp + ("deadline_month",)),
                                 f"应为 1–12 月，实际为 {params['deadline_month']!r}", "bad_month")
    for key in ("late_level", "missing_level"):
        if key in entry:
            params[key] = level(key, entry[key])
    return Rule(
        id=rid, name=str(entry["name"]), kind=kind, clause=str(entry["clause"]), source=str(entry["source"]),
        lists=members("applies_to_lists", schema.LISTS, CONSTRUCTION_LISTS),
        natures=members("applies_to_natures", schema.NATURES, tuple(schema.NATURES)),
        bands=tuple(bands), level=level("level", entry["level"]) if "level" in entry else None,
        params=params, schedules=schedules,
    )


# --- small date helpers ---------------------------------------------------------------------------


def _ym(expr: pl.Expr) -> pl.Expr:
    return expr.dt.year().cast(pl.Int32) * 12 + expr.dt.month().cast(pl.Int32)


def _months_after_month(month_start: pl.Expr, as_of: date) -> pl.Expr:
    """Months elapsed since the END of the month of ``month_start`` (fractional; <= 0 = not yet).

    Whole calendar months, plus the elapsed part of the current one: deadline end of June and as of
    30 September gives 3.0; as of 1 July gives 1/31.
    """
    days_in_month = ledger.month_end(as_of.year, as_of.month).day
    return (as_of.year * 12 + as_of.month - _ym(month_start) - 1).cast(pl.Float64) + as_of.day / days_in_month


def _pace_share(day: pl.Expr, profile: Profile) -> pl.Expr:
    """序时进度 share of a year by a date: whole months before it plus the elapsed part of its month."""
    before = {m: float(cum_share(m - 1, profile)) for m in range(1, 13)}
    month = day.dt.month().cast(pl.Int32)
    in_month = month.replace_strict({m: float(profile[m]) for m in range(1, 13)}, return_dtype=pl.Float64)
    elapsed = day.dt.day().cast(pl.Float64) / day.dt.month_end().dt.day().cast(pl.Float64)
    return month.replace_strict(before, return_dtype=pl.Float64) + in_month * elapsed


@lru_cache(maxsize=4096)  # a few distinct periods, worded for tens of thousands of warnings
def period_label(period: str) -> str:
    """"2023-10" -> 2023年10月; "2023-W43" -> 2023年第43周."""
    try:
        p = ledger.parse_period(period)
    except ValueError:
        return period
    return f"{p.year}年{p.number}月" if p.kind == "month" else f"{p.year}年第{p.number}周"


def assessment_year(progress: pl.DataFrame, as_of: date) -> int:
    """The year being assessed on ``as_of``: that of the latest period reported by then.

    1-X月 figures restart each January and January is reported with February (1-2月), so a review
    run on 10 January 2024 still assesses 2023. With no report yet, the year of ``as_of``.
    """
    def compute() -> int:
        snap = ledger.snapshot(progress, as_of).filter(pl.col("period_end") <= as_of)
        latest = snap["period_end"].max() if snap.height else None
        return latest.year if isinstance(latest, date) else as_of.year
    return ledger.memoised("assessment_year", (progress,), as_of, compute)


# --- where each project stands --------------------------------------------------------------------


def positions(projects: pl.DataFrame, memberships: pl.DataFrame, progress: pl.DataFrame, as_of: date,
              profile: Profile, *, pace_from_planned_start: bool = True, year: int | None = None) -> pl.DataFrame:
    """Each project on each construction list as known on ``as_of``: plan, latest figure, pace.

    ``progress`` is the raw ledger (all submissions); the latest revision known on ``as_of`` is taken
    with :func:`jygproj.ledger.snapshot`. The latest period of the assessed year (``year``, by default
    :func:`assessment_year`) is used; the pace is
    taken at that period's end (a stale report is a matter for the report rule, not the pace rule).
    A project with no report this year is compared at ``as_of`` with ``completed_ytd_wan`` null.

    Plan figures come from the list (membership) and fall back to the project register.
    With ``pace_from_planned_start``, a project planned to start this year runs its pace from its
    planned start month: share = (S(t) − S(start−1)) / (1 − S(start−1)), S the cumulative profile.

    Columns: project_id, list, name, responsible_unit, lead_unit, leader, nature, annual_plan_wan,
    planned_start, period, period_end, completed_ytd_wan, issues, started, started_on, resumed,
    pace_date, pace_share, planned_to_date_wan, completion_pct, pace_pct, behind_pp, pace_ratio.
    """
    year = assessment_year(progress, as_of) if year is None else year
    return ledger.memoised(
        "positions", (projects, memberships, progress),
        (as_of, ledger.profile_key(profile), pace_from_planned_start, year),
        lambda: _positions(projects, memberships, progress, as_of, profile, pace_from_planned_start, year))


def _positions(projects: pl.DataFrame, memberships: pl.DataFrame, progress: pl.DataFrame, as_of: date,
               profile: Profile, pace_from_planned_start: bool, year: int) -> pl.DataFrame:
    snap = ledger.snapshot(progress, as_of).filter(
        pl.col("period_end").is_not_null() & (pl.col("period_end") <= as_of)
        & (pl.col("period_end").dt.year() == year)
    )
    latest = (  # the last period of each (project, list) once sorted; (project, list, period) is unique
        snap.sort(["project_id", "list", "period_end", "period"])
        .filter(ledger.last_of(["project_id", "list"]))
        .select("project_id", "list", "period", "period_end", "completed_ytd_wan", "issues")
    )
    status = ledger.start_status(progress, as_of)
    register = projects.select("project_id", "name", "responsible_unit", "lead_unit", "leader",
                               pl.col("nature").alias("_p_nature"),
                               pl.col("annual_plan_wan").alias("_p_plan"),
                               pl.col("planned_start").alias("_p_start"))
    frame = (
        memberships.filter(pl.col("list").cast(pl.String).is_in(CONSTRUCTION_LISTS))
        .select("project_id", "list", "nature", "annual_plan_wan", "planned_start")
        .join(register, on="project_id", how="left")
        .with_columns(
            pl.coalesce("nature", "_p_nature").alias("nature"),
            pl.coalesce("annual_plan_wan", "_p_plan").alias("annual_plan_wan"),
            pl.coalesce("planned_start", "_p_start").alias("planned_start"),
        )
        .join(latest, on=["project_id", "list"], how="left")
        .join(status.select("project_id", "started", "started_on", "resumed"), on="project_id", how="left")
        .with_columns(
            pl.col("started").fill_null(False),
            pl.col("resumed").fill_null(False),
            # no report this year: compare at as_of (or at the year's end once it is over)
            pl.coalesce(pl.col("period_end"), pl.lit(min(as_of, date(year, 12, 31)))).alias("pace_date"),
        )
    )
    share = _pace_share(pl.col("pace_date"), profile)
    if pace_from_planned_start:
        start_share = _pace_share(pl.col("planned_start") - pl.duration(days=1), profile)
        this_year = pl.col("planned_start").dt.year() == year
        rescaled = ((share - start_share) / (1 - start_share)).clip(0.0, 1.0)
        share = pl.when(this_year & (pl.col("planned_start").dt.month() > 1) & (start_share < 1)) \
            .then(rescaled).otherwise(share)
    plan = pl.col("annual_plan_wan")
    return (
        frame.with_columns(share.alias("pace_share"))
        .with_columns((plan * pl.col("pace_share")).alias("planned_to_date_wan"))
        .with_columns(
            pl.when(plan > 0).then(pl.col("completed_ytd_wan") / plan * 100).alias("completion_pct"),
            (pl.col("pace_share") * 100).alias("pace_pct"),
        )
        .with_columns(
            (pl.col("pace_pct") - pl.col("completion_pct")).alias("behind_pp"),
            pl.when(pl.col("planned_to_date_wan") > 0)
            .then(pl.col("completed_ytd_wan") / pl.col("planned_to_date_wan")).alias("pace_ratio"),
        )
        .select("project_id", "list", "name", "responsible_unit", "lead_unit", "leader", "nature",
                "annual_plan_wan", "planned_start", "period", "period_end", "completed_ytd_wan", "issues",
                "started", "started_on", "resumed", "pace_date", "pace_share", "planned_to_date_wan",
                "completion_pct", "pace_pct", "behind_pp", "pace_ratio")
        .sort(["project_id", "list"])
    )


# --- the engine -----------------------------------------------------------------------------------


def evaluate(projects: pl.DataFrame, memberships: pl.DataFrame, progress: pl.DataFrame, as_of: date,
             rules: AlertRules, profile: Profile) -> pl.DataFrame:
    """Apply every rule as known on ``as_of``; one schema.ALERTS row per hit, worst level first.

    ``progress`` is the raw ledger (every submission and revision); revisions and report dates are
    resolved here as of ``as_of`` (jygproj.ledger.snapshot), so re-running an old date gives the
    warnings of that day. ``period`` of a row is the period the warning is about: the as-of month for
    start and resumption, the latest reported period for pace, the late or missing period for reports,
    the period whose figure fell for cumulative figures.
    """
    frames = []
    pace_rules = [r for r in rules.rules.values() if r.kind == "pace_gap"]
    from_start = bool(pace_rules[0].params.get("pace_from_planned_start", True)) if pace_rules else True
    year = assessment_year(progress, as_of)
    pos = positions(projects, memberships, progress, as_of, profile, pace_from_planned_start=from_start, year=year)
    for rule in rules.rules.values():
        if rule.kind == "start_lateness":
            frames.append(_start_lateness(pos, rule, as_of))
        elif rule.kind == "resume_lateness":
            frames.append(_resume_lateness(pos, rule, as_of, year))
        elif rule.kind == "pace_gap":
            if rule.params.get("pace_from_planned_start", True) != from_start:
                pos_r = positions(projects, memberships, progress, as_of, profile,
                                  pace_from_planned_start=bool(rule.params["pace_from_planned_start"]), year=year)
            else:
                pos_r = pos
            frames.append(_pace_gap(pos_r, rule))
        elif rule.kind == "report_timeliness":
            frames.append(_report_timeliness(pos, progress, rule, as_of))
        elif rule.kind == "cumulative_fall":
            frames.append(_cumulative_fall(progress, rule, as_of))
    month = f"{as_of.year}-{as_of.month:02d}"
    out = pl.concat([f for f in frames if f.height], how="diagonal_relaxed") if any(f.height for f in frames) \
        else pl.DataFrame(schema={"project_id": pl.String, "list": pl.String, "period": pl.String,
                                  "level": pl.String, "rule_id": pl.String, "reason": pl.String})
    out = out.with_columns(pl.col("period").fill_null(month), pl.lit(as_of).alias("evaluated_on"))
    out = schema.conform(out, schema.ALERTS)
    return out.sort(
        [pl.col("level").to_physical(), "project_id", "list", "rule_id", "period"],
        descending=[True, False, False, False, False],
    )


def _applies(pos: pl.DataFrame, rule: Rule) -> pl.DataFrame:
    return pos.filter(pl.col("list").cast(pl.String).is_in(rule.lists)
                      & pl.col("nature").cast(pl.String).is_in(rule.natures))


def _banded(frame: pl.DataFrame, rule: Rule, measure: str) -> pl.DataFrame:
    """Attach the band level of ``measure``; drop rows that hit no band."""
    expr = pl.lit(None, dtype=pl.String)
    for band in sorted(rule.bands, key=lambda b: b.above):
        expr = pl.when(pl.col(measure) > band.above).then(pl.lit(band.level)).otherwise(expr)
    return frame.with_columns(expr.alias("level")).filter(pl.col("level").is_not_null())


def _rows(frame: pl.DataFrame, rule: Rule, reasons: list[str], period: str | None = None) -> pl.DataFrame:
    return frame.select(
        "project_id", pl.col("list").cast(pl.String),
        (pl.col("period") if period is None else pl.lit(period)).alias("period"),
        "level", pl.lit(rule.id).alias("rule_id"),
        pl.Series("reason", reasons, dtype=pl.String),
    )


def _start_lateness(pos: pl.DataFrame, rule: Rule, as_of: date) -> pl.DataFrame:
    hits = _banded(
        _applies(pos, rule).filter(pl.col("planned_start").is_not_null() & ~pl.col("started"))
        .with_columns(_months_after_month(pl.col("planned_start"), as_of).alias("months_late")),
        rule, "months_late",
    )
    reasons = [
        f"计划{s.year}年{s.month}月开工，截至{_date_zh(as_of)}仍未开工，已逾期{m:.1f}个月"
        for s, m in zip(hits["planned_start"], hits["months_late"])
    ]
    return _rows(hits, rule, reasons, f"{as_of.year}-{as_of.month:02d}")


def _resume_lateness(pos: pl.DataFrame, rule: Rule, as_of: date, year: int) -> pl.DataFrame:
    deadline = int(rule.params["deadline_month"])
    # Evidence of resumption: the 复工 flag on any list, or investment reported this year (many
    # city tables have no 复工 column; money spent on site means work has resumed).
    hits = _banded(
        _applies(pos, rule).filter(~pl.col("resumed") & ~(pl.col("completed_ytd_wan").fill_null(0) > 0))
        .with_columns(_months_after_month(pl.lit(date(year, deadline, 1)), as_of).alias("months_late")),
        rule, "months_late",
    )
    reasons = [f"续建项目应于{year}年{deadline}月底前复工，截至{_date_zh(as_of)}未报复工且本年无完成投资，已逾期{m:.1f}个月"
               for m in hits["months_late"]]
    return _rows(hits, rule, reasons, f"{as_of.year}-{as_of.month:02d}")


def _pace_gap(pos: pl.DataFrame, rule: Rule) -> pl.DataFrame:
    floor = float(rule.params.get("min_annual_plan_wan", 0) or 0)
    hits = _banded(
        _applies(pos, rule).filter(
            pl.col("completed_ytd_wan").is_not_null() & (pl.col("annual_plan_wan") > 0)
            & (pl.col("annual_plan_wan") >= floor) & (pl.col("pace_share") > 0)
        ),
        rule, "behind_pp",
    )
    reasons = [
        f"截至{period_label(p)}累计完成投资{_wan(c)}，占年度计划{_wan(a)}的{cp:.1f}%，"
        f"序时进度{pp:.1f}%，落后{b:.1f}个百分点"
        for p, c, a, cp, pp, b in zip(hits["period"], hits["completed_ytd_wan"], hits["annual_plan_wan"],
                                      hits["completion_pct"], hits["pace_pct"], hits["behind_pp"])
    ]
    return _rows(hits, rule, reasons)


def due_periods(cadence: str, due_days: int, as_of: date, count: int = 1) -> list[tuple[str, date, date]]:
    """The ``count`` most recent periods whose reporting deadline has passed by ``as_of``.

    Returns (period, period_end, deadline), newest first. A deadline day itself still counts as on
    time, so a period is due for checking from the day after its deadline.
    """
    out: list[tuple[str, date, date]] = []
    if cadence == "monthly":
        year, month = as_of.year, as_of.month
        while len(out) < count:
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
            end = ledger.month_end(year, month)
            if end + timedelta(days=due_days) < as_of:
                out.append((f"{year}-{month:02d}", end, end + timedelta(days=due_days)))
    else:
        last = as_of - timedelta(days=due_days + 1)
        sunday = last - timedelta(days=(last.isoweekday() % 7))
        while len(out) < count:
            iso = sunday.isocalendar()
            out.append((f"{iso.year}-W{iso.week:02d}", sunday, sunday + timedelta(days=due_days)))
            sunday -= timedelta(days=7)
    return out


def _report_timeliness(pos: pl.DataFrame, progress: pl.DataFrame, rule: Rule, as_of: date) -> pl.DataFrame:
    late_level, missing_level = rule.params["late_level"], rule.params["missing_level"]
    lookback = int(rule.params.get("lookback_periods", 1) or 1)
    # First submission of each (project, list, period) known on as_of: a later revision does not
    # make a report late, and one filed after as_of did not exist yet.
    known_on = pl.coalesce(pl.col("reported_at"), pl.col("period_end"))
    due = {lst: due_periods(sched.cadence, sched.due_days_after_period_end, as_of, lookback)
           for lst, sched in rule.schedules.items()}
    checked = sorted({period for periods in due.values() for period, _, _ in periods})
    first = (
        # only the periods checked below: the rest of the ledger is not grouped at all
        progress.filter((known_on.is_null() | (known_on <= as_of)) & pl.col("period").is_in(checked))
        .group_by(["project_id", "list", "period"])
        .agg(pl.col("reported_at").min().alias("first_reported"), pl.len().alias("_n"))
        .with_columns(pl.col("list").cast(pl.String))
    )
    frames = []
    for lst, sched in rule.schedules.items():
        expected = pos.filter((pl.col("list").cast(pl.String) == lst)
                              & pl.col("nature").cast(pl.String).is_in(rule.natures))
        for period, end, deadline in due[lst]:
            rows = (
                expected.select("project_id", pl.col("list").cast(pl.String))
                .join(first.filter(pl.col("period") == period).drop("period"),
                      on=["project_id", "list"], how="left")
                .with_columns(pl.lit(period).alias("period"))
            )
            missing = rows.filter(pl.col("_n").is_null()).with_columns(pl.lit(missing_level).alias("level"))
            late = rows.filter(pl.col("first_reported") > deadline).with_columns(pl.lit(late_level).alias("level"))
            label = period_label(period)
            frames.append(_rows(missing, rule, [
                f"{label}调度信息应于{_date_zh(deadline)}前报送，截至{_date_zh(as_of)}未报送（{sched.source}）"
            ] * missing.height))
            frames.append(_rows(late, rule, [
                f"{label}调度信息应于{_date_zh(deadline)}前报送，实际{_date_zh(r)}报送，迟报{(r - deadline).days}天"
                for r in late["first_reported"]
            ]))
    return pl.concat(frames) if frames else pl.DataFrame()


def _cumulative_fall(progress: pl.DataFrame, rule: Rule, as_of: date) -> pl.DataFrame:
    tolerance = float(rule.params.get("tolerance_wan", 0) or 0)
    snap = ledger.snapshot(progress, as_of).filter(
        pl.col("list").cast(pl.String).is_in(rule.lists) & pl.col("completed_ytd_wan").is_not_null()
        & pl.col("period_end").is_not_null() & (pl.col("period_end") <= as_of)
    )
    # 1-X月 figures restart every January: compare only within a year and one list's own series.
    # sorted, each (project, list, year) series is contiguous: the previous row is the previous
    # figure when it belongs to the same series (a shift, not a window per series)
    same = pl.all_horizontal(pl.col(c).eq_missing(pl.col(c).shift(1)) for c in ("project_id", "list", "_year"))
    hits = (
        snap.sort(["project_id", "list", "period_end"])
        .with_columns(pl.col("period_end").dt.year().alias("_year"))
        .with_columns(
            pl.when(same).then(pl.col("completed_ytd_wan").shift(1)).alias("_prev"),
            pl.when(same).then(pl.col("period").shift(1)).alias("_prev_period"),
        )
        .drop("_year")
        .filter(pl.col("_prev").is_not_null() & (pl.col("completed_ytd_wan") < pl.col("_prev") - tolerance))
        .with_columns(pl.lit(rule.level).alias("level"))
    )
    reasons = [
        f"{period_label(p)}累计完成投资{_wan(c)}，少于上期（{period_label(pp)}）的{_wan(v)}，"
        f"减少{_wan(v - c)}，请核实更正"
        for p, c, pp, v in zip(hits["period"], hits["completed_ytd_wan"], hits["_prev_period"], hits["_prev"])
    ]
    return _rows(hits, rule, reasons)


# --- summaries ------------------------------------------------------------------------------------


def worst_level_per_project(alerts: pl.DataFrame) -> pl.DataFrame:
    """One row per project: its worst level across lists and rules, the rules hit and all reasons.

    Columns: project_id, level (schema.LEVEL_ENUM), rule_ids (sorted, "、"-joined), alert_count,
    reasons ("；"-joined, worst first).
    """
    # the review needs it for the table, the counts, the movements and the letters: once per frame
    return ledger.memoised("worst_level_per_project", (alerts,), None, lambda: _worst_level_per_project(alerts))


def _worst_level_per_project(alerts: pl.DataFrame) -> pl.DataFrame:
    if alerts.is_empty():
        return pl.DataFrame(schema={"project_id": pl.String, "level": schema.LEVEL_ENUM,
                                    "rule_ids": pl.String, "alert_count": pl.UInt32, "reasons": pl.String})
    return (
        alerts.sort([pl.col("level").to_physical(), "rule_id"], descending=[True, False])
        .group_by("project_id", maintain_order=True)
        .agg(
            pl.col("level").first(),
            pl.col("rule_id").unique().sort().str.join("、").alias("rule_ids"),
            pl.len().cast(pl.UInt32).alias("alert_count"),
            pl.col("reason").str.join("；").alias("reasons"),
        )
        .sort("project_id")
    )


def level_counts(alerts: pl.DataFrame) -> dict[str, int]:
    """Projects per worst level, every level present (0 when none): {"blue": n, "yellow": n, "red": n}."""
    worst = worst_level_per_project(alerts)
    counts = {k: 0 for k in schema.ALERT_LEVELS}
    for level, n in worst.group_by("level").len().iter_rows():
        counts[str(level)] = n
    return counts


MOVEMENTS = schema.ALERT_MOVEMENT_LABELS


def level_movements(current_alerts: pl.DataFrame, previous_alerts: pl.DataFrame) -> pl.DataFrame:
    """Each project's worst level now against the previous evaluation (e.g. last quarter).

    Like the UK major-projects portfolio report: every project warned in either quarter, its level
    before and after, and the movement: up (more severe), down (milder), new, cleared, unchanged.
    Columns: project_id, from_level, to_level, movement, movement_label.
    """
    now = worst_level_per_project(current_alerts).select("project_id", pl.col("level").alias("to_level"))
    before = worst_level_per_project(previous_alerts).select("project_id", pl.col("level").alias("from_level"))
    joined = before.join(now, on="project_id", how="full", coalesce=True)
    frm, to = pl.col("from_level").to_physical(), pl.col("to_level").to_physical()
    movement = (
        pl.when(pl.col("from_level").is_null()).then(pl.lit("new"))
        .when(pl.col("to_level").is_null()).then(pl.lit("cleared"))
        .when(to > frm).then(pl.lit("up"))
        .when(to < frm).then(pl.lit("down"))
        .otherwise(pl.lit("unchanged"))
    )
    return (
        joined.with_columns(movement.alias("movement"))
        .with_columns(pl.col("movement").replace_strict(MOVEMENTS, return_dtype=pl.String).alias("movement_label"))
        .select("project_id", "from_level", "to_level", "movement", "movement_label")
        .sort("project_id")
    )


def movement_counts(movements: pl.DataFrame) -> pl.DataFrame:
    """Counts by from→to level (null = not warned): from_level, to_level, movement, projects."""
    return (
        movements.group_by(["from_level", "to_level", "movement"])
        .agg(pl.len().alias("projects"))
        .sort([pl.col("from_level").to_physical(), pl.col("to_level").to_physical()], nulls_last=False)
    )


def rules_table(rules: AlertRules) -> pl.DataFrame:
    """The rules in force, for the report (UK-portfolio style: every rating has a written definition).

    Columns: rule_id, name, kind, thresholds (Chinese, e.g. "蓝色预警 >0；黄色预警 >1；红色预警 >3"),
    clause, source. Level definitions: :func:`levels_table`.
    """
    unit = schema.ALERT_THRESHOLD_UNITS
    rows = []
    for r in rules.rules.values():
        if r.bands:
            text = "；".join(f"{rules.label(b.level)}：超过{b.above:g}{unit.get(r.kind, '')}"
                            for b in sorted(r.bands, key=lambda b: b.above))
        elif r.kind == "report_timeliness":
            text = (f"迟报{rules.label(r.params['late_level'])}，漏报{rules.label(r.params['missing_level'])}；"
                    + "；".join(f"{schema.LISTS[k]}{'月' if s.cadence == 'monthly' else '周'}报，"
                               f"期末后{s.due_days_after_period_end}日内" for k, s in r.schedules.items()))
        else:
            text = f"{rules.label(r.level)}（减少超过{float(r.params.get('tolerance_wan', 0) or 0):g}万元）"
        rows.append({"rule_id": r.id, "name": r.name, "kind": r.kind, "thresholds": text,
                     "clause": r.clause, "source": r.source})
    return pl.DataFrame(rows, schema={k: pl.String for k in ("rule_id", "name", "kind", "thresholds", "clause",
                                                             "source")})


def levels_table(rules: AlertRules) -> pl.DataFrame:
    """level, label, colour, hex, definition — mildest first."""
    return pl.DataFrame([{"level": s.key, "label": s.label, "colour": s.colour, "hex": s.hex,
                          "definition": s.definition} for s in rules.levels.values()])


def counts_by_unit(worst: pl.DataFrame, projects: pl.DataFrame, no_unit: str) -> pl.DataFrame:
    """Projects per responsible unit at each level (by each project's worst level): responsible_unit,
    red_count, yellow_count, blue_count, total_count; most red first. ``no_unit`` names the projects
    without a responsible unit."""
    j = worst.join(projects.select("project_id", "responsible_unit"), on="project_id", how="left").with_columns(
        pl.col("responsible_unit").fill_null(no_unit), pl.col("level").cast(pl.String))
    out = j.group_by("responsible_unit").agg(
        *[(pl.col("level") == k).sum().cast(pl.Int64).alias(f"{k}_count") for k in ("red", "yellow", "blue")],
        pl.len().cast(pl.Int64).alias("total_count"))
    return out.sort(["red_count", "yellow_count", "total_count", "responsible_unit"],
                    descending=[True, True, True, False])
