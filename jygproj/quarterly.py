"""Wiring of the quarterly review 季度考核 (notebooks/10_quarterly_review.ipynb, `jygproj quarterly`).

Which files, which parameters, which calculation: :func:`load_inputs` reads the inputs once,
:func:`build_review` calls the pure calculations (completion, starts, growth, projection, alerts,
ranking, factors, supervision) into :class:`Results`, and hands them to the report layer
(:mod:`jygproj.report`: tables, text, charts, files), which does no arithmetic. The notebook stays
thin: parameters, narrative, calls.

Traceability: every per-project table carries source_file / source_sheet / source_row (the
workbook row the figure came from), and the 数据来源 table lists every workbook read with its
sha256 and row counts, so every figure of the report leads back to a workbook, sheet and row.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from jygproj import (alerts, completion, factors, growth, ledger, paths, ranking, runs, starts,
                     supervision)
from jygproj.forecast import Result as Forecast, forecast_city
from jygproj.catalogue import WORKBOOK_SUFFIXES, Catalogue, catalogue
from jygproj.errors import JygprojError, UsageError
from jygproj.evaluation import Evaluation, evaluation
from jygproj.plan import Plan, load_plan
from jygproj.reference import load_seasonal_profile
from jygproj.report import review_charts, review_tables, review_text

from jygproj.report.tables import Table
from jygproj.schema import ALERT_LEVELS, LISTS, READING_NAMES, code_of, unit_of

HEADLINES = growth.HEADLINES  # the two readings of the plan's growth goal (domain page)
#: Responsible unit shown for projects without one in the warning counts.
NO_UNIT = "（未填责任单位）"


class ReviewError(JygprojError, ValueError):
    """Bad review inputs; Chinese message, English code."""


class ReviewUsageError(ReviewError, UsageError):
    """Bad review parameters (the command exits with status 2)."""


# --- parameters --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewParams:
    year: int
    quarter: int
    data_dir: str  # "" = the embedded sample of the year; otherwise by the one path rule (paths.resolve)
    as_of: str  # "YYYY-MM": the month whose cumulative figures the review uses
    unit: str | None = None  # responsible unit 责任单位, None for the city
    headline: str = growth.DEFAULT_HEADLINE  # the rate reading: how Jiayuguan and Gansu judge the goal (sources: growth.py)

    def __post_init__(self):
        if not 1 <= self.quarter <= 4:
            raise ReviewUsageError(f"季度应为 1–4，实际为 {self.quarter}", "bad_quarter")
        object.__setattr__(self, "headline", code_of(self.headline, READING_NAMES) or self.headline)  # 增速口径 = rate
        if self.headline not in HEADLINES:
            raise ReviewUsageError(f"主口径应为{'或'.join(READING_NAMES[k] for k in HEADLINES)}，实际为“{self.headline}”",
                                   "bad_headline")
        ev = evaluation(self.as_of)
        if ev.year != self.year:
            raise ReviewUsageError(f"as_of {self.as_of} 不在 {self.year} 年内", "as_of_wrong_year")
        if ev.month < self.quarter * 3:
            raise ReviewUsageError(f"{self.year}年第{self.quarter}季度尚未结束：as_of 应不早于 "
                                   f"{self.year}-{self.quarter * 3:02d}，实际为 {self.as_of}", "quarter_not_closed")

    @property
    def evaluation(self) -> Evaluation:
        """The as-of month and the day the ledger is read on (jygproj.evaluation)."""
        return evaluation(self.as_of)

    @property
    def as_of_month(self) -> int:
        return self.evaluation.month

    @property
    def as_of_date(self) -> dt.date:
        """The evaluation date: the as-of month's end plus the statistics lag (2023-10 → 2023-11-10)."""
        return self.evaluation.date

    @property
    def previous_as_of_date(self) -> dt.date:
        """The same point one quarter earlier, for warning movements quarter on quarter."""
        return self.evaluation.previous_quarter.date

    @property
    def run_name(self) -> str:
        return f"{self.year}Q{self.quarter}"


# --- inputs --------------------------------------------------------------------------------------

REFERENCE_FILES = ("seasonal_profile.yaml", "alert_rules.yaml", "ranking.yaml", "issue_categories.yaml",
                   "followups.yaml", "scenario_levers.yaml")


def reference_files(year: int) -> list[Path]:
    """The reference files a review reads (hashed into its record and its 数据来源 table): the plan of
    the year (it must exist: a year without a plan is refused when the plan is loaded) and the rules."""
    return [paths.targets_file(year), *(paths.REFERENCE / f for f in REFERENCE_FILES)]


def input_files(data_dir: str | Path | None, year: int) -> list[Path]:
    """Every file a review reads: the input workbooks and the follow-up workbooks (jygproj.catalogue)
    and the reference files."""
    cat = catalogue(paths.data_folder(data_dir, year))
    return [*cat.paths, *(f.path for f in cat.followups), *reference_files(year)]


@dataclass
class Inputs:
    dataset: Any  # jygproj.io Dataset: projects, memberships, progress, baseline, reserve, problems
    plan: Plan  # the year's plan: targets, requirements, goal, wording (jygproj.plan)
    profile: dict[int, float]
    rules: Any
    ranking_rules: Any
    categories: Any
    data_dir: Path
    files: list[Path]  # every file read: input workbooks (catalogue order), follow-up workbooks, reference files
    catalogue: Catalogue | None = None  # the data folder's catalogue (its workbooks' sha256, keyed by path)
    followups: Any = None  # jygproj.followups.wiring.FollowupInputs: replies, closures, settings
    letter_rules: Any = None  # the reminder-letter triggers (supervision.LetterRules, alert_rules.yaml)
    # what is made once per inputs, for every report made on them in one process (issue 18), keyed by
    # (what, for which parameters) and kept with the objects it was made from (ledger.made_once): the FAI
    # forecast ("forecast"), the city review of each quarter the follow-up ledger reads ("raised"), the
    # city's warnings ("warnings"), the 12% tracker ("tracker"), the tornado ("sensitivity"), the 数据来源
    # table ("sources"), the follow-up ledger ("followup_ledger"), the plan's and rules' own tables…;
    # and under LEDGER_KEPT the whole data set's per-project results (ledger.per_project), each unit's
    # review taking its rows
    memo: dict = field(default_factory=dict)


