"""Inputs of the benchmarks, made once into benchmarks/_work/ (git-ignored) and reused between runs.

    city()              data/sample/2023 (the embedded sample)
    province()          20,000 projects, official-layout workbooks (jygproj.scale.write_province)
    province_parquet()  its Parquet copy (jygproj ingest)
    national()          1,000,000 projects × 12 months, Parquet (jygproj.scale.write_national)

A generated set is rebuilt only when missing (delete its directory to make it again). Generation
times are logged to benchmarks/_work/generation.json.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

from benchmarks.harness import WORK
from jygproj import scale
from jygproj.paths import SAMPLE_2023

PROVINCE = WORK / "province"
PROVINCE_PARQUET = WORK / "province_parquet"
NATIONAL = WORK / "national"
LOG = WORK / "generation.json"


def _log(key: str, seconds: float, **extra) -> None:
    data = json.loads(LOG.read_text()) if LOG.is_file() else {}
    data[key] = {"seconds": round(seconds, 1), **extra}
    LOG.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def generation_times() -> dict:
    return json.loads(LOG.read_text()) if LOG.is_file() else {}


def city() -> Path:
    if not any(SAMPLE_2023.glob("*.xlsx")):
        raise FileNotFoundError(f"{SAMPLE_2023} 中没有样例工作簿：先运行 make sample")
    return SAMPLE_2023


def workbooks(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*.xlsx") if not p.name.startswith(("~$", ".")))


def province() -> Path:
    if not (PROVINCE.is_dir() and len(workbooks(PROVINCE)) >= 68):
        WORK.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        paths = scale.write_province(PROVINCE, workers=2)
        _log("province_xlsx", time.perf_counter() - start, workbooks=len(paths),
             bytes=sum(p.stat().st_size for p in paths), projects=scale.PROVINCE_PROJECTS, workers=2)
    return PROVINCE


def province_parquet() -> Path:
    from jygproj.ingest import ingest

    src = province()
    start = time.perf_counter()
    result = ingest(src, PROVINCE_PARQUET)
    if result.rebuilt:
        _log("province_ingest", time.perf_counter() - start)
    return PROVINCE_PARQUET


def national() -> Path:
    from jygproj.ingest import read_manifest

    manifest = read_manifest(NATIONAL)
    if manifest is None or manifest.get("tables", {}).get("projects", {}).get("rows") != scale.NATIONAL_PROJECTS:
        WORK.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        summary = scale.write_national(NATIONAL)
        _log("national_parquet", time.perf_counter() - start, rows=summary["rows"], copies=summary["copies"])
    return NATIONAL


def review_inputs(directory: Path, dataset=None, year: int = 2023):
    """jygproj.quarterly Inputs for ``directory`` (Excel) or with a given ``dataset`` (replicated or
    read from Parquet); the input files hashed into the report are then the reference files only."""
    from jygproj import quarterly

    if dataset is None:
        return quarterly.load_inputs(directory, year)
    base = quarterly.load_inputs(city(), year)
    return replace(base, dataset=dataset, data_dir=Path(directory),
                   files=[f for f in base.files if f.suffix.lower() in (".yaml", ".yml")])
