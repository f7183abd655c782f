"""Read one sheet: recognise it, find its header, dispatch to the reader of its kind, and count its
rows (read == loaded + structure + rejected, issue 3 point 4). A sheet with errors loads nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from jygproj.io import cells
from jygproj.io.baseline import read_baseline
from jygproj.io.headers import Header, find_header
from jygproj.io.problems import ERROR, ProblemLog
from jygproj.io.progress import read_progress
from jygproj.io.recognise import (
    is_correction, kind_from_text, list_from_text, period_from_text, month_period, reported_from_cells,
    unit_from_cells, year_from_text,
)
from jygproj.io.registers import read_register
from jygproj.io.reserve import read_reserve
from jygproj.io.table import Ctx
from jygproj.io.workbook import RawSheet


#: Sheets of instructions for the person filling in a template: read as remarks, never data.
INSTRUCTION_SHEETS = frozenset({"填报说明", "填表说明"})

REQUIRED = {
    "register": ("name",),
    "progress": ("name", "completed_ytd"),
    "reserve": ("name",),
    "baseline": ("month", "prior_cum"),
}
REQUIRED_LABELS = {"name": "项目名称", "completed_ytd": "1-X月完成投资", "month": "月份",
                   "prior_cum": "上年累计完成（可比口径）"}


@dataclass
class SheetReport:
    """What `jygproj check` says about one sheet."""

    path: str
    sheet: str
    kind: str | None
    list: str | None
    unit: str | None
    period: str | None
    rows: dict[str, int] = field(default_factory=lambda: {"read": 0, "loaded": 0, "structure": 0, "rejected": 0})
    by_nature: dict[str, dict] = field(default_factory=dict)
    errors: int = 0
    warnings: int = 0
    completed_column: str | None = None  # letter of the 1-X月完成投资 column (scheduling tables)
    completed_header: str | None = None  # its header text

    def as_json(self) -> dict:
        return {
            "sheet": self.sheet,
            "kind": self.kind,
            "list": self.list,
            "unit": self.unit,
            "period": self.period,
            "rows": dict(self.rows),
            "by_nature": self.by_nature,
        }


@dataclass
class SheetResult:
    report: SheetReport
    records: list[dict] = field(default_factory=list)  # canonical rows of the sheet's kind
    frame: object = None  # scheduling tables: the records as a progress.RECORD_SCHEMA frame instead
    steps: list[dict] = field(default_factory=list)  # reserve steps
    columns: set[str] = field(default_factory=set)  # canonical fields present in the header
    completed_col: tuple[str, str] | None = None  # (letter, header) of 1-X月完成投资
    loaded: bool = False

    def reject(self) -> None:
        """Drop everything the sheet loaded (an error found later, e.g. at dataset level)."""
        if self.loaded:
            r = self.report.rows
            r["rejected"] += r["loaded"]
            r["loaded"] = 0
            self.loaded = False


def _title(rows: list[tuple], upto: int) -> tuple[str | None, int, int]:
    """(title text, grid row, grid column) of the title cell: the first text above the header that is
    not a unit or 填报 line."""
    for i, row in enumerate(rows[:upto]):
        for j, v in enumerate(row):
            t = cells.clean(v)
            if not t:
                continue
            if t.replace(" ", "").startswith(("单位", "填报单位", "填报日期")):
                break
            return t, i, j
    return None, 0, 0


def read_sheet(path: Path, raw: RawSheet, log: ProblemLog, default_year: int | None = None) -> SheetResult | None:
    """Read one sheet; problems go to ``log`` (whose ``sheet`` is set here)."""
    file = str(path)
    log.sheet = raw.name
    if not raw.visible:
        log.add("sheet_hidden", "隐藏的工作表，未读取", expected="需要导入的数据放在可见工作表")
        return None
    report = SheetReport(file, raw.name, None, None, None, None)
    result = SheetResult(report)
    start = len(log.items)
    rows = raw.rows
    read = raw.row_offset + len(rows)
    report.rows["read"] = read
    if "row_numbers_uncertain" in raw.notes:
        log.add("row_numbers_uncertain", "无法确定工作表首行位置，提示的行号可能偏移")
    if not rows:
        log.add("sheet_empty", "空工作表，没有任何内容")
        return _finish(result, log, start)
    if raw.name.strip() in INSTRUCTION_SHEETS:
        # The templates' instructions sheet (jygproj.templates.GUIDE_SHEET) is text for the
        # person filling in, not data: every row counts as a remark row, nothing to warn about.
        report.rows["structure"] = read
        return _finish(result, log, start)
    header = find_header(rows)
    title, ti, tj = _title(rows, header.first_row if header else min(5, len(rows)))
    title_at = {"row": raw.row_offset + ti + 1, "column": cells.column_letter(raw.col_offset + tj)}
    kind = kind_from_text(raw.name, title)
    if header is not None:
        fields = {c.field for c in header.columns}
        if "completed_ytd" not in fields and "cumulative" in fields and "month" not in fields:
            # "2023年累计完成投资" in a scheduling table is the 1-X月 cumulative figure
            for c in header.columns:
                if c.field == "cumulative":
                    c.field = "completed_ytd"
            fields = {c.field for c in header.columns}
        if "month" in fields and "cumulative" in fields:
            kind = "baseline"
        elif kind in (None, "register") and "completed_ytd" in fields:
            kind = "progress"
        elif kind is None and any(f and f.startswith("step_") for f in fields):
            kind = "reserve"
        elif kind is None and "name" in fields:
            kind = "register"
    report.kind = kind
    if header is None:
        nonblank = [i for i, r in enumerate(rows) if not all(cells.is_empty(v) for v in r)]
        report.rows["structure"] = read - len(nonblank)
        report.rows["rejected"] = len(nonblank)
        if kind is None:
            log.add("sheet_not_recognised", "无法识别的工作表（没有“项目名称”或“月份”表头，标题和表名也不像清单或调度表），未读取",
                    expected="项目清单、调度表、储备项目库或固定资产投资基数表")
        else:
            log.add("header_not_found", "找不到表头行（应含“项目名称”等列名）",
                    expected="一行或两行表头，含“序号、项目名称、总投资”等")
        return _finish(result, log, start)
    above = [cells.clean(v) for r in rows[: header.first_row] for v in r if cells.clean(v)]
    unit_line = unit_from_cells(above)
    year = (year_from_text(title, raw.name)
            or next((c.year for c in header.columns if c.year and c.field != "cumulative"), None)
            or year_from_text(path.stem) or default_year)
    cols = _pick_columns(header, log, raw)
    ctx = Ctx(file, raw, log, kind or "register", title, header, cols, unit_line, year)
    report.unit = unit_line or _header_unit(header)
    result.columns = set(cols)
    structure_above = raw.row_offset + header.last_row + 1
    if kind is None:
        _reject_below(report, raw, header)
        log.add("sheet_not_recognised", "表头可识别，但无法判断是清单、调度表还是储备库", expected="标题写明清单或调度表名称")
        return _finish(result, log, start)
    missing = [f for f in REQUIRED[kind] if f not in cols and not (kind == "baseline" and f == "prior_cum")]
    if kind == "baseline":
        from jygproj.io.baseline import baseline_columns

        baseline_columns(ctx)
        if "prior_cum" not in ctx.cols:
            missing.append("prior_cum")
    for f in missing:
        log.add("column_missing", f"缺少必需的“{REQUIRED_LABELS[f]}”列",
                row=ctx.excel_row(header.first_row), expected=f"表头含“{REQUIRED_LABELS[f]}”")
    ctx.check_units()
    if kind in ("register", "progress"):
        ctx.list_id = list_from_text(title) or list_from_text(raw.name)
    elif kind == "reserve":
        ctx.list_id = "reserve"
    report.list = ctx.list_id
    if missing:
        _reject_below(report, raw, header)
        return _finish(result, log, start)
    if kind == "register" and ctx.list_id is None:
        log.add("list_unknown", "无法从工作表名或标题判断属于哪个清单", **title_at,
                value=title or raw.name,
                expected="表名或标题含清单名称，如“政府投资项目”“产业投资项目”“省列重大项目”")
    if kind == "progress" and ctx.list_id is None and "list" not in cols:
        log.add("list_unknown", "无法从工作表名、标题或“清单”列判断属于哪个清单", **title_at,
                value=title or raw.name, expected="标题含清单名称，或表中有“清单”列")
    if kind == "register":
        records, walked = read_register(ctx)
    elif kind == "reserve":
        records, result.steps, walked = read_reserve(ctx)
    elif kind == "progress":
        period = (period_from_text(title, year) or period_from_text(raw.name, year)
                  or (None if ytd_month(cols) else period_from_text(path.stem, year)))
        ytd = cols.get("completed_ytd")
        if ytd is not None and ytd.month and year:
            from_header = month_period(year, ytd.month)
            if period is None:
                period = from_header
            elif not period.weekly and period.period != from_header.period:
                log.add("period_conflict", f"标题的调度期为 {period.period}，但表头“{ytd.header}”为 {from_header.period}，按标题读取",
                        row=ctx.excel_row(header.first_row), column=ctx.letter(ytd), header=ytd.header)
        if ytd is not None:
            result.completed_col = (ctx.letter(ytd), ytd.header)
            report.completed_column, report.completed_header = result.completed_col
        if period is None:
            log.add("period_unknown", "无法从标题、工作表名或表头判断调度期（如“1-10月”“第43周”）",
                    **title_at, value=title or raw.name,
                    expected="标题含“2023年1-10月”或“第43周”")
            _reject_below(report, raw, header)
            return _finish(result, log, start)
        report.period = period.period
        reported = reported_from_cells(above, year)
        frame, walked = read_progress(ctx, period, is_correction(title, raw.name + path.stem), reported)
        records = []
        result.frame = frame
    else:
        records, structure, rejected, data = read_baseline(ctx)
        report.rows["structure"] = structure_above + structure
        report.rows["rejected"] = len(rejected)
        report.rows["loaded"] = len(data)
        if not data:
            log.add("sheet_no_data", "表头下没有任何月份数据行", expected="至少一行“1-2月”等月份数据")
        result.records = records
        return _finish(result, log, start)
    report.rows["structure"] = structure_above + walked.structure
    report.rows["rejected"] = len(walked.rejected)
    report.rows["loaded"] = len(walked.data)
    if not walked.data:
        log.add("sheet_no_data", "表头下没有任何项目数据行", row=ctx.excel_row(header.last_row),
                expected="至少一行项目数据")
    result.records = records
    return _finish(result, log, start)


def ytd_month(cols: dict) -> int | None:
    col = cols.get("completed_ytd")
    return col.month if col is not None else None


def _reject_below(report: SheetReport, raw: RawSheet, header: Header) -> None:
    """Title, unit line, header and blank rows are structure; every other row is rejected."""
    below = raw.rows[header.last_row + 1:]
    rejected = sum(1 for r in below if not all(cells.is_empty(v) for v in r))
    report.rows["rejected"] = rejected
    report.rows["structure"] = report.rows["read"] - rejected


def _header_unit(header: Header) -> str | None:
    units = {c.unit for c in header.columns if c.unit}
    return units.pop() if len(units) == 1 else ("、".join(sorted(units)) if units else None)


def _pick_columns(header: Header, log: ProblemLog, raw: RawSheet) -> dict:
    """Field → column. Several 1-X月完成投资 columns (last month beside this month): the latest month
    wins. Other duplicates: the first wins, with a warning."""
    from jygproj.io.cells import column_letter

    cols: dict = {}
    for c in header.columns:
        if not c.field:
            continue
        if c.field not in cols:
            cols[c.field] = c
            continue
        if c.field == "completed_ytd":
            if (c.month or 0) > (cols[c.field].month or 0):
                cols[c.field] = c
            continue
        if c.field in ("cumulative", "remark", "content"):
            continue
        log.add("column_duplicate", f"“{c.header}”与“{cols[c.field].header}”是同一含义的列，按前者读取",
                row=raw.row_offset + header.first_row + 1, column=column_letter(raw.col_offset + c.index),
                header=c.header)
    unknown = [c for c in header.columns if not c.field]
    if unknown:
        shown = "、".join(f"{column_letter(raw.col_offset + c.index)}列“{c.header}”" for c in unknown)
        log.add("column_unknown", f"未识别的列，未读取：{shown}", row=raw.row_offset + header.first_row + 1,
                expected="标准列名（见版式约定）")
    return cols


def _finish(result: SheetResult, log: ProblemLog, start: int) -> SheetResult:
    mine = log.items[start:]
    result.report.errors = sum(1 for p in mine if p.severity == ERROR)
    result.report.warnings = len(mine) - result.report.errors
    r = result.report.rows
    if result.report.errors:
        r["rejected"] += r["loaded"]
        r["loaded"] = 0
        result.loaded = False
        result.records = []
        result.steps = []
        result.frame = None
    else:
        result.loaded = r["loaded"] > 0
    return result
