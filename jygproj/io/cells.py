"""Cell values as offices type them: numbers as text, full-width digits, separators, dashes, and dates
in Excel form or as Chinese text (domain page, "Official Excel tables as they really arrive").

Cells arrive as text (the reader asks calamine for strings, so an Excel date becomes
"2023-04-15 00:00:00" and a number its shortest decimal form). Each parser returns a value or raises
:class:`CellError` with what was expected; the sheet readers turn that into a Problem.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata

#: Cells meaning "nothing here" (dashes, slashes, 无).
EMPTY_MARKS = frozenset({"", "-", "--", "—", "——", "─", "–", "/", "\\", "无", "―", "－", "/"})
#: In an amount cell a lone 一 is a dash typed with the Chinese IME, not the numeral one.
NUMBER_EMPTY_MARKS = EMPTY_MARKS | {"一", "——", "一一"}


class CellError(ValueError):
    """A cell that cannot be read; ``expected`` says what would have been accepted."""

    def __init__(self, expected: str):
        super().__init__(expected)
        self.expected = expected


def column_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA)."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def half_width(text: str) -> str:
    """Full-width digits, letters and punctuation → half-width (NFKC), keeping Chinese characters."""
    return unicodedata.normalize("NFKC", text)


def clean(value: str | None) -> str | None:
    """Strip a cell's text; whitespace-only becomes None."""
    if value is None:
        return None
    s = value.strip().replace("\u3000", "").strip()
    return s or None


def is_empty(value: str | None) -> bool:
    s = clean(value)
    return s is None or half_width(s).replace(" ", "") in EMPTY_MARKS


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def parse_number(value: str | None) -> float | None:
    """Text or number → float; None for blanks and dashes. "12,345.6", "１２３", " 1 234 " all read.

    Raises CellError for anything else (so "约500" or "待定" in an amount column is reported, not lost).
    """
    if value is None:
        return None
    s = value.strip()
    if not s:
        return None
    if _NUMBER.match(s):  # fast path: the common case of a real number cell
        return float(s)
    s = half_width(s).replace("\u3000", "").replace(" ", "").replace(",", "").replace("，", "")
    if s in NUMBER_EMPTY_MARKS:
        return None
    if s.startswith("¥") or s.startswith("￥"):
        s = s[1:]
    if _NUMBER.match(s):
        return float(s)
    raise CellError("数字，或留空/“—”")


def parse_percent(value: str | None) -> float | None:
    """"85%", "85", "0.85 (as a fraction when the cell held a number ≤ 1.5 with a %-format)" → 85.0."""
    if value is None:
        return None
    s = half_width(value).strip().replace(" ", "")
    if s.endswith("%"):
        s = s[:-1]
    try:
        return parse_number(s)
    except CellError:
        raise CellError("百分比数字，如 12.5 或 12.5%") from None


_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def chinese_numeral(text: str) -> int | None:
    """Small Chinese numerals 一..九十九 → int (序号 and section numbers)."""
    if not text or any(ch not in _CN_DIGITS for ch in text):
        return None
    if text == "十":
        return 10
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    return _CN_DIGITS[text] if len(text) == 1 else None


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError("有效日期，如 2023-04-15、2023年4月、2023.4.15、3月中旬") from None


