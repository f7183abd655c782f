"""The reserve pool 项目储备库 (kind "reserve", 二(六)): one row per project plus the status of each
pre-construction step 前期手续 in long form ("已完成 2023.5.10", "办理中 预计2024年3月", "不涉及")."""

from __future__ import annotations

import functools
import re

from jygproj import schema
from jygproj.io import cells
from jygproj.io.cells import CellError
from jygproj.io.context import Ctx
from jygproj.io.fastpath import memo_value
from jygproj.io.table import check_duplicates, check_segments, code_and_key, merged_row, walk_rows, warn_missing_codes

STATUS_WORDS = (  # negative words first: "未完成" must not read as "完成"
    ("not_required", ("不涉及", "无需", "不需要", "免办")),
    ("not_started", ("未启动", "未办理", "未开展", "未落实", "待办")),
    ("in_progress", ("办理中", "在办", "正在办理", "推进中", "编制中", "审批中", "部分落实", "未完成")),
    ("done", ("已完成", "已办结", "已取得", "已批复", "已办理", "已落实", "已备案", "已核准", "完成")),
)


@functools.lru_cache(maxsize=1 << 16)  # pure; a province pool repeats a few hundred distinct cells
def parse_step(value: str | None, year: int | None) -> tuple[str | None, object, bool]:
    """(status, date, understood) of a step cell."""
    s = cells.text(value)
    if s is None:
        return None, None, True
    s = cells.half_width(s).strip()
    status = None
    rest = s
    for st, words in STATUS_WORDS:
        for w in words:
            if s.startswith(w):
                status = st
                rest = s.replace(w, "", 1)
                break
        if status:
            break
    rest = re.sub(r"^[\s,，;；:：(（]*(预计|计划|拟于|于)?", "", rest).strip(" )）")
    date = None
    if rest:
        try:
            date = cells.parse_date(rest, year)
        except CellError:
            date = None
    return status, date, status is not None


def read_reserve(ctx: Ctx) -> tuple[list[dict], list[dict], object]:
    walked = walk_rows(ctx)
    records: list[dict] = []
    steps: list[dict] = []
    values: dict[int, dict] = {}
    bad_rows: set[int] = set()
    no_code: list[int] = []
    keys: list[tuple[int, str]] = []
    def text(row: tuple, fld: str) -> str | None:
        # ctx.text once per distinct cell: a pool's units, owners, tiers and sectors repeat (a province's
        # 6,240 rows: 49,920 cells; issue 18)
        return memo_value("text", cells.text, ctx.cell(row, fld))

    # the sheet's step columns found once, not once a row (a province: 49,920 step cells; issue 18)
    step_fields = [(step, f"step_{step}") for step in schema.RESERVE_STEPS if f"step_{step}" in ctx.cols]
    for i, _ in walked.data:
        row = merged_row(ctx, walked, i)
        bad: list[str] = []
        code, key, pid = code_and_key(ctx, row, i)
        if code is None:
            no_code.append(i)
        total = ctx.amount(row, i, "total_investment", bad)
        first = ctx.amount(row, i, "first_year", bad)
        values[i] = {"total_investment": total, "first_year": first}
        keys.append((i, pid))
        if bad:
            bad_rows.add(i)
        records.append({
            "project_id": pid,
            "code": code,
            "name": text(row, "name"),
            "name_key": key,
            "domain": text(row, "sector"),
            "funding_channel": text(row, "funding_channel"),
            "project_type": text(row, "project_type"),
            "total_investment_wan": total,
            "first_year_wan": first,
            "responsible_unit": text(row, "responsible_unit"),
            "owner": text(row, "owner"),
            "tier": text(row, "tier"),
            "source_file": ctx.file,
            "source_sheet": ctx.raw.name,
            "source_row": ctx.excel_row(i),
        })
        for step, fld in step_fields:
            v = ctx.cell(row, fld)
            status, date, ok = parse_step(v, ctx.year)
            if not ok:
                ctx.report("step_not_understood", f"前期手续“{v}”的办理状态无法识别", i, fld, v,
                           "已完成/办理中/未启动/不涉及，可加日期")
            steps.append({"project_id": pid, "step": step, "status": status, "date": date})
    check_duplicates(ctx, keys)
    check_segments(ctx, walked, values, bad_rows)
    warn_missing_codes(ctx, no_code)
    return records, steps, walked