def load_inputs(data_dir: str | Path | None, year: int) -> Inputs:
    """Read the workbooks (through their Parquet copy, refreshed when an input's hash changed:
    jygproj.ingest) and the reference data, once."""
    from jygproj.ingest import load_or_ingest

    plan = load_plan(year)  # first: a broken plan file stops the review before any workbook is read
    cat = catalogue(paths.data_folder(data_dir, year))
    return inputs_from(cat, load_or_ingest(cat), plan)


def inputs_from(cat: Catalogue, dataset: Any, plan: Plan) -> Inputs:
    """The review's inputs from a catalogued, loaded data set and its plan (the reference files and the
    follow-up workbooks read here)."""
    from jygproj.followups.wiring import load_inputs as load_followups

    followups = load_followups(cat)
    return Inputs(
        dataset=dataset,
        plan=plan,
        profile=load_seasonal_profile(),
        rules=alerts.load_rules(plan=plan),
        ranking_rules=ranking.load_ranking(),
        categories=factors.load_categories(),
        data_dir=cat.folder,
        files=[*cat.paths, *followups.files, *reference_files(plan.year)],
        catalogue=cat,
        followups=followups,
        letter_rules=supervision.load_letter_rules(),
    )


# --- the review ----------------------------------------------------------------------------------


@dataclass
class Results:
    """What the calculations give for one review: frames (raw results, also for the analyst) and the
    few figures and lists the report words need. The report layer reads only this."""

    params: ReviewParams
    plan: Plan
    projects: pl.DataFrame  # the review's projects (one unit's, or the city's)
    problems: pl.DataFrame | None  # loader problems
    frames: dict[str, pl.DataFrame | None]
    growth: dict[str, Any]  # jygproj.growth.growth_summary (+ projection)
    growth_readings: list[dict[str, Any]]  # jygproj.growth.readings
    forecast: Forecast | None  # the FAI forecast the tracker projects with (None as of December)
    level_labels: dict[str, str]  # warning level code -> the rules' colour name
    level_counts: dict[str, int]
    movement_counts: dict[str, int]
    city_annual_rate_pct: float | None
    support_units: list[str]
    letter_units: list[str]
    top_n: int
    problem_counts: dict[str, int]
    followups: Any = None  # jygproj.followups.wiring.Followups: the follow-up ledger (三(三))
    letter_requests: dict[str, list[str]] = field(default_factory=dict)  # unit -> 工作要求 (factors.requests)
    letter_triggers: dict[str, str] = field(default_factory=dict)  # unit -> the plan's words for its triggers
    left_out: pl.DataFrame | None = None  # sheets not loaded for errors (runs.left_out_sheets)
    rule_notes: dict[str, str] = field(default_factory=dict)  # warning rules not evaluated, and why
    rule_names: dict[str, str] = field(default_factory=dict)  # warning rule id -> its name (alert_rules.yaml)
    sample_data: bool = False  # the inputs are the embedded sample (schema.SAMPLE_WORD, catalogue.is_sample): every output says so
    # the inputs' memo (Inputs.memo): the report layer makes its city-wide parts (the tracker's tables
    # and charts, the plan's sentences, the 数据来源 table) once per inputs with ledger.made_once (issue 18)
    memo: dict = field(default_factory=dict)


@dataclass
class Review:
    params: ReviewParams
    plan: Plan
    tables: dict[str, Table]
    summary: dict[str, Any]
    chart_data: dict[str, pl.DataFrame]
    text: dict[str, str]  # narrative sentences with figures, Chinese (Markdown)
    frames: dict[str, pl.DataFrame]  # raw results, for the analyst
    letter_units: list[str] = field(default_factory=list)  # units due a reminder letter (三(三))
    followups: Any = None  # jygproj.followups.wiring.Followups: the follow-up ledger (三(三))
    letter_requests: dict[str, list[str]] = field(default_factory=dict)  # unit -> 工作要求
    letter_triggers: dict[str, str] = field(default_factory=dict)  # unit -> 项目推进落实慢 …
    left_out: pl.DataFrame | None = None  # sheets left out for errors: the report says so first
    answer: dict[str, Any] = field(default_factory=dict)  # the first screen's figures (review_text.answer)
    sample_data: bool = False  # made from the embedded sample: marked so on the first screen


def scope_to_unit(projects: pl.DataFrame, unit: str | None) -> set[str] | None:
    """The project ids of a responsible unit (None: the whole city)."""
    if unit is None:
        return None
    ids = set(projects.filter(pl.col("responsible_unit") == unit)["project_id"].to_list())
    if not ids:
        known = units(projects)
        named = unit_of(unit, known)
        hint = f"（是否指“{named}”？）" if named else ""
        raise ReviewError(f"没有责任单位为“{unit}”的项目{hint}；已有责任单位：{'、'.join(known)}", "unknown_unit")
    return ids


def unit_named(projects: pl.DataFrame, given: str) -> str:
    """The responsible unit a user means (jygproj.schema.unit_of: short or full name, with or without
    嘉峪关), as the registers write it; refused naming the units there are."""
    known = units(projects)
    unit = unit_of(given, known)
    if unit is None:
        raise ReviewError(f"没有责任单位为“{given}”的项目；已有责任单位：{'、'.join(known)}", "unknown_unit")
    return unit


def units(projects: pl.DataFrame) -> list[str]:
    return sorted(projects["responsible_unit"].drop_nulls().unique().to_list())


