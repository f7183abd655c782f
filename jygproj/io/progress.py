"""Scheduling tables 调度表/进度表 (kind "progress") → progress ledger records (二(八): weekly
scheduling, monthly statistics). The period comes from the title or sheet name (1-10月 → 2023-10,
第43周 → 2023-W43); the list from a 清单 column, else the title or sheet name."""

from __future__ import annotations

import polars as pl

from jygproj.io import cells, fastpath, rules
from jygproj.io.cells import CellError
from jygproj.io.context import Ctx
from jygproj.io.fastpath import progress_columns
from jygproj.io.recognise import Period
from jygproj.io.registers import read_nature
from jygproj.io.table import (
    GridColumns, check_duplicates, check_segments, check_start_year, code_and_key, merged_row, walk_rows,
    warn_missing_codes,
)

REQUIRED = ("name", "completed_ytd")
#: Keys of a progress record, in the order the per-row reader writes them.
_RECORD = ("project_id", "code", "name", "name_key", "list", "nature", "period", "period_end", "completed_ytd_wan",
           "total_investment_wan", "annual_plan_wan", "started", "start_date", "resumed", "image_progress", "issues",
           "reported_at", "responsible_unit", "correction", "source_file", "source_sheet", "source_row", "registered",
           "registered_on")


#: Dtypes of a progress record frame (one row per data row of a scheduling table).
RECORD_SCHEMA = {
    "project_id": pl.String, "code": pl.String, "name": pl.String, "name_key": pl.String, "list": pl.String,
    "nature": pl.String, "period": pl.String, "period_end": pl.Date, "completed_ytd_wan": pl.Float64,
    "total_investment_wan": pl.Float64, "annual_plan_wan": pl.Float64, "started": pl.Boolean,
    "start_date": pl.Date, "resumed": pl.Boolean, "image_progress": pl.String, "issues": pl.String,
    "reported_at": pl.Date, "responsible_unit": pl.String, "correction": pl.Boolean, "source_file": pl.String,
    "source_sheet": pl.String, "source_row": pl.Int64, "registered": pl.Boolean, "registered_on": pl.Date,
}
_AMOUNTS = ("completed_ytd", "total_investment", "annual_plan")
_CONST = ("period", "period_end", "correction", "source_file", "source_sheet")


