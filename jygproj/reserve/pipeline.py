"""The reserve report's wiring for notebooks/20_reserve_pipeline.ipynb and `jygproj reserve`:
read the workbooks and reference files named by the run's parameters, build the report, show its
tables with Chinese headers, write the Excel workbook and summary.json.

Calculations live in the other modules of jygproj.reserve; this one only reads, calls and writes.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from jygproj import outputs, paths, schema
from jygproj.catalogue import catalogue
from jygproj.errors import JygprojError
from jygproj.plan import load_plan
from jygproj.reserve.funnel import steps_as_of
from jygproj.reserve.months import add_months, parse_month
from jygproj.reserve.reference import load_gap_assumptions, load_reserve_reference
from jygproj.reserve.report import ReserveReport, build_report, sheets, summary
from jygproj.reserve.wiring import gap_inputs

#: The reserve report's name in file names (jygproj.paths.output_name: 2023-11_储备项目规划).
KIND = "储备项目规划"
EXCEL_NAME = "{month}_" + KIND + ".xlsx"
SUMMARY_NAME = "summary.json"


class ReserveRunError(JygprojError, ValueError):
    """The reserve run cannot go on."""


@dataclass
class Loaded:
    report: ReserveReport
    problems: pl.DataFrame  # loader problems of the reserve workbook(s)
    files: list[Path]


#: The reference files the reserve report reads (hashed into its record).
REFERENCE_FILES = ("reserve_steps.yaml", "reserve_gap.yaml", "seasonal_profile.yaml")  # and the year's plan


def _dataset(directory: str | Path, year: int):
    """The data set of a folder (the embedded sample of ``year`` when none is given) and its catalogue."""
    from jygproj.io import load_workbooks

    cat = catalogue(paths.data_folder(directory, year))
    return load_workbooks(cat.paths), cat


def load_and_build(*, review_date: str, data_dir: str, **params: Any) -> Loaded:
    """Everything the notebook shows, from the run's parameters (None = reference default): the data
    folder's workbooks (jygproj.catalogue) read, then :func:`build`."""
    ds, cat = _dataset(data_dir, parse_month(review_date).year)
    return build(ds, cat.paths, review_date=review_date, **params)


def build(
    ds: Any,
    files: list[Path],
    *,
    review_date: str,
    target_growth: float | None = None,
    fai_as_of: str | None = None,
    projected_outturn_wan: float | None = None,
    continuing_next_year_wan: float | None = None,
    other_fai_next_year_wan: float | None = None,
    continuing_intensity: float | None = None,
    other_fai_growth: float | None = None,
    push_speedup: float | None = None,
    start_lag_months: int | None = None,
    durations: dict[str, float] | None = None,
    funding_deadlines: dict[str, str] | None = None,
    previous_data_dir: str = "",
    previous_review_date: str = "",
) -> Loaded:
    """The reserve report of a loaded data set (``files``: the workbooks it was read from)."""
    from jygproj.reference import load_seasonal_profile

    review = parse_month(review_date)
    if ds.reserve.is_empty():
        bad = ds.problems.filter(pl.col("severity") == "error")
        raise ReserveRunError(
            "数据目录中没有读到储备项目库（工作表“储备项目库”）；读取错误 {bad.height} 条".format(bad=bad)
            + (f"，首条：{bad.row(0, named=True)['message']}" if bad.height else ""), "reserve_missing")
    ref = load_reserve_reference()
    profile = load_seasonal_profile()
    plan = load_plan(review.year)
    assumptions = load_gap_assumptions(plan=plan)
    inputs, log = gap_inputs(
        ds, review=review, as_of=fai_as_of or add_months(review, -1), profile=profile, assumptions=assumptions,
        goal=plan.goal,
        target_growth=target_growth, projected_outturn_wan=projected_outturn_wan,
        continuing_next_year_wan_given=continuing_next_year_wan, other_fai_next_year_wan=other_fai_next_year_wan,
        continuing_intensity=continuing_intensity, other_fai_growth=other_fai_growth,
    )
    speedup = assumptions["push_speedup"].value if push_speedup is None else push_speedup
    lag = int(assumptions["start_lag_months"].value if start_lag_months is None else start_lag_months)
    extra = [
        {"item": "推进可压缩的剩余办理时间比例", "value": speedup, "unit": "比例",
         "source": assumptions["push_speedup"].source if push_speedup is None else "运行参数 push_speedup",
         "quality": assumptions["push_speedup"].quality if push_speedup is None else "给定"},
        {"item": "具备开工条件到开工间隔", "value": float(lag), "unit": "月",
         "source": assumptions["start_lag_months"].source if start_lag_months is None else "运行参数 start_lag_months",
         "quality": assumptions["start_lag_months"].quality if start_lag_months is None else "给定"},
    ]
    log = pl.concat([log, pl.DataFrame(extra, schema=log.schema)])
    previous = None
    if previous_data_dir:
        prev_ds, _ = _dataset(previous_data_dir, review.year)
        previous = (prev_ds.reserve, prev_ds.reserve_steps, previous_review_date or add_months(review, -3))
    elif previous_review_date:
        prev_month = parse_month(previous_review_date)
        end = add_months(prev_month, 1) - dt.timedelta(days=1)
        previous = (ds.reserve, steps_as_of(ds.reserve_steps, end), prev_month)
    report = build_report(ds.reserve, ds.reserve_steps, ref, review, inputs, profile, durations=durations or None,
                          deadlines=funding_deadlines or None, push_speedup=speedup, start_lag_months=lag,
                          previous=previous, assumptions=log)
    reserve_files = sorted({f for f in ds.reserve["source_file"].drop_nulls().unique().to_list()})
    problems = ds.problems.filter(pl.col("file").is_in(reserve_files)) if ds.problems.height else ds.problems
    return Loaded(report, problems, list(files))


def show(frame: pl.DataFrame, title: str, columns: list[str] | None = None, *, unit: str | None = "万元",
         max_rows: int = 60) -> None:
    """Display a table in the notebook with Chinese headers (the one HTML table renderer)."""
    from jygproj.report.html import show_frame

    show_frame(frame.select(columns) if columns else frame, title, unit=unit, labels=schema.RESERVE_REPORT_LABELS,
               max_rows=max_rows)


def say(text: str) -> None:
    from jygproj.report.html import say as say_markdown

    say_markdown(text)


def write_outputs(report: ReserveReport, out_dir: str | Path) -> dict[str, Path]:
    """The formatted Excel workbook and summary.json, in the run directory."""
    from jygproj.export import write_workbook
    from jygproj.runs import output_dir

    month = report.review.strftime("%Y-%m")
    out = output_dir(out_dir, month)
    excel = write_workbook(out / EXCEL_NAME.format(month=month), sheets(report))
    data: dict[str, Any] = summary(report)
    path = outputs.write_atomic(out / SUMMARY_NAME, json.dumps(data, ensure_ascii=False, indent=2))
    return {"excel": excel, "summary": path}
