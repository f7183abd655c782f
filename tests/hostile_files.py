"""Hostile workbooks of issue 17 (points 2 and 3), generated — never committed as binaries.

    stray_cell(path, "XFD5000")            a register with one stray cell far away (openpyxl: honest <dimension>)
    stray_cell(path, "XFD5000", lie=True)  the same with <dimension> rewritten to the table's own range
    lying_part(path, inflated_bytes)       one sheet declaring 4 MB in the zip directory, inflating to far more
    many_sheets(path, 120, 8 MiB)          120 sheets each just under the declared-size rule's 8 MiB

The big ones are built from one deflate block repeated after full flushes (a full flush resets the
compressor, so the same input gives the same bytes again): a 3.5 GB part costs 3 MB of file and
milliseconds to write.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from pathlib import Path

from test_io_builders import build_register

_CT = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       b'<Default Extension="xml" ContentType="application/xml"/>'
       b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       b"%s</Types>")
_RELS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
         b"</Relationships>")
_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_R = b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def stray_cell(path: Path, ref: str, lie: bool = False) -> Path:
    """A small register (build_register) with one stray value at ``ref``; with ``lie`` its sheet's
    <dimension> is rewritten to the table's own range, so only the cells' references tell."""
    path = build_register(path.parent, cells={ref: "x"}, file=path.name)
    if lie:
        src = zipfile.ZipFile(path)
        members = {i.filename: src.read(i.filename) for i in src.infolist()}
        src.close()
        for name, body in members.items():
            if name.startswith("xl/worksheets/"):
                members[name] = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:K8"', body)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
            for name, body in members.items():
                out.writestr(name, body)
    return path


def _workbook_parts(n_sheets: int) -> list[tuple[str, bytes]]:
    sheets = b"".join(b'<sheet name="S%d" sheetId="%d" r:id="rId%d"/>' % (i, i, i) for i in range(1, n_sheets + 1))
    rels = b"".join(
        b'<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"'
        b' Target="worksheets/sheet%d.xml"/>' % (i, i) for i in range(1, n_sheets + 1))
    overrides = b"".join(
        b'<Override PartName="/xl/worksheets/sheet%d.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' % i
        for i in range(1, n_sheets + 1))
    return [
        ("[Content_Types].xml", _CT % overrides),
        ("_rels/.rels", _RELS),
        ("xl/workbook.xml", b'<?xml version="1.0" encoding="UTF-8"?><workbook %s %s><sheets>%s</sheets></workbook>'
         % (_NS, _R, sheets)),
        ("xl/_rels/workbook.xml.rels",
         b'<?xml version="1.0" encoding="UTF-8"?><Relationships '
         b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">%s</Relationships>' % rels),
    ]


def _write_zip(path: Path, members: list[tuple[str, bytes, int, int]]) -> Path:
    """A zip of (name, raw deflate bytes, crc, declared uncompressed size) — sizes as declared, whatever
    the bytes inflate to."""
    out = bytearray()
    central = bytearray()
    for name, raw, crc, size in members:
        n = name.encode()
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(raw), size, len(n), 0) + n + raw
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(raw), size,
                               len(n), 0, 0, 0, 0, 0, offset) + n
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out), 0)
    path.write_bytes(bytes(out + central + end))
    return path


def _deflated(body: bytes) -> tuple[bytes, int, int]:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(body) + c.flush(), zlib.crc32(body), len(body)


def _repeated(head: bytes, block: bytes, times: int, tail: bytes) -> bytes:
    """Raw deflate of head + block × times + tail, from one compression of ``block``."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    once = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    assert once == again  # a full flush resets the compressor: the block's bytes repeat
    return first + once * times + c.compress(tail) + c.flush()


def lying_part(path: Path, inflated_bytes: int = 3_500_000_000, declared_bytes: int = 4_000_000) -> Path:
    """One sheet whose zip directory says ``declared_bytes`` and whose data inflates to ``inflated_bytes``
    (rows of ten numbers, each row with its own reference... all called row 1: the cells are what costs)."""
    row = b'<row r="1">' + b"".join(b'<c r="%s1"><v>1</v></c>' % c for c in (b"A", b"B", b"C", b"D", b"E")) + b"</row>"
    block = row * ((1 << 20) // len(row))
    head = b'<?xml version="1.0" encoding="UTF-8"?><worksheet %s><dimension ref="A1:E1"/><sheetData>' % _NS
    raw = _repeated(head, block, max(1, inflated_bytes // len(block)), b"</sheetData></worksheet>")
    members = [(n, *_deflated(b)) for n, b in _workbook_parts(1)]
    members.append(("xl/worksheets/sheet1.xml", raw, 0, declared_bytes))
    return _write_zip(path, members)


def many_sheets(path: Path, n_sheets: int = 120, sheet_bytes: int = 8 * 1024 * 1024 - 4096) -> Path:
    """``n_sheets`` sheets of numbers, each just under ``sheet_bytes`` of XML (honest sizes, every rule
    of the zip directory passed: ratio below 200 is not checked under 8 MiB, total under 1 GiB)."""
    rows = []
    size = 0
    r = 0
    head = b'<?xml version="1.0" encoding="UTF-8"?><worksheet %s><dimension ref="A1:J%%d"/><sheetData>' % _NS
    while size < sheet_bytes - 2000:
        r += 1
        row = b'<row r="%d">' % r + b"".join(b'<c r="%s%d"><v>%d</v></c>' % (c, r, r * 10 + i)
                                             for i, c in enumerate(b"ABCDEFGHIJ"[k:k + 1] for k in range(10))) + b"</row>"
        rows.append(row)
        size += len(row)
    body = (head % r) + b"".join(rows) + b"</sheetData></worksheet>"
    raw, crc, n = _deflated(body)
    members = [(name, *_deflated(b)) for name, b in _workbook_parts(n_sheets)]
    members += [(f"xl/worksheets/sheet{i}.xml", raw, crc, n) for i in range(1, n_sheets + 1)]
    return _write_zip(path, members)
