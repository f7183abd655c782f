"""Reading the follow-up workbooks of a data folder's 督办反馈/ subfolder (jygproj.catalogue): the
units' reply forms 整改落实情况反馈表 (jygproj.followups.form writes them with the letters) and the
analyst's closure record 督办销号记录.

The same front door as every other workbook: the file is opened by jygproj.io.workbook (read-only,
zip-bomb and XML checks, Excel rows and columns recovered), every problem is a located
jygproj.io.problems record in Chinese with its English code, and every row of every sheet is counted
(read = loaded + structure + rejected). What is read:

- a sheet is a reply form when its header (the row holding 督办编号) has 整改措施 or 承诺完成时间,
  a closure record when it has 销号理由; anything else in the folder is reported, not guessed;
- a reply form names its unit (反馈单位：…) and its date (填报日期：… in the same cell or the next
  one) above the header; one row per item: 督办编号 and the unit's words;
- unlike a scheduling table, a reply with an unreadable cell is not dropped: the unit's words are
  kept and the cell is reported as an error (its value left empty), so nothing the unit wrote is
  lost; a row the unit left blank is counted and named in one warning. A closure needs its id, date
  and written reason, else it is reported and not applied; a listed id with nothing written beside
  it is an item the analyst did not close (the run's closure template lists every open item).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from jygproj import schema
from jygproj.io.cells import CellError, clean, column_letter, half_width, is_empty, parse_date, text
from jygproj.io.loaded import SheetReport
from jygproj.io.problems import ERROR, ProblemLog, problems_frame

REPLY, CLOSURE = "reply", "closure"
#: Header words → field, by kind (a header is compared without spaces and without a bracketed note).
FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    REPLY: {
        "item_id": ("督办编号", "事项编号"),
        "measures": ("整改措施",),
        "responsible_person": ("责任人",),
        "promised_on": ("承诺完成时间", "承诺完成日期", "完成时限", "整改时限"),
        "progress": ("整改进展",),
        "explanation": ("情况说明", "说明"),
    },
    CLOSURE: {
        "item_id": ("督办编号", "事项编号"),
        "closed_on": ("销号日期",),
        "reason": ("销号理由",),
        "closed_by": ("经办人",),
    },
}
#: Columns of the forms filled in by the tool, not the unit (read past, not warned about).
PREFILLED = ("序号", "项目名称", "责任单位", "督办问题", "存在问题", "首次提出", "提醒函", "反馈截止日期", "备注")
#: The columns a unit fills in; a row with none of them is a reply left blank.
REPLY_WORDS = ("measures", "responsible_person", "promised_on", "progress", "explanation")
HEADER_SEARCH_ROWS = 12
_BRACKETS = re.compile(r"[（(][^）)]*[）)]")

REPLY_COLUMNS = {**schema.FOLLOWUP_REPLIES, "id_column": pl.String}
CLOSURE_COLUMNS = {**schema.FOLLOWUP_CLOSURES, "id_column": pl.String}


@dataclass
class FollowupBooks:
    replies: pl.DataFrame  # schema.FOLLOWUP_REPLIES (+ id_column), every reply, revisions numbered
    closures: pl.DataFrame  # schema.FOLLOWUP_CLOSURES (+ id_column)
    problems: pl.DataFrame  # schema.PROBLEMS
    sheets: list[SheetReport] = field(default_factory=list)


def empty_books() -> FollowupBooks:
    return FollowupBooks(pl.DataFrame(schema=REPLY_COLUMNS), pl.DataFrame(schema=CLOSURE_COLUMNS),
                         schema.empty(schema.PROBLEMS))


def read_followup_books(paths: list[Path]) -> FollowupBooks:
    """Read every follow-up workbook; never raises on bad data (problems are collected)."""
    # imported here: a kernel unpickling a handed review's FollowupBooks needs only the class, not the
    # Excel reader (fastexcel, defusedxml: issue 18)
    from jygproj.io.workbook import WorkbookError, open_workbook

    replies: list[dict] = []
    closures: list[dict] = []
    problems = []
    sheets: list[SheetReport] = []
    for path in paths:
        log = ProblemLog(file=str(path))
        try:
            raws = open_workbook(Path(path))
        except WorkbookError as exc:
            log.add(exc.code, exc.message, expected=exc.expected)
            problems.extend(log.items)
            continue
        for raw in raws:
            report, got = _read_sheet(Path(path), raw, log)
            if report is not None:
                sheets.append(report)
            (replies if report is not None and report.kind == REPLY else closures).extend(got)
        problems.extend(log.items)
    reply_frame = pl.DataFrame(replies, schema=REPLY_COLUMNS) if replies else pl.DataFrame(schema=REPLY_COLUMNS)
    reply_frame = reply_frame.sort(["item_id", "replied_on", "source_file", "source_row"], nulls_last=False) \
        .with_columns((pl.int_range(pl.len()).over("item_id")).cast(pl.Int32).alias("revision"))
    closure_frame = pl.DataFrame(closures, schema=CLOSURE_COLUMNS) if closures \
        else pl.DataFrame(schema=CLOSURE_COLUMNS)
    return FollowupBooks(reply_frame, closure_frame, problems_frame(problems), sheets)


def _norm(header: str | None) -> str:
    return _BRACKETS.sub("", half_width(header or "")).replace(" ", "")


def _read_sheet(path: Path, raw, log: ProblemLog) -> tuple[SheetReport | None, list[dict]]:
    log.sheet = raw.name
    if not raw.visible:
        log.add("sheet_hidden", "隐藏的工作表，未读取", expected="反馈内容填在可见工作表")
        return None, []
    report = SheetReport(str(path), raw.name, None, None, None, None)
    rows = raw.rows
    read = raw.row_offset + len(rows)
    report.rows["read"] = read
    start = len(log.items)
    if not rows:
        log.add("sheet_empty", "空工作表，没有任何内容")
        return _finish(report, log, start), []
    if raw.name.strip() in schema.INSTRUCTION_SHEETS:
        report.rows["structure"] = read
        return _finish(report, log, start), []
    header_at, cols, kind = _header(raw)
    nonblank = [i for i, r in enumerate(rows) if not all(is_empty(v) for v in r)]
    if kind is None:
        report.rows["rejected"] = len(nonblank)
        report.rows["structure"] = read - len(nonblank)
        log.add("followup_not_recognised",
                "督办反馈目录中的工作表既不是整改反馈表也不是销号记录（找不到含“督办编号”且含“整改措施”或“销号理由”的表头），未读取",
                expected="随提醒函下发的《整改落实情况反馈表》，或分析人员的《督办销号记录》")
        return _finish(report, log, start), []
    report.kind = kind
    where = _locator(raw)
    _unknown_columns(raw, header_at, cols, log, where)
    above = [(i, j, clean(v)) for i, r in enumerate(rows[:header_at]) for j, v in enumerate(r) if clean(v)]
    unit = replied = None
    if kind == REPLY:
        unit = _labelled(above, rows, "反馈单位")  # (the report's unit and period are money unit and 调度期: left empty)
        replied = _reply_date(above, rows, log, where)
    records, structure, rejected, blank = [], 0, 0, []
    seen: dict[str, int] = {}
    for i in range(header_at + 1, len(rows)):
        row = rows[i]
        if all(is_empty(v) for v in row):
            structure += 1
            continue
        excel_row = raw.row_offset + i + 1
        values = {f: row[j] if j < len(row) else None for f, j in cols.items()}
        item = half_width(clean(values.get("item_id")) or "").replace(" ", "") or None
        words = [f for f in (REPLY_WORDS if kind == REPLY else ("closed_on", "reason", "closed_by")) if not is_empty(values.get(f))]
        id_at = where(i, cols["item_id"])
        if item is None:
            if not words:  # a 序号 or a note with nothing to read
                structure += 1
                continue
            rejected += 1
            log.add("item_id_missing", "这一行填写了内容但没有督办编号，无法对应督办事项，未计入", **id_at, header="督办编号",
                    expected="反馈表中预先填好的督办编号（请勿删改）")
            continue
        if not words:  # an item listed but not answered (or, in a closure record, not closed)
            structure += 1
            if kind == REPLY:
                blank.append(item)
            continue
        if item in seen:
            log.add("followup_duplicate_item", f"督办编号“{item}”在本表中重复（第{seen[item]}行），两行都保留，后一行为准",
                    **id_at, header="督办编号", value=item)
        seen[item] = excel_row
        rec = {"item_id": item, "id_column": id_at["column"], "source_file": str(path), "source_sheet": raw.name,
               "source_row": excel_row}
        if kind == REPLY:
            rec.update(_reply_cells(values, cols, i, unit, replied, log, where))
            records.append(rec)
        else:
            ok, fields = _closure_cells(values, cols, i, log, where)
            rec.update(fields)
            if ok:
                records.append(rec)
            else:
                rejected += 1
    if blank:
        log.add("reply_row_blank", f"{len(blank)}项督办事项未填写整改情况：{'、'.join(blank)}",
                expected="逐项填写整改措施、责任人、承诺完成时间")
    report.rows["structure"] = raw.row_offset + header_at + 1 + structure
    report.rows["rejected"] = rejected
    report.rows["loaded"] = len(records)
    return _finish(report, log, start), records


def _header(raw) -> tuple[int, dict[str, int], str | None]:
    """(grid row of the header, field → grid column, kind) — kind None when no follow-up header."""
    for i, row in enumerate(raw.rows[:HEADER_SEARCH_ROWS]):
        heads = [_norm(clean(v)) for v in row]
        if not any(h in FIELDS[REPLY]["item_id"] for h in heads):
            continue
        for kind in (REPLY, CLOSURE):
            cols = {}
            for j, h in enumerate(heads):
                for f, words in FIELDS[kind].items():
                    if h in words and f not in cols:
                        cols[f] = j
            if set(cols) - {"item_id"} and (kind == CLOSURE or {"measures", "promised_on"} & set(cols)) \
                    and (kind == REPLY or "reason" in cols):
                return i, cols, kind
    return 0, {}, None


def _locator(raw):
    """(grid row, grid column) → the Excel row and column letter a problem names."""
    def where(i: int, j: int) -> dict:
        return {"row": raw.row_offset + i + 1, "column": column_letter(raw.col_offset + j)}
    return where


def _unknown_columns(raw, header_at: int, cols: dict[str, int], log: ProblemLog, where) -> None:
    known = set(cols.values())
    unknown = [(j, clean(v)) for j, v in enumerate(raw.rows[header_at]) if clean(v) and j not in known
               and _norm(clean(v)) not in PREFILLED]
    if unknown:
        shown = "、".join(f"{where(header_at, j)['column']}列“{h}”" for j, h in unknown)
        log.add("column_unknown", f"未识别的列，未读取：{shown}", row=where(header_at, 0)["row"],
                expected="表格原有的列（请勿增删列）")


def _labelled(above: list[tuple[int, int, str]], rows, label: str) -> tuple[str, int, int] | None:
    """The value written after ``label：`` in the same cell, or in the next cell of its row."""
    for i, j, v in above:
        s = half_width(v).replace(" ", "")
        if not s.startswith(label):
            continue
        rest = s[len(label):].lstrip(":：")
        if rest:
            return rest, i, j
        for k in range(j + 1, len(rows[i])):
            nxt = clean(rows[i][k])
            if nxt:
                return half_width(nxt).strip(), i, k
        return None
    return None


def _reply_date(above, rows, log: ProblemLog, where):
    found = _labelled(above, rows, "填报日期")
    if found is None:
        label = next(((i, j) for i, j, v in above if v.replace(" ", "").startswith("填报日期")), None)
        log.add("reply_date_missing", "反馈表没有填写填报日期，无法判断是否按期反馈；本表反馈已计入，视为未注明日期",
                **(where(*label) if label else {}), header="填报日期", expected="填报日期，如 2023-08-20")
        return None
    value, i, j = found
    try:
        d = parse_date(value)
    except CellError as exc:
        log.add("date_not_understood", "填报日期无法识别；本表反馈已计入，视为未注明日期", **where(i, j), header="填报日期",
                value=value, expected=exc.expected)
        return None
    if d is None:  # a dash or 待定
        log.add("reply_date_missing", "反馈表没有填写填报日期，无法判断是否按期反馈；本表反馈已计入，视为未注明日期",
                **where(i, j), header="填报日期", value=value, expected="填报日期，如 2023-08-20")
    return d


def _reply_cells(values, cols, i, unit, replied, log: ProblemLog, where) -> dict:
    promised = None
    raw_promise = values.get("promised_on")
    if not is_empty(raw_promise):
        try:
            promised = parse_date(raw_promise, replied.year if replied else None)
        except CellError as exc:
            log.add("date_not_understood", "承诺完成时间无法识别；本行其余反馈内容已计入，承诺完成时间按未填写处理",
                    **where(i, cols["promised_on"]), header="承诺完成时间", value=raw_promise, expected=exc.expected)
    progress = text(values.get("progress"))
    if progress is not None and progress not in schema.FOLLOWUP_PROGRESS_CHOICES:
        log.add("progress_not_understood", "整改进展不是下拉选项之一；已按原文计入", **where(i, cols["progress"]),
                header="整改进展", value=progress, expected="、".join(schema.FOLLOWUP_PROGRESS_CHOICES))
    return {"replying_unit": unit[0] if unit else None, "measures": text(values.get("measures")),
            "responsible_person": text(values.get("responsible_person")), "promised_on": promised,
            "progress": progress, "explanation": text(values.get("explanation")), "replied_on": replied}


def _closure_cells(values, cols, i, log: ProblemLog, where) -> tuple[bool, dict]:
    ok = True
    closed_on = None
    raw_date = values.get("closed_on")
    if "closed_on" not in cols or is_empty(raw_date):
        ok = False
        log.add("closure_date_missing", "销号记录没有销号日期，未销号", **(where(i, cols["closed_on"]) if "closed_on" in cols
                else {"row": where(i, 0)["row"]}), header="销号日期", expected="销号日期，如 2023-10-20")
    else:
        try:
            closed_on = parse_date(raw_date)
        except CellError as exc:
            ok = False
            log.add("date_not_understood", "销号日期无法识别，未销号", **where(i, cols["closed_on"]), header="销号日期",
                    value=raw_date, expected=exc.expected)
    reason = text(values.get("reason"))
    if reason is None:
        ok = False
        log.add("closure_reason_missing", "销号记录没有书面理由，未销号（分析人员销号须写明理由）",
                **where(i, cols["reason"]), header="销号理由", expected="销号理由，如“经现场核实已整改到位”")
    return ok, {"closed_on": closed_on, "reason": reason, "closed_by": text(values.get("closed_by"))}


def _finish(report: SheetReport, log: ProblemLog, start: int) -> SheetReport:
    mine = log.items[start:]
    report.errors = sum(1 for p in mine if p.severity == ERROR)
    report.warnings = len(mine) - report.errors
    return report
