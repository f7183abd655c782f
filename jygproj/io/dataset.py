"""Workbooks → the canonical tables, with the checks that need several sheets: projects matched across
lists and months (by code, else normalised name), revisions of resubmitted progress, and cumulative
completion that falls from one period to the next (issue 3)."""

from __future__ import annotations

import gc
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import polars as pl

from jygproj import schema
from jygproj.io import fastpath, rules
from jygproj.io.layout import entry_for, load_layouts, unused_sheet_entries
from jygproj.io.loaded import Dataset, SheetReport
from jygproj.io.problems import Problem, ProblemLog, problems_frame
from jygproj.io.progress import RECORD_SCHEMA
from jygproj.io.sheets import SheetResult, read_sheet
from jygproj.io.workbook import (
    WorkbookError, bound_workbook, check_workbook, finish_workbook, parse_sheets, parse_workbook, sheet_shapes,
)

_KEYS = ["project_id", "list", "period"]
#: Which list's figures stand for a project city-wide (schema.CITY_PRECEDENCE: package list last).
_LIST_ORDER = {k: n for n, k in enumerate(schema.CITY_PRECEDENCE)}


def latest_progress(progress: pl.DataFrame) -> pl.DataFrame:
    """The latest revision per (project_id, list, period): a corrected resubmission supersedes."""
    if progress.is_empty():
        return progress
    return progress.filter(pl.col("revision") == pl.col("revision").max().over(_KEYS))


def load_dataset(directory: Path, year: int | None = None) -> Dataset:
    """The input workbooks of a data folder (jygproj.catalogue: the one rule of which files are
    inputs — not subfolders, lock files, hidden files, backups), in the catalogue's order."""
    from jygproj.catalogue import catalogue

    return load_workbooks(catalogue(directory).paths, year=year)


