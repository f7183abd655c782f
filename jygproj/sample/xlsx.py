"""openpyxl helpers shared by the sample workbooks and the input templates: the official look
(merged title, unit line, one- or two-row header, thin borders) and a byte-deterministic save."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from jygproj.schema import SAMPLE_MARK, SHORT_MARK  # noqa: F401 (the sample's titles and file names)
#: Timestamp written into every workbook and zip entry, so the same seed gives the same bytes.
FIXED_TIME = dt.datetime(2023, 11, 6, 9, 0, 0)

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TITLE_FONT = Font(name="宋体", size=16, bold=True)
HEADER_FONT = Font(name="宋体", size=10, bold=True)
BODY_FONT = Font(name="宋体", size=10)
BOLD_FONT = Font(name="宋体", size=10, bold=True)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")


@dataclass(frozen=True)
class Head:
    """One header column: its text, an optional group over it (two-row header), its width."""

    text: str
    group: str | None = None
    width: float = 12.0


def new_workbook() -> Workbook:
    wb = Workbook()
    wb.properties.creator = "jygproj 样例数据生成器"
    wb.properties.lastModifiedBy = "jygproj"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    return wb


def write_frame(ws, title: str, unit_text: str | None, heads: Sequence[Head],
                unit_left: str | None = None) -> int:
    """Title (row 1, merged), unit line (row 2), header (row 3, or rows 3-4 when any column has a
    group). Returns the first data row."""
    n = len(heads)
    ws.cell(row=1, column=1, value=title).font = TITLE_FONT
    ws.cell(row=1, column=1).alignment = CENTER
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n)
    ws.row_dimensions[1].height = 30
    if unit_left:
        ws.cell(row=2, column=1, value=unit_left).font = BODY_FONT
    if unit_text:
        c = ws.cell(row=2, column=n, value=unit_text)
        c.font = BODY_FONT
        c.alignment = RIGHT
    two = any(h.group for h in heads)
    top = 3
    j = 0
    while j < n:
        h = heads[j]
        col = j + 1
        ws.column_dimensions[get_column_letter(col)].width = h.width
        if h.group:
            k = j
            while k + 1 < n and heads[k + 1].group == h.group:
                k += 1
            ws.cell(row=top, column=col, value=h.group)
            if k > j:
                ws.merge_cells(start_row=top, start_column=col, end_row=top, end_column=k + 1)
            for m in range(j, k + 1):
                ws.cell(row=top + 1, column=m + 1, value=heads[m].text)
                ws.column_dimensions[get_column_letter(m + 1)].width = heads[m].width
            j = k + 1
            continue
        ws.cell(row=top, column=col, value=h.text)
        if two:
            ws.merge_cells(start_row=top, start_column=col, end_row=top + 1, end_column=col)
        j += 1
    last = top + (1 if two else 0)
    for r in range(top, last + 1):
        ws.row_dimensions[r].height = 30
        for c in range(1, n + 1):
            cell = ws.cell(row=r, column=c)
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.alignment = CENTER
            cell.border = BORDER
    ws.freeze_panes = ws.cell(row=last + 1, column=3)
    return last + 1


def style_row(ws, row: int, ncols: int, bold: bool = False,
              formats: dict[int, str] | None = None) -> None:
    for c in range(1, ncols + 1):
        cell = ws.cell(row=row, column=c)
        cell.border = BORDER
        cell.font = BOLD_FONT if bold else BODY_FONT
        if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
            cell.alignment = RIGHT
            if formats and c in formats:
                cell.number_format = formats[c]
        elif isinstance(cell.value, (dt.date, dt.datetime)):
            cell.alignment = CENTER
            cell.number_format = (formats or {}).get(c, "yyyy-mm-dd")
        else:
            cell.alignment = LEFT if c > 1 else CENTER


def write_remarks(ws, row: int, ncols: int, lines: Sequence[str]) -> int:
    for text in lines:
        ws.cell(row=row, column=1, value=text).font = BODY_FONT
        ws.cell(row=row, column=1).alignment = LEFT
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
        row += 1
    return row


_CORE_TIME = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def save_deterministic(wb: Workbook, path: Path) -> Path:
    """Save so that the same workbook always gives the same bytes (:func:`deterministic_bytes`)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(deterministic_bytes(wb))
    return path


def deterministic_bytes(wb: Workbook) -> bytes:
    """The workbook's file, the same bytes for the same workbook.

    openpyxl stamps docProps/core.xml with the current time on save and zipfile stamps every entry
    with the current time; both are replaced by FIXED_TIME.
    """
    buf = io.BytesIO()
    wb.save(buf)
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _CORE_TIME.sub(rb"\g<1>" + stamp + rb"\g<2>", data)
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zi.create_system = 3
            dst.writestr(zi, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()
