"""Read one sheet: recognise it, find its header, dispatch to the reader of its kind, and count its
rows (read == loaded + structure + rejected, issue 3 point 4). A sheet with errors loads nothing.

What a sheet was taken for is also written down (SheetReading: header path → field, unit, period and
where it came from, nature source, rows skipped and why) for `jygproj check --explain` (issue 12,
point 8); a sheet read by a layout file (layout.py) says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from jygproj import schema
from jygproj.io import cells, rules
from jygproj.io.baseline import read_baseline
from jygproj.io.context import Ctx
from jygproj.io.headers import NOT_LOADED, Column, Header, find_header
from jygproj.io.loaded import SheetReading, SheetReport
from jygproj.io.problems import ERROR, ProblemLog
from jygproj.io.progress import read_progress
from jygproj.io.recognise import (
    INSTRUCTION_WORDS, SUMMARY_WORDS, Period, is_correction, kind_from_text, list_from_text, month_period,
    nature_of_text, periods_in_text, reported_from_cells, unit_from_cells, year_from_text,
)
from jygproj.io.registers import read_register
from jygproj.io.reserve import read_reserve
from jygproj.io.table import REASONS, Rows
from jygproj.io.workbook import GridRows, RawSheet

REQUIRED = {
    "register": ("name",),
    "progress": ("name", "completed_ytd"),
    "reserve": ("name",),
    "baseline": ("month", "prior_cum"),
}
REQUIRED_LABELS = {"name": "项目名称", "completed_ytd": "1-X月完成投资", "month": "月份",
                   "prior_cum": "上年累计完成（可比口径）"}
#: Fields two columns may not share unless a documented rule picks one: a figure or an identity read
#: from the wrong column would be silently wrong. Other fields (texts) take the first, with a warning.
STRICT_FIELDS = frozenset({"name", "code", "nature", "list", "total_investment", "annual_plan", "q1_plan", "q2_plan",
                           "q3_plan", "q4_plan", "stretch_plan", "completed_ytd", "first_year", "started",
                           "start_date", "planned_start", "registered", "registered_on"})
#: Recognised fields no reader stores: told apart from the ones it does, shown by --explain.
NOT_STORED = frozenset({"since_start", "prior_years", "period_completed", "completion_rate", "start_or_planned"})
#: Problem codes a layout file can settle (the sheet was not understood, not wrongly filled in).
LAYOUT_CODES = frozenset({"header_not_found", "column_missing", "list_unknown", "period_unknown", "period_conflict",
                          "column_ambiguous", "section_nature_unknown", "sheet_not_recognised", "nature_conflict_sheet"})


@dataclass
class SheetResult:
    report: SheetReport
    records: list[dict] = field(default_factory=list)  # canonical rows of the sheet's kind
    frame: object = None  # scheduling tables: the records as a progress.RECORD_SCHEMA frame instead
    steps: list[dict] = field(default_factory=list)  # reserve steps
    columns: set[str] = field(default_factory=set)  # canonical fields present in the header
    completed_col: tuple[str, str] | None = None  # (letter, header) of 1-X月完成投资
    loaded: bool = False
    reading: SheetReading = field(default_factory=SheetReading)

    def reject(self) -> None:
        """Drop everything the sheet loaded (an error found later, e.g. at dataset level)."""
        if self.loaded:
            r = self.report.rows
            r["rejected"] += r["loaded"]
            r["loaded"] = 0
            self.loaded = False


_ATTACHMENT_PREFIX = ("附件", "附表")


_SUBTITLE = ("(", "（", "截至", "截止", "统计时间", "报告期", "时间:", "时间：")


def _title(rows: list[tuple], upto: int) -> tuple[str | None, int, int]:
    """(title text, grid row, grid column) of the title: the first text above the header that is not a
    unit line, a filler's line or an attachment mark (附件2; "附件2：…" keeps what follows), with a
    subtitle line under it (（截至2023年9月30日）, 统计时间：…) joined to it."""
    title, ti, tj = _first_title(rows, upto)
    if title is not None:
        for row in rows[ti + 1:upto]:
            text = " ".join(cells.clean(v) for v in row if cells.clean(v))
            if text and cells.half_width(text).replace(" ", "").startswith(
                    tuple(cells.half_width(w) for w in _SUBTITLE)):
                title = f"{title} {text}"
    return title, ti, tj


def _first_title(rows: list[tuple], upto: int) -> tuple[str | None, int, int]:
    import re

    for i, row in enumerate(rows[:upto]):
        for j, v in enumerate(row):
            t = cells.clean(v)
            if not t:
                continue
            s = cells.half_width(t).replace(" ", "")
            if s.startswith(("单位", "填报单位", "填报日期", "报送单位", "填报人")):
                break
            m = re.match(r"^附[件表]\s*[0-9一二三四五六七八九十]*\s*[:：]?", s)
            if m:
                rest = s[m.end():]
                if len(rest) < 4:
                    break  # the mark alone: the title is on a later line
                return t[len(t) - len(rest):] if t.endswith(rest) else rest, i, j
            return t, i, j
    return None, 0, 0


def _skip_sheet(result: SheetResult, log: ProblemLog, start: int, reason: str, warn: bool) -> SheetResult:
    """A sheet that holds no project rows: every row is structure; a summary gets a warning (it holds
    figures that are not loaded), instructions none."""
    r = result.report.rows
    r["structure"] = r["read"]
    result.reading.skipped = reason
    if warn:
        log.add("sheet_skipped", f"{reason}，未作为项目明细读取", expected="项目明细放在其他工作表（本表可保留）")
    return _finish(result, log, start)


def read_sheet(path: Path, raw: RawSheet, log: ProblemLog, default_year: int | None = None,
               layout=None) -> SheetResult | None:
    """Read one sheet; problems go to ``log`` (whose ``sheet`` is set here). ``layout`` is the entry of
    a layout file (layout.LayoutEntry) that describes this sheet, if any."""
    file = str(path)
    log.sheet = raw.name
    if not raw.visible:
        log.add("sheet_hidden", "隐藏的工作表，未读取", expected="需要导入的数据放在可见工作表")
        return None
    report = SheetReport(file, raw.name, None, None, None, None)
    result = SheetResult(report)
    reading = result.reading
    start = len(log.items)
    rows = raw.rows
    read = raw.row_offset + len(rows)
    report.rows["read"] = read
    if layout is not None:
        reading.layout = layout.label
    if "row_numbers_uncertain" in raw.notes:
        log.add("row_numbers_uncertain", "无法确定工作表首行位置，提示的行号可能偏移")
    if not raw.shape_known and rows:
        log.add("shape_not_checked", f"本表较大（{len(rows):,} 行）或结构特殊，未检查隐藏行和合并单元格",
                expected="如有隐藏的项目行，请取消隐藏或删除后再报送")
    if layout is not None and layout.kind == "skip":
        return _skip_sheet(result, log, start, "版式文件写明跳过本表", False)
    if not rows:
        log.add("sheet_empty", "空工作表，没有任何内容")
        return _finish(result, log, start)
    header = layout.header(raw) if layout is not None and layout.header_rows else find_header(
        rows, merges=raw.merges, hidden_cols=raw.hidden_cols)
    if raw.name.strip() in schema.INSTRUCTION_SHEETS or INSTRUCTION_WORDS.match(raw.name.strip()):
        # The templates' instructions sheet (jygproj.templates.GUIDE_SHEET) is text for the
        # person filling in, not data: every row counts as a remark row, nothing to warn about —
        # unless it holds a project table (a data sheet left with the template's name, issue 17).
        if header is None or not _data_rows_below(rows, header):
            return _skip_sheet(result, log, start, f"说明性工作表“{raw.name}”", False)
        log.add("instruction_sheet_with_data", f"工作表名为“{raw.name}”，但含项目表格（表头在第{raw.row_offset + header.first_row + 1}行），"
                "已按数据表读取", expected="数据表用表明内容的名称（如“政府投资项目”），说明另放一张表")
    _report_non_values(raw, log)
    if header is not None:
        _fill_merged_units(raw, header, log)
    title, ti, tj = _title(rows, header.first_row if header else min(5, len(rows)))
    title_at = {"row": raw.row_offset + ti + 1, "column": cells.column_letter(raw.col_offset + tj)}
    if layout is None and _is_summary(raw.name, title, header):
        return _skip_sheet(result, log, start, f"汇总表“{raw.name}”", True)
    kind = layout.kind if layout is not None and layout.kind else kind_from_text(raw.name, title)
    if header is not None and layout is not None:
        layout.apply_columns(header, log, raw)
    if header is not None and not (layout is not None and layout.kind):
        kind = _kind_from_header(header, kind)
    report.kind = kind
    if header is None:
        nonblank = [i for i, r in enumerate(rows) if not all(cells.is_empty(v) for v in r)]
        report.rows["structure"] = read - len(nonblank)
        report.rows["rejected"] = len(nonblank)
        if kind is None:
            log.add("sheet_not_recognised", "无法识别的工作表（没有“项目名称”或“月份”表头，标题和表名也不像清单或调度表），未读取",
                    expected="项目清单、调度表、储备项目库或固定资产投资基数表；或在版式文件中写明表头行")
        else:
            log.add("header_not_found", "找不到表头行（应含“项目名称”等列名）",
                    expected="一行或多行表头，含“序号、项目名称、总投资”等；或在版式文件中写明表头行")
            from jygproj.io.layout import draft_without_header

            reading.draft = draft_without_header(path, raw, kind, title)
        return _finish(result, log, start)
    reading.header_rows = (raw.row_offset + header.first_row + 1, raw.row_offset + header.last_row + 1)
    above = [cells.clean(v) for r in rows[: header.first_row] for v in r if cells.clean(v)]
    unit_line = layout.unit if layout is not None and layout.unit else unit_from_cells(above)
    if layout is not None and layout.unit:
        for c in header.columns:
            c.unit = None
    year = (year_from_text(title, raw.name)
            or next((c.year for c in header.columns if c.year and c.field != "cumulative"), None)
            or year_from_text(path.stem) or default_year)
    if layout is not None and layout.period is not None:
        year = layout.period.end.year
    text_period = _text_period(kind, layout, title, raw, path, year, log, title_at, reading)
    cols = pick_columns(header, log, raw, text_period, reading)
    ctx = Ctx(file, raw, log, kind or "register", title, header, cols, unit_line, year)
    _settle_start_columns(ctx)
    report.unit = unit_line or _header_unit(header)
    reading.unit = (f"版式文件：{unit_line}" if layout is not None and layout.unit else
                    f"单位行“单位：{unit_line}”" if unit_line else
                    f"表头（{report.unit}）" if report.unit else "未注明，按万元读取")
    result.columns = set(cols)
    _report_hidden_columns(ctx)
    structure_above = raw.row_offset + header.structure_end + 1
    if kind is None:
        _describe_columns(ctx, reading)
        _reject_below(report, raw, header)
        log.add("sheet_not_recognised", "表头可识别，但无法判断是清单、调度表还是储备库",
                expected="标题写明清单或调度表名称；或在版式文件中写明类型")
        return _finish_with_draft(result, log, start, ctx)
    missing = [f for f in REQUIRED[kind] if f not in cols and not (kind == "baseline" and f == "prior_cum")]
    if kind == "baseline":
        from jygproj.io.baseline import baseline_columns

        baseline_columns(ctx)
        if "prior_cum" not in ctx.cols:
            missing.append("prior_cum")
    _describe_columns(ctx, reading)
    for f in missing:
        hint = _missing_hint(header, f)
        log.add("column_missing", f"缺少必需的“{REQUIRED_LABELS[f]}”列{hint}",
                row=ctx.excel_row(header.first_row), expected=f"表头含“{REQUIRED_LABELS[f]}”；或在版式文件中写明哪一列是它")
    ctx.check_units()
    if kind in ("register", "progress"):
        ctx.list_id = (layout.list_id if layout is not None and layout.list_id else
                       list_from_text(title) or list_from_text(raw.name))
    elif kind == "reserve":
        ctx.list_id = "reserve"
    report.list = ctx.list_id
    ctx.sheet_nature, nature_source = _sheet_nature(layout, raw.name, title)
    if kind in ("register", "progress"):
        reading.nature = _nature_source_text(ctx, nature_source)
    if missing:
        _reject_below(report, raw, header)
        return _finish_with_draft(result, log, start, ctx)
    if kind == "register" and ctx.list_id is None:
        log.add("list_unknown", "无法从工作表名或标题判断属于哪个清单", **title_at,
                value=title or raw.name,
                expected="表名或标题含清单名称，如“政府投资项目”“产业投资项目”“省列重大项目”；或在版式文件中写明清单")
    if kind == "progress" and ctx.list_id is None and "list" not in cols:
        log.add("list_unknown", "无法从工作表名、标题或“清单”列判断属于哪个清单", **title_at,
                value=title or raw.name, expected="标题含清单名称，或表中有“清单”列；或在版式文件中写明清单")
    if kind == "register":
        records, walked = read_register(ctx)
    elif kind == "reserve":
        records, result.steps, walked = read_reserve(ctx)
    elif kind == "progress":
        period = _progress_period(ctx, text_period, layout, log, title_at, title, raw, reading)
        if period is not None and rules.future_year(int(period.period[:4])):
            log.add("period_future", f"调度期 {period.period} 在将来（今年是 {rules.this_year()} 年），请核对年份",
                    **title_at, value=title or raw.name, expected="已过去或本月的调度期")
        ytd = cols.get("completed_ytd")
        if ytd is not None:
            result.completed_col = (ctx.letter(ytd), ytd.header)
            report.completed_column, report.completed_header = result.completed_col
        if period is None:
            _reject_below(report, raw, header)
            return _finish_with_draft(result, log, start, ctx)
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
    report_walk(ctx, walked)
    _describe_rows(ctx, walked, reading, ti if title is not None else None)
    if kind in ("register", "progress"):
        reading.nature = _nature_sources(ctx, walked, nature_source)
    report.rows["structure"] = structure_above + walked.structure
    report.rows["rejected"] = len(walked.rejected)
    report.rows["loaded"] = len(walked.data)
    if not walked.data:
        log.add("sheet_no_data", "表头下没有任何项目数据行", row=ctx.excel_row(header.last_row),
                expected="至少一行项目数据")
    result.records = records
    return _finish_with_draft(result, log, start, ctx)


# --- recognition helpers ---------------------------------------------------------------------------

def _is_summary(sheet_name: str, title: str | None, header: Header | None) -> bool:
    """A 汇总表 (issue 12, point 6): named or titled so, and no list of projects (no 项目名称 column, or
    a count of projects per row: 项目个数)."""
    if not (SUMMARY_WORDS.search(sheet_name) or (title and SUMMARY_WORDS.search(title))):
        return False
    if header is None:
        return True
    fields = {c.field for c in header.columns}
    counts = any("个数" in c.header or "项目数" in c.header for c in header.columns)
    return "name" not in fields or counts


def _kind_from_header(header: Header, kind: str | None) -> str | None:
    fields = {c.field for c in header.columns}
    if "completed_ytd" not in fields and "cumulative" in fields and "month" not in fields:
        # "2023年累计完成投资" in a scheduling table is the 1-X月 cumulative figure
        for c in header.columns:
            if c.field == "cumulative":
                c.field = "completed_ytd"
        fields = {c.field for c in header.columns}
    if "month" in fields and "cumulative" in fields:
        return "baseline"
    if kind in (None, "register") and "completed_ytd" in fields:
        return "progress"
    if kind is None and any(f and f.startswith("step_") for f in fields):
        return "reserve"
    if kind is None and "name" in fields:
        return "register"
    return kind


def _settle_start_columns(ctx: Ctx) -> None:
    """"开工/计划开工时间": the planned start on a list; on a scheduling table the start date, a date after
    the period's end being a plan (progress._planned_starts)."""
    col = ctx.cols.pop("start_or_planned", None)
    if col is None:
        return
    if ctx.kind == "progress" and "start_date" not in ctx.cols:
        ctx.cols["start_date"] = col
        ctx.start_may_be_planned = True
    elif ctx.kind != "progress" and "planned_start" not in ctx.cols:
        ctx.cols["planned_start"] = col


