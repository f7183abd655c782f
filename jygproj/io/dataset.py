"""Workbooks → the canonical tables, with the checks that need several sheets: projects matched across
lists and months (by code, else normalised name), revisions of resubmitted progress, and cumulative
completion that falls from one period to the next (issue 3)."""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from jygproj import schema
from jygproj.io.problems import ERROR, Problem, ProblemLog, problems_frame
from jygproj.io.sheets import SheetReport, SheetResult, read_sheet
from jygproj.io.workbook import WorkbookError, open_workbook

_KEYS = ["project_id", "list", "period"]
#: Which list's figures stand for a project city-wide: the plan's order (二(一)…二(五)), except that the
#: 市级领导包抓 table carries each leader's package target (二(三)), not the project's own plan, so it
#: comes last.
_LIST_ORDER = {k: n for n, k in enumerate(
    ["provincial_major", "provincial_key", "government", "industrial", "real_estate", "leader_package", "reserve"])}


@dataclass
class Dataset:
    projects: pl.DataFrame
    memberships: pl.DataFrame
    progress: pl.DataFrame
    baseline: pl.DataFrame
    reserve: pl.DataFrame
    reserve_steps: pl.DataFrame
    problems: pl.DataFrame
    sheets: list[SheetReport] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return bool((self.problems["severity"] == ERROR).any()) if self.problems.height else False

    def sheet_table(self) -> pl.DataFrame:
        """One row per sheet read: what it was taken for and where every row went (read = loaded +
        structure + rejected), with its error and warning counts — the analyst's first look."""
        return pl.DataFrame(
            [
                {
                    "source_file": Path(s.path).name,
                    "source_sheet": s.sheet,
                    "sheet_kind": schema.SHEET_KINDS.get(s.kind or "", "未识别"),
                    "list": schema.LISTS.get(s.list or "", "—"),
                    "unit": s.unit or "—",
                    "period": s.period or "—",
                    **{f"rows_{k}": v for k, v in s.rows.items()},
                    "errors": s.errors,
                    "warnings": s.warnings,
                }
                for s in self.sheets
            ],
            schema={"source_file": pl.String, "source_sheet": pl.String, "sheet_kind": pl.String,
                    "list": pl.String, "unit": pl.String, "period": pl.String, "rows_read": pl.Int64,
                    "rows_loaded": pl.Int64, "rows_structure": pl.Int64, "rows_rejected": pl.Int64,
                    "errors": pl.Int64, "warnings": pl.Int64},
        )


def latest_progress(progress: pl.DataFrame) -> pl.DataFrame:
    """The latest revision per (project_id, list, period): a corrected resubmission supersedes."""
    if progress.is_empty():
        return progress
    return progress.filter(pl.col("revision") == pl.col("revision").max().over(_KEYS))


def load_dataset(directory: Path, year: int | None = None) -> Dataset:
    """Every *.xlsx / *.xls in ``directory`` (not its subfolders, which often hold archived versions),
    sorted by name. WPS .et files are included so the user is told to save them as .xlsx."""
    directory = Path(directory)
    paths = sorted(
        (p for p in directory.iterdir() if p.is_file() and p.suffix.lower() in (".xlsx", ".xls", ".xlsm", ".et")
         and not p.name.startswith(("~$", "."))),
        key=lambda p: str(p),
    )
    return load_workbooks(paths, year=year)


def load_workbooks(paths: list[Path], year: int | None = None) -> Dataset:
    """Read every sheet of every workbook. Never raises on bad data: problems are collected.

    ``year`` is used only when neither title, sheet name, header nor file name gives one.
    """
    problems: list[Problem] = []
    results: list[SheetResult] = []
    paths = [Path(p) for p in paths]
    for path, opened in zip(paths, _opened_ahead(paths)):
        log = ProblemLog(file=str(path))
        try:
            raws = opened.result()
        except WorkbookError as exc:
            log.add(exc.code, exc.message, expected=exc.expected)
            problems.extend(log.items)
            continue
        file_results = []
        for raw in raws:
            try:
                res = read_sheet(path, raw, log, default_year=year)
            except Exception as exc:  # noqa: BLE001 - a reader bug must not hide the other sheets
                res = _failed_sheet(path, raw, log, exc)
            if res is not None:
                file_results.append(res)
        if not any(r.report.rows["read"] for r in file_results):
            log.sheet = None
            log.add("workbook_empty", "工作簿没有任何内容", expected="至少一张有数据的工作表")
        results.extend(file_results)
        problems.extend(log.items)
    return _assemble(results, problems)


