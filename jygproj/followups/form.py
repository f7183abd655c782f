"""The reply form 整改落实情况反馈表 sent with each reminder letter, and the analyst's closure record
督办销号记录 — workbooks read back by jygproj.io.followup_books.

The reply form lists the unit's open items, each with its 督办编号, the project or list, the problem
and when it was first raised (locked: written by the tool); the unit fills in, per item, its
measures 整改措施, the responsible person 责任人, the promised completion date 承诺完成时间 (date
cells), its progress 整改进展 (drop-down) and a short explanation 情况说明, and the 填报日期 above the
table. Like the input templates (jygproj.templates): a locked header, unlocked and formatted cells
to fill, drop-downs, a 填报说明 sheet. The same bytes for the same items (the closure record through
deterministic_bytes, the reply form written by xlsxwriter with a fixed creation time).
"""

from __future__ import annotations

import datetime as dt
from copy import copy
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping

from openpyxl.styles import Protection
from openpyxl.utils import get_column_letter
from xlsxwriter.utility import xl_range

from jygproj import outputs
from jygproj.export import put_cell, text_lines
from jygproj.catalogue import FOLLOWUP_FOLDER
from jygproj.office import load_office
from jygproj.print_setup import a4_page_setup, a4_xlsxwriter
from jygproj.report.formats import date_zh
from jygproj.sample.xlsx import (
    BODY_FONT, BORDER, CENTER, FIXED_TIME, HEADER_FILL, HEADER_FONT, LEFT, TITLE_FONT, deterministic_bytes,
    new_workbook,
)
from jygproj.schema import FOLLOWUP_PROGRESS_CHOICES

SHEET = "整改反馈"
CLOSURE_SHEET = "销号记录"
GUIDE_SHEET = "填报说明"  # read as instructions, never data (schema.INSTRUCTION_SHEETS)
TITLE_SUFFIX = "整改落实情况反馈表"
CLOSURE_TITLE = "督办事项销号记录"
HEADER_ROW = 5

#: (header, width, filled by the unit)
COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("序号", 6, False), ("督办编号", 16, False), ("项目名称", 28, False), ("督办问题", 44, False),
    ("首次提出", 12, False), ("整改措施", 38, True), ("责任人", 16, True), ("承诺完成时间", 14, True),
    ("整改进展", 14, True), ("情况说明", 32, True),
)  # 220 characters wide: one landscape A4 page across at 60% (jygproj.print_setup), as a unit prints it
CLOSURE_COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 6), ("督办编号", 16), ("责任单位", 18), ("督办问题", 48), ("销号日期", 14), ("销号理由", 48), ("经办人", 12),
)
GUIDE_WIDTH = 110  # characters: the 填报说明 sheet's one column
FILL_ROWS = 20  # spare unlocked rows under the items (a unit may split an item's answer)

GUIDE = (
    "填报说明",
    "",
    "一、本表随提醒函下发，依据{plan}三(三)“发现问题及时反馈整改”。请于{deadline}前填报并报送{issuer}。",
    "二、“督办编号”“项目名称”“督办问题”“首次提出”由系统填写，请勿修改；每个督办编号填写一行。",
    "三、请逐项填写整改措施、责任人（姓名及职务）、承诺完成时间（日期格式，如 {year}-10-31）、整改进展（下拉选择）和情况说明。",
    "四、请在表头“填报日期”右侧单元格填写报送日期；同一事项再次报送（补充或更新）时，重新填写本表并注明新的填报日期，原表不必删除。",
    "五、督办事项是否销号，以调度数据显示问题消除或我委书面销号为准；“整改进展”选择“已完成整改”不等于销号。",
)


@dataclass(frozen=True)
class FormItem:
    item_id: str
    name: str  # the project's name, or the list the problem is about
    problem: str
    opened_on: dt.date


@dataclass(frozen=True)
class Answer:
    """What a unit writes for one item (the sample's units fill the form with these)."""

    measures: str | None = None
    responsible_person: str | None = None
    promised_on: dt.date | str | None = None
    progress: str | None = None
    explanation: str | None = None


def title(letter_title: str) -> str:
    return f"{letter_title}{TITLE_SUFFIX}"