def build_review(inputs: Inputs, params: ReviewParams) -> Review:
    """Run every calculation of the quarterly review and build its tables, words and charts."""
    from jygproj.followups.wiring import for_review

    # the same ledger snapshots and project positions serve every calculation: computed once each;
    # and what the report's tables make of one frame (the register's sources) once too (issue 18)
    with ledger.reuse_results(inputs.memo.setdefault(LEDGER_KEPT, {})):
        results = calculate(inputs, params)
        # the follow-up ledger: the year's earlier reviews recomputed as of their dates (三(三))
        results.followups = for_review(inputs, params, results)
        results.frames.update(followup_items=results.followups.items, followup_history=results.followups.history,
                              letter_facts=results.followups.letter_facts)
        s = review_text.summary(results)
        tables = review_tables.all_tables(results, provenance(inputs), review_text.headline_figures(s, results))
        return Review(params, results.plan, tables, s, review_charts.chart_data(results),
                      review_text.narrative(s, results),
                      results.frames, letter_units=results.letter_units, followups=results.followups,
                      letter_requests=results.letter_requests, letter_triggers=results.letter_triggers,
                      left_out=results.left_out, answer=review_text.answer(s, results), sample_data=results.sample_data)


@dataclass
class _Scope:
    """What every part of one review starts from: its projects (a unit's or the city's), their lists
    and ledger, the monthly (1-X月) figures as known on the evaluation date, the plan's quarters."""

    ids: set[str] | None  # None: the whole city
    projects: pl.DataFrame
    memberships: pl.DataFrame
    progress: pl.DataFrame
    reports: pl.DataFrame  # the ledger's monthly reports (the weekly ones apart)
    monthly: pl.DataFrame  # cumulative monthly figures as known on the evaluation date, to the as-of month
    schedules: Any  # completion.plan_schedules: the plan's own quarters (二(二))
    id_rows: pl.Series | None = None  # ids as a Series (sorted): what the scope's frames are parts of the city's by


def _scope(inputs: Inputs, params: ReviewParams) -> _Scope:
    ds, plan = inputs.dataset, inputs.plan
    ids = scope_to_unit(ds.projects, params.unit)
    if plan.year != params.year:
        raise ReviewError(f"方案年度 {plan.year} 与考核年度 {params.year} 不符", "plan_wrong_year")
    # a unit's frames are the city's rows of its projects: what is each project's own (snapshots,
    # status, positions, completion per project: ledger.per_project) is made once on the whole data
    # set, kept with the inputs, and each unit's review takes its rows (issue 18)
    ids_series = None if ids is None else pl.Series("project_id", sorted(ids), dtype=pl.String)
    projects, memberships, progress = (_part(f, ids_series) for f in (ds.projects, ds.memberships, ds.progress))
    # one cut-off per report: the monthly (1-X月) figures as known on the evaluation date; the
    # latest weekly reports are shown apart (最新周调度), never in the totals, charts or letters
    reports = ledger.monthly_reports(progress)
    as_of, m = params.as_of_date, params.as_of_month
    monthly = ledger.per_project("review_monthly", (reports,), (as_of, m), lambda r: ledger.monthly_cumulative(
        r, as_of=as_of).filter(pl.col("month") <= m))
    return _Scope(ids, projects, memberships, progress, reports, monthly,
                  ledger.made_once(inputs.memo, ("schedules", None), (plan.amount_targets, inputs.profile),
                             lambda: completion.plan_schedules(plan.amount_targets, inputs.profile)), ids_series)


def _part(frame: pl.DataFrame, ids: pl.Series | None) -> pl.DataFrame:
    """The rows of the projects ``ids`` of one of the data set's frames (the frame itself for the
    city), known as such to ledger.per_project (ledger.part_of, ledger.kept_whole)."""
    if ids is None:
        return ledger.kept_whole(frame)
    return ledger.part_of(ledger.rows_of_projects(frame, ids), frame, ids)


def _unit_completion(inputs: Inputs, params: ReviewParams, sc: _Scope, **only: Any) -> pl.DataFrame:
    """Completion by responsible unit (``only``: completion.completion's lists=, periods=, natures=)."""
    return completion.completion(sc.memberships, sc.monthly, year=params.year, as_of_month=params.as_of_month,
                                 profile=inputs.profile, projects=sc.projects, by="responsible_unit", **only)


def _unit_ytd(inputs: Inputs, params: ReviewParams, sc: _Scope, by_unit: pl.DataFrame | None = None) -> pl.DataFrame:
    """Each unit's year to date over all lists (the letters' annual figures): those rows of ``by_unit``
    (completion by unit), or only those rows made when the review needs no other (completion's
    lists=, periods=, natures=False give the very rows of the whole frame)."""
    if by_unit is None:
        by_unit = _unit_completion(inputs, params, sc, lists=(completion.CITY,), periods=("YTD",), natures=False)
    return by_unit.filter((pl.col("period") == "YTD") & pl.col("nature").is_null() & (pl.col("list") == completion.CITY))


def _warnings(inputs: Inputs, params: ReviewParams, sc: _Scope) -> pl.DataFrame:
    """The warnings (二(八)) as of the evaluation date: one per project and rule."""
    return _warnings_on(inputs, sc, params.as_of_date, params.as_of_month)


