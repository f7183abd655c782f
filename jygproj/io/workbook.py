"""Open a workbook safely and hand back every sheet as a grid of text cells with Excel coordinates.

Safety (issue 3, point 5):
- the file is read once into memory in binary read-only mode and never written; the checks and the
  reader see the same bytes;
- an .xlsx whose declared uncompressed size or compression ratio is absurd (zip bomb) is refused
  from the zip directory alone, before anything is expanded;
- the workbook's own XML (workbook.xml, its relationships) is parsed with defusedxml;
- before calamine is called, every member is inflated once, capped, and measured
  (jygproj.io.bounds, issue 17): its real inflated size, a DTD or entity anywhere in it, and each
  sheet's cells and used range from the cells' own references — a workbook calamine would need
  gigabytes for is refused naming the sheet and the far cell; calamine never expands entities;
- WPS .et files, password-protected workbooks and web pages saved as .xls get a clear error telling
  the user to save the file as .xlsx.

Cells come from fastexcel/calamine as strings (both .xlsx and .xls). calamine trims leading empty
rows and columns; the offsets are recovered so every problem names the real Excel row and column.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import threading
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import defusedxml.ElementTree as SafeET
import fastexcel

from jygproj.io import bounds, rules

#: Largest workbook file accepted (bytes). A city list is a few hundred KB; a province's, some MB.
MAX_FILE_BYTES = 256 * 1024 * 1024
#: Largest total declared uncompressed size of an .xlsx (bytes).
MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024
#: Largest compression ratio of a member larger than RATIO_MIN_BYTES. Sheet XML compresses ~10-30×;
#: a zip bomb ~1000×.
MAX_RATIO = 200
RATIO_MIN_BYTES = 8 * 1024 * 1024
MAX_MEMBERS = 10_000

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

_SAVE_AS = "请用 Excel 或 WPS 打开后“另存为” Excel 工作簿（.xlsx，不设密码）再导入"


class WorkbookError(Exception):
    """The workbook cannot be read at all; ``code`` is a problems.CODES key."""

    def __init__(self, code: str, message: str, expected: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.expected = expected

    def __reduce__(self):  # raised in the measuring process (measure_xlsx), re-raised in the reader's
        return WorkbookError, (self.code, self.message, self.expected)


class GridRows(Sequence):
    """A sheet's rows as tuples of text, converted from the polars frame a block at a time when first
    used: the column-wise readers touch only the header and the rows they hand back."""

    _BLOCK = 256

    def __init__(self, frame):
        self._frame = frame
        self._n = frame.height if frame.width else 0
        self._blocks: dict[int, list[tuple]] = {}

    def __len__(self) -> int:
        return self._n

    def _block(self, b: int) -> list[tuple]:
        rows = self._blocks.get(b)
        if rows is None:
            rows = self._blocks[b] = self._frame.slice(b * self._BLOCK, self._BLOCK).rows()
        return rows

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._n))]
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError(i)
        return self._block(i // self._BLOCK)[i % self._BLOCK]

    def __iter__(self):
        for b in range((self._n + self._BLOCK - 1) // self._BLOCK):
            yield from self._block(b)


@dataclass(frozen=True)
class SheetShape:
    """What calamine's cells do not say: hidden rows and columns and merged ranges, from the sheet's
    own XML (xlsx) or xlrd's formatting records (xls). Rows and columns are 0-based Excel indices;
    a merge is (first row, first column, last row, last column), inclusive. ``known`` is False when
    the sheet could not be examined (then nothing is known to be hidden or merged)."""

    hidden_rows: frozenset = frozenset()
    hidden_cols: frozenset = frozenset()
    merges: tuple = ()
    known: bool = True


UNKNOWN_SHAPE = SheetShape(known=False)


@dataclass
class RawSheet:
    """A sheet's cells as text. ``rows[i][j]`` is Excel row ``row_offset + i + 1``, column index
    ``col_offset + j`` (0-based, see cells.column_letter)."""

    name: str
    rows: Sequence  # list[tuple[str | None, ...]] or GridRows
    row_offset: int = 0
    col_offset: int = 0
    visible: bool = True
    notes: list[str] = field(default_factory=list)  # problems codes to report (e.g. row_numbers_uncertain)
    #: The same cells as a polars frame of strings (column j = grid column j), for the column-wise
    #: fast paths; None when the sheet was built by hand.
    frame: object = None
    #: Hidden rows and columns (grid indices) and merged ranges (grid coordinates, inclusive).
    hidden_rows: frozenset = frozenset()
    hidden_cols: frozenset = frozenset()
    merges: tuple = ()
    shape_known: bool = True
    #: Cells that hold no value the reader can use, at their Excel coordinates (1-based row, 0-based
    #: column, the cell's text, kind): error values and uncached formulas (bounds.SheetScan.non_values),
    #: oversized text and control characters (rules.odd_text_cells); read_sheet reports them.
    non_values: list = field(default_factory=list)

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0

    def set_shape(self, shape: SheetShape) -> None:
        """Hidden rows, columns and merges in grid coordinates (the Excel offsets taken off)."""
        r0, c0 = self.row_offset, self.col_offset
        self.shape_known = shape.known
        self.hidden_rows = frozenset(r - r0 for r in shape.hidden_rows if r >= r0)
        self.hidden_cols = frozenset(c - c0 for c in shape.hidden_cols if c >= c0)
        self.merges = tuple((a - r0, b - c0, c - r0, d - c0) for a, b, c, d in shape.merges
                            if c >= r0 and d >= c0 and (c > a or d > b))


def _check_bytes_kind(path: Path, data: bytes) -> str:
    """"xlsx" | "xls"; raises WorkbookError for what is not a readable Excel file."""
    suffix = path.suffix.lower()
    if suffix in (".et", ".ett"):
        raise WorkbookError(
            "wps_et_format", f"这是 WPS 表格专用格式（{suffix}），无法直接读取；{_SAVE_AS}", ".xlsx 或 .xls 文件"
        )
    head = data[:8]
    if head.startswith(_ZIP_MAGIC):
        return "xlsx"
    if head == _CFB_MAGIC:
        # An encrypted .xlsx is an OLE2 container holding EncryptionInfo + EncryptedPackage streams.
        if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
            raise WorkbookError("encrypted", f"工作簿设有打开密码（已加密），无法读取；{_SAVE_AS}", "未加密的 .xlsx")
        if "WpsCustomData".encode("utf-16-le") in data and suffix not in (".xls",):
            raise WorkbookError("wps_et_format", f"这是 WPS 表格专用格式，无法直接读取；{_SAVE_AS}", ".xlsx")
        return "xls"
    stripped = data[:2048].lstrip().lower()
    if stripped.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml")) or b"<html" in stripped:
        raise WorkbookError(
            "html_disguised", f"文件实际是网页（HTML/XML）格式，只是扩展名为 {suffix}；{_SAVE_AS}", "真正的 Excel 工作簿"
        )
    raise WorkbookError("not_excel", f"文件不是 Excel 工作簿（无法识别的格式）；{_SAVE_AS}", ".xlsx 或 .xls 文件")


def _check_zip(zf: zipfile.ZipFile) -> None:
    """Refuse a zip bomb from the declared sizes alone (nothing is expanded here)."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise WorkbookError("zip_bomb", f"工作簿包含 {len(infos)} 个内部文件，超过上限 {MAX_MEMBERS}，拒绝读取")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > RATIO_MIN_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise WorkbookError(
                "zip_bomb",
                f"工作簿内部文件 {info.filename} 压缩比异常（{info.compress_size} 字节解压为 {info.file_size} 字节），"
                "疑似压缩炸弹，拒绝读取",
            )
    if total > MAX_UNCOMPRESSED_BYTES:
        raise WorkbookError(
            "zip_bomb",
            f"工作簿解压后将达 {total / 1024 / 1024:.0f} MB，超过上限 {MAX_UNCOMPRESSED_BYTES // 1024 // 1024} MB，"
            "疑似压缩炸弹，拒绝读取",
        )
    names = {i.filename for i in infos}
    if "EncryptedPackage" in names:
        raise WorkbookError("encrypted", f"工作簿已加密，无法读取；{_SAVE_AS}")
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        raise WorkbookError("not_excel", f"压缩包里没有 Excel 工作簿内容（缺 xl/workbook.xml）；{_SAVE_AS}")


