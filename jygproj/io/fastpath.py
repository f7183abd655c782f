"""Column-wise reading of the data rows of a scheduling table (issue 8: a province's 300,000 rows).

The per-cell readers in cells.py and names.py are the reference, and they are what is called: amounts
that are plain decimals are cast by polars (the same double as float()), every other cell goes through
its reference reader once per distinct value (names and codes once per load, as the same project
recurs in twelve monthly tables; 建设性质, 开工情况, dates, units once per sheet). A row with any cell
the reference reader would report, or any row check that would fire, is handed back to the per-row
reader, so every problem is still reported by the same code, in the same order, with its row and
column.
"""

from __future__ import annotations

from itertools import compress, count

import polars as pl

from jygproj.io import cells, names, rules
from jygproj.io.cells import CellError
from jygproj.io.context import Ctx

#: Plain non-negative decimals: Python's float() and polars' cast read them to the same double.
_PLAIN_NUMBER = r"^[0-9]+(?:\.[0-9]+)?$"
#: Reference readings of names and codes, memoised for one load (the same project recurs in twelve
#: monthly tables): value → result of the pure per-cell function.
_MEMO: dict[str, dict] = {}


def clear_memo() -> None:
    _MEMO.clear()


def memo_map(name: str, fn, values: list) -> list:
    """[fn(v) for v in values], calling the pure function fn once per distinct value in this load."""
    cache = _MEMO.setdefault(name, {})
    try:  # the usual case after the first month: every value already read
        return list(map(cache.__getitem__, values))
    except KeyError:
        for v in set(values).difference(cache):
            cache[v] = fn(v)
        return list(map(cache.__getitem__, values))


#: Below this many rows a sheet is read row by row: the column-wise path costs a few milliseconds a
#: sheet (regex compilation, polars calls) and wins only on longer tables.
MIN_ROWS = 300


def _col(frame: pl.DataFrame, ctx: Ctx, fld: str, idx=None) -> pl.Series | None:
    """The data rows' cells of a field's column (``frame`` already holds only the data rows)."""
    c = ctx.cols.get(fld)
    if c is None:
        return None
    s = frame.to_series(c.index)
    return s if s.dtype == pl.String else s.cast(pl.String)


def _data_frame(frame: pl.DataFrame, data: list[tuple[int, str | None]]) -> pl.DataFrame:
    """The data rows of the sheet's frame, in one gather (a slice when they are contiguous)."""
    first, last = data[0][0], data[-1][0]
    if last - first + 1 == len(data):
        return frame.slice(first, len(data))
    return frame[[i for i, _ in data]]


def _by_value(series: pl.Series | None, fn, n: int, bad: set[int], parts: int = 0):
    """fn(cell) for every cell, calling fn once per distinct value. Rows whose cell fn refuses
    (CellError) go to ``bad``. With ``parts``, fn returns a tuple and one list per part comes back."""
    out: dict = {}
    errors = []
    values = series.to_list() if series is not None else None
    for v in (series.unique().to_list() if series is not None else [None]):
        try:
            out[v] = fn(v)
        except CellError:
            out[v] = (None,) * parts if parts else None
            errors.append(v)
    if errors:
        if series is None:
            bad.update(range(n))
        else:
            mask = series.is_in([v for v in errors if v is not None])
            if None in errors:
                mask = mask | series.is_null()
            bad.update(mask.fill_null(False).arg_true().to_list())
    if series is None:
        return tuple([out[None][p]] * n for p in range(parts)) if parts else [out[None]] * n
    if not parts:
        return list(map(out.__getitem__, values))
    return tuple(list(map({v: r[p] for v, r in out.items()}.__getitem__, values)) for p in range(parts))


def _amounts(ctx: Ctx, series: pl.Series | None, fld: str, n: int, bad: set[int]) -> list:
    """万元 values of an amount column; rows whose cell would be reported go to ``bad``. Plain
    decimals are cast by polars, any other text is read by rules.amount."""
    if series is None:
        return [None] * n
    stripped = series.str.strip_chars(" ")
    plain = stripped.str.contains(_PLAIN_NUMBER).fill_null(False)
    out = (pl.DataFrame({"plain": plain, "text": stripped})
           .select(pl.when("plain").then(pl.col("text").cast(pl.Float64, strict=False))).to_series().to_list())
    other = (~plain & series.is_not_null()).arg_true().to_list()
    if other:
        values = series.gather(other).to_list()
        for k, v in zip(other, values):
            try:
                out[k] = rules.amount(v)
            except CellError:
                bad.add(k)
    f = ctx.factor(fld)
    if f != 1.0:
        out = [rules.to_wan(x, f) for x in out]
    # rules.amount's bound, for the figures polars cast (a 400-digit number casts to infinity)
    bad.update(k for k, x in enumerate(out) if rules.absurd_wan(x))
    return out



