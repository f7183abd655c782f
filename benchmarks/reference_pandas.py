"""The reference pipelines jygproj is compared with (issue 8, point 3).

``pandas_table(paths, as_of_month)`` is written the way an analyst does it today: pandas with
``engine="openpyxl"`` (the default) or ``engine="calamine"`` (pandas ≥ 2.2, the faster choice an
analyst would more likely make now) reads every workbook; each register gives a list's projects, 责任单位 and
年度计划投资 (×10,000 where the unit line says 亿元); the as-of month's scheduling table of each
list gives 1-X月完成投资; the two are joined on 项目名称 and summed by list and 责任单位. It computes
the same figures as jygproj's completion by list and responsible unit (YTD, all natures), which
``jygproj_table`` returns for comparison, and ``compare`` checks.

``fastexcel_cells(paths, threads)`` reads the same cells with fastexcel alone (every sheet, as
text, no checks, nothing assembled), on one thread or several (fastexcel releases the GIL while
it parses): the lower bound of any loader built on it.

Run alone: ``.venv/bin/python -m benchmarks.reference_pandas [DATA_DIR] [AS_OF_MONTH]`` prints
the three timings and the largest difference between the two tables.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import time
import unicodedata
from pathlib import Path

import pandas as pd

#: The lists that have monthly scheduling tables (二(八)), by the words their file names use.
LIST_WORDS = {
    "省列重大项目": "provincial_major",
    "全省重点投资项目": "provincial_key",
    "政府投资项目": "government",
    "产业投资项目": "industrial",
    "房地产投资项目": "real_estate",
}


def workbooks(data_dir: Path) -> list[Path]:
    return sorted(p for p in Path(data_dir).rglob("*.xlsx") if not p.name.startswith(("~$", ".")))


# --- the lower bound: fastexcel alone --------------------------------------------------------------


def fastexcel_cells(paths: list[Path], threads: int = 1) -> int:
    """Every sheet of every workbook as a frame of text cells (what jygproj.io asks calamine for),
    the workbooks shared among ``threads`` threads, biggest first. Returns the number of cells read."""
    if threads > 1:
        from concurrent.futures import ThreadPoolExecutor

        biggest_first = sorted(paths, key=lambda p: -Path(p).stat().st_size)
        with ThreadPoolExecutor(threads) as pool:
            return sum(pool.map(_fastexcel_workbook, biggest_first))
    return sum(_fastexcel_workbook(p) for p in paths)


def _fastexcel_workbook(path: Path) -> int:
    import fastexcel

    cells = 0
    reader = fastexcel.read_excel(str(path))
    for name in reader.sheet_names:
        frame = reader.load_sheet(name, header_row=None, dtypes="string").to_polars()
        cells += frame.height * frame.width
    return cells


# --- the analyst's way: pandas + openpyxl ----------------------------------------------------------


def pandas_read(paths: list[Path], engine: str = "openpyxl") -> dict[Path, dict[str, pd.DataFrame]]:
    """Step one of the analyst's notebook: every sheet of every workbook, no header yet."""
    return {p: pd.read_excel(p, sheet_name=None, header=None, engine=engine) for p in paths}


def _text(v) -> str:
    return "" if v is None or (isinstance(v, float) and pd.isna(v)) else unicodedata.normalize("NFKC", str(v)).strip()


def _number(series: pd.Series) -> pd.Series:
    """Amounts typed as text too: "1,234.5", full-width digits, "—" for none."""
    text = series.map(_text).str.replace(",", "", regex=False).str.replace("，", "", regex=False)
    return pd.to_numeric(text, errors="coerce")


