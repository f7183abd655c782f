"""The part every project table shares (registers, scheduling tables, the reserve pool): the sheet's
context (title, unit, header, year), the classification of every row below the header (blank,
remark, 合计/小计, section, data, rejected), cell readers that report problems with row and column,
and the 合计/小计 check against the rows each covers (issue 3, point 2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import repeat

from jygproj.io import cells, fastpath, names, rules
from jygproj.io.cells import CellError
from jygproj.io.context import Ctx
from jygproj.io.headers import AMOUNT_FIELDS
from jygproj.io.recognise import nature_from_text

#: Remarks and notes below a table (备注：…, 注：…), and the filler's lines: who filled it in, who
#: checked it, phone, date, seal — in one cell or split across cells, below the table or above it.
_REMARK = re.compile(r"^(备注|注[:：]|注\d|说明[:：]|填报说明|附注|数据来源|资料来源|填报人|填表人|审核人|制表|联系人|"
                     r"单位负责人|负责人[:：]|联系电话)")
_FOOTER = re.compile(r"^(?:填报单位|报送单位|填报人|填表人|审核人?|审核[:：]|复核|制表人?|统计人|统计负责人|单位负责人|主要负责人|"
                     r"分管领导|负责人|联系人|联系电话|电话[:：]|填报日期|报送日期|填报时间|日期[:：]|签字|签章|盖章)|"
                     r"[（(]盖章[)）]|[（(]签字[)）]|年\s+月\s+日$")
_ATTACHMENT = re.compile(r"^附[件表]\s*[0-9一二三四五六七八九十]*\s*[:：]?$")
_TOTAL = re.compile(r"^(合计|总计|共计|全市合计|总合计)|合计$|总计$")
_SUBTOTAL = re.compile(r"^小计|小计$")
_SECTION_PREFIX = re.compile(r"^(?:[一二三四五六七八九十]+[、.．,，]|[（(][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十]+[类部分批])")
#: A numbered group label in the 序号 cell itself: "1、交通运输类" (level 3), never a bare number.
_SECTION_ARABIC = re.compile(r"^\d{1,2}[、.．]\s*\D")
_SECTION_COUNT = re.compile(r"[（(]\s*(?:共)?(\d+)\s*[项个]")
_NUMBER = re.compile(r"[-+]?[\d.,]+")
#: Labels that group rows by something else than nature (a sector, a unit, a county): a text ending
#: in 类, 类项目, or carrying a count (交通运输类（5项）).
_GROUP_LABEL = re.compile(r"(?:类|类项目|项目[（(]\s*\d+\s*[项个][)）]|[（(]\s*(?:共)?\d+\s*[项个][)）])$")

#: Why a row below the header is not a data row (shown by `check --explain`).
REASONS = {
    "blank": "空行", "remark": "备注或说明", "footer": "填报人、审核人、日期等落款", "attachment": "附件标记",
    "repeated_header": "重复的表头", "numbering": "列序号行", "total": "合计行", "subtotal": "小计行",
    "breakdown": "“其中”分项行", "section": "分组行", "group": "分组标题行", "continuation": "合并单元格中同一项目的续行",
    "hidden": "隐藏行", "title": "标题行", "unit": "单位行", "header": "表头",
}


@dataclass(eq=False)  # compared and hashed by identity (a section is one row)
class Segment:
    """A 合计/小计/section row with amounts, checked against the data rows it covers."""

    kind: str  # "total" | "subtotal" | "section"
    i: int  # grid index of the total row
    label: str
    values: dict[str, float]  # field → 万元, as written in the total row
    covered: list[int] = field(default_factory=list)  # grid indices of covered data rows
    count: int | None = None  # (22项) in a section row
    label_col: str | None = None  # field of the cell holding the label ("seq" or "name")
    level: int = 1  # section depth: 0 a group title, 1 一、, 2 （一）, 3 1、
    nature: str | None = None  # the construction nature its label names, if any
    #: for 合计/小计: the row sets it may sum (live lists: a 小计 above its rows covers them too)
    candidates: list[list[int]] = field(default_factory=list)
    rounding: dict[str, float] = field(default_factory=dict)  # field → rounding of the written figure, in unit


@dataclass
class Rows:
    """Result of walking the rows below the header."""

    data: list[tuple[int, str | None]] = field(default_factory=list)  # (grid index, section nature)
    structure: int = 0
    rejected: list[int] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)  # grid index → REASONS key (non-blank rows)
    hidden: list[int] = field(default_factory=list)  # hidden rows that would be data rows: not loaded
    continuations: dict[int, list[int]] = field(default_factory=dict)  # data row → its continuation rows
    unknown_sections: list[Segment] = field(default_factory=list)  # at a nature level, word not understood
    nature_conflicts: list[tuple[Segment, Segment]] = field(default_factory=list)


def _label(ctx: Ctx, row: tuple) -> str:
    for fld in ("seq", "name"):
        v = cells.clean(ctx.cell(row, fld))
        if v:
            return cells.half_width(v).replace(" ", "")
    for v in row:
        v = cells.clean(v)
        if v:
            return cells.half_width(v).replace(" ", "")
    return ""


def _segment_values(ctx: Ctx, row: tuple) -> tuple[dict[str, float], dict[str, float]]:
    """(field → 万元, field → rounding in the sheet's unit) of the amounts written in a row."""
    out, rounding = {}, {}
    for fld in AMOUNT_FIELDS:
        col = ctx.cols.get(fld)
        if col is None:
            continue
        try:
            x = cells.parse_number(row[col.index])
        except CellError:
            continue
        if x is not None:
            out[fld] = round(x * ctx.factor(fld), 6)
            rounding[fld] = rules.written_rounding(row[col.index])
    return out, rounding


def plain_rows(ctx: Ctx, start: int) -> list[bool]:
    """For every grid row from ``start``: is it certainly a data row? True when 序号 is a plain number
    (so the row label is no 合计, section or remark), 项目名称 a name (not empty, not a section
    label, rules.plain_name) and the row is not hidden. Everything else is classified row by row in
    walk_rows."""
    frame = ctx.raw.frame
    n = len(ctx.raw.rows) - start
    seq, name = ctx.cols.get("seq"), ctx.cols.get("name")
    if frame is None or seq is None or name is None or n < max(fastpath.MIN_ROWS, 1):
        return [False] * max(n, 0)
    import polars as pl

    part = frame.slice(start)
    seq_s, names_s = part.to_series(seq.index).cast(pl.String), part.to_series(name.index).cast(pl.String)
    s = fastpath.memo_column("plain_seq", seq_s, lambda: seq_s.to_frame("s").select(
        pl.col("s").str.contains(r"^[0-9]+$").fill_null(False)).to_series().to_list())
    nm = fastpath.memo_column("plain_name", names_s,
                              lambda: fastpath.memo_map("plain_name", rules.plain_name, names_s.to_list()))
    plain = [a and b for a, b in zip(s, nm)]
    for i in ctx.raw.hidden_rows:
        if start <= i < start + n:
            plain[i - start] = False
    for r0, c0, r1, c1 in ctx.raw.merges:  # rows inside a vertical merge of the name column
        if c0 <= name.index <= c1 and r1 > r0:
            for i in range(max(r0 + 1, start), min(r1 + 1, start + n)):
                plain[i - start] = False
    return plain


def _section_level(label: str) -> int:
    if label[0] in "（(":
        return 2
    if _SECTION_ARABIC.match(label):
        return 3
    return 1


def _has_amount(ctx: Ctx, row: tuple) -> bool:
    for fld in AMOUNT_FIELDS:
        col = ctx.cols.get(fld)
        if col is not None and not cells.is_empty(row[col.index]):
            return True
    return False


def _nonempty(row: tuple) -> list[int]:
    return [j for j, v in enumerate(row) if not cells.is_empty(v)]


def _name_merge_start(ctx: Ctx, i: int) -> int | None:
    """The first row of a vertical merge of the 项目名称 cell covering row i (below its first row)."""
    name = ctx.cols.get("name")
    if name is None:
        return None
    for r0, c0, r1, c1 in ctx.raw.merges:
        if c0 <= name.index <= c1 and r0 < i <= r1:
            return r0
    return None


def _spans(ctx: Ctx, i: int, j: int) -> bool:
    """Is cell (i, j) the first of a horizontal merge (a label written across the table)?"""
    return any(r0 == i and c0 == j and c1 > c0 for r0, c0, r1, c1 in ctx.raw.merges)


def _same_header(ctx: Ctx, row: tuple) -> bool | None:
    """None when the row is no header; True when it repeats the sheet's header (the same field in the
    same column); False when it is a different header (a second table of another layout)."""
    from jygproj.io.headers import classify

    n, anchor = 0, False
    fields = {}
    for j, v in enumerate(row):
        if v is None or not str(v).strip():
            continue
        f, _, _ = classify(str(v))
        if f:
            n += 1
            anchor = anchor or f in ("name", "month")
            fields[j] = f
    if not anchor or n < 2:
        return None
    mine = {c.index: c.field for c in ctx.header.columns if c.field}
    return all(mine.get(j) == f or (mine.get(j) is not None and f in ("completed_ytd", "annual_plan"))
               for j, f in fields.items())


def walk_rows(ctx: Ctx) -> Rows:
    """Classify every row below the header. Every row ends up in exactly one of data, structure or
    rejected (issue 3, point 4); each non-blank structure row with its reason (REASONS)."""
    out = Rows()
    rows = ctx.raw.rows
    open_sections: dict[int, Segment] = {}  # level → section being filled
    context: tuple[Segment, ...] = ()  # the open sections, outermost first
    contexts: list[list] = []  # runs of data rows under the same open sections: [count, sections]
    since_subtotal: list[int] = []
    block: list[int] = []  # data rows since the header (or the last repeated header)
    all_rows: list[int] = []
    in_remarks = False
    in_header = False  # just after a repeated header: its sub-header rows are structure too
    last_data: int | None = None  # the last data row (a continuation row joins it)
    after_data = False  # the row above is a data row or its continuation
    unnumbered: list[int] = []  # rows taken as projects with neither 序号 nor any amount
    name_col = ctx.cols.get("name")
    key_cols = tuple(c.index for c in (ctx.cols.get("seq"), name_col) if c is not None)
    start = ctx.header.structure_end + 1
    hidden = ctx.raw.hidden_rows
    plain = plain_rows(ctx, start)
    n_rows = len(rows)
    others = [start + k for k, p in enumerate(plain) if not p] + [n_rows]
    pos = start

    def skip(i: int, reason: str) -> None:
        nonlocal after_data
        out.structure += 1
        out.skipped[i] = reason
        after_data = reason == "continuation"

    def add_data(run) -> None:
        nonlocal last_data, after_data
        after_data = True
        if contexts and contexts[-1][1] is context:
            contexts[-1][0] += len(run)
        else:
            contexts.append([len(run), context])
        since_subtotal.extend(run)
        block.extend(run)
        all_rows.extend(run)
        for seg in open_sections.values():
            seg.covered.extend(run)
        last_data = run[-1]

    for i in others:
        if pos < i:
            add_data(range(pos, i))
            in_header = False
        if i == n_rows:
            break
        pos = i + 1
        row = rows[i]
        filled = _nonempty(row)
        if not filled:
            out.structure += 1
            continue
        label = _label(ctx, row)
        name = cells.text(row[name_col.index]) if name_col is not None else None
        texts = [cells.half_width(str(row[j])).replace(" ", "") for j in filled]
        if _ATTACHMENT.match(label) and len(filled) == 1:
            skip(i, "attachment")
            continue
        if _REMARK.match(label) or any(_FOOTER.search(t) for t in texts) or (in_remarks and not name):
            in_remarks = True
            skip(i, "footer" if any(_FOOTER.search(t) for t in texts) else "remark")
            continue
        same = _same_header(ctx, row)
        if same is not None:
            if same:
                skip(i, "repeated_header")
                in_header, block = True, []
                continue
            ctx.report("header_repeated_differs", "表中出现第二个表头，且各列与第一个表头不同", i, "name",
                       label, "每张工作表只放一个表格（不同版式的表格放到不同工作表）")
            out.rejected.append(i)
            continue
        if in_header and not any(j in key_cols for j in filled) and not _has_amount(ctx, row):
            skip(i, "repeated_header")  # the sub-header rows of a repeated header
            continue
        in_header = False
        from jygproj.io.headers import _is_numbering

        if _is_numbering(row):
            skip(i, "numbering")
            continue
        if label.startswith("其中"):  # "其中：续建项目" breaks a total down; not a project
            skip(i, "breakdown")
            continue
        if _TOTAL.search(label) or _SUBTOTAL.search(label):
            values, rounding = _segment_values(ctx, row)
            kind = "subtotal" if _SUBTOTAL.search(label) else "total"
            seg = Segment(kind, i, label, values, rounding=rounding)
            inner = [open_sections[lv].covered for lv in sorted(open_sections, reverse=True)]
            if kind == "subtotal":
                seg.candidates = inner + [list(since_subtotal)]
                seg.covered = inner[0] if inner else list(since_subtotal)
            else:
                seg.candidates = [block, all_rows] + inner[:1] + [list(since_subtotal)]
                seg.covered = all_rows
            since_subtotal = []
            out.segments.append(seg)
            skip(i, kind)
            continue
        name_label = cells.half_width(name).replace(" ", "") if name else ""
        if not _SECTION_PREFIX.match(label) and rules.SECTION_PLAIN.match(name_label):
            label = name_label  # 序号 "一" beside 项目名称 "续建项目（22项）"
        numbered = bool(_SECTION_PREFIX.match(label) or rules.SECTION_PLAIN.match(label))
        arabic = bool(_SECTION_ARABIC.match(label)) and not name
        merged_start = _name_merge_start(ctx, i) if not name else None
        # a lone text in the first or a key column (or across a merge) labels a group of rows; in
        # another column, right under a project, it is that project's next line
        lone = len(filled) == 1 and not _has_amount(ctx, row) and not _NUMBER.fullmatch(texts[0]) and (
            filled[0] == 0 or (filled[0] in key_cols and (name_col is None or filled[0] != name_col.index
                                                            or _GROUP_LABEL.search(name_label)))
            or _spans(ctx, i, filled[0])) and merged_start is None
        if numbered or arabic or lone:
            level = 0 if lone and not numbered and not arabic and not _GROUP_LABEL.search(label) else (
                _section_level(label) if (numbered or arabic) else 1)
            m = _SECTION_COUNT.search(label)
            for lv in [lv for lv in open_sections if lv >= level]:
                del open_sections[lv]
            values, rounding = _segment_values(ctx, row)
            label_col = ("name" if name_label == label or cells.is_empty(ctx.cell(row, "seq")) else "seq") \
                if name_col is not None and any(j in key_cols for j in filled) else None
            seg = Segment("section", i, label, values, count=int(m[1]) if m else None, label_col=label_col,
                          level=level, nature=nature_from_text(label), rounding=rounding)
            open_sections[level] = seg
            context = tuple(open_sections[lv] for lv in sorted(open_sections))
            out.segments.append(seg)
            since_subtotal = []
            skip(i, "section" if (numbered or arabic) else "group")
            continue
        if i in hidden:  # hidden by the office: never loaded; a project among them is reported by name
            if name:
                out.hidden.append(i)
            skip(i, "hidden")
            continue
        if not name:
            first = merged_start
            merged = first is not None and last_data is not None and first <= last_data
            # without merge information: a row of text only, right under a project, with no 序号
            loose = (first is None and not ctx.raw.merges and after_data and not _has_amount(ctx, row)
                     and not any(j in key_cols for j in filled))
            if merged or loose:
                out.continuations.setdefault(last_data, []).append(i)
                skip(i, "continuation")
                continue
            ctx.report("name_missing", "该行填有内容但项目名称为空", i, "name",
                       expected="项目名称；若与上一行是同一项目，请合并单元格或写在一行；若为说明文字，请以“备注：”开头")
            out.rejected.append(i)
            after_data = False
            continue
        add_data([i])
        if cells.is_empty(ctx.cell(row, "seq")) and not _has_amount(ctx, row):
            unnumbered.append(i)
    if unnumbered and "seq" in ctx.cols and len(all_rows) - len(unnumbered) >= 3 and len(unnumbered) * 4 <= len(all_rows):
        _refuse_unnumbered(ctx, out, unnumbered, all_rows, contexts)
    out.data = _with_natures(out, all_rows, contexts, ctx.sheet_nature)
    return out


def _refuse_unnumbered(ctx: Ctx, out: Rows, unnumbered: list[int], all_rows: list[int], contexts: list[list]) -> None:
    """In a table that numbers its projects, a row with a name but neither 序号 nor any figure is no
    project (a signature, a note without 备注：): an error at its cell, never one more project."""
    for i in unnumbered:
        ctx.report("row_not_project", "该行有名称但没有序号和任何金额，与表中其他项目不同，不像项目行", i, "name",
                   ctx.cell(ctx.raw.rows[i], "name"),
                   "若是项目，补上序号和金额；若是落款或说明，以“备注：”“填报人：”等开头，或删除该行")
        out.rejected.append(i)
        k = all_rows.index(i)
        del all_rows[k]
        for run in contexts:  # the row leaves its run of rows under the same sections
            if k < run[0]:
                run[0] -= 1
                break
            k -= run[0]
        for seg in out.segments:
            for rows in [seg.covered] + seg.candidates:
                if i in rows:
                    rows.remove(i)


def _with_natures(out: Rows, idx: list[int], contexts: list[list], sheet_nature: str | None = None
                  ) -> list[tuple[int, str | None]]:
    """The section nature of every data row (issue 12, point 3). Levels at which some section names a
    nature are nature levels; a data row takes the nature of its innermost section at a nature level.
    A section at a nature level whose word is not understood gives its rows no nature (never the
    previous section's) and is listed in ``unknown_sections``; enclosing sections naming different
    natures are listed in ``nature_conflicts`` (with None for the sheet's own nature, from its name or
    title, which rows without a section nature take)."""
    sections = [s for s in out.segments if s.kind == "section"]
    levels = {s.level for s in sections if s.nature}
    unknown: dict[int, Segment] = {}
    natures: dict[tuple, str | None] = {}
    natures_by_run = []
    for _, ctx_secs in contexts:
        if ctx_secs not in natures:
            named = [s for s in ctx_secs if s.level in levels]
            given = [s for s in named if s.nature]
            for a, b in zip(given, given[1:]):
                if a.nature != b.nature and (a, b) not in out.nature_conflicts:
                    out.nature_conflicts.append((a, b))
            if named and named[-1].nature is None:  # the innermost decides: a word not understood
                unknown[named[-1].i] = named[-1]
                nature = None
            else:
                nature = named[-1].nature if named else None
                if sheet_nature:
                    for s in given:
                        if s.nature != sheet_nature and (s, None) not in out.nature_conflicts:
                            out.nature_conflicts.append((s, None))
                    nature = nature or sheet_nature
            natures[ctx_secs] = nature
        natures_by_run.append(natures[ctx_secs])
    out.unknown_sections = sorted(unknown.values(), key=lambda s: s.i)
    if len(contexts) == 1:  # one run (no sections, or all rows in one): no per-row work
        return list(zip(idx, repeat(natures_by_run[0], len(idx))))
    flat = [n for (count, _), n in zip(contexts, natures_by_run) for n in repeat(n, count)]
    return list(zip(idx, flat))


def merged_row(ctx: Ctx, walked: Rows, i: int) -> tuple:
    """A project written over several rows (序号, 名称 merged down, issue 12 point 4) as one row: the
    continuation rows fill its empty cells, their texts are joined with "；", and amounts written on
    several rows are added (and reported)."""
    rows = ctx.raw.rows
    conts = walked.continuations.get(i)
    if not conts:
        return rows[i]
    base = list(rows[i])
    amount_at = {c.index for f, c in ctx.cols.items() if f in AMOUNT_FIELDS}
    summed = []
    for k in conts:
        for j, v in enumerate(rows[k]):
            if j >= len(base) or cells.is_empty(v):
                continue
            if cells.is_empty(base[j]):
                base[j] = v
            elif j in amount_at:
                try:
                    a, b = cells.parse_number(base[j]), cells.parse_number(v)
                except CellError:
                    continue  # the unreadable cell is reported where it stands
                base[j] = repr(a + b)
                summed.append(j)
            elif str(v).strip() != str(base[j]).strip():
                base[j] = f"{base[j]}；{v}"
    if summed:
        letters = "、".join(sorted({cells.column_letter(ctx.raw.col_offset + j) for j in summed}))
        ctx.log.add("merged_amounts_summed",
                    f"第{ctx.excel_row(i)}-{ctx.excel_row(conts[-1])}行是同一项目（项目名称合并单元格），{letters}列金额分行填写，已相加",
                    row=ctx.excel_row(i), expected="一个项目的金额写在一行；若为不同项目，请分别填写项目名称")
    return tuple(base)


class GridColumns:
    """Amounts (万元) of the data rows by field, for check_segments without a dict per row."""

    def __init__(self, n_rows: int, idx: list[int], amounts: dict[str, list]):
        import numpy as np

        self.cols = {}
        for fld, vals in amounts.items():
            arr = np.zeros(n_rows, dtype=np.float64)
            arr[idx] = [v or 0.0 for v in vals]
            self.cols[fld] = arr

    def total(self, fld: str, covered: list[int]) -> float:
        col = self.cols.get(fld)
        # the builtin sum, left to right from 0 as the per-row version adds (same float result)
        return sum(col[covered].tolist()) if col is not None and covered else sum(0.0 for _ in covered)


def _covered_total(values, fld: str, covered: list[int]) -> float:
    if isinstance(values, GridColumns):
        return values.total(fld, covered)
    return sum((values.get(i, {}).get(fld) or 0.0) for i in covered)


def check_segments(ctx: Ctx, walked: Rows, values, bad_rows: set[int]) -> None:
    """合计/小计/section amounts against the sum of the rows they cover (issue 12, point 7): beyond the
    rounding of the written figure it is an error naming the row, both figures and the difference.
    A 小计 is checked against its own section (the innermost open one, else an enclosing one, else
    the rows since the last 小计); a 合计 against its table's rows (a sheet may hold several). A
    total that agrees only when hidden rows are counted is an error too (hidden rows are not loaded).
    ``values`` maps grid row → field → 万元 for the data rows."""
    all_rows = [i for i, _ in walked.data]
    hidden_values = {i: _segment_values(ctx, ctx.raw.rows[i])[0] for i in walked.hidden}
    for seg in walked.segments:
        covered = seg.covered if seg.kind != "total" else all_rows
        if seg.kind == "section" and seg.count is not None and seg.count != len(covered):
            ctx.report("section_count_mismatch", f"分组行“{seg.label}”写明 {seg.count} 项，其下实有 {len(covered)} 个项目",
                       seg.i, seg.label_col, seg.label, f"{len(covered)} 项")
        candidates = [c for c in (seg.candidates or [covered])]
        if not bad_rows.isdisjoint(candidates[0]):  # a set's C loop: a province's 500,000 rows (issue 18)
            continue  # a covered cell is already reported as an error; a sum would mislead
        for fld, written in seg.values.items():
            unit = ctx.unit(fld)
            factor = rules.UNIT_FACTORS[unit]
            rounding = seg.rounding.get(fld, rules.ROUNDING_IN_UNIT)
            total = None
            agrees = False
            for c in candidates:  # the first set is the one a mismatch is reported against
                s = _covered_total(values, fld, c)
                total = s if total is None else total
                if not rules.sum_disagrees(written, s, factor, rounding):
                    agrees = True
                    break
            if agrees:
                continue
            what = {"total": "合计", "subtotal": "小计", "section": "分组行"}[seg.kind]
            lo, hi = (min(candidates[0]), max(candidates[0])) if candidates[0] else (seg.i, seg.i)
            near = [i for i in walked.hidden if (seg.kind == "total" or lo <= i <= hi)]
            with_hidden = total + sum(hidden_values[i].get(fld) or 0.0 for i in near)
            col = ctx.cols[fld]
            if near and not rules.sum_disagrees(written, with_hidden, factor, rounding):
                ctx.log.add(
                    "total_counts_hidden",
                    f"{what}“{seg.label}”的{col.header}为 {written / factor:,.6g} {unit}，只有算上隐藏的第"
                    f"{'、'.join(str(ctx.excel_row(i)) for i in near)}行才相符（不含隐藏行为 {total / factor:,.6g} {unit}）",
                    row=ctx.excel_row(seg.i), column=ctx.letter(col), header=col.header,
                    value=f"{written / factor:g}",
                    expected="取消隐藏（这些项目应计入）或删除隐藏行并改正合计",
                )
                continue
            ctx.log.add(
                "total_mismatch",
                f"{what}“{seg.label}”的{col.header}为 {written / factor:,.6g} {unit}，"
                f"但其覆盖的 {len(candidates[0])} 行之和为 {total / factor:,.6g} {unit}，"
                f"相差 {(written - total) / factor:+,.6g} {unit}",
                row=ctx.excel_row(seg.i),
                column=ctx.letter(col),
                header=col.header,
                value=f"{written / factor:g}",
                expected=f"{total / factor:g}（明细之和）；或补齐漏填的项目",
            )


def code_and_key(ctx: Ctx, row: tuple, i: int) -> tuple[str | None, str, str]:
    """(code, name_key, project_id) of a data row; a code of the wrong shape is a warning."""
    name = ctx.text(row, "name") or ""
    code, national = rules.code_reading(ctx.cell(row, "code"))
    if not national:
        ctx.report("code_format", f"项目代码“{code}”不是国家代码格式", i, "code", code,
                   "如 2301-620200-04-01-123456")
    key = names.normalise_name(name)
    return code, key, names.project_id(code, key)


def warn_missing_codes(ctx: Ctx, rows_without_code: list[int]) -> None:
    """One warning per sheet (issue 3): a list without codes is keyed by project name."""
    if not rows_without_code:
        return
    if "code" not in ctx.cols:
        text = f"本表没有项目代码列，{len(rows_without_code)} 个项目按项目名称匹配"
    else:
        shown = "、".join(str(ctx.excel_row(i)) for i in rows_without_code[:10])
        more = "等" if len(rows_without_code) > 10 else ""
        text = f"{len(rows_without_code)} 个项目缺少项目代码（第{shown}{more}行），按项目名称匹配"
    col = ctx.cols.get("code")
    ctx.log.add("code_missing", text, column=ctx.letter(col) if col else None,
                header=col.header if col else None, expected="国家项目代码，如 2301-620200-04-01-123456")


def check_start_year(ctx: Ctx, i: int, code: str | None, fld: str, date) -> bool:
    """A start date before the year the project's code was issued is impossible (code "2301-…" → 2023)."""
    year = names.approval_year(code)
    if rules.before_code_year(date, year):
        ctx.report(
            "start_before_approval",
            f"开工时间 {date.isoformat()} 早于项目代码 {code} 的赋码年份 {year} 年",
            i, fld, ctx.cell(ctx.raw.rows[i], fld), f"{year} 年或以后的日期",
        )
        return False
    return True


def check_duplicates(ctx: Ctx, keys: list[tuple[int, object]]) -> set[int]:
    """The same project twice in one sheet is an error naming both rows, at the code cell when the
    codes match, else at the name cell."""
    first: dict[object, int] = {}
    dup_rows: set[int] = set()
    for i, key in keys:
        if key in first:
            pid = key[0] if isinstance(key, tuple) else key
            fld = "name" if str(pid).startswith("N:") else "code"
            what = "项目名称" if fld == "name" else "项目代码"
            ctx.report("duplicate_project",
                       f"与第{ctx.excel_row(first[key])}行是同一项目（{what}相同）", i, fld,
                       ctx.cell(ctx.raw.rows[i], fld), "每个项目在本表中只出现一次")
            dup_rows.add(i)
        else:
            first[key] = i
    return dup_rows
