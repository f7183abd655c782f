"""Scale data sets for the benchmarks (issue 8): the city sample grown to a province and to the
national platform, so the same code paths can be timed at three sizes.

- **city**: the embedded sample (data/sample/2023), about two hundred projects.
- **province**: ``write_province`` — the sample generator's own plan and trajectories copied into
  many "districts" (片区) until there are 20,000 projects, written by the sample's official-layout
  writers (registers with section rows and 合计, twelve monthly scheduling tables per list).
- **national**: ``write_national`` — 1,000,000 projects × 12 months as Parquet in the layout of
  ``jygproj ingest`` (projects, memberships, progress, baseline, reserve), made by tiling a
  twelve-month city data set with a lazy cross join streamed straight to Parquet (no Excel, no
  Python loop over rows).
- ``replicate(ds, copies)`` does the same tiling in memory for the 1× / 10× / 100× runs.

Every copy keeps the city's figures unchanged, so a total at k copies is exactly k × the city's
total: a check that is easy to make by hand. Copy 0 is the city itself (same ids, same units);
copy c > 0 gets its own project ids (suffix ``~c``), names and responsible units prefixed with its
district (第c片区), so nothing merges across copies.
"""

from __future__ import annotations

import dataclasses
import json
import math
import shutil
import time
import zipfile
from pathlib import Path

import polars as pl

from jygproj import completion

#: Projects of the province data set (issue 8: "tens of thousands"; 20,000 as the issue asks).
PROVINCE_PROJECTS = 20_000
#: Projects of the national data set (issue 8: "millions of project-months": 1,000,000 × 12).
NATIONAL_PROJECTS = 1_000_000
#: Months of scheduling tables in the province and national sets (the whole of 2023).
MONTHS = 12


def district(copy: int) -> str:
    """The prefix of copy ``copy`` (0 = the city itself, no prefix)."""
    return "" if copy == 0 else f"第{copy}片区"


# --- in memory: k copies of a loaded data set -------------------------------------------------------


def _tile(frame: pl.DataFrame | pl.LazyFrame, copies: int | pl.LazyFrame, id_cols=("project_id",),
          unit_cols=(), name_cols=()) -> pl.LazyFrame:
    """``frame`` repeated once per copy (lazy cross join), ids suffixed, units and names prefixed."""
    lf = frame.lazy()
    copy_lf = copies if isinstance(copies, pl.LazyFrame) else pl.LazyFrame(
        {"_copy": pl.int_range(0, copies, eager=True, dtype=pl.Int32)})
    prefix = pl.when(pl.col("_copy") > 0).then(pl.format("第{}片区", pl.col("_copy"))).otherwise(pl.lit(""))
    suffix = pl.when(pl.col("_copy") > 0).then(pl.format("~{}", pl.col("_copy"))).otherwise(pl.lit(""))
    cols = lf.collect_schema().names()
    return (
        # each row then its copies, in the frame's row order (a join without maintain_order has no order)
        lf.join(copy_lf, how="cross", maintain_order="left_right")
        .with_columns(
            *[pl.concat_str(pl.col(c), suffix).alias(c) for c in id_cols if c in cols],
            *[pl.concat_str(prefix, pl.col(c)).alias(c) for c in (*unit_cols, *name_cols) if c in cols],
        )
    )