def read_progress(ctx: Ctx, period: Period, correction: bool, reported_default) -> tuple[pl.DataFrame, object]:
    """The sheet's records as a RECORD_SCHEMA frame (in row order) and the walked rows. Rows the
    column-wise fast path settles are taken from it; every other row is read by _read_row, which
    reports its problems, in row order."""
    walked = walk_rows(ctx)
    data = walked.data
    n = len(data)
    rows = ctx.raw.rows
    fast = progress_columns(ctx, data, period, correction, reported_default)
    per_row = [k for k in _RECORD if k not in _CONST and k != "source_row"]
    if fast is None:
        todo: list[int] = list(range(n))
        cols = {k: [None] * n for k in per_row}
        amounts = {f: [None] * n for f in _AMOUNTS}
    else:
        at = {i: k for k, (i, _) in enumerate(data)} if walked.continuations else {}
        todo = sorted(fast["bad"].union(at[i] for i in walked.continuations if i in at))
        cols = {k: fast[k] for k in per_row}
        amounts = fast["amounts"]
    # the rows the fast path did not settle, in row order: the per-row reader, which reports
    patches: dict[str, list] = {k: [] for k in per_row}
    bad_rows: set[int] = set()
    for k in todo:
        i, section_nature = data[k]
        rec, row_amounts, bad = _read_row(ctx, merged_row(ctx, walked, i), i, section_nature, period, correction,
                                          reported_default)
        for key in per_row:
            patches[key].append(rec[key])
        for f in _AMOUNTS:
            amounts[f][k] = row_amounts[f]
        if bad:
            bad_rows.add(i)
    series = {k: _patched(cols[k], todo, patches[k], RECORD_SCHEMA[k]) for k in per_row}
    idx = [i for i, _ in data]
    pid = series["project_id"]
    # ids all distinct (an equal id column read before in this load says so at once): no pair repeats
    distinct = fastpath.memo_column("distinct", pid, lambda: pid.n_unique() == pid.len()) if n else True
    if not distinct and pl.DataFrame({"p": pid, "l": series["list"]}).is_duplicated().any():
        # only then is there anything to report
        check_duplicates(ctx, list(zip(idx, zip(series["project_id"].to_list(), series["list"].to_list()))))
    check_segments(ctx, walked, GridColumns(len(rows), idx, amounts), bad_rows)
    warn_missing_codes(ctx, [idx[k] for k in fastpath._true_at(series["code"].is_null())])
    const = {"period": period.period, "period_end": period.end, "correction": correction, "source_file": ctx.file,
             "source_sheet": ctx.raw.name}
    # one query: the grid rows made Excel rows, the sheet's constants, the record's column order
    frame = pl.DataFrame({**series, "source_row": pl.Series(idx, dtype=pl.Int64)}).lazy().select(
        [(pl.col("source_row") + ctx.excel_row(0)).alias(k) if k == "source_row" else
         pl.lit(const[k], dtype=RECORD_SCHEMA[k]).alias(k) if k in const else pl.col(k) for k in _RECORD]).collect()
    if ctx.start_may_be_planned:
        frame = _planned_starts(frame, "started" not in ctx.cols)
    if "since_start" in ctx.cols and "prior_years" in ctx.cols:
        _check_scopes(ctx, data, amounts["completed_ytd"])
    return frame, walked


def _patched(column, at: list[int], values: list, dtype) -> pl.Series:
    """A record column (a Series from the fast path, or a list) with the per-row reader's values at
    positions ``at``."""
    if isinstance(column, list):
        for k, v in zip(at, values):
            column[k] = v
        return pl.Series(column, dtype=dtype)
    if not at:
        return column
    return column.clone().scatter(at, pl.Series(values, dtype=dtype))


def _planned_starts(frame: pl.DataFrame, no_started_column: bool) -> pl.DataFrame:
    """A "开工/计划开工时间" column gives the start of a started project and the plan of the others: a
    date after the period's end is a plan (no start date; not started, unless a 是否开工 column says)."""
    planned = pl.col("start_date") > pl.col("period_end")
    out = [pl.when(planned).then(None).otherwise(pl.col("start_date")).alias("start_date")]
    if no_started_column:
        out.append(pl.when(planned).then(False).otherwise(pl.col("started")).alias("started"))
    return frame.with_columns(out)


def _check_scopes(ctx: Ctx, data: list, ytd_wan: list) -> None:
    """截至上年底累计 + 本年1-X月累计 should make 开工以来累计 (a platform export carries all three): rows
    where they do not, beyond the rounding of the figures, are named in one warning."""
    rows = ctx.raw.rows
    since_col, prior_col = ctx.cols["since_start"], ctx.cols["prior_years"]
    factor = ctx.factor("completed_ytd")
    off: list[int] = []
    for (i, _), ytd in zip(data, ytd_wan):
        try:
            since = rules.to_wan(rules.amount(rows[i][since_col.index], ctx.factor("since_start")), ctx.factor("since_start"))
            prior = rules.to_wan(rules.amount(rows[i][prior_col.index], ctx.factor("prior_years")), ctx.factor("prior_years"))
        except CellError:
            continue
        if since is not None and prior is not None and ytd is not None and rules.sum_disagrees(prior + ytd, since, factor):
            off.append(i)
    if off:
        shown = "、".join(str(ctx.excel_row(i)) for i in off[:10]) + ("等" if len(off) > 10 else "")
        ctx.log.add("cumulative_scopes_disagree",
                    f"第{shown}行：“{prior_col.header}”加“{ctx.cols['completed_ytd'].header}”不等于“{since_col.header}”",
                    row=ctx.excel_row(off[0]), column=ctx.letter(ctx.cols["completed_ytd"]),
                    header=ctx.cols["completed_ytd"].header,
                    expected="截至上年底累计 + 本年累计 = 开工以来累计；请核对后更正")