def _warnings_on(inputs: Inputs, sc: _Scope, as_of: dt.date, month: int | None) -> pl.DataFrame:
    """alerts.evaluate on the scope's projects as known on ``as_of`` (``month``: the cut-off month,
    None for alerts' own). Every rule judges a project by its own lists, figures and reports, in a
    year and cut-off month taken from the whole ledger given (alerts.assessment_year): so a unit's
    warnings are the city's rows of its projects (the same rows, in the same order: evaluate sorts
    them by level, project, list, rule and period) whenever its ledger gives the city's year. The
    city's are evaluated once per inputs and each unit takes its rows (issue 18: a report run after
    another in a lent kernel, --all-units, evaluated the rules twice on its own projects, a third of
    its calculation); a unit whose ledger gives another year is evaluated on its own."""
    ds = inputs.dataset

    def evaluate(projects: pl.DataFrame, memberships: pl.DataFrame, progress: pl.DataFrame) -> pl.DataFrame:
        return alerts.evaluate(projects, memberships, progress, as_of, inputs.rules, inputs.profile, month=month,
                               schedules=sc.schedules)

    year, city = ledger.made_once(inputs.memo, ("warnings", (as_of, month)),
                            (ds.projects, ds.memberships, ds.progress, inputs.rules, inputs.profile, inputs.plan),
                            lambda: (alerts.assessment_year(ds.progress, as_of),
                                     evaluate(ds.projects, ds.memberships, ds.progress)))
    if sc.ids is None:
        return ledger.kept_whole(city)
    if alerts.assessment_year(sc.progress, as_of) != year:
        return evaluate(sc.projects, sc.memberships, sc.progress)
    # the city's rows, known as such: what is each project's of them (worst level, movements) too
    return ledger.part_of(ledger.rows_of_projects(city, sc.id_rows), city, sc.id_rows)


@dataclass
class _Letters:
    """The supervision 督办 (三(三)) facts of one review: letters only on the plan's triggers."""

    rules: Any  # supervision.LetterRules
    missed: pl.DataFrame  # the units' missed quarter targets
    positions: pl.DataFrame  # alerts.positions: each project against its 序时计划
    level_labels: dict[str, str]
    facts: pl.DataFrame  # supervision.reminder_facts


def _letters(inputs: Inputs, params: ReviewParams, sc: _Scope, warn: pl.DataFrame, unit_ytd: pl.DataFrame) -> _Letters:
    # 7. supervision 督办 (三(三)): letters only on the plan's triggers, above the floor
    as_of, m, year, profile, plan = params.as_of_date, params.as_of_month, params.year, inputs.profile, inputs.plan
    projects, memberships = sc.projects, sc.memberships
    letter_rules = inputs.letter_rules or supervision.load_letter_rules()
    target_lists = ledger.made_once(inputs.memo, ("target_lists", None), (plan.amount_targets,), lambda: tuple(
        completion.quarter_targets(plan.amount_targets)["list"].unique(maintain_order=True)))
    q_cols = ["q1_plan_wan", "q2_plan_wan", "q3_plan_wan", "q4_plan_wan"]
    # the same memberships for every quarter's review: one frame, so what is made of it is made once
    own_split = ledger.per_project("own_split", (memberships,), target_lists, lambda ms: ms.filter(
        pl.col("list").cast(pl.String).is_in(target_lists) & pl.any_horizontal([pl.col(c).is_not_null() for c in q_cols])))
    # only the totals missed_quarter_targets reads: the review quarter's, all natures, on the target lists
    by_unit_targets = completion.completion(own_split, sc.monthly, year=year, as_of_month=m, profile=profile,
                                            projects=projects, by="responsible_unit", lists=target_lists,
                                            periods=(f"Q{params.quarter}",), natures=False)
    missed = supervision.missed_quarter_targets(
        by_unit_targets, params.quarter, lists=target_lists, rate_below_pct=letter_rules.quarter_rate_below_pct,
        min_gap_wan=letter_rules.min_gap_wan,
        members=ledger.memoised("own_split_members", (own_split, projects), None, lambda: own_split.join(
            projects.select("project_id", "responsible_unit"), on="project_id", how="left")))
    pos = alerts.positions(projects, memberships, sc.progress, as_of, profile, month=m, schedules=sc.schedules)
    level_labels = {k: inputs.rules.label(k) for k in ALERT_LEVELS}
    facts = supervision.reminder_facts(
        warn, projects, missed, positions=pos, level_labels=level_labels, rules=letter_rules,
        rule_names={r.id: r.name for r in inputs.rules.rules.values()}, annual=unit_ytd,
        missing_reports=supervision.missing_reports(warn, projects, inputs.rules), year_over=m == 12)
    return _Letters(letter_rules, missed, pos, level_labels, facts)


@dataclass
class Raised:
    """What the follow-up ledger reads of one review (jygproj.followups.wiring.review_point): its
    projects, each project's worst warning and the letter facts — the same frames :func:`calculate`
    gives under frames["worst"] and frames["reminder_facts"]."""

    projects: pl.DataFrame
    worst: pl.DataFrame
    reminder_facts: pl.DataFrame


def raised(inputs: Inputs, params: ReviewParams) -> Raised:
    """Only the calculations of the review the follow-up ledger reads (scope, monthly figures,
    completion by unit, warnings, letter facts), by the same functions as :func:`calculate`: the
    earlier quarters of the year are folded into the ledger without their forecast, tracker,
    ranking, starts or tables."""
    sc = _scope(inputs, params)
    warn = _warnings(inputs, params, sc)
    # only each unit's year to date: an earlier quarter's review shows no table of completion by unit
    unit_ytd = _unit_ytd(inputs, params, sc)
    return Raised(sc.projects, alerts.worst_level_per_project(warn), _letters(inputs, params, sc, warn, unit_ytd).facts)


#: Inputs.memo's entry for ledger.reuse_results' kept dict (the per-project results of the whole data set)
LEDGER_KEPT = ("ledger", None)


def raised_for(inputs: Inputs, params: ReviewParams, results: "Results | None" = None) -> Raised:
    """:func:`raised` of the city-wide review of ``params``'s year, quarter and as-of month, made once
    per inputs: the follow-up ledger of every report made on the same inputs in one process (the
    city's, each unit's: ids are the city's in every report) folds the same earlier reviews. When
    ``results`` (that city review, calculated in full) is given, its frames are taken and kept."""
    ds = inputs.dataset

    def make() -> Raised:
        if results is not None and results.params.unit is None:
            return Raised(results.projects, results.frames["worst"], results.frames["reminder_facts"])
        return raised(inputs, ReviewParams(params.year, params.quarter, params.data_dir, params.as_of, None,
                                           params.headline))

    deps = (ds.projects, ds.memberships, ds.progress, inputs.plan, inputs.profile, inputs.rules, inputs.letter_rules)
    return ledger.made_once(inputs.memo, ("raised", (params.year, params.quarter, params.as_of)), deps, make)