def _identities(frame, ctx: Ctx, idx, n: int, bad: set[int]):
    """Name, name key, code and project id of every data row, by the reference readings
    (cells.text, names.normalise_name, names.clean_code) once per distinct cell; rows whose code is
    not a national code are added to ``bad`` (the per-row reader reports code_format). None when the
    sheet has no name column."""
    name_s = _col(frame, ctx, "name", idx)
    if name_s is None:
        return None
    name_l = memo_map("text", cells.text, name_s.to_list())
    key_l = memo_map("name_key", names.normalise_name, [t or "" for t in name_l])
    code_s = _col(frame, ctx, "code", idx)
    if code_s is not None:
        readings = memo_map("code", rules.code_reading, code_s.to_list())
        code_l = [c for c, _ in readings]
        bad.update(k for k, (_, national) in enumerate(readings) if not national)
    else:
        code_l = [None] * n
    pid_l = [c if c else "N:" + key for c, key in zip(code_l, key_l)]
    return name_l, key_l, code_l, pid_l

def _registration(frame, ctx: Ctx, idx, n: int, bad: set[int]) -> tuple[list, list]:
    """是否入库 and 入库时间 of every data row, by cells.parse_registered and cells.parse_date (the row
    reader's readings, Ctx.registration); all None when the sheet has no such column."""
    registered = _by_value(_col(frame, ctx, "registered", idx), cells.parse_registered, n, bad)
    if "registered_on" in ctx.cols:
        on = _by_value(_col(frame, ctx, "registered_on", idx), lambda v: cells.parse_date(v, ctx.year), n, bad)
    else:
        on = [None] * n
    return registered, on


def progress_columns(ctx: Ctx, data: list[tuple[int, str | None]], period, correction: bool,
                     reported_default) -> dict | None:
    """Columns of the records of the data rows (rows the fast path cannot settle hold placeholders),
    plus ``ok`` (per data row: settled here) and ``amounts`` (field → 万元 list). None when the sheet
    has no frame (built by hand) or is short."""
    frame = ctx.raw.frame
    if frame is None or not data or len(data) < MIN_ROWS:
        return None
    n = len(data)
    frame, idx = _data_frame(frame, data), None
    bad: set[int] = set()  # positions (in data) handed to the per-row reader

    ids = _identities(frame, ctx, idx, n, bad)
    if ids is None:
        return None
    name_l, key_l, code_l, pid_l = ids

    # 清单 column or the sheet's list
    list_s = _col(frame, ctx, "list", idx)
    if list_s is None:
        list_l = [ctx.list_id] * n
        if ctx.list_id is None:
            bad.update(range(n))
    else:
        list_l = _by_value(list_s, lambda v: rules.list_cell(v, ctx.list_id), n, bad)

    amounts = {f: _amounts(ctx, _col(frame, ctx, f, idx), f, n, bad)
               for f in ("completed_ytd", "total_investment", "annual_plan")}
    done, total = amounts["completed_ytd"], amounts["total_investment"]
    bad.update(compress(count(), map(rules.exceeds, done, total)))  # completed_above_total

    started_l, resumed_l = _by_value(_col(frame, ctx, "started", idx), cells.parse_started, n, bad, parts=2)
    start_l, word_l = _by_value(_col(frame, ctx, "start_date", idx),
                                lambda v: cells.parse_date_or_word(v, ctx.year), n, bad, parts=2)
    years = memo_map("approval_year", names.approval_year, code_l)
    bad.update(compress(count(), map(rules.before_code_year, start_l, years)))  # start_before_approval
    if "reported_at" in ctx.cols:
        reported_l = _by_value(_col(frame, ctx, "reported_at", idx), lambda v: cells.parse_date(v, ctx.year), n, bad)
    else:
        reported_l = [None] * n

    nature_col_l = _by_value(_col(frame, ctx, "nature", idx), rules.nature_cell, n, bad)
    sections = [sec for _, sec in data]
    bad.update(compress(count(), map(rules.nature_conflicts, nature_col_l, sections)))  # nature_conflict
    texts = {f: _by_value(_col(frame, ctx, f, idx), cells.text, n, bad)
             for f in ("image_progress", "issues", "responsible_unit")}
    registered_l, registered_on_l = _registration(frame, ctx, idx, n, bad)
    ok = [True] * n
    for k in bad:
        ok[k] = False

    return {
        "ok": ok,
        "amounts": amounts,
        "project_id": pid_l,
        "code": code_l,
        "name": name_l,
        "name_key": key_l,
        "list": list_l,
        "nature": [nat or sec for nat, sec in zip(nature_col_l, sections)],
        "period": period.period,
        "period_end": period.end,
        "completed_ytd_wan": done,
        "total_investment_wan": total,
        "annual_plan_wan": amounts["annual_plan"],
        "started": [st if st is not None else w for st, w in zip(started_l, word_l)],
        "start_date": start_l,
        "resumed": resumed_l,
        "image_progress": texts["image_progress"],
        "issues": texts["issues"],
        "reported_at": [r or reported_default for r in reported_l],
        "responsible_unit": texts["responsible_unit"],
        "correction": correction,
        "source_file": ctx.file,
        "source_sheet": ctx.raw.name,
        "registered": registered_l,
        "registered_on": registered_on_l,
    }


