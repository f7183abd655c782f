"""The analyst's front door: one call opens a data folder for a year and an evaluation date.

    import jygproj
    wb = jygproj.open()                                   # the embedded sample, its latest month
    wb = jygproj.open("收到/2024", year=2024, as_of="2024-09")   # a folder (relative: from here)
    wb.projects, wb.memberships, wb.progress, wb.baseline, wb.reserve, wb.problems   # canonical tables
    wb.sheets()            # what each sheet was read as, and where every row went
    wb.skipped             # the files of the folder that are not inputs, and why
    wb.completion()        # completion against the plan, as known on the evaluation date
    review = wb.quarterly()          # the quarterly review (tables, summary, words, charts)
    reserve = wb.reserve()           # the reserve pipeline report
    planner = wb.planner()           # the scenario planner on the same data and forecast
    forecast = wb.forecast()         # the FAI forecast: bands, P(both readings), 调度数 vs 统计数, backtest

Works the same from JupyterLab (whose working folder is notebooks/) and from anywhere else: no
argument means the embedded sample, a relative folder is taken from the current folder (the one
path rule, jygproj.paths.resolve). The folder is read once (through its Parquet copy, refreshed when
a workbook changed) and every view uses the same tables, the same plan (jygproj.plan) and the same
evaluation date (jygproj.evaluation).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from jygproj import completion, handover, ledger, paths
from jygproj.catalogue import Catalogue, catalogue
from jygproj.evaluation import Evaluation, evaluation
from jygproj.plan import Plan, load_plan
from jygproj.runs import LENT_KERNEL_ENV


@dataclass
class Workbench:
    """A data folder opened for one year and evaluation date (see the module docstring)."""

    catalogue: Catalogue
    dataset: Any  # jygproj.io.Dataset
    plan: Plan
    evaluation: Evaluation
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    # --- what was read ------------------------------------------------------------------------------
    @property
    def folder(self) -> Path:
        return self.catalogue.folder

    @property
    def year(self) -> int:
        return self.plan.year

    @property
    def projects(self) -> pl.DataFrame:
        return self.dataset.projects

    @property
    def memberships(self) -> pl.DataFrame:
        return self.dataset.memberships

    @property
    def progress(self) -> pl.DataFrame:
        return self.dataset.progress

    @property
    def baseline(self) -> pl.DataFrame:
        return self.dataset.baseline

    @property
    def reserve_projects(self) -> pl.DataFrame:
        return self.dataset.reserve

    @property
    def problems(self) -> pl.DataFrame:
        return self.dataset.problems

    @property
    def skipped(self) -> pl.DataFrame:
        """The files of the folder that are not inputs, each with its reason."""
        return self.catalogue.skipped_frame()

    def sheets(self) -> pl.DataFrame:
        """One row per sheet read: what it was taken for and where every row went."""
        return self.dataset.sheet_table()

    # --- calculations on the evaluation date -----------------------------------------------------------
    def monthly(self) -> pl.DataFrame:
        """The ledger's 1-X月 figures per project and month, as known on the evaluation date."""
        return ledger.monthly_cumulative(self.progress, as_of=self.evaluation.date)

    def completion(self, by: str | None = None) -> pl.DataFrame:
        """Completion against the plan by list, nature and period (``by``: responsible_unit, lead_unit, leader)."""
        from jygproj.reference import load_seasonal_profile

        return completion.completion(self.memberships, self.monthly(), year=self.year,
                                     as_of_month=self.evaluation.month, profile=load_seasonal_profile(),
                                     plan_targets=self.plan.amount_targets if by is None else None,
                                     projects=self.projects, by=by)

    def _inputs(self):
        from jygproj import quarterly

        if "inputs" not in self._cache:
            self._cache["inputs"] = quarterly.inputs_from(self.catalogue, self.dataset, self.plan)
        return self._cache["inputs"]

    def forecast(self):
        """The FAI forecast as of the evaluation month (jygproj.forecast.Result: bands, probabilities
        of both readings, reconciliation of 调度数 with 统计数, backtest); the same one the quarterly
        review and the planner use."""
        from jygproj import quarterly

        return quarterly.forecast_for(self._inputs(), self.evaluation)

    def quarterly(self, quarter: int | None = None, *, unit: str | None = None, headline: str | None = None):
        """The quarterly review (jygproj.quarterly.Review) of ``quarter`` (default: the last quarter
        closed by the evaluation month); ``headline`` the reading it leads with (default: the rate
        reading, jygproj.growth.DEFAULT_HEADLINE); show its parts with jygproj.report.review_files."""
        from jygproj import growth, quarterly

        q = quarter or max(self.evaluation.month // 3, 1)
        params = quarterly.ReviewParams(self.year, q, str(self.folder), self.evaluation.text, unit,
                                        headline or growth.DEFAULT_HEADLINE)
        if os.environ.get(handover.ENV):  # a report's kernel: the command may have calculated it already
            handed = handover.take(self.kept_key(), params)
            if handed is not None:
                return handed
        return quarterly.build_review(self._inputs(), params)

    def kept_key(self) -> tuple:
        """What this workbench was opened from (:func:`_kept_key`): the folder, year, evaluation month
        and every input file's path, size and sha256."""
        return _kept_key(self.catalogue, self.year, self.evaluation.text)

    def reserve(self, review_date: str | None = None, **params: Any):
        """The reserve pipeline report (jygproj.reserve.pipeline.Loaded) reviewed in ``review_date``
        (default: the month after the evaluation month); ``params`` as notebooks/20's parameters."""
        from jygproj.reserve import pipeline

        month = review_date or self.evaluation.shifted(1).text
        params.setdefault("fai_as_of", self.evaluation.text)
        return pipeline.build(self.dataset, self.catalogue.paths, review_date=month, **params)

    def planner(self, *, draws: int | None = None, seed: int | None = None):
        """The scenario planner (jygproj.scenario.files.Planner) from the evaluation month, on the same
        forecast as the review (default draws and seed: the forecast's, so the baseline's
        probabilities are the review's)."""
        from jygproj.scenario.files import planner_from_dataset

        return planner_from_dataset(self.dataset, as_of=self.evaluation.text, draws=draws, seed=seed, plan=self.plan,
                                    result=self.forecast())


def open(data: str | Path | None = None, *, year: int | None = None, as_of: str | None = None) -> Workbench:
    """Open a data folder (default: the embedded sample) for ``year`` (default: the as-of month's, else
    the sample's) and the evaluation of ``as_of`` "YYYY-MM" (default: the latest month with published
    FAI figures in the folder's baseline). A folder or plan that cannot be read is refused with the
    package's error (file, line, what was expected), never replaced by a default."""
    from jygproj.ingest import load_or_ingest
    from jygproj.scenario.files import default_as_of

    year = year or (evaluation(as_of).year if as_of else paths.SAMPLE_YEAR)
    plan = load_plan(year)
    cat = catalogue(paths.data_folder(data, year))
    key = _kept_key(cat, year, as_of) if os.environ.get(LENT_KERNEL_ENV) else None
    if key is not None and key in _KEPT:
        return _KEPT[key]
    dataset = load_or_ingest(cat)
    ev = evaluation(as_of or default_as_of(dataset.baseline.filter(pl.col("year") == year)))
    wb = Workbench(cat, dataset, plan, ev)
    if key is not None:
        _KEPT.clear()  # one data folder at a time: a province's tables are large
        _KEPT[key] = wb
    return wb


#: What :func:`open` loaded, kept in a kernel the runner lends to one report after another
#: (jygproj.runs.LentKernel, ``--all-units``): the 2nd…Nth report opens the same folder without
#: reading it again, and reuses what the first one calculated through the workbench (inputs, forecast).
_KEPT: dict[tuple, Workbench] = {}


def _kept_key(cat: Catalogue, year: int, as_of: str | None) -> tuple:
    """What a kept workbench is valid for: the folder, year and as-of month, and the sha256 of every
    file it was read from (workbooks, follow-up workbooks, layout, plan and reference files), so a
    changed file is read again, never served from the kept copy."""
    from jygproj.catalogue import sha256_file
    from jygproj.quarterly import reference_files

    files = [*cat.inputs, *cat.followups, *([cat.layout] if cat.layout else [])]
    return (str(cat.folder), year, as_of, tuple((f.relative, f.bytes, f.sha256) for f in files),
            tuple((str(f), sha256_file(f)) for f in reference_files(year)))