def load_workbooks(paths: list[Path], year: int | None = None) -> Dataset:
    """Read every sheet of every workbook. Never raises on bad data: problems are collected.

    ``year`` is used only when neither title, sheet name, header nor file name gives one.

    The cyclic garbage collector is paused for the load (and restored after): a province's load
    allocates millions of strings and tuples that reference counting frees, and the collector's
    passes over them cost ~0.2 s of the reading thread and find nothing (0 objects after a province load).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _load_workbooks(paths, year)
    finally:
        if was_enabled:
            gc.enable()


def _load_workbooks(paths: list[Path], year: int | None = None) -> Dataset:
    """Read every sheet of every workbook. Never raises on bad data: problems are collected.

    ``year`` is used only when neither title, sheet name, header nor file name gives one.
    """
    results: list[SheetResult] = []
    paths = [Path(p) for p in paths]
    layouts, problems = load_layouts(paths)
    sheet_names: dict[Path, set[str]] = {}
    fastpath.clear_memo()
    seen: dict[str, Path] = {}  # sha256 of a workbook's bytes → the first file with them
    def read(path: Path, raws: list) -> tuple[list[SheetResult], list[Problem]]:
        return _read_workbook(path, raws, layouts.get(path), year)

    for path, opened in zip(paths, _opened_ahead(paths, read)):
        log = ProblemLog(file=str(path))
        try:
            wb = opened.result()
            digest = wb.digest
            if digest in seen:
                # the same bytes again (a copy sent twice, or 1,000 times): read once, each copy named
                log.add("duplicate_file", f"与《{seen[digest].name}》内容完全相同（逐字节一致），未重复读取",
                        expected="每期调度表只报送一份；删除重复的副本")
                problems.extend(log.items)
                continue
            seen[digest] = path
            names, file_results, items = _read_ahead(wb, read)
        except WorkbookError as exc:
            log.add(exc.code, exc.message, expected=exc.expected)
            problems.extend(log.items)
            continue
        sheet_names[path] = names
        results.extend(file_results)
        problems.extend(items)
    fastpath.clear_memo()
    problems.extend(unused_sheet_entries(layouts, sheet_names))
    return _assemble(results, problems)


def _read_workbook(path: Path, raws: list, layout, year: int | None) -> tuple[list[SheetResult], list[Problem]]:
    """Every sheet of one finished workbook read (read_sheet; ``layout``: the workbook's layout file
    entries, or None), and the workbook's problems in reading order. Nothing in it depends on another
    workbook (fastpath's memos hold pure readings), so a worker runs it ahead of the reading thread."""
    log = ProblemLog(file=str(path))
    file_results = []
    for raw in raws:
        try:
            res = read_sheet(path, raw, log, default_year=year, layout=entry_for(layout, raw.name))
        except Exception as exc:  # noqa: BLE001 - a reader bug must not hide the other sheets
            res = _failed_sheet(path, raw, log, exc)
        if res is not None:
            file_results.append(res)
    if not any(r.report.rows["read"] for r in file_results):
        log.sheet = None
        log.add("workbook_empty", "工作簿没有任何内容", expected="至少一张有数据的工作表")
    return file_results, log.items


#: Workbooks opened (and read) ahead of the one the reading thread takes next (at most; each worker
#: holds one more while it opens it). Six: a province's big 产业 workbooks take longer than the small
#: ones between them, and the lead keeps the workers busy; memory stays a few workbooks' cells.
_AHEAD = 6
#: Workers opening and reading workbooks: calamine's parse, zlib's inflate and polars' queries let go of
#: the GIL, the rest (the rows' Python checks, fastexcel's frame conversion) holds it. Three on two
#: cores: while two wait for the GIL, the third parses, so the cores idle less (issue 18: province
#: load, 4 interleaved rounds: 2 workers 4.92 s median wall, 7.70 CPU-s; 3 workers with a lead of 6
#: 4.60 s, 7.39 CPU-s; 3 workers beat 2 in 10 of 12 pairs at leads 5, 6 and 8).
_WORKERS = 3


def _opened_ahead(paths: list[Path], read=None):
    """Futures of the opened workbooks (parse_workbook(path), with its sheets' RawSheets when
    finished ahead, and their reading by ``read(path, raws)`` when given: _open_whole), in order, each
    started at most _AHEAD workbooks early.

    The checks of the zip directory (file bytes, declared zip bomb: Python, microseconds) run here in
    the reading thread; everything else a workbook needs on its own — the bounded scan (every member
    inflated once, capped, and measured), calamine's parse, the sheets' shapes (hidden rows and
    columns, merges), the polars frames, the row offsets and odd texts (finish_workbook) — in one
    of _WORKERS threads. Run in the reading thread, the
    frames' conversion and the odd-text searches took 0.8 s of it (province); the scan, parse and
    shapes were three threads of one workbook at a time, one core's worth at most. The sheets are read
    (``read``) in the worker too: read in the reading thread, their ~2,400 small polars queries (province)
    each waited for the GIL held by a worker, and the workers waited for the reading thread's lead."""
    if len(paths) < 2:  # nothing to overlap: no thread
        for path in paths:
            fut: Future = Future()
            try:
                fut.set_result(parse_workbook(path))
            except Exception as exc:  # noqa: BLE001 - re-raised by .result(), as a direct call would
                fut.set_exception(exc)
            yield fut
        return

    claimed: dict[str, int] = {}  # sha256 → the first submitted workbook with those bytes
    lock = threading.Lock()

    def submit(pool, n, path):
        try:
            checked = check_workbook(path)
        except Exception as exc:  # noqa: BLE001 - re-raised by .result(), as parse_workbook would
            fut: Future = Future()
            fut.set_exception(exc)
            return fut
        return pool.submit(_open_whole, checked, n, claimed, lock, read)

    with ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="jygproj-open") as pool:
        pending: deque = deque()
        it = enumerate(paths)
        for n, path in it:
            pending.append(submit(pool, n, path))
            if len(pending) > _AHEAD:
                break
        while pending:
            fut = pending.popleft()
            nxt = next(it, None)
            if nxt is not None:
                pending.append(submit(pool, *nxt))
            yield fut