def calculate(inputs: Inputs, params: ReviewParams) -> Results:
    """Every calculation of the review (pure functions of the calculation modules), no formatting."""
    ds = inputs.dataset
    sc = _scope(inputs, params)
    projects, memberships, progress, reports, monthly = sc.projects, sc.memberships, sc.progress, sc.reports, sc.monthly
    schedules = sc.schedules
    as_of, m, year, profile, plan = params.as_of_date, params.as_of_month, params.year, inputs.profile, inputs.plan
    city_wide = sc.ids is None

    # 1. completion against the plan (二(一)–二(五)); figures as known on the evaluation date
    comp = completion.with_cumulative(
        completion.completion(memberships, monthly, year=year, as_of_month=m, profile=profile,
                              plan_targets=plan.amount_targets if city_wide else None), as_of_month=m, profile=profile)
    checks = completion.target_checks(comp, plan.amount_targets, as_of_month=m, profile=profile) \
        if city_wide else None
    reqs = completion.requirements(comp, checks, as_of_month=m,
                                   rules=plan.requirements_of("target_completion", "annual_completion"),
                                   planned_starts=plan.planned_starts())
    pace_ref = completion.practice_pace(reqs, checks, as_of_month=m, profile=profile)
    sizes = completion.plan_reconciliation(memberships, plan.list_sizes_frame()) if city_wide else None
    by_unit = _unit_completion(inputs, params, sc)
    unit_ytd = _unit_ytd(inputs, params, sc, by_unit)
    detail = completion.project_detail(memberships, monthly, year=year, quarter=params.quarter, as_of_month=m,
                                       profile=profile)
    curve = completion.s_curve(comp, monthly, year=year, as_of_month=m, profile=profile)

    # 2. starts and resumptions (二(二)、二(三)、二(四)、二(五)): each project's status from every list
    status = ledger.project_status(progress, as_of, year)
    rost = starts.roster(memberships, projects, status)
    rates = starts.new_start_rates(rost, year=year, as_of=as_of,
                                   planned_counts=plan.planned_starts() if city_wide else None)
    start_summary, misses = starts.start_requirements(rost, starts.rules_from_plan(plan), as_of=as_of)
    items = completion.requirement_items(reqs, start_summary, plan.requirement_labels)

    # 3. the 12% tracker (city-wide: the baseline is the city's FAI statistics)
    growth_frame, growth_summary, fc = growth_tracker(inputs, params)

    sensitivity = sensitivity_frame(inputs, params, fc)

    # 4. warnings (二(八)) and movements against the previous quarter: one per project and rule
    warn = _warnings(inputs, params, sc)
    before = _warnings_on(inputs, sc, params.previous_as_of_date, None)
    worst = alerts.worst_level_per_project(warn)
    moves = alerts.level_movements(warn, before)

    # 5. observation and ranking 观摩评比 (二(九)): never a red or yellow project (ranking.yaml)
    scores = ranking.score_projects(projects, memberships, progress, as_of, inputs.ranking_rules, profile, month=m,
                                    schedules=schedules)
    top = ranking.top_projects(scores, inputs.ranking_rules.top_n, worst, inputs.ranking_rules.exclude_levels)

    # 6. factor guarantees 要素保障 (二(七))
    # each project's latest 存在问题 (its own reports: a unit's are the city's rows, issue 18)
    issues = ledger.per_project("current_issues", (reports,), as_of, lambda r: factors.current_issues(r, as_of))
    classified = factors.classify(issues, inputs.categories)

    # 7. supervision 督办 (三(三)): letters only on the plan's triggers, above the floor
    lt = _letters(inputs, params, sc, warn, unit_ytd)
    letter_rules, missed, pos, level_labels, facts = lt.rules, lt.missed, lt.positions, lt.level_labels, lt.facts
    units_due = supervision.reminder_units(facts, letter_rules)
    names = dict(zip(projects["project_id"], projects["name"]))
    # each unit due a letter: the project ids its facts name and the kinds of its facts (one pass over
    # the facts, not a filter per unit)
    due: dict[str, tuple[set[str], set[str]]] = {u: (set(), set()) for u in units_due["responsible_unit"].to_list()}
    for unit, project_ids, kind in facts.select("responsible_unit", "project_ids", "kind").rows():
        if unit is not None and unit in due:  # a null unit matches no fact (as a filter on it would)
            due[unit][1].add(kind)
            if project_ids is not None:
                due[unit][0].update(project_ids.split("、"))
    requests = factors.requests_of_units(due, classified, names, inputs.categories)
    support = supervision.priority_support_units(unit_ytd, pos, warn, facts)

    # 8. what the inputs say about themselves: lists that disagree, sheets left out, the latest week
    columns = {(s.path, s.sheet): (s.completed_column, s.completed_header)
               for s in getattr(ds, "sheets", []) if getattr(s, "completed_column", None)}
    conflicts = ledger.cross_list_conflicts(progress, as_of, columns=columns)
    problems = getattr(ds, "problems", None)
    if conflicts.height and problems is not None:
        problems = pl.concat([problems, cross_list_problems(conflicts, columns, names)], how="vertical_relaxed")
    weekly = ledger.latest_weekly(progress, as_of, year)

    frames = dict(
        completion=comp, target_checks=checks, requirements=reqs, requirement_items=items, practice_pace=pace_ref,
        practice_settings=ledger.made_once(inputs.memo, ("practice_settings", None),
                                     (inputs.rules, inputs.ranking_rules, inputs.letter_rules),
                                     lambda: practice_settings(inputs)),
        plan_sizes=sizes, completion_by_unit=by_unit,
        unit_ytd=unit_ytd,
        # the first screen: who is furthest behind the 序时计划 (万元), a project counted once
        units_behind=completion.most_behind(unit_ytd, "responsible_unit"),
        projects_behind=completion.most_behind(
            detail.filter(pl.col("period") == "YTD").join(projects.select("project_id", "name", "responsible_unit"),
                                                          on="project_id", how="left"), "project_id"),
        project_detail=detail, s_curve=curve, monthly=monthly,
        start_rates=rates, start_requirements=start_summary, start_misses=misses, growth=growth_frame,
        alerts=warn, alerts_previous=before, worst=worst, movements=moves,
        warnings_by_unit=alerts.counts_by_unit(worst, projects, NO_UNIT),
        alert_rules=ledger.made_once(inputs.memo, ("alert_rules", None), (inputs.rules,),
                               lambda: alerts.rules_table(inputs.rules)),
        scores=scores, top=top, issues=classified,
        factors_by_unit=factors.summarise(classified, projects, by=("responsible_unit",)),
        factor_totals=factors.category_totals(classified),
        missed_targets=missed, reminder_units=units_due, reminder_facts=facts, priority_support=support,
        cross_list=conflicts, latest_weekly=weekly,
        sensitivity=sensitivity,
        # the same for every report on the inputs (the city's forecast): made once (issue 18)
        **ledger.made_once(inputs.memo, ("forecast_frames", params.evaluation.text), (fc,), lambda: forecast_frames(fc)),
    )
    return Results(
        params=params, plan=plan, projects=projects, problems=problems, frames=frames,
        growth=growth_summary, growth_readings=growth.readings(growth_summary), forecast=fc, level_labels=level_labels,
        level_counts=alerts.level_counts(warn),
        movement_counts={r["movement"]: r["n"] for r in moves.group_by("movement", maintain_order=True).agg(
            pl.len().alias("n")).iter_rows(named=True)},
        city_annual_rate_pct=completion.city_annual_rate_pct(comp),
        support_units=support.filter(pl.col("qualifies"))["responsible_unit"].to_list(),
        letter_units=units_due["responsible_unit"].to_list(), top_n=inputs.ranking_rules.top_n,
        problem_counts={f"{sev}s": 0 if problems is None or not problems.height
                        else int((problems["severity"] == sev).sum()) for sev in ("error", "warning")},
        letter_requests=requests, letter_triggers=dict(zip(units_due["responsible_unit"], units_due["triggers"])),
        # the data set's own (issue 18: made once per inputs, every unit's report shows the same)
        left_out=ledger.made_once(inputs.memo, ("left_out", None), (ds, getattr(ds, "problems", None)),
                            lambda: runs.left_out_sheets(ds)),
        rule_notes=alerts.evaluation_notes(projects, progress, inputs.rules),
        rule_names={r.id: r.name for r in inputs.rules.rules.values()},
        sample_data=inputs.catalogue is not None and inputs.catalogue.is_sample, memo=inputs.memo,
    )


