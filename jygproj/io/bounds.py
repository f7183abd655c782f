"""Bounded reading (issue 17, point 2-3): what an .xlsx will cost calamine, measured from the archive
itself before calamine sees it.

calamine builds every sheet as a dense grid from A1 (well, from the first used cell) to the last
used row and column, ~32 bytes a cell, and the zip directory's sizes are only what the file says.
So every member is inflated here, streaming, 1 MiB at a time, and counted as it comes out (a part
declaring 4 MB that inflates to 3.5 GB stops at the cap, after MAX_PART_BYTES); every XML part is
searched whole for a DTD or an entity declaration; and every worksheet's cells are counted and its
used range (last row × last column) found from the cells' own references, not from ``<dimension>``:

- fast path (every writer we know: Excel, WPS, openpyxl, xlsxwriter): every ``<c`` starts with
  ``r="…"``; the sheet's ``<dimension>`` is taken as the hypothesis, and a regular-expression
  search proves no cell lies beyond it and none lacks its reference (no match in an honest file);
  the used range is then the dimension. A deflated sheet is inflated in one zlib call and searched
  whole, once, by Rust's regex engine through polars (_whole_sheet: the GIL let go for both, so the
  scan runs in a thread beside the reader); anything unusual there, and a sheet stored otherwise,
  take the per-MiB Python search (the same answer);
- otherwise (a cell beyond the dimension, cells without references, no dimension) every cell is
  counted and every reference read (slow, but only for such files, whose size is capped).

The limits are on what the reader would allocate, so memory stays bounded whatever the file
declares: the sum over a workbook's sheets of (used rows × used columns) ≤ MAX_GRID_CELLS. A
province's largest workbook (20,000 projects) uses 0.4 M; the 57 sample files 0.02 M at most.
Measured (tests/test_io_bounds.py, subprocess peak RSS): a workbook just under the limit (22 sheets,
5.7 M cells) reads in 0.83 GiB; every hostile file is refused within 0.35 GiB. Cost: about 1.1-1.7 CPU
seconds for the province's 374 MB of XML on this (loaded) machine, 0.36 s of it zlib's inflate and
0.7 s the search (the per-MiB Python searches: 1.5 s more) — the price of not trusting it.
"""

from __future__ import annotations

import os
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field

from jygproj.io.cells import column_letter

#: Largest real inflated size of one member (bytes). The province's largest sheet XML: 12 MB.
MAX_PART_BYTES = 128 * 1024 * 1024
#: Largest real inflated size of all members of one workbook (bytes). The province's largest: 25 MB.
MAX_WORKBOOK_BYTES = 512 * 1024 * 1024
#: Largest sum over the sheets of (last used row × last used column): the cells calamine allocates.
#: 6 M cells ≈ 0.2 GiB of calamine's grid and as much again for the text columns (measured: a
#: workbook at the limit peaks at 0.8 GiB); the province's largest workbook uses 0.4 M.
MAX_GRID_CELLS = 6_000_000
#: Worksheet XML up to this size is kept after the scan, for the shape scan (hidden rows, merges),
#: so it is not inflated twice (workbook.SHAPE_SCAN_MAX_BYTES).
KEEP_XML_BYTES = 4 * 1024 * 1024

_CHUNK = 1 << 20
_OVERLAP = 64  # bytes carried between chunks, so a tag split by a chunk boundary is still seen
_MEDIA = (".png", ".jpeg", ".jpg", ".gif", ".bmp", ".emf", ".wmf", ".tif", ".tiff", ".bin", ".wdp", ".svg")
_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\sr="([A-Z]{1,4})(\d{1,8})"')


class BoundsError(Exception):
    """A workbook over a limit; ``code`` is a problems.CODES key, ``message`` Chinese, located."""

    def __init__(self, code: str, message: str, expected: str):
        super().__init__(message)
        self.code, self.message, self.expected = code, message, expected


@dataclass
class SheetScan:
    cells: int = 0
    last_row: int = 0  # 1-based; 0 = no cell
    last_col: int = 0  # 1-based
    far_cell: str | None = None  # the reference that sets the used range's far corner
    #: Cells calamine hands back empty although they hold something: Excel error values and formulas
    #: without a cached value — (Excel row 1-based, column 0-based, what the cell holds), in sheet order.
    non_values: list = field(default_factory=list)


