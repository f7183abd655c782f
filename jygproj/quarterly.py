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
from jygproj.schema import ALERT_LEVELS, READING_NAMES, code_of, unit_of

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
                   "scenario_levers.yaml")


def reference_files(year: int) -> list[Path]:
    """The reference files a review reads (hashed into its record and its 数据来源 table): the plan of
    the year (it must exist: a year without a plan is refused when the plan is loaded) and the rules."""
    return [paths.targets_file(year), *(paths.REFERENCE / f for f in REFERENCE_FILES)]


def input_files(data_dir: str | Path | None, year: int) -> list[Path]:
    """Every file a review reads: the input workbooks (jygproj.catalogue) and the reference files."""
    return [*catalogue(paths.data_folder(data_dir, year)).paths, *reference_files(year)]


@dataclass
class Inputs:
    dataset: Any  # jygproj.io Dataset: projects, memberships, progress, baseline, reserve, problems
    plan: Plan  # the year's plan: targets, requirements, goal, wording (jygproj.plan)
    profile: dict[int, float]
    rules: Any
    ranking_rules: Any
    categories: Any
    data_dir: Path
    files: list[Path]  # every file read: input workbooks (catalogue order), then reference files
    catalogue: Catalogue | None = None  # the data folder's catalogue (its workbooks' sha256, keyed by path)
    forecasts: dict = field(default_factory=dict)  # evaluation "YYYY-MM" → its forecast (jygproj.forecast), made once


def load_inputs(data_dir: str | Path | None, year: int) -> Inputs:
    """Read the workbooks (through their Parquet copy, refreshed when an input's hash changed:
    jygproj.ingest) and the reference data, once."""
    from jygproj.ingest import load_or_ingest

    plan = load_plan(year)  # first: a broken plan file stops the review before any workbook is read
    cat = catalogue(paths.data_folder(data_dir, year))
    return inputs_from(cat, load_or_ingest(cat), plan)