def cross_list_problems(conflicts: pl.DataFrame, columns: dict, names: dict[str, str]) -> pl.DataFrame:
    """Each cross-list disagreement (ledger.cross_list_conflicts) as a loader-style problem naming both
    cells (jygproj.io.problems code cross_list_conflict): the figure used and the other one."""
    from jygproj.io.problems import CODES, ProblemLog, problems_frame, where

    items = []
    for c in conflicts.iter_rows(named=True):
        header = columns.get((c["other_file"], c["other_sheet"]), (None, None))[1]
        used_header = columns.get((c["used_file"], c["used_sheet"]), (None, None))[1]
        log = ProblemLog(c["other_file"], c["other_sheet"])
        log.add("cross_list_conflict",
                f"项目“{names.get(c['project_id'], c['project_id'])}”{c['period']} 在{LISTS[c['other_list']]}上报送"
                f"累计完成投资 {c['other_wan']:g} 万元，与{LISTS[c['used_list']]}"
                f"{where(c['used_file'], c['used_sheet'], c['used_row'], c['used_column'], used_header)}的 "
                f"{c['used_wan']:g} 万元不一致（相差 {c['difference_wan']:g} 万元）；本报告按清单优先顺序采用"
                f"{LISTS[c['used_list']]}的数",
                row=c["other_row"], column=c["other_column"], header=header, value=f"{c['other_wan']:g}",
                expected=f"与{LISTS[c['used_list']]}一致，或说明差异", severity=CODES["cross_list_conflict"][0])
        items.extend(log.items)
    return problems_frame(items)