@dataclass
class Scan:
    """What the scan found: per worksheet member its cells and used range; the XML kept for shapes."""

    sheets: dict[str, SheetScan] = field(default_factory=dict)
    xml: dict[str, bytes] = field(default_factory=dict)
    inflated_bytes: int = 0


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _digits_above(n: int) -> bytes:
    """A regex (bytes) matching a decimal number above ``n`` and not followed by a digit."""
    s = str(n)
    alts = [rb"[1-9]\d{%d,}" % len(s)]  # more digits
    for i, ch in enumerate(s):
        d = int(ch)
        if d < 9:
            rest = len(s) - i - 1
            alts.append(s[:i].encode() + (b"[%d-9]" % (d + 1)) + (rb"\d{%d}" % rest if rest else b""))
    return b"(?:" + b"|".join(alts) + rb")(?!\d)"


def _letters_above(n: int) -> bytes:
    """A regex (bytes) matching column letters after column ``n`` (1-based) and then a digit."""
    s = column_letter(n - 1).encode()
    alts = [rb"[A-Z]{%d,}" % (len(s) + 1)]
    for i, ch in enumerate(s):
        if ch < ord("Z"):
            rest = len(s) - i - 1
            alts.append(s[:i] + b"[" + bytes([ch + 1]) + b"-Z]" + (rb"[A-Z]{%d}" % rest if rest else b""))
    return b"(?:" + b"|".join(alts) + rb")(?=\d)"


def _beyond(prefix: bytes, last_row: int, last_col: int) -> re.Pattern:
    """A cell whose reference lies beyond (last_row, last_col), or a cell not starting with r="…" (then
    every reference must be read): one search pass per chunk."""
    return re.compile(b"<" + prefix + b'c(?:[>/]|\\s(?!r=")|\\sr="(?:' + _letters_above(last_col) + b"|[A-Z]{1,3}"
                      + _digits_above(last_row) + b"))")


