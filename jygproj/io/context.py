"""One sheet being read (its title, unit, header, year, list) and the per-cell readers that report a
problem with its row and column. Shared by the row readers (table.py and the readers of each kind)
and the column-wise fast path (fastpath.py)."""

from __future__ import annotations

from dataclasses import dataclass

from jygproj.io import cells, rules
from jygproj.io.cells import CellError, column_letter
from jygproj.io.headers import AMOUNT_FIELDS, Column, Header
from jygproj.io.problems import ProblemLog
from jygproj.io.workbook import RawSheet


@dataclass
class Ctx:
    """One sheet being read."""

    file: str
    raw: RawSheet
    log: ProblemLog
    kind: str
    title: str | None
    header: Header
    cols: dict[str, Column]
    unit_line: str | None
    year: int | None
    list_id: str | None = None
    sheet_nature: str | None = None  # the nature the sheet name, title or layout file gives every row
    start_may_be_planned: bool = False  # 开工时间 read from a "开工/计划开工时间" column

    def excel_row(self, i: int) -> int:
        return self.raw.row_offset + i + 1

    def letter(self, col: Column) -> str:
        return column_letter(self.raw.col_offset + col.index)

    def cell(self, row: tuple, fld: str) -> str | None:
        col = self.cols.get(fld)
        return row[col.index] if col is not None else None

    def report(self, code: str, text: str, i: int | None, fld: str | None, value=None, expected=None):
        col = self.cols.get(fld) if fld else None
        return self.log.add(
            code,
            text,
            row=self.excel_row(i) if i is not None else None,
            column=self.letter(col) if col is not None else None,
            header=col.header if col is not None else None,
            value=value,
            expected=expected,
        )

    # ---- units -------------------------------------------------------------------------------
    def unit(self, fld: str) -> str:
        col = self.cols.get(fld)
        return (col.unit if col is not None else None) or self.unit_line or "万元"

    def factor(self, fld: str) -> float:
        return rules.UNIT_FACTORS[self.unit(fld)]

    def check_units(self) -> None:
        """A unit written in a header wins over the unit line; say so when they disagree."""
        amount_cols = [c for c in self.header.columns if c.field in AMOUNT_FIELDS or c.field == "cumulative"]
        if not amount_cols:
            return
        for c in amount_cols:
            if c.unit and self.unit_line and c.unit != self.unit_line:
                self.log.add(
                    "unit_conflict",
                    f"单位行为“单位：{self.unit_line}”，但表头“{c.header}”注明{c.unit}；按表头的{c.unit}读取本列",
                    row=self.excel_row(self.header.first_row),
                    column=self.letter(c),
                    header=c.header,
                    value=c.unit,
                    expected=f"与单位行一致（{self.unit_line}）",
                )
        if not self.unit_line and not all(c.unit for c in amount_cols):
            self.log.add("unit_missing", "未找到单位行（如“单位：万元”），金额按万元读取",
                         expected="标题下一行写明“单位：万元”或“单位：亿元”")

    # ---- cell readers ------------------------------------------------------------------------
    def amount(self, row: tuple, i: int, fld: str, bad: list) -> float | None:
        col = self.cols.get(fld)
        if col is None:
            return None
        v = row[col.index]
        try:
            x = rules.amount(v, self.factor(fld))
        except CellError as exc:
            if exc.expected == "negative":
                self.report("amount_negative", f"金额“{v}”为负数", i, fld, v, "不小于 0 的数字")
            elif exc.expected == "absurd":
                self.report("amount_absurd", f"金额“{rules.shown(str(v))}”不是可能的金额（无穷大、非数或超过 100 万亿元）", i, fld,
                            v, f"不超过 {rules.MAX_AMOUNT_WAN:,.0f} 万元的有限数字（核对单位和位数）")
            else:
                self.report("amount_not_number", f"金额“{v}”不是数字", i, fld, v, "数字，或留空/“—”")
            bad.append(fld)
            return None
        return rules.to_wan(x, self.factor(fld))

    def date(self, row: tuple, i: int, fld: str, bad: list):
        v = self.cell(row, fld)
        try:
            return cells.parse_date(v, self.year)
        except CellError as exc:
            self.report("date_not_understood", f"日期“{v}”无法识别", i, fld, v, exc.expected)
            bad.append(fld)
            return None

    def text(self, row: tuple, fld: str) -> str | None:
        return cells.text(self.cell(row, fld))

    def registration(self, row: tuple, i: int, bad: list) -> tuple[bool | None, object]:
        """(registered, registered_on) of a row: 是否入库/入统 and 入库/入统时间 (issue 14); None when the
        sheet has no such column."""
        v = self.cell(row, "registered")
        try:
            registered = cells.parse_registered(v)
        except CellError as exc:
            self.report("registered_not_understood", f"入库情况“{v}”无法识别", i, "registered", v, exc.expected)
            bad.append("registered")
            registered = None
        on = self.date(row, i, "registered_on", bad) if "registered_on" in self.cols else None
        return registered, on