def replicate(ds, copies: int, n_projects: int | None = None):
    """A Dataset with ``copies`` copies of ``ds`` (a jygproj.io Dataset), trimmed to ``n_projects``
    projects when given. Project ids, names, codes and responsible units are made unique per copy;
    the baseline (the FAI statistics of the whole area) is multiplied by ``copies``."""
    from jygproj.io.dataset import Dataset

    if copies < 1:
        raise ValueError(f"copies must be >= 1, got {copies}")
    unit_cols = ("responsible_unit",)
    name_cols = ("name", "name_key")

    def tile(frame: pl.DataFrame, **kw) -> pl.DataFrame:
        out = _tile(frame, copies, **kw).sort("_copy", maintain_order=True).drop("_copy").collect()
        return out.select(frame.columns)

    projects = tile(ds.projects, id_cols=("project_id", "code"), unit_cols=unit_cols, name_cols=name_cols)
    memberships = tile(ds.memberships)
    progress = tile(ds.progress)
    reserve = tile(ds.reserve, id_cols=("project_id",), unit_cols=unit_cols, name_cols=("name",))
    reserve_steps = tile(ds.reserve_steps)
    if n_projects is not None:
        keep = projects.head(n_projects).select("project_id")
        projects = projects.head(n_projects)
        memberships = memberships.join(keep, on="project_id", how="semi", maintain_order="left")
        progress = progress.join(keep, on="project_id", how="semi", maintain_order="left")
    baseline = ds.baseline.with_columns(
        pl.col("prior_cum_wan") * copies, pl.col("current_cum_wan") * copies)
    return Dataset(projects=projects, memberships=memberships, progress=progress, baseline=baseline,
                   reserve=reserve, reserve_steps=reserve_steps, problems=ds.problems, sheets=list(ds.sheets))


# --- province: official-layout workbooks, by the sample generator's writers --------------------------


def province_sample(n_projects: int = PROVINCE_PROJECTS, seed: int = 2023):
    """The sample generator's plan and trajectories copied into districts until there are
    ``n_projects`` projects (a jygproj.sample.Sample; copy 0 is the city itself)."""
    from jygproj.reference import load_seasonal_profile, load_targets
    from jygproj.sample import build_sample, reference_shares

    city = build_sample(load_targets(2023), seed, "2023-12", reference_shares(load_seasonal_profile()))
    base = city.plan.projects
    copies = math.ceil(n_projects / len(base))
    projects, trajs = [], {}
    for c in range(copies):
        pre = district(c)
        for p in base:
            if len(projects) == n_projects:
                break
            pid = p.pid if c == 0 else f"{p.pid}~{c}"
            code = p.code
            if code and c:  # a distinct area code per district keeps the national code's form
                code = f"{code[:5]}{620000 + c:06d}{code[11:]}"
            projects.append(dataclasses.replace(
                p, pid=pid, name=pre + p.name, code=code,
                responsible=pre + p.responsible if p.responsible else p.responsible,
                owner=pre + p.owner if p.owner else p.owner,
                lists=list(p.lists), spelling={k: pre + v for k, v in p.spelling.items()}))
            trajs[pid] = city.trajectories[p.pid]
    baseline = [dataclasses.replace(b, prior_cum_wan=b.prior_cum_wan * copies,
                                    current_cum_wan=None if b.current_cum_wan is None
                                    else b.current_cum_wan * copies) for b in city.baseline]
    reserve = [dataclasses.replace(r, name=district(c) + r.name,
                                   code=(f"{r.code[:5]}{620000 + c:06d}{r.code[11:]}" if r.code and c else r.code),
                                   responsible=district(c) + r.responsible)
               for c in range(copies) for r in city.reserve]
    return dataclasses.replace(city, plan=type(city.plan)(projects), trajectories=trajs, baseline=baseline,
                               reserve=reserve, correction=None)


def province_file_names(months: int = MONTHS) -> dict[str, str]:
    from jygproj.sample import REGISTER_LISTS
    from jygproj.sample import workbook as wbk
    from jygproj.schema import LISTS

    out = {f"register:{k}": f"2023年{LISTS[k]}清单（基准测试省级数据）.xlsx" for k in REGISTER_LISTS}
    for k in wbk.PROGRESS_LISTS:
        for m in range(1, months + 1):
            out[f"progress:{k}:{m}"] = f"2023年1-{m}月{LISTS[k]}调度表（基准测试省级数据）.xlsx"
    out["baseline"] = "固定资产投资月度累计（基准测试省级数据）.xlsx"
    out["reserve"] = "项目储备库（基准测试省级数据）.xlsx"
    return out


