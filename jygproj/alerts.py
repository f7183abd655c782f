"""Red/yellow/blue warnings 红黄蓝预警 (二(八)): a rules engine driven by data/reference/alert_rules.yaml.

Rules differ by city, so thresholds, levels and the words shown to users are configuration
(domain page, "Warning practice"). The level keys are fixed by :data:`jygproj.schema.ALERT_LEVELS`
(blue < yellow < red, mildest first as in Gansu practice); their labels come from the rules file.

Six rule kinds:

- ``start_lateness``   new projects not started after their planned start month (二(四)、二(五));
- ``resume_lateness``  continuing projects with no resumption on any list after the deadline month
                        (the plan's for the key projects, 二(二): Q1; a practice month elsewhere);
- ``pace_gap``         completion behind the time-elapsed pace 序时进度 (the plan's quarters where it has
                        them, else the seasonal profile), in percentage points;
- ``report_timeliness`` scheduling reports filed late or missing (二(八): key projects by the 5th);
- ``cumulative_fall``  a 1-X月 cumulative figure lower than the previous period's (data quality);
- ``registration_lag`` started projects not registered for statistics (入库) after some months.

Every threshold is a practice setting (参考), not a requirement of the plan: the report says so.
:func:`evaluate` returns one ALERTS row per project and rule, naming every list it concerns; a
project hit by two rules has two rows. Count projects with :func:`worst_level_per_project`.
Everything here is pure: the caller passes frames, the as-of date, the loaded rules and the
seasonal profile.
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
from jygproj.report.formats import date_zh as _date_zh, money as _amount  # 公文 style: 9290万元, 1.20亿元
from jygproj.reference import Lines, ReferenceDataError, check_keys, read_strict

LEVEL_ORDER: dict[str, int] = {level: i for i, level in enumerate(schema.ALERT_LEVELS)}
RULE_KINDS = ("start_lateness", "resume_lateness", "pace_gap", "report_timeliness", "cumulative_fall",
              "registration_lag")
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
    "resume_lateness": ({"bands", "deadline_month"}, {"applies_to_lists", "applies_to_natures",
                                                      "plan_deadline_lists", "practice_deadline_month"}),
    "pace_gap": ({"bands"}, {"applies_to_lists", "applies_to_natures", "min_annual_plan_wan",
                             "pace_from_planned_start", "only_started"}),
    "registration_lag": ({"bands"}, {"applies_to_lists", "applies_to_natures"}),
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
    # letters: the reminder-letter triggers (三(三)), read by jygproj.supervision.load_letter_rules
    check_keys(data, file=path, lines=lines, key_path=(), required={"meta", "levels", "rules"},
               optional={"letters"})
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
                "lookback_periods", "practice_deadline_month", "only_started"):
        if key in entry:
            params[key] = entry[key]
    if "plan_deadline_lists" in entry:
        params["plan_deadline_lists"] = members("plan_deadline_lists", schema.LISTS, ())
    for key in ("deadline_month", "practice_deadline_month"):
        if key in params and params[key] not in range(1, 13):
            raise ReferenceDataError(path, lines.get(kp + (key,)), ".".join(kp + (key,)),
                                     f"应为 1–12 月，实际为 {params[key]!r}", "bad_month")
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


_Q_COLS = ["q1_plan_wan", "q2_plan_wan", "q3_plan_wan", "q4_plan_wan"]


def _own_quarters_share(day: pl.Expr, profile: Profile) -> pl.Expr:
    """Share of a membership's own quarterly targets (q1..q4_plan_wan) due by ``day``: the quarters
    ended whole, the running one by the seasonal share of its elapsed part."""
    q = [pl.col(c).fill_null(0.0) for c in _Q_COLS]
    total = q[0] + q[1] + q[2] + q[3]
    quarter = ((day.dt.month().cast(pl.Int32) - 1) // 3 + 1)
    seasonal = _pace_share(day, profile)
    due = pl.lit(0.0)
    for k in range(1, 5):
        before = cum_share(3 * k - 3, profile)
        span = cum_share(3 * k, profile) - before
        within = ((seasonal - before) / span).clip(0.0, 1.0) if span else pl.lit(1.0)
        closed = sum(q[:k - 1], pl.lit(0.0))
        due = pl.when(quarter == k).then(closed + q[k - 1] * within).otherwise(due)
    return pl.when(total > 0).then(due / total).otherwise(None)


def cutoff_month(as_of: date, year: int) -> int:
    """The month whose 1-X月 figures a review on ``as_of`` uses: the last month ended by ``as_of``
    (2023-11-10 → October; 2023-09-30 → September), within the assessed ``year`` (a review in January
    2024 of 2023 uses December). 0 when no month of ``year`` has ended."""
    y, m = (as_of.year, as_of.month) if as_of == ledger.month_end(as_of.year, as_of.month) else \
        ((as_of.year, as_of.month - 1) if as_of.month > 1 else (as_of.year - 1, 12))
    return m if y == year else (12 if y > year else 0)


Schedules = dict  # (list, nature) -> Profile: the plan's own schedule (completion.plan_schedules)
PACE_BASIS = schema.PACE_BASIS_LABELS


def _schedule_key(schedules: Schedules | None):
    return tuple(sorted(((k[0], k[1] or ""), ledger.profile_key(v)) for k, v in (schedules or {}).items()))


def positions(projects: pl.DataFrame, memberships: pl.DataFrame, progress: pl.DataFrame, as_of: date,
              profile: Profile, *, pace_from_planned_start: bool = True, year: int | None = None,
              month: int | None = None, schedules: Schedules | None = None) -> pl.DataFrame:
    """Each project on each construction list as known on ``as_of``: plan, the project's figure, pace.

    ``progress`` is the raw ledger (all submissions); the latest revision known on ``as_of`` is taken
    with :func:`jygproj.ledger.snapshot`. A project's status is the project's (issue 13): its
    completed-to-date is one figure per project (ledger.monthly_cumulative: the monthly reports of
    every list, the list earliest in LIST_PRECEDENCE where two report), at the cut-off month
    (``month``, default :func:`cutoff_month`: the evaluation month) — weekly reports never stand in
    (one cut-off per report); its start and resumption come from every list (ledger.project_status).
    A project with no monthly figure this year has ``completed_ytd_wan`` null.

    Plan figures come from the list (membership) and fall back to the project register; on the
    leader-package list the 年度计划 is the leader's target (包抓目标, 二(三)), named so (plan_label).
    Pace (序时进度, 参考) at the figure's month end: the plan's own schedule where ``schedules`` has one
    for the (list, nature) (二(二) key projects, completion.plan_schedules) and the project is not
    planned to start this year; else the seasonal profile, run from the planned start month for a
    project planned to start this year (``pace_from_planned_start``):
    share = (S(t) − S(start−1)) / (1 − S(start−1)).

    Columns: project_id, list, name, responsible_unit, lead_unit, leader, nature, annual_plan_wan,
    plan_label, planned_start, period, period_end, completed_ytd_wan, issues, started, started_on,
    resumed, resumed_on, resumed_by, pace_date, pace_share, pace_basis, planned_to_date_wan,
    completion_pct, pace_pct, behind_pp, pace_ratio, figure_list, figure_file, figure_sheet,
    figure_row, plan_file, plan_sheet, plan_row.
    """
    year = assessment_year(progress, as_of) if year is None else year
    month = cutoff_month(as_of, year) if month is None else month
    # each project's rows from its own (the year and month resolved above): a unit's are the city's
    return ledger.per_project(
        "positions", (projects, memberships, progress),
        (as_of, ledger.profile_key(profile), pace_from_planned_start, year, month, _schedule_key(schedules)),
        lambda p, m, g: _positions(p, m, g, as_of, profile, pace_from_planned_start, year, month, schedules or {}))


def _listed(projects: pl.DataFrame, memberships: pl.DataFrame) -> pl.DataFrame:
    """Each project on each construction list with its plan (the list's, else the register's), in
    (project_id, list) order (the order of :func:`positions`): the same on every date, so made (and
    sorted) once per frames in a review."""
    def make(projects: pl.DataFrame, memberships: pl.DataFrame) -> pl.DataFrame:
        register = projects.select("project_id", "name", "responsible_unit", "lead_unit", "leader",
                                   pl.col("nature").alias("_p_nature"),
                                   pl.col("annual_plan_wan").alias("_p_plan"),
                                   pl.col("planned_start").alias("_p_start"))
        return (
            memberships.filter(pl.col("list").cast(pl.String).is_in(CONSTRUCTION_LISTS))
            .select("project_id", "list", "nature", "annual_plan_wan", "planned_start", *_Q_COLS,
                    pl.col("source_file").alias("plan_file"), pl.col("source_sheet").alias("plan_sheet"),
                    pl.col("source_row").alias("plan_row"))
            .join(register, on="project_id", how="left")
            .with_columns(
                pl.coalesce("nature", "_p_nature").alias("nature"),
                pl.coalesce("annual_plan_wan", "_p_plan").alias("annual_plan_wan"),
                pl.coalesce("planned_start", "_p_start").alias("planned_start"),
            )
            .sort(["project_id", "list"])
        )
    return ledger.per_project("listed", (projects, memberships), None, make)


def _positions(projects: pl.DataFrame, memberships: pl.DataFrame, progress: pl.DataFrame, as_of: date,
               profile: Profile, pace_from_planned_start: bool, year: int, month: int,
               schedules: Schedules) -> pl.DataFrame:
    snap = ledger.monthly_reports(ledger.snapshot(progress, as_of)).filter(
        pl.col("period_end").is_not_null() & (pl.col("period_end") <= as_of)
        & (pl.col("period_end").dt.year() == year) & (pl.col("period_end").dt.month() <= month))
    monthly = ledger.monthly_from_resolved(ledger.with_period_fields(snap))
    figure = ledger.figure_at(monthly, year, month)
    latest = ledger.last_of(["project_id", "list"])
    issues = (  # the 存在问题 of each (project, list)'s latest monthly report
        snap.sort(["project_id", "list", "period_end", "period"])
        .select(pl.col(c).filter(latest) for c in ("project_id", "list", "issues"))
    )
    status = ledger.project_status(progress, as_of, year)
    cut_end = ledger.month_end(year, month) if month else date(year, 1, 1) - timedelta(days=1)
    period_end = pl.when(pl.col("month_used").is_not_null()).then(pl.date(year, pl.col("month_used"), 1).dt.month_end())
    # the joins keep _listed's (project_id, list) order: the rows sorted, without sorting each date's
    frame = (
        _listed(projects, memberships)
        .join(issues, on=["project_id", "list"], how="left", maintain_order="left")
        # the figure's cell is named figure_* and the status' start_date_reported left out in the select
        .join(figure, on="project_id", how="left", maintain_order="left")
        .join(status, on="project_id", how="left", maintain_order="left")
        .with_columns(
            pl.col("started").fill_null(False),
            pl.col("resumed").fill_null(False),
            period_end.alias("period_end"),
            pl.when(pl.col("list").cast(pl.String) == "leader_package").then(pl.lit("包抓目标"))
            .otherwise(pl.lit("年度计划投资")).alias("plan_label"),
            # no figure this year: compared at the cut-off month's end
            pl.coalesce(period_end, pl.lit(cut_end)).alias("pace_date"),
        )
    )
    seasonal = _pace_share(pl.col("pace_date"), profile)
    share, basis = seasonal, pl.lit("seasonal")
    planned_this_year = (pl.col("planned_start").dt.year() == year) & (pl.col("planned_start").dt.month() > 1)
    if pace_from_planned_start:
        start_share = _pace_share(pl.col("planned_start") - pl.duration(days=1), profile)
        rescaled = ((seasonal - start_share) / (1 - start_share)).clip(0.0, 1.0)
        share = pl.when(planned_this_year & (start_share < 1)).then(rescaled).otherwise(share)
    for (lst, nature), sched in schedules.items():
        mine = (pl.col("list").cast(pl.String) == lst) & (pl.col("nature").cast(pl.String).eq_missing(nature)
                                                          if nature else pl.lit(True)) \
            & ~planned_this_year.fill_null(False)
        share = pl.when(mine).then(_pace_share(pl.col("pace_date"), sched)).otherwise(share)
        basis = pl.when(mine).then(pl.lit("plan_schedule")).otherwise(basis)
    # a list that gives the project's own quarterly targets (包抓, 全省重点): its pace follows them
    own = pl.any_horizontal([pl.col(c).is_not_null() for c in _Q_COLS])
    share = pl.when(own).then(_own_quarters_share(pl.col("pace_date"), profile)).otherwise(share)
    basis = pl.when(own).then(pl.lit("list_quarters")).otherwise(basis)
    plan, done, share_col = pl.col("annual_plan_wan"), pl.col("completed_ytd_wan"), pl.col("pace_share")
    # the share once, then every measure from it in one select (the same arithmetic as column by
    # column: planned = plan × share, behind = share × 100 − completion %)
    planned = plan * share_col
    completion_pct = pl.when(plan > 0).then(done / plan * 100)
    pace_pct = share_col * 100
    computed = {
        "planned_to_date_wan": planned, "completion_pct": completion_pct, "pace_pct": pace_pct,
        "behind_pp": pace_pct - completion_pct, "pace_ratio": pl.when(planned > 0).then(done / planned),
        "figure_file": pl.col("source_file"), "figure_sheet": pl.col("source_sheet"), "figure_row": pl.col("source_row"),
    }
    return (
        frame.with_columns(share.alias("pace_share"), basis.alias("pace_basis"))
        .select(*(computed[c].alias(c) if c in computed else pl.col(c) for c in (
            "project_id", "list", "name", "responsible_unit", "lead_unit", "leader", "nature",
            "annual_plan_wan", "plan_label", "planned_start", "period", "period_end", "completed_ytd_wan",
            "issues", "started", "started_on", "resumed", "resumed_on", "resumed_by", "pace_date", "pace_share",
            "pace_basis", "planned_to_date_wan", "completion_pct", "pace_pct", "behind_pp", "pace_ratio",
            "figure_list", "figure_file", "figure_sheet", "figure_row", "plan_file", "plan_sheet", "plan_row")))
    )


# --- the engine -----------------------------------------------------------------------------------


def evaluate(projects: pl.DataFrame, memberships: pl.DataFrame, progress: pl.DataFrame, as_of: date,
             rules: AlertRules, profile: Profile, *, month: int | None = None,
             schedules: Schedules | None = None) -> pl.DataFrame:
    """Apply every rule as known on ``as_of``: one schema.ALERTS row per project and rule (issue 13),
    worst level first; ``list`` is the list the warning's figures come from and ``lists`` every list
    of the project the rule hit (codes, in LIST_PRECEDENCE order, "、"-joined).

    ``progress`` is the raw ledger (every submission and revision); revisions and report dates are
    resolved here as of ``as_of`` (jygproj.ledger.snapshot), so re-running an old date gives the
    warnings of that day. Figures are the monthly ones of the cut-off ``month`` (:func:`positions`).
    ``period`` of a row is the period the warning is about: the as-of month for start, resumption and
    registration, the figure's month for pace, the late or missing period for reports, the period
    whose figure fell for cumulative figures.
    """
    year = assessment_year(progress, as_of)
    month = cutoff_month(as_of, year) if month is None else month
    # a review evaluates the previous quarter's date for its movements, and the follow-up ledger the
    # previous quarter's review on that same date: once. The rules are matched by identity (kept
    # with the result, so their id is not reused while the memo lives)
    rules_, out = ledger.memoised(
        "evaluate", (projects, memberships, progress),
        (as_of, month, id(rules), ledger.profile_key(profile), _schedule_key(schedules)),
        lambda: (rules, _evaluate(projects, memberships, progress, as_of, rules, profile, year, month, schedules)))
    if rules_ is not rules:
        return _evaluate(projects, memberships, progress, as_of, rules, profile, year, month, schedules)
    return out


def _evaluate(projects: pl.DataFrame, memberships: pl.DataFrame, progress: pl.DataFrame, as_of: date,
              rules: AlertRules, profile: Profile, year: int, month: int,
              schedules: Schedules | None) -> pl.DataFrame:
    frames = []
    pace_rules = [r for r in rules.rules.values() if r.kind == "pace_gap"]
    from_start = bool(pace_rules[0].params.get("pace_from_planned_start", True)) if pace_rules else True
    kw = dict(year=year, month=month, schedules=schedules)
    pos = positions(projects, memberships, progress, as_of, profile, pace_from_planned_start=from_start, **kw)
    for rule in rules.rules.values():
        if rule.kind == "start_lateness":
            frames.append(_start_lateness(pos, rule, as_of))
        elif rule.kind == "resume_lateness":
            frames.append(_resume_lateness(pos, rule, as_of, year))
        elif rule.kind == "pace_gap":
            if rule.params.get("pace_from_planned_start", True) != from_start:
                pos_r = positions(projects, memberships, progress, as_of, profile,
                                  pace_from_planned_start=bool(rule.params["pace_from_planned_start"]), **kw)
            else:
                pos_r = pos
            frames.append(_pace_gap(pos_r, rule))
        elif rule.kind == "report_timeliness":
            frames.append(_report_timeliness(pos, progress, rule, as_of))
        elif rule.kind == "cumulative_fall":
            frames.append(_cumulative_fall(progress, rule, as_of))
        elif rule.kind == "registration_lag":
            frames.append(_registration_lag(pos, projects, progress, rule, as_of))
    month_text = f"{as_of.year}-{as_of.month:02d}"
    out = pl.concat([f for f in frames if f.height], how="diagonal_relaxed") if any(f.height for f in frames) \
        else pl.DataFrame(schema={"project_id": pl.String, "list": pl.String, "period": pl.String,
                                  "level": pl.String, "rule_id": pl.String, "reason": pl.String})
    out = _one_per_project_and_rule(out.with_columns(pl.col("period").fill_null(month_text)))
    out = schema.conform(out.with_columns(pl.lit(as_of).alias("evaluated_on")), schema.ALERTS)
    return out.sort(
        [pl.col("level").to_physical(), "project_id", "list", "rule_id", "period"],
        descending=[True, False, False, False, False],
    )


def _one_per_project_and_rule(hits: pl.DataFrame) -> pl.DataFrame:
    """One alert per project and rule: the worst hit (ties: the list earliest in LIST_PRECEDENCE, then
    the latest period), its reason, and every list the rule hit on (``lists``). A reason that differs
    between lists (a pace measured against each list's own plan) is the worst list's, and the others
    are named (涉及清单)."""
    if hits.is_empty():
        return hits.with_columns(pl.lit(None, pl.String).alias("lists"))
    rank = {name: i for i, name in enumerate(ledger.LIST_PRECEDENCE)}
    levels = {k: i for i, k in enumerate(schema.ALERT_LEVELS)}
    ordered = hits.with_columns(
        pl.col("list").cast(pl.String),
        pl.col("level").cast(pl.String).replace_strict(levels, return_dtype=pl.Int32).alias("_lv"),
        pl.col("list").cast(pl.String).replace_strict(rank, default=len(rank), return_dtype=pl.Int32).alias("_rk"),
    ).sort(["project_id", "rule_id", "_lv", "_rk", "period"], descending=[False, False, True, False, True])
    lists = (ordered.sort(["project_id", "rule_id", "_rk"])
             .group_by(["project_id", "rule_id"], maintain_order=True)
             .agg(pl.col("list").unique(maintain_order=True).str.join("、").alias("lists"),
                  pl.col("list").unique(maintain_order=True).len().alias("_n")))
    first = ordered.group_by(["project_id", "rule_id"], maintain_order=True).first().join(
        lists, on=["project_id", "rule_id"], how="left")
    named = pl.Series([None if codes is None else "、".join(schema.LISTS.get(c, c) for c in codes.split("、"))
                       for codes in first["lists"].to_list()], dtype=pl.String)
    reason = pl.when(pl.col("_n") > 1).then(pl.concat_str(pl.col("reason"), pl.lit("（涉及清单："), named, pl.lit("）"))) \
        .otherwise(pl.col("reason")).alias("reason")
    return first.select(reason if c == "reason" else pl.col(c) for c in first.columns if c not in ("_lv", "_rk", "_n"))


def evaluation_notes(projects: pl.DataFrame, progress: pl.DataFrame, rules: AlertRules) -> dict[str, str]:
    """Rules that could not be evaluated on these inputs, with the reason (Chinese): the report says so
    rather than showing an empty list as if nothing were wrong."""
    notes = {}
    for r in rules.rules.values():
        if r.kind == "registration_lag" and not _has_registration(projects, progress):
            notes[r.id] = "读入的数据中没有入库信息（是否入库、入库时间），本规则未评估"
    return notes


def _applies(pos: pl.DataFrame, rule: Rule, also: pl.Expr | None = None) -> pl.DataFrame:
    """The positions a rule applies to (its lists and natures), and ``also`` (one filter)."""
    applies = pl.col("list").cast(pl.String).is_in(rule.lists) & pl.col("nature").cast(pl.String).is_in(rule.natures)
    return pos.filter(applies if also is None else applies & also)


def _banded(frame: pl.DataFrame, rule: Rule, measure: str, value: pl.Expr | None = None) -> pl.DataFrame:
    """Attach the band level of ``measure``; drop rows that hit no band. ``value``: the measure's
    expression, added as column ``measure`` in the same pass."""
    of = pl.col(measure) if value is None else value
    expr = pl.lit(None, dtype=pl.String)
    for band in sorted(rule.bands, key=lambda b: b.above):
        expr = pl.when(of > band.above).then(pl.lit(band.level)).otherwise(expr)
    added = [expr.alias("level")] if value is None else [value.alias(measure), expr.alias("level")]
    return frame.with_columns(*added).filter(pl.col("level").is_not_null())


def _rows(frame: pl.DataFrame, rule: Rule, reasons: list[str], period: str | None = None) -> pl.DataFrame:
    return frame.select(
        "project_id", pl.col("list").cast(pl.String),
        (pl.col("period") if period is None else pl.lit(period)).alias("period"),
        "level", pl.lit(rule.id).alias("rule_id"),
        pl.Series("reason", reasons, dtype=pl.String),
    )


def _start_lateness(pos: pl.DataFrame, rule: Rule, as_of: date) -> pl.DataFrame:
    hits = _banded(_applies(pos, rule, pl.col("planned_start").is_not_null() & ~pl.col("started")),
                   rule, "months_late", _months_after_month(pl.col("planned_start"), as_of))
    reasons = [
        f"计划{s.year}年{s.month}月开工，截至{_date_zh(as_of)}仍未开工，已逾期{m:.1f}个月"
        for s, m in zip(hits["planned_start"], hits["months_late"])
    ]
    return _rows(hits, rule, reasons, f"{as_of.year}-{as_of.month:02d}")


def _resume_lateness(pos: pl.DataFrame, rule: Rule, as_of: date, year: int) -> pl.DataFrame:
    """Continuing projects with no evidence of resumption this year on any list (ledger.resumption:
    a 复工 flag, a 开工（复工）时间 this year, or investment this year). The deadline is the plan's
    where the plan sets one for a list the project is on (二(二): the key projects, Q1), else the
    rules file's practice month (参考: the plan gives the other lists no date)."""
    plan_month = int(rule.params["deadline_month"])
    plan_lists = tuple(rule.params.get("plan_deadline_lists") or ())
    practice_month = int(rule.params.get("practice_deadline_month") or plan_month)
    applies = _applies(pos, rule, ~pl.col("resumed"))
    on_plan_list = applies.group_by("project_id").agg(
        pl.col("list").cast(pl.String).is_in(plan_lists).any().alias("_plan"))
    deadline = pl.when(pl.col("_plan")).then(plan_month).otherwise(practice_month)
    hits = _banded(applies.join(on_plan_list, on="project_id").with_columns(deadline.alias("_deadline")),
                   rule, "months_late", _months_after_month(pl.date(year, pl.col("_deadline"), 1), as_of))
    reasons = [
        (f"方案要求{year}年{d}月底前复工（{rule.clause}），" if on_plan else
         f"续建项目（方案未规定复工时限，按本市预警设定以{year}年{d}月底为参考），")
        + f"截至{_date_zh(as_of)}各清单均未报复工、本年无开工（复工）时间和完成投资，已过{m:.1f}个月"
        for d, on_plan, m in zip(hits["_deadline"], hits["_plan"], hits["months_late"])
    ]
    return _rows(hits, rule, reasons, f"{as_of.year}-{as_of.month:02d}")


def _own_plan_rows(pos: pl.DataFrame, also: pl.Expr | None = None) -> pl.DataFrame:
    """Each project once, on the list of its own plan: the first of its lists in LIST_PRECEDENCE, the
    leader-package list last (its 年度计划 is the leader's target, 二(三), not the project's plan).
    ``also``: a row-wise condition those rows must meet, in the same filter."""
    rank = {name: i for i, name in enumerate(ledger.LIST_PRECEDENCE)}
    first = pl.col("project_id").ne_missing(pl.col("project_id").shift(1)) | (pl.int_range(pl.len()) == 0)
    return (pos.sort(["project_id", pl.col("list").cast(pl.String).replace_strict(rank, default=len(rank),
                                                                                  return_dtype=pl.Int32)])
            .filter(first if also is None else first & also))


def _pace_gap(pos: pl.DataFrame, rule: Rule) -> pl.DataFrame:
    """Completion behind 序时进度, measured once per project against its own plan (:func:`_own_plan_rows`:
    its pace follows that list's quarterly targets for it, the plan's schedule, or the seasonal
    profile); the warning names every list of the project it applies to."""
    floor = float(rule.params.get("min_annual_plan_wan", 0) or 0)
    applies = _applies(pos, rule)
    measured = (pl.col("completed_ytd_wan").is_not_null() & (pl.col("annual_plan_wan") > 0)
                & (pl.col("annual_plan_wan") >= floor) & (pl.col("pace_share") > 0))
    if rule.params.get("only_started"):
        # a new project not started is late, not behind: the start rule measures it (in months)
        measured = measured & (pl.col("started") | (pl.col("nature").cast(pl.String) != "new"))
    cand = _own_plan_rows(applies, measured)
    hits = _banded(cand, rule, "behind_pp")
    basis = PACE_BASIS
    reasons = [
        f"截至{period_label(p)}累计完成投资{_amount(c)}，占{label}{_amount(a)}的{cp:.1f}%，"
        f"序时进度{pp:.1f}%（{basis.get(pb, pb)}，参考），落后{b:.1f}个百分点"
        for p, c, label, a, cp, pp, pb, b in zip(hits["period"], hits["completed_ytd_wan"], hits["plan_label"],
                                                 hits["annual_plan_wan"], hits["completion_pct"], hits["pace_pct"],
                                                 hits["pace_basis"], hits["behind_pp"])
    ]
    own = _rows(hits, rule, reasons)
    # the same warning on the project's other lists (named by _one_per_project_and_rule, which keeps
    # the own-plan list's figures: the first in LIST_PRECEDENCE)
    others = applies.select("project_id", pl.col("list").cast(pl.String)).join(
        own.drop("list"), on="project_id").select(own.columns)
    return pl.concat([own, others.join(own.select("project_id", "list"), on=["project_id", "list"], how="anti")])


def _has_registration(projects: pl.DataFrame, progress: pl.DataFrame) -> bool:
    """Do the inputs say anything about registration? The canonical tables always have the columns
    (null when a workbook has no 是否入库/入库时间), so columns all null say nothing."""
    return any(c in f.columns and f[c].null_count() < f.height
               for f in (projects, progress) for c in ("registered", "registered_on"))


def _registration_lag(pos: pl.DataFrame, projects: pl.DataFrame, progress: pl.DataFrame, rule: Rule,
                      as_of: date) -> pl.DataFrame:
    """Started projects not registered for statistics (入库) some months after their start (Yinchuan
    practice: yellow one month after, red after two; 参考). Reads the canonical ``registered`` /
    ``registered_on`` columns of the progress (reports known on as_of, any list) and projects tables:
    a project is warned when a table says 未入库 and none says 已入库 by as_of; without any
    registration information nothing is evaluated (:func:`evaluation_notes` says so)."""
    if not _has_registration(projects, progress):
        return pl.DataFrame()
    parts = []
    for frame in (ledger.snapshot(progress, as_of).filter(pl.col("period_end").is_null()
                                                           | (pl.col("period_end") <= as_of)), projects):
        cols = [c for c in ("registered", "registered_on") if c in frame.columns]
        if cols:
            parts.append(frame.select("project_id", *[pl.col(c) for c in cols]))
    reg = pl.concat(parts, how="diagonal_relaxed")
    if "registered_on" not in reg.columns:
        reg = reg.with_columns(pl.lit(None, pl.Date).alias("registered_on"))
    if "registered" not in reg.columns:
        reg = reg.with_columns(pl.lit(None, pl.Boolean).alias("registered"))
    known = (pl.col("registered") == True) | (pl.col("registered_on") <= as_of)  # noqa: E712
    # warned only where a table says 未入库 and none says 已入库 (no information is no warning)
    done = reg.group_by("project_id").agg(known.fill_null(False).any().alias("_registered"),
                                          (pl.col("registered") == False).fill_null(False).any()  # noqa: E712
                                          .alias("_unregistered"))
    cand = _applies(pos, rule, pl.col("started") & pl.col("started_on").is_not_null()
                    & (pl.col("started_on") <= as_of)).join(done, on="project_id", how="inner") \
        .filter(pl.col("_unregistered") & ~pl.col("_registered"))
    days_in_month = ledger.month_end(as_of.year, as_of.month).day
    months = (as_of.year * 12 + as_of.month - _ym(pl.col("started_on"))).cast(pl.Float64) \
        + (pl.lit(as_of.day) - pl.col("started_on").dt.day().cast(pl.Int32)).cast(pl.Float64) / days_in_month
    hits = _banded(cand, rule, "months_unregistered", months)
    reasons = [f"{_date_zh(d)}开工，截至{_date_zh(as_of)}未入库（统计），已{m:.1f}个月（本市预警设定，参考）"
               for d, m in zip(hits["started_on"], hits["months_unregistered"])]
    return _rows(hits, rule, reasons, f"{as_of.year}-{as_of.month:02d}")


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
    # every (list, due period) at once, in the order the rules list them: one join, not a query per
    # list and period; rows are given list by list, period by period, missing then late, each in the
    # order of the positions
    slots = [(lst, period, deadline, sched.source) for lst, sched in rule.schedules.items()
             for period, _end, deadline in due[lst]]
    if not slots:
        return pl.DataFrame()
    slot = pl.DataFrame({"list": [x[0] for x in slots], "period": [x[1] for x in slots],
                         "_deadline": [x[2] for x in slots], "_slot": list(range(len(slots)))},
                        schema={"list": pl.String, "period": pl.String, "_deadline": pl.Date, "_slot": pl.Int64})
    rows = (
        pos.filter(pl.col("list").cast(pl.String).is_in(list(rule.schedules))
                   & pl.col("nature").cast(pl.String).is_in(rule.natures))
        .select("project_id", pl.col("list").cast(pl.String), pl.int_range(pl.len()).alias("_i"))
        .join(slot, on="list", how="inner")
        .join(first, on=["project_id", "list", "period"], how="left")
        .with_columns(pl.when(pl.col("_n").is_null()).then(0)
                      .when(pl.col("first_reported") > pl.col("_deadline")).then(1).alias("_late"),
                      pl.when(pl.col("_n").is_null()).then(pl.lit(missing_level))
                      .when(pl.col("first_reported") > pl.col("_deadline")).then(pl.lit(late_level)).alias("level"))
        .filter(pl.col("_late").is_not_null())
        .sort("_slot", "_late", "_i")
    )
    reasons = []
    for i, late, reported in rows.select("_slot", "_late", "first_reported").rows():
        _lst, period, deadline, source = slots[i]
        reasons.append(
            f"{period_label(period)}调度信息应于{_date_zh(deadline)}前报送，截至{_date_zh(as_of)}未报送（{source}）"
            if late == 0 else
            f"{period_label(period)}调度信息应于{_date_zh(deadline)}前报送，实际{_date_zh(reported)}报送，"
            f"迟报{(reported - deadline).days}天")
    return _rows(rows, rule, reasons)


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
        f"{period_label(p)}累计完成投资{_amount(c)}，少于上期（{period_label(pp)}）的{_amount(v)}，"
        f"减少{_amount(v - c)}，请核实更正"
        for p, c, pp, v in zip(hits["period"], hits["completed_ytd_wan"], hits["_prev_period"], hits["_prev"])
    ]
    return _rows(hits, rule, reasons)


# --- summaries ------------------------------------------------------------------------------------


def worst_level_per_project(alerts: pl.DataFrame) -> pl.DataFrame:
    """One row per project: its worst level across lists and rules, the rules hit and all reasons.

    Columns: project_id, level (schema.LEVEL_ENUM), rule_ids (sorted, "、"-joined), alert_count,
    reasons ("；"-joined, worst first).
    """
    # the review needs it for the table, the counts, the movements and the letters: once per frame;
    # each project's row of its own (a unit's are the city's rows, issue 18)
    return ledger.per_project("worst_level_per_project", (alerts,), None, _worst_level_per_project)


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
    return ledger.per_project("level_movements", (current_alerts, previous_alerts), None, _level_movements)


def _level_movements(current_alerts: pl.DataFrame, previous_alerts: pl.DataFrame) -> pl.DataFrame:
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