def register_columns(ctx: Ctx, data: list[tuple[int, str | None]], amount_fields: tuple[str, ...]) -> dict | None:
    """The register counterpart of progress_columns: per data row the fields of a membership record
    (name, code, ids, 万元 amounts, planned start, nature, texts) and ``ok``; rows a check would report
    (code format, amounts, dates, nature, annual above total, quarters, start before approval) are
    not ok and are read by registers.read_register row by row."""
    frame = ctx.raw.frame
    if frame is None or not data or len(data) < MIN_ROWS:
        return None
    n = len(data)
    frame, idx = _data_frame(frame, data), None
    bad: set[int] = set()
    ids = _identities(frame, ctx, idx, n, bad)
    if ids is None:
        return None
    name_l, key_l, code_l, pid_l = ids
    amounts = {f: _amounts(ctx, _col(frame, ctx, f, idx), f, n, bad) for f in amount_fields}
    planned_l, _ = _by_value(_col(frame, ctx, "planned_start", idx),
                             lambda v: cells.parse_date_or_word(v, ctx.year), n, bad, parts=2)
    years = memo_map("approval_year", names.approval_year, code_l)
    bad.update(compress(count(), map(rules.before_code_year, planned_l, years)))  # start_before_approval
    nature_col_l = _by_value(_col(frame, ctx, "nature", idx), rules.nature_cell, n, bad)
    sections = [sec for _, sec in data]
    bad.update(compress(count(), map(rules.nature_conflicts, nature_col_l, sections)))  # nature_conflict
    total, annual = amounts["total_investment"], amounts["annual_plan"]
    bad.update(compress(count(), map(rules.exceeds, annual, total)))  # annual_above_total
    if annual is not None and all(f"q{q}_plan" in ctx.cols for q in range(1, 5)):
        factor = ctx.factor("annual_plan")
        qs = [amounts[f"q{q}_plan"] for q in range(1, 5)]
        bad.update(k for k, (a, *q) in enumerate(zip(annual, *qs))
                   if rules.quarters_disagree(a, q, factor))  # quarters_mismatch
    texts = {f: _by_value(_col(frame, ctx, f, idx), cells.text, n, bad)
             for f in ("sector", "responsible_unit", "lead_unit", "owner", "leader")}
    texts["registered"], texts["registered_on"] = _registration(frame, ctx, idx, n, bad)
    ok = [True] * n
    for k in bad:
        ok[k] = False
    return {
        "ok": ok, "amounts": amounts, "project_id": pid_l, "code": code_l, "name": name_l, "name_key": key_l,
        "nature": [nat or sec for nat, sec in zip(nature_col_l, sections)], "planned_start": planned_l, **texts,
    }
