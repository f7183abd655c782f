"""The loaders' row checks and cell readings, each written once (issue 11, item 9).

The row readers (registers.py, progress.py, table.py, reserve.py, baseline.py, dataset.py) call these
to decide what to report; the column-wise fast path (fastpath.py) calls the same functions to decide
which rows it must hand back to the row readers. Every tolerance of the loaders is here.
"""

from __future__ import annotations

import math
import re

import polars as pl

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


def exceeds_column(x: pl.Series, limit: pl.Series) -> pl.Series:
    """exceeds for whole columns (the fast path): the same double arithmetic, False where either is null."""
    return _evaluated(exceeds_expr(pl.col("a"), pl.col("b")), x, limit)


def exceeds_expr(x: pl.Expr, limit: pl.Expr) -> pl.Expr:
    return (x > limit * (1 + REL_NOISE) + ABS_NOISE_WAN).fill_null(False)


def _evaluated(expr: pl.Expr, a: pl.Series, b: pl.Series | None = None) -> pl.Series:
    """``expr`` over columns "a" (and "b"): one polars query, not one per operation (each costs
    ~0.1-1 ms of the reading thread, a thousand times a province)."""
    cols = {"a": a} if b is None else {"a": a, "b": b}
    return pl.DataFrame(cols).select(expr.alias("x")).to_series()


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


def before_code_year_column(date: pl.Series, code_year: pl.Series) -> pl.Series:
    """before_code_year for whole columns (a Date column and an integer one)."""
    a, y = pl.col("a"), pl.col("b")
    return _evaluated(((y.fill_null(0) != 0) & a.is_not_null() & (a.dt.year() < y)).fill_null(False), date, code_year)


# --- cell readings (pure; memoised per distinct value by the fast path) ----------------------------

#: Largest amount one cell may hold (万元): 100 万亿元, twice China's fixed-asset investment of a year —
#: beyond any project or any 合计 of a province's list. Above it a cell is a slip (or 1e309 read as
#: infinity): reported, never summed. (1 万亿元 would refuse a province's 合计 row.)
MAX_AMOUNT_WAN = 1e10


def amount(value: str | None, factor: float = 1.0) -> float | None:
    """An amount cell in the sheet's unit (``factor`` 万元 per unit); CellError("not_number"),
    CellError("negative") or CellError("absurd") (infinite, NaN, or above MAX_AMOUNT_WAN)."""
    try:
        x = cells.parse_number(value)
    except CellError:
        raise CellError("not_number") from None
    if x is None:
        return x
    if not math.isfinite(x) or x * factor > MAX_AMOUNT_WAN:
        raise CellError("absurd")
    if x < 0:
        raise CellError("negative")
    return x


def absurd_wan(x: float | None) -> bool:
    """A 万元 figure that cannot be an amount (the column-wise reader's test of rules.amount's rule)."""
    return x is not None and not (x <= MAX_AMOUNT_WAN)  # NaN and infinities fail the comparison


def absurd_wan_column(x: pl.Series) -> pl.Series:
    """absurd_wan for a whole column of 万元 figures."""
    return _evaluated(absurd_wan_expr(pl.col("a")), x)


def absurd_wan_expr(x: pl.Expr) -> pl.Expr:
    return (x.is_not_null() & ~(x <= MAX_AMOUNT_WAN)).fill_null(False)


# --- cells that hold no usable value (issue 17, point 5) -----------------------------------------

#: Longest text read from one cell. The longest real 建设内容 run to a few hundred characters; a cell of
#: 1 MB is pasted by mistake (or an attack on the terminal and the report): reported, never loaded.
MAX_TEXT_CHARS = 5_000
#: C0 and C1 control characters other than tab and line breaks (ESC starts a terminal escape sequence).
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_CLASS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"