def _xlsx_sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → zip member of its XML, from workbook.xml and its relationships (defusedxml)."""
    try:
        wb = SafeET.fromstring(zf.read("xl/workbook.xml"), forbid_dtd=True)
        rels = SafeET.fromstring(zf.read("xl/_rels/workbook.xml.rels"), forbid_dtd=True)
    except KeyError:
        return {}
    except Exception as exc:  # defusedxml raises DTDForbidden/EntitiesForbidden; ParseError for junk
        raise WorkbookError("unsafe_xml", f"工作簿结构文件无法安全解析（{type(exc).__name__}）") from exc
    targets = {}
    for rel in rels.iter(f"{_NS_PKG_REL}Relationship"):
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[rel.get("Id")] = target
    out = {}
    for sheet in wb.iter(f"{_NS_MAIN}sheet"):
        rid = sheet.get(f"{_NS_REL}id")
        if rid in targets:
            out[sheet.get("name")] = targets[rid]
    return out


def _ref_to_rc(ref: str) -> tuple[int, int]:
    """"C12" → (11, 2), both 0-based."""
    col = 0
    i = 0
    while i < len(ref) and ref[i].isalpha():
        col = col * 26 + (ord(ref[i].upper()) - 64)
        i += 1
    return int(ref[i:]) - 1, col - 1


class _Growing:
    """A file read in chunks of 1 KiB, doubling up to what iterparse asks (16 KiB): the first value of
    a sheet is usually in its first kilobytes, and iterparse parses a whole chunk before it yields."""

    def __init__(self, fh):
        self._fh = fh
        self._size = 1024

    def read(self, n: int) -> bytes:
        size = min(n, self._size)
        self._size *= 2
        return self._fh.read(size)


def _xlsx_candidates(zf: zipfile.ZipFile, member: str, limit: int = 2000):
    """(row, col) of the first cells holding a value, in sheet order (0-based), streamed so only the
    top of the sheet is parsed."""
    found = 0
    row_idx = -1
    col_idx = -1
    with zf.open(member) as fh:
        for event, elem in SafeET.iterparse(_Growing(fh), events=("start", "end"), forbid_dtd=True):
            tag = elem.tag
            if event == "start":
                if tag == f"{_NS_MAIN}row":
                    r = elem.get("r")
                    row_idx = int(r) - 1 if r else row_idx + 1
                    col_idx = -1
                continue
            if tag == f"{_NS_MAIN}c":
                ref = elem.get("r")
                if ref:
                    row_idx, col_idx = _ref_to_rc(ref)
                else:
                    col_idx += 1
                v = elem.find(f"{_NS_MAIN}v")
                has = (v is not None and (v.text or "") != "") or any(
                    (t.text or "") for t in elem.iter(f"{_NS_MAIN}t")
                )
                if has:
                    yield row_idx, col_idx
                    found += 1
                    if found >= limit:
                        return
                elem.clear()
            elif tag == f"{_NS_MAIN}row":
                elem.clear()


def _xls_candidates(data: bytes, sheet_name: str, limit: int = 2000):
    import xlrd

    book = xlrd.open_workbook(file_contents=data, on_demand=True)
    sh = book.sheet_by_name(sheet_name)
    found = 0
    for r in range(sh.nrows):
        for c, cell in enumerate(sh.row(r)):
            if cell.ctype not in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK) and cell.value != "":
                yield r, c
                found += 1
                if found >= limit:
                    return


def _row_offset(candidates, first_row: tuple, col_offset: int) -> int | None:
    """calamine starts the grid at the first row holding a value; find it among the candidates and
    confirm that the grid's first row has a value in the same column."""
    for r, c in candidates:
        j = c - col_offset
        if 0 <= j < len(first_row) and first_row[j] is not None:
            return r
    return None


