"""Formatted Excel workbooks in official style (the tables a commission sends upward).

One sheet per table: a merged title row, the unit line (单位：万元), a bold bordered header with
Chinese labels (schema.COLUMN_LABELS), the data, a 合计 row, panes frozen below the header,
number formats (#,##0.00 on amounts, 0.0% on rates), column widths that fit Chinese text.

Safe: a text cell beginning with = + - @ (or a tab / carriage return) is written as a string, never
a formula (openpyxl would otherwise turn "=..." into a live formula, design page). Written
atomically with the one output file mode (jygproj.outputs.write_atomic), so a reader never sees
half a workbook.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import polars as pl
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from jygproj import outputs
from jygproj.errors import JygprojError
from jygproj.print_setup import a4_page_setup
from jygproj.schema import ALERT_LEVELS, COLUMN_LABELS, LISTS, NATURES

AMOUNT_FORMAT = "#,##0.00"
RATE_FORMAT = "0.0%"  # rates are fractions (0.95 -> 95.0%)
PCT_FORMAT = '0.0"%"'  # *_pct columns already hold percent points (12.0 -> 12.0%)
INT_FORMAT = "#,##0"
DATE_FORMAT = "yyyy-mm-dd"
TOTAL_LABEL = "合计"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: Enum values shown in Chinese (internal names stay English in the frames).
VALUE_LABELS: dict[str, Mapping[str, str]] = {"list": LISTS, "nature": NATURES, "level": ALERT_LEVELS}

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FONT = "宋体"
_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


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


def number_format(column: str, dtype: pl.DataType) -> str | None:
    """The format a column gets unless the sheet overrides it."""
    if column.endswith("_wan") or column.endswith("_yi"):
        return AMOUNT_FORMAT
    if column.endswith("_rate") or column.endswith("_share"):
        return RATE_FORMAT
    if column.endswith("_pct") or column.endswith("_pp"):
        return PCT_FORMAT
    if dtype == pl.Date:
        return DATE_FORMAT
    if dtype.is_integer():
        return "0" if column in ("source_row", "year", "month", "quarter") else INT_FORMAT
    if dtype.is_float():
        return AMOUNT_FORMAT
    return None


def summed_columns(frame: pl.DataFrame) -> list[str]:
    """Columns a 合计 row adds up by default: amounts (_wan) and counts (_count)."""
    return [c for c in frame.columns if c.endswith(("_wan", "_yi", "_count"))
            and frame.schema[c].is_numeric()]


def safe_text(value: str) -> str:
    """Text without the control characters Excel refuses."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def write_workbook(path: str | Path, sheets: Sequence[Sheet]) -> Path:
    """Write the sheets to ``path`` (xlsx) atomically; returns the path."""
    if not sheets:
        raise ExportError("没有要写入的工作表")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for sheet in sheets:
        _write_sheet(wb.create_sheet(_sheet_name(sheet.name, used)), sheet)
    return outputs.write_atomic(path, wb.save)


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
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, (list, tuple)):
        return safe_text("、".join(str(v) for v in value))
    if isinstance(value, (dt.date, dt.datetime, int, float, bool)):
        return value
    return safe_text(str(value))


def _put(ws, row: int, col: int, value: Any):
    cell = ws.cell(row=row, column=col)
    value = _cell_value(value)
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        # never a formula: a plain string, shown as text if someone edits the cell in Excel
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _display_width(value: Any, fmt: str | None) -> int:
    if value is None:
        return 0
    if isinstance(value, float):
        text = f"{value:,.2f}" if fmt != RATE_FORMAT else f"{value:.1%}"
    elif isinstance(value, (dt.date, dt.datetime)):
        text = "2023-10-31"
    else:
        text = str(value)
    longest = max(text.split("\n"), key=len)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in longest)


def _write_sheet(ws, sheet: Sheet) -> None:
    frame = sheet.frame
    columns = frame.columns
    ncol = max(len(columns), 1)
    labels = {**COLUMN_LABELS, **sheet.labels}  # a sheet's own labels on top of the shared ones
    formats = {c: sheet.number_formats.get(c, number_format(c, frame.schema[c])) for c in columns}
    for col, mapping in sheet.value_labels.items():
        if col in columns and (frame.schema[col] == pl.String
                               or isinstance(frame.schema[col], (pl.Enum, pl.Categorical))):
            frame = frame.with_columns(pl.col(col).cast(pl.String).replace(dict(mapping)))

    # title row (merged), unit line
    title = _put(ws, 1, 1, sheet.title)
    title.font = Font(name=_FONT, size=16, bold=True)
    title.alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    if ncol > 1:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
    header_row = 2
    if sheet.unit:
        unit = _put(ws, 2, 1, f"单位：{sheet.unit}")
        unit.font = Font(name=_FONT, size=11)
        unit.alignment = Alignment(horizontal="right")
        if ncol > 1:
            ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncol)
        header_row = 3

    # header
    for j, c in enumerate(columns, start=1):
        cell = _put(ws, header_row, j, labels.get(c, c))
        cell.font = Font(name=_FONT, size=11, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BORDER
        cell.fill = _HEADER_FILL
    ws.row_dimensions[header_row].height = 32

    # data
    widths = [_display_width(labels.get(c, c), None) for c in columns]
    body_font = Font(name=_FONT, size=11)
    r = header_row
    for r, row in enumerate(frame.iter_rows(), start=header_row + 1):
        for j, (c, value) in enumerate(zip(columns, row), start=1):
            cell = _put(ws, r, j, value)
            cell.border = _BORDER
            cell.font = body_font
            if formats[c]:
                cell.number_format = formats[c]
            if isinstance(cell.value, str):
                cell.alignment = Alignment(vertical="center", wrap_text=len(cell.value) > 40)
            widths[j - 1] = max(widths[j - 1], _display_width(cell.value, formats[c]))

    # 合计
    if sheet.total_row and columns:
        r += 1
        to_sum = list(sheet.sum_columns) if sheet.sum_columns is not None else summed_columns(sheet.frame)
        sums = {c: float(sheet.frame[c].fill_nan(None).sum() or 0.0) for c in to_sum}
        for rate, (num, den) in sheet.total_ratios.items():
            n = sums.get(num, float(sheet.frame[num].sum() or 0.0))
            d = sums.get(den, float(sheet.frame[den].sum() or 0.0))
            # a *_pct column holds percent points (0–100, PCT_FORMAT): the ratio in the same unit
            scale = 100.0 if rate.endswith(("_pct", "_pp")) else 1.0
            sums[rate] = n / d * scale if d else None
        bold = Font(name=_FONT, size=11, bold=True)
        for j, c in enumerate(columns, start=1):
            value = TOTAL_LABEL if j == 1 else sums.get(c)
            if j == 1 and c in sums:  # the first column is numeric: label it in the header's place
                value = sums[c]
            cell = _put(ws, r, j, value)
            cell.border = _BORDER
            cell.font = bold
            if j == 1 and value == TOTAL_LABEL:
                cell.alignment = Alignment(horizontal="center")
            elif formats[c]:
                cell.number_format = formats[c]
            widths[j - 1] = max(widths[j - 1], _display_width(cell.value, formats[c]))

    for i, line in enumerate(sheet.notes, start=r + 2):
        _put(ws, i, 1, line).font = Font(name=_FONT, size=10, italic=True)

    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(max(w + 2, 8), 60)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    a4_page_setup(ws, header_row)  # A4, legible: jygproj.print_setup