def _cell(ws, row: int, col: int, value, *, font=BODY_FONT, align=LEFT, border=True, locked=True,
          number_format: str | None = None, styles: dict | None = None):
    """One styled cell. ``styles`` (one dict per workbook) keeps each look's style indices once made:
    openpyxl hashes every font, border and alignment at each assignment, which made a province's
    1,247 reply forms take half a minute; the cached indices are those the assignments give, so the
    bytes are the same."""
    c = ws.cell(row=row, column=col, value=value)
    key = (id(font), id(align), border, locked, number_format)
    if styles is not None and key in styles:
        c._style = copy(styles[key])
        return c
    c.font, c.alignment = font, align
    if border:
        c.border = BORDER
    c.protection = Protection(locked=locked)
    if number_format:
        c.number_format = number_format
    if styles is not None:
        styles[key] = copy(c._style)
    return c


def write_reply_form(path: Path | str, unit: str, items: Iterable[FormItem], *, letter_title: str, review_label: str,
                     issued_on: dt.date, deadline: dt.date, plan_name: str, issuer: str | None = None,
                     answers: Mapping[str, Answer] | None = None, replied_on: dt.date | None = None,
                     atomic: bool = True, probe: bool = True) -> Path:
    """Write one unit's reply form; ``answers`` and ``replied_on`` fill it in (the sample's replies).
    ``probe`` False: written by xlsxwriter at once, not from a probe (the caller knows no other form of
    the run has as many items: the probe would be written for this form alone, and cut up besides).

    Written with xlsxwriter: a province run writes one per unit due a letter (1,247 of them), and
    openpyxl's save cost 20–30 ms a form against 3–4 ms; the same bytes for the same items (the
    creation time is FIXED_TIME, xlsxwriter stamps the archive's entries with a fixed date)."""
    items = list(items)
    answers = answers or {}
    issuer = issuer or load_office().issuer
    path = Path(path)
    args = (unit, items, answers, replied_on, letter_title, review_label, issued_on, deadline, plan_name, issuer)
    fast = _from_skeleton(*args) if probe else None  # a run's blank form: the same bytes, from a probe made once per run
    if fast is not None:
        if atomic:
            return outputs.write_atomic(path, fast)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(fast)
        return path
    if atomic:  # a run's output: through a temporary file, with the one output file mode
        return outputs.write_atomic(path, lambda tmp: _write_reply_form(tmp, *args))
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_reply_form(path, *args)
    return path


def _row_height(lines: int) -> float:
    """Points for a row of ``lines`` wrapped lines of the body font (a fixed 15-point row hides all but
    the first line of a long problem)."""
    return 15 * lines + 4


