"""The FAI baseline 固定资产投资基数 (kind "baseline"): the prior year's 1-X月 cumulative FAI on a
comparable basis and, where published, the current year's cumulative and growth (domain page, "Fixed-
asset investment statistics": January and February are reported together, growth is on a comparable
basis, so the prior base is an input, never derived)."""

from __future__ import annotations

import re

from jygproj.io import cells, rules
from jygproj.io.cells import CellError
from jygproj.io.context import Ctx
from jygproj.io.table import _REMARK

_MONTH = re.compile(r"^(?:(\d{4})年)?(?:1\s*[-~至到]\s*)?(\d{1,2})月(?:份)?(?:累计)?$")


def month_of(text: str | None) -> int | None:
    """"1-2月" → 2, "1-10月" → 10, "全年" → 12, an Excel date → its month."""
    s = cells.half_width(text or "").replace(" ", "")
    if s in ("全年", "1-12月", "年度"):
        return 12
    m = _MONTH.match(s)
    if m and 1 <= int(m[2]) <= 12:
        return int(m[2])
    m = re.match(r"^(\d{4})-(\d{2})(?:-\d{2}(?: .*)?)?$", s)
    if m and 1 <= int(m[2]) <= 12:
        return int(m[2])
    return None


def baseline_columns(ctx: Ctx) -> tuple[str | None, str | None, int | None]:
    """Which header columns hold the prior and current cumulative: the earlier year is the prior."""
    cum = [c for c in ctx.header.columns if c.field in ("cumulative", "prior_cum", "current_cum")]
    prior = current = None
    year = None
    dated = sorted((c for c in cum if c.year), key=lambda c: c.year)
    if dated:
        prior = dated[0]
        current = dated[-1] if len(dated) > 1 else None
        year = current.year if current else prior.year + 1
    for c in cum:
        if c.year:
            continue
        if "上年" in c.header or "去年" in c.header:
            prior = c
        elif "本年" in c.header or "当年" in c.header:
            current = c
    if prior is not None:
        prior.field = "prior_cum"
        ctx.cols["prior_cum"] = prior
    if current is not None:
        current.field = "current_cum"
        ctx.cols["current_cum"] = current
    return ("prior_cum" if prior else None), ("current_cum" if current else None), year or ctx.year


def read_baseline(ctx: Ctx) -> tuple[list[dict], int, list[int], list[int]]:
    """(records, structure rows, rejected rows, data rows)."""
    _, _, year = baseline_columns(ctx)
    records: list[dict] = []
    structure = 0
    rejected: list[int] = []
    data: list[int] = []
    seen: dict[int, int] = {}
    rows = ctx.raw.rows
    last_prior: tuple[int, float] | None = None
    for i in range(ctx.header.last_row + 1, len(rows)):
        row = rows[i]
        if all(cells.is_empty(v) for v in row):
            structure += 1
            continue
        mv = ctx.cell(row, "month")
        label = cells.half_width(cells.clean(mv) or "").replace(" ", "")
        first = next((cells.half_width(v).strip() for v in row if not cells.is_empty(v)), "")
        if _REMARK.match(first) or (not label and _REMARK.match(first)):
            structure += 1
            continue
        month = month_of(mv)
        if month is None:
            ctx.report("month_not_understood", f"月份“{mv}”无法识别", i, "month", mv, "1-2月、1-3月……1-12月")
            rejected.append(i)
            continue
        bad: list[str] = []
        prior = ctx.amount(row, i, "prior_cum", bad)
        current = ctx.amount(row, i, "current_cum", bad)
        try:
            growth = cells.parse_percent(ctx.cell(row, "growth_pct"))
        except CellError as exc:
            v = ctx.cell(row, "growth_pct")
            ctx.report("percent_not_number", f"增速“{v}”不是数字", i, "growth_pct", v, exc.expected)
            growth = None
        if month in seen:
            ctx.report("duplicate_month", f"月份与第{ctx.excel_row(seen[month])}行重复", i, "month", mv,
                       "每个月份一行")
        seen.setdefault(month, i)
        if prior is not None:
            if last_prior is not None and rules.falls(prior, last_prior[1]):
                ctx.report("cumulative_falling",
                           f"上年累计 {prior:g} 万元小于上一行（第{ctx.excel_row(last_prior[0])}行）的 "
                           f"{last_prior[1]:g} 万元；累计数应逐月不减", i, "prior_cum",
                           ctx.cell(row, "prior_cum"), f"不小于 {last_prior[1]:g} 万元")
            last_prior = (i, prior)
        data.append(i)
        records.append({
            "year": year,
            "month": month,
            "prior_cum_wan": prior,
            "current_cum_wan": current,
            "growth_pct": growth,
            "source_file": ctx.file,
            "source_sheet": ctx.raw.name,
            "source_row": ctx.excel_row(i),
        })
    return records, structure, rejected, data
