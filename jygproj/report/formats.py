"""Chinese formatting of figures for readers: the only place that turns a date, an amount or a rate
into text. Money is 万元 inside the package; 亿元 only here, at the edge."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from jygproj.schema import ALERT_LEVELS, WAN_PER_YI

DASH = "—"  # a figure that does not exist (nothing planned, not reported yet)


def date_zh(d: dt.date) -> str:
    """2023年11月10日."""
    return f"{d.year}年{d.month}月{d.day}日"


def under_way(as_of_month: int) -> str:
    """What follows the name of a quarter under way, in the tables and on the charts alike:
    （截至10月，未结束）. Its figures run to the as-of month only, its plan is the whole quarter's."""
    return f"（截至{as_of_month}月，未结束）"


#: What follows the name of a quarter not begun on a chart: its plan is shown, no completion yet.
NOT_BEGUN = "（未开始）"


def month_zh(d: dt.date | None) -> str:
    """2023年11月 (the month of a date); empty for None."""
    return f"{d.year}年{d.month}月" if d else ""


def yi(wan: float | None) -> str:
    """An amount in 万元 shown in the plan's 亿元: 1,234.56亿元."""
    return DASH if wan is None else f"{wan / WAN_PER_YI:,.2f}亿元"


def official_amount(wan: float | None) -> str:
    """An amount as official documents write it (公文, no thousands separator): 1亿元 and more in 亿元
    to two decimals (13.19亿元), less in whole 万元 (9290万元)."""
    if wan is None:
        return DASH
    return f"{wan / WAN_PER_YI:.2f}亿元" if abs(wan) >= WAN_PER_YI else f"{wan:.0f}万元"


def official_yi(wan: float | None) -> str:
    """An amount in 亿元 to two decimals without thousands separator (公文 tables: 121.10)."""
    return DASH if wan is None else f"{wan / WAN_PER_YI:.2f}"


def pct(x: float | None) -> str:
    """A rate in percent: 97.3%."""
    return DASH if x is None else f"{x:.1f}%"


def wan(x: float | None) -> str:
    """1,234.5万元."""
    return DASH if x is None else f"{x:,.1f}万元"


def money(wan: float | None) -> str:
    """An amount as 公文 write it (letters): 9290万元 below 1亿元, 1.20亿元 from 1亿元 up; no thousands
    separators, no trailing .0 (one decimal only under 10万元, where a whole number would hide it)."""
    if wan is None:
        return DASH
    if abs(wan) >= WAN_PER_YI:
        return f"{wan / WAN_PER_YI:.2f}亿元"
    if abs(wan) < 10 and round(wan, 1) != round(wan):
        return f"{wan:.1f}万元"
    return f"{wan:.0f}万元"


def by_unit(value: float | None, unit: str) -> str:
    """A value of a mixed-unit table (indicator, value, unit): counts whole, rates 0.1, amounts 0.01."""
    if value is None:
        return DASH
    if unit in ("月", "个", "份"):
        return f"{value:,.0f}"
    return f"{value:,.1f}" if unit == "%" else f"{value:,.2f}"


def cell(col: str, v: Any) -> str:
    """One table cell: by the column's unit suffix (_pct, ratio, amounts), booleans 是/否, levels in Chinese."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return DASH
    if isinstance(v, bool):
        return "是" if v else "否"
    if col in ("level", "from_level", "to_level"):
        return ALERT_LEVELS.get(str(v), str(v))
    if isinstance(v, float):
        if col.endswith("_pct"):
            return f"{v:.1f}"
        if col.endswith("ratio"):
            return f"{v:.2f}"
        return f"{v:,.2f}"
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def number(x: Any, nd: int = 2) -> float | None:
    """A figure for JSON: rounded, NaN and None as None."""
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else round(x, nd)