def _missing_hint(header: Header, fld: str) -> str:
    """What stood in for a missing 1-X月 column: a cumulative of another scope, or a month's own figure."""
    if fld != "completed_ytd":
        return ""
    others = [c for c in header.columns if c.field in ("since_start", "prior_years", "period_completed")]
    if not others:
        return ""
    labels = {"since_start": "开工以来累计", "prior_years": "截至上年底或以前的累计", "period_completed": "本期（单月/单周）"}
    shown = "、".join(f"“{c.header}”（{labels[c.field]}）" for c in others)
    return f"（表中只有{shown}，不能当作本年1-X月累计完成投资）"


def _sheet_nature(layout, sheet_name: str, title: str | None) -> tuple[str | None, str | None]:
    """(nature, source text) named by the layout file, the sheet name or the title (one sheet per nature)."""
    if layout is not None and layout.nature:
        return layout.nature, "版式文件"
    nature = nature_of_text(sheet_name)
    if nature:
        return nature, f"工作表名“{sheet_name}”"
    nature = nature_of_text(title)
    if nature:
        return nature, f"标题“{title}”"
    return None, None


def _nature_source_text(ctx: Ctx, sheet_source: str | None) -> str:
    """Where natures may come from, before the rows are walked (a sheet refused before that)."""
    parts = []
    if "nature" in ctx.cols:
        parts.append(f"建设性质列（{ctx.letter(ctx.cols['nature'])}列）")
    if sheet_source:
        parts.append(f"{sheet_source}（{schema.NATURES[ctx.sheet_nature]}）")
    return "；".join(parts) or "未写明（无建设性质列，表名和标题也未写明）"


