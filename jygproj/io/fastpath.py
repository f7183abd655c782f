"""Column-wise reading of the data rows of a scheduling table (issue 8: a province's 300,000 rows).

The per-cell readers in cells.py are the reference. Here whole columns are read at once: a cell takes
the fast path only when its text is of a shape whose reading is certain (a plain decimal number, a
national code, a name of ordinary characters), and columns with few distinct values (建设性质,
开工情况, 开工时间, 填报日期, 责任单位, …) call the reference reader once per distinct value. A row
with any cell the fast path cannot settle, or any check that would report a problem, is handed back
to the per-row reader, so every problem is still reported by the same code, in the same order, with
its row and column.
"""

from __future__ import annotations

import polars as pl

from jygproj.io import cells, names
from jygproj.io.cells import CellError
from jygproj.io.recognise import list_from_text
from jygproj.io.table import Ctx, nature_from_text

#: Plain non-negative decimals: Python's float() and polars' cast read them to the same double.
_PLAIN_NUMBER = r"^[0-9]+(?:\.[0-9]+)?$"
#: The national code, ASCII only (clean_code leaves it unchanged; is_national_code is true).
_CODE = r"^[0-9]{4}-[0-9]{6}-[0-9]{2}-[0-9]{2}-[0-9]{6}$"
#: Names whose reference readings (cells.text, names.normalise_name) are the string operations of
#: _name_key below: printable ASCII, CJK ideographs, full-width brackets and the punctuation that
#: normalise_name drops (NFKC leaves them or turns them into dropped ASCII), nothing to strip at
#: either end, at least three characters (so never one of the dash marks read as empty).
_SAFE = "\\x21-\\x7E\\u4E00-\\u9FFF\\uFF08\\uFF09" + "·•・、，。：；“”‘’—–―！？"
_NAME = rf"^[{_SAFE}][{_SAFE} ]+[{_SAFE}]$"
#: names._DROP restricted to the characters a _NAME can hold (after （）→()).
_DROP_SAFE = r"[ ,.:;\"'`~\-_/\\|!?" + "·•・、，。：；“”‘’—–―！？" + "]+"


#: Below this many rows a sheet is read row by row: the column-wise path costs a few milliseconds a
#: sheet (regex compilation, polars calls) and wins only on longer tables.
MIN_ROWS = 300


def _col(frame: pl.DataFrame, ctx: Ctx, fld: str, idx: pl.Series) -> pl.Series | None:
    c = ctx.cols.get(fld)
    if c is None:
        return None
    return frame.to_series(c.index).cast(pl.String).gather(idx)


def _by_value(series: pl.Series | None, fn, n: int) -> list:
    """fn(cell) for every cell, calling fn once per distinct value; a CellError becomes the
    CellError instance itself (the row goes to the per-row reader)."""
    if series is None:
        return [fn(None)] * n
    out = {}
    for v in series.unique().to_list():
        try:
            out[v] = fn(v)
        except CellError as exc:
            out[v] = exc
    return [out[v] for v in series.to_list()]


def _name_key(s: pl.Expr) -> pl.Expr:
    """names.normalise_name for _NAME strings (NFKC there only turns （） into ())."""
    s = s.str.replace_all("（", "(", literal=True).str.replace_all("）", ")", literal=True)
    s = s.str.replace_all(r"[\[\{<]", "(").str.replace_all(r"[\]\}>]", ")")
    s = s.str.replace_all(_DROP_SAFE, "").str.to_lowercase()
    for long, short in names._COMPANY:
        s = s.str.replace_all(long, short, literal=True)
    return s.str.replace_all("()", "", literal=True)


def _amounts(ctx: Ctx, series: pl.Series | None, fld: str, n: int) -> tuple[list, list[bool]]:
    """(万元 values, ok) of an amount column; not ok where the cell would be reported."""
    if series is None:
        return [None] * n, [True] * n
    plain = series.str.strip_chars(" ").str.contains(_PLAIN_NUMBER).fill_null(False)
    values = series.to_list()
    nums = series.str.strip_chars(" ").cast(pl.Float64, strict=False).to_list()
    plain_l = plain.to_list()
    f = ctx.factor(fld)
    out: list = [None] * n
    ok = [True] * n
    for k in range(n):
        v = values[k]
        if v is None:
            continue
        if plain_l[k]:
            x = nums[k]
        else:
            try:
                x = cells.parse_number(v)
            except CellError:
                ok[k] = False
                continue
            if x is None:
                continue
            if x < 0:
                ok[k] = False
                continue
        out[k] = x if f == 1.0 else round(x * f, 6)
    return out, ok