_DATE_PATTERNS = [
    # 2023-04-15 00:00:00 (Excel date read as text), 2023-04-15, 2023/4/15, 2023.4.15, 2023年4月15日
    re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    # 20230415
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_MONTH_PATTERN = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*(上旬|中旬|下旬|初|底|末|中)?(?:份)?$")
_MONTH_ONLY = re.compile(r"^(\d{1,2})\s*月\s*(上旬|中旬|下旬|初|底|末|中)?(?:份)?$")
_YEAR_ONLY = re.compile(r"^(\d{4})\s*年?\s*(上半年|下半年|年内|年底|年初)?$")
_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_TEN_DAY = {None: 1, "上旬": 1, "初": 1, "中旬": 11, "中": 15, "下旬": 21}

#: Words meaning "started" in a date column (the date itself unknown).
STARTED_WORDS = frozenset({"已开工", "开工", "已复工", "复工", "续建", "在建", "已建"})
NOT_STARTED_WORDS = frozenset({"未开工", "未复工", "待开工", "否", "未开"})
UNKNOWN_DATE_WORDS = frozenset({"待定", "未定", "暂定", "待确定"})


def _with_part(year: int, month: int, part: str | None) -> dt.date:
    if not 1 <= month <= 12:
        raise CellError("有效月份 1-12")
    if part in ("底", "末"):
        return _month_end(year, month)
    return _date(year, month, _TEN_DAY[part])


def parse_date(value: str | None, default_year: int | None = None) -> dt.date | None:
    """Dates as they are typed: Excel dates, 2023.4.15, 2023年3月 (→ 1 March), 2023-04, 3月中旬
    (→ 11 March of ``default_year``), 2023年底; blanks, dashes and 待定 → None.

    Words (已开工, 未开工) are not dates: callers handle them with :func:`parse_started` first.
    Raises CellError for anything else.
    """
    if value is None:
        return None
    s = _TIME.sub("", half_width(value).strip()).replace(" ", "")
    if s in EMPTY_MARKS or s in UNKNOWN_DATE_WORDS:
        return None
    for pat in _DATE_PATTERNS:
        m = pat.match(s)
        if m:
            return _date(int(m[1]), int(m[2]), int(m[3]))
    m = _MONTH_PATTERN.match(s)
    if m:
        return _with_part(int(m[1]), int(m[2]), m[3])
    m = _MONTH_ONLY.match(s)
    if m and default_year:
        return _with_part(default_year, int(m[1]), m[2])
    m = _YEAR_ONLY.match(s)
    if m and m[2] is None and len(s) > 4:  # "2023年": the year only → 1 January (a plan, not a fact)
        return dt.date(int(m[1]), 1, 1)
    if m and m[2] in ("下半年",):
        return dt.date(int(m[1]), 7, 1)
    if m and m[2] in ("上半年", "年初"):
        return dt.date(int(m[1]), 1, 1)
    if m and m[2] in ("年底", "年内"):
        return dt.date(int(m[1]), 12, 31)
    # An Excel serial date typed as a plain number (1955-2118)
    if re.fullmatch(r"\d{5}(\.0+)?", s) and 20000 < float(s) < 80000:
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(float(s)))
    raise CellError("日期，如 2023-04-15、2023年4月、2023.4.15、3月中旬，或“已开工”")


def parse_started(value: str | None) -> tuple[bool | None, bool | None]:
    """是否开工 cell → (started, resumed). 是/已开工 → started; 已复工 → started and resumed."""
    if value is None:
        return None, None
    s = half_width(value).strip().replace(" ", "")
    if s in EMPTY_MARKS:
        return None, None
    bare = re.sub(r"[(][^()]*[)]$", "", s)  # 已开工（2023.3）: the word, with a date or note in brackets
    if bare and bare != s and bare not in ("是", "否"):
        return parse_started(bare)
    if s in ("已复工", "复工", "是(复工)", "已复工复产"):
        return True, True
    if s in ("是", "已开工", "开工", "在建", "续建", "已建", "√", "Y", "y", "yes", "true", "TRUE", "已开复工", "已开(复)工",
             "开复工", "已开工建设", "已竣工", "竣工", "已完工", "完工", "是(开工)"):
        return True, None
    if s in ("否", "未开工", "待开工", "未开", "×", "N", "n", "no", "false", "FALSE", "未开复工", "未开(复)工"):
        return False, None
    if s in ("未复工", "停工"):
        return None, False
    raise CellError("是/否、已开工/未开工/已复工")


#: 是否入库/入统 (statistical registration, issue 14): "先入库，后有数" — a project has FAI figures once registered.
REGISTERED_WORDS = frozenset({"是", "已入库", "入库", "已入统", "入统", "已纳入", "纳入", "已纳统", "纳统", "已纳入统计",
                              "已入库入统", "√", "Y", "y"})
NOT_REGISTERED_WORDS = frozenset({"否", "未入库", "未入统", "未纳入", "未纳统", "未纳入统计", "待入库", "×", "N", "n"})


def parse_registered(value: str | None) -> bool | None:
    """是否入库/入统 cell → True / False; None when empty. Raises CellError for anything else."""
    if value is None:
        return None
    s = half_width(value).strip().replace(" ", "")
    if s in EMPTY_MARKS:
        return None
    if s in REGISTERED_WORDS:
        return True
    if s in NOT_REGISTERED_WORDS:
        return False
    raise CellError("是/否、已入库/未入库、已入统/未入统")


def parse_date_or_word(value: str | None, default_year: int | None) -> tuple[dt.date | None, bool | None]:
    """A 开工时间 cell: a date, or a word saying started/not started → (date, started)."""
    if value is None:
        return None, None
    s = half_width(value).strip().replace(" ", "")
    if s in STARTED_WORDS:
        return None, True
    if s in NOT_STARTED_WORDS:
        return None, False
    m = re.fullmatch(r"(.+?)(?:已)?(?:开工建设|开工|复工)", s)
    if m and (m[1][-1:].isdigit() or m[1][-1:] in "月日旬底初中"):  # "2023年3月开工": a start date
        d = parse_date(m[1], default_year)
        return d, (True if d is not None else None)
    d = parse_date(value, default_year)
    return d, (True if d is not None else None)


def text(value: str | None) -> str | None:
    """A free-text cell, stripped; dashes count as empty."""
    s = clean(value)
    if s is None or half_width(s) in EMPTY_MARKS:
        return None
    return s