def _nature_sources(ctx: Ctx, walked: Rows, sheet_source: str | None) -> str:
    """Where the rows' natures came from: the column, the section rows naming one, the sheet."""
    parts = []
    if "nature" in ctx.cols:
        parts.append(f"建设性质列（{ctx.letter(ctx.cols['nature'])}列）为先")
    named = [seg for seg in walked.segments if seg.kind == "section" and seg.nature]
    if named:
        shown = "、".join(f"第{ctx.excel_row(seg.i)}行“{seg.label}”→{schema.NATURES[seg.nature]}" for seg in named[:8])
        parts.append(f"分组行：{shown}{'等' if len(named) > 8 else ''}")
    if sheet_source:
        parts.append(f"{sheet_source}→{schema.NATURES[ctx.sheet_nature]}（其余项目）")
    if not parts:
        return "未写明（无建设性质列，无表示建设性质的分组行，表名和标题也未写明）"
    return "；".join(parts)


# --- periods (issue 12, point 2) -------------------------------------------------------------------

def _text_period(kind, layout, title, raw: RawSheet, path: Path, year, log: ProblemLog, title_at: dict,
                 reading: SheetReading) -> Period | None:
    """The period the title, the sheet name or the file name gives (a layout file's first); when they
    name different periods it is an error naming both (kind "progress" only)."""
    if kind != "progress":
        return None
    if layout is not None and layout.period is not None:
        reading.period = f"{layout.period.period}（版式文件）"
        return layout.period
    sources = []
    for label, text in (("标题", title), ("工作表名", raw.name), ("文件名", path.stem)):
        bad = rules.impossible_months(text)
        if bad:
            log.add("period_impossible", f"{label}“{text}”中的“{bad}”不是可能的调度期（月份为 1-12）",
                    **title_at, value=text, expected="如“1-10月”；或在版式文件中写明调度期")
            return None
        found = periods_in_text(text, year)
        if found:  # a text's first wording names its period (a file name may also carry the day it was sent)
            sources.append((label, text, found[0]))
    if not sources:
        return None
    first = sources[0]
    for other in sources[1:]:
        if other[2].period != first[2].period:
            log.add("period_conflict",
                    f"{first[0]}“{first[1]}”的调度期为 {first[2].period}，但{other[0]}“{other[1]}”为 {other[2].period}",
                    **title_at, value=first[1],
                    expected="标题、工作表名和文件名写同一调度期；或在版式文件中写明调度期")
            return None
    reading.period = f"{first[2].period}（{first[0]}“{first[1]}”）"
    return first[2]


