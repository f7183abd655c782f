"""One evaluation date: the as-of month, the day the ledger is read on, and the period before.

A review "as of 2023-10" uses the 1-10月 figures as the commission knew them on the evaluation
date, the as-of month's end plus :data:`EVALUATION_LAG_DAYS`: the month's reports are due by the
5th (provincial key projects, 二(八)) and statistics documents by the 10th (domain page). Every
calculation of a review — completion, starts, warnings, ranking, factors and the projection —
reads the ledger as it stood on that date (jygproj.ledger.snapshot), so a correction filed later
changes nothing in that review.

:func:`parse_month` is the package's one parser of "YYYY-MM".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from jygproj.errors import UsageError
from jygproj.ledger import month_end

#: Days after the as-of month's end on which the ledger is read (see the module docstring).
EVALUATION_LAG_DAYS = 10

_MONTH = re.compile(r"(\d{4})[-/.](\d{1,2})")
_RUN = re.compile(r"(\d{4})[Qq]([1-4])")


def parse_month(value: "str | dt.date | Evaluation") -> tuple[int, int]:
    """"2023-10" (or 2023/10, 2023.10, a date, an Evaluation) → (2023, 10). A number is refused: YAML
    reads 2023.10 as 2023.1."""
    if isinstance(value, Evaluation):
        return value.year, value.month
    if isinstance(value, dt.date):
        return value.year, value.month
    m = _MONTH.fullmatch(value.strip()) if isinstance(value, str) else None
    if not m or not 1 <= int(m[2]) <= 12:
        raise UsageError(f"月份格式应为 YYYY-MM（如 2023-10），实际为 {value!r}", "bad_month")
    return int(m[1]), int(m[2])


def parse_run(text: str) -> tuple[int, int]:
    """"2023Q3" → (2023, 3)."""
    m = _RUN.fullmatch(str(text).strip())
    if not m:
        raise UsageError(f"季度格式应为 YYYYQn（如 2023Q3），实际为 {text!r}", "bad_run")
    return int(m[1]), int(m[2])


@dataclass(frozen=True)
class Evaluation:
    """The as-of month of a review and the day its ledger is read on."""

    year: int
    month: int  # the as-of month: the review uses the 1-X月 cumulative figures
    lag_days: int = EVALUATION_LAG_DAYS

    def __post_init__(self):
        if not 1 <= self.month <= 12:
            raise UsageError(f"月份应为 1–12，实际为 {self.month}", "bad_month")

    @property
    def text(self) -> str:
        """"YYYY-MM"."""
        return f"{self.year}-{self.month:02d}"

    @property
    def date(self) -> dt.date:
        """The evaluation date: the as-of month's end plus the lag (2023-10 → 2023-11-10)."""
        return month_end(self.year, self.month) + dt.timedelta(days=self.lag_days)

    def shifted(self, months: int) -> "Evaluation":
        """The same point ``months`` later (negative: earlier), e.g. -3 for the previous quarter."""
        index = self.year * 12 + self.month - 1 + months
        return Evaluation(index // 12, index % 12 + 1, self.lag_days)

    @property
    def previous_quarter(self) -> "Evaluation":
        """The same point one quarter earlier (warning movements quarter on quarter)."""
        return self.shifted(-3)


def evaluation(as_of: "str | dt.date | Evaluation", lag_days: int = EVALUATION_LAG_DAYS) -> Evaluation:
    """The evaluation of an as-of month given as "YYYY-MM", a date (its month) or an Evaluation."""
    if isinstance(as_of, Evaluation):
        return as_of
    return Evaluation(*parse_month(as_of), lag_days)


def default_as_of(year: int, quarter: int) -> str:
    """A quarter's review is held in the month after the quarter (Q4: December's figures)."""
    return f"{year}-{min(quarter * 3 + 1, 12):02d}"
