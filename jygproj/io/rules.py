"""The loaders' row checks and cell readings, each written once (issue 11, item 9).

The row readers (registers.py, progress.py, table.py, reserve.py, baseline.py, dataset.py) call these
to decide what to report; the column-wise fast path (fastpath.py) calls the same functions to decide
which rows it must hand back to the row readers. Every tolerance of the loaders is here.
"""

from __future__ import annotations

import re

from jygproj.io import cells, names
from jygproj.io.cells import CellError
from jygproj.io.recognise import list_from_text, nature_from_text

#: Float noise allowed when one figure must not exceed another (万元): relative, plus an absolute hair.
REL_NOISE = 1e-9
ABS_NOISE_WAN = 1e-6
#: A written sum (合计, 小计, a year's quarters) may differ from the sum of its parts by the rounding of
#: the written figure to 2 decimals in the sheet's unit (half a unit of the second decimal, and a hair).
ROUNDING_IN_UNIT = 0.0051

#: 万元 per unit.
UNIT_FACTORS = {"万元": 1.0, "亿元": 10_000.0, "元": 0.0001}


def exceeds(x: float | None, limit: float | None) -> bool:
    """x above limit beyond float noise (completed above total, annual plan above total)."""
    return x is not None and limit is not None and x > limit * (1 + REL_NOISE) + ABS_NOISE_WAN


def falls(x: float, previous: float) -> bool:
    """A cumulative figure below the previous period's (1-X月 figures never fall)."""
    return x < previous - ABS_NOISE_WAN


def sum_disagrees(written: float, reference: float, factor: float, rounding_in_unit: float = ROUNDING_IN_UNIT) -> bool:
    """A written sum differs from the reference (the sum of its parts, or the figure the parts must add
    up to) by more than the rounding of the written figure (``rounding_in_unit``, by default 2
    decimals) in the sheet's unit (``factor`` 万元 per unit) and float noise."""
    return abs(written - reference) > rounding_in_unit * factor + REL_NOISE * abs(reference)


def written_rounding(value: str | None) -> float:
    """The rounding a written 合计/小计 may carry, in the sheet's unit: half a unit of its last written
    decimal (a total typed as 64346 may stand for 64345.6), never less than ROUNDING_IN_UNIT."""
    s = cells.half_width(str(value or "")).strip().replace(",", "")
    m = re.fullmatch(r"[+-]?\d+(?:\.(\d*))?", s)
    if not m:
        return ROUNDING_IN_UNIT
    decimals = len(m[1] or "")
    if decimals >= 2:
        return ROUNDING_IN_UNIT
    return 0.5 * 10 ** -decimals + (ROUNDING_IN_UNIT - 0.005)


def quarters_sum(quarters: tuple) -> float:
    return sum(q or 0.0 for q in quarters)


def quarters_disagree(annual: float | None, quarters: tuple, factor: float) -> bool:
    """四个季度计划之和 differs from the 年度计划投资 (checked when the annual figure and a quarter are given)."""
    if annual is None or all(q is None for q in quarters):
        return False
    return sum_disagrees(quarters_sum(quarters), annual, factor)


def before_code_year(date, code_year: int | None) -> bool:
    """A (planned) start date before the year the project's national code was issued ("2301-…" → 2023)."""
    return bool(code_year) and date is not None and date.year < code_year


# --- cell readings (pure; memoised per distinct value by the fast path) ----------------------------

def amount(value: str | None) -> float | None:
    """An amount cell in the sheet's unit; CellError("not_number") or CellError("negative")."""
    try:
        x = cells.parse_number(value)
    except CellError:
        raise CellError("not_number") from None
    if x is not None and x < 0:
        raise CellError("negative")
    return x


def to_wan(x: float | None, factor: float) -> float | None:
    # 亿元 → 万元 multiplies by 10,000: round off the binary noise (1.53 亿元 → 15300 万元, not 15299.999…)
    if x is None or factor == 1.0:
        return x
    return round(x * factor, 6)


def code_reading(value: str | None) -> tuple[str | None, bool]:
    """(clean code, is a national code or absent) of a 项目代码 cell."""
    code = names.clean_code(value)
    return code, (code is None or names.is_national_code(code))


def nature_cell(value: str | None) -> str | None:
    """A 建设性质 cell: None when empty; CellError when not understood."""
    if cells.is_empty(value):
        return None
    nature = nature_from_text(value)
    if nature is None:
        raise CellError("nature")
    return nature


def nature_conflicts(column_nature: str | None, section_nature: str | None) -> bool:
    return bool(column_nature and section_nature and column_nature != section_nature)


def list_cell(value: str | None, sheet_list: str | None) -> str:
    """A 清单 cell: the sheet's list when empty; CellError("not_understood") or CellError("unknown")."""
    if cells.is_empty(value):
        if sheet_list is None:
            raise CellError("unknown")
        return sheet_list
    list_id = list_from_text(value)
    if list_id is None:
        raise CellError("not_understood")
    return list_id


#: Section rows carrying the construction nature (一、续建项目（22项）) written without a numbering.
SECTION_PLAIN = re.compile(r"^(续建|新建|新开工|预备|前期|计划新开工)(类)?项目?(?:[（(]\s*\d+\s*[项个]\s*[)）])?$")


def plain_name(value) -> bool:
    """A 项目名称 cell that walk_rows takes as a project's name: not empty, not a section label."""
    t = cells.text(value)
    return t is not None and not SECTION_PLAIN.match(cells.half_width(t).replace(" ", ""))
