"""A report table (sheet name, title, frame, unit, notes) and the two shaping steps every table
shares: codes to Chinese labels, and the register row a project's figures came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Mapping

import polars as pl

from jygproj.ledger import memoised
from jygproj.schema import VALUE_CODE_LABELS


@dataclass
class Table:
    name: str  # sheet name
    title: str
    frame: pl.DataFrame
    unit: str | None = "万元"
    total_row: bool = False
    notes: tuple[str, ...] = ()
    total_ratios: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    # the HTML report shows the first rows (and these columns, when given) and names the sheet with
    # every row and column: printed on A4 it stays readable (issue 15: ≤ 40 pages); Excel has all
    shown_rows: int = 30
    shown_columns: tuple[str, ...] = ()


def labelled(frame: pl.DataFrame, extra: Mapping[str, Mapping[str, str]] | None = None) -> pl.DataFrame:
    """Translate scope/period/kind/status codes to Chinese for display; ``extra`` adds the plan's own
    (requirement_id → the requirement in words, jygproj.plan.Plan.requirement_labels)."""
    maps = {**VALUE_CODE_LABELS, **(extra or {})}
    exprs = [in_words(col, mapping) for col, mapping in maps.items() if col in frame.columns]
    return frame.with_columns(exprs) if exprs else frame


def in_words(col: str, mapping: Mapping[str, str]) -> pl.Expr:
    """``col`` (as text) with its codes replaced by ``mapping``'s words. The same expression for the
    same words: made once (issue 18: every table of every unit's report built it again from the
    dict, a third of the tables' time)."""
    return _in_words(col, tuple(mapping.items()))


@lru_cache(maxsize=512)
def _in_words(col: str, items: tuple[tuple[str, str], ...]) -> pl.Expr:
    return pl.col(col).cast(pl.String).replace(dict(items))


def with_source(frame: pl.DataFrame, projects: pl.DataFrame) -> pl.DataFrame:
    """Append the project register's source (file, sheet, row) to a per-project table."""
    # the register's sources, file names already shown as such, made once per projects frame in a
    # review (issue 18: a review's four per-project tables each made them again)
    src = memoised("register_sources", (projects,), None, lambda: file_names(
        projects.select("project_id", "source_file", "source_sheet", "source_row").unique("project_id")))
    # the table's rows in the order given (polars keeps a join's row order only when asked)
    joined = frame.join(src, on="project_id", how="left", maintain_order="left")
    # a table with workbook columns of its own, or the register's (joined as *_right), as before
    own = [c for c in frame.columns if c in FILE_COLUMNS or (c in src.columns and c != "project_id")]
    return file_names(joined) if own else joined


#: Columns that hold a workbook's path: readers see the file's name, never a machine path.
FILE_COLUMNS = ("source_file", "figure_file", "plan_file", "used_file", "other_file")


def file_names(frame: pl.DataFrame) -> pl.DataFrame:
    """The workbook columns of a table as file names (《…》 in the data folder), not paths."""
    cols = [c for c in FILE_COLUMNS if c in frame.columns and frame.schema[c] == pl.String]
    return frame.with_columns(_file_name(c) for c in cols) if cols else frame


def _file_name(column: str) -> pl.Expr:
    """A workbook column's file name: an absolute path (POSIX or Windows) loses its folders; a place
    in the data folder (督办反馈/…) stays."""
    return pl.col(column).str.replace(r"^(?:[A-Za-z]:)?[/\\].*[/\\]", "")


#: (file, sheet, row) column triples of the per-project tables → the one column naming the cell's row
SOURCE_TRIPLES = {"source": ("source_file", "source_sheet", "source_row"),
                  "figure_source": ("figure_file", "figure_sheet", "figure_row"),
                  "plan_source": ("plan_file", "plan_sheet", "plan_row")}


def sources(frame: pl.DataFrame) -> pl.DataFrame:
    """Each (file, sheet, row) triple as one reader's reference for the HTML report: 《文件名》“工作表”
    第N行 in the file column's place (the Excel sheets keep the three columns, to filter and check).
    The file names and every triple by one query (a query each took most of a shown table's time,
    issue 18)."""
    columns = frame.columns
    schema = frame.schema
    files = {c for c in FILE_COLUMNS if c in schema and schema[c] == pl.String}
    triples = {f: (out, sh, row) for out, (f, sh, row) in SOURCE_TRIPLES.items() if {f, sh, row} <= set(columns)}
    if not files and not triples:
        return frame
    dropped = {c for _, sh, row in triples.values() for c in (sh, row)}
    exprs = []
    for c in columns:
        if c in dropped:
            continue
        value = _file_name(c) if c in files else pl.col(c)
        if c in triples:
            out, sh, row = triples[c]
            value = pl.when(pl.col(c).is_not_null()).then(pl.concat_str(
                pl.lit("《"), value, pl.lit("》"),
                pl.when(pl.col(sh).is_not_null()).then(pl.concat_str(pl.lit("“"), pl.col(sh), pl.lit("”"))).otherwise(pl.lit("")),
                pl.when(pl.col(row).is_not_null()).then(pl.concat_str(pl.lit("第"), pl.col(row).cast(pl.String), pl.lit("行")))
                .otherwise(pl.lit("")))).alias(out)
        exprs.append(value)
    return frame.select(exprs)


def without_codes(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """A message column without its trailing English code ("… [code_missing]"): the code is for the
    analyst's log and tests, readers see the Chinese."""
    if column not in frame.columns:
        return frame
    return frame.with_columns(pl.col(column).str.replace(r"\s*\[[a-z][a-z0-9_]*\]\s*$", ""))


def codes_in_words(frame: pl.DataFrame, column: str, words: Mapping[str, str]) -> pl.DataFrame:
    """A column of codes joined by "+" or "、" (industrial+real_estate, pace_behind、start_late) in words."""
    if column not in frame.columns:
        return frame
    return frame.with_columns(pl.col(column).map_elements(
        lambda v: "、".join(words.get(x, x) for x in v.replace("+", "、").split("、")) if v else v,
        return_dtype=pl.String))
