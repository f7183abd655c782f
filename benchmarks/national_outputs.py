"""The national outputs kept and compared (issue 18: memory cut, outputs unchanged).

    python -m benchmarks.national_outputs save PARQUET_DIR OUT_DIR   # lazy_quarterly's frames → OUT_DIR
    python -m benchmarks.national_outputs compare OUT_A OUT_B        # every frame equal, bit for bit
    python -m benchmarks.national_outputs copies OUT_DIR PARQUET_DIR # every copy keeps the city's figures

``save`` runs jygproj.scale.lazy_quarterly (2023 Q3, figures to October, as bench_quarterly) once
in this process and writes each table as Parquet, the other results and the run's wall and CPU
seconds, load average and peak resident memory to info.json — run it with two versions of jygproj
(PYTHONPATH) to compare before and after. ``copies`` checks what the tiling promises
(benchmarks/README.md): the units of each whole copy c (第c片区 + the city's unit) have exactly the
city's rows (copy 0), the national total counts every project once, and each list's total equals
the sum over its units.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

from benchmarks.harness import own_peak_kib


def save(src: Path, out: Path) -> dict:
    import jygproj
    from jygproj import scale
    from jygproj.ingest import scan_ingested
    from jygproj.reference import load_seasonal_profile

    out.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()[0]
    tables, profile = scan_ingested(src), load_seasonal_profile()
    wall, cpu = time.perf_counter(), time.process_time()
    res = scale.lazy_quarterly(tables, year=2023, quarter=3, as_of_month=10, profile=profile)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    info = {"jygproj": jygproj.__file__, "src": str(src), "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
            "load_1min": [round(load, 2), round(os.getloadavg()[0], 2)],
            "peak_mib": round(own_peak_kib() / 1024)}
    for name, value in res.items():
        if isinstance(value, pl.DataFrame):
            value.write_parquet(out / f"{name}.parquet")
        else:
            info[name] = value
    (out / "info.json").write_text(json.dumps(info, ensure_ascii=False, indent=1))
    return {k: info[k] for k in ("wall_s", "cpu_s", "load_1min", "peak_mib")}


def compare(a: Path, b: Path) -> None:
    for path in sorted(a.glob("*.parquet")):
        frame = pl.read_parquet(path)
        assert_frame_equal(frame, pl.read_parquet(b / path.name), check_exact=True)
        print(f"{path.stem}: {frame.height:,} rows × {frame.width} columns, equal exactly")
    info_a, info_b = (json.loads((d / "info.json").read_text()) for d in (a, b))
    for key in ("growth_summary", "monthly_rows", "roster_rows"):
        assert info_a[key] == info_b[key], key
        print(f"{key}: equal")


def copies(out: Path, src: Path) -> None:
    from jygproj.ingest import read_manifest

    manifest = read_manifest(src)
    n_copies, n_city = manifest["copies"], manifest["city_projects"]
    n = manifest["tables"]["projects"]["rows"]
    unit = pl.col("responsible_unit")
    by_unit = pl.read_parquet(out / "completion_by_unit.parquet").with_columns(unit.cast(pl.String)).with_columns(
        unit.str.extract(r"^第(\d+)片区", 1).cast(pl.Int32).fill_null(0).alias("copy"),
        unit.str.replace(r"^第\d+片区", "").alias("city_unit"))
    figures = ["quarter", "closed", "projects", "annual_plan_wan", "plan_wan", "completed_wan", "rate_pct",
               "annual_rate_pct"]
    keys = ["city_unit", "list", "nature", "period"]
    city = by_unit.filter(pl.col("copy") == 0).select(*keys, *figures)
    whole = by_unit.filter(pl.col("copy").is_between(1, n_copies - 1 if n == n_city * n_copies else n_copies - 2))
    joined = whole.join(city, on=keys, how="left", suffix="_city", nulls_equal=True)
    differ = joined.filter(pl.any_horizontal(pl.col(f).ne_missing(pl.col(f"{f}_city")) for f in figures))
    assert whole.height % city.height == 0 and differ.height == 0, (whole.height, city.height, differ.height)
    print(f"{whole.height // city.height:,} whole copies × {city.height:,} rows of the city's units: "
          "every row equal to the city's exactly")
    comp = pl.read_parquet(out / "completion.parquet")
    total = comp.filter((pl.col("list") == "city") & (pl.col("period") == "YTD") & pl.col("nature").is_null())
    city_total = city.filter((pl.col("list") == "city") & (pl.col("period") == "YTD") & pl.col("nature").is_null())
    assert total["projects"][0] == n and city_total["projects"].sum() == n_city
    print(f"projects counted once: {n:,} in the nation, {n_city} in the city (copy 0)")
    summed = by_unit.filter(pl.col("nature").is_null()).group_by("list", "period").agg(
        pl.col("completed_wan").sum().alias("_units"))
    rel = comp.filter(pl.col("nature").is_null()).join(summed, on=["list", "period"]).select(
        ((pl.col("completed_wan") - pl.col("_units")).abs() / pl.col("completed_wan").abs()).max()).item()
    assert rel < 1e-9, rel
    print(f"each list's completed_wan = the sum over its units (largest relative difference {rel:.1e})")


if __name__ == "__main__":
    command, *paths = sys.argv[1:]
    if command == "save":
        print(json.dumps(save(Path(paths[0]), Path(paths[1]))))
    elif command == "compare":
        compare(Path(paths[0]), Path(paths[1]))
    elif command == "copies":
        copies(Path(paths[0]), Path(paths[1]))
    else:
        sys.exit(__doc__)