def practice_settings(inputs: Inputs) -> pl.DataFrame:
    """What the review derives or takes from practice rather than from the plan (参考), each with its
    source: setting, used_for, value, source. Never a requirement, never counted as met or failed."""
    from jygproj.reference import read_strict

    seasonal, _ = read_strict(paths.REFERENCE / "seasonal_profile.yaml")
    lr = inputs.letter_rules or supervision.load_letter_rules()
    rows = [
        ("序时进度（季节性施工曲线）", "年初至今计划、项目序时进度、未到期的年度要求的参考进度",
         "各月占全年施工量的比例（参考数据：季节性施工曲线）", str(seasonal.get("source", ""))),
        ("序时进度（方案分季度安排）", "全省重点投资项目的序时进度（方案二(二)给出分季度目标）",
         "按方案各季度目标占全年之比，季度内按季节性施工曲线", "方案二(二)"),
        ("清单季度计划", "各清单季度计划：清单给出分季度计划的按清单，否则按季节性施工曲线分解年度计划",
         "本工具推算（参考）", "各清单工作簿；季节性施工曲线"),
    ]
    rows += [(f"预警规则：{r['name']}", "红黄蓝预警（二(八)“严格落实平台红黄蓝预警机制”）", r["thresholds"], r["source"])
             for r in alerts.rules_table(inputs.rules).iter_rows(named=True)]
    rows += [
        (f"提醒函：{lr.labels['slow_progress']}", "提醒函（三(三)）",
         f"项目最高预警为{inputs.rules.label(lr.warning_level)}且落后序时计划不少于{lr.min_gap_wan:g}万元；或方案设分季度目标的清单"
         f"（二(二)、二(三)）本单位项目季度目标完成率低于{lr.quarter_rate_below_pct:g}%且差额不少于{lr.min_gap_wan:g}万元", lr.source),
        (f"提醒函：{lr.labels['annual_target']}", "提醒函（三(三)）",
         f"全年结束后完成率低于年度计划的{lr.annual_rate_below_pct:g}%且差额不少于{lr.min_gap_wan:g}万元", lr.source),
        (f"提醒函：{lr.labels['low_attention']}", "提醒函（三(三)）",
         f"最近一期调度信息漏报的项目不少于{lr.min_missing_reports}个，或有项目为"
         f"{'、'.join(inputs.rules.rules[r].name for r in lr.attention_rules if r in inputs.rules.rules)}"
         f"{inputs.rules.label(lr.warning_level)}", lr.source),
        ("观摩评比推荐", "观摩评比（二(九)）",
         f"不推荐{'、'.join(inputs.rules.label(x) for x in inputs.ranking_rules.exclude_levels)}项目；前{inputs.ranking_rules.top_n}名",
         "观摩评比评分规则（市发展改革委设定）"),
        ("优先支持单位", "优先支持（三(三)）", "全年结束前以序时进度代替“超额完成年度目标”", "本工具设定（参考）"),
    ]
    return pl.DataFrame(rows, schema=["setting", "used_for", "value", "source"], orient="row")


def provenance(inputs: Inputs) -> pl.DataFrame:
    """One row per workbook sheet read: file, sheet, canonical table, rows, first/last row, sha256.
    Reference files appear too (no sheet), so the whole input of the run is listed. The same for every
    report on the inputs (the city's, each unit's): made once per inputs (issue 18)."""
    return ledger.made_once(inputs.memo, ("sources", None), (inputs.dataset, inputs.followups, inputs.catalogue, inputs.files,
                                             inputs.data_dir), lambda: _provenance(inputs))


def _provenance(inputs: Inputs) -> pl.DataFrame:
    ds = inputs.dataset
    parts = []
    fu = inputs.followups
    tables = [(t, getattr(ds, t, None)) for t in ("projects", "memberships", "progress", "baseline", "reserve")]
    if fu is not None:  # the follow-up workbooks' rows: replies, closures (jygproj.followups)
        tables += [("followup_replies", fu.books.replies), ("followup_closures", fu.books.closures)]
    for table, frame in tables:
        if frame is None or not frame.height or "source_file" not in frame.columns:
            continue
        parts.append(frame.group_by("source_file", "source_sheet").agg(
            pl.len().cast(pl.Int64).alias("rows"), pl.col("source_row").min().alias("first_row"),
            pl.col("source_row").max().alias("last_row")).with_columns(pl.lit(table).alias("table")))
    sheets = pl.concat(parts, how="vertical_relaxed") if parts else pl.DataFrame(schema={
        "source_file": pl.String, "source_sheet": pl.String, "rows": pl.Int64, "first_row": pl.Int32,
        "last_row": pl.Int32, "table": pl.String})
    # hashes keyed by the file's full path (never its bare name: an edited copy in a subfolder has the
    # same name); a workbook is shown by its path in the data folder
    cat = inputs.catalogue
    records = {str(f.path): {"path": f.relative, "sha256": f.sha256, "bytes": f.bytes}
               for f in (cat.inputs + cat.followups if cat else ())}
    # paths compared as absolute strings (the catalogue's folder is resolved once; no per-file realpath)
    others = [f for f in inputs.files if os.path.abspath(f) not in records]  # reference files, any not catalogued
    records |= {os.path.abspath(f): r for f, r in zip(others, runs.file_records(others, inputs.data_dir))}
    loaded = {f: os.path.abspath(f) for f in sheets["source_file"].unique().to_list()}
    sheets = sheets.with_columns(
        pl.col("source_file").replace_strict({f: records.get(r, {}).get("sha256") for f, r in loaded.items()},
                                             default=None, return_dtype=pl.String).alias("sha256"),
        pl.col("source_file").replace_strict({f: records.get(r, {}).get("path", f) for f, r in loaded.items()},
                                             return_dtype=pl.String).alias("source_file"))
    refs = pl.DataFrame([r for r in records.values() if Path(r["path"]).suffix.lower() not in WORKBOOK_SUFFIXES],
                        schema={"path": pl.String, "sha256": pl.String, "bytes": pl.Int64}).select(
        pl.col("path").alias("source_file"), pl.lit(None, pl.String).alias("source_sheet"),
        pl.lit("reference").alias("table"), pl.lit(None, pl.Int64).alias("rows"),
        pl.lit(None, pl.Int32).alias("first_row"), pl.lit(None, pl.Int32).alias("last_row"), "sha256")
    cols = ["source_file", "source_sheet", "table", "rows", "first_row", "last_row", "sha256"]
    return pl.concat([sheets.select(cols).sort("source_file", "source_sheet", "table"), refs.select(cols)],
                     how="vertical_relaxed")


# --- the 12% tracker -------------------------------------------------------------------------------


