"""The quarterly review's calculations (jygproj.quarterly.build_review: completion, starts, the 12%
tracker with the project-by-project projection, warnings and movements, ranking, factors,
supervision, tables) at city, 10× and 100× the city, and the province after load; the national
platform from Parquet (jygproj.scale.lazy_quarterly); and the papermill run end to end (city),
interleaved with papermill running a notebook that does nothing (benchmarks/trivial.ipynb), the
floor of any notebook run.

Goals (issue 8): city quarterly run end to end under 10 s; province calculations under 2 s after
load; national from Parquet under 30 s within 8 GiB; nothing quadratic in the number of projects
(1× / 10× / 100× the city). Issue 18: the city run end to end within 2× the trivial notebook; the city
and every unit's report (--all-units) within 3× one city report.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from benchmarks import data
from benchmarks.harness import HERE, Case, Ratio, run_command
from jygproj import scale
from jygproj.paths import KERNEL_NAME

#: The review every scale runs: 2023 Q3 with figures to October, as notebooks/params/2023Q3.yaml.
YEAR, QUARTER, AS_OF = 2023, 3, "2023-10"


def _params(directory):
    from jygproj.quarterly import ReviewParams

    return ReviewParams(YEAR, QUARTER, str(directory), AS_OF)


def _review(arg):
    """The whole calculation every run: the inputs' memo (a forecast, the earlier quarters' reviews,
    the warnings, the per-project results…) emptied (a second review on the same inputs in one process reuses them:
    jygproj.quarterly._made_once), and the forecast's kept copy on disk not read (jygproj.forecast.memo)."""
    import dataclasses
    import os

    from jygproj.quarterly import build_review

    inputs, params = arg
    os.environ["JYGPROJ_FORECAST_MEMO"] = "0"
    return build_review(dataclasses.replace(inputs, memo={}), params)


def _city_times(copies: int):
    def setup():
        inputs = data.review_inputs(data.city())
        if copies > 1:
            inputs = data.review_inputs(data.city(), scale.replicate(inputs.dataset, copies))
        return inputs, _params(data.city())
    return setup


def _province():
    from jygproj.ingest import load_ingested

    ds = load_ingested(data.province_parquet())
    return data.review_inputs(data.province(), ds), _params(data.province())


def _size(arg, review) -> str:
    ds = arg[0].dataset
    return (f"{ds.projects.height:,} projects, {ds.progress.height:,} progress rows; "
            f"{len(review.tables)} tables")


def _national():
    from jygproj.ingest import scan_ingested
    from jygproj.reference import load_seasonal_profile

    return scan_ingested(data.national()), load_seasonal_profile()


def _national_run(arg):
    tables, profile = arg
    out = scale.lazy_quarterly(tables, year=YEAR, quarter=QUARTER, as_of_month=10, profile=profile)
    # only what the check reads: the harness holds a run's value through the next run, and the last
    # run's by-unit table (6.2 M rows, ~1 GB) would count in this run's peak memory
    return {"completion": out["completion"], "monthly_rows": out["monthly_rows"],
            "by_unit_rows": out["completion_by_unit"].height}


def _national_check(_arg, out) -> str:
    import polars as pl

    city = out["completion"].filter((pl.col("list") == "city") & (pl.col("period") == "YTD")
                                    & pl.col("nature").is_null())
    return (f"{city['projects'][0]:,} projects, {out['monthly_rows']:,} project-months used; "
            f"completion by list/nature/period and by 责任单位 ({out['by_unit_rows']:,} rows), "
            "start status and new-start rates, 12% tracker; warnings/ranking/supervision not included "
            "(eager-only functions)")


def _papermill():
    out = Path(tempfile.mkdtemp(prefix="bench_quarterly_", dir=data.WORK))
    return out


def _papermill_run(out: Path):
    run_command([sys.executable, "-m", "jygproj", "quarterly", "2023Q3", "--out", str(out / "2023Q3")])
    return out / "2023Q3"


ALL_UNITS_CASE = "papermill quarterly run end to end: city and every unit (--all-units)"
CITY_CASE = "papermill quarterly run end to end: city"