def _write_one(job: tuple) -> str:
    """One workbook of the province (run in a worker process)."""
    import random

    from jygproj.sample import workbook as wbk

    kind, key, month, path, n_projects, seed = job
    sample = _province_cached(n_projects, seed)
    if kind == "register":
        style = wbk.register_styles()[key]
        if style.seq == "chinese" and len(sample.plan.on(key)) > 99:
            # the sample's Chinese 序号 (一, 二, … 九十九) stops at 99; a province's list is longer
            style = dataclasses.replace(style, seq="number")
        wbk.write_register(sample.plan, style, Path(path), random.Random(seed * 17 + 9))
    elif kind == "progress":
        wbk.write_progress(sample.plan, sample.trajectories, key, month, Path(path), wbk.reported_on(month, key))
    elif kind == "baseline":
        wbk.write_baseline(sample.baseline, Path(path))
    else:
        wbk.write_reserve(sample.reserve, Path(path))
    return path


_CACHE: dict = {}


def _province_cached(n_projects: int, seed: int):
    key = (n_projects, seed)
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = province_sample(n_projects, seed)
    return _CACHE[key]


def write_province(out_dir: Path, n_projects: int = PROVINCE_PROJECTS, seed: int = 2023, months: int = MONTHS,
                   workers: int = 1) -> list[Path]:
    """Write the province as official-layout workbooks into ``out_dir`` (replaced when it exists):
    6 registers, 5 lists × ``months`` monthly scheduling tables (1-1月 … 1-12月), the FAI baseline
    and the reserve pool. ``workers`` > 1 writes files in parallel processes."""
    out_dir = Path(out_dir)
    tmp = out_dir.with_name(out_dir.name + ".partial")
    params = json.dumps({"n_projects": n_projects, "seed": seed, "months": months})
    if not (tmp / "params.json").is_file() or (tmp / "params.json").read_text() != params:
        shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True, exist_ok=True)  # an interrupted run's finished workbooks are kept
    (tmp / "params.json").write_text(params)
    names = province_file_names(months)
    jobs = []
    for key, name in names.items():
        kind, _, rest = key.partition(":")
        lst, _, month = rest.partition(":")
        if zipfile.is_zipfile(tmp / name):
            continue
        jobs.append((kind, lst or None, int(month) if month else None, str(tmp / name), n_projects, seed))
    # the biggest files first, so parallel workers finish together
    jobs.sort(key=lambda j: j[0] != "progress")
    if workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(_write_one, jobs))
    else:
        for job in jobs:
            _write_one(job)
    (tmp / "params.json").unlink()
    shutil.rmtree(out_dir, ignore_errors=True)
    tmp.rename(out_dir)
    return sorted(out_dir.glob("*.xlsx"))


# --- national: Parquet, tiled lazily from a twelve-month city ---------------------------------------