def _write_reply_form(target: Path, unit: str, items: list[FormItem], answers: Mapping[str, Answer],
                      replied_on: dt.date | None, letter_title: str, review_label: str, issued_on: dt.date,
                      deadline: dt.date, plan_name: str, issuer: str) -> list[str]:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(target), {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                           "strings_to_numbers": False})
    wb.set_properties({"author": issuer, "created": FIXED_TIME})
    looks: dict[tuple, object] = {}

    def look(font=BODY_FONT, align=LEFT, border=True, locked=True, number_format=None, fill=None):
        """The xlsxwriter format of the openpyxl look the sample's workbooks use (jygproj.sample.xlsx)."""
        key = (id(font), id(align), border, locked, number_format, id(fill))
        if key not in looks:
            looks[key] = wb.add_format(_xlsxwriter_props(font, align, border, locked, number_format, fill))
        return looks[key]

    ws = wb.add_worksheet(SHEET)
    n = len(COLUMNS)
    ws.merge_range(0, 0, 0, n - 1, title(letter_title), look(TITLE_FONT, CENTER, border=False))
    ws.set_row(0, 30)
    ws.merge_range(1, 0, 1, 3, f"反馈单位：{unit}", look(border=False))
    ws.merge_range(2, 0, 2, n - 1, f"对应提醒函：{issuer}{date_zh(issued_on)}印发（{review_label}）；"
                   f"请于{date_zh(deadline)}前填报并报送", look(border=False))
    ws.write_string(3, 0, "填报日期：", look(border=False))
    put_cell(ws, 3, 1, replied_on, look(locked=False, number_format="yyyy-mm-dd"))
    for j, (head, width, _) in enumerate(COLUMNS):
        ws.write_string(HEADER_ROW - 1, j, head, look(HEADER_FONT, CENTER, fill=HEADER_FILL))
        ws.set_column(j, j, width)
    ws.set_row(HEADER_ROW - 1, 30)
    first = HEADER_ROW  # 0-based: the row under the header
    for k, item in enumerate(items):
        a = answers.get(item.item_id, Answer())
        fixed = (k + 1, item.item_id, item.name, item.problem, item.opened_on)
        filled = (a.measures, a.responsible_person, a.promised_on, a.progress, a.explanation)
        values = (*fixed, *filled)
        # as tall as its longest wrapped text
        lines = max((text_lines(v, w) for v, (_, w, _) in zip(values, COLUMNS) if isinstance(v, str)), default=1)
        ws.set_row(first + k, _row_height(lines))
        for j, value in enumerate(values):
            head, _, unit_fills = COLUMNS[j]
            put_cell(ws, first + k, j, value, look(locked=not unit_fills, align=CENTER if j in (0, 1, 4, 7, 8) else LEFT,
                                               number_format="yyyy-mm-dd" if head in ("首次提出", "承诺完成时间") else None))
    last = first + len(items) + FILL_ROWS - 1
    for r in range(first + len(items), last + 1):
        for j, (head, _, _) in enumerate(COLUMNS):
            ws.write_blank(r, j, None, look(locked=False, number_format="yyyy-mm-dd" if head == "承诺完成时间" else None))
    col = {h: j for j, (h, _, _) in enumerate(COLUMNS)}
    ws.data_validation(first, col["整改进展"], last, col["整改进展"], {
        "validate": "list", "source": list(FOLLOWUP_PROGRESS_CHOICES), "ignore_blank": True, "show_error": True,
        "error_title": "输入值无效", "error_message": "请从下拉列表中选择“整改进展”。",
        "input_title": "整改进展", "input_message": "请从下拉列表中选择", "show_input": False})
    h = col["承诺完成时间"]
    ws.data_validation(first, h, last, h, {
        "validate": "date", "criteria": ">", "value": dt.date(2000, 1, 1),  # serial 36526
        "ignore_blank": True, "show_error": True, "error_title": "输入值无效", "error_message": "请填写日期，如 2023-10-31。",
        "show_input": False, "multi_range": f"{xl_range(first, h, last, h)} B4"})
    ws.freeze_panes(first, 2)
    a4_xlsxwriter(ws, HEADER_ROW - 1, [width for _, width, _ in COLUMNS])
    ws.set_footer("&C&\"宋体\"&9第 &P 页，共 &N 页")
    ws.protect("", {"insert_rows": True, "format_columns": True, "format_rows": True})
    guide = wb.add_worksheet(GUIDE_SHEET)
    guide.set_column(0, 0, GUIDE_WIDTH)
    a4_xlsxwriter(guide, 0, [GUIDE_WIDTH])
    values = dict(plan=plan_name, deadline=date_zh(deadline), issuer=issuer, year=issued_on.year)
    for i, text in enumerate(GUIDE):
        guide.write_string(i, 0, text.format(**values), look(border=False))
        guide.set_row(i, _row_height(text_lines(text.format(**values), GUIDE_WIDTH)))
    wb.close()
    return list(wb.str_table.string_array)  # the shared strings in index order (for _skeleton)


# --- a run's blank forms without xlsxwriter's per-file work -------------------------------------------
#
# A province run writes 1,247 blank forms (no answers, no 填报日期), differing in the unit's name and
# its items only. xlsxwriter spent ~5 ms on each (formats, every cell through its XML writer, eleven
# parts zipped). Instead one form with the same number of items (a probe) is written by
# _write_reply_form once per run and item count, and each unit's form is that probe with its own
# item rows, shared strings and guide-sheet string indices: every other part (styles, workbook,
# print set-up, header and fill rows, validations, protection) is the probe's bytes, and the zip is
# written as xlsxwriter writes it (same member order, dates and compression) — so a form is byte for
# byte the one xlsxwriter makes (tests/test_reply_form_fast.py compares them). Any other form (answers
# filled, a 填报日期, values not of the plain types, over-long text) is written by xlsxwriter.

_PLAIN_MAX = 16_000  # characters: far under Excel's 32,767 (xlsxwriter truncates beyond it)
_PROBE_DATE = dt.date(2023, 1, 1)


