"""The national platform from Parquet at 2,000,000 projects, beside the 1,000,000 of
bench_quarterly.py (issue 18: "National from Parquet ≤ 3 GiB per million projects, still linear").

The same jygproj.scale.lazy_quarterly over twice the projects (2,000,000 × 12 months, 30.2 M
progress rows, written by jygproj.scale.write_national into benchmarks/_work/national_2m from the
same twelve-month city as the 1,000,000 set), interleaved with the 1,000,000 case: the time ratio
is ≈ 2 when the calculations are linear, and each case's peak memory is shown per million projects.
"""

from __future__ import annotations

import time

from benchmarks import data
from benchmarks.bench_quarterly import _national_check, _national_run
from benchmarks.harness import Case, Ratio, own_peak_kib
from jygproj import scale

#: Projects of the second national point (twice the 1,000,000 of bench_quarterly).
PROJECTS_2M = 2 * scale.NATIONAL_PROJECTS
NATIONAL_2M = data.WORK / "national_2m"
#: bench_quarterly's case at 1,000,000 projects.
NATIONAL_1M_CASE = "quarterly calculations: national from Parquet"
#: Issue 18: at most 3 GiB of peak resident memory per million projects.
MIB_PER_MILLION = 3 * 1024


def national_2m():
    """The 2,000,000-project Parquet set (generated once, ~1–2 min), scanned; and the profile."""
    from jygproj.ingest import read_manifest, scan_ingested
    from jygproj.reference import load_seasonal_profile

    manifest = read_manifest(NATIONAL_2M)
    if manifest is None or manifest.get("tables", {}).get("projects", {}).get("rows") != PROJECTS_2M:
        start = time.perf_counter()
        # the twelve-month city the 1,000,000 set was tiled from
        summary = scale.write_national(NATIONAL_2M, n_projects=PROJECTS_2M,
                                       city_dir=data.NATIONAL.with_name(data.NATIONAL.name + "_city12"))
        data._log("national_2m_parquet", time.perf_counter() - start, rows=summary["rows"],
                  copies=summary["copies"])
    return scan_ingested(NATIONAL_2M), load_seasonal_profile()


def _check_2m(arg, out) -> str:
    peak_mib = own_peak_kib() / 1024
    return (f"{_national_check(arg, out)}; peak {peak_mib / 1024:.2f} GiB = "
            f"{peak_mib / 1024 / (PROJECTS_2M / 1e6):.2f} GiB per million projects")


def cases():
    return [
        Case("quarterly calculations: national from Parquet ×2 (2,000,000 projects)", setup=national_2m,
             run=_national_run, repeat=2, goal_mib=MIB_PER_MILLION * PROJECTS_2M / 1e6, check=_check_2m,
             note="2,000,000 projects × 12 months; jygproj.scale.lazy_quarterly, as the 1,000,000 case",
             ratios=(Ratio("time ÷ time at 1,000,000 projects (2× the projects; ≈ 2 when linear)",
                           NATIONAL_1M_CASE, inverse=True),)),
    ]