def forecast_for(inputs: Inputs, ev: Evaluation) -> Forecast:
    """The FAI forecast (jygproj.forecast) as of ``ev`` on the inputs, made once per evaluation: the
    review, the planner and the analyst's ``Workbench.forecast`` share it (one forecast, the same
    figures and probabilities everywhere)."""
    ds = inputs.dataset
    return ledger.made_once(inputs.memo, ("forecast", ev.text), (ds.projects, ds.memberships, ds.progress, ds.baseline,
                                                  inputs.plan, inputs.profile),
                      lambda: forecast_city(ds.projects, ds.memberships, ds.progress, ds.baseline, as_of=ev,
                                            goal=inputs.plan.goal, profile=inputs.profile))


def growth_tracker(inputs: Inputs, params: ReviewParams) -> tuple[pl.DataFrame, dict[str, Any], Forecast | None]:
    """The 12% tracker (jygproj.growth) on the city's FAI baseline, with the FAI forecast
    (jygproj.forecast: calibrated on the city's own history, 统计数 = other FAI + 入统率 × registered
    调度数, backtested) for the months after the as-of month. Always city-wide: the baseline is the
    city's statistics, a unit has no FAI base of its own.

    The summary adds what the report's first screen needs: the forecast's P10–P90 of the target
    month, the probability of each reading (the forecast's Monte Carlo), the backtest error, the
    reconciliation of 调度数 with 统计数 and the forecast's warnings. As of December (the Q4 review)
    every month is an actual: nothing is projected and summary["projection"] says so.

    Made once per inputs, evaluation and headline: every unit's report shows the city's tracker (issue
    18: --all-units tracked the city again for each unit); each caller gets its own summary dict.
    """
    ds = inputs.dataset
    m = params.as_of_month
    fc = None if m == 12 else forecast_for(inputs, params.evaluation)

    def track() -> tuple[pl.DataFrame, dict[str, Any]]:
        proj = None if fc is None else fc.projection_frame()
        path, summary = growth.track(ds.baseline, as_of_month=m, profile=inputs.profile, goal=inputs.plan.goal,
                                     projection=proj, headline=params.headline, year=params.year)
        summary["projection"] = ("无（截至12月，全年均为实际数，不作预测）" if fc is None
                                 else "投资预测模型（按全市历年月度规律、清单项目进度与入库、入统率测算）")
        summary["forecast"] = forecast_summary(fc)
        return path, summary

    path, summary = ledger.made_once(inputs.memo, ("tracker", (params.year, params.evaluation.text, params.headline)),
                               (ds.baseline, inputs.plan, inputs.profile, fc), track)
    return path, dict(summary), fc


def sensitivity_frame(inputs: Inputs, params: ReviewParams, fc: Forecast | None) -> pl.DataFrame | None:
    """The projects that would change the outcome most: the planner's tornado (jygproj.scenario.engine.
    tornado) on the review's own forecast, city-wide like the tracker, with each project's responsible
    unit. What a project adds if its remaining investment runs at the low or high multiplier of the
    lever file moves the city's FAI at the target month, so both readings' margins, by the same 万元.
    None as of December (nothing is projected) or when the forecast could not split the city's FAI.
    Made once per inputs and forecast, as the tracker (every unit's report shows the city's)."""
    if fc is None:
        return None
    return ledger.made_once(inputs.memo, ("sensitivity", params.evaluation.text), (inputs.dataset, inputs.plan, inputs.profile, fc),
                      lambda: _sensitivity(inputs, params, fc))


def _sensitivity(inputs: Inputs, params: ReviewParams, fc: Forecast) -> pl.DataFrame | None:
    from jygproj.scenario import engine
    from jygproj.scenario.files import planner_from_dataset

    ds = inputs.dataset
    planner = planner_from_dataset(ds, as_of=params.evaluation.text, plan=inputs.plan, result=fc,
                                   profile=inputs.profile)
    torn = engine.tornado(planner.model, planner.baseline, planner.specs, inputs.plan)
    if not torn.height:
        return None
    units = ds.projects.select("project_id", "responsible_unit").unique("project_id")
    return torn.join(units, on="project_id", how="left", maintain_order="left").with_columns(
        pl.lit(planner.specs.param("tornado", "low_multiplier")).alias("low_multiplier"),
        pl.lit(planner.specs.param("tornado", "high_multiplier")).alias("high_multiplier"))


def forecast_summary(fc: Forecast | None) -> dict[str, Any] | None:
    """The forecast's figures the report shows (万元, %, shares): target month P10/P50/P90, the
    probability of each reading, the backtest scores, the reconciliation, what the data did not say."""
    if fc is None:
        return None
    t = fc.goal.target_month
    bands = fc.bands().filter(pl.col("month") == t).row(0, named=True)
    bt = fc.backtest_summary()
    return {
        "target_month": t,
        "target_month_actual": fc.as_of_month >= t,
        "cum_wan": bands["cum_wan"], "growth_pct": bands["growth_pct"],
        **{f"{q}_{k}": bands[f"{q}_{k}"] for q in ("p10", "p50", "p90") for k in ("cum_wan", "growth_pct")},
        "probability": fc.reading_probabilities(),
        "draws": fc.simulation.draws,
        "model_sigma": fc.model_sigma,
        "mode": fc.forecast.parts.mode,
        "shape_source": fc.forecast.city.shape_source,
        "shape_years": list(fc.forecast.city.shape_years),
        "registration_known": fc.registration_known,
        "flags": [f["text"] for f in fc.forecast.flags],
        "reconciliation": fc.reconciliation,
        "backtest": {k: v for k, v in bt.items() if k != "cases"} | {"cases": len(fc.cases)},
    }


def forecast_frames(fc: Forecast | None) -> dict[str, pl.DataFrame | None]:
    """The forecast's tables for the report: monthly bands, the reconciliation, the backtest cases."""
    if fc is None:
        return {"forecast_bands": None, "reconciliation": None, "backtest": None}
    from jygproj.forecast.backtest import case_frame

    return {"forecast_bands": fc.bands(), "reconciliation": pl.DataFrame([fc.reconciliation]) if fc.reconciliation else None,
            "backtest": case_frame(fc.cases) if fc.cases else None}