def _all_units_run(out: Path):
    run_command([sys.executable, "-m", "jygproj", "quarterly", "2023Q3", "--all-units", "--out", str(out / "2023Q3")])
    return out / "2023Q3"


def _all_units_check(out_root: Path, report: Path) -> str:
    units = sorted(p for p in (report / "units").iterdir() if p.is_dir())
    whole = [u for u in units if all(any(f.suffix == k for f in u.iterdir()) for k in (".ipynb", ".html", ".xlsx"))
             and (u / "manifest.json").is_file() and (u / "summary.json").is_file()]
    shutil.rmtree(out_root, ignore_errors=True)
    return f"city report and {len(units)} unit reports, {len(whole)} with notebook, HTML, Excel, manifest, summary"


TRIVIAL = HERE / "trivial.ipynb"
TRIVIAL_CASE = "papermill: a trivial notebook (the floor)"


def _trivial_run(out: Path):
    """papermill's own command on a notebook that does nothing, with the project's kernel."""
    run_command([sys.executable, "-m", "papermill", "--no-progress-bar", "-k", KERNEL_NAME, str(TRIVIAL),
                 str(out / "trivial.ipynb")])
    return out


def _trivial_check(out_root: Path, _out) -> str:
    shutil.rmtree(out_root, ignore_errors=True)
    return "kernel start, one cell, notebook saved"


def _papermill_check(out_root: Path, report: Path) -> str:
    files = sorted(p.name for p in report.iterdir())
    shutil.rmtree(out_root, ignore_errors=True)
    kinds = [k for k in (".ipynb", ".html", ".xlsx") if any(f.endswith(k) for f in files)]
    return f"wrote {len(files)} files ({', '.join(kinds)})"


def cases():
    per_city = "quarterly calculations: city"
    return [
        Case(f"{per_city} ×1 (193 projects)", setup=_city_times(1), run=_review, repeat=5, check=_size,
             note="build_review after load; 2023Q3, figures to October"),
        Case(f"{per_city} ×10", setup=_city_times(10), run=_review, repeat=3, check=_size,
             ratios=(Ratio("time ÷ time at ×1 (10× the projects)", f"{per_city} ×1 (193 projects)", inverse=True),)),
        Case(f"{per_city} ×100", setup=_city_times(100), run=_review, repeat=2, check=_size,
             ratios=(Ratio("time ÷ time at ×10 (10× the projects)", f"{per_city} ×10", inverse=True),
                     Ratio("time ÷ time at ×1 (100× the projects)", f"{per_city} ×1 (193 projects)", inverse=True))),
        Case("quarterly calculations: province (after load)", setup=_province, run=_review, repeat=3, goal_s=2.0,
             check=_size, note="20,000 projects read from the Parquet copy of the province workbooks"),
        Case("quarterly calculations: national from Parquet", setup=_national, run=_national_run, repeat=2,
             goal_s=30.0, goal_mib=3 * 1024, check=_national_check,
             note="1,000,000 projects × 12 months; jygproj.scale.lazy_quarterly (scan, streaming collect, "
                  "ledger and detail per chunk of projects); issue 18: ≤ 3 GiB per million projects"),
        Case(CITY_CASE, setup=_papermill, run=_papermill_run, repeat=3,
             goal_s=10.0, check=_papermill_check,
             note="jygproj quarterly 2023Q3: load, calculations, executed notebook, HTML, Excel, letters",
             ratios=(Ratio("time ÷ a trivial notebook through papermill (times slower)", TRIVIAL_CASE, inverse=True,
                           goal_max=2),)),
        Case(ALL_UNITS_CASE, setup=_papermill, run=_all_units_run, repeat=3, check=_all_units_check,
             note="jygproj quarterly 2023Q3 --all-units (--jobs 2): the city report, then a report per "
                  "responsible unit in two lent kernels (jygproj.runs.LentKernel), each unit's notebook, HTML, "
                  "Excel, letters and manifest kept",
             ratios=(Ratio("time ÷ one city report (times slower)", CITY_CASE, inverse=True, goal_max=3),)),
        Case(TRIVIAL_CASE, setup=_papermill, run=_trivial_run, repeat=3, check=_trivial_check,
             note="papermill -k jygproj benchmarks/trivial.ipynb: the floor of any notebook run"),
    ]
