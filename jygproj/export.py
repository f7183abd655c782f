"""Formatted Excel workbooks in the form of an official statistics table (the tables a commission
sends upward).

One sheet per table: a merged, wrapped title across the table's width, the unit line (单位：万元),
a bold bordered header with Chinese labels (schema.COLUMN_LABELS), the data, a 合计 row, the
notes, then 制表单位 / 制表日期 (also in the printed footer with the page number), panes frozen below
the header. What offices write: 是/否 for yes/no, codes in Chinese (清单, 建设性质, 预警等级),
counts as integers, 万元 without decimals, one percentage look (84.3%, whether the column holds a
fraction or percent points), a mixed-unit table (indicator, value, unit) formatted row by row.
Every sheet prints on A4 landscape, fitted to the page width, the header row repeated on each page.
Document properties name the commission, not a tool; a workbook made from the sample says so in
every title.

Written with xlsxwriter (a province workbook of a million styled cells in seconds; openpyxl took
4–5× longer, issue 18), each column's values, looks and width worked out at once (_column_cells),
so what is left per cell is xlsxwriter's own work. Messages lose their English code ("… [code_missing]"): readers see Chinese only (issue 15). Safe:
text is always written as text, never a formula, whatever it begins
with (= + - @). Written atomically with the one output file mode (jygproj.outputs.write_atomic), so a
reader never sees half a workbook.
"""

from __future__ import annotations

import datetime as dt
import math
import pickle
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import polars as pl

from jygproj import outputs
from jygproj.errors import JygprojError
from jygproj.print_setup import a4_xlsxwriter
from jygproj.schema import ALERT_LEVELS, COLUMN_LABELS, LISTS, NATURES, SAMPLE_MARK, SAMPLE_WORD

AMOUNT_FORMAT = "#,##0"  # 万元 as offices print them: whole 万元
YI_FORMAT = "#,##0.00"  # 亿元 keep two decimals (0.01亿元 = 100万元)
RATE_FORMAT = "0.0%"  # rates are fractions (0.95 -> 95.0%)
PCT_FORMAT = '0.0"%"'  # *_pct columns already hold percent points (95.0 -> 95.0%): the same look
INT_FORMAT = "#,##0"
PLAIN_INT_FORMAT = "0"
DATE_FORMAT = "yyyy-mm-dd"
TOTAL_LABEL = "合计"
YES, NO = "是", "否"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: Enum values shown in Chinese (internal names stay English in the frames).
VALUE_LABELS: dict[str, Mapping[str, str]] = {
    "list": LISTS, "nature": NATURES, "level": ALERT_LEVELS, "from_level": ALERT_LEVELS,
    "to_level": ALERT_LEVELS, "level_first": ALERT_LEVELS, "level_now": ALERT_LEVELS}
#: A mixed-unit table (indicator, value, unit: 核心指标) formats each value by its row's unit.
UNIT_FORMATS: dict[str, str] = {"月": PLAIN_INT_FORMAT, "个": INT_FORMAT, "份": INT_FORMAT, "项": INT_FORMAT,
                                "%": "0.0", "百分点": "0.0", "万元": AMOUNT_FORMAT, "亿元": YI_FORMAT}
#: Integer columns that are positions or identifiers, never added up in a 合计 row.
NOT_SUMMED = re.compile(r"(^|_)(row|rank|year|month|quarter|week)$|rank|months_early")

_FONT = "宋体"
_HEADER_FILL = "#D9D9D9"
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_ILLEGAL_CHARS = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")  # what Excel refuses in a cell
#: The English code a message carries for the analyst ("中文说明 [code_missing]", errors.JygprojError):
#: readers of the workbook see the Chinese only.
_MESSAGE_CODE = re.compile(r"\s*\[[a-z][a-z0-9_]*\]$")
_MAX_WIDTH, _MIN_WIDTH = 60, 8


class ExportError(JygprojError, RuntimeError):
    code = "export_failed"