def write_national(out_dir: Path, n_projects: int = NATIONAL_PROJECTS, seed: int = 2023,
                   city_dir: Path | None = None) -> dict:
    """``n_projects`` projects × 12 months as Parquet in ``out_dir`` (the layout ``jygproj ingest``
    writes, read back by jygproj.ingest.load_ingested / scan_ingested).

    The base is a one-copy province (the city, with twelve monthly tables) written by the sample
    generator's writers and read by the loaders, so every column is what real data would give; the
    base is then tiled by a lazy cross join and streamed to Parquet, never held whole in memory.
    Returns a summary (rows per table, seconds).
    """
    from jygproj.ingest import write_parquet_set
    from jygproj.io import load_dataset

    started = time.perf_counter()
    out_dir = Path(out_dir)
    city_dir = Path(city_dir) if city_dir else out_dir.with_name(out_dir.name + "_city12")
    if not any(city_dir.glob("*.xlsx")):
        write_province(city_dir, n_projects=_city_size(seed), seed=seed)
    base = load_dataset(city_dir)
    n_city = base.projects.height
    copies = math.ceil(n_projects / n_city)
    last_keep = n_projects - n_city * (copies - 1)  # projects kept of the last copy
    copy_lf = pl.LazyFrame({"_copy": pl.int_range(0, copies, eager=True, dtype=pl.Int32)})
    index = base.projects.select("project_id", pl.int_range(0, pl.len(), dtype=pl.Int32).alias("_i")).lazy()

    def prepared(frame: pl.DataFrame, per_project: bool = True) -> pl.LazyFrame:
        lf = frame.lazy()
        if "source_file" in frame.columns:
            # a file name, not the generator's working path: the base is one source among many
            lf = lf.with_columns(pl.col("source_file").str.extract(r"([^/\\\\]+)$", 1))
        if per_project:
            lf = lf.join(index, on="project_id", how="left", maintain_order="left")
        return lf

    def trimmed(lf: pl.LazyFrame) -> pl.LazyFrame:
        return lf.filter((pl.col("_copy") < copies - 1) | (pl.col("_i") < last_keep)).drop("_i", "_copy")

    lazy = {
        "projects": trimmed(_tile(prepared(base.projects), copy_lf, id_cols=("project_id", "code"),
                                  unit_cols=("responsible_unit",), name_cols=("name", "name_key"))),
        "memberships": trimmed(_tile(prepared(base.memberships), copy_lf)),
        "progress": trimmed(_tile(prepared(base.progress), copy_lf)),
        "reserve": _tile(prepared(base.reserve, False), copy_lf, unit_cols=("responsible_unit",),
                         name_cols=("name",)).drop("_copy"),
        "reserve_steps": _tile(base.reserve_steps, copy_lf).drop("_copy"),
        "baseline": prepared(base.baseline, False).with_columns(
            pl.col("prior_cum_wan") * copies, pl.col("current_cum_wan") * copies),
        "problems": base.problems.lazy(),
    }
    tmp = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    rows = write_parquet_set(lazy, tmp, extra={
        "generator": f"jygproj.scale.write_national(n_projects={n_projects}, seed={seed})",
        "copies": copies, "city_projects": n_city})
    shutil.rmtree(out_dir, ignore_errors=True)
    tmp.rename(out_dir)
    return {"rows": rows, "copies": copies, "city_projects": n_city, "seconds": time.perf_counter() - started}


def _city_size(seed: int = 2023) -> int:
    """Projects of the city sample (every project of the plan, counted once)."""
    from jygproj.reference import load_seasonal_profile, load_targets
    from jygproj.sample import build_sample, reference_shares

    return len(build_sample(load_targets(2023), seed, "2023-12",
                            reference_shares(load_seasonal_profile())).plan.projects)


# --- the quarterly calculations over LazyFrames (national scale) -------------------------------------


#: Columns read as Categorical by lazy_quarterly (repeated strings; ``period`` stays text for its regexes).
_CATEGORICAL = ("name", "responsible_unit", "source_file", "source_sheet")

#: The progress columns the ledger reads (snapshot, revisions, periods, monthly figures, start status).
_PROGRESS_COLS = ("project_id", "list", "period", "period_end", "completed_ytd_wan", "started", "start_date",
                  "resumed", "reported_at", "revision", "source_file", "source_sheet", "source_row")


def _lexical_ids(frames: list[pl.DataFrame]) -> list[pl.DataFrame]:
    """``frames`` with ``project_id`` (Categorical) replaced by its rank among the sorted ids, a
    UInt32: sorts, joins and group-bys on it are integer work, and rows sort as they do by the id
    text (polars sorts Categoricals by their text), so every sum adds the same numbers in the same
    order as before. No result shows a project id (they count projects). The ranks are looked up by
    the Categorical's physical code (the same text has the same code in every frame)."""
    ids = pl.concat([f.select(pl.col("project_id").unique().drop_nulls()) for f in frames]).unique()
    ids = ids.sort("project_id").with_columns(pl.col("project_id").to_physical().alias("_code"))
    size = (ids.get_column("_code").max() or 0) + 1
    rank = pl.repeat(None, size, dtype=pl.UInt32, eager=True).scatter(
        ids.get_column("_code"), pl.int_range(0, ids.height, dtype=pl.UInt32, eager=True))
    return [f.with_columns(pl.lit(rank).gather(pl.col("project_id").to_physical()).alias("project_id"))
            for f in frames]


