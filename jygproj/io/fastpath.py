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

import threading

import numpy as np
import polars as pl

from jygproj.io import cells, names, rules
from jygproj.io.cells import CellError
from jygproj.io.context import Ctx

#: Plain non-negative decimals: Python's float() and polars' cast read them to the same double.
_PLAIN_NUMBER = r"^[0-9]+(?:\.[0-9]+)?$"
#: Reference readings of names and codes, memoised for one load (the same project recurs in twelve
#: monthly tables): value → result of the pure per-cell function.
_MEMO: dict[str, dict] = {}
#: Whole columns already read in this load, per reading: [(cells, result)], latest first. A monthly
#: table repeats last month's projects in the same order (a province's 5 lists × 12 months: 55 of 60
#: name columns equal an earlier one), so an equal column (polars compares it in Rust: ~0.1 ms) gives
#: back the earlier result without a Python object per cell.
_COLUMNS: dict[str, list] = {}
#: Columns kept per reading: a province's lists (5) alternate month by month, each with up to three
#: columns of one reading (amounts, texts), with room to spare.
_COLUMNS_KEPT = 16
#: The loader's workers read sheets side by side (dataset._open_whole): one at a time looks through
#: and reorders a reading's kept columns (make() runs outside it; two threads making the same result
#: both keep it, an equal entry that only takes room).
_COLUMNS_LOCK = threading.Lock()


def clear_memo() -> None:
    _MEMO.clear()
    _COLUMNS.clear()


