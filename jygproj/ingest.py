"""A Parquet copy of the ledger (issue 8, point 4): once ingested, notebooks read Parquet, not Excel.

    from jygproj.ingest import ingest, load_ingested, scan_ingested
    result = ingest(Path("data/sample/2023"))            # rebuilt only when an input's hash changed
    ds = load_ingested(result.out_dir)                   # the same Dataset as jygproj.io.load_dataset
    lazy = scan_ingested(result.out_dir)                 # polars LazyFrames, for data beyond memory

The copy is a directory with one Parquet file per canonical table (projects, memberships, progress,
baseline, reserve, reserve_steps, problems) and ``manifest.json``: the sha256 and size of every input
workbook, the row count of every table, and the sheet reports of the loaders. It is made only by
this module and never edited by hand: ``ingest`` compares the inputs' hashes with the manifest and
rebuilds the whole copy (atomically: a new directory swapped in) when any input was added, removed
or changed, or when the copy's format changed.

Concurrent runs (issue 17): the check, the rebuild and the swap happen under the copy's lock
(jygproj.outputs.lock), each rebuild in its own staging folder; a run that waited finds the copy
another run just made and keeps it. :func:`load_or_ingest` reads the tables under the same lock, so
a reader never sees a copy being swapped. What killed runs left is removed by the next rebuild.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import polars as pl

from jygproj import outputs, paths, schema
from jygproj.catalogue import Catalogue, catalogue
from jygproj.errors import JygprojError

#: Bump when the layout or a canonical table changes: every copy is then rebuilt.
FORMAT = 4  # 2: registered / registered_on filled (issue 14); 3: sheet reports name the 1-X月完成投资 column (issue 13); 4: both
MANIFEST = "manifest.json"
#: Canonical table → its columns and dtypes (jygproj.schema).
TABLES: dict[str, dict[str, pl.DataType]] = {
    "projects": schema.PROJECTS,
    "memberships": schema.MEMBERSHIPS,
    "progress": schema.PROGRESS,
    "baseline": schema.BASELINE,
    "reserve": schema.RESERVE,
    "reserve_steps": schema.RESERVE_STEPS_TABLE,
    "problems": schema.PROBLEMS,
}


class IngestError(JygprojError, ValueError):
    """The Parquet copy cannot be made or read."""


@dataclass
class IngestResult:
    out_dir: Path
    rebuilt: bool
    reason: str  # why it was (or was not) rebuilt, Chinese
    manifest: dict[str, Any]


# --- inputs and their hashes ------------------------------------------------------------------------


def input_hashes(data_dir: Path) -> dict[str, dict[str, Any]]:
    """Relative path (POSIX) → {"sha256", "bytes"} of every input workbook (jygproj.catalogue)."""
    return catalogue(data_dir).hashes()


def default_out(data_dir: Path) -> Path:
    """data/parquet/<data directory> (git-ignored: a copy, made again by one command): data/sample/2023
    → data/parquet/sample-2023; a directory outside data/ gets its name and a short hash of its path,
    so two directories called 2023 never share a copy."""
    d = Path(data_dir).resolve()
    try:
        key = "-".join(d.relative_to(paths.DATA.resolve()).parts)
    except ValueError:
        key = f"{d.name}-{hashlib.sha1(str(d).encode()).hexdigest()[:8]}"
    return paths.DATA / "parquet" / (key or "data")


def read_manifest(out_dir: Path) -> dict[str, Any] | None:
    f = Path(out_dir) / MANIFEST
    if not f.is_file():
        return None
    try:
        return json.loads(f.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def stale_reason(manifest: Mapping[str, Any] | None, hashes: Mapping[str, Any], out_dir: Path,
                 source_dir: Path | None = None, layout: Mapping[str, Any] | None = None) -> str | None:
    """Why the copy must be rebuilt (Chinese), or None when it is current. A copy made from another
    folder is rebuilt too: its rows name that folder's files as their source."""
    if manifest is None:
        return "尚无 Parquet 副本"
    if manifest.get("format") != FORMAT:
        return f"副本格式 {manifest.get('format')} 与当前格式 {FORMAT} 不同"
    if source_dir is not None and manifest.get("source_dir") != str(source_dir):
        return f"副本由另一数据目录生成（{manifest.get('source_dir')}）"
    old = manifest.get("inputs", {})
    added = sorted(set(hashes) - set(old))
    removed = sorted(set(old) - set(hashes))
    changed = sorted(k for k in set(hashes) & set(old) if hashes[k]["sha256"] != old[k].get("sha256"))
    parts = []
    if added:
        parts.append(f"新增 {len(added)} 个工作簿（{added[0]}…）" if len(added) > 1 else f"新增工作簿 {added[0]}")
    if removed:
        parts.append(f"删除 {len(removed)} 个工作簿（{removed[0]}…）" if len(removed) > 1 else f"删除工作簿 {removed[0]}")
    if changed:
        parts.append(f"{len(changed)} 个工作簿内容已变（{changed[0]}…）" if len(changed) > 1
                     else f"工作簿内容已变：{changed[0]}")
    if layout != manifest.get("layout"):  # the folder's 版式.yaml decides how the workbooks are read
        parts.append("版式文件已删除" if layout is None else f"版式文件已变：{layout['path']}")
    if parts:
        return "；".join(parts)
    missing = [t for t in TABLES if not (Path(out_dir) / f"{t}.parquet").is_file()]
    if missing:
        return f"副本缺少数据表：{'、'.join(missing)}"
    return None