@dataclass
class Sheet:
    """One table of the workbook.

    ``frame`` columns keep their English names; headers come from ``labels`` (falling back to the
    name). ``number_formats`` overrides the formats inferred from column names and dtypes
    (``*_wan`` amounts, ``*_rate`` fractions, ``*_pct`` percent points, integers, dates).
    ``total_row`` sums amount and count columns; ``total_ratios`` maps a rate column to
    (numerator, denominator) so the 合计 row shows the ratio of the sums, not a sum of rates.
    ``notes`` are lines written under the table (e.g. 数据来源).
    """

    name: str
    title: str
    frame: pl.DataFrame
    unit: str | None = "万元"
    total_row: bool = True
    labels: Mapping[str, str] = field(default_factory=lambda: COLUMN_LABELS)
    number_formats: Mapping[str, str] = field(default_factory=dict)
    sum_columns: Sequence[str] | None = None
    total_ratios: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    value_labels: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: VALUE_LABELS)
    notes: Sequence[str] = ()


@dataclass(frozen=True)
class Signature:
    """Who made the tables and when (制表单位 / 制表日期), and whether they come from the sample."""

    made_by: str
    made_on: dt.date
    sample: bool = False


def number_format(column: str, dtype: pl.DataType) -> str | None:
    """The format a column gets unless the sheet overrides it."""
    if column.endswith("_wan"):
        return AMOUNT_FORMAT
    if column.endswith("_yi"):
        return YI_FORMAT
    if column.endswith("_rate") or column.endswith("_share"):
        return RATE_FORMAT
    if column.endswith("_pct") or column.endswith("_pp"):
        return PCT_FORMAT
    if dtype == pl.Date or dtype == pl.Datetime:
        return DATE_FORMAT
    if dtype.is_integer():
        return PLAIN_INT_FORMAT if NOT_SUMMED.search(column) else INT_FORMAT
    if dtype.is_float():
        return AMOUNT_FORMAT
    return None


def summed_columns(frame: pl.DataFrame) -> list[str]:
    """Columns a 合计 row adds up by default: amounts (_wan, _yi) and counts (integers that are not
    positions: 红色预警项目数, 未完成目标数, _count …)."""
    schema = frame.schema
    return [c for c in frame.columns
            if (c.endswith(("_wan", "_yi", "_count")) and schema[c].is_numeric())
            or (schema[c].is_integer() and not NOT_SUMMED.search(c))]


def safe_text(value: str) -> str:
    """Text without the control characters Excel refuses."""
    return _ILLEGAL_CHARS.sub("", value)


def default_signature() -> Signature:
    from jygproj.office import load_office

    return Signature(load_office().issuer, dt.date.today())


def write_workbook(path: str | Path, sheets: Sequence[Sheet], signature: Signature | None = None) -> Path:
    """Write the sheets to ``path`` (xlsx) atomically; returns the path. ``signature``: 制表单位 /
    制表日期 and the sample mark (default: the commission of data/reference/office.yaml, today)."""
    if not sheets:
        raise ExportError("没有要写入的工作表")
    sign = signature or default_signature()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return outputs.write_atomic(path, lambda tmp: _write(tmp, sheets, sign, path.name))