def _fingerprint(series: pl.Series) -> tuple:
    n = series.len()  # a few cells read one by one (a gather would be a polars query: 0.2 ms)
    return (series.dtype, n, series.null_count(),
            *((series[0], series[n // 3], series[(2 * n) // 3], series[n - 1]) if n else ()))


def memo_column(name: str, series: pl.Series, make):
    """make() — a pure function of ``series`` read by the reading ``name`` — or the result it gave for
    an equal column earlier in this load (the same values, nulls and dtype, in the same order).
    Column and result are kept and shared: callers must change neither in place (Series.scatter)."""
    fp = _fingerprint(series)
    with _COLUMNS_LOCK:
        kept = _COLUMNS.setdefault(name, [])
        for k, (fp_, cells_, result) in enumerate(kept):
            if fp_ == fp and cells_.equals(series, null_equal=True):
                if k:
                    kept.insert(0, kept.pop(k))
                return result
    result = make()
    with _COLUMNS_LOCK:
        kept = _COLUMNS.setdefault(name, [])
        kept.insert(0, (fp, series, result))
        del kept[_COLUMNS_KEPT:]
    return result


def memo_map(name: str, fn, values: list) -> list:
    """[fn(v) for v in values], calling the pure function fn once per distinct value in this load."""
    cache = _MEMO.setdefault(name, {})
    try:  # the usual case after the first month: every value already read
        return list(map(cache.__getitem__, values))
    except KeyError:
        for v in set(values).difference(cache):
            cache[v] = fn(v)
        return list(map(cache.__getitem__, values))


def memo_value(name: str, fn, value):
    """fn(value), calling the pure function fn once per distinct value in this load (memo_map for one
    cell: the row readers' repeated texts)."""
    cache = _MEMO.setdefault(name, {})
    try:
        return cache[value]
    except KeyError:
        got = cache[value] = fn(value)
        return got


def memo_series(name: str, fn, series: pl.Series | None, n: int, dtypes, parts: int = 0):
    """memo_map for a column: fn(v) for every cell as a Series of ``dtypes`` (one per part of fn's
    tuple with ``parts``); a column of fn(None) when ``series`` is None. Names and codes are
    distinct within a sheet, so the cache is looked up cell by cell, in one C-level map."""
    if series is not None:
        return memo_column(name, series, lambda: _memo_series(name, fn, series, n, dtypes, parts))
    return _memo_series(name, fn, series, n, dtypes, parts)


def _memo_series(name: str, fn, series: pl.Series | None, n: int, dtypes, parts: int):
    got = memo_map(name, fn, series.to_list() if series is not None else [None] * n)
    if not parts:
        return pl.Series(got, dtype=dtypes)
    return tuple(pl.Series(list(col), dtype=d) for col, d in zip(zip(*got), dtypes)) if got else \
        tuple(pl.Series([], dtype=d) for d in dtypes)


def _parts(series: pl.Series | None, out: dict, n: int, dtypes, parts: int):
    if not parts:
        return _mapped(series, out, n, dtypes)
    return tuple(_mapped(series, {v: r[p] for v, r in out.items()}, n, dtypes[p]) for p in range(parts))


def _mapped(series: pl.Series | None, results: dict, n: int, dtype) -> pl.Series:
    """Every cell v of ``series`` replaced by results[v] (results holds every distinct value, None for
    an empty cell), as a Series of ``dtype``; results[None] n times when ``series`` is None."""
    if series is None:
        return pl.Series([results[None]] * n, dtype=dtype)
    if dtype == pl.String and series.dtype == pl.String:
        # texts read to texts (a name, a unit, 建设性质): most cells read as themselves, so only the
        # others are replaced (a mapping of every distinct text would be one hash join as big as
        # the column: 20,000 形象进度 texts a sheet)
        changed = [v for v in results if v is not None and results[v] != v]
        out = series.replace(pl.Series(changed, dtype=pl.String),
                             pl.Series([results[v] for v in changed], dtype=pl.String)) if changed else series
        keys = None
    else:
        keys = [v for v in results if v is not None]
    if keys is None:
        pass
    elif keys:
        out = series.replace_strict(pl.Series(keys, dtype=series.dtype),
                                    pl.Series([results[v] for v in keys], dtype=dtype), default=None,
                                    return_dtype=dtype)
    else:
        out = pl.Series([None] * series.len(), dtype=dtype)
    if results.get(None) is not None:
        out = pl.select(pl.when(series.is_null()).then(pl.lit(results[None], dtype=dtype)).otherwise(out)).to_series()
    return out


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


def _by_value(series: pl.Series | None, fn, n: int, bad: set[int], dtypes, parts: int = 0, memo: str | None = None):
    """fn(cell) for every cell as a Series of ``dtypes``, calling fn once per distinct value. Rows
    whose cell fn refuses (CellError) go to ``bad``. With ``parts``, fn returns a tuple and one Series
    per part (``dtypes`` a tuple) comes back. With ``memo`` (a name saying what fn reads, with its
    arguments: fn must be a pure function of the cell for it), an equal column read earlier in
    this load gives its result (memo_column)."""
    if memo is not None and series is not None:
        got, refused = memo_column("by_value:" + memo, series, lambda: _by_value_refused(series, fn, n, dtypes, parts))
        bad.update(refused)
        return got
    return _by_value_now(series, fn, n, bad, dtypes, parts)


def _by_value_refused(series, fn, n, dtypes, parts):
    refused: set[int] = set()
    got = _by_value_now(series, fn, n, refused, dtypes, parts)
    return got, sorted(refused)


def _by_value_now(series: pl.Series | None, fn, n: int, bad: set[int], dtypes, parts: int = 0):
    out: dict = {}
    errors = []
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
    return _parts(series, out, n, dtypes, parts)


def _amounts(ctx: Ctx, series: pl.Series | None, fld: str, n: int, bad: set[int]) -> list:
    """万元 values of an amount column (a new list); rows whose cell would be reported go to ``bad``.
    Plain decimals are cast by polars, any other text is read by rules.amount; an equal column read
    earlier in this load at the same factor gives its result (memo_column)."""
    if series is None:
        return [None] * n
    f = ctx.factor(fld)
    out, refused = memo_column(f"amount:{f!r}", series, lambda: _amounts_refused(series, f))
    bad.update(refused)
    return list(out)


def _amounts_refused(series: pl.Series, f: float) -> tuple[list, list[int]]:
    bad: set[int] = set()
    # one query: the stripped text, plain or not, its cast, the other cells and the cast's bound
    text = pl.col("s").str.strip_chars(" ")
    plain = text.str.contains(_PLAIN_NUMBER).fill_null(False)
    cast = pl.when(plain).then(text.cast(pl.Float64, strict=False))
    got = series.to_frame("s").select(cast.alias("cast"), (~plain & pl.col("s").is_not_null()).alias("other"),
                                      rules.absurd_wan_expr(cast).alias("absurd"))
    cast = got.to_series(0)
    out = cast.to_list()
    other = _true_at(got.to_series(1))
    if other:
        values = series.gather(other).to_list()
        for k, v in zip(other, values):
            try:
                out[k] = rules.amount(v)
            except CellError:
                bad.add(k)
    if f != 1.0:
        out = [rules.to_wan(x, f) for x in out]
        # rules.amount's bound, for the figures polars cast (a 400-digit number casts to infinity)
        bad.update(k for k, x in enumerate(out) if rules.absurd_wan(x))
    else:  # the same bound on the cast column (rules.amount held every other cell to it already)
        bad.update(_true_at(got.to_series(2)))
    return out, sorted(bad)


def _true_at(flags: pl.Series) -> list[int]:
    """Positions of True in a Boolean column without nulls (numpy: no polars query)."""
    return np.flatnonzero(flags.to_numpy()).tolist()



S, B, D, I = pl.String, pl.Boolean, pl.Date, pl.Int64


def _identities(frame, ctx: Ctx, idx, n: int, bad: set[int]):
    """Name, name key, code and project id of every data row (Series), by the reference readings
    (cells.text, names.normalise_name, names.clean_code) once per distinct cell; rows whose code is
    not a national code are added to ``bad`` (the per-row reader reports code_format). None when the
    sheet has no name column."""
    name_s = _col(frame, ctx, "name", idx)
    if name_s is None:
        return None
    name = memo_series("text", cells.text, name_s, n, S)
    key = memo_series("name_key", names.normalise_name, name.fill_null(""), n, S)  # t or ""
    code_s = _col(frame, ctx, "code", idx)
    if code_s is not None:
        code, national = memo_series("code", rules.code_reading, code_s, n, (S, B), parts=2)
        bad.update((~national).fill_null(False).arg_true().to_list())
    else:
        code = pl.Series([None] * n, dtype=S)
    # names.project_id: the code when known, otherwise "N:" + the normalised name
    pid = pl.select(pl.when(code.is_not_null() & (code != "")).then(code).otherwise(pl.lit("N:") + key)).to_series()
    return name, key, code, pid


def _registration(frame, ctx: Ctx, idx, n: int, bad: set[int]) -> tuple[pl.Series, pl.Series]:
    """是否入库 and 入库时间 of every data row, by cells.parse_registered and cells.parse_date (the row
    reader's readings, Ctx.registration); all None when the sheet has no such column."""
    registered = _by_value(_col(frame, ctx, "registered", idx), cells.parse_registered, n, bad, B, memo="registered")
    if "registered_on" in ctx.cols:
        on = _by_value(_col(frame, ctx, "registered_on", idx), lambda v: cells.parse_date(v, ctx.year), n, bad, D,
                        memo=f"date:{ctx.year!r}")
    else:
        on = pl.Series([None] * n, dtype=D)
    return registered, on


def _or(a: pl.Series, b: pl.Series) -> pl.Series:
    """``a or b`` per row for text columns (a when not null and not empty)."""
    return pl.select(pl.when(a.is_not_null() & (a != "")).then(a).otherwise(b)).to_series()


def _common(ctx: Ctx, frame, data, n: int, bad: set[int], planned_fld: str, amount_fields) -> dict | None:
    """What registers and scheduling tables read alike: identities, 万元 amounts, the (planned) start
    date and its check against the code's year, nature and its check against the section row."""
    ids = _identities(frame, ctx, None, n, bad)
    if ids is None:
        return None
    name, key, code, pid = ids
    amounts = {f: _amounts(ctx, _col(frame, ctx, f), f, n, bad) for f in amount_fields}
    start, word = _by_value(_col(frame, ctx, planned_fld), lambda v: cells.parse_date_or_word(v, ctx.year), n, bad,
                            (D, B), parts=2, memo=f"date_or_word:{ctx.year!r}")
    years = memo_series("approval_year", names.approval_year, code, n, I)
    bad.update(_true_at(rules.before_code_year_column(start, years)))  # start_before_approval
    nature_col = _by_value(_col(frame, ctx, "nature"), rules.nature_cell, n, bad, S, memo="nature")
    sections = pl.Series([sec for _, sec in data], dtype=S)
    bad.update(_true_at(rules.nature_conflicts_column(nature_col, sections)))  # nature_conflict
    return {"amounts": amounts, "project_id": pid, "code": code, "name": name, "name_key": key,
            "nature": _or(nature_col, sections), "_start": start, "_word": word}


def _float(values: list) -> pl.Series:
    return pl.Series(values, dtype=pl.Float64)


def progress_columns(ctx: Ctx, data: list[tuple[int, str | None]], period, correction: bool,
                     reported_default) -> dict | None:
    """Columns (Series; the amounts as lists) of the records of the data rows, and ``bad``: the
    positions (in ``data``) the fast path cannot settle, whose values are placeholders for the per-row
    reader. None when the sheet has no frame (built by hand) or is short."""
    frame = ctx.raw.frame
    if frame is None or not data or len(data) < MIN_ROWS:
        return None
    n = len(data)
    frame = _data_frame(frame, data)
    bad: set[int] = set()  # positions (in data) handed to the per-row reader
    out = _common(ctx, frame, data, n, bad, "start_date", ("completed_ytd", "total_investment", "annual_plan"))
    if out is None:
        return None

    # 清单 column or the sheet's list
    list_s = _col(frame, ctx, "list")
    if list_s is None:
        out["list"] = pl.Series([ctx.list_id] * n, dtype=S)
        if ctx.list_id is None:
            bad.update(range(n))
    else:
        out["list"] = _by_value(list_s, lambda v: rules.list_cell(v, ctx.list_id), n, bad, S,
                                   memo=f"list:{ctx.list_id!r}")

    amounts = out["amounts"]
    done, total = amounts["completed_ytd"], amounts["total_investment"]
    bad.update(_true_at(rules.exceeds_column(_float(done), _float(total))))  # completed_above_total

    started, resumed = _by_value(_col(frame, ctx, "started"), cells.parse_started, n, bad, (B, B), parts=2,
                                  memo="started")
    if "reported_at" in ctx.cols:
        reported = _by_value(_col(frame, ctx, "reported_at"), lambda v: cells.parse_date(v, ctx.year), n, bad, D,
                             memo=f"date:{ctx.year!r}")
    else:
        reported = pl.Series([None] * n, dtype=D)
    texts = {f: _by_value(_col(frame, ctx, f), cells.text, n, bad, S, memo="text")
             for f in ("image_progress", "issues", "responsible_unit")}
    registered, registered_on = _registration(frame, ctx, None, n, bad)
    word = out.pop("_word")
    return {
        **out,
        "bad": bad,
        "completed_ytd_wan": done,
        "total_investment_wan": total,
        "annual_plan_wan": amounts["annual_plan"],
        "started": started.fill_null(word),  # st if st is not None else the start cell's word
        "start_date": out.pop("_start"),
        "resumed": resumed,
        "reported_at": reported if reported_default is None else reported.fill_null(reported_default),
        **texts,
        "registered": registered,
        "registered_on": registered_on,
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
    frame = _data_frame(frame, data)
    bad: set[int] = set()
    out = _common(ctx, frame, data, n, bad, "planned_start", amount_fields)
    if out is None:
        return None
    amounts = out["amounts"]
    total, annual = amounts["total_investment"], amounts["annual_plan"]
    bad.update(_true_at(rules.exceeds_column(_float(annual), _float(total))))  # annual_above_total
    if annual is not None and all(f"q{q}_plan" in ctx.cols for q in range(1, 5)):
        factor = ctx.factor("annual_plan")
        qs = [amounts[f"q{q}_plan"] for q in range(1, 5)]
        bad.update(k for k, (a, *q) in enumerate(zip(annual, *qs))
                   if rules.quarters_disagree(a, q, factor))  # quarters_mismatch
    texts = {f: _by_value(_col(frame, ctx, f), cells.text, n, bad, S, memo="text")
             for f in ("sector", "responsible_unit", "lead_unit", "owner", "leader")}
    texts["registered"], texts["registered_on"] = _registration(frame, ctx, None, n, bad)
    ok = [True] * n
    for k in bad:
        ok[k] = False
    lists = {k: out[k].to_list() for k in ("project_id", "code", "name", "name_key", "nature")}
    return {"ok": ok, "amounts": amounts, **lists, "planned_start": out["_start"].to_list(),
            **{k: v.to_list() for k, v in texts.items()}}