def _open_whole(checked, n: int, claimed: dict, lock, read=None) -> object:
    """parse_workbook's work on a checked workbook, and its RawSheets (finish_workbook) kept in
    ``finished`` — unless an earlier workbook has the same bytes (the reading thread reports the copy
    as a duplicate and reads it no further; if that earlier one is opened later, the reading thread
    finishes it). finish_workbook's exception is kept for the reading thread, which raises it where
    it called finish_workbook. With ``read``, the finished sheets are read here too (``read_ahead``:
    what read(path, raws) returned, or the exception it raised, for the reading thread to raise)."""
    bound_workbook(checked)
    parse_sheets(checked)
    checked.shapes = sheet_shapes(checked)
    with lock:
        first = claimed.setdefault(checked.digest, n) == n
    if first:
        try:
            checked.finished = (finish_workbook(checked), None)
        except Exception as exc:  # noqa: BLE001 - re-raised by the reading thread (_finished)
            checked.finished = (None, exc)
        if read is not None and checked.finished[1] is None:
            raws = _finished(checked)
            try:
                checked.read_ahead = ({raw.name for raw in raws}, *read(checked.path, raws))
            except Exception as exc:  # noqa: BLE001 - re-raised by the reading thread (_read_ahead)
                checked.read_ahead = exc
        # calamine's cells and the sheets' XML are not needed once finished: a workbook waiting for
        # the reading thread holds only its frames and what was read from them
        checked.sheets = []
        if checked.scan is not None:
            checked.scan.xml = {}
    return checked


def _finished(wb) -> list:
    """The workbook's RawSheets, finished ahead by its worker or here."""
    if wb.finished is None:
        return finish_workbook(wb)
    raws, exc = wb.finished
    wb.finished = None  # the reading thread holds them from here
    if exc is not None:
        raise exc
    return raws


def _read_ahead(wb, read) -> tuple[set[str], list[SheetResult], list[Problem]]:
    """(sheet names, SheetResults, problems) of a workbook: as read ahead by its worker, or read here
    (its RawSheets finished ahead or here: _finished)."""
    if wb.read_ahead is None:
        raws = _finished(wb)
        return ({raw.name for raw in raws}, *read(wb.path, raws))
    got, wb.read_ahead = wb.read_ahead, None
    if isinstance(got, Exception):
        raise got
    return got


def _failed_sheet(path: Path, raw, log: ProblemLog, exc: Exception) -> SheetResult:
    """A sheet the reader could not handle: every row rejected, one error saying so (never a crash)."""
    log.sheet = raw.name
    log.add("internal_error", f"读取本工作表时程序出错（{type(exc).__name__}: {exc}），本表未载入；请把文件反馈给维护人员",
            expected="可读取的工作表")
    report = SheetReport(str(path), raw.name, None, None, None, None)
    nonblank = sum(1 for r in raw.rows if any(v is not None and str(v).strip() for v in r))
    report.rows.update(read=raw.row_offset + len(raw.rows), rejected=nonblank,
                       structure=raw.row_offset + len(raw.rows) - nonblank)
    report.errors = 1
    return SheetResult(report)


# --- assembly -----------------------------------------------------------------------------------
# Registers and the reserve pool are lists of record dicts; scheduling tables (most of the rows: a
# province has 300,000) are record frames (progress.RECORD_SCHEMA), handled column-wise. Both give the
# same records, problems and order as one pass over the rows in reading order would.

_PROG_EXTRA = {"_res": pl.Int32, "_pos": pl.UInt32}


def _records_frame(prog_results: list[SheetResult]) -> pl.DataFrame:
    """The scheduling tables' records in reading order; _res = index in prog_results, _pos = position."""
    if not prog_results:
        return pl.DataFrame(schema={**RECORD_SCHEMA, "_res": pl.Int32}).with_row_index("_pos")
    heights = [res.frame.height for res in prog_results]
    res_index = pl.Series("_res", np.repeat(np.arange(len(heights), dtype=np.int32), heights))
    return pl.concat([res.frame for res in prog_results], how="vertical").with_columns(res_index).with_row_index("_pos")


def _truthy(col: str) -> pl.Expr:
    return pl.col(col).is_not_null() & (pl.col(col) != "")