class Pending:
    """A workbook being written by a second process (:func:`write_workbook_elsewhere`)."""

    def __init__(self, path: Path, proc: subprocess.Popen | None):
        self.path, self._proc, self._done = path, proc, None

    def result(self) -> Path:
        """Wait for the workbook; its path, or the worker's error raised here (an ExportError
        naming the file and sheet, the worker's traceback added as a note)."""
        if self._proc is None:  # written here (what could not be sent to a worker)
            return self.path
        if self._done is None:
            out, err = self._proc.communicate()
            self._done = out, err.decode("utf-8", "replace")
        out, err = self._done
        try:
            status, value = pickle.loads(out)
        except Exception:
            raise ExportError(f"写入《{self.path.name}》的进程异常退出（退出码 {self._proc.returncode}）：{err[-800:]}",
                              "export_worker_failed") from None
        if status == "ok":
            return value
        if err.strip():
            value.add_note(err[-4000:])
        raise value

    def stop(self) -> None:
        """The worker killed if it is still writing (a report given up: its temporary file is a
        leftover, removed as any: jygproj.outputs)."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()


def write_workbook_elsewhere(path: str | Path, sheets: Sequence[Sheet], signature: Signature | None = None) -> Pending:
    """:func:`write_workbook` in a second process, while the caller writes other files (both cores):
    the same bytes, written as atomically; ``.result()`` waits and gives the path or raises its
    error. A fresh interpreter, not a fork (polars' thread pool does not survive one) nor
    multiprocessing (which would import the caller's main module again)."""
    if not sheets:
        raise ExportError("没有要写入的工作表")
    path = Path(path).absolute()
    try:
        payload = pickle.dumps((path, list(sheets), signature), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - a frame polars cannot serialise (objects): written here instead
        return Pending(write_workbook(path, sheets, signature), None)
    proc = subprocess.Popen([sys.executable, "-c", "from jygproj.export import _write_from_stdin; _write_from_stdin()"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stdin, proc.stdin = proc.stdin, None  # written and closed here: communicate() only reads
    try:
        stdin.write(payload)
    except BrokenPipeError:  # the worker died at start: result() says how
        pass
    finally:
        try:
            stdin.close()
        except BrokenPipeError:
            pass
    return Pending(path, proc)


def _write_from_stdin() -> None:
    """The worker of :func:`write_workbook_elsewhere`: its arguments pickled on stdin, ("ok", path)
    or ("error", the error) pickled on stdout."""
    import traceback

    path, sheets, signature = pickle.load(sys.stdin.buffer)
    try:
        result = ("ok", write_workbook(path, sheets, signature))
    except JygprojError as exc:
        traceback.print_exc()
        result = ("error", exc)
    except Exception as exc:  # noqa: BLE001 - any error, named with its file, crosses back
        traceback.print_exc()
        result = ("error", ExportError(f"写入《{path.name}》时出错：{exc!r}"))
    sys.stdout.buffer.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.flush()


#: The workbook's parts assembled in memory, not as temporary files zipped and removed one by one
#: (45 files a report; their removal alone took ~0.1 s here, issue 18): every part the same bytes
#: (only the zip entries' dates and permission bits differ from the files' way).
_IN_MEMORY = True


def _write(target: Path, sheets: Sequence[Sheet], sign: Signature, file_name: str = "") -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(target), {"strings_to_formulas": False, "strings_to_urls": False,
                                           "strings_to_numbers": False, "nan_inf_to_errors": False,
                                           "in_memory": _IN_MEMORY})
    made_at = dt.datetime.combine(sign.made_on, dt.time(9, 0))
    title = sheets[0].title + (SAMPLE_MARK if sign.sample else "")
    wb.set_properties({"title": title, "author": sign.made_by, "company": sign.made_by,
                       "manager": "", "comments": "", "created": made_at})
    styles = _Styles(wb)
    used: set[str] = set()
    for sheet in sheets:
        name = _sheet_name(sheet.name, used)
        try:
            _write_sheet(wb.add_worksheet(name), sheet, styles, sign)
        except JygprojError:
            raise
        except Exception as exc:  # the sheet named, whichever process writes the workbook
            raise ExportError(f"写入《{file_name or target.name}》的工作表“{name}”时出错：{exc}",
                              "sheet_write_failed") from exc
    wb.close()


class _Styles:
    """xlsxwriter formats made once per workbook and shared by every cell that looks alike."""

    def __init__(self, wb):
        self.wb = wb
        self._cache: dict[tuple, Any] = {}

    def get(self, **props) -> Any:
        key = tuple(sorted(props.items()))
        fmt = self._cache.get(key)
        if fmt is None:
            fmt = self._cache[key] = self.wb.add_format({"font_name": _FONT, "font_size": 11, **props})
        return fmt


def _sheet_name(name: str, used: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub("_", name).strip("'")[:31] or "Sheet"
    candidate, i = base, 2
    while candidate.lower() in used:
        suffix = f"({i})"
        candidate, i = base[: 31 - len(suffix)] + suffix, i + 1
    used.add(candidate.lower())
    return candidate


def _cell_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, str):
        return _MESSAGE_CODE.sub("", safe_text(value))
    if isinstance(value, (list, tuple)):
        return safe_text("、".join(str(v) for v in value))
    if isinstance(value, (dt.date, dt.datetime, int, float)):
        return value
    return safe_text(str(value))


def _text_width(text: str) -> int:
    """The columns ``text``'s longest line takes: its characters, those of _WIDE_CHARS counted twice
    (by regex, not character by character: a report's sheets measure ~11,000 cells, issue 18)."""
    longest = max(text.split("\n"), key=len) if "\n" in text else text
    return len(longest) if longest.isascii() else len(longest) + _WIDE.subn("", longest)[1]


def text_lines(text: str, width: float) -> int:
    """The lines ``text`` wraps onto in a column ``width`` characters wide (a CJK character is two)."""
    return max(1, math.ceil(_text_width(text) / max(width - 1, 1)))


def _display_width(value: Any, fmt: str | None) -> int:
    if value is None:
        return 0
    if isinstance(value, float) or isinstance(value, int):
        if fmt in (RATE_FORMAT,):
            return len(f"{value:.1%}")
        if fmt in (PCT_FORMAT, "0.0"):
            return len(f"{value:.1f}%")
        return len(f"{value:,.2f}" if fmt == YI_FORMAT else f"{value:,.0f}")
    if isinstance(value, (dt.date, dt.datetime)):
        return 10
    return _text_width(str(value))


#: Text that _cell_value may change: a character Excel refuses, or a message's trailing [code].
_TEXT_TO_CLEAN = r"[\x00-\x08\x0B\x0C\x0E-\x1F\[]"
#: Characters _text_width counts as two columns wide (ord > 0x2E7F: CJK and beyond).
_WIDE_CHARS = r"[\x{2E80}-\x{10FFFF}]"
_WIDE = re.compile("[\u2e80-\U0010ffff]")  # the same characters, in Python's regex syntax


def _column_cells(series: pl.Series, fmt_name: str | None, col_fmt, text_fmts: tuple, yes_no: bool
                  ) -> tuple[list, list, int]:
    """A column's cells as _cell_value gives them, each cell's format and the widest cell's
    _display_width, worked out for the whole column at once (a province workbook has a million
    cells: one Python call per cell and per character took most of its time). Text: the few cells
    _cell_value would change are cleaned by it, the widths counted by polars; numbers and dates by
    their type; any other type cell by cell as before."""
    n = series.len()
    dtype = series.dtype
    if (dtype == pl.String or isinstance(dtype, (pl.Categorical, pl.Enum))) and n <= _SMALL_COLUMN:
        return _small_text_cells((series if dtype == pl.String else series.cast(pl.String)).to_list(), col_fmt,
                                 text_fmts, yes_no)
    if dtype == pl.String or isinstance(dtype, (pl.Categorical, pl.Enum)):
        text = series.cast(pl.String)
        values = text.to_list()
        for i in (text.str.contains(_TEXT_TO_CLEAN) & text.is_not_null()).arg_true().to_list():
            values[i] = _cell_value(values[i])
        text = pl.Series(values, dtype=pl.String)
        multi_line = text.str.contains("\n", literal=True).fill_null(False)
        one_line = text.filter(~multi_line)
        width = int((one_line.str.len_chars() + one_line.str.count_matches(_WIDE_CHARS)).max() or 0)
        width = max([width, *(_text_width(v) for v in text.filter(multi_line).to_list())])
        center, wrap, plain = text_fmts
        if yes_no:
            fmts = [col_fmt if v is None else center for v in values]
        else:
            long = (text.str.len_chars() > 40).to_list()
            fmts = [col_fmt if v is None else (wrap if is_long else plain) for v, is_long in zip(values, long)]
        return values, fmts, width
    if dtype.is_integer() or dtype.is_float():
        values = series.to_list()
        if dtype.is_float():
            values = [None if v is None or math.isnan(v) or math.isinf(v) else v for v in values]
        # an integer's width measured once per distinct value (counts repeat); a float each time (0.0
        # and -0.0 are one set member but not one width)
        distinct = set(values) if dtype.is_integer() else values
        width = max((_display_width(v, fmt_name) for v in distinct if v is not None), default=0)
        return values, [col_fmt] * n, width
    if dtype == pl.Date or dtype == pl.Datetime:
        values = series.to_list()
        return values, [col_fmt] * n, 10 if series.null_count() < n else 0
    values = [_cell_value(v) for v in series.to_list()]  # lists and anything else: cell by cell
    fmts = [col_fmt if not isinstance(v, str) else (text_fmts[0] if yes_no else text_fmts[1] if len(v) > 40
                                                     else text_fmts[2]) for v in values]
    return values, fmts, max((_display_width(v, fmt_name) for v in values if v is not None), default=0)


#: A text column of at most this many cells is worked out in Python (_small_text_cells): each polars
#: call on a Series costs ~0.1 ms, and a report's 36 small sheets made ~1,300 of them (issue 18).
_SMALL_COLUMN = 2000
_CLEAN = re.compile(_TEXT_TO_CLEAN)


def _small_text_cells(values: list, col_fmt, text_fmts: tuple, yes_no: bool) -> tuple[list, list, int]:
    """:func:`_column_cells` of a short text column, cell by cell: the same values, formats and width
    (the widest cell's _text_width: a one-line cell's characters, CJK ones counted twice)."""
    values = [_cell_value(v) if v is not None and _CLEAN.search(v) else v for v in values]
    width = max((_text_width(v) for v in set(values) if v is not None), default=0)  # each distinct text once
    center, wrap, plain = text_fmts
    if yes_no:
        fmts = [col_fmt if v is None else center for v in values]
    else:
        fmts = [col_fmt if v is None else (wrap if len(v) > 40 else plain) for v in values]
    return values, fmts, width


def put_cell(ws, row: int, col: int, value: Any, fmt) -> None:
    """One xlsxwriter cell by its Python type: text always as text (never a formula), dates as dates."""
    if value is None:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, str):
        ws.write_string(row, col, value, fmt)
    elif isinstance(value, (dt.date, dt.datetime)):
        ws.write_datetime(row, col, value, fmt)
    else:
        ws.write_number(row, col, value, fmt)


def _cell_writer(ws, dtype: pl.DataType):
    """What :func:`put_cell` calls for every filled cell of a column of ``dtype`` (_column_cells
    gives text, numbers or dates by the column's type), as xlsxwriter's undecorated method: a
    province's million cells each went through put_cell's type tests and xlsxwriter's A1-notation
    wrapper. Columns of other types keep put_cell, cell by cell."""
    if dtype == pl.String or isinstance(dtype, (pl.Categorical, pl.Enum)):
        return ws._write_string
    if dtype.is_integer() or dtype.is_float():
        return ws._write_number
    if dtype == pl.Date or dtype == pl.Datetime:
        return ws._write_datetime
    return lambda r, j, value, fmt: put_cell(ws, r, j, value, fmt)


def _words(sheet: Sheet, schema: Mapping[str, pl.DataType]) -> dict[str, Mapping[str, str]]:
    """The text columns whose codes readers see in words (sheet.value_labels), with their words."""
    return {col: mapping for col, mapping in sheet.value_labels.items()
            if col in schema and (schema[col] == pl.String or isinstance(schema[col], (pl.Enum, pl.Categorical)))}


def _shown(frame: pl.DataFrame, sheet: Sheet) -> pl.DataFrame:
    """The frame as readers see it: codes in Chinese, yes/no as 是/否. One query for all its columns
    (each column's own was a query of its own: ~20 a report's workbook, issue 18)."""
    from jygproj.report.tables import in_words

    schema = frame.schema
    words = [in_words(col, mapping) for col, mapping in _words(sheet, schema).items()]
    booleans = [pl.when(pl.col(c)).then(pl.lit(YES)).when(pl.col(c).is_not_null()).then(pl.lit(NO))
                .otherwise(None).alias(c) for c, t in schema.items() if t == pl.Boolean]
    return frame.with_columns(*words, *booleans) if words or booleans else frame


def _shown_values(series: pl.Series, words: Mapping[str, str] | None) -> list:
    """A short column's values as :func:`_shown` gives them, worked out in Python: a query on a
    report's small sheet cost more than its cells (~15 a unit's workbook, ~0.7 ms each, issue 18).
    Codes not in ``words`` (and nulls) stay as they are, as polars' replace keeps them."""
    values = series.to_list()
    if series.dtype == pl.Boolean:
        return [None if v is None else (YES if v else NO) for v in values]
    if words:
        return [v if v is None else words.get(v, v) for v in values]
    return values


def _write_sheet(ws, sheet: Sheet, styles: _Styles, sign: Signature) -> None:
    frame = sheet.frame
    columns = frame.columns
    ncol = max(len(columns), 1)
    labels = {**COLUMN_LABELS, **sheet.labels}  # a sheet's own labels on top of the shared ones
    # the schema taken once: polars builds a new Schema at every .schema (~0.01 ms; a report's 36
    # sheets asked for it ~800 times, issue 18)
    schema = frame.schema
    formats = {c: sheet.number_formats.get(c, number_format(c, schema[c])) for c in columns}
    # a short frame's codes and yes/no put in words column by column in Python (_shown_values), a
    # long one's by one polars query
    small = frame.height <= _SMALL_COLUMN
    shown = frame if small else _shown(frame, sheet)
    words = _words(sheet, schema) if small else {}
    # a mixed-unit table (核心指标): each value formatted by the unit on its row
    by_row_unit = ("value" in columns and "unit" in columns and schema["value"].is_numeric()
                   and "value" not in sheet.number_formats)

    header_row = 2 if sheet.unit else 1
    headers = [labels.get(c, c) for c in columns]
    # a long header wraps onto up to three lines rather than widening its column (a 14-column
    # table must still fit an A4 page's width legibly)
    widths = [min(_text_width(h), max(_MIN_WIDTH, math.ceil(_text_width(h) / 3) + 2)) for h in headers]

    # header (0-based rows: title 0, unit 1, header 2)
    header_fmt = styles.get(bold=True, align="center", valign="vcenter", text_wrap=True, border=1,
                            bg_color=_HEADER_FILL)
    for j, h in enumerate(headers):
        ws.write_string(header_row, j, safe_text(h), header_fmt)

    # data: one format per column (and per unit in a mixed-unit table)
    col_fmt = [styles.get(border=1, valign="vcenter", **({"num_format": formats[c]} if formats[c] else {}))
               for c in columns]
    text_fmt = styles.get(border=1, valign="vcenter")
    wrap_fmt = styles.get(border=1, valign="vcenter", text_wrap=True)
    center_fmt = styles.get(border=1, valign="vcenter", align="center")
    unit_fmt = ({u: styles.get(border=1, valign="vcenter", num_format=f) for u, f in UNIT_FORMATS.items()}
                if by_row_unit else {})  # only a mixed-unit table uses them (8 look-ups a sheet, issue 18)
    yes_no = {c for c, t in schema.items() if t == pl.Boolean}
    text_fmts = (center_fmt, wrap_fmt, text_fmt)
    cells = []  # per column: its cells' values and formats, the column's widest cell
    for j, c in enumerate(columns):
        if small and (c in yes_no or c in words):
            values, fmts, width = _small_text_cells(_shown_values(frame[c], words.get(c)), col_fmt[j], text_fmts,
                                                    c in yes_no)
        else:
            values, fmts, width = _column_cells(shown[c], formats[c], col_fmt[j], text_fmts, c in yes_no)
        if by_row_unit and c == "value":  # each value formatted by the unit on its row
            units = _shown_values(frame["unit"], words.get("unit")) if small else shown["unit"].to_list()
            fmts = [f if isinstance(v, str) else unit_fmt.get(u, f) for v, f, u in zip(values, fmts, units)]
        widths[j] = max(widths[j], width)
        cells.append((values, fmts))
    r = header_row
    # the shown columns' types: what is put in words is text
    shown_schema = {c: pl.String if c in yes_no or c in words else t for c, t in schema.items()} if small else shown.schema
    writers = [_cell_writer(ws, shown_schema[c]) for c in columns]
    blank = ws._write_blank
    for r, row in enumerate(zip(*(zip(v, f) for v, f in cells)), start=header_row + 1):  # rows in order: the
        for j, (value, fmt) in enumerate(row):                                            # shared strings' order
            if value is None:
                blank(r, j, None, fmt)
            else:
                writers[j](r, j, value, fmt)

    # 合计
    if sheet.total_row and columns:
        r += 1
        to_sum = list(sheet.sum_columns) if sheet.sum_columns is not None else summed_columns(frame)
        # all the sums by one query (three Series operations a column were ~0.6 ms each, issue 18)
        summed = dict.fromkeys(to_sum)
        totals = frame.select(pl.col(c).cast(pl.Float64).fill_nan(None).sum() for c in summed).row(0) if summed else ()
        sums = {c: float(v or 0.0) for c, v in zip(summed, totals)}
        for rate, (num, den) in sheet.total_ratios.items():
            n = sums.get(num, float(frame[num].sum() or 0.0))
            d = sums.get(den, float(frame[den].sum() or 0.0))
            # a *_pct column holds percent points (0–100, PCT_FORMAT): the ratio in the same unit
            scale = 100.0 if rate.endswith(("_pct", "_pp")) else 1.0
            sums[rate] = n / d * scale if d else None
        for j, c in enumerate(columns):
            value = TOTAL_LABEL if j == 0 else sums.get(c)
            if j == 0 and c in sums:  # the first column is numeric: label it in the header's place
                value = sums[c]
            if value == TOTAL_LABEL:
                fmt = styles.get(bold=True, border=1, align="center")
            else:
                fmt = styles.get(bold=True, border=1, **({"num_format": formats[c]} if formats[c] else {}))
            put_cell(ws, r, j, value, fmt)
            widths[j] = max(widths[j], _display_width(value, formats[c]))

    widths = [min(max(w + 2, _MIN_WIDTH), _MAX_WIDTH) for w in widths] or [_MIN_WIDTH]
    for j, w in enumerate(widths):
        ws.set_column(j, j, w)
    header_lines = max((text_lines(h, w) for h, w in zip(headers, widths)), default=1)
    ws.set_row(header_row, max(32, 15 * header_lines + 4))

    # title (merged across the table, wrapped; the row as tall as its lines) and unit line
    title = safe_text(sheet.title + (SAMPLE_MARK if sign.sample else ""))
    title_fmt = styles.get(font_size=16, bold=True, align="center", valign="vcenter", text_wrap=True)
    span = sum(widths) if ncol > 1 else max(widths[0], 1)
    lines = max(1, math.ceil(_text_width(title) * 16 / 11 / span))
    if ncol > 1:
        ws.merge_range(0, 0, 0, ncol - 1, title, title_fmt)
    else:
        ws.write_string(0, 0, title, title_fmt)
    ws.set_row(0, 30 * lines if lines > 1 else 30)
    if sheet.unit:
        unit_fmt_line = styles.get(align="right")
        if ncol > 1:
            ws.merge_range(1, 0, 1, ncol - 1, f"单位：{sheet.unit}", unit_fmt_line)
        else:
            ws.write_string(1, 0, f"单位：{sheet.unit}", unit_fmt_line)

    # notes, then who made the table and when (the statistics table's 表尾)
    note_fmt = styles.get(font_size=10, italic=True)
    below = r + 2
    for i, line in enumerate(sheet.notes):
        ws.write_string(below + i, 0, safe_text(line), note_fmt)
    made = f"制表单位：{sign.made_by}　　制表日期：{sign.made_on.year}年{sign.made_on.month}月{sign.made_on.day}日"
    ws.write_string(below + len(sheet.notes), 0, made, styles.get(font_size=10))
    if sign.sample:
        ws.write_string(below + len(sheet.notes) + 1, 0, f"注：本表由{SAMPLE_WORD}生成，不是官方统计数据。", note_fmt)

    ws.freeze_panes(header_row + 1, 0)
    _print_setup(ws, header_row, sign, widths)


def _print_setup(ws, header_row: int, sign: Signature, widths: list[float]) -> None:
    """A4 by jygproj.print_setup's rule (portrait when it fits, else landscape; fitted to the width
    but never below 60%: wider sheets over pages across with the first column repeated), as many
    pages down as needed, header repeated, and the footer: 制表单位 left, page n/N centre, 制表日期 right."""
    a4_xlsxwriter(ws, header_row, widths)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.7)
    ws.center_horizontally()
    made_on = f"{sign.made_on.year}年{sign.made_on.month}月{sign.made_on.day}日"
    ws.set_footer(f"&L&\"宋体\"&9制表单位：{sign.made_by}&C&\"宋体\"&9第 &P 页，共 &N 页"
                  f"&R&\"宋体\"&9制表日期：{made_on}", {"margin": 0.3})