@dataclass(frozen=True)
class _Member:
    """One part of the probe's archive: its local header and central-directory entry as zipfile wrote
    them, and its deflated bytes (None: the unit's own part, deflated for each form)."""

    name: str
    header: bytes
    central: bytes
    data: bytes | None


@dataclass(frozen=True)
class _Skeleton:
    members: tuple["_Member", ...]  # in the archive's order
    end: bytes  # the probe's end-of-central-directory record
    head: str  # sheet1.xml up to the first item row (header rows included)
    tail: str  # sheet1.xml from the first fill row on
    styles: tuple[str, ...]  # the item row's cell style indices, columns A..J
    guide_parts: tuple[str, ...]  # sheet2.xml cut around each string index
    guide_strings: tuple[str, ...]  # the strings those indices stand for, in order
    fixed_strings: tuple[str, ...]  # the strings before the items (title, unit line, …, headers)


_SHEET1, _SHEET2, _SST = "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/sharedStrings.xml"


def _is_plain(items: list[FormItem]) -> bool:
    return all(type(i.item_id) is str and type(i.name) is str and type(i.problem) is str
               and type(i.opened_on) is dt.date and max(len(i.item_id), len(i.name), len(i.problem)) <= _PLAIN_MAX
               for i in items)


def _from_skeleton(unit: str, items: list[FormItem], answers: Mapping[str, Answer], replied_on: dt.date | None,
                   letter_title: str, review_label: str, issued_on: dt.date, deadline: dt.date, plan_name: str,
                   issuer: str) -> bytes | None:
    """The form's bytes from the run's probe, or None when xlsxwriter must write it."""
    if not items or replied_on is not None or any(a != Answer() for a in answers.values()) \
            or len(unit) > _PLAIN_MAX or not _is_plain(items):
        return None
    sk = _skeleton(len(items), letter_title, review_label, issued_on, deadline, plan_name, issuer)
    return None if sk is None else _from_parts(sk, unit, items)


def _from_parts(sk: "_Skeleton", unit: str, items: list[FormItem]) -> bytes | None:
    from xlsxwriter.sharedstrings import SharedStringTable
    from xlsxwriter.utility import _datetime_to_excel_datetime

    table = SharedStringTable()
    index = table._get_shared_string_index
    fixed = (sk.fixed_strings[0], f"反馈单位：{unit}", *sk.fixed_strings[2:])
    if [index(s) for s in fixed] != list(range(len(fixed))):  # the probe's header rows hold 0, 1, …
        return None
    s = sk.styles
    rows = []
    for k, item in enumerate(items):
        r = HEADER_ROW + k + 1  # Excel's row number
        lines = max(text_lines(item.item_id, COLUMNS[1][1]), text_lines(item.name, COLUMNS[2][1]),
                    text_lines(item.problem, COLUMNS[3][1]))
        ht = f"{int(_row_height(lines) * 4.0 / 3.0 + 0.5) * 0.75:.16g}"  # as xlsxwriter's set_row writes it
        serial = _datetime_to_excel_datetime(item.opened_on, False, False)
        rows.append(
            f'<row r="{r}" spans="1:10" ht="{ht}" customHeight="1"><c r="A{r}" s="{s[0]}"><v>{k + 1:.16G}</v></c>'
            f'<c r="B{r}" s="{s[1]}" t="s"><v>{index(item.item_id)}</v></c>'
            f'<c r="C{r}" s="{s[2]}" t="s"><v>{index(item.name)}</v></c>'
            f'<c r="D{r}" s="{s[3]}" t="s"><v>{index(item.problem)}</v></c>'
            f'<c r="E{r}" s="{s[4]}"><v>{serial:.16G}</v></c>'
            + "".join(f'<c r="{c}{r}" s="{s[j]}"/>' for j, c in enumerate("FGHIJ", 5)) + "</row>")
    guide = sk.guide_parts[0] + "".join(f"{index(g)}{part}" for g, part in zip(sk.guide_strings, sk.guide_parts[1:]))
    parts = {_SHEET1: sk.head + "".join(rows) + sk.tail, _SHEET2: guide, _SST: _sst_xml(table)}
    return _archive(sk, {name: xml.encode("utf-8") for name, xml in parts.items()})