def _progress_period(ctx: Ctx, text_period: Period | None, layout, log: ProblemLog, title_at: dict, title,
                     raw: RawSheet, reading: SheetReading) -> Period | None:
    """The scheduling table's period: the text's, checked against the 1-X月 column's month (a
    disagreement is an error naming both), else the column's."""
    if any(p.code == "period_conflict" for p in log.items if p.sheet == raw.name and p.file == ctx.file):
        return None
    ytd = ctx.cols.get("completed_ytd")
    from_header = month_period(ctx.year, ytd.month) if ytd is not None and ytd.month and ctx.year else None
    if text_period is not None:
        if from_header is not None and not text_period.weekly and text_period.period != from_header.period \
                and not (layout is not None and layout.period is not None):
            log.add("period_conflict",
                    f"{reading.period or text_period.period} 的调度期与表头“{ytd.header}”的 {from_header.period} 不一致",
                    row=ctx.excel_row(ctx.header.first_row), column=ctx.letter(ytd), header=ytd.header,
                    value=ytd.header, expected="标题和表头写同一调度期（如都为“1-9月”）；或在版式文件中写明调度期")
            return None
        return text_period
    if from_header is not None:
        reading.period = f"{from_header.period}（表头“{ytd.header}”）"
        return from_header
    log.add("period_unknown", "无法从标题、工作表名、文件名或表头判断调度期（如“1-10月”“第43周”“截至9月底”）",
            **title_at, value=title or raw.name,
            expected="标题含“2023年1-10月”“前三季度”或“第43周”；或在版式文件中写明调度期")
    return None