def odd_text_cells(frame, row_offset: int, col_offset: int) -> list:
    """(Excel row, column index, shown text, kind) of cells with oversized text ("too_long") or control
    characters ("control"), found column-wise (polars; a province's cells in ~0.1 s)."""
    if frame is None or not frame.width:
        return []
    # One pass giving a flag per column (a text over the limit has at least as many bytes as
    # characters: the byte length, read from the offsets, rules most columns out); the cells only in
    # the columns flagged (none in an honest workbook).
    exprs = [(pl.col(c).str.len_bytes() > MAX_TEXT_CHARS).any().alias(f"L{j}") for j, c in enumerate(frame.columns)]
    exprs += [pl.col(c).str.contains(_CONTROL_CLASS).any().alias(f"C{j}") for j, c in enumerate(frame.columns)]
    flagged = frame.select(exprs).row(0, named=True)
    out = []
    for name, any_ in flagged.items():
        if not any_:
            continue
        j = int(name[1:])
        col = frame.to_series(j)
        if name[0] == "L":
            kind, hit = "too_long", (col.str.len_chars() > MAX_TEXT_CHARS).fill_null(False)
        else:
            kind, hit = "control", col.str.contains(_CONTROL_CLASS).fill_null(False)
        for i in hit.arg_true().to_list()[:50]:
            out.append((row_offset + i + 1, col_offset + j, frame[i, j], kind))
    return sorted(out)


def shown(text: str, limit: int = 40) -> str:
    """A cell's text as it may be printed: control characters as \\xNN, at most ``limit`` characters."""
    text = CONTROL_CHARS.sub(lambda m: f"\\x{ord(m[0]):02x}", text)
    return text if len(text) <= limit else text[:limit] + f"…（共 {len(text):,} 个字符）"


#: "1-13月", "1—15月": a month range ending past December.
_MONTH_RANGE = re.compile(r"(\d{1,2})\s*[-—–~～至到]\s*(\d{1,3})\s*月")


def impossible_months(text: str | None) -> str | None:
    """The wording of an impossible month range in a title or name ("1-13月"), None when there is none."""
    if not text:
        return None
    for m in _MONTH_RANGE.finditer(cells.half_width(text)):
        if not (1 <= int(m[1]) <= 12 and 1 <= int(m[2]) <= 12):
            return m[0]
    return None


def this_year() -> int:
    import datetime as dt

    return dt.date.today().year


def future_year(year: int) -> bool:
    """A reporting period in a year after next (2099年1-3月): a slip of the year, warned about. Next year
    is allowed: plans for it are drafted in the autumn."""
    return year > this_year() + 1


#: Attribute columns whose cell merged down over several projects applies to each of them (sheets.
#: _fill_merged_units): never an amount, a name or a code.
FILL_DOWN_FIELDS = frozenset({"responsible_unit", "lead_unit", "owner", "leader", "sector"})

#: kind of a non-value cell → (problems code, Chinese description of what was found, what was expected)
NON_VALUE_CODES = {
    "error": ("cell_error_value", "单元格是 Excel 错误值“{v}”（公式无法计算），其值无法读取",
              "可计算的公式或直接填写的数值（在 Excel 中修正公式引用后另存）"),
    "formula": ("formula_without_value", "单元格是公式“{v}”，但文件中没有保存计算结果（由程序生成、未在 Excel 中打开保存）",
                "在 Excel 或 WPS 中打开并保存一次（保存计算结果），或直接填写数值"),
    "too_long": ("cell_too_long", "单元格文字过长（{n:,} 个字符，上限 {limit:,}），未读取：“{v}”",
                 "正常长度的文字；大段说明请另附文件"),
    "control": ("cell_control_chars", "单元格含不可见的控制字符（如终端转义符）：“{v}”",
                "普通文字（删除不可见字符后重新填写）"),
}


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


def nature_conflicts_column(column_nature: pl.Series, section_nature: pl.Series) -> pl.Series:
    """nature_conflicts for whole columns."""
    c, s = pl.col("a"), pl.col("b")
    given = c.is_not_null() & (c != "") & s.is_not_null() & (s != "")
    return _evaluated((given & (c != s)).fill_null(False), column_nature, section_nature)


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