#: Workbooks opened ahead of the one being read. calamine parses a sheet without holding the GIL, so
#: on two cores the next workbook is parsed while this one's rows are checked; a small window keeps
#: memory to a few workbooks' cells.
_AHEAD = 2


def _opened_ahead(paths: list[Path]):
    """Futures of open_workbook(path), in order, each started at most _AHEAD workbooks early."""
    if len(paths) < 2:  # nothing to overlap: no thread
        for path in paths:
            fut: Future = Future()
            try:
                fut.set_result(open_workbook(path))
            except Exception as exc:  # noqa: BLE001 - re-raised by .result(), as a direct call would
                fut.set_exception(exc)
            yield fut
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="jygproj-open") as pool:
        pending: deque[Future] = deque()
        it = iter(paths)
        for path in it:
            pending.append(pool.submit(open_workbook, path))
            if len(pending) > _AHEAD:
                break
        while pending:
            fut = pending.popleft()
            nxt = next(it, None)
            if nxt is not None:
                pending.append(pool.submit(open_workbook, nxt))
            yield fut


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

def _unify_ids(results: list[SheetResult], problems: list[Problem]) -> None:
    """Rows without a code take the code of a coded row with the same normalised name."""
    codes: dict[str, set[str]] = {}
    for res in results:
        for r in res.records:
            if r.get("code") and r.get("name_key"):
                codes.setdefault(r["name_key"], set()).add(r["code"])
    warned = set()
    for res in results:
        for r in res.records:
            if r.get("code") or not r.get("name_key") or "project_id" not in r:
                continue
            found = codes.get(r["name_key"])
            if not found:
                continue
            if len(found) == 1:
                r["project_id"] = next(iter(found))
            elif r["name_key"] not in warned:
                warned.add(r["name_key"])
                log = ProblemLog(r["source_file"], r["source_sheet"])
                log.add("name_several_codes",
                        f"项目“{r['name']}”无代码，且同名项目在其他表中对应多个代码（{'、'.join(sorted(found))}），无法匹配",
                        row=r["source_row"], value=r["name"], expected="填写项目代码")
                problems.extend(log.items)


def _revisions(rows: list[dict]) -> None:
    """revision 0, 1, … per (project, list, period): corrections and later 填报日期 come later."""
    import datetime as dt

    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault((r["project_id"], r["list"], r["period"]), []).append(r)
    for group in groups.values():
        group.sort(key=lambda r: (bool(r.get("correction")), r.get("reported_at") or dt.date.min,
                                  r["source_file"], r["source_sheet"]))
        for n, r in enumerate(group):
            r["revision"] = n


def _check_cumulative(prog_results: list[SheetResult], problems: list[Problem]) -> set[int]:
    """A 1-X月 cumulative figure lower than the same project's figure for an earlier period is an
    error on the later sheet (cumulative figures never fall). Returns ids of sheets to reject."""
    latest: dict[tuple, tuple[dict, SheetResult]] = {}
    for res in prog_results:
        for r in res.records:
            key = (r["project_id"], r["list"], r["period"])
            if key not in latest or r["revision"] > latest[key][0]["revision"]:
                latest[key] = (r, res)
    series: dict[tuple, list[tuple[dict, SheetResult]]] = {}
    for (pid, lst, _), pair in latest.items():
        series.setdefault((pid, lst), []).append(pair)
    bad: set[int] = set()
    for pairs in series.values():
        pairs.sort(key=lambda p: (p[0]["period_end"], p[0]["period"]))
        prev = None
        for r, res in pairs:
            x = r.get("completed_ytd_wan")
            if x is None:
                continue
            if prev is not None and prev[0]["period_end"].year == r["period_end"].year \
                    and x < prev[0]["completed_ytd_wan"] - 1e-6:
                p = prev[0]
                letter, header = res.completed_col or (None, None)
                log = ProblemLog(r["source_file"], r["source_sheet"])
                log.add("cumulative_falling",
                        f"项目“{r['name']}”{r['period']} 累计完成投资 {x:g} 万元，少于 {p['period']} 的 "
                        f"{p['completed_ytd_wan']:g} 万元（《{Path(p['source_file']).name}》“{p['source_sheet']}”"
                        f"第{p['source_row']}行）；1-X月累计数不应减少",
                        row=r["source_row"], column=letter, header=header, value=f"{x:g}",
                        expected=f"不少于 {p['completed_ytd_wan']:g} 万元，或以“（更正）”表更正上期")
                problems.extend(log.items)
                bad.add(id(res))
            prev = (r, res)
    return bad