def _totals_codes(lists: list[str], natures: list[str]) -> dict[str, list[str]]:
    """The codes :func:`_completion_totals` packs its keys into: the lists in the report order
    (jygproj.ledger.LIST_PRECEDENCE, enterprise, city, then any other sorted), the natures sorted,
    the periods as in completion.PERIODS. ``lists`` and ``natures`` may hold values no detail row
    has (a code without rows makes no group), so chunks of a detail can share one set of codes."""
    from jygproj.completion import CITY, ENTERPRISE, PERIODS
    from jygproj.ledger import LIST_PRECEDENCE

    order = [*LIST_PRECEDENCE, ENTERPRISE, CITY]
    return {"list": order + sorted(set(lists) - set(order)), "nature": sorted(set(natures)),
            "period": list(PERIODS)}


def _compact_detail(detail: pl.DataFrame, code: dict[str, list[str]]) -> pl.DataFrame:
    """``detail`` (completion.completion_detail) with its text keys packed into one integer ``_k``
    — the list's place in ``code``, then the nature's, then the period's (null: the last place) —
    and only the columns its totals add up (project_id, _k, quarter, closed, annual_plan_wan,
    plan_wan, completed_wan), in the same row order."""
    n_n, n_p = len(code["nature"]) + 1, len(code["period"]) + 1  # + 1: null, sorted last

    def codes(col: str) -> pl.Expr:
        values = code[col]
        return pl.col(col).cast(pl.Enum(values)).to_physical().cast(pl.UInt64).fill_null(len(values))

    return detail.select("project_id", (codes("period") + n_p * (codes("nature") + n_n * codes("list"))).alias("_k"),
                         "quarter", "closed", "annual_plan_wan", "plan_wan", "completed_wan")


def _completion_totals(detail: pl.DataFrame, projects: pl.DataFrame | None = None, *,
                       code: dict[str, list[str]] | None = None, chunk_rows: int | None = None) -> pl.DataFrame:
    """The totals of ``completion.completion(..., plan_targets=None)`` from its ``detail``
    (completion.completion_detail; ``project_id`` a UInt32 code, :func:`_lexical_ids`): by list
    and nature, or, given ``projects`` (project_id code, responsible_unit), as
    ``by="responsible_unit"`` — the same rows in the same order (the unit column as String).
    ``detail`` may also be already packed by :func:`_compact_detail` with ``code``; by unit, it
    is summed in ranges of units of about ``chunk_rows`` rows (memory; the same frame).

    Why not completion() itself: at 1,000,000 projects its detail has 16 million rows and it groups
    them on text keys (list, nature, period), once per table. Here the keys are packed into one
    integer per row — unit rank, then the list's place in the report order, the nature's place
    among the sorted natures, the period's in PERIODS — so one integer group-by and one integer
    sort give completion()'s groups in completion()'s order (tests/test_scale.py checks the frames
    are equal to completion()'s).
    """
    if code is None:
        code = _totals_codes(detail.get_column("list").unique().drop_nulls().to_list(),
                             detail.get_column("nature").unique().drop_nulls().to_list())
        detail = _compact_detail(detail, code)
    n_l, n_n, n_p = len(code["list"]) + 1, len(code["nature"]) + 1, len(code["period"]) + 1
    if projects is None:
        return _totals_of(detail, code)
    # each unit as its rank among the sorted unit names (null last, as completion() sorts them),
    # looked up by project code
    pu = projects.select("project_id", pl.col("responsible_unit").cast(pl.String)).unique("project_id")
    units = pu.get_column("responsible_unit").unique().drop_nulls().sort()
    size = max(detail.get_column("project_id").max() or 0, pu.get_column("project_id").max() or 0) + 1
    rank = pl.repeat(None, size, dtype=pl.UInt32, eager=True).scatter(
        pu.get_column("project_id"),
        pu.get_column("responsible_unit").cast(pl.Enum(units.to_list())).to_physical().cast(pl.UInt32))
    unit = pl.lit(rank).gather(pl.col("project_id")).fill_null(units.len())
    d = detail.with_columns(unit.alias("_u"))
    # a unit's groups are all its rows: summed one range of units at a time (each group's rows in
    # the same order, so the same sums), the ranges in order, as one sort by unit first would give
    parts = []
    for lo, hi in _project_chunks(units.len() + 1, d.height, chunk_rows or d.height or 1):  # unit ranks, null last
        part = d.filter(pl.col("_u").is_between(lo, hi, closed="left")).select(
            (pl.col("_u").cast(pl.UInt64) * (n_l * n_n * n_p) + pl.col("_k")).alias("_k"), pl.exclude("_k", "_u"))
        # only this range's units named (the mapping of every unit, built again for each range, was
        # quadratic: 1.5 s at 2,000,000 projects, 217,623 units in 34 ranges; issue 18, still linear)
        parts.append(_totals_of(part, code, units.slice(lo, hi - lo), lo))
        del part
    return pl.concat(parts)  # not rechunked: at 1,000,000 projects the table is about 1 GB


