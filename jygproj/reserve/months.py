"""Month arithmetic for the reserve timeline: months are first-of-month dates."""

from __future__ import annotations

import datetime as dt
import math

import polars as pl

from jygproj import evaluation

DAYS_PER_MONTH = 365.25 / 12


def parse_month(value: str | dt.date) -> dt.date:
    """'2023-11' (or a date) → 2023-11-01 (jygproj.evaluation.parse_month, the one parser)."""
    return dt.date(*evaluation.parse_month(value), 1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(a: dt.date, b: dt.date) -> int:
    """Whole months from a's month to b's month (b later → positive)."""
    return (b.year * 12 + b.month) - (a.year * 12 + a.month)


def ceil_months(months: float) -> int:
    # A tiny tolerance so 3.0000000001 from float sums still counts as 3 months.
    return max(0, math.ceil(months - 1e-9))


def ceil_months_expr(months: pl.Expr) -> pl.Expr:
    """:func:`ceil_months` for a column (vectorised)."""
    return (months - 1e-9).ceil().clip(lower_bound=0).cast(pl.Int32)