# --- columns (issue 12, point 1: documented picks) --------------------------------------------------

def _has_data(raw: RawSheet, header: Header, col: Column) -> bool:
    """Does any cell below the header in this column hold a value?"""
    start = header.structure_end + 1
    if raw.frame is not None:
        s = raw.frame.slice(start).to_series(col.index).drop_nulls()
        return bool((s.str.strip_chars().str.len_chars() > 0).any()) if s.len() else False
    return any(not cells.is_empty(r[col.index]) for r in raw.rows[start:] if col.index < len(r))


def pick_columns(header: Header, log: ProblemLog, raw: RawSheet, period: Period | None = None,
                 reading: SheetReading | None = None) -> dict:
    """Field → column. When several columns could be one field, these rules pick, in order, and the
    pick is reported (issue 12, point 1):

    1. a visible column over a hidden one;
    2. for 1-X月累计完成投资: the month of the period the title, sheet or file name gives; without one,
       the latest month whose column holds figures (an export with a 1-X月 column for every month);
    3. 调整后 over an unqualified column over 调整前;
    4. the field's own word over a secondary synonym (责任单位 over 委内责任处室, 包抓领导 over 县级领导).

    Columns still tied: for a figure or an identity (STRICT_FIELDS) it is an error naming both; for
    a text the first is read, with a warning (备注, 建设内容: silently)."""
    from jygproj.io.cells import column_letter

    def letter(c: Column) -> str:
        return column_letter(raw.col_offset + c.index)

    by_field: dict[str, list[Column]] = {}
    for c in header.columns:
        if c.field and c.field not in NOT_LOADED:
            by_field.setdefault(c.field, []).append(c)
    cols: dict = {}
    row = raw.row_offset + header.first_row + 1
    for fld, cands in by_field.items():
        if len(cands) == 1:
            cols[fld] = cands[0]
            continue
        chosen, rule = _pick(fld, cands, raw, header, period)
        if chosen is None:
            if fld in STRICT_FIELDS:
                shown = "、".join(f"{letter(c)}列“{c.header}”" for c in cands)
                log.add("column_ambiguous", f"{shown}都可作为“{_field_label(fld)}”，无法确定读取哪一列",
                        row=row, column=letter(cands[1]), header=cands[1].header,
                        expected="只保留一列，或在列名中注明（调整后）/（调整前），或在版式文件中写明哪一列")
                cols[fld] = cands[0]
                continue
            chosen = cands[0]
            if fld not in ("cumulative", "remark", "content"):
                for c in cands[1:]:
                    log.add("column_duplicate", f"“{c.header}”与“{chosen.header}”是同一含义的列，按前者读取",
                            row=row, column=letter(c), header=c.header)
            cols[fld] = chosen
            continue
        cols[fld] = chosen
        others = "、".join(f"{letter(c)}列“{c.header}”" for c in cands if c is not chosen)
        text = f"“{_field_label(fld)}”读取 {letter(chosen)}列“{chosen.header}”（{rule}），未读取 {others}"
        if reading is not None:
            reading.picks.append(text)
        log.add("column_pick", text, row=row, column=letter(chosen), header=chosen.header)
    unknown = [c for c in header.columns if not c.field]
    if unknown:
        shown = "、".join(f"{letter(c)}列“{c.header}”" for c in unknown)
        log.add("column_unknown", f"未识别的列，未读取：{shown}", row=row, expected="标准列名（见版式约定）")
    return cols