def _totals_of(d: pl.DataFrame, code: dict[str, list[str]], units: pl.Series | None = None,
               first: int = 0) -> pl.DataFrame:
    """:func:`_completion_totals` of packed rows ``d`` (``_k`` with the unit's rank on top when
    ``units``: the names of the ranks ``first``, ``first`` + 1, …; any other rank, the null unit's,
    has no name), in ``_k`` order."""
    from jygproj.completion import PERIODS, _pct

    n_l, n_n, n_p = len(code["list"]) + 1, len(code["nature"]) + 1, len(code["period"]) + 1
    aggs = completion.totals_aggs()
    nature_null = (n_n - 1) * n_p  # the all-natures rows: the nature code of null
    by_nature = d.group_by("_k").agg(aggs)
    all_natures = d.group_by(pl.col("_k") - (pl.col("_k") // n_p % n_n) * n_p + nature_null).agg(aggs)
    out = pl.concat([by_nature, all_natures]).sort("_k")
    k = pl.col("_k")

    def decode(col: str, value: pl.Expr, values=None, first: int = 0) -> pl.Expr:
        """The names of the codes ``first``, ``first`` + 1, … (``values``, else ``code[col]``); any other code, null."""
        values = code[col] if values is None else values
        return value.replace_strict(list(range(first, first + len(values))), values, default=None,
                                    return_dtype=pl.String).alias(col)

    keys = [decode("list", k // (n_n * n_p) % n_l), decode("nature", k // n_p % n_n), decode("period", k % n_p)]
    if units is not None:
        keys.insert(0, decode("responsible_unit", k // (n_l * n_n * n_p), units, first))
    completed = pl.when(pl.col("_begun")).then(pl.col("completed_wan")).otherwise(None)
    return out.select(
        *keys, "quarter", "closed", "projects", "annual_plan_wan", "plan_wan",
        completed.alias("completed_wan"),
        _pct(completed, pl.col("plan_wan")).alias("rate_pct"),
        pl.when(k % n_p == PERIODS.index("YTD")).then(_pct(completed, pl.col("annual_plan_wan")))
        .alias("annual_rate_pct"),
        pl.lit(None, pl.Float64).alias("target_wan"),
        pl.lit(None, pl.Float64).alias("target_rate_pct"),
    )


#: Progress rows per chunk of projects (memory, not speed): the ledger and the completion detail
#: run on one chunk of projects at a time, so their sorts and copies hold a chunk, not the nation.
CHUNK_ROWS = 1_000_000


def _project_chunks(n_ids: int, rows: int, chunk_rows: int) -> list[tuple[int, int]]:
    """Ranges [lo, hi) of project codes (:func:`_lexical_ids`, 0 … ``n_ids`` - 1) of about
    ``chunk_rows`` of ``rows`` each."""
    step = max(1, math.ceil(n_ids / max(1, math.ceil(rows / chunk_rows))))
    return [(lo, min(lo + step, n_ids)) for lo in range(0, max(n_ids, 1), step)]


def _in_chunk(frame: pl.DataFrame, chunk: tuple[int, int]) -> pl.DataFrame:
    return frame.filter(pl.col("project_id").is_between(*chunk, closed="left"))


def _ledger_by_chunk(progress: pl.DataFrame, chunks: list[tuple[int, int]], as_of) -> tuple[pl.DataFrame, pl.DataFrame]:
    """ledger.monthly_cumulative (project_id, year, month, quarter, completed_ytd_wan) and
    ledger.start_status of ``progress``, one chunk of projects at a time. Both are per project and
    sorted by project_id first, so the chunks' results, concatenated in code order, are the rows a
    single call gives, in its order."""
    from jygproj import ledger

    monthly, status = [], []
    for chunk in chunks:
        part = _in_chunk(progress, chunk)
        with ledger.reuse_results():  # one snapshot for the monthly figures and the start status
            monthly.append(ledger.monthly_cumulative(part, as_of=as_of).select(
                "project_id", "year", "month", "quarter", "completed_ytd_wan"))
            status.append(ledger.start_status(part, as_of))
        del part
    return pl.concat(monthly, rechunk=True), pl.concat(status, rechunk=True)


def _detail_by_chunk(plans: pl.DataFrame, monthly: pl.DataFrame, chunks: list[tuple[int, int]],
                     code: dict[str, list[str]], **kw) -> pl.DataFrame:
    """completion.completion_detail of ``plans`` and ``monthly``, packed (:func:`_compact_detail`),
    computed one chunk of projects at a time, in the rows and row order of a single call — so every
    total adds the same numbers in the same order. A single call's detail is its quarter rows
    sorted by list text, project, quarter, then its YTD rows in the same order; each chunk's is
    that for its projects, so the chunks' rows are regrouped by (quarter or YTD, list)."""
    parts: dict[tuple[bool, str | None], list[pl.DataFrame]] = {}
    for chunk in chunks:
        detail = completion.completion_detail(_in_chunk(plans, chunk), _in_chunk(monthly, chunk), **kw)
        packed = _compact_detail(detail, code)
        # the runs of equal (quarter or YTD, list), each a slice of the packed rows
        key = pl.struct((pl.col("period") == "YTD").alias("ytd"), "list")
        runs = detail.select(key.rle().alias("_run")).unnest("_run").unnest("value")
        del detail
        offset = 0
        for length, is_ytd, lst in runs.select("len", "ytd", "list").iter_rows():
            parts.setdefault((is_ytd, lst), []).append(packed.slice(offset, length))
            offset += length
    # polars sorts text by its bytes, nulls first
    order = sorted(parts, key=lambda key: (key[0], key[1] is not None, (key[1] or "").encode()))
    out = pl.concat([frame for key in order for frame in parts[key]], rechunk=True)
    parts.clear()
    return out


def lazy_quarterly(tables: dict[str, pl.LazyFrame], *, year: int, quarter: int, as_of_month: int,
                   profile: dict[int, float], headline: str = "level", streaming: bool = True,
                   categorical: bool = True, plan=None, chunk_rows: int = CHUNK_ROWS) -> dict[str, pl.DataFrame]:
    """The quarterly calculations that are polars queries, over ``tables`` (LazyFrames from
    jygproj.ingest.scan_ingested): completion by list, nature and period (二(一)–二(五)), completion
    by responsible unit, start status and new-start rates (二(二)、二(四)、二(五)), and the 12% tracker
    on the FAI baseline (seasonal projection). The same functions as the quarterly review
    (jygproj.ledger, completion, starts, growth).

    How it stays fast at 1,000,000 projects × 12 months (figures in benchmarks/RESULTS.md):
    - the Parquet files are read once, only the columns the calculations use, in one
      ``collect_all`` (streaming engine when ``streaming``); the ledger then runs on the eager
      progress frame, whose paths sort once and parse each distinct period once (the lazy paths of
      jygproj.ledger sort and parse every row again), and one snapshot serves the monthly figures
      and the start status (ledger.reuse_results);
    - project ids become UInt32 ranks that sort as the ids do (:func:`_lexical_ids`);
    - memory (issue 18: at most 3 GiB per million projects): the ledger and the completion detail
      run one chunk of projects at a time (about ``chunk_rows`` progress rows each), their results
      concatenated in the rows and order of a single call (:func:`_ledger_by_chunk`,
      :func:`_detail_by_chunk`); the detail is kept packed, integer keys and the summed columns only;
    - the per-project completion detail (completion.completion_detail) is computed once, and the
      by-list and by-unit tables are both summed from it on integer keys, by unit a range of units
      at a time (:func:`_completion_totals`, equal to completion.completion's tables to the last bit).
    ``categorical`` keeps names, units and sources as polars Categoricals (less memory; the unit
    column of the by-unit table is then Categorical, else String). Not included: warnings, ranking,
    factors and supervision, whose functions need the whole eager review.
    """
    import datetime as dt
    import warnings

    from jygproj import completion, growth, ledger, starts

    engine = "streaming" if streaming else "auto"
    text = pl.Categorical if categorical else pl.String

    def read(lf: pl.LazyFrame, cols: tuple[str, ...] | None = None) -> pl.LazyFrame:
        names = lf.collect_schema().names()
        if cols is not None:
            lf = lf.select(c for c in cols if c in names)
            names = [c for c in cols if c in names]
        return lf.with_columns(*(pl.col(c).cast(text) for c in _CATEGORICAL if c in names),
                               *([pl.col("project_id").cast(pl.Categorical)] if "project_id" in names else []))

    as_of = ledger.month_end(year, as_of_month) + dt.timedelta(days=10)  # as the quarterly review reads it
    progress, memberships, projects, baseline = pl.collect_all([
        read(tables["progress"], _PROGRESS_COLS),
        read(tables["memberships"]),
        read(tables["projects"], ("project_id", "name", "responsible_unit", "planned_start")),
        tables["baseline"],
    ], engine=engine)
    progress, memberships, projects = _lexical_ids([progress, memberships, projects])
    n_ids = 1 + max((f.get_column("project_id").max() or 0) for f in (progress, memberships, projects))
    chunks = _project_chunks(n_ids, progress.height, chunk_rows)
    monthly, status = _ledger_by_chunk(progress, chunks, as_of)
    del progress
    # completion sorts and joins whole frames: hand it only the columns it reads (same results)
    plans = memberships.select("project_id", "list", "nature", "annual_plan_wan",
                               *(f"q{q}_plan_wan" for q in range(1, 5)))
    # every list and nature a detail row can carry (codes without rows make no group)
    code = _totals_codes([*plans.get_column("list").cast(pl.String).unique().drop_nulls(),
                          completion.ENTERPRISE, completion.CITY],
                         [*plans.get_column("nature").cast(pl.String).unique().drop_nulls(), completion.UNSPECIFIED])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pl.exceptions.PerformanceWarning)
        # the per-project detail once, both tables from it
        detail = _detail_by_chunk(plans, monthly, chunks, code, year=year, as_of_month=as_of_month, profile=profile)
        monthly_rows = monthly.height
        del monthly, plans
        comp = _completion_totals(detail, code=code)
        by_unit = _completion_totals(detail, projects, code=code, chunk_rows=chunk_rows).with_columns(
            pl.col("responsible_unit").cast(text))
    del detail
    roster = starts.roster(memberships, projects, status)
    rates = starts.new_start_rates(roster, year=year, as_of=as_of)
    if plan is None:  # the year's plan (its growth goal); a plan that fails to load stops the run
        from jygproj.plan import load_plan

        plan = load_plan(year)
    path, summary = growth.track(baseline, as_of_month=as_of_month, profile=profile, goal=plan.goal,
                                 headline=headline, year=year)
    return {"completion": comp, "completion_by_unit": by_unit, "start_rates": rates, "growth": path,
            "growth_summary": summary, "monthly_rows": monthly_rows, "roster_rows": roster.height}


__all__ = ["PROVINCE_PROJECTS", "NATIONAL_PROJECTS", "MONTHS", "district", "replicate", "province_sample",
           "province_file_names", "write_province", "write_national", "lazy_quarterly"]
