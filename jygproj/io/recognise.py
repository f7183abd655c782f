"""What a sheet is, from its name and title line (issue 3, point 2: "recognition without
configuration"): its kind, its list, its year and period, its unit line, whether it is a correction."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from jygproj.io.cells import CellError, half_width, parse_date

#: List id → words that name it in a sheet name, title or 清单 cell; the first match wins, so the
#: more specific words come first.
LIST_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("provincial_major", ("省列重大项目", "省列重大", "省级重大项目", "省重大项目")),
    ("provincial_key", ("全省重点投资项目", "全省重点", "省重点投资项目", "省重点项目", "亿元以上")),
    ("leader_package", ("市级领导包抓项目", "领导包抓", "市级领导包抓", "包抓项目")),
    ("government", ("政府投资项目", "政府投资")),
    ("industrial", ("产业投资项目", "产业投资", "产业项目")),
    ("real_estate", ("房地产投资项目", "房地产开发项目", "房地产投资", "房地产")),
    ("reserve", ("储备项目", "项目储备", "储备库")),
)


def list_from_text(text: str | None) -> str | None:
    if not text:
        return None
    s = half_width(text).replace(" ", "")
    for list_id, words in LIST_WORDS:
        if any(w in s for w in words):
            return list_id
    return None


def kind_from_text(sheet_name: str, title: str | None) -> str | None:
    """"register" | "progress" | "baseline" | "reserve" | None, from the sheet name and title."""
    for s in (title or "", sheet_name):
        s = half_width(s).replace(" ", "")
        if not s:
            continue
        if "固定资产投资" in s and ("基数" in s or "月度累计" in s or "累计" in s):
            return "baseline"
        if "储备" in s:
            return "reserve"
        if "调度" in s or "进度" in s or re.search(r"第\d+周", s) or "周报" in s or "月报" in s:
            return "progress"
        if "清单" in s or "计划表" in s or "计划" in s or list_from_text(s):
            return "register"
    return None


@dataclass
class Period:
    period: str  # "2023-10" or "2023-W43"
    end: dt.date
    weekly: bool


def month_period(year: int, month: int) -> Period:
    return Period(f"{year}-{month:02d}", dt.date(year, month, calendar.monthrange(year, month)[1]), False)


def week_period(year: int, week: int) -> Period:
    return Period(f"{year}-W{week:02d}", dt.date.fromisocalendar(year, week, 7), True)


def year_from_text(*texts: str | None) -> int | None:
    for t in texts:
        if not t:
            continue
        m = re.search(r"(20\d{2})\s*年", half_width(t))
        if m:
            return int(m[1])
    for t in texts:  # a bare year, e.g. in a file name "2023_政府投资项目.xlsx"
        if not t:
            continue
        m = re.search(r"(?<!\d)(20\d{2})(?!\d)", half_width(t))
        if m:
            return int(m[1])
    return None


def period_from_text(text: str | None, year: int | None) -> Period | None:
    """"1-10月" → 2023-10; "1-2月" → 2023-02 (January and February are reported together);
    "第43周" → 2023-W43; "10月调度" → 2023-10."""
    if not text or not year:
        return None
    s = half_width(text).replace(" ", "")
    m = re.search(r"第(\d{1,2})周", s)
    if m and 1 <= int(m[1]) <= 53:
        return week_period(year, int(m[1]))
    m = re.search(r"(?<![\d.])1\s*[-~至到]\s*(\d{1,2})月", s)
    if m and 1 <= int(m[1]) <= 12:
        return month_period(year, int(m[1]))
    m = re.search(r"(?<![\d\-~.日])(\d{1,2})月(?:份)?(?:调度|进度|月报|报表|完成|$)", s)
    if m and 1 <= int(m[1]) <= 12:
        return month_period(year, int(m[1]))
    return None


_UNIT_LINE = re.compile(r"单位\s*[:：]?\s*(万元|亿元|元)")
_REPORTED = re.compile(r"填报(?:日期|时间)\s*[:：]?\s*([0-9０-９][^\s，,；;)）]*)")


def unit_from_cells(cells: list[str]) -> str | None:
    for c in cells:
        m = _UNIT_LINE.search(half_width(c))
        if m:
            return m[1]
    return None


def reported_from_cells(cells: list[str], year: int | None) -> dt.date | None:
    for c in cells:
        m = _REPORTED.search(half_width(c))
        if m:
            try:
                return parse_date(m[1], year)
            except CellError:
                return None
    return None


def is_correction(title: str | None, sheet_name: str) -> bool:
    """A corrected resubmission says so in its title or sheet name: （更正）/（修订）/更正版."""
    s = (title or "") + sheet_name
    return any(w in s for w in ("更正", "修正", "修订"))