def _check_against_registers(prog_results: list[SheetResult], reg_rows: list[dict],
                             problems: list[Problem]) -> set[int]:
    """A scheduling table without a 总投资 column (weekly tables often have none) is still checked:
    cumulative completion above the project's total investment on its register is an error."""
    by_member = {(r["project_id"], r["list"]): r for r in reg_rows if r.get("total_investment_wan") is not None}
    by_pid = {}
    for r in reg_rows:
        if r.get("total_investment_wan") is not None:
            by_pid.setdefault(r["project_id"], r)
    bad: set[int] = set()
    for res in prog_results:
        if "total_investment" in res.columns:
            continue  # checked row by row when the sheet was read
        for r in res.records:
            x = r.get("completed_ytd_wan")
            reg = by_member.get((r["project_id"], r["list"])) or by_pid.get(r["project_id"])
            if x is None or reg is None:
                continue
            total = reg["total_investment_wan"]
            if x > total * (1 + 1e-9) + 1e-6:
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
    for nature in schema.NATURES:
        rows = [r for r in records if nature_of(r) == nature]
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


def _frame(rows: list[dict], table: dict) -> pl.DataFrame:
    if not rows:
        return schema.empty(table)
    cols = list(table)
    data = {c: [r.get(c) for r in rows] for c in cols}
    return pl.DataFrame(data, schema=table)


def _assemble(results: list[SheetResult], problems: list[Problem]) -> Dataset:
    loaded = [r for r in results if r.loaded]
    _unify_ids(loaded, problems)
    prog_results = [r for r in loaded if r.report.kind == "progress"]
    _revisions([row for res in prog_results for row in res.records])
    reg_rows = [row for res in loaded if res.report.kind == "register" for row in res.records]
    rejected_ids = _check_cumulative(prog_results, problems) | _check_against_registers(prog_results, reg_rows,
                                                                                        problems)
    for res in results:
        if id(res) in rejected_ids:
            res.reject()
            res.report.errors += 1
    loaded = [r for r in results if r.loaded]
    prog_results = [r for r in loaded if r.report.kind == "progress"]
    _revisions([row for res in prog_results for row in res.records])

    reg_rows = [row for res in loaded if res.report.kind == "register" for row in res.records]
    prog_rows = [row for res in prog_results for row in res.records]
    memberships = _memberships(reg_rows, prog_rows, problems)
    projects = _projects(reg_rows, prog_rows)
    nature_by_pid = {p["project_id"]: p["nature"] for p in projects}
    nature_by_member = {(m["project_id"], m["list"]): m["nature"] for m in memberships}

    def nature_of(r):
        return r.get("nature") or nature_by_member.get((r["project_id"], r.get("list"))) \
            or nature_by_pid.get(r["project_id"])

    for res in loaded:
        if res.report.kind in ("register", "progress"):
            res.report.by_nature = _nature_stats(res.records, res.columns, nature_of)

    progress = _frame(prog_rows, schema.PROGRESS)
    if progress.height:
        progress = progress.sort(["period_end", "list", "project_id", "revision"])
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
    )


def _memberships(reg_rows: list[dict], prog_rows: list[dict], problems: list[Problem]) -> list[dict]:
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
    latest: dict[tuple, dict] = {}
    for r in prog_rows:
        key = (r["project_id"], r["list"])
        if key in out or r["list"] is None:
            continue
        if key not in latest or (r["period_end"], r["revision"]) > (latest[key]["period_end"], latest[key]["revision"]):
            latest[key] = r
    return list(out.values()) + list(latest.values())


def _projects(reg_rows: list[dict], prog_rows: list[dict]) -> list[dict]:
    """One row per project city-wide: fields from the first list in _LIST_ORDER, gaps filled from later
    lists and then from scheduling tables."""
    order = sorted(reg_rows, key=lambda r: (_LIST_ORDER.get(r["list"], 99), r["source_file"], r["source_row"]))
    order += sorted(prog_rows, key=lambda r: (r["period_end"], r.get("revision", 0)), reverse=True)
    out: dict[str, dict] = {}
    for r in order:
        pid = r["project_id"]
        if pid not in out:
            out[pid] = {c: r.get(c) for c in schema.PROJECTS}
            continue
        p = out[pid]
        for c in schema.PROJECTS:
            if p.get(c) is None and r.get(c) is not None and not c.startswith("source_"):
                p[c] = r[c]
    return list(out.values())
