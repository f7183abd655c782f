"""How an Excel sheet prints (issue 15): on A4, legibly. One rule for every workbook the package
writes (jygproj.export): A4 paper; portrait when the sheet fits a portrait page at nearly full size,
else landscape; fit to the page's width — but never shrunk below MIN_SCALE (a 15-column table at
40% prints at 4 pt): a wider sheet spreads over as many pages across as that takes, its first
column repeated on each; the header row repeated on every page. The same rule for sheets written
through openpyxl (a4_page_setup) and through xlsxwriter (a4_xlsxwriter)."""

from __future__ import annotations

import math

#: Printable width of A4 in Excel's pixels (96 dpi) inside its default margins (0.7 in a side):
#: portrait 8.27 − 1.4 in, landscape 11.69 − 1.4 in.
PORTRAIT_PX = 660
LANDSCAPE_PX = 988
#: The smallest print scale that stays legible: 11 pt text at 60% prints at about 6.5 pt.
MIN_SCALE = 0.6
#: A sheet that fits a portrait page at this scale or more prints portrait.
PORTRAIT_SCALE = 0.9
DEFAULT_COLUMN_WIDTH = 8.43  # Excel's default, in characters


def width_px(column_widths: list[float]) -> float:
    """A sheet's width in pixels from its columns' widths in characters: each × 7 px + 5 px padding."""
    return sum(w * 7 + 5 for w in column_widths)


def stored_width(width: float) -> float:
    """The column width Excel stores (and openpyxl reads back) for a width set through xlsxwriter:
    whole pixels plus the 5 px padding, in characters (xlsxwriter's own conversion, 7 px a digit)."""
    if width <= 0:
        return 0.0
    pixels = int(width * 12 + 0.5) if width < 1 else int(width * 7 + 0.5) + 5
    return int(pixels / 7 * 256) / 256


def sheet_width_px(ws) -> float:
    """The width of an openpyxl worksheet (as read back or written) in pixels. Column widths are read
    from each dimension's min..max range: a file groups columns of one width into one <col> element,
    and asking openpyxl for a letter inside such a range gives a fresh default, not the width."""
    widths: dict[int, float] = {}
    for dim in list(ws.column_dimensions.values()):
        if dim.min and dim.max and dim.width:
            widths.update((i, dim.width) for i in range(dim.min, dim.max + 1))
    return width_px([widths.get(i, DEFAULT_COLUMN_WIDTH) for i in range(1, ws.max_column + 1)])


def pages_across(width_px: float, printable_px: float) -> int:
    """Pages side by side needed so the sheet prints at MIN_SCALE or larger."""
    return max(1, math.ceil(width_px * MIN_SCALE / printable_px - 1e-9))


def layout(width: float) -> tuple[bool, int]:
    """(portrait?, pages across) of a sheet ``width`` pixels wide, by the module's rule."""
    portrait = width * PORTRAIT_SCALE <= PORTRAIT_PX
    return portrait, pages_across(width, PORTRAIT_PX if portrait else LANDSCAPE_PX)


def a4_page_setup(ws, header_row: int) -> None:
    """Set an openpyxl sheet's print layout by the module's rule (call after the column widths are set)."""
    portrait, across = layout(sheet_width_px(ws))
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait" if portrait else "landscape"
    ws.page_setup.fitToWidth = across
    ws.page_setup.fitToHeight = 0  # as many pages down as the table needs
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    if across > 1:  # several pages across: each names its rows
        ws.print_title_cols = "A:A"


def a4_xlsxwriter(ws, header_row: int, column_widths: list[float]) -> None:
    """Set an xlsxwriter sheet's print layout by the module's rule; ``header_row`` 0-based,
    ``column_widths`` as given to set_column (in characters)."""
    portrait, across = layout(width_px([stored_width(w) for w in column_widths]))  # as Excel keeps them
    ws.set_paper(9)  # A4
    if portrait:
        ws.set_portrait()
    else:
        ws.set_landscape()
    ws.fit_to_pages(across, 0)  # as many pages down as the table needs
    ws.repeat_rows(header_row)
    if across > 1:  # several pages across: each names its rows
        ws.repeat_columns(0)