def _tidy(raw: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """Header row = the row holding 项目名称; a second header row below it fills the blanks
    (two-row headers); data rows = rows with a project name that is not 合计/小计.
    Returns the table and its unit factor to 万元 (10,000 when the unit line says 亿元)."""
    top = raw.head(10)
    header_at = next(i for i in range(len(top)) if any(_text(v) == "项目名称" for v in top.iloc[i]))
    unit = 10_000.0 if any("亿元" in _text(v) for v in top.iloc[:header_at].to_numpy().ravel()) else 1.0
    head = [_text(v) for v in raw.iloc[header_at]]
    below = [_text(v) for v in raw.iloc[header_at + 1]]
    # a second header row has text under a blank top cell (merged group: 年度计划投资 over 合计/一季度…)
    two_rows = any(not h and b and not re.fullmatch(r"[\d.,\-]+", b) for h, b in zip(head, below))
    if two_rows:
        # the group's first column (合计) is the annual plan itself; other sub-headers name their column
        head = [h if (b == "合计" or not b) else b for h, b in zip(head, below)]
    body = raw.iloc[header_at + (2 if two_rows else 1):].copy()
    body.columns = [h or f"_c{j}" for j, h in enumerate(head)]
    body = body.loc[:, ~body.columns.duplicated()]
    name = body["项目名称"].map(_text)
    first = body.iloc[:, 0].map(_text)
    keep = (name != "") & ~name.isin(["合计", "小计"]) & ~first.isin(["合计", "小计"])
    return body[keep].assign(项目名称=name[keep]), unit


def _column(frame: pd.DataFrame, *starts: str, contains: str | None = None) -> str:
    for c in frame.columns:
        text = c.replace("\n", "")
        if any(text.startswith(s) for s in starts) and (contains is None or contains in text):
            return c
    raise KeyError(f"{starts} not in {list(frame.columns)}")


def pandas_table(sheets: dict[Path, dict[str, pd.DataFrame]], as_of_month: int) -> pd.DataFrame:
    """Completion by list and 责任单位 (万元): projects, annual_plan_wan, completed_wan, annual_rate_pct."""
    registers, progress = {}, {}
    for path, book in sheets.items():
        key = next((k for w, k in LIST_WORDS.items() if w in path.name), None)
        if key is None:
            continue
        raw = next(iter(book.values()))
        if "清单" in path.name:
            registers[key] = _tidy(raw)
        elif "调度表" in path.name and "周" not in path.name and "更正" not in path.name \
                and re.search(rf"1-{as_of_month}月", path.name):
            progress[key] = _tidy(raw)[0]
    parts = []
    for key, (reg, unit) in registers.items():
        if key not in progress:
            continue
        plan_col = _column(reg, "年度计划投资", "2023年计划投资")
        reg = pd.DataFrame({"项目名称": reg["项目名称"], "责任单位": reg["责任单位"].map(_text),
                            "annual_plan_wan": _number(reg[plan_col]) * unit})
        prog = progress[key]
        done_col = _column(prog, f"1-{as_of_month}月", "完成投资", contains="完成投资") \
            if any(c.startswith("完成投资") or "完成投资" in c for c in prog.columns) else None
        done = pd.DataFrame({"项目名称": prog["项目名称"], "completed_wan": _number(prog[done_col])})
        merged = reg.merge(done.drop_duplicates("项目名称"), on="项目名称", how="left")
        merged["list"] = key
        parts.append(merged)
    table = (pd.concat(parts).groupby(["list", "责任单位"], as_index=False)
             .agg(projects=("项目名称", "count"), annual_plan_wan=("annual_plan_wan", "sum"),
                  completed_wan=("completed_wan", "sum")))
    table["annual_rate_pct"] = table["completed_wan"] / table["annual_plan_wan"] * 100
    return table.rename(columns={"责任单位": "responsible_unit"}).sort_values(["list", "responsible_unit"],
                                                                            ignore_index=True)


def pandas_pipeline(paths: list[Path], as_of_month: int, engine: str = "openpyxl") -> pd.DataFrame:
    return pandas_table(pandas_read(paths, engine), as_of_month)


# --- jygproj's figures for the same table ------------------------------------------------------------


def jygproj_table(ds, year: int, as_of_month: int):
    """The same table from jygproj: completion by responsible unit, YTD, all natures, per list,
    with the ledger as known on the 10th of the following month (as the quarterly review reads it)."""
    import polars as pl

    from jygproj import completion, ledger
    from jygproj.reference import load_seasonal_profile

    as_of = ledger.month_end(year, as_of_month) + dt.timedelta(days=10)
    monthly = ledger.monthly_cumulative(ds.progress, as_of=as_of)
    out = completion.completion(ds.memberships, monthly, year=year, as_of_month=as_of_month,
                                profile=load_seasonal_profile(), projects=ds.projects, by="responsible_unit")
    return (out.filter((pl.col("period") == "YTD") & pl.col("nature").is_null()
                       & pl.col("list").is_in(list(LIST_WORDS.values())))
            .select("list", "responsible_unit", "projects", "annual_plan_wan",
                    pl.col("completed_wan").fill_null(0.0), "annual_rate_pct")
            .sort("list", "responsible_unit"))


def compare(ours, theirs: pd.DataFrame) -> dict:
    """Largest absolute differences between jygproj's table and the reference (万元, projects)."""
    import polars as pl

    ref = pl.DataFrame({"list": theirs["list"].astype(str).tolist(),
                        "responsible_unit": theirs["responsible_unit"].astype(str).tolist(),
                        "projects": theirs["projects"].astype("int64").tolist(),
                        "annual_plan_wan": theirs["annual_plan_wan"].astype(float).tolist(),
                        "completed_wan": theirs["completed_wan"].astype(float).tolist()})
    j = ours.join(ref, on=["list", "responsible_unit"], how="full", suffix="_ref", coalesce=True)
    return {
        "rows": ours.height, "rows_ref": ref.height,
        "unmatched": int(j.filter(pl.col("projects").is_null() | pl.col("projects_ref").is_null()).height),
        "max_plan_diff_wan": float(j.select((pl.col("annual_plan_wan") - pl.col("annual_plan_wan_ref")).abs().max())
                                   .item() or 0.0),
        "max_done_diff_wan": float(j.select((pl.col("completed_wan") - pl.col("completed_wan_ref")).abs().max())
                                   .item() or 0.0),
        "max_count_diff": int(j.select((pl.col("projects").cast(pl.Int64) - pl.col("projects_ref")).abs().max())
                              .item() or 0),
    }


if __name__ == "__main__":
    from jygproj.io import load_dataset
    from jygproj.paths import SAMPLE_2023

    data_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else SAMPLE_2023
    month = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    paths = workbooks(data_dir)
    t = time.perf_counter()
    cells = fastexcel_cells(paths)
    t_fx = time.perf_counter() - t
    t = time.perf_counter()
    fastexcel_cells(paths, threads=2)
    t_fx2 = time.perf_counter() - t
    t = time.perf_counter()
    ds = load_dataset(data_dir)
    t_jy = time.perf_counter() - t
    ours = jygproj_table(ds, 2023, month)
    print(f"{len(paths)} workbooks, {cells:,} cells")
    print(f"fastexcel alone {t_fx:.2f} s, two threads {t_fx2:.2f} s; jygproj load {t_jy:.2f} s "
          f"({t_jy / t_fx:.1f}× fastexcel, {t_jy / t_fx2:.1f}× two threads)")
    for engine in ("calamine", "openpyxl"):
        t = time.perf_counter()
        sheets = pandas_read(paths, engine)
        t_pd = time.perf_counter() - t
        print(f"pandas+{engine} read {t_pd:.2f} s ({t_pd / t_jy:.1f}× jygproj); table comparison:",
              compare(ours, pandas_table(sheets, month)))
