"""Test helper: the sample's canonical frames with the 入库 columns (registered, registered_on).

Until the io branch reads 是否入库 / 入库时间, this deliberately simple reader (openpyxl and plain
Python, no package reader code) takes them from the very cells the loader's rows came from
(source_file, source_sheet, source_row), so the forecast is tested on the frames the io branch will
give it. Also: cutting a data folder at a month, as a user would by removing the later workbooks.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from functools import lru_cache
from pathlib import Path

import openpyxl
import polars as pl

YES = {"是", "已入库", "已入统"}
NO = {"否", "未入库", "未入统"}


def parse_day(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    m = re.fullmatch(r"(\d{4})[.年-](\d{1,2})(?:[.月-](\d{1,2})日?)?月?", str(value).strip())
    if not m:
        raise ValueError(f"入库时间 not understood: {value!r}")
    return dt.date(int(m[1]), int(m[2]), int(m[3] or 1))


@lru_cache(maxsize=None)
def _sheet_cells(file: str, sheet: str) -> dict[int, tuple]:
    """Excel row → (registered, registered_on) of one sheet, by the 是否入库 / 入库时间 headers."""
    wb = openpyxl.load_workbook(file, read_only=True, data_only=True)
    ws = wb[sheet]
    rows = list(ws.iter_rows(values_only=True))
    wb.close()
    flag = when = None
    out: dict[int, tuple] = {}
    for r, row in enumerate(rows, 1):
        if flag is None:
            texts = [str(v).strip() if v is not None else "" for v in row]
            if "是否入库" in texts:
                flag, when = texts.index("是否入库"), texts.index("入库时间")
            continue
        word = row[flag] if flag < len(row) else None
        if word in YES or word in NO:
            out[r] = (word in YES, parse_day(row[when]))
    return out


def with_registration(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` (projects or progress, with source_file/sheet/row) plus registered, registered_on."""
    reg, on = [], []
    for file, sheet, row in frame.select("source_file", "source_sheet", "source_row").iter_rows():
        cell = _sheet_cells(file, sheet).get(row) if file else None
        reg.append(cell[0] if cell else None)
        on.append(cell[1] if cell else None)
    return frame.with_columns(pl.Series("registered", reg, pl.Boolean), pl.Series("registered_on", on, pl.Date))


def cut_folder(src: Path, dst: Path, month: int) -> Path:
    """A copy of a sample folder as it stood after month ``month``'s workbooks: later monthly and
    weekly tables removed, the baseline's later 2023 cells blanked (a user's --as-of cut)."""
    dst.mkdir(parents=True, exist_ok=True)
    for p in sorted(Path(src).glob("*.xlsx")):
        m = re.search(r"1-(\d+)月", p.name)
        if (m and int(m[1]) > month) or ("周调度" in p.name and month < 10):  # weeks 42-44: October
            continue
        shutil.copy2(p, dst / p.name)
        if "固定资产投资月度累计" in p.name:
            wb = openpyxl.load_workbook(dst / p.name)
            ws = wb.worksheets[0]
            for row in ws.iter_rows():
                label = row[0].value
                mm = re.fullmatch(r"1-(\d+)月", str(label or ""))
                if mm and int(mm[1]) > month:
                    row[2].value = None
                    row[3].value = None
            wb.save(dst / p.name)
    return dst