def _pick(fld: str, cands: list[Column], raw: RawSheet, header: Header, period: Period | None):
    """(chosen column, rule text) or (None, None) when no rule settles it."""
    pool = list(cands)
    rules_used = []
    visible = [c for c in pool if not c.hidden]
    if visible and len(visible) < len(pool):
        pool = visible
        rules_used.append("可见列优先于隐藏列")
    if fld == "completed_ytd" and len(pool) > 1:
        months = {c.month for c in pool}
        if len(months) > 1:
            if period is not None and not period.weekly:
                month = int(period.period[-2:])
                match = [c for c in pool if c.month == month]
                if match:
                    pool = match
                    rules_used.append(f"与调度期 {period.period} 同月")
            if len({c.month for c in pool}) > 1:
                with_data = [c for c in pool if _has_data(raw, header, c)]
                if with_data:
                    latest = max(c.month or 0 for c in with_data)
                    pool = [c for c in with_data if (c.month or 0) == latest]
                    rules_used.append("有数据的最近月份")
    if len(pool) > 1:
        order = {"after": 0, None: 1, "before": 2}
        best = min(order[c.qualifier] for c in pool)
        if any(order[c.qualifier] != best for c in pool):
            pool = [c for c in pool if order[c.qualifier] == best]
            rules_used.append("调整后优先于调整前")
    if len(pool) > 1 and any(c.secondary for c in pool) and not all(c.secondary for c in pool):
        pool = [c for c in pool if not c.secondary]
        rules_used.append("本字段的标准列名优先")
    if len(pool) == 1:
        return pool[0], "；".join(rules_used)
    return None, None