# --- writing ----------------------------------------------------------------------------------------


def _conform_lazy(lf: pl.LazyFrame, table: Mapping[str, pl.DataType]) -> pl.LazyFrame:
    cols = lf.collect_schema().names()
    return lf.select([(pl.col(c) if c in cols else pl.lit(None)).cast(dtype).alias(c) for c, dtype in table.items()])


def write_parquet_set(frames: Mapping[str, pl.DataFrame | pl.LazyFrame], out_dir: Path,
                      inputs: Mapping[str, Any] | None = None, extra: Mapping[str, Any] | None = None) -> dict[str, int]:
    """Write each canonical table to ``out_dir/<table>.parquet`` (lazy frames are streamed, never
    collected whole) and the manifest. Returns rows per table."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows: dict[str, int] = {}
    for name, table in TABLES.items():
        frame = frames.get(name)
        lf = schema.empty(table).lazy() if frame is None else _conform_lazy(frame.lazy(), table)
        target = out_dir / f"{name}.parquet"
        lf.sink_parquet(target, compression="zstd", row_group_size=256_000)
        rows[name] = pl.scan_parquet(target).select(pl.len()).collect().item()
    manifest = {
        "format": FORMAT,
        "note": "由 jygproj ingest 生成，请勿手工修改；输入工作簿的哈希变化时自动重建。",
        "created": dt.datetime.now().isoformat(timespec="seconds"),
        "inputs": dict(inputs or {}),
        "tables": {name: {"file": f"{name}.parquet", "rows": n} for name, n in rows.items()},
        **dict(extra or {}),
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return rows


def ingest(data_dir: "Path | Catalogue", out_dir: Path | None = None, *, force: bool = False,
           year: int | None = None) -> IngestResult:
    """Make (or keep) the Parquet copy of the workbooks under ``data_dir``.

    Rebuilt when ``force``, when there is none, or when an input workbook was added, removed or
    changed (sha256) since the copy was made; otherwise nothing is read but the hashes. Waits for
    another run making the same copy (jygproj.outputs.lock), then keeps what that run made."""
    cat = data_dir if isinstance(data_dir, Catalogue) else catalogue(data_dir)
    out_dir = Path(out_dir) if out_dir else default_out(cat.folder)
    with outputs.lock(out_dir):
        return _ingest(cat, out_dir, force=force, year=year)


def _ingest(cat: Catalogue, out_dir: Path, *, force: bool, year: int | None) -> IngestResult:
    data_dir = cat.folder
    hashes = cat.hashes()
    manifest = read_manifest(out_dir)
    layout = cat.layout_record()
    reason = "指定强制重建（--force）" if force else stale_reason(manifest, hashes, out_dir, data_dir, layout)
    if reason is None:
        return IngestResult(out_dir, False, "输入工作簿未变化，沿用现有副本", manifest)
    from jygproj.io import load_workbooks  # only to rebuild: a fresh copy never loads the Excel reader (issue 18)

    ds = load_workbooks(cat.paths, year=year)
    for legacy in (".partial", ".old"):  # what earlier versions left beside the copy
        shutil.rmtree(out_dir.with_name(out_dir.name + legacy), ignore_errors=True)
    staging = outputs.staging_dir(out_dir)
    try:
        counts = {"error": 0, "warning": 0}
        if ds.problems.height:
            for sev, n in ds.problems.group_by("severity").len().iter_rows():
                counts[sev] = n
        write_parquet_set({t: getattr(ds, t) for t in TABLES}, staging, inputs=hashes, extra={
            "source_dir": str(data_dir),
            "skipped": {s.relative: s.reason for s in cat.skipped},
            "layout": layout,
            "problems": counts,
            "sheets": [dataclasses.asdict(s) for s in ds.sheets],
        })
        outputs.swap_in(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return IngestResult(out_dir, True, reason, read_manifest(out_dir) or {})


def input_rows(cat: Catalogue, manifest: Mapping[str, Any]) -> dict[str, Any]:
    """Rows loaded per input workbook and sheet, from a copy's manifest, for a run's record and its
    comparison with the report it replaces (jygproj.runs.fewer_inputs): {"folder": the data folder,
    "files": {path in the folder: {sheet: rows loaded}}} (a workbook with no sheet loaded: {})."""
    files: dict[str, dict[str, int]] = {f.relative: {} for f in cat.inputs}
    by_path = {str(f.path): f.relative for f in cat.inputs}
    for s in manifest.get("sheets", []):
        rel = by_path.get(str(Path(s["path"]).resolve()))
        if rel is not None:
            files[rel][s["sheet"]] = files[rel].get(s["sheet"], 0) + int(s["rows"].get("loaded", 0))
    return {"folder": paths.display(cat.folder), "files": files}


# --- reading back -----------------------------------------------------------------------------------


def scan_ingested(out_dir: Path) -> dict[str, pl.LazyFrame]:
    """Each table of a copy as a LazyFrame with the canonical dtypes (enums restored)."""
    out_dir = Path(out_dir)
    if read_manifest(out_dir) is None:
        raise IngestError(f"{out_dir} 不是 jygproj ingest 生成的 Parquet 副本（缺 {MANIFEST}）", "not_ingested")
    return {name: _conform_lazy(pl.scan_parquet(out_dir / f"{name}.parquet"), table) for name, table in TABLES.items()}


def load_ingested(out_dir: Path, tables: tuple[str, ...] | None = None):
    """The copy read back as a jygproj.io Dataset (the same frames load_dataset gives)."""
    from jygproj.io.loaded import Dataset, SheetReport

    lazy = scan_ingested(out_dir)
    wanted = tables or tuple(TABLES)
    frames = {name: (lazy[name].collect() if name in wanted else schema.empty(TABLES[name])) for name in TABLES}
    manifest = read_manifest(out_dir) or {}
    sheets = [SheetReport(**s) for s in manifest.get("sheets", [])]
    return Dataset(**frames, sheets=sheets)


def load_or_ingest(data_dir: "Path | Catalogue", out_dir: Path | None = None):
    """What a notebook calls: refresh the copy when an input changed, then read Parquet (both under
    the copy's lock: never a copy another run is swapping)."""
    cat = data_dir if isinstance(data_dir, Catalogue) else catalogue(data_dir)
    out_dir = Path(out_dir) if out_dir else default_out(cat.folder)
    with outputs.lock(out_dir):
        return load_ingested(_ingest(cat, out_dir, force=False, year=None).out_dir)


__all__ = ["FORMAT", "TABLES", "IngestError", "IngestResult", "input_hashes", "default_out",
           "stale_reason", "write_parquet_set", "ingest", "input_rows", "scan_ingested", "load_ingested", "load_or_ingest"]