def inputs_from(cat: Catalogue, dataset: Any, plan: Plan) -> Inputs:
    """The review's inputs from a catalogued, loaded data set and its plan (the reference files read here)."""
    return Inputs(
        dataset=dataset,
        plan=plan,
        profile=load_seasonal_profile(),
        rules=alerts.load_rules(plan=plan),
        ranking_rules=ranking.load_ranking(),
        categories=factors.load_categories(),
        data_dir=cat.folder,
        files=[*cat.paths, *reference_files(plan.year)],
        catalogue=cat,
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


def _only(frame: pl.DataFrame, ids: set[str] | None) -> pl.DataFrame:
    return frame if ids is None else frame.filter(pl.col("project_id").is_in(sorted(ids)))


def build_review(inputs: Inputs, params: ReviewParams) -> Review:
    """Run every calculation of the quarterly review and build its tables, words and charts."""
    # the same ledger snapshots and project positions serve every calculation: computed once each
    with ledger.reuse_results():
        results = calculate(inputs, params)
    s = review_text.summary(results)
    tables = review_tables.all_tables(results, provenance(inputs), review_text.headline_figures(s, results))
    return Review(params, results.plan, tables, s, review_charts.chart_data(results),
                  review_text.narrative(s, results),
                  results.frames, letter_units=results.letter_units)


def calculate(inputs: Inputs, params: ReviewParams) -> Results:
    """Every calculation of the review (pure functions of the calculation modules), no formatting."""
    ds = inputs.dataset
    ids = scope_to_unit(ds.projects, params.unit)
    projects, memberships, progress = _only(ds.projects, ids), _only(ds.memberships, ids), _only(ds.progress, ids)
    as_of, m, year, profile, plan = params.as_of_date, params.as_of_month, params.year, inputs.profile, inputs.plan
    city_wide = ids is None
    if plan.year != year:
        raise ReviewError(f"方案年度 {plan.year} 与考核年度 {year} 不符", "plan_wrong_year")

    # 1. completion against the plan (二(一)–二(五)); figures as known on the evaluation date
    monthly = ledger.monthly_cumulative(progress, as_of=as_of)
    comp = completion.completion(memberships, monthly, year=year, as_of_month=m, profile=profile,
                                 plan_targets=plan.amount_targets if city_wide else None)
    checks = completion.target_checks(comp, plan.amount_targets, as_of_month=m, profile=profile) \
        if city_wide else None
    reqs = completion.requirements(comp, as_of_month=m, profile=profile,
                                   rules=plan.requirements_of("quarter_completion", "annual_completion"))
    sizes = completion.plan_reconciliation(memberships, plan.list_sizes_frame()) if city_wide else None
    by_unit = completion.completion(memberships, monthly, year=year, as_of_month=m, profile=profile,
                                    projects=projects, by="responsible_unit")
    unit_ytd = by_unit.filter((pl.col("period") == "YTD") & pl.col("nature").is_null()
                              & (pl.col("list") == completion.CITY))
    detail = completion.project_detail(memberships, monthly, year=year, quarter=params.quarter, as_of_month=m,
                                       profile=profile)
    curve = completion.s_curve(comp, monthly, year=year, as_of_month=m, profile=profile)

    # 2. starts and resumptions (二(二)、二(四)、二(五))
    status = ledger.start_status(progress, as_of)
    rost = starts.roster(memberships, projects, status)
    rates = starts.new_start_rates(rost, year=year, as_of=as_of,
                                   planned_counts=plan.planned_starts() if city_wide else None)
    start_summary, misses = starts.start_requirements(rost, starts.rules_from_plan(plan), as_of=as_of)

    # 3. the 12% tracker (city-wide: the baseline is the city's FAI statistics)
    growth_frame, growth_summary, fc = growth_tracker(inputs, params)

    sensitivity = sensitivity_frame(inputs, params, fc)

    # 4. warnings (二(八)) and movements against the previous quarter
    warn = alerts.evaluate(projects, memberships, progress, as_of, inputs.rules, profile)
    before = alerts.evaluate(projects, memberships, progress, params.previous_as_of_date, inputs.rules, profile)
    worst = alerts.worst_level_per_project(warn)
    moves = alerts.level_movements(warn, before)

    # 5. observation and ranking 观摩评比 (二(九))
    scores = ranking.score_projects(projects, memberships, progress, as_of, inputs.ranking_rules, profile)
    top = ranking.top_projects(scores, inputs.ranking_rules.top_n)

    # 6. factor guarantees 要素保障 (二(七))
    classified = factors.classify(factors.current_issues(progress, as_of), inputs.categories)

    # 7. supervision 督办 (三(三)): reminder letters for red projects and missed quarterly targets
    missed = supervision.missed_quarter_targets(by_unit, params.quarter)
    pos = alerts.positions(projects, memberships, progress, as_of, profile)
    level_labels = {k: inputs.rules.label(k) for k in ALERT_LEVELS}
    units_due = supervision.reminder_units(warn, projects, missed)
    facts = supervision.reminder_facts(warn, projects, missed, positions=pos, level_labels=level_labels)
    support = supervision.priority_support_units(pos, warn, missed)

    frames = dict(
        completion=comp, target_checks=checks, requirements=reqs, plan_sizes=sizes, completion_by_unit=by_unit,
        unit_ytd=unit_ytd,
        project_detail=detail, s_curve=curve, monthly=monthly,
        start_rates=rates, start_requirements=start_summary, start_misses=misses, growth=growth_frame,
        alerts=warn, alerts_previous=before, worst=worst, movements=moves,
        warnings_by_unit=alerts.counts_by_unit(worst, projects, NO_UNIT),
        scores=scores, top=top, issues=classified,
        factors_by_unit=factors.summarise(classified, projects, by=("responsible_unit",)),
        factor_totals=factors.category_totals(classified),
        missed_targets=missed, reminder_units=units_due, reminder_facts=facts, priority_support=support,
        sensitivity=sensitivity,
        **forecast_frames(fc),
    )
    problems = getattr(ds, "problems", None)
    return Results(
        params=params, plan=plan, projects=projects, problems=problems, frames=frames,
        growth=growth_summary, growth_readings=growth.readings(growth_summary), forecast=fc, level_labels=level_labels,
        level_counts=alerts.level_counts(warn),
        movement_counts={r["movement"]: r["n"] for r in moves.group_by("movement").agg(
            pl.len().alias("n")).iter_rows(named=True)},
        city_annual_rate_pct=completion.city_annual_rate_pct(comp),
        support_units=support.filter(pl.col("qualifies"))["responsible_unit"].to_list(),
        letter_units=units_due["responsible_unit"].to_list(), top_n=inputs.ranking_rules.top_n,
        problem_counts={f"{sev}s": 0 if problems is None or not problems.height
                        else int((problems["severity"] == sev).sum()) for sev in ("error", "warning")},
    )


def provenance(inputs: Inputs) -> pl.DataFrame:
    """One row per workbook sheet read: file, sheet, canonical table, rows, first/last row, sha256.
    Reference files appear too (no sheet), so the whole input of the run is listed."""
    ds = inputs.dataset
    parts = []
    for table in ("projects", "memberships", "progress", "baseline", "reserve"):
        frame = getattr(ds, table, None)
        if frame is None or not frame.height or "source_file" not in frame.columns:
            continue
        parts.append(frame.group_by("source_file", "source_sheet").agg(
            pl.len().cast(pl.Int64).alias("rows"), pl.col("source_row").min().alias("first_row"),
            pl.col("source_row").max().alias("last_row")).with_columns(pl.lit(table).alias("table")))
    sheets = pl.concat(parts) if parts else pl.DataFrame(schema={
        "source_file": pl.String, "source_sheet": pl.String, "rows": pl.Int64, "first_row": pl.Int32,
        "last_row": pl.Int32, "table": pl.String})
    # hashes keyed by the file's full path (never its bare name: an edited copy in a subfolder has the
    # same name); a workbook is shown by its path in the data folder
    cat = inputs.catalogue
    records = {str(f.path): {"path": f.relative, "sha256": f.sha256, "bytes": f.bytes} for f in (cat.inputs if cat else ())}
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
    if ev.text not in inputs.forecasts:
        ds = inputs.dataset
        inputs.forecasts[ev.text] = forecast_city(ds.projects, ds.memberships, ds.progress, ds.baseline, as_of=ev,
                                                  goal=inputs.plan.goal, profile=inputs.profile)
    return inputs.forecasts[ev.text]


def growth_tracker(inputs: Inputs, params: ReviewParams) -> tuple[pl.DataFrame, dict[str, Any], Forecast | None]:
    """The 12% tracker (jygproj.growth) on the city's FAI baseline, with the FAI forecast
    (jygproj.forecast: calibrated on the city's own history, 统计数 = other FAI + 入统率 × registered
    调度数, backtested) for the months after the as-of month. Always city-wide: the baseline is the
    city's statistics, a unit has no FAI base of its own.

    The summary adds what the report's first screen needs: the forecast's P10–P90 of the target
    month, the probability of each reading (the forecast's Monte Carlo), the backtest error, the
    reconciliation of 调度数 with 统计数 and the forecast's warnings. As of December (the Q4 review)
    every month is an actual: nothing is projected and summary["projection"] says so.
    """
    ds = inputs.dataset
    m = params.as_of_month
    fc = None if m == 12 else forecast_for(inputs, params.evaluation)
    proj = None if fc is None else fc.projection_frame()
    path, summary = growth.track(ds.baseline, as_of_month=m, profile=inputs.profile, goal=inputs.plan.goal,
                                 projection=proj, headline=params.headline, year=params.year)
    summary["projection"] = ("无（截至12月，全年均为实际数，不作预测）" if fc is None
                             else "投资预测模型（按全市历年月度规律、清单项目进度与入库、入统率测算）")
    summary["forecast"] = forecast_summary(fc)
    return path, summary, fc


def sensitivity_frame(inputs: Inputs, params: ReviewParams, fc: Forecast | None) -> pl.DataFrame | None:
    """The projects that would change the outcome most: the planner's tornado (jygproj.scenario.engine.
    tornado) on the review's own forecast, city-wide like the tracker, with each project's responsible
    unit. What a project adds if its remaining investment runs at the low or high multiplier of the
    lever file moves the city's FAI at the target month, so both readings' margins, by the same 万元.
    None as of December (nothing is projected) or when the forecast could not split the city's FAI."""
    if fc is None:
        return None
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
