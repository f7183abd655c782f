"""Loading the workbooks (issues 8 and 18): jygproj.io beside what an analyst would write instead
(pandas with openpyxl, the default engine, and with calamine, pandas ≥ 2.2) and beside fastexcel
alone on one thread and on two (the floor: the same cells, no checks), for the city sample and
the 20,000-project province; and the province read back from its Parquet copy (jygproj ingest).
Cases compared by a ratio run interleaved (benchmarks/harness.py).

Goals: province load at least 10× faster than pandas + openpyxl and within 2× of fastexcel alone
(issue 8); at least 2× faster than pandas + calamine and within 1.5× of fastexcel on two threads
(issue 18).
"""

from __future__ import annotations

from benchmarks import data
from benchmarks.harness import Case, Ratio
from benchmarks.reference_pandas import compare, fastexcel_cells, jygproj_table, pandas_pipeline, pandas_read


def _load(directory):
    from jygproj.io import load_dataset

    return load_dataset(directory)


def _rows(_arg, ds) -> str:
    return (f"{ds.projects.height:,} projects, {ds.memberships.height:,} memberships, "
            f"{ds.progress.height:,} progress rows, {int((ds.problems['severity'] == 'error').sum()) if ds.problems.height else 0} errors")


def _cells(paths, n) -> str:
    return f"{len(paths)} workbooks, {n:,} cells"


def _table_check(directory, month: int):
    """Compare the reference's table with jygproj's on the same files (``directory`` is a callable)."""
    def check(_arg, ref) -> str:
        ours = jygproj_table(_load(directory()), 2023, month)
        c = compare(ours, ref)
        same = c["unmatched"] == 0 and c["max_count_diff"] == 0 and c["max_plan_diff_wan"] < 0.01 \
            and c["max_done_diff_wan"] < 0.01
        return (f"same table as jygproj: {'yes' if same else 'NO'} ({c['rows']} list×unit rows; largest difference "
                f"{max(c['max_plan_diff_wan'], c['max_done_diff_wan']):g} 万元)")
    return check


def _ingest_unchanged(directory):
    from jygproj.ingest import ingest

    result = ingest(directory, data.PROVINCE_PARQUET)
    assert not result.rebuilt, result.reason
    return result


def _load_parquet(directory):
    from jygproj.ingest import load_ingested

    return load_ingested(directory)


def cases():
    city = data.city
    city_paths = lambda: data.workbooks(data.city())  # noqa: E731
    prov_paths = lambda: data.workbooks(data.province())  # noqa: E731
    faster, slower = "÷ jygproj (times faster)", "jygproj ÷"
    return [
        Case("load city: jygproj", setup=city, run=_load, repeat=5, check=_rows,
             ratios=(Ratio(f"pandas+openpyxl {faster}", "load city: pandas+openpyxl"),
                     Ratio(f"pandas+calamine {faster}", "load city: pandas+calamine"),
                     Ratio(f"{slower} fastexcel alone (times slower)", "load city: fastexcel alone", inverse=True))),
        Case("load city: fastexcel alone", setup=city_paths, run=fastexcel_cells, repeat=5, check=_cells,
             note="every sheet as text cells, nothing checked or assembled"),
        Case("load city: pandas+openpyxl", setup=city_paths, run=pandas_read, repeat=3,
             note="pd.read_excel(engine='openpyxl', sheet_name=None, header=None) on every workbook"),
        Case("load city: pandas+calamine", setup=city_paths, run=lambda p: pandas_read(p, "calamine"), repeat=5,
             note="pd.read_excel(engine='calamine', sheet_name=None, header=None) on every workbook"),
        Case("table city: pandas+openpyxl reference", setup=city_paths, run=lambda p: pandas_pipeline(p, 10),
             repeat=3, check=_table_check(data.city, 10),
             note="read every workbook, completion by list and 责任单位 (1-10月)"),
        Case("table city: pandas+calamine reference", setup=city_paths,
             run=lambda p: pandas_pipeline(p, 10, "calamine"), repeat=3, check=_table_check(data.city, 10),
             note="the same with engine='calamine'"),
        Case("load province: jygproj", setup=data.province, run=_load, repeat=3, check=_rows,
             note="68 workbooks (6 registers, 5 lists × 12 monthly tables, baseline, reserve)",
             ratios=(Ratio(f"pandas+openpyxl {faster}", "load province: pandas+openpyxl", goal_min=10),
                     Ratio(f"pandas+calamine {faster}", "load province: pandas+calamine", goal_min=2),
                     Ratio(f"{slower} fastexcel alone (times slower)", "load province: fastexcel alone", inverse=True,
                           goal_max=2),
                     Ratio(f"{slower} fastexcel on two threads (times slower)", "load province: fastexcel two threads",
                           inverse=True, goal_max=1.5))),
        Case("load province: fastexcel alone", setup=prov_paths, run=fastexcel_cells, repeat=3, check=_cells),
        Case("load province: fastexcel two threads", setup=prov_paths, run=lambda p: fastexcel_cells(p, threads=2),
             repeat=3, check=_cells, note="the workbooks shared between two threads, biggest first (the read floor)"),
        Case("load province: pandas+openpyxl", setup=prov_paths, run=pandas_read, repeat=1),
        Case("load province: pandas+calamine", setup=prov_paths, run=lambda p: pandas_read(p, "calamine"), repeat=3),
        Case("table province: pandas+openpyxl reference", setup=prov_paths, run=lambda p: pandas_pipeline(p, 10),
             repeat=1, check=_table_check(data.province, 10),
             note="read every workbook, completion by list and 责任单位 (1-10月)"),
        Case("table province: pandas+calamine reference", setup=prov_paths,
             run=lambda p: pandas_pipeline(p, 10, "calamine"), repeat=1, check=_table_check(data.province, 10),
             note="the same with engine='calamine'"),
        Case("load province: Parquet copy (load_ingested)", setup=data.province_parquet, run=_load_parquet, repeat=5,
             check=_rows, note="what notebooks read once the workbooks are ingested"),
        Case("ingest province: inputs unchanged (hashes only)", setup=data.province, run=_ingest_unchanged, repeat=5,
             note="sha256 of the 68 workbooks compared with the manifest; nothing rebuilt"),
    ]