def _unify_ids(results: list[SheetResult], problems: list[Problem]) -> None:
    """Rows without a code take the code of a coded row with the same normalised name."""
    wanted = {r["name_key"] for res in results for r in res.records
              if not r.get("code") and r.get("name_key") and "project_id" in r}
    # a record's code is names.clean_code's reading, never "": a null is a row without a code
    uncoded = [res for res in results if res.frame is not None and res.frame["code"].null_count()]
    if not wanted and not uncoded:
        return  # every record has its code
    pairs: dict[str, list] = {"name_key": [], "code": []}
    for res in results:
        for r in res.records:
            if r.get("code") and r.get("name_key"):
                pairs["name_key"].append(r["name_key"])
                pairs["code"].append(r["code"])
    parts = [pl.DataFrame(pairs, schema={"name_key": pl.String, "code": pl.String})]
    parts += [res.frame.select("name_key", "code") for res in results if res.frame is not None]
    codes = (pl.concat(parts).filter(_truthy("code") & _truthy("name_key")).unique()
             .group_by("name_key").agg(pl.col("code").sort().alias("codes")))
    if codes.is_empty():
        return
    by_key = {k: v for k, v in codes.filter(pl.col("name_key").is_in(list(wanted))).iter_rows()} if wanted else {}
    # the uncoded rows of every record frame, matched in one join: _ri = index in results, _k = row
    matched: dict[int, pl.DataFrame] = {}
    frame_at = [n for n, res in enumerate(results) if any(res is u for u in uncoded)]
    if frame_at:
        cols = ["name_key", "name", "code", "source_file", "source_sheet", "source_row"]
        heights = [results[n].frame.height for n in frame_at]
        rows = pl.concat([results[n].frame.select(cols) for n in frame_at]).with_columns(
            pl.Series("_ri", np.repeat(np.array(frame_at, dtype=np.int64), heights)),
            pl.Series("_k", np.concatenate([np.arange(h, dtype=np.int64) for h in heights])))
        sub = (rows.filter(~_truthy("code") & _truthy("name_key")).drop("code")
               .join(codes, on="name_key", how="inner").sort(["_ri", "_k"]))
        matched = {key[0]: part for key, part in sub.partition_by("_ri", as_dict=True, maintain_order=True).items()}
    warned = set()

    def warn(r: dict, found: list[str]) -> None:
        warned.add(r["name_key"])
        log = ProblemLog(r["source_file"], r["source_sheet"])
        log.add("name_several_codes",
                f"项目“{r['name']}”无代码，且同名项目在其他表中对应多个代码（{'、'.join(found)}），无法匹配",
                row=r["source_row"], value=r["name"], expected="填写项目代码")
        problems.extend(log.items)

    for n, res in enumerate(results):
        if res.frame is not None:
            sub = matched.get(n)
            if sub is None:
                continue  # every row has its code, or none matches a coded name
            one = sub.filter(pl.col("codes").list.len() == 1)
            if one.height:
                pid = res.frame["project_id"].scatter(one["_k"], one["codes"].list.first())
                res.frame = res.frame.with_columns(pid)
            for r in sub.filter(pl.col("codes").list.len() > 1).iter_rows(named=True):
                if r["name_key"] not in warned:
                    warn(r, r["codes"])
            continue
        for r in res.records:
            if r.get("code") or not r.get("name_key") or "project_id" not in r:
                continue
            found = by_key.get(r["name_key"])
            if not found:
                continue
            if len(found) == 1:
                r["project_id"] = found[0]
            elif r["name_key"] not in warned:
                warn(r, found)


def _revisions(prog: pl.DataFrame) -> pl.DataFrame:
    """revision 0, 1, … per (project, list, period): corrections and later 填报日期 come later (ties in
    reading order)."""
    import datetime as dt

    several = prog.select(_KEYS).is_duplicated()
    if not several.any():  # every submission the only one of its project, list and period
        return prog.with_columns(pl.lit(0, dtype=pl.Int32).alias("revision"))
    # only the groups with several submissions need ordering
    order = prog.filter(several).with_columns(
        pl.col("correction").fill_null(False).alias("_corr"),
        pl.col("reported_at").fill_null(dt.date.min).alias("_rep"),
    ).sort(_KEYS + ["_corr", "_rep", "source_file", "source_sheet", "_pos"])
    order = order.select("_pos", pl.int_range(pl.len(), dtype=pl.Int32).over(_KEYS).alias("revision"))
    return (prog.join(order, on="_pos", how="left", maintain_order="left")
            .with_columns(pl.col("revision").fill_null(0)))