def _archive(sk: "_Skeleton", own: Mapping[str, bytes]) -> bytes:
    """The probe's archive with the unit's own parts: the probe's deflated parts copied as they are,
    the unit's deflated as zipfile deflates them (one compress and flush at the default level), each
    header's CRC, sizes and offset set — the bytes zipfile writes for the same parts."""
    import struct
    import zlib

    records, central, pos = [], [], 0
    for m in sk.members:
        if m.data is None:
            raw = own[m.name]
            z = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
            data = z.compress(raw) + z.flush()
            sizes = struct.pack("<3L", zlib.crc32(raw), len(data), len(raw))
            header, entry = m.header[:14] + sizes + m.header[26:], m.central[:16] + sizes + m.central[28:]
        else:
            data, header, entry = m.data, m.header, m.central
        records += (header, data)
        central.append(entry[:42] + struct.pack("<L", pos) + entry[46:])
        pos += len(header) + len(data)
    directory = b"".join(central)
    return b"".join(records) + directory + sk.end[:12] + struct.pack("<2L", len(directory), pos) + sk.end[20:]


def _sst_xml(table) -> str:
    """sharedStrings.xml as xlsxwriter writes it (its own writer)."""
    import io
    from xlsxwriter.sharedstrings import SharedStrings

    table._sort_string_data()
    sst = SharedStrings()
    sst.string_table = table
    fh = io.StringIO()
    sst._set_filehandle(fh)
    sst._assemble_xml_file()
    return fh.getvalue()


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    """The archive as xlsxwriter writes it in memory: each part deflated, dated 1980-01-01."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=False) as z:
        for name, blob in members:
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.compress_type = z.compression
            z.writestr(info, blob)
    return out.getvalue()


@lru_cache(maxsize=64)
def _skeleton(n: int, letter_title: str, review_label: str, issued_on: dt.date, deadline: dt.date, plan_name: str,
              issuer: str) -> _Skeleton | None:
    """The probe of ``n`` items written by xlsxwriter, cut where each unit's form differs (None when
    its layout is not the one expected: every form is then written by xlsxwriter)."""
    import io
    import re
    import struct
    import tempfile
    import zipfile

    probe = [FormItem(f"\ue000{k}", f"\ue001{k}", f"\ue002{k}", _PROBE_DATE) for k in range(n)]
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "probe.xlsx"
        array = _write_reply_form(target, "\ue003", probe, {}, None, letter_title, review_label, issued_on,
                                    deadline, plan_name, issuer)
        blob = target.read_bytes()
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        infos = z.infolist()
        parts = {i.filename: z.read(i.filename) for i in infos}
    if _zip(list(parts.items())) != blob or not {_SHEET1, _SHEET2, _SST} <= parts.keys() \
            or any(i.file_size >= 2 ** 31 or i.compress_size >= 2 ** 31 for i in infos):
        return None  # not the archive _zip writes
    members, cd = [], blob.index(b"PK\x01\x02")  # the central directory follows the last part
    for i in infos:
        start = i.header_offset
        name_len, extra_len = struct.unpack("<2H", blob[start + 26:start + 30])
        header = blob[start:start + 30 + name_len + extra_len]
        c_n, c_e, c_c = struct.unpack("<3H", blob[cd + 28:cd + 34])
        entry = blob[cd:cd + 46 + c_n + c_e + c_c]
        cd += len(entry)
        data = blob[start + len(header):start + len(header) + i.compress_size]
        members.append(_Member(i.filename, header, entry, None if i.filename in (_SHEET1, _SHEET2, _SST) else data))
    end = blob[cd:]
    if len(end) != 22 or not end.startswith(b"PK\x05\x06"):
        return None
    sheet1, sheet2 = parts[_SHEET1].decode("utf-8"), parts[_SHEET2].decode("utf-8")
    first, fill = HEADER_ROW + 1, HEADER_ROW + 1 + n
    try:
        cut, cut_fill = sheet1.index(f'<row r="{first}" '), sheet1.index(f'<row r="{fill}" ')
    except ValueError:
        return None
    row = re.findall(r'<c r="([A-J])' + str(first) + r'" s="(\d+)"', sheet1[cut:cut_fill])
    if [c for c, _ in row] != list("ABCDEFGHIJ"):
        return None
    pieces = re.split(r'(?<= t="s"><v>)(\d+)(?=</v></c>)', sheet2)
    guide = tuple(array[int(i)] for i in pieces[1::2])
    fixed = tuple(array[:4 + len(COLUMNS)])
    sk = _Skeleton(tuple(members), end, sheet1[:cut], sheet1[cut_fill:], tuple(s for _, s in row), tuple(pieces[0::2]), guide, fixed)
    # the probe made again from its skeleton must be the probe: else xlsxwriter writes every form
    if _from_parts(sk, "\ue003", probe) != blob:
        return None
    return sk


def _xlsxwriter_props(font, align, border: bool, locked: bool, number_format: str | None, fill) -> dict:
    """An openpyxl font, alignment and fill (the shared looks of jygproj.sample.xlsx) as xlsxwriter's
    format properties: one home for the look, whichever library writes the workbook."""
    props = {"font_name": font.name, "font_size": font.size, "bold": bool(font.b), "text_wrap": bool(align.wrap_text),
             "align": align.horizontal, "valign": {"center": "vcenter"}.get(align.vertical, align.vertical),
             "locked": locked}
    if border:
        props.update(border=1, border_color="#" + BORDER.left.color.rgb[-6:])
    if number_format:
        props["num_format"] = number_format
    if fill is not None:
        props.update(pattern=1, bg_color="#" + fill.fgColor.rgb[-6:])
    return props


def write_closure_record(path: Path | str, rows: Iterable[Mapping], *, atomic: bool = True) -> Path:
    """The analyst's closure record: one row per item to close (督办编号, 责任单位, 督办问题 given; 销号日期,
    销号理由 and 经办人 written by the analyst). ``rows`` may hold closed_on, reason and closed_by already."""
    values = tuple((k, row["item_id"], row.get("responsible_unit"), row.get("problem"), row.get("closed_on"),
                    row.get("reason"), row.get("closed_by")) for k, row in enumerate(rows, 1))
    issuer = load_office().issuer
    # the values with their types: 1, 1.0 and True are equal keys but are written differently
    typed = tuple(tuple((type(v), v) for v in row) for row in values)
    try:
        data = _closure_record_bytes(issuer, typed)
    except TypeError:  # a value that cannot be a key: made without the memo
        data = _closure_record_bytes.__wrapped__(issuer, typed)
    return _put(Path(path), data, atomic)


@lru_cache(maxsize=8)
def _closure_record_bytes(issuer: str, typed: tuple) -> bytes:
    """The closure record's file (:func:`write_closure_record`; ``typed``: its rows' values, each with
    its type). The same rows and issuer give the same bytes (deterministic_bytes), so a record made
    before in this process is not made again (issue 18: under --all-units a lent kernel writes one per
    report, and the units with nothing open all get the same empty record; openpyxl took ~10 ms a
    record)."""
    wb = new_workbook()
    wb.properties.creator = issuer
    ws = wb.active
    ws.title = CLOSURE_SHEET
    n = len(CLOSURE_COLUMNS)
    _cell(ws, 1, 1, CLOSURE_TITLE, font=TITLE_FONT, align=CENTER, border=False)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n)
    _cell(ws, 2, 1, f"分析人员填写：要销号的事项填写销号日期、销号理由（必填）和经办人，未填写的行不销号；"
                    f"本表放在数据目录的“{FOLLOWUP_FOLDER}”子目录中，程序只读取、不修改。", border=False)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=n)
    head_row = 3
    for j, (head, width) in enumerate(CLOSURE_COLUMNS, 1):
        _cell(ws, head_row, j, head, font=HEADER_FONT, align=CENTER).fill = HEADER_FILL
        ws.column_dimensions[get_column_letter(j)].width = width
    styles: dict = {}
    for k, row in enumerate(typed, 1):
        for j, (_, value) in enumerate(row, 1):
            _cell(ws, head_row + k, j, value, align=CENTER if j in (1, 2, 5) else LEFT,
                  number_format="yyyy-mm-dd" if j == 5 else None, styles=styles)
    ws.freeze_panes = ws.cell(row=head_row + 1, column=3)
    a4_page_setup(ws, head_row)
    return deterministic_bytes(wb)


def _put(path: Path, data: bytes, atomic: bool) -> Path:
    if atomic:  # a run's output: through a temporary file, with the one output file mode
        return outputs.write_atomic(path, data)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