_ROW_TAG = re.compile(rb"<row\b[^>]*>")
_COL_TAG = re.compile(rb"<col\b[^>]*>")
_HIDDEN_ATTR = re.compile(rb'\bhidden="(?:1|true)"')
_R_ATTR = re.compile(rb'\br="(\d+)"')
_MIN_ATTR = re.compile(rb'\bmin="(\d+)"')
_MAX_ATTR = re.compile(rb'\bmax="(\d+)"')
_MERGE_TAG = re.compile(rb'<mergeCell\b[^>]*\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _member_xml(data: bytes, zf: zipfile.ZipFile, member: str) -> bytes:
    """A zip member's bytes inflated in one zlib call from the file's bytes (zlib releases the GIL
    for the whole inflate; zipfile's reader takes it back for every buffer it fills)."""
    info = zf.getinfo(member)
    if info.compress_type == zipfile.ZIP_DEFLATED and data[info.header_offset:info.header_offset + 4] == b"PK\x03\x04":
        name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
        start = info.header_offset + 30 + name_len + extra_len
        return zlib.decompress(data[start:start + info.compress_size], -15)
    return zf.read(member)


def _xlsx_shape(xml: bytes) -> SheetShape:
    """Hidden rows and columns and merged ranges of one sheet, from its XML; the regular expressions
    run only when the XML holds ``hidden=`` or ``<mergeCell`` at all (most sheets hold neither)."""
    hidden_rows: set[int] = set()
    hidden_cols: set[int] = set()
    merges: list[tuple[int, int, int, int]] = []
    known = True
    if b"hidden=" in xml:
        for m in _COL_TAG.finditer(xml):
            tag = m.group()
            lo, hi = _MIN_ATTR.search(tag), _MAX_ATTR.search(tag)
            if _HIDDEN_ATTR.search(tag) and lo and hi:
                hidden_cols.update(range(int(lo[1]) - 1, int(hi[1])))
        for m in _ROW_TAG.finditer(xml):
            tag = m.group()
            if _HIDDEN_ATTR.search(tag):
                r = _R_ATTR.search(tag)
                if r:
                    hidden_rows.add(int(r[1]) - 1)
                else:
                    known = False  # a hidden row without its number cannot be placed
    at = xml.rfind(b"<mergeCells")
    if at >= 0:
        for m in _MERGE_TAG.finditer(xml, at):
            a, b = int(m[2]) - 1, _col_index(m[1])
            c, d = (int(m[4]) - 1, _col_index(m[3])) if m[3] else (a, b)
            merges.append((a, b, c, d))
    return SheetShape(frozenset(hidden_rows), frozenset(hidden_cols), tuple(sorted(merges)), known)


def _xls_shapes(data: bytes) -> dict[str, SheetShape]:
    """The same from an .xls file's formatting records (xlrd, formatting_info)."""
    import xlrd

    book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    out = {}
    for name in book.sheet_names():
        sh = book.sheet_by_name(name)
        rows = frozenset(r for r, info in sh.rowinfo_map.items() if info.hidden)
        cols = frozenset(c for c, info in sh.colinfo_map.items() if info.hidden)
        merges = tuple(sorted((rlo, clo, rhi - 1, chi - 1) for rlo, rhi, clo, chi in sh.merged_cells))
        out[name] = SheetShape(rows, cols, merges, True)
    return out


#: Largest sheet XML (bytes, uncompressed) examined for hidden rows and merges. An office's form is a
#: few hundred KB (the sample's largest sheet: 0.1 MB); a sheet above this (about 4,000 rows) is a
#: machine export, whose examination would cost a second inflate of all of it (0.5 s of the province
#: load's 3.6 s): it is read without, and says so (shape_not_checked). Hidden columns, in the XML's
#: first bytes, are still read.
SHAPE_SCAN_MAX_BYTES = 4 * 1024 * 1024
_HEAD_BYTES = 64 * 1024


def _xlsx_head_shape(zf: zipfile.ZipFile, member: str) -> SheetShape:
    """Hidden columns of a sheet too large to examine whole (``<cols>`` precedes the rows)."""
    with zf.open(member) as fh:
        head = fh.read(_HEAD_BYTES)
    cols: set[int] = set()
    for m in _COL_TAG.finditer(head):
        tag = m.group()
        lo, hi = _MIN_ATTR.search(tag), _MAX_ATTR.search(tag)
        if _HIDDEN_ATTR.search(tag) and lo and hi:
            cols.update(range(int(lo[1]) - 1, int(hi[1])))
    return SheetShape(frozenset(), frozenset(cols), (), False)


def sheet_shapes(opened: "OpenedWorkbook") -> dict[str, SheetShape]:
    """Sheet name → its shape; a sheet that cannot be examined gets UNKNOWN_SHAPE (never an error:
    the cells are still read, and the sheet says its hidden rows were not checked)."""
    out: dict[str, SheetShape] = {}
    opened.scanned.wait()  # the bounded scan (bound_workbook) inflated the XML once already
    if opened.kind == "xlsx":
        if opened.scan is None:  # refused by the scan: nothing more is read
            return out
        for name, member in opened.parts.items():
            try:
                xml = opened.scan.xml.get(member)
                size = len(xml) if xml is not None else opened.zf.getinfo(member).file_size
                if size > SHAPE_SCAN_MAX_BYTES:
                    out[name] = _xlsx_head_shape(opened.zf, member)
                else:
                    out[name] = _xlsx_shape(xml if xml is not None else _member_xml(opened.data, opened.zf, member))
            except Exception:  # noqa: BLE001 - a nicety of layout, never a reason to refuse the cells
                out[name] = UNKNOWN_SHAPE
        return out
    try:
        return _xls_shapes(opened.data)
    except Exception:  # noqa: BLE001 - as above
        return {}


def read_bytes(path: Path) -> bytes:
    """The file's bytes, opened read-only (never modified)."""
    if not path.is_file():
        raise WorkbookError("file_missing", "文件不存在或不是普通文件", "存在的 .xlsx/.xls 文件")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise WorkbookError("file_too_large", f"文件大小 {size / 1024 / 1024:.0f} MB 超过上限 "
                            f"{MAX_FILE_BYTES // 1024 // 1024} MB")
    with open(path, "rb") as fh:
        return fh.read()


@dataclass
class OpenedWorkbook:
    """A workbook whose sheets calamine has parsed (load_sheet, done without the GIL) but not yet
    converted to polars frames (finish_workbook). The conversion (fastexcel builds the Arrow arrays)
    holds the GIL wherever it runs; the loader runs it in the worker that opened the workbook
    (dataset._open_whole), with the odd-text searches that let go of the GIL, so the reading thread
    only reads rows."""

    path: Path
    data: bytes
    kind: str
    zf: object  # zipfile.ZipFile | None
    parts: dict[str, str]
    sheets: list  # [(name, fastexcel sheet)]
    shapes: dict = field(default_factory=dict)  # sheet name → SheetShape
    #: What the bounded scan measured (bounds.Scan); None until it ran, or when it refused the file.
    scan: object = None
    scanned: threading.Event = field(default_factory=threading.Event)
    #: A Future of measure_xlsx(data, parts) started in a worker process by a caller, or None (the loader,
    #: dataset._opened_ahead, now scans in its parsing thread).
    measured: object = None
    #: sha256 of the bytes (the loader's test for a file sent twice), taken after calamine's parse in the
    #: opening thread: hashlib lets go of the GIL, so it runs beside the reading thread's checks (0.2 s a province).
    digest: str | None = None
    #: (RawSheets, None) or (None, the exception) of finish_workbook, when a worker ran it ahead
    #: (dataset._open_whole); None when the reading thread is to run it.
    finished: tuple | None = None
    #: (sheet names, SheetResults, problems) of the sheets read by the worker that finished them, or
    #: the exception the reading raised (dataset._open_whole); None when the reading thread reads them.
    read_ahead: object = None


def check_workbook(path: Path) -> OpenedWorkbook:
    """The file's bytes and the checks of its zip directory (kind, declared zip bomb, sheet parts);
    no member inflated, no sheet parsed yet (bound_workbook then parse_sheets). Raises WorkbookError. Pure Python: the loader runs it in the reading
    thread, where each file read or inflate would otherwise hand the GIL back and wait for it."""
    data = read_bytes(path)
    kind = _check_bytes_kind(path, data)
    parts: dict[str, str] = {}
    zf = None
    if kind == "xlsx":
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as exc:
            raise WorkbookError("not_excel", f"文件已损坏，无法作为 .xlsx 打开；{_SAVE_AS}") from exc
        _check_zip(zf)
        parts = _xlsx_sheet_parts(zf)
    opened = OpenedWorkbook(path, data, kind, zf, parts, [])
    if kind != "xlsx":
        opened.scanned.set()
    return opened


def bound_workbook(opened: OpenedWorkbook) -> OpenedWorkbook:
    """The bounded scan of an .xlsx (jygproj.io.bounds: real inflated sizes, DTDs anywhere, cells and
    used ranges from the cells' own references), before calamine is called. Raises WorkbookError."""
    try:
        if opened.kind == "xlsx" and opened.scan is None and opened.measured is not None:
            opened.scan, opened.shapes = _measured(opened)
        elif opened.kind == "xlsx" and opened.scan is None:
            opened.scan = bounds.scan_xlsx(opened.data, opened.zf, opened.parts)
    except bounds.BoundsError as exc:
        raise WorkbookError(exc.code, exc.message, exc.expected) from None
    finally:
        opened.scanned.set()
    return opened


def measure_xlsx(data: bytes, parts: dict[str, str]) -> tuple:
    """(bounds.Scan, shapes) of an .xlsx's bytes: the bounded scan, then the sheets' shapes from the XML
    it inflated. A pure function of the bytes, so the loader runs it in a worker process beside the
    reading thread (the scan's searches hold the GIL: 1.9 CPU s over the province's 374 MB of XML, taken
    from the rows' checks when run in a thread); the XML is dropped before returning (only the small
    results cross back). In a forked process bounds keeps to its Python searches (polars' thread pool
    does not survive a fork); the loader now runs the scan in a thread instead. Raises WorkbookError."""
    opened = OpenedWorkbook(Path(), data, "xlsx", zipfile.ZipFile(io.BytesIO(data)), parts, [])
    bound_workbook(opened)
    shapes = sheet_shapes(opened)
    opened.scan.xml = {}
    return opened.scan, shapes


def _measured(opened: OpenedWorkbook) -> tuple:
    """measure_xlsx's result from the worker process, or, if the worker died (killed from outside), the
    same work done here."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        return opened.measured.result()
    except BrokenProcessPool:
        return measure_xlsx(opened.data, opened.parts)


def parse_sheets(opened: OpenedWorkbook) -> OpenedWorkbook:
    """calamine's parse of every sheet of a checked workbook (without the GIL), after the bounded
    scan. Raises WorkbookError."""
    bound_workbook(opened)
    try:
        reader = fastexcel.read_excel(opened.data)
    except Exception as exc:  # calamine's errors are one class; read the message for the cause
        text = str(exc).lower()
        if "password" in text or "encrypt" in text:
            raise WorkbookError("encrypted", f"工作簿设有密码，无法读取；{_SAVE_AS}") from exc
        raise WorkbookError("unreadable", f"工作簿无法读取（{str(exc).splitlines()[0]}）；{_SAVE_AS}") from exc
    sheets = []
    for name in reader.sheet_names:
        try:
            sheet = reader.load_sheet(name, header_row=None, dtypes="string")
        except Exception as exc:
            text = str(exc).lower()
            if "password" in text or "encrypt" in text:
                raise WorkbookError("encrypted", f"工作簿设有密码，无法读取；{_SAVE_AS}") from exc
            raise WorkbookError("unreadable", f"工作表“{name}”无法读取（{str(exc).splitlines()[0]}）") from exc
        sheets.append((name, sheet))
    opened.sheets = sheets
    opened.digest = hashlib.sha256(opened.data).hexdigest()
    return opened


def parse_workbook(path: Path) -> OpenedWorkbook:
    """Checks, calamine's parse of every sheet and the sheets' shapes (hidden rows, columns, merges);
    no polars frame yet. Raises WorkbookError."""
    opened = parse_sheets(check_workbook(path))
    opened.shapes = sheet_shapes(opened)
    return opened


def finish_workbook(opened: OpenedWorkbook) -> list[RawSheet]:
    """Every sheet of a parsed workbook as a RawSheet, in workbook order."""
    data, kind, zf, parts = opened.data, opened.kind, opened.zf, opened.parts
    out: list[RawSheet] = []
    for name, sheet in opened.sheets:
        visible = str(sheet.visible) == "visible"
        cols = sheet.available_columns()
        frame = sheet.to_polars()
        rows = GridRows(frame) if frame.width else []
        col_offset = cols[0].absolute_index if cols else 0
        raw = RawSheet(name=name, rows=rows, col_offset=col_offset, visible=visible,
                       frame=frame if frame.width else None)
        if rows:
            try:
                if kind == "xlsx" and name in parts:
                    cands = _xlsx_candidates(zf, parts[name])
                else:
                    cands = _xls_candidates(data, name)
                off = _row_offset(cands, rows[0], col_offset)
            except WorkbookError:
                raise
            except Exception:  # noqa: BLE001 - offsets are a nicety; the data is still read
                off = None
            if off is None:
                raw.notes.append("row_numbers_uncertain")
                off = 0
            raw.row_offset = off
            raw.set_shape(opened.shapes.get(name, UNKNOWN_SHAPE))
            raw.non_values = rules.odd_text_cells(frame, raw.row_offset, col_offset)
        scanned = opened.scan.sheets.get(parts.get(name)) if opened.scan is not None else None
        if scanned is not None:
            raw.non_values = scanned.non_values + raw.non_values
        out.append(raw)
    return out


def open_workbook(path: Path) -> list[RawSheet]:
    """Every sheet of the workbook as a RawSheet, in workbook order. Raises WorkbookError."""
    return finish_workbook(parse_workbook(path))