def _check_cumulative(prog: pl.DataFrame, prog_results: list[SheetResult], problems: list[Problem]) -> set[int]:
    """A 1-X月 cumulative figure lower than the same project's figure for an earlier period is an
    error (cumulative figures never fall). Returns ids of sheets to reject.

    The error is on the later sheet, unless the earlier figure is the odd one out: when the later
    figure is not below the one before the earlier (… 4,900 → 50,560 → 9,130: a typo of 5,056), the
    earlier cell is named and its sheet rejected, and the correct later sheet is kept (issue 13)."""
    pair = ["project_id", "list"]
    prev = ["completed_ytd_wan", "period_end", "period", "source_file", "source_sheet", "source_row", "_res"]
    series = prog.select(pair + ["_pos", "_res", "revision", "name"] + prev[:-1]).with_columns(
        pl.col("_pos").min().over(pair).alias("_first"))
    if (prog["revision"] > 0).any():
        series = series.filter(pl.col("revision") == pl.col("revision").max().over(_KEYS))
    # each series in order of its first row, periods in order; the previous figure is the row above
    # when it belongs to the same series (and the one before it, two rows above)
    series = (series.filter(pl.col("completed_ytd_wan").is_not_null())
              .sort(["_first", "period_end", "period"])
              .with_columns([pl.col(c).shift(1).alias("_p_" + c) for c in prev])
              .with_columns(pl.col("completed_ytd_wan").shift(2).alias("_pp"),
                            ((pl.col("_first").shift(2) == pl.col("_first"))
                             & (pl.col("period_end").shift(2).dt.year() == pl.col("period_end").dt.year()))
                            .fill_null(False).alias("_pp_same"))
              .with_columns((pl.col("_first").shift(1) == pl.col("_first")).fill_null(False).alias("_same")))
    falling = series.filter(
        pl.col("_same")
        & (pl.col("_p_period_end").dt.year() == pl.col("period_end").dt.year())
        & (pl.col("completed_ytd_wan") < pl.col("_p_completed_ytd_wan") - rules.ABS_NOISE_WAN))  # rules.falls
    bad: set[int] = set()
    for r in falling.iter_rows(named=True):
        x, px = r["completed_ytd_wan"], r["_p_completed_ytd_wan"]
        if r["_pp_same"] and r["_pp"] is not None and x >= r["_pp"] - rules.ABS_NOISE_WAN:
            # the earlier figure stands above both neighbours: it is the suspicious cell
            res, at, other = prog_results[r["_p__res"]], "_p_", ""
            text = (f"项目“{r['name']}”{r['_p_period']} 累计完成投资 {px:g} 万元，高于前一期的 {r['_pp']:g} 万元，"
                    f"也高于后一期 {r['period']} 的 {x:g} 万元")
            value, expected = px, f"介于 {r['_pp']:g} 与 {x:g} 万元之间，或以“（更正）”表更正本期"
            tail = "，疑为本单元格录入有误"
        else:
            res, at, other = prog_results[r["_res"]], "", "_p_"
            text = f"项目“{r['name']}”{r['period']} 累计完成投资 {x:g} 万元，少于 {r['_p_period']} 的 {px:g} 万元"
            value, expected, tail = x, f"不少于 {px:g} 万元，或以“（更正）”表更正上期", ""
        letter, header = res.completed_col or (None, None)
        log = ProblemLog(r[f"{at}source_file"], r[f"{at}source_sheet"])
        log.add("cumulative_falling",
                f"{text}（《{Path(r[f'{other}source_file']).name}》“{r[f'{other}source_sheet']}”"
                f"第{r[f'{other}source_row']}行）；1-X月累计数不应减少{tail}",
                row=r[f"{at}source_row"], column=letter, header=header, value=f"{value:g}", expected=expected)
        problems.extend(log.items)
        bad.add(id(res))
    return bad


