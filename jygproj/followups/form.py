"""The reply form 整改落实情况反馈表 sent with each reminder letter, and the analyst's closure record
督办销号记录 — workbooks read back by jygproj.io.followup_books.

The reply form lists the unit's open items, each with its 督办编号, the project or list, the problem
and when it was first raised (locked: written by the tool); the unit fills in, per item, its
measures 整改措施, the responsible person 责任人, the promised completion date 承诺完成时间 (date
cells), its progress 整改进展 (drop-down) and a short explanation 情况说明, and the 填报日期 above the
table. Like the input templates (jygproj.templates): a locked header, unlocked and formatted cells
to fill, drop-downs, a 填报说明 sheet. The same bytes for the same items (save_deterministic).
"""

from __future__ import annotations

import datetime as dt
from copy import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from openpyxl.styles import Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from jygproj import outputs
from jygproj.catalogue import FOLLOWUP_FOLDER
from jygproj.office import load_office
from jygproj.report.formats import date_zh
from jygproj.sample.xlsx import (
    BODY_FONT, BORDER, CENTER, HEADER_FILL, HEADER_FONT, LEFT, TITLE_FONT, new_workbook, save_deterministic,
)
from jygproj.schema import FOLLOWUP_PROGRESS_CHOICES

SHEET = "整改反馈"
CLOSURE_SHEET = "销号记录"
GUIDE_SHEET = "填报说明"  # read as instructions, never data (jygproj.io.sheets.INSTRUCTION_SHEETS)
TITLE_SUFFIX = "整改落实情况反馈表"
CLOSURE_TITLE = "督办事项销号记录"
HEADER_ROW = 5

#: (header, width, filled by the unit)
COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("序号", 6, False), ("督办编号", 16, False), ("项目名称", 28, False), ("督办问题", 48, False),
    ("首次提出", 12, False), ("整改措施", 40, True), ("责任人", 16, True), ("承诺完成时间", 14, True),
    ("整改进展", 14, True), ("情况说明", 36, True),
)
CLOSURE_COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 6), ("督办编号", 16), ("责任单位", 18), ("督办问题", 48), ("销号日期", 14), ("销号理由", 48), ("经办人", 12),
)
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
                     atomic: bool = True) -> Path:
    """Write one unit's reply form; ``answers`` and ``replied_on`` fill it in (the sample's replies)."""
    items = list(items)
    answers = answers or {}
    issuer = issuer or load_office().issuer
    wb = new_workbook()
    wb.properties.creator = issuer
    ws = wb.active
    ws.title = SHEET
    n = len(COLUMNS)
    _cell(ws, 1, 1, title(letter_title), font=TITLE_FONT, align=CENTER, border=False)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n)
    ws.row_dimensions[1].height = 30
    _cell(ws, 2, 1, f"反馈单位：{unit}", border=False)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=4)
    _cell(ws, 3, 1, f"对应提醒函：{issuer}{date_zh(issued_on)}印发（{review_label}）；请于{date_zh(deadline)}前填报并报送",
          border=False)
    ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=n)
    _cell(ws, 4, 1, "填报日期：", border=False)
    _cell(ws, 4, 2, replied_on, border=True, locked=False, number_format="yyyy-mm-dd")
    for j, (head, width, _) in enumerate(COLUMNS, 1):
        _cell(ws, HEADER_ROW, j, head, font=HEADER_FONT, align=CENTER).fill = HEADER_FILL
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.row_dimensions[HEADER_ROW].height = 30
    first = HEADER_ROW + 1
    styles: dict = {}  # the items' and spare rows' looks, made once (_cell)
    for k, item in enumerate(items):
        r = first + k
        a = answers.get(item.item_id, Answer())
        fixed = (k + 1, item.item_id, item.name, item.problem, item.opened_on)
        filled = (a.measures, a.responsible_person, a.promised_on, a.progress, a.explanation)
        for j, value in enumerate((*fixed, *filled), 1):
            head, _, unit_fills = COLUMNS[j - 1]
            _cell(ws, r, j, value, locked=not unit_fills, align=CENTER if j in (1, 2, 5, 8, 9) else LEFT,
                  number_format="yyyy-mm-dd" if head in ("首次提出", "承诺完成时间") else None, styles=styles)
    last = first + len(items) + FILL_ROWS - 1
    for r in range(first + len(items), last + 1):
        for j, (head, _, unit_fills) in enumerate(COLUMNS, 1):
            _cell(ws, r, j, None, locked=False, number_format="yyyy-mm-dd" if head == "承诺完成时间" else None,
                  styles=styles)
    col = {h: get_column_letter(j) for j, (h, _, _) in enumerate(COLUMNS, 1)}
    progress = DataValidation(type="list", formula1='"' + ",".join(FOLLOWUP_PROGRESS_CHOICES) + '"', allow_blank=True,
                              showErrorMessage=True, errorTitle="输入值无效", error="请从下拉列表中选择“整改进展”。",
                              promptTitle="整改进展", prompt="请从下拉列表中选择")
    progress.add(f"{col['整改进展']}{first}:{col['整改进展']}{last}")
    dates = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True,
                           showErrorMessage=True, errorTitle="输入值无效", error="请填写日期，如 2023-10-31。")
    dates.add(f"{col['承诺完成时间']}{first}:{col['承诺完成时间']}{last}")
    dates.add("B4")
    ws.add_data_validation(progress)
    ws.add_data_validation(dates)
    ws.freeze_panes = ws.cell(row=first, column=3)
    ws.protection.sheet = True
    ws.protection.insertRows = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    _guide(wb, GUIDE, plan=plan_name, deadline=date_zh(deadline), issuer=issuer, year=issued_on.year)
    wb.active = 0
    return _save(wb, Path(path), atomic)


def write_closure_record(path: Path | str, rows: Iterable[Mapping], *, atomic: bool = True) -> Path:
    """The analyst's closure record: one row per item to close (督办编号, 责任单位, 督办问题 given; 销号日期,
    销号理由 and 经办人 written by the analyst). ``rows`` may hold closed_on, reason and closed_by already."""
    wb = new_workbook()
    wb.properties.creator = load_office().issuer
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
    for k, row in enumerate(rows, 1):
        values = (k, row["item_id"], row.get("responsible_unit"), row.get("problem"), row.get("closed_on"),
                  row.get("reason"), row.get("closed_by"))
        for j, value in enumerate(values, 1):
            _cell(ws, head_row + k, j, value, align=CENTER if j in (1, 2, 5) else LEFT,
                  number_format="yyyy-mm-dd" if j == 5 else None, styles=styles)
    ws.freeze_panes = ws.cell(row=head_row + 1, column=3)
    return _save(wb, Path(path), atomic)


def _guide(wb, lines: tuple[str, ...], **values) -> None:
    ws = wb.create_sheet(GUIDE_SHEET)
    ws.column_dimensions["A"].width = 110
    for i, text in enumerate(lines, 1):
        _cell(ws, i, 1, text.format(**values), border=False)


def _save(wb, path: Path, atomic: bool) -> Path:
    if atomic:  # a run's output: through a temporary file, with the one output file mode
        return outputs.write_atomic(path, lambda tmp: save_deterministic(wb, tmp))
    return save_deterministic(wb, path)