def _read_row(ctx: Ctx, row: tuple, i: int, section_nature, period: Period, correction: bool, reported_default):
    """One data row, cell by cell (the reference reader): (record, amounts, bad fields)."""
    bad: list[str] = []
    code, key, pid = code_and_key(ctx, row, i)
    lv = ctx.cell(row, "list")
    try:
        list_id = rules.list_cell(lv, ctx.list_id)
    except CellError as exc:
        list_id = None
        if exc.expected == "not_understood":
            ctx.report("list_not_understood", f"清单“{lv}”无法识别", i, "list", lv,
                       "省列重大项目、全省重点投资项目、市级领导包抓项目、政府投资项目、产业投资项目、房地产投资项目")
        elif "list" in ctx.cols:  # without a 清单 column the sheet's own list_unknown says it once
            ctx.report("list_unknown", "无法确定该项目所属清单（本行清单列为空，标题和工作表名也未写明）", i, "list",
                       lv, "在“清单”列填写清单名称，或在标题中写明")
        bad.append("list")
    amounts = {f: ctx.amount(row, i, f, bad) for f in _AMOUNTS}
    completed, total = amounts["completed_ytd"], amounts["total_investment"]
    if rules.exceeds(completed, total):
        ctx.report("completed_above_total",
                   f"累计完成投资 {completed:g} 万元超过总投资 {total:g} 万元", i, "completed_ytd",
                   ctx.cell(row, "completed_ytd"), f"不超过总投资 {total:g} 万元")
        bad.append("completed_ytd")
    started, resumed = _started(ctx, row, i, bad)
    start_date, started_word = _start_date(ctx, row, i, bad)
    if started is None:
        started = started_word
    if start_date is not None and not check_start_year(ctx, i, code, "start_date", start_date):
        bad.append("start_date")
    reported = ctx.date(row, i, "reported_at", bad) if "reported_at" in ctx.cols else None
    registered, registered_on = ctx.registration(row, i, bad)
    nature = read_nature(ctx, row, i, section_nature, bad)
    record = {
        "project_id": pid,
        "code": code,
        "name": ctx.text(row, "name"),
        "name_key": key,
        "list": list_id,
        "nature": nature,
        "period": period.period,
        "period_end": period.end,
        "completed_ytd_wan": completed,
        "total_investment_wan": total,
        "annual_plan_wan": amounts["annual_plan"],
        "started": started,
        "start_date": start_date,
        "resumed": resumed,
        "image_progress": ctx.text(row, "image_progress"),
        "issues": ctx.text(row, "issues"),
        "reported_at": reported or reported_default,
        "responsible_unit": ctx.text(row, "responsible_unit"),
        "correction": correction,
        "source_file": ctx.file,
        "source_sheet": ctx.raw.name,
        "source_row": ctx.excel_row(i),
        "registered": registered,
        "registered_on": registered_on,
    }
    return record, amounts, bad


def _started(ctx: Ctx, row: tuple, i: int, bad: list):
    v = ctx.cell(row, "started")
    try:
        return cells.parse_started(v)
    except CellError as exc:
        ctx.report("started_not_understood", f"开工情况“{v}”无法识别", i, "started", v, exc.expected)
        bad.append("started")
        return None, None


def _start_date(ctx: Ctx, row: tuple, i: int, bad: list):
    v = ctx.cell(row, "start_date")
    try:
        return cells.parse_date_or_word(v, ctx.year)
    except CellError as exc:
        ctx.report("date_not_understood", f"开工时间“{v}”无法识别", i, "start_date", v, exc.expected)
        bad.append("start_date")
        return None, None