def _check_against_registers(prog_results: list[SheetResult], reg_rows: list[dict],
                             problems: list[Problem]) -> set[int]:
    """A scheduling table without a 总投资 column (weekly tables often have none) is still checked:
    cumulative completion above the project's total investment on its register is an error."""
    unchecked = [res for res in prog_results if "total_investment" not in res.columns]
    if not unchecked:
        return set()  # every table checked row by row when read (a province: 32,472 register rows not indexed)
    by_member = {(r["project_id"], r["list"]): r for r in reg_rows if r.get("total_investment_wan") is not None}
    by_pid = {}
    for r in reg_rows:
        if r.get("total_investment_wan") is not None:
            by_pid.setdefault(r["project_id"], r)
    bad: set[int] = set()
    for res in unchecked:  # the others were checked row by row when the sheet was read
        for r in res.frame.iter_rows(named=True):
            x = r.get("completed_ytd_wan")
            reg = by_member.get((r["project_id"], r["list"])) or by_pid.get(r["project_id"])
            if x is None or reg is None:
                continue
            total = reg["total_investment_wan"]
            if rules.exceeds(x, total):
                letter, header = res.completed_col or (None, None)
                log = ProblemLog(r["source_file"], r["source_sheet"])
                log.add("completed_above_total",
                        f"项目“{r['name']}”累计完成投资 {x:g} 万元超过清单所列总投资 {total:g} 万元（《"
                        f"{Path(reg['source_file']).name}》“{reg['source_sheet']}”第{reg['source_row']}行）",
                        row=r["source_row"], column=letter, header=header, value=f"{x:g}",
                        expected=f"不超过总投资 {total:g} 万元")
                problems.extend(log.items)
                bad.add(id(res))
    return bad


def _nature_stats(records: list[dict], columns: set[str], nature_of) -> dict[str, dict]:
    out: dict[str, dict] = {}
    by_nature: dict[str, list[dict]] = {}  # each record's nature found once (a province: 32,472 register rows)
    for r in records:
        by_nature.setdefault(nature_of(r), []).append(r)
    for nature in schema.NATURES:
        rows = by_nature.get(nature)
        if not rows:
            continue

        def total(col: str, field_name: str):
            if field_name not in columns:
                return None
            return round(sum(r.get(col) or 0.0 for r in rows), 6)

        out[nature] = {
            "projects": len({r["project_id"] for r in rows}),
            "total_investment_wan": total("total_investment_wan", "total_investment"),
            "annual_plan_wan": total("annual_plan_wan", "annual_plan"),
            "completed_ytd_wan": total("completed_ytd_wan", "completed_ytd"),
        }
    return out


def _natures(prog: pl.DataFrame, by_member: pl.DataFrame, by_pid: pl.DataFrame) -> pl.DataFrame:
    """Each record's nature for the counts: its own, else its membership's, else its project's."""
    return (prog.join(by_member, on=["project_id", "list"], how="left", nulls_equal=True, maintain_order="left")
            .join(by_pid, on="project_id", how="left", maintain_order="left")
            .with_columns(pl.coalesce("nature", "_m_nature", "_p_nature").alias("_nature")))


_AMOUNTS = {"total_investment_wan": "total_investment", "annual_plan_wan": "annual_plan",
            "completed_ytd_wan": "completed_ytd"}


def _nature_stats_frames(natures: pl.DataFrame, prog_results: list[SheetResult]) -> dict[int, dict[str, dict]]:
    """_nature_stats of every sheet's records with their _nature (see _natures), by index in
    prog_results: one group_by for all the sheets, not ~16 small queries a sheet (a province's 60
    sheets: 960 queries, 0.4 s of the assembly waiting on polars' pool; issue 18). The amounts come
    back as lists in reading order and are added by the builtin sum, left to right (the per-record
    version's float result)."""
    groups = (natures.filter(pl.col("_nature").is_in(list(schema.NATURES)))
              .group_by("_res", "_nature", maintain_order=True)
              .agg(pl.col("project_id").n_unique().alias("_projects"),
                   *(pl.col(c).fill_null(0.0) for c in _AMOUNTS)))
    found: dict[int, dict[str, dict]] = {}
    for g in groups.iter_rows(named=True):
        columns = prog_results[g["_res"]].columns
        found.setdefault(g["_res"], {})[g["_nature"]] = {
            "projects": g["_projects"],
            **{col: round(sum(g[col]), 6) if field_name in columns else None for col, field_name in _AMOUNTS.items()},
        }
    return {n: {nature: got[nature] for nature in schema.NATURES if nature in got} for n, got in found.items()}