def progress_columns(ctx: Ctx, data: list[tuple[int, str | None]], period, correction: bool,
                     reported_default) -> dict | None:
    """Columns of the records of the data rows the fast path settles, plus ``ok`` (per data row) and
    ``amounts`` (field → list). None when the sheet has no frame (built by hand)."""
    frame = ctx.raw.frame
    if frame is None or not data or len(data) < MIN_ROWS:
        return None
    n = len(data)
    idx = pl.Series([i for i, _ in data], dtype=pl.UInt32)
    ok = [True] * n

    name_s = _col(frame, ctx, "name", idx)
    if name_s is None:
        return None
    name_ok = name_s.str.contains(_NAME).fill_null(False)
    key_l = pl.select(_name_key(pl.lit(name_s))).to_series().to_list()
    name_l = name_s.to_list()
    code_s = _col(frame, ctx, "code", idx)
    if code_s is not None:
        code_ok = (code_s.is_null() | code_s.str.contains(_CODE).fill_null(False)).to_list()
        code_l = code_s.to_list()
    else:
        code_ok = [True] * n
        code_l = [None] * n
    for k, good in enumerate(name_ok.to_list()):
        if not good or not code_ok[k]:
            ok[k] = False
    pid_l = [c if c else "N:" + key for c, key in zip(code_l, key_l)]

    # 清单 column or the sheet's list
    list_s = _col(frame, ctx, "list", idx)
    if list_s is None:
        list_l = [ctx.list_id] * n
        if ctx.list_id is None:
            ok = [False] * n
    else:
        def one_list(v):
            if cells.is_empty(v):
                if ctx.list_id is None:
                    raise CellError("list")
                return ctx.list_id
            lid = list_from_text(v)
            if lid is None:
                raise CellError("list")
            return lid
        list_l = _by_value(list_s, one_list, n)

    amounts = {}
    for fld in ("completed_ytd", "total_investment", "annual_plan"):
        vals, good = _amounts(ctx, _col(frame, ctx, fld, idx), fld, n)
        amounts[fld] = vals
        for k in range(n):
            if not good[k]:
                ok[k] = False
    done, total = amounts["completed_ytd"], amounts["total_investment"]

    started_l = _by_value(_col(frame, ctx, "started", idx), cells.parse_started, n)
    start_l = _by_value(_col(frame, ctx, "start_date", idx), lambda v: cells.parse_date_or_word(v, ctx.year), n)
    if "reported_at" in ctx.cols:
        reported_l = _by_value(_col(frame, ctx, "reported_at", idx), lambda v: cells.parse_date(v, ctx.year), n)
    else:
        reported_l = [None] * n

    def col_nature(v):
        if cells.is_empty(v):
            return None
        nat = nature_from_text(v)
        if nat is None:
            raise CellError("nature")
        return nat
    nature_col_l = _by_value(_col(frame, ctx, "nature", idx), col_nature, n)
    texts = {f: _by_value(_col(frame, ctx, f, idx), cells.text, n)
             for f in ("image_progress", "issues", "responsible_unit")}

    started_out, start_out, resumed_out, nature_out, reported_out = [], [], [], [], []
    for k in range(n):
        st, sd, rep, nat = started_l[k], start_l[k], reported_l[k], nature_col_l[k]
        if ok[k]:
            if isinstance(list_l[k], CellError) or isinstance(st, CellError) or isinstance(sd, CellError) \
                    or isinstance(rep, CellError) or isinstance(nat, CellError):
                ok[k] = False
            else:
                c, t = done[k], total[k]
                if c is not None and t is not None and c > t * (1 + 1e-9) + 1e-6:
                    ok[k] = False
                date = sd[0]
                if date is not None and code_l[k] is not None and date.year < 2000 + int(code_l[k][:2]):
                    ok[k] = False
                section = data[k][1]
                if nat and section and nat != section:
                    ok[k] = False
        if not ok[k]:
            started_out.append(None), start_out.append(None), resumed_out.append(None)
            nature_out.append(None), reported_out.append(None)
            continue
        started, resumed = st
        start_date, started_word = sd
        started_out.append(started if started is not None else started_word)
        start_out.append(start_date)
        resumed_out.append(resumed)
        nature_out.append(nat or data[k][1])
        reported_out.append(rep or reported_default)

    return {
        "ok": ok,
        "amounts": amounts,
        "project_id": pid_l,
        "code": code_l,
        "name": name_l,
        "name_key": key_l,
        "list": list_l,
        "nature": nature_out,
        "period": period.period,
        "period_end": period.end,
        "completed_ytd_wan": done,
        "total_investment_wan": total,
        "annual_plan_wan": amounts["annual_plan"],
        "started": started_out,
        "start_date": start_out,
        "resumed": resumed_out,
        "image_progress": texts["image_progress"],
        "issues": texts["issues"],
        "reported_at": reported_out,
        "responsible_unit": texts["responsible_unit"],
        "correction": correction,
        "source_file": ctx.file,
        "source_sheet": ctx.raw.name,
    }