def _field_label(fld: str) -> str:
    return schema.HEADER_FIELD_LABELS.get(fld, fld)


def _describe_columns(ctx: Ctx, reading: SheetReading) -> None:
    """header path → reading, per column, for --explain."""
    chosen = {id(c) for c in ctx.cols.values()}
    for c in ctx.header.columns:
        path = " › ".join(c.path) if c.path else c.header
        if c.field is None:
            what = "未识别，未读取"
        elif c.field in NOT_LOADED or c.field in NOT_STORED:
            what = f"{_field_label(c.field)}（识别，不入库）"
        elif id(c) not in chosen:
            what = f"{_field_label(c.field)}（另一列已读取，本列未读取）"
        else:
            what = _field_label(c.field)
            if c.field in ("total_investment", "annual_plan", "completed_ytd", "q1_plan", "q2_plan", "q3_plan",
                           "q4_plan", "stretch_plan", "first_year"):
                what += f"（{ctx.unit(c.field)}）"
            if c.field == "completed_ytd" and c.month:
                what += f"，1-{c.month}月"
        if c.hidden:
            what += "；隐藏列"
        reading.columns.append((ctx.letter(c), path, what))


def _report_hidden_columns(ctx: Ctx) -> None:
    hidden = [c for c in ctx.header.columns if c.hidden]
    if not hidden:
        return
    chosen = {id(c) for c in ctx.cols.values()}
    parts = [f"{ctx.letter(c)}列“{c.header}”（{'已读取：没有同义的可见列' if id(c) in chosen else '未读取'}）"
             for c in hidden]
    ctx.log.add("hidden_columns", f"隐藏列：{'、'.join(parts)}",
                row=ctx.excel_row(ctx.header.first_row), expected="需要读取的列取消隐藏；不需要的可删除")


# --- rows (issue 12, points 3-5) ----------------------------------------------------------------------

def report_walk(ctx: Ctx, walked: Rows) -> None:
    """What the row walk found that a reader does not report: hidden project rows (by name), section
    rows whose nature word is not understood, sections or a sheet naming different natures."""
    if walked.hidden:
        name = ctx.cols.get("name")
        shown = "、".join(f"第{ctx.excel_row(i)}行“{cells.text(ctx.raw.rows[i][name.index])}”" for i in walked.hidden[:20])
        more = f"等 {len(walked.hidden)} 行" if len(walked.hidden) > 20 else ""
        ctx.log.add("hidden_rows", f"隐藏行未载入：{shown}{more}",
                    row=ctx.excel_row(walked.hidden[0]), column=ctx.letter(name) if name else None,
                    header=name.header if name else None,
                    expected="应载入的项目取消隐藏；不再列入的项目删除该行")
    if "nature" not in ctx.cols:
        for seg in walked.unknown_sections:
            ctx.report("section_nature_unknown",
                       f"分组行“{seg.label}”不是可识别的建设性质，其下项目的建设性质无法确定（本表按分组行区分建设性质）",
                       seg.i, seg.label_col, seg.label,
                       "续建/在建/竣工投产、新建/新开工/开工类、预备/前期 等字样；或增加“建设性质”列；或在版式文件中写明")
    for a, b in walked.nature_conflicts:
        if b is None:
            ctx.report("nature_conflict_sheet",
                       f"分组行“{a.label}”为{schema.NATURES[a.nature]}，但工作表名或标题为{schema.NATURES[ctx.sheet_nature]}",
                       a.i, a.label_col, a.label, "分组行与工作表名、标题的建设性质一致")
        else:
            ctx.report("nature_conflict_sheet",
                       f"分组行“{b.label}”为{schema.NATURES[b.nature]}，但所在分组行“{a.label}”（第{ctx.excel_row(a.i)}行）"
                       f"为{schema.NATURES[a.nature]}", b.i, b.label_col, b.label, "分组行的建设性质前后一致")