def _frame(rows: list[dict], table: dict) -> pl.DataFrame:
    if not rows:
        return schema.empty(table)
    # polars reads the dicts (a key a record lacks is null, one not in the table ignored): ~2× faster than
    # a Python list a column (a province's 32,472 memberships; issue 18)
    return pl.from_dicts(rows, schema=table)


def _assemble(results: list[SheetResult], problems: list[Problem]) -> Dataset:
    loaded = [r for r in results if r.loaded]
    _unify_ids(loaded, problems)
    prog_results = [r for r in loaded if r.report.kind == "progress"]
    prog = _revisions(_records_frame(prog_results))
    reg_rows = [row for res in loaded if res.report.kind == "register" for row in res.records]
    rejected_ids = _check_cumulative(prog, prog_results, problems) | _check_against_registers(prog_results, reg_rows,
                                                                                             problems)
    for res in results:
        if id(res) in rejected_ids:
            res.reject()
            res.report.errors += 1
    loaded = [r for r in results if r.loaded]
    if rejected_ids:
        prog_results = [r for r in loaded if r.report.kind == "progress"]
        prog = _revisions(_records_frame(prog_results))

    reg_rows = [row for res in loaded if res.report.kind == "register" for row in res.records]
    memberships = _memberships(reg_rows, prog, problems)
    projects = _projects(reg_rows, prog)
    nature_by_pid = {p["project_id"]: p["nature"] for p in projects}
    nature_by_member = {(m["project_id"], m["list"]): m["nature"] for m in memberships}

    def nature_of(r):
        return r.get("nature") or nature_by_member.get((r["project_id"], r.get("list"))) \
            or nature_by_pid.get(r["project_id"])

    member_frame = pl.DataFrame(
        {"project_id": [k[0] for k in nature_by_member], "list": [k[1] for k in nature_by_member],
         "_m_nature": list(nature_by_member.values())},
        schema={"project_id": pl.String, "list": pl.String, "_m_nature": pl.String})
    pid_frame = pl.DataFrame({"project_id": list(nature_by_pid), "_p_nature": list(nature_by_pid.values())},
                             schema={"project_id": pl.String, "_p_nature": pl.String})
    big = [n for n, res in enumerate(prog_results) if res.frame.height >= fastpath.MIN_ROWS]
    if big:
        # only the columns the statistics read go through the joins (a province's 302,400 rows: the
        # joins gather every column they carry; issue 18)
        natures = _natures(prog.select("_res", "project_id", "list", "nature", *_AMOUNTS)
                           .filter(pl.col("_res").is_in(big)), member_frame, pid_frame)
        for n, stats in _nature_stats_frames(natures, prog_results).items():
            prog_results[n].report.by_nature = stats
    for res in loaded:
        if res.report.kind == "progress" and res.frame.height < fastpath.MIN_ROWS:
            res.report.by_nature = _nature_stats(res.frame.to_dicts(), res.columns, nature_of)
    for res in results:  # a scheduling table rejected at dataset level: what it holds (issue 13, publish gate)
        if id(res) in rejected_ids and res.report.kind == "progress" and res.frame is not None:
            res.report.by_nature = _nature_stats(res.frame.to_dicts(), res.columns, nature_of)
        elif res.report.kind == "register":
            res.report.by_nature = _nature_stats(res.records, res.columns, nature_of)

    if prog.height:
        progress = schema.conform(prog, schema.PROGRESS).sort(["period_end", "list", "project_id", "revision"])
    else:
        progress = schema.empty(schema.PROGRESS)
    return Dataset(
        projects=_frame(projects, schema.PROJECTS),
        memberships=_frame(memberships, schema.MEMBERSHIPS),
        progress=progress,
        baseline=_frame([row for res in loaded if res.report.kind == "baseline" for row in res.records],
                        schema.BASELINE),
        reserve=_frame([row for res in loaded if res.report.kind == "reserve" for row in res.records],
                       schema.RESERVE),
        reserve_steps=_frame([row for res in loaded if res.report.kind == "reserve" for row in res.steps],
                             schema.RESERVE_STEPS_TABLE),
        problems=problems_frame(problems),
        sheets=[r.report for r in results],
        readings={(r.report.path, r.report.sheet): r.reading for r in results},
    )


