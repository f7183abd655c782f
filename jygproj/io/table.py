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

_REMARK = re.compile(r"^(备注|注[:：]|注\d|说明[:：]|填报说明|附注|数据来源|资料来源|填报人|填表人|审核人|制表|联系人|"
                     r"单位负责人|负责人[:：]|联系电话)")
_TOTAL = re.compile(r"^(合计|总计|共计|全市合计|总合计)|合计$|总计$")
_SUBTOTAL = re.compile(r"^小计|小计$")
_SECTION_PREFIX = re.compile(r"^(?:[一二三四五六七八九十]+[、.．,，]|[（(][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十]+[类部分])")
_SECTION_COUNT = re.compile(r"[（(]\s*(?:共)?(\d+)\s*[项个]")

@dataclass
class Segment:
    """A 合计/小计/section row with amounts, checked against the data rows it covers."""

    kind: str  # "total" | "subtotal" | "section"
    i: int  # grid index of the total row
    label: str
    values: dict[str, float]  # field → 万元, as written in the total row
    covered: list[int] = field(default_factory=list)  # grid indices of covered data rows
    count: int | None = None  # (22项) in a section row
    label_col: str | None = None  # field of the cell holding the label ("seq" or "name")


@dataclass
class Rows:
    """Result of walking the rows below the header."""

    data: list[tuple[int, str | None]] = field(default_factory=list)  # (grid index, section nature)
    structure: int = 0
    rejected: list[int] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)


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


def _segment_values(ctx: Ctx, row: tuple) -> dict[str, float]:
    out = {}
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
    return out




def plain_rows(ctx: Ctx, start: int) -> list[bool]:
    """For every grid row from ``start``: is it certainly a data row? True when 序号 is a plain number
    (so the row label is no 合计, section or remark) and 项目名称 a name (not empty, not a section
    label, rules.plain_name). Everything else is classified row by row in walk_rows."""
    frame = ctx.raw.frame
    n = len(ctx.raw.rows) - start
    seq, name = ctx.cols.get("seq"), ctx.cols.get("name")
    if frame is None or seq is None or name is None or n < max(fastpath.MIN_ROWS, 1):
        return [False] * max(n, 0)
    import polars as pl

    part = frame.slice(start)
    s = part.to_series(seq.index).cast(pl.String).str.contains(r"^[0-9]+$").fill_null(False).to_list()
    nm = fastpath.memo_map("plain_name", rules.plain_name, part.to_series(name.index).cast(pl.String).to_list())
    return [a and b for a, b in zip(s, nm)]


def walk_rows(ctx: Ctx) -> Rows:
    """Classify every row below the header. Every row ends up in exactly one of data, structure or
    rejected (issue 3, point 4)."""
    out = Rows()
    rows = ctx.raw.rows
    nature: str | None = None
    open_sections: dict[int, Segment] = {}  # level (1 = 一、, 2 = （一）) → section being filled
    since_subtotal: list[int] = []
    in_remarks = False
    name_col = ctx.cols.get("name")
    start = ctx.header.last_row + 1
    plain = plain_rows(ctx, start)
    # rows classified one by one; the runs between them are plain data rows (序号 a number and a
    # project name), taken in bulk
    n_rows = len(rows)
    others = [start + k for k, p in enumerate(plain) if not p] + [n_rows]
    pos = start
    for i in others:
        if pos < i:
            run = range(pos, i)
            out.data.extend(zip(run, repeat(nature)))
            since_subtotal.extend(run)
            for seg in open_sections.values():
                seg.covered.extend(run)
        if i == n_rows:
            break
        pos = i + 1
        row = rows[i]
        if all(cells.is_empty(v) for v in row):
            out.structure += 1
            continue
        label = _label(ctx, row)
        name = cells.text(row[name_col.index]) if name_col is not None else None
        if _REMARK.match(label) or (in_remarks and not name):
            in_remarks = True
            out.structure += 1
            continue
        if label.startswith("其中"):  # "其中：续建项目" breaks a total down; not a project
            out.structure += 1
            continue
        if _TOTAL.search(label) or _SUBTOTAL.search(label):
            seg = Segment("subtotal" if _SUBTOTAL.search(label) else "total", i, label, _segment_values(ctx, row))
            if seg.kind == "subtotal":
                inner = open_sections[max(open_sections)] if open_sections else None
                seg.covered = list(inner.covered) if inner is not None else list(since_subtotal)
                since_subtotal = []
            out.segments.append(seg)
            out.structure += 1
            continue
        name_label = cells.half_width(name).replace(" ", "") if name else ""
        if not _SECTION_PREFIX.match(label) and rules.SECTION_PLAIN.match(name_label):
            label = name_label  # 序号 "一" beside 项目名称 "续建项目（22项）"
        if _SECTION_PREFIX.match(label) or rules.SECTION_PLAIN.match(label):
            nature = rules.nature_from_text(label) or nature
            m = _SECTION_COUNT.search(label)
            level = 2 if label[0] in "（(第" else 1
            for lv in [lv for lv in open_sections if lv >= level]:
                del open_sections[lv]
            seg = Segment("section", i, label, _segment_values(ctx, row), count=int(m[1]) if m else None,
                          label_col="name" if name_label == label or cells.is_empty(ctx.cell(row, "seq")) else "seq")
            open_sections[level] = seg
            out.segments.append(seg)
            since_subtotal = []
            out.structure += 1
            continue
        if not name:
            ctx.report("name_missing", "该行有数据但项目名称为空", i, "name",
                       expected="项目名称；若为说明文字，请以“备注：”开头")
            out.rejected.append(i)
            continue
        out.data.append((i, nature))
        since_subtotal.append(i)
        for seg in open_sections.values():
            seg.covered.append(i)
    return out


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
    """合计/小计/section amounts against the sum of the rows they cover: a mismatch is a warning that
    names both numbers. ``values`` maps grid row → field → 万元 for the data rows."""
    all_rows = [i for i, _ in walked.data]
    for seg in walked.segments:
        covered = all_rows if seg.kind == "total" else seg.covered
        if seg.kind == "section" and seg.count is not None and seg.count != len(covered):
            ctx.report("section_count_mismatch", f"分组行“{seg.label}”写明 {seg.count} 项，其下实有 {len(covered)} 个项目",
                       seg.i, seg.label_col, seg.label, f"{len(covered)} 项")
        if any(i in bad_rows for i in covered):
            continue  # a covered cell is already reported as an error; a sum would mislead
        for fld, written in seg.values.items():
            total = _covered_total(values, fld, covered)
            unit = ctx.unit(fld)
            factor = rules.UNIT_FACTORS[unit]
            if rules.sum_disagrees(written, total, factor):
                what = {"total": "合计", "subtotal": "小计", "section": "分组行"}[seg.kind]
                ctx.log.add(
                    "total_mismatch",
                    f"{what}“{seg.label}”的{ctx.cols[fld].header}为 {written / factor:,.4g} {unit}，"
                    f"但其覆盖的 {len(covered)} 行之和为 {total / factor:,.4g} {unit}",
                    row=ctx.excel_row(seg.i),
                    column=ctx.letter(ctx.cols[fld]),
                    header=ctx.cols[fld].header,
                    value=f"{written / factor:g}",
                    expected=f"{total / factor:g}（明细之和）",
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