def _describe_rows(ctx: Ctx, walked: Rows, reading: SheetReading, title_row) -> None:
    """Rows skipped and why, as ranges of Excel rows, for --explain (header rows first)."""
    out: list[tuple[int, int, str]] = []
    r0 = ctx.raw.row_offset
    above = range(ctx.header.first_row)
    for i in above:
        row = ctx.raw.rows[i]
        if all(cells.is_empty(v) for v in row):
            continue
        text = " ".join(cells.clean(v) for v in row if cells.clean(v))
        reason = "单位行" if "单位" in text and ("万元" in text or "亿元" in text) else (
            "标题行" if title_row == i else "表头上方的说明行")
        out.append((r0 + i + 1, r0 + i + 1, reason))
    out.append((r0 + ctx.header.first_row + 1, r0 + ctx.header.structure_end + 1, "表头"))
    labels = {seg.i: seg.label for seg in walked.segments}
    for i in sorted(walked.skipped):
        reason = REASONS[walked.skipped[i]]
        if i in labels and labels[i] not in ("合计", "小计", "总计"):
            reason += f"“{labels[i]}”"
        if out and out[-1][2] == reason and out[-1][1] == r0 + i:
            out[-1] = (out[-1][0], r0 + i + 1, reason)
        else:
            out.append((r0 + i + 1, r0 + i + 1, reason))
    for i in walked.rejected:
        out.append((r0 + i + 1, r0 + i + 1, "拒绝（见错误）"))
    reading.rows = sorted(out)


def _reject_below(report: SheetReport, raw: RawSheet, header: Header) -> None:
    """Title, unit line, header and blank rows are structure; every other row is rejected."""
    below = raw.rows[header.last_row + 1:]
    rejected = sum(1 for r in below if not all(cells.is_empty(v) for v in r))
    report.rows["rejected"] = rejected
    report.rows["structure"] = report.rows["read"] - rejected


def _header_unit(header: Header) -> str | None:
    units = {c.unit for c in header.columns if c.unit}
    return units.pop() if len(units) == 1 else ("、".join(sorted(units)) if units else None)


def _finish_with_draft(result: SheetResult, log: ProblemLog, start: int, ctx: Ctx) -> SheetResult:
    """_finish, and for a sheet refused for what a layout file can settle, the entry that would read it."""
    if any(p.severity == ERROR and p.code in LAYOUT_CODES for p in log.items[start:]):
        from jygproj.io.layout import draft_entry

        result.reading.draft = draft_entry(ctx, result.report)
    return _finish(result, log, start)


def _data_rows_below(rows, header) -> bool:
    """Any non-empty row under the header (a template's instructions have a header-like line at most)."""
    return any(not all(cells.is_empty(v) for v in r) for r in rows[header.last_row + 1:header.last_row + 50])


def _fill_merged_units(raw, header, log: ProblemLog) -> None:
    """A 责任单位 (or 牵头单位, 建设单位, 包抓领导, 行业领域) cell merged down over several projects says
    they share it: offices merge it that way on purpose, and refusing the sheet would make them undo a
    correct form. calamine gives the value to the first row only, so the merge is filled down here
    (rules.FILL_DOWN_FIELDS: attributes only — an amount merged down would be counted once per row),
    and a warning names the rows so a merge drawn by mistake is seen."""

    cols = {c.index: c for c in header.columns if c.field in rules.FILL_DOWN_FIELDS}
    merges = [(r0, c0, r1) for r0, c0, r1, c1 in raw.merges
              if c0 == c1 and c0 in cols and r1 > r0 and r0 > header.structure_end and r1 < len(raw.rows)]
    if not merges or raw.frame is None:
        return
    frame = raw.frame
    for r0, j, r1 in merges:
        value = raw.rows[r0][j]
        if cells.is_empty(value):
            continue
        name = frame.columns[j]
        frame = frame.with_columns(frame[name].scatter(list(range(r0 + 1, r1 + 1)), value))
        col = cols[j]
        log.add("merged_cell_filled", f"“{col.header}”第{raw.row_offset + r0 + 1}-{raw.row_offset + r1 + 1}行为合并单元格，"
                f"按同一{col.header}“{rules.shown(str(value))}”读取每一行", row=raw.row_offset + r0 + 1,
                column=cells.column_letter(raw.col_offset + j), header=col.header,
                expected="确认这些项目确属同一单位；如不是，请取消合并并逐行填写")
    raw.frame = frame
    raw.rows = GridRows(frame)


def _report_non_values(raw, log: ProblemLog) -> None:
    """Every cell that holds no usable value (rules.NON_VALUE_CODES), at its cell: errors make the sheet
    load nothing — an error value or an uncached formula is never read as a blank."""
    for row, col, text, kind in raw.non_values:
        if kind == "more":
            log.add("cell_error_value", f"另有 {text} 个错误值或无计算结果的公式单元格未逐一列出",
                    expected="可计算的公式或直接填写的数值")
            continue
        code, what, expected = rules.NON_VALUE_CODES[kind]
        v = rules.shown(str(text))
        log.add(code, what.format(v=v, n=len(str(text)), limit=rules.MAX_TEXT_CHARS), row=row,
                column=cells.column_letter(col), expected=expected)


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