def _memberships(reg_rows: list[dict], prog: pl.DataFrame, problems: list[Problem]) -> list[dict]:
    """One row per project and list: from registers; a project seen only in scheduling tables gets its
    membership from its latest submission (plan figures as reported there)."""
    out: dict[tuple, dict] = {}
    for r in reg_rows:
        key = (r["project_id"], r["list"])
        if key in out:
            first = out[key]
            log = ProblemLog(r["source_file"], r["source_sheet"])
            log.add("duplicate_project",
                    f"项目“{r['name']}”已在《{Path(first['source_file']).name}》“{first['source_sheet']}”第"
                    f"{first['source_row']}行列入同一清单，按先读到的一行计",
                    row=r["source_row"], value=r["name"], severity="warning")
            problems.extend(log.items)
            continue
        out[key] = r
    pair = ["project_id", "list"]
    known = pl.DataFrame({"project_id": [k[0] for k in out], "list": [k[1] for k in out]},
                         schema={"project_id": pl.String, "list": pl.String})
    # the latest (period_end, revision) per project and list; on a tie the first read (only the columns
    # read go through the filter, join and sort: issue 18)
    cols = [c for c in schema.MEMBERSHIPS if c in prog.columns]
    latest = (prog.select(*dict.fromkeys([*cols, *pair, "_pos", "period_end", "revision"]))
              .filter(pl.col("list").is_not_null())
              .join(known, on=pair, how="anti", nulls_equal=True)
              .with_columns(pl.col("_pos").min().over(pair).alias("_first"))
              .sort(["period_end", "revision", "_pos"], descending=[True, True, False])
              .group_by(pair, maintain_order=True).first()
              .sort("_first"))
    return list(out.values()) + latest.select(cols).to_dicts()


#: A project's statistical registration (issue 14) comes from the registers only, as a pair (是否入库
#: with its 入库时间, never one from one list and the other from another); a scheduling table's says
#: how things stood that period (progress), not what the project is.
_REGISTRATION = ("registered", "registered_on")


def _projects(reg_rows: list[dict], prog: pl.DataFrame) -> list[dict]:
    """One row per project city-wide: fields from the first list in _LIST_ORDER, gaps filled from later
    lists and then from scheduling tables (latest period first); the registration from the registers
    alone (_REGISTRATION)."""
    order = sorted(reg_rows, key=lambda r: (_LIST_ORDER.get(r["list"], 99), r["source_file"], r["source_row"]))
    out: dict[str, dict] = {}
    columns = tuple(schema.PROJECTS)  # a project's dict made by C loops, not a comprehension a project
    fields = [c for c in schema.PROJECTS if not c.startswith("source_") and c not in _REGISTRATION]
    for r in order:
        pid = r["project_id"]
        if pid not in out:
            out[pid] = dict(zip(columns, map(r.get, columns)))
            continue
        p = out[pid]
        for c in fields:
            if p.get(c) is None and r.get(c) is not None:
                p[c] = r[c]
        if all(p.get(c) is None for c in _REGISTRATION):
            p.update({c: r.get(c) for c in _REGISTRATION})
    if prog.is_empty():
        return list(out.values())
    # scheduling tables, latest period and revision first (ties in reading order): the first row of a
    # project gives its source, every other field is the first value given
    cols = [c for c in schema.PROJECTS if c in prog.columns and c not in _REGISTRATION]
    # only the columns read are sorted (the sort gathers every column it carries: 11 of a province's 27
    # over 302,400 rows; issue 18)
    firsts = (prog.select(*cols, "period_end", "revision").sort(["period_end", "revision"], descending=True,
                                                                maintain_order=True)
              .group_by("project_id", maintain_order=True)
              .agg([pl.col(c).first() if c.startswith("source_") else pl.col(c).drop_nulls().first()
                    for c in cols if c != "project_id"]))
    fill = [c for c in cols if c != "project_id" and not c.startswith("source_")]
    for r in firsts.iter_rows(named=True):
        pid = r["project_id"]
        p = out.get(pid)
        if p is None:
            out[pid] = dict(zip(columns, map(r.get, columns)))
            continue
        for c in fill:
            if p.get(c) is None and r[c] is not None:
                p[c] = r[c]
    return list(out.values())
