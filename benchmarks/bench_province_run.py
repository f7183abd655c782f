"""The province quarterly run end to end (issue 18): `jygproj quarterly 2023Q3 --data
benchmarks/_work/province --out …` as a user types it — the Parquet copy checked against the 68
workbooks' hashes, a papermill kernel running notebooks/10_quarterly_review.ipynb (load,
calculations, tables, charts, the Excel workbook, the letters and their reply forms, the brief,
summary.json), the HTML export — interleaved with the province load (jygproj.io.load_dataset on the
same 68 workbooks), A B A B in one run (benchmarks.harness).

The Parquet copy is present and up to date, as on a user's second run on the same folder: setup
makes it (jygproj ingest, in the command's own place data/parquet/…), so no run pays for it.
Every run writes into a fresh output folder, so no run replaces an earlier report.

The forecast and its backtest are kept by their inputs' content (jygproj.forecast.memo), so a
run after the first reads them back; the second case makes them in every run, as a first run does.

Goal (issue 18): the run end to end within 3× the province load.
Run alone: `.venv/bin/python -m benchmarks "province quarterly run"`.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

from benchmarks import data
from benchmarks.harness import Case, Ratio, run_command

RUN = "province quarterly run end to end"
FRESH = "province quarterly run end to end, forecast made afresh"
LOAD = "province quarterly run: the province load (jygproj)"


def _setup():
    from jygproj.ingest import ingest

    province = data.province()
    ingest(province)  # the command's own copy (data/parquet/…): a second run finds it up to date
    return province, Path(tempfile.mkdtemp(prefix="bench_province_run_", dir=data.WORK))


def _run(arg, env: dict[str, str] | None = None):
    province, root = arg
    out = Path(tempfile.mkdtemp(dir=root)) / "2023Q3"  # a fresh output folder each run
    run_command([sys.executable, "-m", "jygproj", "quarterly", "2023Q3", "--data", str(province), "--out", str(out)],
                env=env)
    return out


def _run_fresh(arg):
    """The forecast and its backtest made in the run, none read back (jygproj.forecast.memo off):
    a first run on a month's data, as the data arrive."""
    return _run(arg, {"JYGPROJ_FORECAST_MEMO": "0"})


def _stages(notebook: Path) -> str:
    """Where the kernel's time went: each cell's papermill duration, the first (load and
    calculations) and the last (outputs: Excel, letters, forms, charts, brief) apart."""
    cells = [c for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    took = [c["metadata"].get("papermill", {}).get("duration") or 0.0 for c in cells]
    load = next(t for c, t in zip(cells, took) if "wb.quarterly" in "".join(c["source"]))
    outputs = next(t for c, t in zip(cells, took) if "write_outputs" in "".join(c["source"]))
    return (f"last run's cells {sum(took):.1f} s: load and calculations {load:.1f} s, outputs {outputs:.1f} s, "
            f"the rest {sum(took) - load - outputs:.1f} s")


def _check(arg, report: Path) -> str:
    stages = _stages(next(report.glob("*.ipynb")))
    summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))
    letters = sorted((report / "letters").iterdir())
    html = next(report.glob("*.html")).stat().st_size
    xlsx = next(p for p in report.glob("*.xlsx")).stat().st_size
    shutil.rmtree(arg[1], ignore_errors=True)
    forms = sum(p.name.startswith("整改反馈表") for p in letters)
    return (f"{stages}; {summary.get('letters', 0):,} letters and {forms:,} reply forms; "
            f"HTML {html / 1e6:.1f} MB, Excel {xlsx / 1e6:.1f} MB")


def _load(directory):
    from jygproj.io import load_dataset

    return load_dataset(directory)


def _rows(_arg, ds) -> str:
    return f"{ds.projects.height:,} projects, {ds.progress.height:,} progress rows"


def cases() -> list[Case]:
    return [
        Case(RUN, setup=_setup, run=_run, repeat=3, check=_check,
             note="jygproj quarterly 2023Q3 --data benchmarks/_work/province --out <fresh folder>; "
                  "the Parquet copy present and up to date (a user's second run)",
             ratios=(Ratio("time ÷ the province load (times slower)", LOAD, inverse=True, goal_max=3),)),
        Case(FRESH, setup=_setup, run=_run_fresh, repeat=3, check=_check,
             note="as above, with the forecast and its backtest made in the run (none kept from an earlier "
                  "run: JYGPROJ_FORECAST_MEMO=0), as on the first run on a month's data",
             ratios=(Ratio("time ÷ the province load (times slower)", LOAD, inverse=True, goal_max=3),)),
        Case(LOAD, setup=data.province, run=_load, repeat=3, check=_rows,
             note="jygproj.io.load_dataset on the same 68 workbooks (as load province: jygproj)"),
    ]