#: An Excel error value: <c r="B7" t="e"><f>…</f><v>#REF!</v></c>.
_ERROR_CELL = re.compile(rb'<(?:\w+:)?c r="([A-Z]{1,3})(\d{1,7})"[^>]*?\st="e"[^>]*>(?:<(?:\w+:)?f\b[^>]*?(?:/>|>[^<]*</(?:\w+:)?f>))?'
                         rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
#: A formula without a cached value (a workbook written by a program and never opened in Excel).
_UNCACHED = re.compile(rb'<(?:\w+:)?c r="([A-Z]{1,3})(\d{1,7})"[^>]*>(?:<(?:\w+:)?f\b[^>]*?/>|<(?:\w+:)?f\b[^>]*>([^<]*)</(?:\w+:)?f>)'
                       rb"(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v></(?:\w+:)?v>)?</(?:\w+:)?c>")
#: Non-value cells kept per sheet (the first ones; the count is told).
MAX_NON_VALUES = 200
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="(?:[A-Z]+\d+:)?([A-Z]{1,4})(\d{1,8})"')
_LAST_REF = re.compile(rb'<(?:\w+:)?c r="([A-Z]{1,4})(\d{1,8})"')
_ROOT = re.compile(rb"<(\w+:)?worksheet\b")
_ANY_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
_ROW_OPEN = re.compile(rb"<(?:\w+:)?row[\s>]")
_ROW = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="(\d{1,8})"')


def _chunks(data: bytes, zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int):
    """The member's inflated bytes, 1 MiB at a time, stopping with BoundsError past ``cap`` bytes (the
    declared size is never trusted)."""
    produced = 0
    off = info.header_offset
    if info.compress_type == zipfile.ZIP_DEFLATED and not info.flag_bits & 1 and data[off:off + 4] == b"PK\x03\x04":
        name_len, extra_len = struct.unpack_from("<HH", data, off + 26)
        start = off + 30 + name_len + extra_len
        d = zlib.decompressobj(-15)
        pending = memoryview(data)[start:start + info.compress_size]
        while True:
            out = d.decompress(pending, _CHUNK)
            pending = d.unconsumed_tail
            if out:
                produced += len(out)
                if produced > cap:
                    raise _TooBig(produced)
                yield out
            elif not pending or d.eof:
                tail = d.flush()
                if tail:
                    produced += len(tail)
                    if produced > cap:
                        raise _TooBig(produced)
                    yield tail
                return
    else:
        with zf.open(info) as fh:
            while True:
                out = fh.read(_CHUNK)
                if not out:
                    return
                produced += len(out)
                if produced > cap:
                    raise _TooBig(produced)
                yield out


class _TooBig(Exception):
    def __init__(self, produced: int):
        self.produced = produced


def _mib(n: float) -> str:
    return f"{n / 1024 / 1024:,.0f} MB"


def scan_xlsx(data: bytes, zf: zipfile.ZipFile, sheet_members: dict[str, str]) -> Scan:
    """Inflate every member once, within the limits, and measure every worksheet. Raises BoundsError
    naming the member (and its sheet), what was found and the limit."""
    names_of = {m: n for n, m in sheet_members.items()}
    scan = Scan()
    total_cells = 0
    for info in zf.infolist():
        member = info.filename
        if member.endswith("/"):
            continue
        where = f"工作表“{names_of[member]}”（内部文件 {member}）" if member in names_of else f"内部文件 {member}"
        is_sheet = member in names_of or (member.startswith("xl/worksheets/") and member.endswith(".xml"))
        is_xml = not member.lower().endswith(_MEDIA)
        cap = min(MAX_PART_BYTES, MAX_WORKBOOK_BYTES - scan.inflated_bytes)
        try:
            sheet, xml = _scan_member(data, zf, info, cap, is_sheet, is_xml, where, scan)
        except _TooBig:
            raise BoundsError(
                "workbook_too_large",
                f"{where}解压后超过 {_mib(cap)}（压缩包目录中申报为 {_mib(info.file_size)}），"
                f"超过上限 {_mib(cap)}，疑似压缩炸弹，拒绝读取",
                f"每个内部文件解压后不超过 {_mib(MAX_PART_BYTES)}、全部不超过 {_mib(MAX_WORKBOOK_BYTES)} 的工作簿",
            ) from None
        if sheet is None:
            continue
        scan.sheets[member] = sheet
        if xml is not None and len(xml) <= KEEP_XML_BYTES:
            scan.xml[member] = xml
        area = sheet.last_row * sheet.last_col
        size = max(area, sheet.cells)
        total_cells += size
        if total_cells > MAX_GRID_CELLS:
            what = (f"已用区域到单元格 {sheet.far_cell}（{sheet.last_row:,} 行 × {sheet.last_col:,} 列，"
                    f"{area:,} 个单元格）" if area >= sheet.cells else f"含 {sheet.cells:,} 个单元格")
            tail = ("；常见原因：表格远处有误输入的孤立单元格，请在 Excel 中删除多余的行和列后另存再导入"
                    if area > 4 * max(sheet.cells, 1) else "；请分成几个工作簿导入")
            whole = "" if total_cells == size else f"，整个工作簿累计 {total_cells:,} 个"
            raise BoundsError(
                "workbook_too_large",
                f"{where}{what}{whole}，超过读取上限 {MAX_GRID_CELLS:,} 个单元格{tail}",
                f"每个工作簿的已用区域合计不超过 {MAX_GRID_CELLS:,} 个单元格",
            )
    return scan


def _inflate_whole(data: bytes, info: zipfile.ZipInfo, cap: int) -> bytes | None:
    """A deflated member's bytes in one zlib call (which lets go of the GIL for all of it) stopping
    at ``cap`` + 1 bytes (the declared size is never trusted), or None when the member is stored
    otherwise (then _chunks streams it)."""
    off = info.header_offset
    if info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & 1 or data[off:off + 4] != b"PK\x03\x04":
        return None
    name_len, extra_len = struct.unpack_from("<HH", data, off + 26)
    start = off + 30 + name_len + extra_len
    d = zlib.decompressobj(-15)
    out = d.decompress(memoryview(data)[start:start + info.compress_size], cap + 1)
    if len(out) > cap:
        raise _TooBig(len(out))
    return out


def _unsafe(xml: bytes, where: str) -> None:
    # "!" alone is found by memchr, ~10× faster than "<!" ("<" is every few bytes of XML)
    if b"!" in xml and (b"<!DOCTYPE" in xml or b"<!ENTITY" in xml):
        raise BoundsError("unsafe_xml", f"{where}含 DTD/实体声明，出于安全原因拒绝读取",
                          "不含 DTD 的普通 Excel 工作簿（用 Excel 或 WPS 另存为 .xlsx）")


def _rust_above(s: str, digit: bool) -> str:
    """The alternatives of _digits_above / _letters_above for Rust's regex engine (no look-around):
    a number (letters) above ``s``, as many characters or more."""
    hi, nxt = ("9", "[0-9]") if digit else ("Z", "[A-Z]")
    alts = ["[1-9][0-9]{%d,}" % len(s)] if digit else ["[A-Z]{%d,}" % (len(s) + 1)]
    for i, ch in enumerate(s):
        if ch < hi:
            rest = len(s) - i - 1
            alts.append(s[:i] + f"[{chr(ord(ch) + 1)}-{hi}]" + (nxt + "{%d}" % rest if rest else ""))
    return "(?:" + "|".join(alts) + ")"


#: The head of a sheet searched for its <dimension> on the whole-sheet path (it is the second element).
_HEAD = 64 * 1024


#: The process that imported this module: polars (whose thread pool does not survive a fork) is used
#: only there, never in a process forked from it (workbook.measure_xlsx in a worker).
_PID = os.getpid()


def _whole_sheet(xml: bytes) -> SheetScan | None:
    """The fast path on a whole sheet's XML, in one search by Rust's regex engine (polars: the GIL let
    go; ~1 GB/s, against ~0.3 GB/s for the per-chunk searches below): the <dimension> in the head, no
    cell before it, and then no cell beyond it or without its r="…" and no error value or formula
    anywhere. Then the used range is the dimension (as on the per-chunk path); None when anything
    else is found (or the XML is no UTF-8): the per-chunk path decides, as before."""
    if os.getpid() != _PID:
        return None
    m = _ROOT.search(xml, 0, _CHUNK)
    prefix = (m[1] or b"") if m else b""
    dim = _DIMENSION.search(xml, 0, _HEAD)
    if dim is None or _ANY_CELL.search(xml, 0, dim.start()):
        return None
    last_row, last_col = int(dim[2]), _col_number(dim[1])
    p = prefix.decode()
    pattern = (f't="e"|<{p}f|<{p}c(?:[>/]|\\s(?:[^r]|$|r(?:[^=]|$|=(?:[^"]|$)))'
               f'|\\sr="(?:{_rust_above(column_letter(last_col - 1), False)}[0-9]'
               f'|[A-Z]{{1,3}}{_rust_above(str(last_row), True)}(?:[^0-9]|$)))')
    import polars as pl

    try:
        # the bytes as a literal of pl.select, not a column of a frame: a one-cell frame of the XML cost
        # 2× the CPU (0.58-0.69 against 0.32 s over the province's 373 MB of sheets), most of it
        # with the GIL held (copies in to_frame and DataFrame.lazy)
        found = pl.select(pl.lit(pl.Series("x", [xml], dtype=pl.Binary)).cast(pl.String)
                          .str.contains(pattern)).item()
    except Exception:  # noqa: BLE001 - not UTF-8 (or anything else): the per-chunk path reads it
        return None
    if found:
        return None
    return SheetScan(last_row=last_row, last_col=last_col, far_cell=(dim[1] + dim[2]).decode())


def _scan_member(data, zf, info, cap, is_sheet, is_xml, where, scan):
    """(SheetScan or None, the sheet's XML when kept) of one member; raises BoundsError, _TooBig.
    A deflated sheet is inflated whole and tried on the whole-sheet path (_whole_sheet) first."""
    chunks = None
    if is_sheet and is_xml:
        whole = _inflate_whole(data, info, cap)
        if whole is not None:
            scan.inflated_bytes += len(whole)
            _unsafe(whole, where)
            sheet = _whole_sheet(whole)
            if sheet is not None:
                return sheet, whole
            chunks = [whole[k:k + _CHUNK] for k in range(0, len(whole), _CHUNK)]
    return _scan_chunks(data, zf, info, cap, is_sheet, is_xml, where, scan, chunks)


def _scan_chunks(data, zf, info, cap, is_sheet, is_xml, where, scan, chunks=None):
    """The per-chunk path: the member streamed (or ``chunks``, the whole-sheet path's bytes, already
    counted and searched for a DTD) 1 MiB at a time."""
    sheet = SheetScan() if is_sheet else None
    kept: list[bytes] = []
    carry = b""
    tag = None  # "<" and the sheet's namespace prefix
    beyond = None
    plain = True  # every cell starts with r="…" and none lies beyond the dimension: the fast path holds
    suspect = False  # an error value or a formula somewhere: read those cells at the end
    counted = chunks is not None
    for chunk in (chunks if counted else _chunks(data, zf, info, cap)):
        if not counted:
            scan.inflated_bytes += len(chunk)
        # What spans two chunks is in the seam: the previous chunk's last _OVERLAP bytes and this one's
        # first 2 × _OVERLAP (a few hundred bytes; the chunk itself is never copied).
        prev = carry
        seam = prev + chunk[:2 * _OVERLAP] if prev else b""
        if is_xml and not counted:
            _unsafe(chunk, where)
            _unsafe(seam, where)
        carry = (carry + chunk if len(chunk) < _OVERLAP else chunk)[-_OVERLAP:]  # the stream's last bytes
        if sheet is None:
            continue
        kept.append(chunk)
        if tag is None:
            m = _ROOT.search(chunk)
            tag = b"<" + ((m[1] or b"") if m else b"")
        if not suspect and any(n in chunk or n in seam for n in (b't="e"', tag + b"f")):
            suspect = True
        # On the fast path the cells are not counted: every one lies inside the dimension, so the grid
        # (the area) bounds them — a cell repeated at one reference costs calamine only its sparse
        # entry (~40 bytes, and the part is capped). Off it, _exact counts them.
        if not plain:
            continue
        if beyond is None:
            buf = prev + chunk if prev else chunk  # once per sheet: the dimension is in its head
            m = _DIMENSION.search(buf)
            if m is None:
                plain = not _ANY_CELL.search(buf)  # cells before any dimension: read every reference
                continue
            sheet.last_row, sheet.last_col = int(m[2]), _col_number(m[1])
            sheet.far_cell = (m[1] + m[2]).decode()
            beyond = _beyond(tag[1:], sheet.last_row, sheet.last_col)
        # A match in the chunk's last _OVERLAP bytes may be a tag cut by its end (`<c ` before its
        # `r="…"`): those bytes are searched again whole, in the next seam (or below, at the end).
        m = beyond.search(chunk)
        if m is not None and m.start() < len(chunk) - _OVERLAP:
            plain = False
        m = beyond.search(seam) if seam else None
        if m is not None and m.start() < len(prev):  # one starting in the chunk was searched just above
            plain = False
    if plain and beyond is not None and beyond.search(carry):
        plain = False
    if sheet is None:
        return None, None
    real = sum(len(c) for c in kept)
    xml = b"".join(kept) if (not plain or beyond is None or suspect or real <= KEEP_XML_BYTES) else None
    if not plain or beyond is None:
        sheet = _exact(xml)
    if suspect:
        sheet.non_values = _non_values(xml)
    return sheet, xml


def _non_values(xml: bytes) -> list:
    """(row, column, what) of the error values and uncached formulas, in sheet order."""
    found = []
    for m in _ERROR_CELL.finditer(xml):
        found.append((int(m[2]), _col_number(m[1]) - 1, m[3].decode("utf-8", "replace"), "error"))
    for m in _UNCACHED.finditer(xml):
        found.append((int(m[2]), _col_number(m[1]) - 1, "=" + (m[3] or b"").decode("utf-8", "replace"), "formula"))
    found.sort()
    return found[:MAX_NON_VALUES] + ([(0, 0, str(len(found) - MAX_NON_VALUES), "more")]
                                     if len(found) > MAX_NON_VALUES else [])


def _exact(xml: bytes) -> SheetScan:
    """The used range from every cell's own reference; a cell without one is placed after the
    previous cell of its row, as calamine places it (a row without ``r`` follows the previous row)."""
    out = SheetScan()
    row = col = pos = 0
    for m in _ANY_CELL.finditer(xml):
        out.cells += 1
        between = xml[pos:m.start()]
        if _ROW_OPEN.search(between):  # a new row opened since the previous cell
            rows = _ROW.findall(between)
            row, col = (int(rows[-1]) if rows else row + 1), 0
        pos = m.end()
        ref = _REF.match(xml, m.start(), xml.find(b">", m.start()) + 1 or len(xml))
        if ref:
            col, row = _col_number(ref[1]), int(ref[2])
        else:
            col += 1
        out.last_row = max(out.last_row, row)
        out.last_col = max(out.last_col, col)
    if out.last_row and out.last_col:
        out.far_cell = f"{column_letter(out.last_col - 1)}{out.last_row}"
    return out
